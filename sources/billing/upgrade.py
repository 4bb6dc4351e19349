"""Columns and indexes the reference billing schema gained after databases were made with it, added in place.

An older billing database gets ``spending_policies.limit_currency`` before the server reads it,
filled in for every version that sets a limit with the currency it was set in: a line's limit in
its billing account's currency (what it was checked against when set), a unit's in its company's
(what ``limitCurrency`` defaults to; ``companies``: customer id -> currency, from the CRM). Any
other column it lacks still refuses the start (``sources/db.py``).

An index of the reference schema that an older database lacks is built in place (seconds on a
few million charges, once), and the index it replaced dropped: ``create_all`` adds indexes only
with their tables.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, Inspector, inspect, text

from sources.billing.models import DailyCharge

# Indexes of the daily charges that a later one of the reference schema replaced.
REPLACED = ("ix_charges_customer_period",)


def upgrade_billing(conn: Connection, companies: Mapping[int, str]) -> None:
    inspector = inspect(conn)
    if "spending_policies" not in inspector.get_table_names():
        return
    _index_charges(conn, inspector)
    _state_limit_currencies(conn, inspector, companies)


def _index_charges(conn: Connection, inspector: Inspector) -> None:
    table = DailyCharge.metadata.tables[DailyCharge.__tablename__]
    present = {found["name"] for found in inspector.get_indexes(table.name)}
    for index in table.indexes:
        if index.name not in present:
            index.create(conn)
    for name in REPLACED:
        if name in present:
            conn.execute(text(f"drop index {name}"))


def _state_limit_currencies(conn: Connection, inspector: Inspector, companies: Mapping[int, str]) -> None:
    if "limit_currency" in {found["name"] for found in inspector.get_columns("spending_policies")}:
        return
    conn.execute(text("alter table spending_policies add column limit_currency varchar(3)"))
    conn.execute(
        text(
            "update spending_policies set limit_currency = (select a.currency from line_products p "
            "join billing_accounts a on a.id = p.billing_account_id "
            "where p.subscriber_id = spending_policies.subscriber_id) "
            "where subscriber_id is not null and monthly_limit_minor is not null"
        )
    )
    unit_limits = text(
        "update spending_policies set limit_currency = :currency "
        "where customer_id = :customer and org_unit_id is not null and monthly_limit_minor is not null"
    )
    for customer, currency in sorted(companies.items()):
        conn.execute(unit_limits, {"customer": customer, "currency": currency})
