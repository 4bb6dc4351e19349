"""uvicorn's server with the shutdown a rolling update needs.

uvicorn stops listening as soon as SIGTERM or SIGINT comes, and runs the app's lifespan shutdown
only after the last connection closed: too late to tell the load balancer. Here the signal
first turns readiness false (``server/drain.py``) while the process serves on for
``CORPCARE_DRAIN_DELAY_SECONDS`` (the time a load balancer takes to stop sending: Kubernetes
goes on routing to a pod for a moment after it sent SIGTERM). Then the socket closes, every
WebSocket is closed with 1012 and every Server-Sent Events stream ends (their clients
reconnect elsewhere), and requests in flight have ``CORPCARE_DRAIN_SECONDS`` to finish before
they are cancelled. Last, the lifespan shutdown: the bulk worker records the chunk in hand and
hands its lease back. The process then exits 0.

A second SIGTERM ends the delay at once (the drain goes on); a second SIGINT (Ctrl+C twice)
stops without waiting for anything, as uvicorn does.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from types import FrameType

import uvicorn

from server.drain import PROCESS, Drain

log = logging.getLogger("uvicorn.error")


class GracefulServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, *, delay_seconds: float = 0.0, drain: Drain = PROCESS) -> None:
        super().__init__(config)
        self.drain = drain
        self.delay_seconds = delay_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._delay: asyncio.Task[None] | None = None
        self._delay_over: asyncio.Event | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().startup(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        loop = self._loop
        if loop is None:  # still loading the app: nothing to drain yet
            super().handle_exit(sig, frame)
            return
        if self.drain.draining:
            if sig == signal.SIGINT:  # Ctrl+C twice: stop now
                self.force_exit = self.should_exit = True
            else:
                loop.call_soon_threadsafe(self._end_delay)
            return
        # Not kept among the signals uvicorn raises again once it has stopped: a process that
        # drained exits 0. A signal handler runs between two steps of the loop: the rest is
        # left to the loop.
        self.drain.begin()
        loop.call_soon_threadsafe(self._begin)

    def _begin(self) -> None:
        self._delay_over = asyncio.Event()
        self._delay = asyncio.create_task(self._serve_on(self._delay_over), name="drain delay")

    def _end_delay(self) -> None:
        if self._delay_over is not None:
            self._delay_over.set()

    async def _serve_on(self, over: asyncio.Event) -> None:
        seconds = self.delay_seconds
        log.info("Draining: /readyz answers 503; serving on for %g s before the socket closes.", seconds)
        if seconds > 0:
            try:
                async with asyncio.timeout(seconds):  # the load balancer's time to stop sending here
                    await over.wait()
            except TimeoutError:
                pass
        self.should_exit = True

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # The socket closes before the subscribers are told to reconnect: none comes back here.
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        await self.drain.close()
        log.info(
            "Draining: socket closed, subscribers told to reconnect; requests in flight have %s s to finish.",
            self.config.timeout_graceful_shutdown,
        )
        await super().shutdown(sockets)
