"""``corpcare serve`` as started on a host: not reachable from the network with the public
development secret, and connections whose headers never arrive are closed (issue 13,
findings 6 and 8)."""

from __future__ import annotations

import asyncio
import os
import sys

import click
import pytest

from server.cli import refuse_open_dev_secret
from server.settings import DEV_SECRET, Settings
from tests.faults import free_port
from tests.system.test_bulk_restart import serving
from tests.system.test_http import make_settings
from tests.system.test_http_limits import closed_by_the_server
from tests.waiting import PATIENCE, within


def bare_environment(data_dir: str) -> dict[str, str]:
    """The machine's environment without any corpcare setting: the defaults, as on a new host."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith("CORPCARE_")}
    return {**kept, "CORPCARE_DATA_DIR": data_dir}


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "corpcare.example"])
async def test_serve_beyond_loopback_with_the_development_secret_refuses_to_start(tmp_path, host):
    data = tmp_path / "data"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from server.cli import main; main()", "serve", "--host", host,
        "--port", str(free_port()), env=bare_environment(str(data)),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        output, _ = await within(process.communicate(), PATIENCE)
    finally:
        if process.returncode is None:  # it started serving: the finding itself
            process.kill()
            await process.wait()
    text = output.decode()
    assert process.returncode == 1, text
    assert "development secret" in text and "CORPCARE_JWT_SECRET" in text and "Traceback" not in text
    assert not data.exists()  # refused before seeding anything


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_serve_on_loopback_may_use_the_development_secret(host):
    refuse_open_dev_secret(Settings(_env_file=None), host)  # type: ignore[call-arg]


def test_serve_beyond_loopback_is_fine_with_a_real_secret_or_an_explicit_opt_in():
    assert Settings(_env_file=None).jwt_secret == DEV_SECRET  # type: ignore[call-arg]  # the default
    refuse_open_dev_secret(make_settings(), "0.0.0.0")  # a secret of its own
    opted_in = Settings(_env_file=None, dev_secret_off_loopback=True)  # type: ignore[call-arg]
    refuse_open_dev_secret(opted_in, "0.0.0.0")
    with pytest.raises(click.ClickException):
        refuse_open_dev_secret(Settings(_env_file=None), "0.0.0.0")  # type: ignore[call-arg]


async def test_serve_closes_a_connection_whose_headers_never_arrive(world, tmp_path):
    urls = [engine.url.render_as_string(hide_password=False) for engine, _ in world.engines.pairs()]
    settings = dict(zip(("crm_url", "billing_url", "state_url"), urls, strict=True))
    process, base = await serving({**settings, "header_read_timeout_seconds": "0.5", "bulk_worker": "false"}, tmp_path)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", int(base.rsplit(":", 1)[1]))
        writer.write(b"GET /healthz HTTP/1.1\r\nhost: corpcare.test\r\n")  # and never the blank line
        await writer.drain()
        answer = await within(closed_by_the_server(reader), PATIENCE / 2)
        writer.close()
    finally:
        process.kill()
        process.wait()
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
