"""program.yaml is validated on load; every mistake names the file, line, key path and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import PROGRAM, write_csv


def _edit(workspace: Path, change) -> Path:
    path = workspace / PROGRAM / "program.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _run(cli, workspace: Path):
    csv_file = write_csv(workspace / "s.csv", "Email,Name,Role,Age\na@example.org,Ann,Mentee,30\n")
    return cli("import-signups", csv_file, "-w", workspace)


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_unknown_key_is_named_with_its_line(workspace: Path, cli) -> None:
    path = _edit(workspace, lambda d: d["signup"].update({"min_agee": 21}))
    result = _run(cli, workspace)
    assert result.exit_code == 1
    line = _line_of(path, "min_agee")
    assert f"program.yaml:{line}: signup.min_agee: unknown key" in result.stderr
    assert "expected one of: min_age" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d.update(duration_weeks="eight"),
            "duration_weeks: expected a whole number, got 'eight'",
        ),
        (
            lambda d: d["matching"]["criteria"][0].update(weight="high"),
            "matching.criteria[0].weight: expected a number",
        ),
        (
            lambda d: d["matching"].update(min_score=3),
            "matching.min_score: expected a number of at most 1, got 3",
        ),
        (
            lambda d: d["signup"].update(min_age=16),
            "signup.min_age: expected a whole number of at least 18, got 16",
        ),
        (
            lambda d: d["smtp"].update(security="tls"),
            "smtp.security: expected one of starttls, ssl, none",
        ),
        (lambda d: d.pop("sender"), "sender: missing"),
        (lambda d: d["guide"][1].pop("prompt"), "guide[1].prompt: missing (expected text)"),
        (
            lambda d: d.update(duration_weeks=9),
            "duration_weeks: expected 8 to match the 8 guide steps, got 9",
        ),
        (lambda d: d["guide"][2].update(week=7), "guide: expected one step per week"),
        (
            lambda d: d["signup"].update(require_age="yes"),
            "signup.require_age: expected true or false",
        ),
        (
            lambda d: d["matching"]["criteria"].append(
                {"kind": "extra", "weight": 1, "field": "shoe_size", "mode": "same"}
            ),
            "'shoe_size' is not a field under signup.fields",
        ),
        (
            lambda d: d["matching"]["criteria"].append({"kind": "extra", "weight": 1}),
            "field: missing",
        ),
        (
            lambda d: d["checkin"]["questions"].append(dict(d["checkin"]["questions"][0])),
            "each question key only once",
        ),
        (lambda d: d.update(slug="other"), "differs from the program's folder name"),
    ],
)
def test_wrong_values_are_explained(workspace: Path, cli, change, expected: str) -> None:
    _edit(workspace, change)
    result = _run(cli, workspace)
    assert result.exit_code == 1, result.output
    assert expected in result.stderr
    assert "program.yaml" in result.stderr


def test_invalid_yaml_names_the_line(workspace: Path, cli) -> None:
    path = workspace / PROGRAM / "program.yaml"
    path.write_text("name: X\nslug: [unclosed\n")
    result = _run(cli, workspace)
    assert result.exit_code == 1
    assert "program.yaml:" in result.stderr and "not valid YAML" in result.stderr


def test_a_list_is_not_a_program(workspace: Path, cli) -> None:
    (workspace / PROGRAM / "program.yaml").write_text("- a\n- b\n")
    result = _run(cli, workspace)
    assert result.exit_code == 1
    assert "expected a mapping of settings" in result.stderr


def test_bad_program_yaml_leaves_store_untouched(workspace: Path, cli) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    before = store.read_bytes()
    _edit(workspace, lambda d: d.update(duration_weeks=0))
    assert _run(cli, workspace).exit_code == 1
    assert store.read_bytes() == before


def test_program_aliases_come_before_defaults(workspace: Path, cli) -> None:
    _edit(workspace, lambda d: d["signup"]["fields"].update(email=["Work address"]))
    csv_file = write_csv(
        workspace / "s.csv",
        "Email,Work address,Name,Role,Age\nhome@example.org,work@example.org,Ann,Mentee,30\n",
    )
    result = cli("import-signups", csv_file, "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    assert '"header": "Work address",\n      "field": "email"' in result.stdout
