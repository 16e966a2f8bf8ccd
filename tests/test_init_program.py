"""init-program, the template catalogue, and finding the workspace and program."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from helpers import PROGRAM, write_csv

from mentorctl.programs.catalogue import list_templates
from mentorctl.programs.program import load_program

TEMPLATE_KEYS = ["career", "parenting", "personal", "professional", "skills", "support"]


def test_creates_program_files_and_private_store(workspace: Path) -> None:
    program_dir = workspace / PROGRAM
    assert (workspace / ".mentorctl" / "workspace.json").is_file()
    program = load_program(program_dir / "program.yaml")
    assert program.name == "Test Program"
    assert program.slug == PROGRAM
    assert program.data["template"] == "career"
    messages = sorted(p.name for p in (program_dir / "messages").iterdir())
    assert {"intro.txt.j2", "weekly.txt.j2", "nudge.txt.j2", "wrapup.txt.j2"} <= set(messages)
    store = program_dir / "data" / "store.json"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600


def test_json_lists_what_was_created(tmp_path: Path, cli) -> None:
    result = cli(
        "init-program", "Parents Circle", "-t", "parenting", "--dir", tmp_path / "w", "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["program"] == "parents-circle"
    assert "parents-circle/program.yaml" in data["created"]
    assert "parents-circle/data/store.json" in data["created"]
    assert data["dry_run"] is False


def test_dry_run_writes_nothing(tmp_path: Path, cli) -> None:
    target = tmp_path / "w"
    result = cli("init-program", "X", "-t", "career", "--dir", target, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would create" in result.stdout
    assert not target.exists()


def test_refuses_to_overwrite_without_force(workspace: Path, cli) -> None:
    program_file = workspace / PROGRAM / "program.yaml"
    program_file.write_text(program_file.read_text() + "\n# my edits\n")
    before = program_file.read_bytes()
    result = cli("init-program", "Test Program", "-t", "career", "--dir", workspace)
    assert result.exit_code == 2
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert program_file.read_bytes() == before


def test_force_replaces_settings_but_keeps_data(workspace: Path, cli) -> None:
    csv_file = write_csv(workspace / "s.csv", "Email,Name,Role,Age\na@example.org,Ann,Mentee,30\n")
    assert cli("import-signups", csv_file, "-w", workspace).exit_code == 0
    store = workspace / PROGRAM / "data" / "store.json"
    data_before = store.read_bytes()
    result = cli(
        "init-program", "Test Program", "-t", "skills", "--dir", workspace, "--force", "--json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["kept"] == [f"{PROGRAM}/data/store.json"]
    assert store.read_bytes() == data_before
    assert load_program(workspace / PROGRAM / "program.yaml").data["template"] == "skills"


def test_unknown_template_lists_the_choices(tmp_path: Path, cli) -> None:
    result = cli("init-program", "X", "-t", "gardening", "--dir", tmp_path)
    assert result.exit_code == 2
    assert "no built-in template 'gardening'" in result.stderr
    assert "career" in result.stderr
    assert not (tmp_path / ".mentorctl").exists()


def test_name_and_template_are_required(tmp_path: Path, cli) -> None:
    result = cli("init-program", "--dir", tmp_path)
    assert result.exit_code == 2
    assert "--template" in result.stderr


def test_list_templates_table_and_json(cli) -> None:
    table = cli("init-program", "--list-templates")
    assert table.exit_code == 0, table.output
    for key in TEMPLATE_KEYS:
        assert key in table.stdout
    data = json.loads(cli("init-program", "--list-templates", "--json").stdout)
    assert sorted(t["key"] for t in data["templates"]) == TEMPLATE_KEYS


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_every_builtin_template_is_complete(tmp_path: Path, cli, key: str) -> None:
    result = cli("init-program", f"Program {key}", "-t", key, "--dir", tmp_path)
    assert result.exit_code == 0, result.output
    program = load_program(tmp_path / f"program-{key}" / "program.yaml")
    data = program.data
    assert 6 <= data["duration_weeks"] <= 12
    assert len(data["guide"]) == data["duration_weeks"]
    for step in data["guide"]:
        assert len(step["together"].split()) >= 15, step["title"]
        assert step["prompt"].strip().endswith("?"), step["title"]
    assert len(data["signup"]["topics"]) >= 8
    assert data["checkin"]["questions"]
    assert sum(c["weight"] for c in data["matching"]["criteria"]) > 0
    from jinja2 import Environment

    env = Environment()
    messages = tmp_path / f"program-{key}" / "messages"
    for kind in ("intro", "weekly", "nudge", "wrapup"):
        entry = data["messages"][kind]
        env.parse((messages / entry["file"]).read_text("utf-8"))
        env.parse(entry["subject"])
        if entry["html"]:
            env.parse((messages / entry["html"]).read_text("utf-8"))


def test_catalogue_matches_folders() -> None:
    assert [t.key for t in list_templates()] == TEMPLATE_KEYS


# -- finding the workspace and the program -------------------------------------------------


def _import(cli, *args: str | Path):
    return cli("import-signups", *args)


def test_workspace_found_from_a_subfolder(
    workspace: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_file = write_csv(workspace / "s.csv", "Email,Name,Role,Age\na@example.org,Ann,Mentee,30\n")
    sub = workspace / PROGRAM / "messages"
    monkeypatch.chdir(sub)
    result = _import(cli, csv_file)
    assert result.exit_code == 0, result.output


def test_workspace_from_environment(workspace: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    csv_file = write_csv(workspace / "s.csv", "Email,Name,Role,Age\na@example.org,Ann,Mentee,30\n")
    monkeypatch.setenv("MENTORCTL_WORKSPACE", str(workspace))
    assert _import(cli, csv_file).exit_code == 0


def test_no_workspace_is_a_clear_error(tmp_path: Path, cli) -> None:
    csv_file = write_csv(tmp_path / "s.csv", "Email,Name,Role,Age\na@example.org,Ann,Mentee,30\n")
    result = _import(cli, csv_file)
    assert result.exit_code == 2
    assert "no mentorctl workspace" in result.stderr
    result = _import(cli, csv_file, "--workspace", tmp_path)
    assert result.exit_code == 2
    assert "is not a mentorctl workspace" in result.stderr


def test_several_programs_need_program_option(workspace: Path, cli) -> None:
    assert cli("init-program", "Second", "-t", "support", "--dir", workspace).exit_code == 0
    csv_file = write_csv(workspace / "s.csv", "Email,Name,Role,Age\na@example.org,Ann,Mentee,30\n")
    result = _import(cli, csv_file, "-w", workspace)
    assert result.exit_code == 2
    assert "choose one with --program" in result.stderr
    assert "second" in result.stderr and PROGRAM in result.stderr
    assert _import(cli, csv_file, "-w", workspace, "--program", "second").exit_code == 0
    missing = _import(cli, csv_file, "-w", workspace, "--program", "third")
    assert missing.exit_code == 2 and "no program 'third'" in missing.stderr


def test_init_inside_a_workspace_extends_it(
    workspace: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workspace / PROGRAM)
    result = cli("init-program", "Another One", "-t", "personal")
    assert result.exit_code == 0, result.output
    assert (workspace / "another-one" / "program.yaml").is_file()
