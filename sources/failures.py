"""What a failed database call says about the database behind it: the one table that decides.

    Verdict       when                                           breaker     the caller gets
    UNAVAILABLE   the database cannot be reached or cannot       a failure   BACKEND_UNAVAILABLE
                  serve us now
    BUSY          we are busy: no pooled connection came free,   untouched   BACKEND_UNAVAILABLE, reason BUSY
                  another of our writers holds SQLite's lock                 (HTTP 503 + Retry-After)
    STATEMENT     the statement failed (a bug of ours, a         untouched   the error itself: a conflict the
                  conflict) or the caller's own code did                     caller handles, else a masked
                                                                             INTERNAL_SERVER_ERROR, logged

Only a call that completes counts as a success. A statement error is never one: a database that
answers "syntax error" to every caller has not shown it can serve them, and a run of failures
interrupted by a bug of ours must still open the breaker. Nor is it a failure: a bug does not
make the database unhealthy, and shutting every company out for it would hide the bug.

PostgreSQL errors (asyncpg's, raw or wrapped by SQLAlchemy) are judged by SQLSTATE: a full code
listed below, else its class (the first two characters). While a connection is being opened,
every error the database or the network sends is UNAVAILABLE, whatever its SQLSTATE: nothing of
ours has run yet, so it speaks of the database — 55000 "database is not accepting connections"
(``ALTER DATABASE … ALLOW_CONNECTIONS false``), 3D000 no such database, 28P01 password refused.
Once connected, 55000 is a statement's own state error and stays STATEMENT. SQLite errors are
judged by their primary result code. A wait on our own load is BUSY even while opening: the
pool's timeout, SQLite's lock.
"""

from __future__ import annotations

import socket
import sqlite3
from enum import Enum

from sqlalchemy import exc


class Verdict(Enum):
    UNAVAILABLE = "unavailable"
    BUSY = "busy"
    STATEMENT = "statement"


# SQLSTATE classes (two characters) and codes (five) that mean the database cannot serve us now.
POSTGRES_UNAVAILABLE: dict[str, str] = {
    "08": "connection exception: refused, dropped, a broken protocol",
    "25006": "read-only transaction: a standby after a failover, or default_transaction_read_only",
    "53": "insufficient resources: too many clients (53300), disk full, out of memory",
    "57": "operator intervention: statement cancelled (57014, also by statement_timeout), shutdown "
    "(57P01, 57P02), cannot connect now (57P03), database dropped (57P04)",
    "58": "system error: the server's own I/O failed",
}

# SQLite's primary result codes. BUSY is a lock that another of our writers holds (the embedded
# backend is ours alone): waiting for it is our load, not the database failing.
SQLITE_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
SQLITE_UNAVAILABLE = {
    sqlite3.SQLITE_CANTOPEN,  # unable to open database file
    sqlite3.SQLITE_IOERR,  # disk I/O error
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_READONLY,  # the file or its folder is read only
    sqlite3.SQLITE_CORRUPT,
    sqlite3.SQLITE_NOTADB,
    sqlite3.SQLITE_PERM,
    sqlite3.SQLITE_PROTOCOL,
    sqlite3.SQLITE_NOLFS,
}


def judge(error: BaseException, *, opening: bool) -> Verdict:
    """The verdict on ``error``, raised while a connection was being opened or once it was open."""
    if isinstance(error, exc.TimeoutError):  # no pooled connection came free in time
        return Verdict.BUSY
    from_database = isinstance(error, exc.DBAPIError | sqlite3.Error | OSError) or bool(_sqlstate(error))
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:  # SQLAlchemy saw the connection drop
            return Verdict.UNAVAILABLE
        error = error.orig or error
    if isinstance(error, sqlite3.Error) and _sqlite_code(error) in SQLITE_BUSY:
        return Verdict.BUSY
    if opening and from_database:
        return Verdict.UNAVAILABLE
    if sqlstate := _sqlstate(error):
        return Verdict.UNAVAILABLE if postgres_unavailable(sqlstate) else Verdict.STATEMENT
    if isinstance(error, sqlite3.Error):
        return Verdict.UNAVAILABLE if _sqlite_code(error) in SQLITE_UNAVAILABLE else Verdict.STATEMENT
    if isinstance(error, ConnectionError | TimeoutError | socket.gaierror):
        return Verdict.UNAVAILABLE
    return Verdict.STATEMENT


def postgres_unavailable(sqlstate: str) -> bool:
    return sqlstate in POSTGRES_UNAVAILABLE or sqlstate[:2] in POSTGRES_UNAVAILABLE


def describe(error: BaseException) -> str:
    """The driver's error, for the log: never SQLAlchemy's text, which quotes the statement's parameters."""
    cause = error.orig if isinstance(error, exc.DBAPIError) else error
    sqlstate = _sqlstate(cause)
    return f"{type(cause).__name__}{f' {sqlstate}' if sqlstate else ''}: {cause}"


def _sqlite_code(error: sqlite3.Error) -> int:
    """SQLite's primary result code (the extended code's low byte)."""
    return int(getattr(error, "sqlite_errorcode", 0)) & 0xFF


def _sqlstate(error: BaseException | None) -> str:
    """The SQLSTATE of asyncpg's error, or of SQLAlchemy's adaptation of it (which keeps it as the cause)."""
    for candidate in (error, getattr(error, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None)
        if isinstance(code, str) and code:
            return code
    return ""
