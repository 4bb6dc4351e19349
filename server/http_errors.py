"""Coded JSON for refusals made outside GraphQL: the HTTP layer's own (a body that is not a
GraphQL request, a method a route does not take) and anything that escaped a route, masked
with a request id."""

from __future__ import annotations

import logging
import re
import uuid

import orjson
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from server.request_body import json_of

log = logging.getLogger("corpcare.errors")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_REQUEST_ID_KEY = "corpcare.request_id"


HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 415: "UNSUPPORTED_MEDIA_TYPE"}


def request_id_of(scope: Scope) -> str:
    """The caller's X-Request-Id if it is a sane one, else a new id; the same for every layer."""
    if (known := scope.get(_REQUEST_ID_KEY)) is not None:
        return str(known)
    sent = b""
    for name, value in scope.get("headers") or ():
        if name == b"x-request-id":
            sent = value  # the last one, as a dict of the headers would hold
    given = sent.decode("latin-1")
    scope[_REQUEST_ID_KEY] = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    return str(scope[_REQUEST_ID_KEY])


async def refuse_body(request: Request) -> str | None:
    """Why a JSON body cannot be a GraphQL request, before the GraphQL layer reads it: not
    UTF-8 or not JSON (orjson also stops at 1,024 levels of nesting), or neither an object nor
    a batch."""
    if request.method != "POST" or "json" not in request.headers.get("content-type", ""):
        return None
    try:
        body = json_of(await request.body())
    except orjson.JSONDecodeError:
        return "The request body is not JSON (UTF-8, nested at most 1,024 levels)."
    if not isinstance(body, dict | list):
        return "The request body must be a JSON object with a 'query'."
    return None


def internal_error(request_id: str) -> Response:
    response = coded_response(500, "INTERNAL_SERVER_ERROR", f"Internal server error (request {request_id}).")
    response.headers["X-Request-Id"] = request_id
    return response


async def http_error(request: Request, error: Exception) -> Response:
    """Starlette's own refusals (an unknown path, a method a route does not take) as coded JSON."""
    assert isinstance(error, StarletteHTTPException)
    code = HTTP_CODES.get(error.status_code, "BAD_REQUEST")
    response = coded_response(error.status_code, code, str(error.detail))
    response.headers.update(error.headers or {})
    return response


async def server_error(request: Request, error: Exception) -> Response:
    """Anything that escaped a route: logged with a request id, masked for the client."""
    request_id = request_id_of(request.scope)
    log.error("unexpected error in request %s", request_id, exc_info=error)
    return internal_error(request_id)


def coded_response(status: int, code: str, message: str, *, retry_after: int | None = None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)
