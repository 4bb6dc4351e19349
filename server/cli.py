"""The ``corpcare`` command line: serve, migrate, seed, token, export-schema, export-fields,
register-operations, simulate-usage."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from server import cli_logs

if TYPE_CHECKING:
    from server.settings import Settings
    from sources.db import Engines

# Each command imports what it needs when it runs: `corpcare --help` loads only the command line,
# `token` the settings, the signing and SQLAlchemy for its look-up, `export-schema` the schema but
# not the server that runs it (tests/system/test_cli.py checks which modules each loads).
console = Console(stderr=True)


def _engines(settings: Settings) -> Engines:
    from sources.db import Engines, create_engine

    if settings.embedded:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Engines(*(create_engine(url) for url in settings.urls))


async def _seed(settings: Settings, **options: object) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from demo import seed

    engines = _engines(settings)
    try:
        with Progress(
            TextColumn("[bold]{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=settings.json_logs,  # no bar among JSON lines
        ) as progress:
            tasks: dict[str, TaskID] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(stage, total=total)
                progress.update(tasks[stage], completed=done, total=total)

            summary = await seed(engines, progress=report, **options)  # type: ignore[arg-type]
        rows = ", ".join(f"{name} {count:,}" for name, count in summary.counts.items())
        _tell(settings, f"Seeded in {summary.elapsed_seconds:.1f} s: {rows}")
        if settings.redis_url:
            await _renew_closed_months(settings, engines)
    finally:
        await engines.dispose()


async def _renew_closed_months(settings: Settings, engines: Engines) -> None:
    """New data: the closed months' sums other instances keep in Redis are summed again."""
    from infra.cache import create_cache
    from loaders.closed_months import dataset_of, renew

    cache = create_cache(settings.redis_url, prefix=settings.redis_prefix)
    try:
        await renew(cache, dataset_of(engines.billing))
    finally:
        await cache.close()


async def _is_empty(settings: Settings) -> bool:
    """Whether the CRM database holds no customer, its and the billing database's tables made or
    brought up to date first (the state database is left to the seed or the migration that follows)."""
    from sqlalchemy import func, select

    from sources.crm.models import Customer
    from sources.db import OutdatedSchema

    engines = _engines(settings)
    try:
        try:
            await engines.create_schemas(migrate_state=False)
        except OutdatedSchema as error:
            raise click.ClickException(str(error)) from None
        async with engines.crm.connect() as conn:
            return (await conn.execute(select(func.count()).select_from(Customer))).scalar_one() == 0
    finally:
        await engines.dispose()


async def _migrate(settings: Settings) -> str | None:
    """The state database brought to the newest revision, which is returned."""
    from sources.state import migrate

    engines = _engines(settings)
    try:
        return await migrate.upgrade(engines.state)
    finally:
        await engines.dispose()


@click.group(cls=cli_logs.Commands)
def main() -> None:
    """corpcare: the GraphQL layer for corporate self-care."""
    cli_logs.configure()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option(
    "--worker-healthcheck", type=click.IntRange(min=1), default=None, metavar="SECONDS",
    help="Seconds a worker may take to answer the supervisor's health check, starting included, before it is "
    "replaced  [default: CORPCARE_WORKER_HEALTHCHECK, else 60]",
)  # fmt: skip
def serve(host: str, port: int, workers: int, worker_healthcheck: int | None) -> None:
    """Run the server; an empty embedded database is seeded with demo data first, and the state
    database is migrated to the newest revision."""
    import asyncio

    import uvicorn

    from server import log_format, supervisor
    from server.http_protocol import PROTOCOL
    from server.settings import Settings

    settings = Settings()
    log_format.configure(settings.json_logs)
    refuse_open_dev_secret(settings, host)
    # The state database is migrated once: the seed leaves it empty at the newest revision.
    if settings.embedded and asyncio.run(_is_empty(settings)):
        _tell(settings, f"First start: seeding {settings.seed_subscribers:,} demo lines into {settings.data_dir}/")
        asyncio.run(_seed(settings, subscribers=settings.seed_subscribers, seed=settings.seed))
    else:
        asyncio.run(_migrate(settings))
    if settings.development:
        _tell(settings, f"GraphiQL: http://{host}:{port}/graphql  (token: corpcare token acme.admin)")
    config = uvicorn.Config(
        "server.asgi:app", factory=True, host=host, port=port, workers=workers, log_level="info",
        # Every process (the workers too) writes through corpcare's formatter (server/log_format.py).
        log_config=log_format.dict_config(settings.json_logs),
        # JSON logs: corpcare's request log (which knows the operation and the outcome) replaces the access log.
        access_log=not settings.json_logs,
        # On SIGTERM, once the socket has closed, requests in flight have this long to finish (server/graceful.py).
        timeout_graceful_shutdown=settings.drain_seconds,
        # Headers must arrive within CORPCARE_HEADER_READ_TIMEOUT_SECONDS (uvicorn has no such limit).
        http=PROTOCOL,
        # A worker still importing on a loaded host answers late: uvicorn's 5 s killed workers without end.
        timeout_worker_healthcheck=worker_healthcheck or settings.worker_healthcheck,
    )  # fmt: skip
    supervisor.run(config, drain_delay_seconds=settings.drain_delay_seconds)


