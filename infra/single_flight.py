"""One load per key at a time in this process: callers that ask for a key another caller is
already loading wait for that load instead of repeating it (a cold cache under a burst of the
same question costs the backend one read, not one per caller)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence


class SingleFlight:
    """Loads in flight, by key. Values are bytes, so each caller decodes its own copy."""

    def __init__(self) -> None:
        self._flying: dict[str, asyncio.Future[bytes]] = {}

    async def run(
        self, keys: Sequence[str], load: Callable[[list[str]], Awaitable[dict[str, bytes]]]
    ) -> dict[str, bytes]:
        """The value of each of ``keys``: awaited where another caller is loading it, the rest
        loaded together by one call of ``load`` (which must answer every key it is given)."""
        waiting = {key: self._flying[key] for key in keys if key in self._flying}
        mine = [key for key in dict.fromkeys(keys) if key not in waiting]
        loop = asyncio.get_running_loop()
        flights = {key: loop.create_future() for key in mine}
        self._flying.update(flights)
        found: dict[str, bytes] = {}
        try:
            if mine:
                found = await load(mine)
                for key, flight in flights.items():
                    flight.set_result(found[key])
        except Exception as error:
            for flight in flights.values():
                if not flight.done():
                    flight.set_exception(error)
                    flight.exception()  # retrieved: a flight nobody else awaited is not logged
            raise
        except BaseException:
            for flight in flights.values():
                flight.cancel()  # the loader was cancelled: whoever waits on it loads for itself
            raise
        finally:
            for key, flight in flights.items():
                if self._flying.get(key) is flight:
                    del self._flying[key]
        for key, flight in waiting.items():
            try:
                found[key] = await asyncio.shield(flight)
            except asyncio.CancelledError:
                if not flight.cancelled():
                    raise  # this caller was cancelled, not the load it waited on
                found.update(await self.run([key], load))
        return found
