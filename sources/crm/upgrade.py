"""Columns the reference CRM schema gained after databases were made with it, added in place.

An older CRM database gets ``customers.country`` (Germany, the demo companies' country, until
the CRM says otherwise) and ``subscribers.employee_name_folded`` (every name folded, a batch at a
time) before the server reads it. Any other column it lacks still refuses the start
(``sources/db.py``): the demo data is generated again then.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

from sources.crm.search import fold

DEFAULT_COUNTRY = "DE"
# Lines read and written per statement while their names are folded.
BATCH = 5000


def upgrade_crm(conn: Connection) -> None:
    inspector = inspect(conn)
    tables = set(inspector.get_table_names())

    def lacks(table: str, column: str) -> bool:
        return table in tables and column not in {found["name"] for found in inspector.get_columns(table)}

    if lacks("customers", "country"):
        conn.execute(text(f"alter table customers add column country varchar(2) not null default '{DEFAULT_COUNTRY}'"))
    if lacks("subscribers", "employee_name_folded"):
        conn.execute(text("alter table subscribers add column employee_name_folded text"))
        _fold_names(conn)


def _fold_names(conn: Connection) -> None:
    after = 0
    read = text("select id, employee_name from subscribers where id > :after order by id limit :batch")
    write = text("update subscribers set employee_name_folded = :folded where id = :id")
    while rows := conn.execute(read, {"after": after, "batch": BATCH}).all():
        conn.execute(write, [{"id": key, "folded": fold(name)} for key, name in rows])
        after = rows[-1][0]