def _tell(settings: Settings, text: str) -> None:
    """A line for whoever starts the server: on the console, or a log line when logs are JSON."""
    if settings.json_logs:
        logging.getLogger("corpcare.cli").info(text)
    else:
        console.print(text)


def on_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def refuse_open_dev_secret(settings: Settings, host: str) -> None:
    """The development secret is public (it is in the source): a server reachable from the
    network that accepts it lets anyone sign in as anyone. Production refuses it outright
    (Settings); development refuses it beyond loopback unless told that is meant."""
    from server.settings import DEV_SECRET

    if settings.jwt_secret != DEV_SECRET or settings.jwks_url or on_loopback(host):
        return
    if settings.dev_secret_off_loopback:
        console.print(f"Warning: listening on {host} with the public development secret: anyone who can reach "
                      "this server can sign in as anyone.", style="yellow")  # fmt: skip
        return
    raise click.ClickException(
        f"Refusing to listen on {host} with the public development secret: anyone who can reach the server could "
        "sign in as anyone. Set CORPCARE_JWT_SECRET (or CORPCARE_JWKS_URL), listen on 127.0.0.1, or set "
        "CORPCARE_DEV_SECRET_OFF_LOOPBACK=true on a network you trust."
    )


@main.command()
def migrate() -> None:
    """Bring corpcare's state database to the newest revision (serve does this on start too)."""
    import asyncio

    from server.settings import Settings

    settings = Settings()
    _tell(settings, f"State database at revision {asyncio.run(_migrate(settings))}.")


@main.command("seed")
@click.option("--subscribers", default=2000, show_default=True, type=int, help="Lines in all.")
@click.option("--customers", default=2, show_default=True, type=int)
@click.option("--months", default=12, show_default=True, type=int, help="Months of charges.")
@click.option("--seed", "random_seed", default=42, show_default=True, type=int, help="Same seed, same data.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The demo's today.")
def seed_command(subscribers: int, customers: int, months: int, random_seed: int, as_of: object) -> None:
    """(Re)generate the demo data: drops and recreates every table."""
    import asyncio

    from server.settings import Settings

    day = as_of.date() if as_of is not None else None  # type: ignore[attr-defined]
    options = {"subscribers": subscribers, "customers": customers, "months": months, "seed": random_seed}
    asyncio.run(_seed(Settings(), as_of=day, **options))


@main.command()
@click.argument("login")
@click.option("--ttl", default=None, type=int, help="Seconds until the token expires.")
def token(login: str, ttl: int | None) -> None:
    """Print a development token for LOGIN (alone, on the last line)."""
    import asyncio

    from sqlalchemy.exc import DBAPIError

    from server.settings import Settings
    from server.tokens import issue_token

    settings = Settings()
    if settings.jwks_url:
        raise click.ClickException("Tokens come from the issuer when CORPCARE_JWKS_URL is set.")
    try:
        found = asyncio.run(_portal_user_exists(settings, login))
    except DBAPIError as error:  # no tables yet: nothing was seeded where the settings point
        raise click.ClickException(
            f"The CRM database has no portal users ({type(error.orig).__name__}); seed it first: corpcare seed "
            "(or start corpcare serve once on the embedded default)."
        ) from None
    if not found:
        raise click.ClickException(f"No portal user {login!r}. Is the demo seeded?")
    click.echo(issue_token(settings, login, ttl_seconds=ttl))


async def _portal_user_exists(settings: Settings, login: str) -> bool:
    """One look-up in the CRM's ``portal_users`` (``sources/crm/models.py``), in SQLAlchemy Core:
    the sources package would load every source and the models, the bulk of the command's time."""
    from sqlalchemy import column, select, table
    from sqlalchemy.ext.asyncio import create_async_engine

    if settings.embedded:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    users = table("portal_users", column("login"))
    engine = create_async_engine(settings.urls[0])
    try:
        async with engine.connect() as conn:
            found = await conn.execute(select(users.c.login).where(users.c.login == login).limit(1))
            return found.first() is not None
    finally:
        await engine.dispose()


