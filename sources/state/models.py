"""corpcare's own state: the audit log, idempotency keys, bulk operations with their items,
service accounts' API keys, the registered (persisted) operations, and the portal's sign-in sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class StateBase(DeclarativeBase):
    pass


_PENDING = text("outcome = 'pending'")
_HELD = text("state = 'pending'")


class AuditRecord(StateBase):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    request_id: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(Integer)
    login: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60))
    # allowed, denied; a change's intent is pending until its outcome is known, or interrupted
    # when the process stopped before it was (sources/state/audit.py).
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict] = mapped_column(JSON)
    # A pending intent's: renewed while its change runs; past it, the change's process stopped.
    held_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_audit_customer_at", "customer_id", "at", "id"),
        Index("ix_audit_log_pending", "held_until", postgresql_where=_PENDING, sqlite_where=_PENDING),
    )


class AuditTarget(StateBase):
    """An object an audited action touched, for finding the record by its target."""

    __tablename__ = "audit_targets"

    audit_id: Mapped[int] = mapped_column(ForeignKey("audit_log.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    target_id: Mapped[int] = mapped_column(Integer, primary_key=True)

    __table_args__ = (Index("ix_audit_targets_target", "kind", "target_id"),)


class IdempotencyKey(StateBase):
    """The stored answer to a mutation sent with an idempotency key, per portal user."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    operation: Mapped[str] = mapped_column(String(60))
    # sha256 of the operation and its input: the same key with another input is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # pending: reserved by a request still at work (until held_until), its answer {} so far;
    # done: the answer is kept.
    state: Mapped[str] = mapped_column(String(8), server_default="done")
    held_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The change's intent in the audit log, once recorded: what the recovery pass settles.
    audit_id: Mapped[int | None] = mapped_column(BigInteger)
    response: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_idempotency_keys_held", "held_until", postgresql_where=_HELD, sqlite_where=_HELD),)


class BulkOperationRecord(StateBase):
    """A change to a large selection of lines, worked through in the background."""

    __tablename__ = "bulk_operations"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(Integer)
    login: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str] = mapped_column(String(40))
    operation: Mapped[str] = mapped_column(String(60))
    # The mutation's input as plain data: the action is rebuilt from it when work resumes.
    input: Mapped[dict] = mapped_column(JSON)
    dry_run: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))  # queued, running, completed, cancelled, failed
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    would_apply: Mapped[int] = mapped_column(Integer, default=0)
    cost_delta_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The worker holding the operation, until when; another worker takes over after that.
    worker: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Moved on by every claim; the holder's writes name it, so a holder that was taken over is refused.
    fence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        Index("ix_bulk_customer_created", "customer_id", "created_at", "id"),
        Index("ix_bulk_status", "status", "lease_until"),
    )


class BulkItemRecord(StateBase):
    """One line of a bulk operation: pending, claimed (being written), or done with its outcome."""

    __tablename__ = "bulk_items"

    operation_id: Mapped[int] = mapped_column(ForeignKey("bulk_operations.id"), primary_key=True)
    line_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(10))  # pending, claimed, done
    outcome: Mapped[str | None] = mapped_column(String(16))
    code: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    cost_delta_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str | None] = mapped_column(String(3))

    __table_args__ = (Index("ix_bulk_items_open", "operation_id", "state", "line_id"),)


class ApiKeyRecord(StateBase):
    """An API key of a service account (a portal user of the CRM). Only a hash of the secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # The public part of the secret (``cck_<key_id>_…``): how a presented key is found.
    key_id: Mapped[str] = mapped_column(String(16))
    # sha256 of the whole secret, hex.
    secret_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(Integer)
    login: Mapped[str] = mapped_column(String(120))
    customer_id: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_api_keys_key_id", "key_id", unique=True),
        Index("ix_api_keys_customer_user", "customer_id", "user_id", "id"),
    )


class PersistedOperationRecord(StateBase):
    """A registered GraphQL document (``corpcare register-operations``): in safelist mode only
    these run. Found by the SHA-256 of its exact text, so a row never changes."""

    __tablename__ = "persisted_operations"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the UTF-8 text, lowercase hex
    # The document's operation names, comma-separated ("" for one anonymous operation).
    operation_names: Mapped[str] = mapped_column(String(500))
    document: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(500))  # the file it was registered from
    registered_by: Mapped[str] = mapped_column(String(120))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PortalSessionRecord(StateBase):
    """A browser's sign-in to the portal (``sources/state/sessions.py``). Only a hash of the cookie's
    secret is kept; the row is deleted at sign-out and once found idle or too old."""

    __tablename__ = "portal_sessions"

    secret_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the secret, hex
    login: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_portal_sessions_last_seen", "last_seen_at"),)
