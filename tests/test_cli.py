"""The command line as a whole: help, version, unbuilt commands, start-up imports, docs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mentorctl import __version__
from mentorctl.cli.app import app

COMMANDS = ["init-program", "import-signups", "pair", "introduce", "checkin", "report"]
SAFETY = ["block", "concern", "forget", "export-person"]
PEOPLE = ["withdraw", "pause"]
BUILT = COMMANDS
README = Path(__file__).resolve().parent.parent / "README.md"


def _registered() -> list[str]:
    return [c.name for c in app.registered_commands if c.name]


def test_help_lists_every_command_with_a_purpose(cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0, result.output
    for command in COMMANDS:
        line = next(line for line in result.stdout.splitlines() if line.strip().startswith(command))
        assert len(line.split(None, 1)[1]) > 10, line
        assert "..." not in line
    assert sorted(_registered()) == sorted(COMMANDS + SAFETY + PEOPLE)


def test_version(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"mentorctl {__version__}"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mentorctl", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"mentorctl {__version__}"


def test_the_console_script_keeps_exit_codes_and_all_output(tmp_path: Path) -> None:
    # main() leaves without Python's clean-up: what it printed must still all arrive.
    run = [sys.executable, "-m", "mentorctl"]
    listed = subprocess.run(
        [*run, "init-program", "--list-templates", "--json"], capture_output=True
    )
    assert listed.returncode == 0
    assert len(json.loads(listed.stdout)["templates"]) == 6
    missing = subprocess.run(
        [*run, "import-signups", str(tmp_path / "none.csv"), "-w", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2
    assert missing.stderr.startswith("mentorctl: error: ")
    assert subprocess.run([*run, "no-such-command"], capture_output=True).returncode == 2


@pytest.mark.parametrize("command", BUILT + SAFETY + PEOPLE)
def test_built_commands_have_an_example_and_json(cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example: mentorctl " + command in result.stdout
    assert "--json" in result.stdout


@pytest.mark.parametrize("command", COMMANDS + SAFETY + PEOPLE)
def test_every_command_is_documented_in_the_readme(command: str) -> None:
    assert re.search(rf"`mentorctl {command}\b", README.read_text(encoding="utf-8")), command


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from mentorctl.cli.app import app\n"
        "from typer.testing import CliRunner\n"
        "CliRunner().invoke(app, ['--help'])\n"
        "heavy = ['jinja2', 'tinydb', 'yaml', 'scipy', 'orjson', 'csv', 'rich.table']\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_piped_output_has_no_colour_codes(workspace: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mentorctl", "init-program", "--list-templates"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "\x1b[" not in result.stdout
    assert "career" in result.stdout
