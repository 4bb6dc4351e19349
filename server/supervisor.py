"""``corpcare serve``'s processes: uvicorn's, with a supervisor of workers that says why it
replaces one.

uvicorn pings each worker and kills one that does not answer within
``timeout_worker_healthcheck`` seconds — also while it is still starting. On a loaded host the
imports alone can take longer than uvicorn's 5 s, and workers were killed and started again
without end, the log saying only that a child "died". Here the limit is ``--worker-healthcheck``
(``CORPCARE_WORKER_HEALTHCHECK``, 60 s by default), and the log names the reason: the worker
exited (with which code or signal), or it did not answer in time.
"""

from __future__ import annotations

import logging
import signal
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

from server.metric_files import forget_workers, multiprocess_files

log = logging.getLogger("uvicorn.error")


def run(config: uvicorn.Config) -> None:
    """Serve as ``uvicorn.run`` would: one process, or ``config.workers`` under the supervisor."""
    # Several workers keep their metrics in files that /metrics adds up (server/metrics.py).
    with multiprocess_files(config.workers):
        if config.workers > 1:
            Supervisor(config, sockets=[config.bind_socket()]).run()
            return
        _run_one(config)


def _run_one(config: uvicorn.Config) -> None:
    server = uvicorn.Server(config)
    try:
        server.run()
    except KeyboardInterrupt:
        return
    if not server.started:
        sys.exit(STARTUP_FAILURE)


class Supervisor(Multiprocess):
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
            replacement = Process(self.config, self.sockets)
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
