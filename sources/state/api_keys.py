"""API keys of service accounts: made, found by their public id, checked, revoked, marked as used.

A key reads ``cck_<key id>_<43 characters>``: the key id is public (it is how a presented
key is found, and how admins tell keys apart); the rest is 32 random bytes. Only the
SHA-256 of the whole key is stored. A slow password hash (bcrypt, argon2) guards guessable
secrets; 256 random bits cannot be guessed from a fast hash either, and a key is checked on
every request, where a deliberately slow hash would cost each call tens of milliseconds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from core.scope import RowScope
from core.values import aware
from sources.db import SqlSource, key_in
from sources.scope import company_predicate
from sources.state.models import ApiKeyRecord

PREFIX = "cck_"
_KEY_ID = re.compile(r"^[0-9a-f]{12}$")
_RANDOM = re.compile(r"^[A-Za-z0-9_-]{43}$")
# A key in use is marked as used at most this often: no write per request.
TOUCH_EVERY = timedelta(minutes=1)


def looks_like_api_key(credential: str) -> bool:
    """True for anything presented as an API key (valid or not), as opposed to a JWT."""
    return credential.startswith(PREFIX)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _key_id_of(secret: str) -> str | None:
    key_id, separator, random_part = secret.removeprefix(PREFIX).partition("_")
    if not secret.startswith(PREFIX) or not separator:
        return None
    return key_id if _KEY_ID.match(key_id) and _RANDOM.match(random_part) else None


def _new_secret() -> tuple[str, str]:
    key_id = secrets.token_hex(6)
    random_part = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return key_id, f"{PREFIX}{key_id}_{random_part}"


@dataclass(frozen=True, slots=True)
class ApiKeyRow:
    """A key as admins see it: never the secret, nor its hash."""

    id: int
    key_id: str
    user_id: int
    login: str
    customer_id: int | None
    name: str
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def prefix(self) -> str:
        return f"{PREFIX}{self.key_id}"

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    @property
    def active(self) -> bool:
        return self.usable(datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class NewApiKey:
    user_id: int
    login: str
    customer_id: int | None
    name: str
    created_by: str
    expires_at: datetime | None


_K = ApiKeyRecord
_COLUMNS = tuple(getattr(_K, name) for name in ApiKeyRow.__dataclass_fields__)


def _row(row: Any) -> ApiKeyRow:
    values = {name: getattr(row, name) for name in ApiKeyRow.__dataclass_fields__}
    for name in ("created_at", "expires_at", "revoked_at", "last_used_at"):
        if values[name] is not None:
            values[name] = aware(values[name])
    return ApiKeyRow(**values)


class ApiKeyStore(SqlSource):
    async def create(self, new: NewApiKey) -> tuple[ApiKeyRow, str]:
        """The stored key and its secret: the one time the secret exists outside the caller's hands."""
        now = datetime.now(UTC)
        # SQLite keeps wall-clock time without a zone: store UTC everywhere.
        expires_at = new.expires_at.astimezone(UTC) if new.expires_at is not None else None
        for _attempt in range(3):
            key_id, secret = _new_secret()
            values = {"key_id": key_id, "secret_hash": digest(secret), "user_id": new.user_id, "login": new.login,
                      "customer_id": new.customer_id, "name": new.name, "created_by": new.created_by,
                      "created_at": now, "expires_at": expires_at}  # fmt: skip
            try:
                async with self.backend.begin() as conn:
                    key = (await conn.execute(insert(_K).values(**values).returning(_K.id))).scalar_one()
            except IntegrityError:  # the 48-bit key id was taken: draw again
                continue
            return (await self.keys([int(key)], RowScope.everything()))[0], secret
        raise RuntimeError("could not draw an unused API key id")

    async def verify(self, secret: str, now: datetime) -> ApiKeyRow | None:
        """The key, if ``secret`` is one of ours and neither revoked nor expired; else None."""
        key_id = _key_id_of(secret)
        if key_id is None:
            return None
        rows = await self._rows(select(*_COLUMNS, _K.secret_hash).where(_K.key_id == key_id))
        if not rows or not hmac.compare_digest(rows[0].secret_hash, digest(secret)):
            return None
        key = _row(rows[0])
        return key if key.usable(now) else None

    async def touch(self, key: ApiKeyRow, now: datetime) -> bool:
        """Record a use, unless one was recorded less than a minute ago (by any process)."""
        if key.last_used_at is not None and now - key.last_used_at < TOUCH_EVERY:
            return False
        statement = (
            update(_K)
            .where(_K.id == key.id, or_(_K.last_used_at.is_(None), _K.last_used_at <= now - TOUCH_EVERY))
            .values(last_used_at=now)
        )
        async with self.backend.begin() as conn:
            return (await conn.execute(statement)).rowcount > 0

    async def revoke(self, key_id: int, now: datetime) -> bool:
        """False when the key was revoked already."""
        statement = update(_K).where(_K.id == key_id, _K.revoked_at.is_(None)).values(revoked_at=now)
        async with self.backend.begin() as conn:
            return (await conn.execute(statement)).rowcount > 0

    async def keys(self, ids: Sequence[int], scope: RowScope) -> list[ApiKeyRow]:
        """Keys by id, of the companies ``scope`` covers whole (service accounts are company-level)."""
        statement = select(*_COLUMNS).where(key_in(_K.id, ids, self.dialect), company_predicate(scope, _K.customer_id))
        return [_row(row) for row in await self._rows(statement)]

    async def keys_of_users(self, user_ids: Sequence[int], scope: RowScope) -> list[ApiKeyRow]:
        """The keys of these service accounts, oldest first."""
        statement = (
            select(*_COLUMNS)
            .where(key_in(_K.user_id, user_ids, self.dialect), company_predicate(scope, _K.customer_id))
            .order_by(_K.id)
        )
        return [_row(row) for row in await self._rows(statement)]
