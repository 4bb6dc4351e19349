"""Request bodies and headers at the HTTP edge: 413 for any body over the limit however it is
sent, 408 for a body or headers that do not arrive in time (issue 13, finding 8)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import uvicorn

from server import request_body
from server.app import create_app
from server.auth import issue_token
from server.http_protocol import HeaderTimeoutProtocol
from tests.system.test_http import bearer, make_settings
from tests.waiting import PATIENCE, eventually, within

QUERY = b'{"query": "{ viewer { login } }"}'


def coded(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["errors"][0]["extensions"]["code"]


async def test_a_chunked_body_over_the_limit_gets_413_not_500(world):
    app = create_app(make_settings(max_body_bytes=10_000), sources=world.sources)
    token = bearer(issue_token(make_settings(), "acme.admin")) | {"Content-Type": "application/json"}

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: sent as it comes
        yield b'{"query": "{ viewer { login } }", "variables": {"x": "'
        for _ in range(30):
            yield b"y" * 1000
        yield b'"}}'

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://corpcare.test") as http:
        response = await http.post("/graphql", content=chunked(), headers=token)
        small = await http.post("/graphql", content=QUERY, headers=token)
    assert "content-length" not in response.request.headers
    assert coded(response) == (413, "PAYLOAD_TOO_LARGE"), response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert small.status_code == 200 and small.json()["data"] == {"viewer": {"login": "acme.admin"}}


async def _call(app: Any, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, dict[str, Any]]:
    """One request straight through ASGI, its body in ``chunks``: (status, JSON answer)."""
    pending = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        await asyncio.Event().wait()  # the client has nothing more to say
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
             "headers": headers, "http_version": "1.1", "scheme": "http", "server": ("t", 80),
             "client": ("127.0.0.1", 1), "root_path": "", "app": app}  # fmt: skip
    await within(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], orjson.loads(body)


async def test_a_body_longer_than_its_content_length_is_refused(world):
    app = create_app(make_settings(), sources=world.sources)
    token = issue_token(make_settings(), "acme.admin").encode()
    headers = [(b"authorization", b"Bearer " + token), (b"content-type", b"application/json"),
               (b"content-length", b"10")]  # fmt: skip
    status, answer = await _call(app, headers, [QUERY[:20], QUERY[20:]])
    assert (status, answer["errors"][0]["extensions"]["code"]) == (400, "BAD_REQUEST"), answer
    for lie in (b"-1", b"1e9", b"12, 40"):
        status, answer = await _call(app, [*headers[:2], (b"content-length", lie)], [QUERY])
        assert (status, answer["errors"][0]["extensions"]["code"]) == (400, "BAD_REQUEST"), lie
    status, answer = await _call(app, [*headers[:2], (b"content-length", b"10"), (b"content-length", b"40")], [QUERY])
    assert status == 400, "two lengths that disagree"


@asynccontextmanager
async def real_server(app: Any, protocol: Any = "auto") -> AsyncIterator[int]:
    """The app behind uvicorn on a free port of 127.0.0.1: its port."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", http=protocol)
    )
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started or task.done(), "the server to start")
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await within(task)


