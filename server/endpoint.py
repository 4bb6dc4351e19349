"""/graphql over HTTP and WebSocket: sign-in of sockets, persisted queries, time limits, coded
refusals, the request log and metrics, and the GraphQL-over-HTTP media type and status codes."""

from __future__ import annotations

import contextlib
import logging
import math
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, GraphQLSyntaxError, parse
from starlette.authentication import AuthenticationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    CompleteMessage,
    ErrorMessage,
    SubscribeMessage,
)
from strawberry.utils.aio import aclosing

from engine.build import build_schema
from engine.extensions import code_errors, registered_document
from infra import telemetry
from infra.fair_share import FairShare
from infra.telemetry import RequestStats
from infra.time_limits import time_limit_at
from permissions.principal import NOBODY, Principal
from request.context import Context, PageLimits
from server import graphiql
from server.admission import arrived_at, current_turn
from server.auth import BearerAuth, PrincipalUser, SignInUnavailable
from server.disconnects import CLIENT_GONE
from server.http_errors import (
    HTTP_CODES,
    coded_response,
    internal_error,
    refuse_body,
    request_id_of,
)
from server.logs import log_request
from server.metrics import Metrics, client_of
from server.persisted import PersistedQueries, PersistedQueryError
from server.refusals import REFUSED, RefusalBudget
from server.request_body import forget_body, json_of
from server.sessions import same_origin, session_secret
from server.settings import Settings
from server.text_frames import TextFrames
from sources import Sources
from sources.moment import AfterAnswer, after_answer

