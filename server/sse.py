"""GraphQL over Server-Sent Events at ``/graphql/stream``: the graphql-sse protocol
(github.com/enisdenjo/graphql-sse, PROTOCOL.md), for networks that block WebSockets.

- Distinct connections: a GET or POST with ``Accept: text/event-stream`` runs one operation and
  streams its results as ``next`` events, then ``complete``; closing the connection ends it.
- Single connection: PUT reserves a stream (201, its token as the body); a GET with the token
  (``X-GraphQL-Event-Stream-Token``, or ``?token=``) and ``Accept: text/event-stream`` opens it;
  each POST with the token and ``extensions.operationId`` starts an operation (202) whose results
  come on the stream as ``{id, payload}``; DELETE ``?operationId=`` stops one.

Every request signs in with ``Authorization: Bearer`` as on /graphql (401 otherwise, never a
stream), and each operation goes through the persisted-query rules, the authoriser, the cost
limits and cost allowances as a WebSocket's subscribe does. The caller's token is asked again before each
event and at each keep-alive ping (``Context.signed_in_now``): once it names nobody (expired, user
disabled), the operation ends with an ``UNAUTHENTICATED`` error and ``complete`` — in single
connection mode with every operation of the stream, which then closes, as a socket is closed.
Queries and mutations run too (one ``next``, then ``complete``), as graphql-sse's own server
does; each holds an admission turn while it runs, a subscription only while it starts.
A caller has at most ``MAX_OPEN`` operations and as many reservations open in a process: past
that, 429 ``RATE_LIMITED`` (reason ``SUBSCRIPTIONS``). When the process drains for a restart,
every stream ends without ``complete`` (``server/drain.py``): clients connect again, elsewhere.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

import orjson
from graphql import GraphQLError, GraphQLSyntaxError, get_operation_ast, parse
from starlette.authentication import AuthenticationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.types.graphql import OperationType

from engine.extensions import code_errors, registered_document
from permissions.principal import Principal
from server.admission import arrived_at, current_turn
from server.auth import PrincipalUser, SignInUnavailable
from server.endpoint import SOCKET_REFUSALS, GraphQLEndpoint, is_refusal
from server.event_stream import EventResponse, EventStream, Operation
from server.http_errors import coded_response
from server.persisted import PersistedQueryError
from server.request_body import json_of

TOKEN_HEADER = "x-graphql-event-stream-token"
MAX_OPEN = 20  # a caller's operations (and, apart, reservations) at once, as a socket's subscriptions
RESERVATION_SECONDS = 60.0  # a reservation not opened by then is dropped, with what it runs
_ALLOWED = (OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION)


class EventStreams:
    """The ``/graphql/stream`` route: both modes, over the GraphQL endpoint's schema and rules."""

    def __init__(self, graphql: GraphQLEndpoint) -> None:
        self.graphql = graphql
        self.reserved: dict[str, EventStream] = {}
        self.streaming: set[EventStream] = set()  # the open responses, ended when the process drains
        self.ended = False  # the process drains: every stream has been ended
        self.running: Counter[int] = Counter()  # open operations of each caller
        graphql.metrics.sample(graphql.metrics.sse_operations, lambda: float(sum(self.running.values())))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        user = scope.get("user")
        assert isinstance(user, PrincipalUser), "authentication runs before the route"
        response = await self._answer(request, user.principal)
        await response(scope, receive, send)

    async def _answer(self, request: Request, principal: Principal) -> Response:
        method = request.method
        token = request.headers.get(TOKEN_HEADER) or request.query_params.get("token")
        stream = self.reserved.get(token or "")
        if stream is not None and stream.owner != principal.user_id:
            stream = None  # another caller's token: as if there were none
        if "text/event-stream" in request.headers.get("accept", "") and method in ("GET", "POST"):
            if stream is None:
                return await self._distinct(request, principal)
            if stream.opened:
                return coded_response(409, "CONFLICT", "The stream is open already; only one connection may hold it.")
            return self._open(stream)
        if method == "PUT":
            return self._reserve(principal)
        if method not in ("GET", "POST", "DELETE"):
            return coded_response(405, "METHOD_NOT_ALLOWED", "Use GET, POST, PUT or DELETE.")
        if stream is None:
            message = ("No stream with this token: reserve one with PUT, or send 'Accept: text/event-stream' "
                       "for a stream of one operation.")  # fmt: skip
            return coded_response(404, "NOT_FOUND", message)
        if method == "DELETE":
            return self._delete(stream, request.query_params.get("operationId"))
        return await self._post(request, principal, stream)

    async def _distinct(self, request: Request, principal: Principal) -> Response:
        """Distinct connections mode: this response streams one operation's results."""
        params = await _params(request)
        if isinstance(params, Response):
            return params
        stream = EventStream(principal.user_id, single=False)
        stream.opened = True
        refused = await self._start(request, principal, stream, None, params)
        if refused is not None:
            return refused
        return self._streaming(stream)

    def _open(self, stream: EventStream) -> Response:
        stream.opened = True
        _step_aside()  # the stream only carries events: its work is the operations'
        return self._streaming(stream)

    def _streaming(self, stream: EventStream) -> Response:
        self.streaming.add(stream)
        if self.ended:  # opened while the process closes (its start was under way): to another instance
            stream.close()
        return EventResponse(stream, self._drop)

    def end_all(self) -> None:
        """The process is going away: every stream ends with the events already sent, and no
        ``complete``, so that graphql-sse clients (and EventSource) connect again, elsewhere;
        one opened from now on ends as it starts."""
        self.ended = True
        for stream in list(self.streaming):
            stream.close()

    def _expire(self, token: str) -> None:
        stream = self.reserved.get(token)
        if stream is not None and not stream.opened:
            del self.reserved[token]
            stream.stop()

    def _reserve(self, principal: Principal) -> Response:
        if sum(s.owner == principal.user_id for s in self.reserved.values()) >= MAX_OPEN:
            return _too_many(f"You hold {MAX_OPEN} stream reservations already; close one first.")
        token = secrets.token_urlsafe(24)
        self.reserved[token] = EventStream(principal.user_id, single=True)
        asyncio.get_running_loop().call_later(RESERVATION_SECONDS, self._expire, token)
        return Response(token, status_code=201, media_type="text/plain")

    def _delete(self, stream: EventStream, op_id: str | None) -> Response:
        if not op_id:
            return coded_response(400, "BAD_REQUEST", "Name the operation to stop: ?operationId=<id>.")
        operation = stream.operations.get(op_id)
        if operation is not None and operation.task is not None:
            operation.task.cancel()
        return Response(status_code=200)

    async def _post(self, request: Request, principal: Principal, stream: EventStream) -> Response:
        """Single connection mode: one operation onto the reserved stream (202)."""
        params = await _params(request)
        if isinstance(params, Response):
            return params
        extensions = params.get("extensions") or {}
        op_id = extensions.get("operationId")
        if not isinstance(op_id, str) or not op_id:
            return coded_response(400, "BAD_REQUEST", "Name the operation: extensions.operationId.")
        if op_id in stream.operations:
            return coded_response(409, "CONFLICT", f"An operation with id {op_id!r} runs on this stream already.")
        refused = await self._start(request, principal, stream, op_id, params)
        return refused or Response(status_code=202)

    async def _start(
        self, request: Request, principal: Principal, stream: EventStream, op_id: str | None, params: dict[str, Any]
    ) -> Response | None:
        """Start an operation on ``stream``; a refusal of the request itself as its HTTP answer."""
        graphql = self.graphql
        try:
            query = await graphql.persisted.query_of(request.app.state.sources, params)
        except PersistedQueryError as error:
            return await self._refuse(stream, op_id, error.status, error.code, error.message)
        if not isinstance(query, str):
            return await self._refuse(stream, op_id, 400, "BAD_REQUEST", "Send the operation's document as 'query'.")
        kind = _kind(query, params.get("operationName"), graphql.limits.max_tokens)
        if isinstance(kind, GraphQLError):
            return await self._refuse(stream, op_id, 400, str((kind.extensions or {})["code"]), kind.message)
        if self.running[principal.user_id] >= MAX_OPEN:
            return _too_many(f"You run {MAX_OPEN} operations over Server-Sent Events already; stop one first.")
        context = graphql.context_for(principal, request.app.state.sources, connection=request)
        operation = Operation(op_id, context)
        # Its place is taken before anything waits: requests at once cannot all pass the check above.
        stream.operations[op_id or ""] = operation
        self.running[principal.user_id] += 1
        bearer = request.headers.get("authorization", "").partition(" ")[2].strip()

        async def reauthorize() -> Principal | None:
            try:
                return await graphql.auth.principal_of(request, bearer)
            except SignInUnavailable:
                return context.principal
            except AuthenticationError as error:
                operation.signed_out = str(error)
                return None

        context.sign_in(principal, reauthorize)
        allowed = tuple(t for t in _ALLOWED if request.method != "GET" or t is not OperationType.MUTATION)
        try:
            results = await graphql.schema.stream(
                query, params.get("variables"), context, operation_name=params.get("operationName"),
                operation_extensions=params.get("extensions"), allowed_operation_types=allowed,
            )  # fmt: skip
        except BaseException:
            self._release(stream, operation)
            raise
        if kind is OperationType.SUBSCRIPTION:
            _step_aside()  # it waits on events from now on, not on a worker
            operation.task = asyncio.create_task(self._run(stream, operation, results))  # outlives this request
        else:  # a query holds its turn while it runs, within the request time limit
            await self._run(stream, operation, results, arrived_at(request.scope) + graphql.request_seconds)
        return None

    async def _refuse(
        self, stream: EventStream, op_id: str | None, status: int, code: str, message: str
    ) -> Response | None:
        """A request refused before it runs: over a stream of its own, as the stream's one event
        (a client reading a stream could not read a JSON error); otherwise as coded JSON."""
        if stream.single:
            return coded_response(status, code, message)
        if code in SOCKET_REFUSALS:
            self.graphql.refusals.spend(stream.owner)
        await stream.send("next", op_id, {"errors": [{"message": message, "extensions": {"code": code}}]})
        await stream.send("complete", op_id)
        stream.close()
        return None

    async def _run(
        self,
        stream: EventStream,
        operation: Operation,
        results: AsyncGenerator[Any, None],
        deadline: float | None = None,
    ) -> None:
        """``deadline`` (a query's: the request time limit, on the loop's clock): past it the
        operation stops with TIMEOUT, as over HTTP."""
        first = True
        try:
            async with asyncio.timeout_at(deadline), aclosing(results):
                async for result in results:
                    payload = _payload(result)
                    if first and is_refusal(payload):
                        self.graphql.refusals.spend(stream.owner)
                    first = False
                    await stream.send("next", operation.id, payload)
        except TimeoutError:
            seconds = self.graphql.request_seconds
            message = f"The request took longer than {seconds:g} s from its arrival and was stopped."
            await stream.send(
                "next", operation.id, {"errors": [{"message": message, "extensions": {"code": "TIMEOUT"}}]}
            )
        except asyncio.CancelledError:
            if operation.task is None:
                raise  # a query run by its request, whose client went away
            # Its own task, stopped by DELETE, by the end of its stream, or as its token ran out.
        finally:
            await self._ended(stream, operation)

    def _release(self, stream: EventStream, operation: Operation) -> bool:
        """Give back the operation's place; False when it had none any more."""
        if stream.operations.pop(operation.id or "", None) is None:
            return False
        self.running[stream.owner] -= 1
        if not self.running[stream.owner]:
            del self.running[stream.owner]
        return True

    async def _ended(self, stream: EventStream, operation: Operation) -> None:
        if not self._release(stream, operation):
            return
        if operation.signed_out is not None and stream.single and stream.signed_out is None:
            # The stream is the caller's sign-in, as a socket is: every operation on it ends, and it closes.
            stream.signed_out = operation.signed_out
            self._drop(stream)
            for other in list(stream.operations.values()):
                other.signed_out = operation.signed_out
                if other.task is not None:
                    other.task.cancel()
        if operation.signed_out is not None:
            error = {"message": f"Signed out: {operation.signed_out}", "extensions": {"code": "UNAUTHENTICATED"}}
            await stream.send("next", operation.id, {"errors": [error]})
        await stream.send("complete", operation.id)
        if not stream.single or (stream.signed_out is not None and not stream.operations):
            stream.close()

    def _drop(self, stream: EventStream) -> None:
        self.streaming.discard(stream)
        for token, reserved in list(self.reserved.items()):
            if reserved is stream:
                del self.reserved[token]


