"""corpcare's own state: the audit log and idempotency keys (bulk operations join them later)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class StateBase(DeclarativeBase):
    pass


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
    outcome: Mapped[str] = mapped_column(String(16))  # allowed, denied
    detail: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_customer_at", "customer_id", "at", "id"),)


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
    response: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
