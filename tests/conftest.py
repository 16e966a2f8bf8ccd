"""Shared fixtures: a fresh workspace per test, a fixed clock, and a CLI runner."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import FIXTURES, PROGRAM, TODAY, people, read_store, write_csv
from typer.testing import CliRunner, Result

from mentorctl.cli.app import app

__all__ = ["FIXTURES", "PROGRAM", "TODAY", "people", "read_store", "write_csv"]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's workspace, clock or colour settings."""
    for name in ("MENTORCTL_WORKSPACE", "MENTORCTL_NOW", "MENTORCTL_LOCK_TIMEOUT", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MENTORCTL_TODAY", TODAY)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run ``mentorctl ARGS...`` in-process; returns click's Result (stdout, stderr, exit_code)."""
    runner = CliRunner()

    def run(*args: str | Path, input: str | None = None) -> Result:
        return runner.invoke(app, [str(a) for a in args], input=input)

    return run


@pytest.fixture(scope="session")
def _pristine_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workspace made by init-program for the whole session; each test gets a copy."""
    root = tmp_path_factory.mktemp("pristine") / "ws"
    args = ["init-program", "Test Program", "--template", "career", "--dir", str(root)]
    result = CliRunner().invoke(app, [*args, "--today", TODAY])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def workspace(tmp_path: Path, _pristine_workspace: Path) -> Path:
    """A workspace holding one program, 'test-program', made from the career template."""
    root = tmp_path / "ws"
    shutil.copytree(_pristine_workspace, root)
    return root


@pytest.fixture
def store_file(workspace: Path) -> Path:
    return workspace / PROGRAM / "data" / "store.json"


PYTHON = sys.executable
