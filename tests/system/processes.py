"""The processes system tests start (``corpcare serve`` and its workers): each in a session of
its own, so that stopping one kills its supervisor and workers together, whatever the test left."""

from __future__ import annotations

import os
import signal
import subprocess
from typing import Any


class ProcessGroup:
    """A started process and its children (``start_new_session=True``)."""

    process: subprocess.Popen[Any]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # the supervisor and its workers: one session
        self.process.wait()