log = logging.getLogger("corpcare.errors")
GRAPHQL_MEDIA = "application/graphql-response+json"
# Errors of the request itself (nothing was executed): 400 under the GraphQL response media type.
REQUEST_ERRORS = {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_COMPLEX", "BAD_USER_INPUT"}
# A subscribe refused as HTTP would refuse the request (there, the persisted-query ones are 4xx).
SOCKET_REFUSALS = REQUEST_ERRORS | {"BAD_REQUEST", "PERSISTED_QUERY_NOT_IN_LIST", "PERSISTED_QUERY_NOT_ALLOWED"}
# The request's context, in its ASGI scope from the moment GraphQL makes it.
CONTEXT = "corpcare.context"


def _refused(message: Any) -> bool:
    """Whether a graphql-transport-ws message answers a subscribe with a refusal of the request
    itself: an ``error``, or a ``next`` that is one (``is_refusal``)."""
    kind = message.get("type")
    payload = message.get("payload")
    if kind == "error":
        return is_refusal({"data": None, "errors": payload})
    return kind == "next" and isinstance(payload, dict) and is_refusal(payload)


def is_refusal(payload: Any) -> bool:
    """Whether a GraphQL response refuses the request itself, as HTTP counts them: no data, and
    a request error (not a field's ``FORBIDDEN``, nor our own ``RATE_LIMITED``, which is the wait)."""
    if not isinstance(payload, dict) or payload.get("data") is not None:
        return False
    errors = payload.get("errors")
    if not isinstance(errors, list):
        return False
    codes = {str((e.get("extensions") or {}).get("code")) for e in errors if isinstance(e, dict)}
    return not SOCKET_REFUSALS.isdisjoint(codes)


class TransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, with each subscribe message put through the persisted-query rules
    (a hash instead of the text, and the safelist) like an HTTP request."""

    view: GraphQLEndpoint

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        # A long-lived socket: the caller may have been signed out or given other access since.
        if self.connection_acknowledged:
            now = await self.context.signed_in_now()
            if now is None:
                return  # the socket is being closed
            if now != self.context.principal:
                await self._end_operations()
                self.context.sign_in(now)  # the authoriser judges what comes next for the new role
        wait = self.view.refusals.wait_seconds(self.context.principal.user_id)
        if wait > 0:
            retry = math.ceil(wait)
            waiting = GraphQLError(
                f"Too many of your recent requests were refused; wait {retry} s before the next.",
                extensions={"code": "RATE_LIMITED", "reason": "REFUSALS", "retryAfterSeconds": retry},
            )
            await self.send_message(ErrorMessage(id=message["id"], type="error", payload=[waiting.formatted]))
            return
        payload = message.get("payload") or {}
        try:
            query = await self.view.persisted.query_of(self.context.sources, dict(payload))
        except PersistedQueryError as refused:
            error = GraphQLError(refused.message, extensions={"code": refused.code}).formatted
            await self.send_message(ErrorMessage(id=message["id"], type="error", payload=[error]))
            return
        if (syntax := self._syntax_error(query)) is not None:
            await self.send_message(ErrorMessage(id=message["id"], type="error", payload=[syntax.formatted]))
            return
        await super().handle_subscribe({**message, "payload": {**payload, "query": query}})  # type: ignore[typeddict-item]

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        # Strawberry's, with a context of the operation's own (Context.for_operation) in place of
        # the socket's, which every operation sent over it would share.
        try:
            stream = await self.schema.stream(operation.query, variable_values=operation.variables,
                                              context_value=self.context.for_operation(), root_value=self.root_value,
                                              operation_name=operation.operation_name)  # fmt: skip
            async with aclosing(stream):
                await self._send_result_stream(operation, stream)
            await operation.send_operation_message(CompleteMessage(id=operation.id, type="complete"))
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message(CompleteMessage(id=operation.id, type="complete"))
            self.operations.pop(operation.id, None)
            raise

    def _syntax_error(self, query: object) -> GraphQLError | None:
        """A document that does not parse, as an ``error`` message's error. Strawberry's socket
        handler lets the parser's exception escape and answers only ``complete``: a client
        would never learn why."""
        if not isinstance(query, str):
            return None
        registered = query == registered_document.get()
        try:
            parse(query, no_location=True, max_tokens=None if registered else self.view.limits.max_tokens)
        except GraphQLSyntaxError as error:
            errors: list[GraphQLError] = [error]
            code_errors(errors, None)
            return errors[0]
        return None

    async def send_message(self, message: Any) -> None:
        if _refused(message):
            self.view.refusals.spend(self.context.principal.user_id)
        await super().send_message(message)

    async def _end_operations(self) -> None:
        """Complete every operation of the socket: each was judged for the role it started under,
        and the socket's context (its principal and loaders) is about to become the new one's."""
        for operation in list(self.operations.values()):
            await operation.send_operation_message(CompleteMessage(id=operation.id, type="complete"))
            if operation.task is not None:
                operation.task.cancel()


class GraphQLEndpoint(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWS
    websocket_adapter_class = TextFrames

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.limits = settings.query_limits
        self.cost_allowances = settings.cost_allowances_in_force
        schema = build_schema(self.limits, production=not settings.development, federation=settings.federation)
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.development else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # Pages of the origins CORS lets call the API may open sockets too (same origin always can).
            allowed_origins=settings.cors_origins,
            # Each subscription holds a task and a mailbox: a client gets a few, not thousands.
            max_subscriptions_per_connection=20,
        )
        self.auth = BearerAuth(settings)
        # Each caller's refused requests, over HTTP (server/refusals.py) and over its sockets.
        self.refusals = RefusalBudget(settings.refusal_burst, settings.refusal_rate)
        self.pages = PageLimits(settings.default_page_size, settings.max_page_size)
        self.min_group_size = settings.min_group_size
        # Each customer's share of this process (counted per process: each worker bounds its own).
        self.fair_share = FairShare(settings.share_limits)
        self.request_seconds = settings.request_timeout_seconds
        self.key_hold_seconds = settings.key_hold_seconds
        self.slow_seconds = settings.slow_operation_seconds
        self.metrics = metrics
        self.persisted = PersistedQueries(
            settings.persisted_queries, settings.persisted_query_ttl_seconds, settings.max_query_tokens, metrics,
            settings.max_query_chars,
        )  # fmt: skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        user = scope.get("user")
        # BearerAuth lets only the GraphiQL page through unauthenticated (in development):
        # the page needs no sign-in, the queries sent from it do.
        if not isinstance(user, PrincipalUser):
            await graphiql.page()(scope, receive, send)
            return
        stats = RequestStats(request_id_of(scope), principal=str(user.principal.user_id))
        stats.customer = user.principal.customer_id
        token = telemetry.current.set(stats)
        # The answer's read transactions end once it is sent (``sources/moment.py``).
        moments = AfterAnswer()
        moments_token = after_answer.set(moments)
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", stats.request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            try:
                request = Request(scope, receive)
                refusal = await refuse_body(request)
                if refusal is not None:
                    raise HTTPException(400, refusal)
                async with time_limit_at(arrived_at(scope) + self.request_seconds):
                    request = await self.persisted.resolve(request)
                    response = await self.run(request)
            except PersistedQueryError as error:
                response = error.response()
                stats.codes = [error.code]
            except HTTPException as error:
                # Strawberry's refusals of the request itself (bad JSON, no query, a batch, a
                # mutation over GET): the same coded JSON as every other error.
                status_code = error.status_code
                if "not allowed when using GET" in error.reason:
                    status_code = 405  # GraphQL over HTTP: a mutation over GET is 405 Method Not Allowed
                code = HTTP_CODES.get(status_code, "BAD_REQUEST")
                response = coded_response(status_code, code, error.reason)
                if status_code == 405:
                    response.headers["Allow"] = "POST"
                stats.codes = [code]
            except TimeoutError:
                message = f"The request took longer than {self.request_seconds:g} s from its arrival and was stopped."
                response = coded_response(503, "TIMEOUT", message, retry_after=1)
                stats.codes = ["TIMEOUT"]
            except Exception:
                log.exception("unexpected error in request %s", stats.request_id)
                response = internal_error(stats.request_id)
                stats.codes = ["INTERNAL_SERVER_ERROR"]
            await response(scope, receive, sending)
        finally:
            after_answer.reset(moments_token)
            if (turn := current_turn.get()) is not None:
                turn.answered()  # a client that sends its next request on this answer finds the turn free
            forget_body()
            _answered(scope.pop(CONTEXT, None))
            try:
                await moments.end()
            except Exception:  # the connection was dropped: the answer is sent, later reads open others
                log.exception("ending the read transactions of request %s", stats.request_id)
            finally:
                telemetry.current.reset(token)
                self._record(stats, status, gone=bool(scope.get(CLIENT_GONE)), client=client_of(scope))
                if stats.refused:
                    scope[REFUSED] = True  # counted against the caller's refusals (server/refusals.py)

    def _record(
        self,
        stats: RequestStats,
        status: int,
        *,
        gone: bool = False,
        client: tuple[str | None, str | None] = (None, None),
    ) -> None:
        kind = stats.operation_type or "none"
        if gone:  # cancelled: nothing was answered, and the disconnect has its own log line
            self.metrics.requests.labels(kind, "disconnected").inc()
            return
        outcome = "failed" if status >= 500 else "refused" if status >= 400 else "errors" if stats.codes else "ok"
        self.metrics.requests.labels(kind, outcome).inc()
        seconds = stats.seconds()
        self.metrics.latency.labels(kind).observe(seconds)
        for code in stats.codes:
            self.metrics.errors.labels(code).inc()
        registered = stats.query is not None and stats.query == registered_document.get()
        self.metrics.operation(stats, client, registered=registered, seconds=seconds)
        if log_request(stats, outcome, stats.codes, status, self.slow_seconds, stats.query):
            self.metrics.slow.inc()

    def decode_json(self, data: str | bytes) -> object:
        # The body the guard and the persisted-query rules have decoded already.
        return json_of(data) if isinstance(data, bytes) else orjson.loads(data)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return graphiql.page()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        sources: Sources = request.app.state.sources
        today = datetime.now(UTC).date()
        if isinstance(request, WebSocket):
            # Signed in by its connection_init message (on_ws_connect), not by a header.
            context = Context.of(NOBODY, sources, request_id=uuid.uuid4().hex, pages=self.pages,
                                 limits=self.limits, cost_allowances=self.cost_allowances, today=today,
                                 min_group_size=self.min_group_size)  # fmt: skip
            context.connection = request
            context.fair_share = self.fair_share  # queries and mutations sent over the socket are gated too
            return self._timed(context)
        user = request.user
        assert isinstance(user, PrincipalUser), "authentication runs before GraphQL"
        stats = telemetry.current.get()
        request_id = stats.request_id if stats is not None else uuid.uuid4().hex
        if isinstance(response, Response):
            # GraphQL over HTTP: a client that accepts the GraphQL response media type gets it,
            # and request errors with it are 4xx rather than 200.
            response.graphql_media = GRAPHQL_MEDIA in request.headers.get("accept", "")  # type: ignore[attr-defined]
        context = self.context_for(user.principal, sources, request_id=request_id)
        request.scope[CONTEXT] = context  # its loaders are cleared once the response is sent
        return context

    def context_for(
        self, principal: Principal, sources: Sources, *, request_id: str | None = None, connection: Any = None
    ) -> Context:
        """A request's context, signed in as ``principal`` (an event stream's holds its ``connection``)."""
        context = Context.of(
            principal,
            sources,
            request_id=request_id or uuid.uuid4().hex,
            pages=self.pages,
            limits=self.limits,
            cost_allowances=self.cost_allowances,
            today=datetime.now(UTC).date(),
            min_group_size=self.min_group_size,
        )
        context.connection = connection
        context.fair_share = self.fair_share
        return self._timed(context)

    def _timed(self, context: Context) -> Context:
        """How long a change's hold on its key lasts between renewals, and how long a copy waits
        for the first answer: half of the request's time."""
        context.hold_seconds = self.key_hold_seconds
        context.key_wait_seconds = self.request_seconds / 2
        turn = current_turn.get()
        if turn is not None:
            context.step_aside = turn.step_aside
        return context

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        """graphql-transport-ws: the token comes in connection_init's payload, as
        ``{"Authorization": "Bearer <token or API key>"}``; a portal page of this server (or of a
        listed origin) may instead be signed in by its session cookie (``server/sessions.py``).
        Without either the socket closes (4403)."""
        params = context.connection_params or {}
        given = params.get("Authorization") or params.get("authorization") or ""
        scheme, _, token = str(given).partition(" ")
        connection = context.connection
        secret = session_secret(connection, self.auth.settings) if not given else None
        if secret is not None and same_origin(connection, self.auth.settings):

            def who() -> Awaitable[Principal]:
                return self.auth.principal_of_session(connection, secret)
        elif scheme.lower() == "bearer" and token.strip():

            def who() -> Awaitable[Principal]:
                return self.auth.principal_of(connection, token.strip())
        else:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": "Send connection_init "
                                            "with {\"Authorization\": \"Bearer <token>\"}."})  # fmt: skip
        try:
            principal = await who()
        except AuthenticationError as error:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": str(error)}) from None

        async def reauthorize() -> Principal | None:
            """Who the token or session names now; once it names nobody (expired, signed out, user
            disabled) the socket is closed as at a refused sign-in. If nobody can be asked, the
            caller stays who it was."""
            try:
                return await who()
            except SignInUnavailable:
                return context.principal
            except AuthenticationError:
                await connection.close(code=4403, reason="Signed out")
                return None

        context.sign_in(principal, reauthorize)
        return None

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        if not isinstance(response_data, dict):
            return super().create_response(response_data, sub_response)
        extensions = [e.get("extensions") or {} for e in response_data.get("errors") or ()]
        codes = [str(x.get("code")) for x in extensions]
        request_error = response_data.get("data") is None and bool(codes) and set(codes) <= REQUEST_ERRORS
        graphql_media = getattr(sub_response, "graphql_media", False)
        if graphql_media and request_error:
            # GraphQL over HTTP: a request error (nothing was executed) has no `data` entry at all
            # under the GraphQL response media type, where `data: null` would mean execution failed.
            response_data = {key: value for key, value in response_data.items() if key != "data"}
        response = super().create_response(response_data, sub_response)
        stats = telemetry.current.get()
        if stats is not None:
            stats.codes = codes
            stats.refused = response_data.get("data") is None and not REQUEST_ERRORS.isdisjoint(codes)
        if any(x.get("reason") == "BUSY" for x in extensions):
            # No connection came free in time: say so at once rather than queue the caller.
            response.status_code = 503
            response.headers["Retry-After"] = "1"
        elif response_data.get("data") is None and (waits := _allowance_refusals(extensions)):
            # Refused before anything ran: over a cost allowance (429), or a mutation while the shared
            # allowances cannot be checked (503); either way, when to try again.
            response.status_code = 429 if "RATE_LIMITED" in codes else 503
            response.headers["Retry-After"] = str(max(1, math.ceil(max(waits))))
        elif graphql_media:
            response.headers["content-type"] = f"{GRAPHQL_MEDIA}; charset=utf-8"
            if request_error:
                response.status_code = 400
        if in_use := _waits(extensions, "IDEMPOTENCY_KEY_IN_USE"):
            # Another request with the key is at work: its answer will be this one's, a little later.
            response.headers["Retry-After"] = str(max(1, math.ceil(max(in_use))))
        return response

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def _answered(context: Context | None) -> None:
    """The rows a request's loaders hold go once it has answered, before it waits for anything
    else (its read transactions' end): nothing of the request is held by this frame after."""
    if context is not None:
        context.loaders.clear()


def _waits(extensions: list[dict[str, Any]], code: str) -> list[float]:
    return [float(x.get("retryAfterSeconds") or 1) for x in extensions if x.get("code") == code]


def _allowance_refusals(extensions: list[dict[str, Any]]) -> list[float]:
    """Seconds to wait of each cost-allowance refusal among an answer's errors (``backend``
    "budgets": the allowances could not be checked; the name clients have always been given)."""
    return [
        float(x.get("retryAfterSeconds") or 1)
        for x in extensions
        if x.get("code") == "RATE_LIMITED" or x.get("backend") == "budgets"
    ]
