"""The lock files are what the tests run on: they satisfy pyproject.toml, carry a hash for every
pin, agree with each other, and are what is installed (make installs from the lock)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from p3dn_pipeline_tests.conftest import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^(?P<requirement>[A-Za-z0-9][A-Za-z0-9._-]*==[^ \\]+(?: ; [^\\]+)?) \\$")


def pins(lock: str) -> dict[str, str]:
    """name -> version of every pin of ``lock`` that applies to this interpreter, each
    checked to carry at least one hash."""
    lines = (REPO / lock).read_text().splitlines()
    found = {}
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if not match:
            continue
        assert lines[number + 1].strip().startswith("--hash=sha256:"), line
        requirement = Requirement(match["requirement"])
        if requirement.marker is None or requirement.marker.evaluate():
            name = canonicalize_name(requirement.name)
            assert name not in found, f"{name} pinned twice for this interpreter in {lock}"
            found[name] = str(requirement.specifier).removeprefix("==")
    return found


def requirements(extras: tuple[str, ...]) -> list[Requirement]:
    """The project's requirements with ``extras``, its own extras (p3dn_pipeline[bench])
    followed."""
    wanted = [Requirement(text) for text in PROJECT["dependencies"]]
    seen, todo = set(), list(extras)
    while todo:
        extra = todo.pop()
        seen.add(extra)
        for text in PROJECT["optional-dependencies"][extra]:
            requirement = Requirement(text)
            if canonicalize_name(requirement.name) == canonicalize_name(PROJECT["name"]):
                todo += [e for e in requirement.extras if e not in seen]
            else:
                wanted.append(requirement)
    return wanted


@pytest.mark.parametrize("lock, extras", [("requirements.lock", ()),
                                          ("requirements-dev.lock", ("dev",))])
def test_the_lock_pins_a_version_pyproject_allows_for_every_requirement(lock, extras):
    locked = pins(lock)
    for requirement in requirements(extras):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in {lock}: run make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{lock} pins {name}=={locked[name]}, outside {requirement}: run make lock")


def test_the_pipeline_lock_is_the_dev_lock_without_the_dev_tools():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: dev[name] for name in runtime} == runtime
    assert {"pytest", "pytest-xdist", "hypothesis", "duckdb-cli"} <= dev.keys() - runtime.keys()


def test_what_is_installed_is_the_lock():
    installed = {name: metadata.version(name) for name in pins("requirements-dev.lock")}
    assert installed == pins("requirements-dev.lock")


def test_the_versions_the_workarounds_are_written_for_are_pinned():
    locked = pins("requirements.lock")
    assert locked["great-expectations"] == "1.24.1"
    assert locked["duckdb"].startswith("2.0.")
    assert locked["python-calamine"].startswith("0.9.")
    specifiers = {canonicalize_name(r.name): r.specifier for r in requirements(("dev",))}
    # DuckDB 1.x cannot open the warehouse's storage format, 2.1 may change it again.
    assert not specifiers["duckdb"].contains("1.4.4")
    assert not specifiers["duckdb"].contains("2.1.0")
    assert str(specifiers["great-expectations"]) == "==1.24.1"
    assert not specifiers["python-calamine"].contains("0.10.0")
