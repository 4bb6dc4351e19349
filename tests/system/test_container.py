"""The server's image (deploy/Containerfile) built with podman and run as an operator would.

This kind of machine reaches no container registry, so the base is a minimal Debian bookworm made
from the host's own Debian mirror (deploy/local-base.sh, cached on disk across runs); the build
uses the public base's name otherwise. The build reaches PyPI as the host's pip does: its index
settings and its CA bundle (the sandbox's egress proxy signs with its own CA) go in as build
arguments and a read-only mount.

Two things of this sandbox that podman's defaults trip on, and the flags that step around them:
- its cgroups are mounted in hybrid mode (v1 controllers and a unified v2 tree), which crun (the
  default runtime) refuses for any container: RUN steps build with ``--isolation chroot`` and the
  containers run under ``runc``;
- raising a resource limit is refused, and podman raises the open-files and process limits to its
  defaults: the containers get lower ones.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.faults import free_port
from tests.system.deploy_tools import ROOT, debian_tools
from tests.unit.test_lock import LOCK, locked_pins, pin_here
from tests.waiting import eventually

IMAGE = "localhost/corpcare:system-test"
SANDBOX = ("--runtime", "runc")
LIMITS = ("--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096")
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
UID = "10001"


def podman(*arguments: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["podman", *SANDBOX, *arguments], capture_output=True, text=True, check=check, timeout=timeout
    )


def pip_settings() -> dict[str, str]:
    """pip's settings on this host (``pip config list``: its files and its PIP_* variables)."""
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    settings: dict[str, str] = {}
    for line in listed.splitlines():
        scope_key, _, value = line.partition("=")
        settings[scope_key.rpartition(".")[2]] = value.strip("'\"")
    return settings


def pip_build_arguments() -> list[str]:
    """The host's way to PyPI, for pip inside the build (nothing when pip's defaults are its way)."""
    settings = pip_settings()
    arguments: list[str] = []
    for name, key in (("PIP_INDEX_URL", "index-url"), ("PIP_EXTRA_INDEX_URL", "extra-index-url"),
                      ("PIP_TRUSTED_HOST", "trusted-host")):  # fmt: skip
        # Only network indexes: the host's local directories are not in the build.
        value = " ".join(url for url in settings.get(key, "").split() if not url.startswith("file:"))
        if value:
            arguments += ["--build-arg", f"{name}={value}"]
    # The CA bundle pip trusts here (this sandbox's egress proxy signs with its own CA).
    bundle = Path(settings.get("cert") or HOST_CA)
    if bundle.is_file():
        arguments += ["--volume", f"{bundle}:/run/host-ca.crt:ro", "--build-arg", "PIP_CERT=/run/host-ca.crt"]
    return arguments


@pytest.fixture(scope="module")
def image() -> Iterator[dict[str, Any]]:
    """The image built from this checkout; its configuration (``podman image inspect``)."""
    debian_tools("podman", "buildah", "debootstrap", "runc")
    base = subprocess.run(
        ["bash", ROOT / "deploy" / "local-base.sh", "bookworm"], capture_output=True, text=True, timeout=900
    )
    assert base.returncode == 0, base.stderr[-3000:]
    built = podman(
        "build", "--format", "docker", "--isolation", "chroot", "--network", "host", "--layers=false",
        "--build-arg", f"BASE={base.stdout.strip()}", *pip_build_arguments(),
        "--file", str(ROOT / "deploy" / "Containerfile"), "--tag", IMAGE, str(ROOT),
        timeout=1200, check=False,
    )  # fmt: skip
    assert built.returncode == 0, (built.stdout + built.stderr)[-5000:]
    try:
        (config,) = json.loads(podman("image", "inspect", IMAGE).stdout)
        yield config
    finally:
        podman("rmi", "--force", IMAGE, check=False)


