"""corpcare's coded errors. Every layer raises these; the schema shows their ``code``.

    CorpcareError                 (code)
    ├── Unauthenticated           UNAUTHENTICATED
    ├── Forbidden                 FORBIDDEN
    ├── NotFound                  NOT_FOUND
    ├── BadUserInput              BAD_USER_INPUT
    ├── BackendUnavailable        BACKEND_UNAVAILABLE
    │   └── BackendBusy           BACKEND_UNAVAILABLE, reason BUSY (we are busy: no pooled connection free,
    │                             SQLite's lock held by our own writer; 503 + Retry-After, no breaker)
    ├── MixedCurrencies           MIXED_CURRENCIES (one figure asked of amounts in several currencies;
    │                             ``currencies`` lists them: corpcare never adds two currencies)
    ├── CurrencyMismatch          CURRENCY_MISMATCH (an amount stated in one currency set where the money is
    │                             in another, e.g. a limit in EUR over lines billed in CHF; never converted)
    ├── RateLimited               RATE_LIMITED
    └── QueryTooComplex           QUERY_TOO_COMPLEX

Anything else that escapes a resolver is a bug: it is logged and masked as
``INTERNAL_SERVER_ERROR``. The HTTP layer codes its own refusals (``BAD_REQUEST``,
``METHOD_NOT_ALLOWED``, ``PAYLOAD_TOO_LARGE``, ``TIMEOUT``) in ``server/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar


class CorpcareError(Exception):
    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions


class Unauthenticated(CorpcareError):
    code = "UNAUTHENTICATED"


class Forbidden(CorpcareError):
    code = "FORBIDDEN"


class NotFound(CorpcareError):
    code = "NOT_FOUND"


class BadUserInput(CorpcareError):
    code = "BAD_USER_INPUT"


class BackendUnavailable(CorpcareError):
    code = "BACKEND_UNAVAILABLE"


class BackendBusy(BackendUnavailable):
    """Every connection to the backend is in use by our own requests; the request is refused rather
    than queued. The same code as an outage, since the client's remedy is the same (retry later; the
    other backend's fields still resolve); ``reason`` tells them apart."""

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, reason="BUSY", retryAfterSeconds=1, **extensions)


class MixedCurrencies(CorpcareError):
    """A field that states one amount was asked to sum amounts in more than one currency."""

    code = "MIXED_CURRENCIES"

    def __init__(self, what: str, currencies: Iterable[str], **extensions: Any) -> None:
        found = sorted(set(currencies))
        message = f"{what} is billed in {', '.join(found)}; one figure cannot add currencies."
        super().__init__(message, currencies=found, **extensions)


class CurrencyMismatch(CorpcareError):
    """An amount stated in one currency was set where the money it governs is in another."""

    code = "CURRENCY_MISMATCH"


def one_currency(what: str, currencies: Iterable[str], default: str) -> str:
    """The one currency of ``currencies`` (``default`` when there is none), or MIXED_CURRENCIES."""
    found = set(currencies)
    if len(found) > 1:
        raise MixedCurrencies(what, found)
    return next(iter(found), default)


class RateLimited(CorpcareError):
    code = "RATE_LIMITED"


class QueryTooComplex(CorpcareError):
    code = "QUERY_TOO_COMPLEX"


class KeyInUse(CorpcareError):
    """A request with the same idempotency key is still at work: try again after ``retryAfterSeconds``."""

    code = "IDEMPOTENCY_KEY_IN_USE"
