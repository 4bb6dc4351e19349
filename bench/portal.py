"""The portal's budgets, measured in Chromium on a benchmark data set: per screen, the JavaScript
shipped (bytes on the wire, gzipped) and the requests sent, the GraphQL operations on first paint
(and whether any waited for another: a waterfall), and the time to the first meaningful paint
(the screen's figures on the page), over cold loads (a new browser context each: no cache).

    .venv/bin/python -m bench.portal [--size M] [--loads 7]

corpcare serves one worker in development mode (the benchmark signs in on the development page)
over the PostgreSQL data set; Chromium is Debian's (/usr/bin/chromium). Written to
``bench/results/portal-<date>-<host>.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, async_playwright

from bench.datasets import prepare
from bench.server import ServerProcess

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip
LOGIN = "acme.admin"
# Each screen: its path and what shows it has its figures (its first meaningful paint).
SCREENS = {
    "dashboard": ("/", ".org-tree .unit-spent"),
    "lines": ("/lines", "table.lines-table tbody tr"),
    "org structure": ("/org", ".org-units .unit-lines"),
    "invoices": ("/invoices", ".invoices-table .invoice-total"),
    "reports": ("/reports", ".report-table tbody tr"),
    "users and access": ("/access", ".user-card"),
}
# Records when the screen's figures first appear, on the page's own clock (no polling delay).
PAINT_WATCH = """(selector) => {
  const seen = () => {
    if (!window.__painted && document.querySelector(selector)) window.__painted = performance.now();
  };
  new MutationObserver(seen).observe(document, {childList: true, subtree: true, attributes: true});
  seen();
}"""
OUT = Path(__file__).parent / "results"


@dataclass
class Load:
    painted_ms: float
    script_bytes: int  # for the first meaningful paint, as sent (gzipped)
    later_script_bytes: int  # asked for once its operations were answered (the dashboard's charts)
    requests: int
    graphql_before_paint: int
    waterfall: bool


@dataclass
class ScreenFigures:
    name: str
    path: str
    loads: list[Load] = field(default_factory=list)


async def load_once(context: BrowserContext, base: str, path: str, ready: str) -> Load:
    page = await context.new_page()
    await page.add_init_script(f"({PAINT_WATCH})({ready!r})")
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    await page.goto(f"{base}{path}")
    await page.wait_for_function("() => window.__painted !== undefined", timeout=60_000)
    painted = float(await page.evaluate("window.__painted"))
    await page.wait_for_load_state("networkidle")  # what the page asks for after its paint, too
    timings = await page.evaluate("""() => performance.getEntriesByType('resource')
        .filter(e => e.name.endsWith('/graphql')).map(e => [e.startTime, e.responseEnd])""")
    # The body's size as sent (gzipped): asked for before the first paint's operations were
    # answered (the page's own code), or after (what rendering their answer asked for: the charts).
    scripts = await page.evaluate("""() => performance.getEntriesByType('resource')
        .filter(e => e.name.endsWith('.js')).map(e => [e.startTime, e.encodedBodySize])""")
    before = [(start, end) for start, end in timings if start < painted]
    first_end = min((end for _, end in before), default=painted)
    answered = max((end for _, end in before), default=painted)
    script_bytes = sum(size for start, size in scripts if start < answered)
    await page.close()
    later = sum(size for start, size in scripts if start >= answered)
    waterfall = any(start >= first_end for start, _ in before)
    return Load(painted, script_bytes, later, len(responses), len(before), waterfall)


async def measure(base: str, loads: int) -> list[ScreenFigures]:
    results = [ScreenFigures(name, path) for name, (path, _) in SCREENS.items()]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        signing = await browser.new_context()
        page = await signing.new_page()
        await page.goto(f"{base}/auth/sign-in")
        await page.locator(f'button[name="login"][value="{LOGIN}"]').click()
        await page.wait_for_url(f"{base}/")
        cookies = await signing.cookies()
        await signing.close()
        for turn in range(loads + 1):  # the first, warming the server's caches, is not counted
            for figures in results:
                context = await browser.new_context(viewport={"width": 1440, "height": 900})
                await context.add_cookies(cookies)  # type: ignore[arg-type]
                load = await load_once(context, base, figures.path, SCREENS[figures.name][1])
                await context.close()
                if turn:
                    figures.loads.append(load)
        await browser.close()
    return results


def render(results: list[ScreenFigures], label: str, loads: int) -> str:
    lines = [
        f"# The portal in Chromium — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Data set {label}; corpcare one worker (development mode), signed in as `{LOGIN}`; Chromium "
        f"{CHROMIUM}, 1440x900, {loads} cold loads per screen (a new context each: nothing cached). "
        "Command: `python -m bench.portal`.",
        "",
        "| screen | JS for the first meaningful paint (gzip) | JS after it | requests | "
        "GraphQL operations before the first meaningful paint | waterfall | first meaningful paint p50 (min-max) |",
        "|---|---|---|---|---|---|---|",
    ]
    for figures in results:
        painted = [load.painted_ms for load in figures.loads]
        last = figures.loads[-1]
        lines.append(
            f"| {figures.name} (`{figures.path}`) | {last.script_bytes / 1024:.1f} KiB | "
            f"{last.later_script_bytes / 1024:.1f} KiB | {last.requests} | "
            f"{last.graphql_before_paint} | {'yes' if any(x.waterfall for x in figures.loads) else 'no'} | "
            f"{statistics.median(painted):.0f} ms ({min(painted):.0f}-{max(painted):.0f}) |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="M", choices=["S", "M", "L"])
    parser.add_argument("--loads", type=int, default=7)
    args = parser.parse_args()
    dataset = asyncio.run(prepare("postgres", args.size))
    with ServerProcess("corpcare", dataset.env(), 1, mode="development") as server:
        results = asyncio.run(measure(server.url, args.loads))
    text = render(results, dataset.label, args.loads)
    print(text)
    OUT.mkdir(exist_ok=True)
    target = OUT / f"portal-{datetime.now(UTC):%Y-%m-%d}-{socket.gethostname()}.md"
    target.write_text(text)
    print(f"written to {target}")


if __name__ == "__main__":
    main()