async def closed_by_the_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sent until it closed the connection."""
    received = b""
    while chunk := await reader.read(65536):
        received += chunk
    return received


async def test_a_body_that_does_not_arrive_in_time_gets_408_and_the_connection_closes(world):
    app = create_app(make_settings(body_read_timeout_seconds=0.5), sources=world.sources)
    token = issue_token(make_settings(), "acme.admin").encode()
    async with real_server(app) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /graphql HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\nauthorization: Bearer "
                     + token + b"\r\ncontent-length: 1000\r\n\r\n" + QUERY[:10])  # fmt: skip
        await writer.drain()
        # The rest never comes: before the time-out the server waited as long as the client liked.
        answer = await within(closed_by_the_server(reader), PATIENCE / 2)
        writer.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b'"code":"REQUEST_TIMEOUT"' in answer and b"connection: close" in answer.lower()


class QuickHeaders(HeaderTimeoutProtocol):
    header_seconds = 2.0  # long enough for a prompt client on a busy machine


async def trickle_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[bytes, int]:
    """A slowloris: a request line and headers that never end, a byte at a time, each byte sent
    once the server has said nothing for a moment. (What the server sent, bytes sent.)"""
    endless = b"GET /healthz HTTP/1.1\r\nhost: t\r\nx-padding: " + b"a" * 1_000_000
    for sent, byte in enumerate(endless):
        writer.write(bytes([byte]))
        await writer.drain()
        try:
            first = await asyncio.wait_for(reader.read(65536), 0.02)
        except TimeoutError:
            continue
        return first + await closed_by_the_server(reader), sent + 1
    raise AssertionError("the headers were sent whole and the server still waited")


async def test_headers_sent_byte_by_byte_get_408_and_the_connection_closes(world):
    app = create_app(make_settings(), sources=world.sources)
    async with real_server(app, QuickHeaders) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        answer, sent = await within(trickle_headers(reader, writer), PATIENCE / 2)
        writer.close()
        # The deadline is per request: a prompt client on a new connection is served.
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            healthy = await http.get("/healthz")
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b'"code":"REQUEST_TIMEOUT"' in answer and sent > 1
    assert healthy.status_code == 200


async def test_a_connection_that_sends_nothing_is_closed_after_the_header_time_out(world):
    app = create_app(make_settings(), sources=world.sources)
    async with real_server(app, QuickHeaders) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        answer = await within(closed_by_the_server(reader), PATIENCE / 2)
        writer.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]


async def _sent_with_length(app: Any, login: str, body: bytes) -> tuple[int, dict[str, Any], list[Any]]:
    """``body`` sent by ``login`` with its Content-Length, in 64 kB pieces as uvicorn hands it
    over: (status, JSON answer, response headers)."""
    pieces = [body[at : at + 65536] for at in range(0, len(body), 65536)]
    pending = [{"type": "http.request", "body": p, "more_body": i < len(pieces) - 1} for i, p in enumerate(pieces)]

    async def receive() -> dict[str, Any]:
        return pending.pop(0)

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"authorization", b"Bearer " + issue_token(make_settings(), login).encode()),
               (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]  # fmt: skip
    scope = {"type": "http", "method": "POST", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
             "headers": headers, "http_version": "1.1", "scheme": "http", "server": ("t", 80),
             "client": ("127.0.0.1", 1), "root_path": "", "app": app}  # fmt: skip
    await within(app(scope, receive, send))
    assert pending == [], "the body was not read to its end: the client would see the connection reset"
    answer = orjson.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))
    return sent[0]["status"], answer, sent[0]["headers"]


async def test_a_caller_who_cannot_change_lines_has_its_large_body_refused_undecoded(world, monkeypatch):
    """Readers have no selection of thousands of lines to send: their 2.4 MB body of ids is
    refused before anything decodes it, and read to its end first, so that the client (still
    sending) reads the 413 and keeps its connection; an admin sends the same body."""
    app = create_app(make_settings(), sources=world.sources)
    variables = b'{"ids": [' + b",".join(b'"U3Vic2NyaWJlcjox"' for _ in range(100_000)) + b"]}"
    body = b'{"query": "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", "variables": ' + variables + b"}"
    decoded: list[int] = []
    original = request_body.orjson.loads
    monkeypatch.setattr(request_body.orjson, "loads", lambda data: decoded.append(len(data)) or original(data))
    for login in ("acme.analyst", "acme.employee", "acme.finance"):
        status, answer, headers = await _sent_with_length(app, login, body)
        assert (status, answer["errors"][0]["extensions"]["code"]) == (413, "PAYLOAD_TOO_LARGE"), login
        assert "512000 bytes" in answer["errors"][0]["message"]
        assert (b"connection", b"close") not in headers
    assert len(body) not in decoded, "a reader's body was decoded before it was refused"
    status, answer, _ = await _sent_with_length(app, "acme.admin", body)
    assert status == 200 and answer["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX", answer
    assert decoded.count(len(body)) == 1


async def test_a_readers_chunked_body_is_refused_once_it_passes_the_readers_limit(world):
    app = create_app(make_settings(reader_body_bytes=10_000), sources=world.sources)
    token = issue_token(make_settings(), "acme.analyst").encode()
    headers = [(b"authorization", b"Bearer " + token), (b"content-type", b"application/json")]
    padding = b" " * 6_000
    status, answer = await _call(app, headers, [QUERY[:10], padding, padding, QUERY[10:]])
    assert (status, answer["errors"][0]["extensions"]["code"]) == (413, "PAYLOAD_TOO_LARGE"), answer
    status, answer = await _call(app, headers, [QUERY[:10], padding, QUERY[10:]])
    assert status == 200 and answer["data"] == {"viewer": {"login": "acme.analyst"}}, answer
