"""The multiprocess directory as ``corpcare serve`` handles it (server/metric_files.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from server.metric_files import MULTIPROC_DIR, forget_workers, multiprocess_files


def touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_bytes(b"")


def test_a_given_directory_loses_an_earlier_runs_files_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.setenv(MULTIPROC_DIR, str(tmp_path))
    touch(tmp_path, "counter_12.db", "gauge_livesum_12.db", "notes.txt")
    with multiprocess_files(workers=1) as folder:
        assert folder == str(tmp_path)
        assert sorted(os.listdir(tmp_path)) == ["notes.txt"]
    assert tmp_path.exists()


def test_several_workers_get_a_directory_of_their_own_removed_at_the_end(monkeypatch):
    monkeypatch.delenv(MULTIPROC_DIR, raising=False)
    with multiprocess_files(workers=2) as folder:
        assert folder is not None and os.environ[MULTIPROC_DIR] == folder and Path(folder).is_dir()
    assert MULTIPROC_DIR not in os.environ and not Path(folder).exists()


def test_one_process_keeps_its_own_metrics(monkeypatch):
    monkeypatch.delenv(MULTIPROC_DIR, raising=False)
    with multiprocess_files(workers=1) as folder:
        assert folder is None and MULTIPROC_DIR not in os.environ


@pytest.mark.parametrize("alive", [[7], [7, None]])
def test_workers_gone_lose_their_live_gauges_and_keep_their_counts(tmp_path, monkeypatch, alive):
    monkeypatch.setenv(MULTIPROC_DIR, str(tmp_path))
    touch(tmp_path, "counter_5.db", "gauge_livesum_5.db", "gauge_livemax_5.db", "gauge_all_5.db",
          "gauge_livesum_7.db", "histogram_5.db")  # fmt: skip
    forget_workers(alive)
    assert sorted(os.listdir(tmp_path)) == ["counter_5.db", "gauge_all_5.db", "gauge_livesum_7.db", "histogram_5.db"]
