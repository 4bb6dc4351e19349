"""Installs are reproducible: ``requirements.lock`` (written by ``scripts/lock``) pins every package
the server and its tests install, it satisfies pyproject.toml's own bounds, and the venv the tests
run in was installed from it (the README's commands and CI install with ``-c requirements.lock``)."""

from __future__ import annotations

import sys
import sysconfig
import tomllib
from importlib.metadata import distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parents[2]
LOCK = ROOT / "requirements.lock"
RELOCK = "regenerate the lock with scripts/lock"
REINSTALL = ".venv/bin/pip install -c requirements.lock -e '.[test]'"
# The venv's own installer, there before anything was installed from the lock.
INSTALLER = {"pip", "setuptools", "wheel"}


def locked_pins(text: str) -> dict[str, list[Requirement]]:
    """Each package's pins in a lock (one per line; a universal lock may pin a package twice,
    under different markers), by canonical name."""
    pins: dict[str, list[Requirement]] = {}
    for line in text.splitlines():
        if not line.strip() or line[0] in "# \t":
            continue
        requirement = Requirement(line.split(" #", 1)[0])
        pins.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return pins


def pinned_version(requirement: Requirement) -> Version:
    (spec,) = requirement.specifier
    assert spec.operator == "==", f"{requirement} in requirements.lock is not an exact pin: {RELOCK}"
    return Version(spec.version)


def pin_here(pins: list[Requirement]) -> Version | None:
    """The version locked for this interpreter and platform (None: none of its pins applies here)."""
    applying = [pinned_version(pin) for pin in pins if pin.marker is None or pin.marker.evaluate()]
    assert len(set(applying)) <= 1, f"two versions of {pins[0].name} apply here: {pins}"
    return applying[0] if applying else None


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"] + project["optional-dependencies"]["test"]]


def installed() -> dict[str, str]:
    """Every distribution in the venv the tests run in, by canonical name, with its version."""
    paths = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    return {canonicalize_name(dist.metadata["Name"]): dist.version for dist in distributions(path=paths)}


def test_the_lock_pins_every_package_exactly():
    pins = locked_pins(LOCK.read_text())
    assert {"strawberry-graphql", "sqlalchemy", "uvicorn", "pytest", "typing-extensions"} <= pins.keys()
    for name, requirements in pins.items():
        for requirement in requirements:
            assert requirement.name == name and not requirement.extras and requirement.url is None, requirement
            pinned_version(requirement)


def test_every_dependency_in_pyproject_has_a_pin_within_its_bounds():
    pins = locked_pins(LOCK.read_text())
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} (pyproject.toml) is not in requirements.lock: {RELOCK}"
        for pin in pins[name]:
            version = pinned_version(pin)
            assert requirement.specifier.contains(version, prereleases=True), (
                f"requirements.lock pins {requirement.name} {version}, outside pyproject.toml's "
                f"{requirement.specifier}: {RELOCK}"
            )


def test_every_dependency_in_pyproject_has_an_upper_bound():
    for requirement in declared():
        operators = {spec.operator for spec in requirement.specifier}
        bounded = operators & {"<", "<=", "==", "~=", "==="}
        assert bounded, f"{requirement} (pyproject.toml) has no upper bound on its major"


def test_the_venv_was_installed_from_the_lock():
    pins = locked_pins(LOCK.read_text())
    venv = installed()
    assert "corpcare" in venv and "pytest" in venv, f"{sys.prefix} is not corpcare's test venv: {sorted(venv)}"
    wrong = []
    for name, version in sorted(venv.items()):
        if name == "corpcare" or (name in INSTALLER and name not in pins):
            continue
        locked = pin_here(pins[name]) if name in pins else None
        if locked is None:
            wrong.append(f"{name} {version} (not in the lock)")
        elif Version(version) != locked:
            wrong.append(f"{name} {version} (locked: {locked})")
    assert not wrong, (
        f"The venv at {sys.prefix} differs from requirements.lock: {', '.join(wrong)}. If pyproject.toml's "
        f"dependencies changed, {RELOCK}; then install from it: {REINSTALL}"
    )


def test_the_readme_commands_and_ci_install_from_the_lock():
    readme = (ROOT / "README.md").read_text()
    serve = "python3 -m venv .venv && .venv/bin/pip install -c requirements.lock -e . && .venv/bin/corpcare serve"
    test = "python3 -m venv .venv && .venv/bin/pip install -c requirements.lock -e '.[test]' && .venv/bin/pytest"
    assert f"```sh\n{serve}\n```" in readme and f"```sh\n{test}\n```" in readme
    assert (ROOT / ".ci" / "run").read_text().splitlines()[-1] == test
