"""Writes to portal users and their scope grants."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from sources.backend import Backend
from sources.crm.models import PortalUser, ScopeGrant


class UserWriter:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def create_user(
        self, customer_id: int, login: str, name: str, email: str | None, role: str, line_id: int | None,
        unit_ids: list[int],
    ) -> int | None:  # fmt: skip
        """The new user's id; None when the login is taken."""
        values = {"customer_id": customer_id, "login": login, "name": name, "email": email, "role": role,
                  "subscriber_id": line_id, "active": True}  # fmt: skip
        try:
            async with self.backend.begin() as conn:
                user_id = (
                    await conn.execute(insert(PortalUser).values(**values).returning(PortalUser.id))
                ).scalar_one()
                if unit_ids:
                    await conn.execute(insert(ScopeGrant), [{"user_id": user_id, "org_unit_id": u} for u in unit_ids])
        except IntegrityError:
            return None
        return int(user_id)

    async def set_role(self, user_id: int, role: str) -> None:
        async with self.backend.begin() as conn:
            await conn.execute(update(PortalUser).where(PortalUser.id == user_id).values(role=role))

    async def grant(self, user_id: int, unit_id: int) -> bool:
        """False when the user already holds that grant."""
        async with self.backend.begin() as conn:
            held = select(ScopeGrant.id).where(ScopeGrant.user_id == user_id, ScopeGrant.org_unit_id == unit_id)
            if (await conn.execute(held)).first() is not None:
                return False
            await conn.execute(insert(ScopeGrant).values(user_id=user_id, org_unit_id=unit_id))
        return True

    async def revoke(self, user_id: int, unit_id: int) -> bool:
        """False when the user did not hold that grant."""
        statement = delete(ScopeGrant).where(ScopeGrant.user_id == user_id, ScopeGrant.org_unit_id == unit_id)
        async with self.backend.begin() as conn:
            return (await conn.execute(statement)).rowcount > 0
