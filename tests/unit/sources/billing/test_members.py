"""A usage record's day, as billing joins it to where its line sat, is the day of its start in UTC —
the day rating charges it on — whatever time zone the database session runs in."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import DateTime, literal, select, text

from sources.billing.members import utc_day


async def test_a_usage_records_day_is_its_utc_day_whatever_the_sessions_time_zone(world):
    late = datetime(2026, 11, 15, 23, 30, tzinfo=UTC)  # already the 16th east of UTC
    early = datetime(2026, 11, 16, 0, 30, tzinfo=UTC)  # still the 15th west of it
    async with world.engines.billing.begin() as conn:
        dialect = conn.dialect.name
        for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago") if dialect == "postgresql" else ("",):
            if zone:  # for this transaction only: the pooled connection keeps its own zone
                await conn.execute(text(f"set local time zone '{zone}'"))
            found = [
                (await conn.execute(select(utc_day(literal(moment, DateTime(timezone=True)), dialect)))).scalar_one()
                for moment in (late, early)
            ]
            assert [str(day) for day in found] == [str(date(2026, 11, 15)), str(date(2026, 11, 16))], zone
        if dialect == "sqlite":
            # Text with an offset (not how SQLAlchemy writes it, but a valid stored timestamp) counts in UTC too.
            day = (await conn.execute(select(utc_day(literal("2026-11-16T01:30:00+02:00"), dialect)))).scalar_one()
            assert day == "2026-11-15"
