"""Fixtures of the system tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.system.processes import ProcessGroup


@pytest.fixture
async def started() -> AsyncIterator[list[ProcessGroup]]:
    """The process groups a test starts, killed when it ends."""
    groups: list[ProcessGroup] = []
    yield groups
    for group in groups:
        group.stop()
