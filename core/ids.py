"""Opaque global ids: ``base64url("Type:key")``. Anything that does not decode is bad input."""

from __future__ import annotations

import base64
import binascii

from core.errors import BadUserInput
from core.values import KEY_32, KEY_64

NODE_TYPES = (
    "Customer",
    "OrgUnit",
    "Subscriber",
    "TariffPlan",
    "Service",
    "BillingAccount",
    "Invoice",
    "PortalUser",
    "BulkOperation",
    "ApiKey",
)
# Past its largest key an id names nothing, and must not reach a database (which refuses to bind it).
LARGEST_KEY = {"BulkOperation": KEY_64, "ApiKey": KEY_64}


def to_global_id(type_name: str, key: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


def from_global_id(global_id: str, *, expect: str | None = None) -> tuple[str, int]:
    """Decode an id; ``expect`` names the only type accepted."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, key = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8").partition(":")
        number = int(key)
    except (ValueError, UnicodeError, binascii.Error):
        raise BadUserInput(f"{global_id!r} is not a valid id.", argument="id") from None
    if type_name not in NODE_TYPES or not 0 <= number <= LARGEST_KEY.get(type_name, KEY_32) or str(number) != key:
        raise BadUserInput(f"{global_id!r} is not a valid id.", argument="id")
    if expect is not None and type_name != expect:
        raise BadUserInput(f"{global_id!r} is not the id of a {expect}.", argument="id")
    return type_name, number
