"""Load generator, run in its own process: N clients post one body back to back for a while.

python -m bench.load URL TOKEN BODY.json --concurrency 4 --seconds 5   → prints JSON
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx


async def run(url: str, token: str, body: bytes, concurrency: int, seconds: float) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    done = failed = 0
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=120) as http:
        deadline = time.perf_counter() + seconds

        async def client() -> None:
            nonlocal done, failed
            while time.perf_counter() < deadline:
                response = await http.post("/graphql", content=body)
                if response.status_code == 200 and b'"errors"' not in response.content:
                    done += 1
                else:
                    failed += 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"requests": done, "failed": failed, "seconds": elapsed, "requests_per_second": done / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("body")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with open(args.body, "rb") as handle:
        body = handle.read()
    print(json.dumps(asyncio.run(run(args.url, args.token, body, args.concurrency, args.seconds))))


if __name__ == "__main__":
    main()
