"""Change marks: a counter per key of a table's rows (a customer's month of charges, a customer's
stays), bumped by the database itself in the transaction of every write of those rows.

A trigger does it, not the writers: whoever writes — the rating that adds to a day's charge, a
correction, a deletion, a move of lines, a reload — the counter of every key the statement
touched goes up, and commits (or rolls back) with the write. Whoever reads the counter *before*
reading the rows it marks knows that a figure summed from those rows is at least as new as the
counter says; an answer kept under the counter is never read once a later write has committed.

PostgreSQL marks once per statement (its rows are handed to the trigger as a table), SQLite once
per row. Writers of one key queue on its counter row until they commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, inspect, text


@dataclass(frozen=True, slots=True)
class Marked:
    table: str  # the rows whose writes are marked
    marks: str  # the counter table: ``keys`` as its primary key, and ``version``
    keys: tuple[str, ...]  # columns of ``table`` that key the counter


def install_marks(conn: Connection, marked: Marked) -> None:
    """The triggers that mark ``marked.table``'s writes, unless they are there — or either table is
    not: a database made before the marked table (``create_schemas`` refuses it, saying to seed
    again), or tables created a few at a time."""
    tables = inspect(conn)
    if not (tables.has_table(marked.table) and tables.has_table(marked.marks)):
        return
    name = f"{marked.marks}_on_insert"
    if conn.dialect.name == "postgresql":
        if conn.execute(text("select 1 from pg_trigger where tgname = :n"), {"n": name}).first() is None:
            for statement in _postgres(marked):
                conn.execute(text(statement))
    elif conn.execute(text("select 1 from sqlite_master where type = 'trigger' and name = :n"), {"n": name}).first():
        return
    else:
        for statement in _sqlite(marked):
            conn.execute(text(statement))


def _postgres(marked: Marked) -> list[str]:
    keys, marks = ", ".join(marked.keys), marked.marks
    bump = (
        f"insert into {marks} ({keys}, version) select {keys}, 1 from ({{rows}}) as keyed order by {keys} "
        f"on conflict ({keys}) do update set version = {marks}.version + 1;"
    )
    function = f"""create or replace function {marks}_bump() returns trigger language plpgsql as $$
begin
  if TG_OP = 'TRUNCATE' then
    update {marks} set version = version + 1;
  elsif TG_OP = 'UPDATE' then
    {bump.format(rows=f"select {keys} from touched_before union select {keys} from touched")}
  else
    {bump.format(rows=f"select distinct {keys} from touched")}
  end if;
  return null;
end $$"""
    each = f"for each statement execute function {marks}_bump()"
    return [
        function,
        f"create trigger {marks}_on_insert after insert on {marked.table} referencing new table as touched {each}",
        f"create trigger {marks}_on_update after update on {marked.table} "
        f"referencing old table as touched_before new table as touched {each}",
        f"create trigger {marks}_on_delete after delete on {marked.table} referencing old table as touched {each}",
        f"create trigger {marks}_on_truncate after truncate on {marked.table} {each}",
    ]


def _sqlite(marked: Marked) -> list[str]:
    keys, marks = ", ".join(marked.keys), marked.marks

    def bump(row: str) -> str:
        values = ", ".join(f"{row}.{key}" for key in marked.keys)
        return (
            f"insert into {marks} ({keys}, version) values ({values}, 1) "
            f"on conflict ({keys}) do update set version = version + 1;"
        )

    return [
        f"create trigger {marks}_on_insert after insert on {marked.table} begin {bump('new')} end",
        f"create trigger {marks}_on_update after update on {marked.table} begin {bump('old')} {bump('new')} end",
        f"create trigger {marks}_on_delete after delete on {marked.table} begin {bump('old')} end",
    ]
