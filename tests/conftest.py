"""Shared fixtures: a fresh workspace per test, a fixed clock, and a CLI runner."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import FIXTURES, PROGRAM, TODAY, people, read_store, write_csv
from typer.testing import CliRunner, Result

from mentorctl.cli import app

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


@pytest.fixture
def workspace(tmp_path: Path, cli: Callable[..., Result]) -> Path:
    """A workspace holding one program, 'test-program', made from the career template."""
    root = tmp_path / "ws"
    result = cli("init-program", "Test Program", "--template", "career", "--dir", root)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def store_file(workspace: Path) -> Path:
    return workspace / PROGRAM / "data" / "store.json"


PYTHON = sys.executable
