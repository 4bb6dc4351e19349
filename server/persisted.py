"""Persisted queries: a client sends the SHA-256 of a document instead of its text.

Apollo's automatic persisted queries protocol (``extensions.persistedQuery = {version: 1,
sha256Hash}``, in a JSON body or as GET parameters), resolved before the GraphQL layer reads
the request, which then sees an ordinary request with the document's text in ``query``:

- ``automatic``: a hash alone runs the document known by it; an unknown hash answers
  ``PersistedQueryNotFound`` (HTTP 200, as Apollo clients expect: they resend with the text);
  the hash with the text stores the text (once the hash checks out) and runs it.
- ``safelist``: only operations registered with ``corpcare register-operations`` run, by hash
  or by their exact text; anything else is refused before it is parsed; nothing is stored.
- ``off``: a request that names a hash gets ``PersistedQueryNotSupported``; texts run as sent.

Registered operations live in the state database (durable, shared by every instance) and are
read through the cache. Automatic ones live only in the cache, under other keys, so safelist
mode never runs what a client stored: with Redis every instance sees them; without it each
process keeps its own, and a miss costs a client one more round trip.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

import orjson
from graphql import GraphQLError, parse
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from core.errors import BackendUnavailable
from engine.extensions import registered_document
from server.http_errors import coded_response
from server.metrics import Metrics
from server.request_body import json_of
from sources import Sources
from sources.state.persisted import digest, is_hash

Mode = Literal["off", "automatic", "safelist"]
# A longer text runs but is not stored: APQ spares clients re-sending their usual documents
# (the largest in bench/operations/ is 1.5 kB), it is no store for arbitrary blobs.
MAX_STORED_BYTES = 100_000
_AUTOMATIC = "pq:apq:"  # cache keys of what clients stored
_REGISTERED = "pq:op:"  # cache keys of registered operations (read through to the state database)


class PersistedQueryError(Exception):
    """A refusal of the persisted-query layer, answered as coded JSON before anything runs."""

    def __init__(self, status: int, code: str, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    def response(self) -> Response:
        return coded_response(self.status, self.code, self.message, retry_after=self.retry_after)


def _bad_request(message: str) -> PersistedQueryError:
    return PersistedQueryError(400, "BAD_REQUEST", message)


class PersistedQueries:
    """Also the gate of a document's size: a text the client sends is refused past ``max_chars``
    before anything reads it (the lexer spends ~3 µs a character even on a comment or blanks, on
    the event loop). Registered operations are known documents and run whatever their length;
    automatically persisted ones were checked when they were stored."""

    def __init__(
        self, mode: Mode, ttl_seconds: float, max_tokens: int, metrics: Metrics, max_chars: int = 100_000
    ) -> None:
        self.mode = mode
        self.ttl_seconds = ttl_seconds
        self.max_tokens = max_tokens
        self.metrics = metrics
        self.max_chars = max_chars

    async def resolve(self, request: Request) -> Request:
        """The request for the GraphQL layer: this one, or one carrying exactly the fields that
        were checked. Raises ``PersistedQueryError`` when it must not run."""
        payload = await self._payload(request)
        if payload is None:
            return request
        query = await self.query_of(_sources(request), payload)
        if self.mode != "safelist" and query is payload.get("query"):
            return request
        return _rewritten(request, {**payload, "query": query})

    async def query_of(self, sources: Sources, payload: dict[str, Any]) -> object:
        """The ``query`` to run for a request's fields (``query``, ``extensions``): the text a
        hash names, or the request's own ``query`` (left to the GraphQL layer when it is missing
        or not a string). Raises ``PersistedQueryError`` when the request must not run."""
        query = payload.get("query")
        extensions = payload.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            if self.mode == "safelist" and isinstance(query, str):
                await self._registered_or_refused(sources, digest(query))
            else:
                self._check_length(query)
            return query
        if self.mode == "off":
            self._count("refused")
            raise PersistedQueryError(200, "PERSISTED_QUERY_NOT_SUPPORTED", "PersistedQueryNotSupported")
        sha = self._hash_of(persisted)
        if query == "":
            # graphql-ws, the socket's usual client, sends every subscribe with a string
            # ``query``: a persisted one's empty text means the hash alone, as a missing one does.
            query = None
        if isinstance(query, str):
            if digest(query) != sha:
                self._count("refused")
                raise _bad_request("provided sha does not match query")
            if self.mode == "safelist":
                await self._registered_or_refused(sources, sha)
            elif await self._registered(sources, sha) is None:
                if self._too_long(query):
                    self._count("refused")
                    self._check_length(query)  # a new text to store is not exempt
                await self._store(sources, sha, query)
            return query
        if query is not None:
            return query
        text = await self._find(sources, sha)
        if text is None:
            self._count("miss")
            if self.mode == "safelist":
                raise PersistedQueryError(
                    404, "PERSISTED_QUERY_NOT_IN_LIST", "No registered operation has this sha256Hash."
                )
            raise PersistedQueryError(200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        self._count("hit")
        return text

    def _too_long(self, query: object) -> bool:
        return isinstance(query, str) and len(query) > self.max_chars

    def _check_length(self, query: object) -> None:
        if isinstance(query, str) and len(query) > self.max_chars:
            message = (
                f"The document has {len(query)} characters; the maximum is {self.max_chars} "
                "(send a registered operation by its hash for more)."
            )
            raise PersistedQueryError(400, "QUERY_TOO_COMPLEX", message)

    async def _payload(self, request: Request) -> dict[str, Any] | None:
        """The request's fields as the GraphQL layer will read them; None when there is nothing
        to resolve (outside safelist mode, only requests that mention ``persistedQuery``, or
        that are long enough to carry a document over the size limit, are read)."""
        checking = self.mode == "safelist"
        if request.method == "GET":
            raw = request.query_params.get("extensions")
            # Percent-encoding only lengthens: a shorter query string holds no longer document.
            short = len(request.scope.get("query_string", b"")) <= self.max_chars
            if not checking and short and (raw is None or "persistedQuery" not in raw):
                return None
            try:
                extensions = orjson.loads(raw) if raw else None
            except orjson.JSONDecodeError:
                raise _bad_request("The 'extensions' parameter is not JSON.") from None
            return {"query": request.query_params.get("query"), "extensions": extensions}
        if request.method == "POST" and "json" in request.headers.get("content-type", ""):
            body = await request.body()
            # Each character of a JSON string takes at least a byte: a shorter body holds no longer document.
            if not checking and len(body) <= self.max_chars and b"persistedQuery" not in body:
                return None
            data = json_of(body)  # refuse_body has made sure it is JSON
            if isinstance(data, dict):
                return data
        if checking:
            raise _bad_request("Only registered operations run here: send one JSON object, or a GET, naming one.")
        return None

    def _hash_of(self, persisted: object) -> str:
        version = persisted.get("version") if isinstance(persisted, dict) else None
        if not isinstance(persisted, dict) or isinstance(version, bool) or version != 1:
            self._count("refused")
            raise _bad_request(
                "Unsupported persisted query: send extensions.persistedQuery = {version: 1, sha256Hash}."
            )
        sha = persisted.get("sha256Hash")
        if not is_hash(sha):
            self._count("refused")
            raise _bad_request("extensions.persistedQuery.sha256Hash must be 64 lowercase hexadecimal digits.")
        return str(sha)

    async def _find(self, sources: Sources, sha: str) -> str | None:
        if self.mode == "automatic":
            text = _verified(await sources.cache.get(_AUTOMATIC + sha), sha)
            if text is not None:
                return text
        return await self._registered(sources, sha)

    async def _registered(self, sources: Sources, sha: str) -> str | None:
        """The registered operation ``sha`` names, or None; once found, its text is exempt from
        the token limit for this request (``engine.extensions.TokenLimit``)."""
        text = await self._registered_text(sources, sha)
        if text is not None:
            registered_document.set(text)
        return text

    async def _registered_text(self, sources: Sources, sha: str) -> str | None:
        # Checked against the hash even from the cache: what runs in safelist mode never
        # depends on Redis holding what corpcare put there.
        text = _verified(await sources.cache.get(_REGISTERED + sha), sha)
        if text is not None:
            return text
        try:
            text = await sources.persisted_operations.document(sha)
        except BackendUnavailable:
            if self.mode == "safelist":
                self._count("refused")
                raise PersistedQueryError(
                    503, "BACKEND_UNAVAILABLE", "The registered operations cannot be read; try again shortly.",
                    retry_after=1,
                ) from None  # fmt: skip
            return None  # a miss: the client sends the text, which runs
        if text is not None:
            # A hash names one text for ever: nothing to invalidate.
            await sources.cache.set(_REGISTERED + sha, text.encode(), self.ttl_seconds)
        return text

    async def _registered_or_refused(self, sources: Sources, sha: str) -> None:
        if await self._registered(sources, sha) is None:
            self._count("refused")
            raise PersistedQueryError(
                403, "PERSISTED_QUERY_NOT_ALLOWED", "Only registered operations run here; this one is not registered."
            )
        self._count("hit")

    async def _store(self, sources: Sources, sha: str, query: str) -> None:
        """Keep the text for the next request naming its hash, unless it is too long or does not
        parse (the GraphQL layer then answers with the error)."""
        text = query.encode()
        if len(text) > MAX_STORED_BYTES:
            return
        try:
            parse(query, no_location=True, max_tokens=self.max_tokens)
        except GraphQLError:
            return
        await sources.cache.set(_AUTOMATIC + sha, text, self.ttl_seconds)
        self._count("registered")

    def _count(self, result: str) -> None:
        self.metrics.persisted_queries.labels(result).inc()


def _sources(request: Request) -> Sources:
    return request.app.state.sources


def _verified(cached: bytes | None, sha: str) -> str | None:
    if cached is None:
        return None
    text = cached.decode(errors="replace")
    return text if digest(text) == sha else None


def _rewritten(request: Request, payload: dict[str, Any]) -> Request:
    """The request with exactly ``payload``'s fields, so the GraphQL layer reads what was checked."""
    if request.method == "GET":
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "query"]
        if isinstance(payload.get("query"), str):
            params.append(("query", payload["query"]))
        return Request({**request.scope, "query_string": urlencode(params).encode()}, request.receive)
    body = orjson.dumps(payload)
    given = False

    async def receive() -> Message:
        nonlocal given
        if given:  # the body was read: what follows (a disconnect) comes from the client
            return await request.receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, receive)
