"""``corpcare serve``'s processes: uvicorn's, with a supervisor of workers that says why it
replaces one.

uvicorn pings each worker and kills one that does not answer within
``timeout_worker_healthcheck`` seconds — also while it is still starting. On a loaded host the
imports alone can take longer than uvicorn's 5 s, and workers were killed and started again
without end, the log saying only that a child "died". Here the limit is ``--worker-healthcheck``
(``CORPCARE_WORKER_HEALTHCHECK``, 60 s by default), and the log names the reason: the worker
exited (with which code or signal), or it did not answer in time.

Each process, and each worker, drains on SIGTERM (``server/graceful.py``); the supervisor passes
SIGTERM and SIGINT on to its workers and waits for them.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

from server.graceful import GracefulServer
from server.metric_files import forget_workers, multiprocess_files

log = logging.getLogger("uvicorn.error")


def run(config: uvicorn.Config, *, drain_delay_seconds: float = 0.0) -> None:
    """Serve as ``uvicorn.run`` would: one process, or ``config.workers`` under the supervisor;
    each drains on SIGTERM, serving on for ``drain_delay_seconds`` first."""
    # Several workers keep their metrics in files that /metrics adds up (server/metrics.py).
    with multiprocess_files(config.workers):
        if config.workers > 1:
            Supervisor(config, sockets=[config.bind_socket()], drain_delay_seconds=drain_delay_seconds).run()
            return
        _run_one(config, drain_delay_seconds)


def _run_one(config: uvicorn.Config, drain_delay_seconds: float) -> None:
    server = GracefulServer(config, delay_seconds=drain_delay_seconds)
    try:
        server.run()
    except KeyboardInterrupt:
        return
    if not server.started:
        sys.exit(STARTUP_FAILURE)


class Worker(Process):
    """A worker process whose server drains."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], drain_delay_seconds: float) -> None:
        super().__init__(config, sockets)
        self.drain_delay_seconds = drain_delay_seconds  # set before start(): the child gets it

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = GracefulServer(self.config, delay_seconds=self.drain_delay_seconds)
        return self._server


class Supervisor(Multiprocess):
    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], drain_delay_seconds: float) -> None:
        super().__init__(config, sockets)
        self.drain_delay_seconds = drain_delay_seconds

    def worker(self) -> Worker:
        return Worker(self.config, self.sockets, self.drain_delay_seconds)

    def init_processes(self) -> None:
        for _ in range(self.processes_num):
            process = self.worker()
            process.start()
            self.processes.append(process)

    def handle_ttin(self) -> None:
        log.info("Received SIGTTIN, increasing the number of processes.")
        self.processes_num += 1
        process = self.worker()
        process.start()
        self.processes.append(process)

    def terminate_all(self) -> None:
        # The supervisor's copy of the listening socket goes first: once the workers have closed
        # theirs, a connection that comes is refused (the client tries elsewhere) instead of
        # waiting in the backlog of a socket nobody accepts from any more.
        for sock in self.sockets:
            sock.close()
        super().terminate_all()

    def restart_all(self) -> None:
        """uvicorn's SIGHUP: each worker replaced by a new one once that one is ready (the old one drains)."""
        for index, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self.worker()
            new.start()
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                if not self.should_exit.is_set():
                    log.error("Worker [%s] was not ready in time; keeping worker [%s].", new.pid, old.pid)
                return
            old.terminate()
            old.join()
            self.processes[index] = new

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for index, process in enumerate(self.processes):
            reason = self._down(process)
            if reason is None:
                continue
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                # The app, the socket or the settings are broken: every new worker would fail alike.
                log.error("Worker [%s] failed to start; stopping.", process.pid)
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            log.warning("Worker [%s] %s; starting another.", process.pid, reason)
            replacement = self.worker()
            replacement.start()
            self.processes[index] = replacement
        # A worker gone (replaced here, or by a restart on SIGHUP) stops counting in the live gauges.
        forget_workers(process.pid for process in self.processes)

    def _down(self, process: Process) -> str | None:
        """Why ``process`` must be replaced, or None while it is fine."""
        if not process.process.is_alive():
            code = process.exitcode
            if code is not None and code < 0:
                return f"was stopped by {signal.Signals(-code).name}"
            return f"exited with code {code}"
        seconds = self.config.timeout_worker_healthcheck
        if not process.ping(seconds):
            return (
                f"did not answer the health check within {seconds} s (a busy host starts workers slowly: "
                "raise --worker-healthcheck or CORPCARE_WORKER_HEALTHCHECK)"
            )
        return None