def _step_aside() -> None:
    turn = current_turn.get()
    if turn is not None:
        turn.step_aside()


def _kind(query: str, operation_name: object, max_tokens: int) -> OperationType | GraphQLError | None:
    """The operation's type, read from the document (None: the GraphQL layer will say what is
    wrong); a document that does not parse as the coded error the client gets."""
    registered = query == registered_document.get()
    try:
        document = parse(query, no_location=True, max_tokens=None if registered else max_tokens)
    except GraphQLSyntaxError as error:
        errors: list[GraphQLError] = [error]
        code_errors(errors, None)
        return errors[0]
    chosen = get_operation_ast(document, operation_name if isinstance(operation_name, str) else None)
    return OperationType(chosen.operation.value) if chosen is not None else None


def _too_many(message: str) -> Response:
    body = {"data": None, "errors": [{"message": message, "extensions": {
        "code": "RATE_LIMITED", "reason": "SUBSCRIPTIONS", "retryAfterSeconds": 1}}]}  # fmt: skip
    return Response(orjson.dumps(body), status_code=429, media_type="application/json", headers={"Retry-After": "1"})


def _payload(result: Any) -> dict[str, Any]:
    """An execution result as the GraphQL response it is."""
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return payload


async def _params(request: Request) -> dict[str, Any] | Response:
    """The GraphQL request's fields, from the query string (GET) or a JSON body (POST)."""
    if request.method == "GET":
        raw: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if isinstance(raw.get(name), str):
                try:
                    raw[name] = orjson.loads(raw[name])
                except orjson.JSONDecodeError:
                    return coded_response(400, "BAD_REQUEST", f"The '{name}' parameter is not JSON.")
    elif "application/json" in request.headers.get("content-type", ""):
        try:
            raw = json_of(await request.body())
        except orjson.JSONDecodeError:
            return coded_response(400, "BAD_REQUEST", "The request body is not JSON.")
        if not isinstance(raw, dict):
            return coded_response(400, "BAD_REQUEST", "The request body must be a JSON object with a 'query'.")
    else:
        return coded_response(415, "UNSUPPORTED_MEDIA_TYPE", "Send the operation as JSON (application/json).")
    for name in ("variables", "extensions"):
        if raw.get(name) is not None and not isinstance(raw[name], dict):
            return coded_response(400, "BAD_REQUEST", f"'{name}' must be a JSON object.")
    if raw.get("operationName") is not None and not isinstance(raw["operationName"], str):
        return coded_response(400, "BAD_REQUEST", "'operationName' must be a string.")
    return {key: raw.get(key) for key in ("query", "variables", "operationName", "extensions")}
