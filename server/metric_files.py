"""The files of Prometheus multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``), as the process
that starts and replaces the workers handles them (``server/supervisor.py``); what the workers
write there and how ``/metrics`` adds it up is in ``server/metrics.py``. Light on purpose: the
supervisor imports it, not the server."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's variable
_WORKER_FILE = re.compile(r"gauge_live\w+_(\d+)\.db")


def multiprocess_dir() -> str | None:
    """The directory of multiprocess mode, or None in one process."""
    return os.environ.get(MULTIPROC_DIR) or None


@contextlib.contextmanager
def multiprocess_files(workers: int) -> Iterator[str | None]:
    """Multiprocess mode for ``corpcare serve``: the directory in ``PROMETHEUS_MULTIPROC_DIR``
    (given, or a new one when there are several workers), emptied of the files of an earlier run;
    None when one process keeps its own metrics. Set before the workers start, the variable
    reaches them (uvicorn spawns them with this environment); a directory made here is removed
    when the server stops."""
    given = multiprocess_dir()
    if given is not None:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):  # only prometheus_client's files: the directory may be shared
            stale.unlink()
        yield given
        return
    if workers <= 1:
        yield None
        return
    made = tempfile.mkdtemp(prefix="corpcare-metrics-")
    os.environ[MULTIPROC_DIR] = made
    try:
        yield made
    finally:
        os.environ.pop(MULTIPROC_DIR, None)
        shutil.rmtree(made, ignore_errors=True)


def forget_workers(alive: Iterable[int | None]) -> None:
    """Mark every worker with files in the multiprocess directory but not in ``alive`` as dead,
    so that the ``live*`` gauges stop counting it (its counters stay: they never go back)."""
    folder = multiprocess_dir()
    if folder is None:
        return
    living = {pid for pid in alive if pid is not None}
    gone = {int(m.group(1)) for f in os.listdir(folder) if (m := _WORKER_FILE.fullmatch(f))} - living
    if gone:
        from prometheus_client.multiprocess import mark_process_dead

        for pid in gone:
            mark_process_dead(pid, folder)