@pytest.fixture
def container(image: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The image's own command on a free port, set up as the Helm chart runs it: read-only root,
    no capabilities, temporary directories for /tmp, the data and the metrics (``U``: the image's
    user owns them, as an emptyDir with the pod's fsGroup). (name, base URL)."""
    name = f"corpcare-system-test-{os.getpid()}"
    port = free_port()
    podman("rm", "--force", name, check=False)
    podman(
        "run", "--detach", "--name", name, *LIMITS, "--publish", f"127.0.0.1:{port}:8000",
        "--read-only", "--tmpfs", "/tmp",
        "--tmpfs", "/var/lib/corpcare/data:U", "--tmpfs", "/var/lib/corpcare/metrics:U",
        "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        "--env", f"CORPCARE_JWT_SECRET={secrets.token_urlsafe(32)}", "--env", "CORPCARE_SEED_SUBSCRIBERS=100",
        "--env", "PROMETHEUS_MULTIPROC_DIR=/var/lib/corpcare/metrics",
        IMAGE,
    )  # fmt: skip
    try:
        yield name, f"http://127.0.0.1:{port}"
    finally:
        podman("rm", "--force", "--time", "0", name, check=False)


def running(name: str) -> bool:
    state = podman("inspect", "--format", "{{.State.Running}}", name).stdout.strip()
    if state != "true":
        raise AssertionError(f"the container stopped:\n{podman('logs', name, check=False).stderr[-3000:]}")
    return True


def test_the_image_runs_as_a_numbered_non_root_user_behind_tini_with_a_health_check(image):
    config = image["Config"]
    assert config["User"] == f"{UID}:{UID}"
    assert config["Entrypoint"] == ["/usr/bin/tini", "--"]
    assert config["Cmd"] == ["corpcare", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert "8000/tcp" in config["ExposedPorts"]
    # (podman shows it beside Config: the Docker image format keeps it, the OCI one has no field for it)
    check = image["Healthcheck"]
    assert check["Test"][0] == "CMD"
    assert any("127.0.0.1:8000/healthz" in part for part in check["Test"])
    assert check["Retries"] >= 1
    assert config["Labels"]["org.opencontainers.image.title"] == "corpcare"
    assert config["Labels"]["org.opencontainers.image.version"] == "0.1.0"
    assert config["Labels"]["org.opencontainers.image.base.name"] == "localhost/corpcare-base:bookworm"
    # The runtime stage holds the virtual environment alone: no pip, no build tools, no source.
    listing = podman("run", "--rm", *LIMITS, "--entrypoint", "ls", IMAGE, "/opt/corpcare/bin", "/").stdout
    assert "corpcare" in listing
    assert "pip" not in listing
    assert "src" not in listing.split()
    # The dependencies are the lock's versions (the build's default LOCK), and nothing of the test extra.
    listed = podman("run", "--rm", *LIMITS, "--entrypoint", "python3", IMAGE, "-c",
                    "import importlib.metadata as m; print('\\n'.join(f\"{d.metadata['Name']}=={d.version}\" "
                    "for d in m.distributions()))").stdout.split()  # fmt: skip
    pins = locked_pins(LOCK.read_text())
    in_image = {canonicalize_name(name): Version(version) for name, version in (line.split("==") for line in listed)}
    assert "pytest" not in in_image and "starlette" in in_image
    assert {name: version for name, version in in_image.items() if name != "corpcare"} == {
        name: pin_here(pins[name]) if name in pins else None for name in in_image if name != "corpcare"
    }
    # The writable directories exist, the user's own: a named volume mounted there takes their owner.
    owners = podman("run", "--rm", *LIMITS, "--entrypoint", "stat", IMAGE, "--format", "%u:%g %n",
                    "/var/lib/corpcare/data", "/var/lib/corpcare/metrics").stdout.split()  # fmt: skip
    assert owners == [f"{UID}:{UID}", "/var/lib/corpcare/data", f"{UID}:{UID}", "/var/lib/corpcare/metrics"]
    volume = f"corpcare-system-test-{os.getpid()}"
    try:
        podman("run", "--rm", *LIMITS, "--volume", f"{volume}:/var/lib/corpcare/data", "--entrypoint", "touch",
               IMAGE, "/var/lib/corpcare/data/written")  # fmt: skip
    finally:
        podman("volume", "rm", "--force", volume, check=False)


async def test_the_container_serves_graphql_on_the_embedded_default_and_stops_cleanly_on_sigterm(container):
    name, url = container
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:

        async def healthy() -> bool:
            running(name)
            try:
                return (await client.get("/healthz")).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(healthy, "the container's /healthz", seconds=180, every=0.2)
        assert (await client.get("/readyz")).json()["status"] == "ok"

        # The wheel carries the portal's committed build: its page and the files that page loads.
        page = await client.get("/", follow_redirects=True)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assets = re.findall(r"/assets/[\w.-]+\.(?:js|css)", page.text)
        assert assets, page.text[:2000]
        for asset in assets:
            assert (await client.get(asset)).status_code == 200, asset

        token = podman("exec", name, "corpcare", "token", "acme.admin").stdout.strip().splitlines()[-1]
        answer = await client.post(
            "/graphql",
            json={"query": "{ viewer { name role } customer { name orgRoot { subscriberCount } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200, answer.text
        data = answer.json()["data"]
        assert data["viewer"]["role"] == "CUSTOMER_ADMIN"
        assert data["customer"]["orgRoot"]["subscriberCount"] > 0

    # Every process of the container is the image's user, not root.
    processes = podman("top", name, "huser", "args").stdout.strip().splitlines()[1:]
    assert any("corpcare serve" in line for line in processes), processes
    assert all(line.split()[0] == UID for line in processes), processes
    assert podman("exec", name, "id", "-u").stdout.strip() == UID

    # The image's HEALTHCHECK passes (podman runs it on demand: this machine has no systemd timers).
    assert podman("healthcheck", "run", name, check=False).returncode == 0

    # SIGTERM reaches the server through tini; it shuts down on its own, well before podman's kill.
    podman("stop", "--time", "60", name, timeout=90)
    assert podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip() != "137"
    assert "Application shutdown complete" in podman("logs", name).stderr + podman("logs", name).stdout