@main.command("register-operations")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the files and show what is new; store nothing.")
def register_operations(folder: Path, dry_run: bool) -> None:
    """Register every *.graphql file under FOLDER (recursively) as a persisted operation: the
    file's exact text, found by its SHA-256. Prints one tab-separated line per file (hash, new or
    known, file, operation names); registering the same text again changes nothing. In safelist
    mode only registered operations run. Migrates the state database first."""
    import asyncio
    import getpass

    from server.safelist import InvalidOperations, Registered, read_operations, register
    from server.settings import Settings
    from sources.backend import Backend
    from sources.db import create_engine
    from sources.state import migrate
    from sources.state.persisted import PersistedOperationStore

    try:
        operations = read_operations(folder)
    except InvalidOperations as error:
        for problem in error.problems:
            console.print(problem, style="red", markup=False, highlight=False)
        raise click.ClickException(f"{len(error.problems)} problem(s) in {folder}; nothing was registered.") from None
    try:
        by = getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        by = "unknown"

    async def run() -> list[Registered]:
        settings = Settings()
        if settings.embedded:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(settings.urls[2])
        try:
            await migrate.upgrade(engine)
            return await register(PersistedOperationStore(Backend("state", engine)), operations, by, dry_run=dry_run)
        finally:
            await engine.dispose()

    results = asyncio.run(run())
    for result in results:
        op = result.operation
        names = ",".join(name or "(anonymous)" for name in op.operation_names)
        click.echo(f"{op.hash}\t{'new' if result.new else 'known'}\t{op.source}\t{names}")
    new = sum(result.new for result in results)
    verb = "Would register" if dry_run else "Registered"
    console.print(f"{verb} {new} new operation(s); {len(results) - new} already registered.")


@main.command("simulate-usage")
@click.option("--per-second", default=20.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Usage events a second.")  # fmt: skip
@click.option("--seconds", default=None, type=click.FloatRange(min=0, min_open=True),
              help="How long; until interrupted when not given.")  # fmt: skip
@click.option("--customer", "customers", multiple=True, type=int, help="Only this customer's lines (repeatable).")
@click.option("--line", "lines", multiple=True, type=int, help="Only this line (repeatable).")
@click.option("--seed", "random_seed", default=None, type=int, help="Same seed, same events.")
def simulate_usage(
    per_second: float,
    seconds: float | None,
    customers: tuple[int, ...],
    lines: tuple[int, ...],
    random_seed: int | None,
) -> None:
    """Play the billing system: write usage records, charges and bundle balances into the billing
    database at a steady rate, and publish each line's new balances and every spending alert (a
    line or a unit crossing 80 % or 100 % of its limit or budget) on the event bus. With Redis
    configured, every server's subscribers hear of them; without, no other process does."""
    import asyncio

    from sqlalchemy.exc import DBAPIError

    from core.values import Money
    from demo.feed import FeedBusy, Round, Totals, UsageFeed
    from infra.events import create_events
    from server.settings import Settings

    settings = Settings()
    if not settings.redis_url:
        console.print("No CORPCARE_REDIS_URL: the events reach no server (set CORPCARE_USAGE_FEED_PER_SECOND "
                      "to run the feed inside the server instead).", style="yellow")  # fmt: skip

    def report(batch: Round) -> None:
        for alert in batch.alerts:
            subject = f"line {alert.line_id}" if alert.subject == "line" else f"unit {alert.org_unit_id}"
            spent, limit = (Money.from_minor(m, alert.currency).amount for m in (alert.spent_minor, alert.limit_minor))
            console.print(f"{subject} reached {alert.threshold} % ({spent} of {limit} {alert.currency})",
                          highlight=False)  # fmt: skip

    async def run() -> Totals:
        engines = _engines(settings)
        events = create_events(settings.redis_url, settings.redis_prefix)
        try:
            feed = UsageFeed(engines, events, seed=random_seed, customer_ids=customers or None, line_ids=lines or None)
            if not await feed.lines():
                raise click.ClickException("No active line to put usage on (check --customer and --line).")
            return await feed.run(per_second, seconds, report)
        finally:
            await events.close()
            await engines.dispose()

    try:
        total = asyncio.run(run())
    except KeyboardInterrupt:
        return
    except FeedBusy as busy:
        raise click.ClickException(f"{busy} Stop it first, or let it run.") from None
    except DBAPIError as error:  # no tables yet: nothing was seeded where the settings point
        raise click.ClickException(
            f"The databases hold no demo ({type(error.orig).__name__}); seed them first: corpcare seed."
        ) from None
    console.print(f"Wrote {total.usage_records:,} usage records, charged {total.charged_text()}; "
                  f"{total.alerts} spending alert(s).")  # fmt: skip


@main.command("export-schema")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--subgraph", is_flag=True, help="The Apollo Federation v2 subgraph's SDL (what CORPCARE_FEDERATION serves)."
)
def export_schema(output: Path | None, subgraph: bool) -> None:
    """Write the schema's SDL to stdout, or to --output."""
    from engine.build import build_schema

    sdl = build_schema(federation=subgraph).as_str() + "\n"
    if output is None:
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl)


@main.command("export-fields")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_fields(output: Path | None) -> None:
    """Write docs/fields.md (every field's rule, loader and source reads) to stdout, or to --output."""
    from engine.build import build_schema
    from engine.field_docs import fields_markdown

    text = fields_markdown(build_schema()._schema)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)


__all__ = ["main"]
