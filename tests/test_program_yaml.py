"""program.yaml is validated on load; every mistake names the file, line, key path and expectation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from helpers import PROGRAM, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.programs.yamlfile import load_yaml


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


def _key_line(path: Path, keys: list[str | int]) -> tuple[int, int]:
    """The 1-based line and the column of the last key of ``keys`` in the YAML file."""
    node = yaml.compose(path.read_text())
    for part in keys[:-1]:
        node = node.value[part] if isinstance(part, int) else _value(node, part)
    key_node = next(k for k, _ in node.value if k.value == keys[-1])
    return key_node.start_mark.line + 1, key_node.start_mark.column


def _value(node: yaml.MappingNode, key: str) -> yaml.Node:
    return next(v for k, v in node.value if k.value == key)


def _insert_after(path: Path, line: int, text: str) -> int:
    """Insert ``text`` as a line after 1-based ``line``; returns the new line's number."""
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(line, text + "\n")
    path.write_text("".join(lines))
    return line + 1


def _one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("written", ["2026-02-30", "'2026-02-30'", '"2026-02-30"'])
def test_an_impossible_date_is_named_with_its_line(workspace: Path, cli, written: str) -> None:
    path = workspace / PROGRAM / "program.yaml"
    first, _ = _key_line(path, ["duration_weeks"])
    line = _insert_after(path, first, f"start_date: {written}")
    error = _one_line_error(_run(cli, workspace))
    expected = f"program.yaml:{line}: start_date: '2026-02-30' is not a date (expected YYYY-MM-DD)"
    assert error.endswith(expected), error


def test_an_impossible_date_deep_in_a_list_names_its_key_path(workspace: Path, cli) -> None:
    path = workspace / PROGRAM / "program.yaml"
    line, _ = _key_line(path, ["checkin", "questions", 2, "text"])
    lines = path.read_text().splitlines(keepends=True)
    indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
    lines[line - 1] = f"{indent}text: 2026-13-01\n"
    path.write_text("".join(lines))
    error = _one_line_error(_run(cli, workspace))
    assert error.endswith(
        f"program.yaml:{line}: checkin.questions[2].text: '2026-13-01' is not a date "
        "(expected YYYY-MM-DD)"
    ), error


@pytest.mark.parametrize(
    ("keys", "dotted", "value"),
    [
        (["signup", "min_age"], "signup.min_age", "21"),
        # The same value again: a repeat is refused even where it changes nothing.
        (["duration_weeks"], "duration_weeks", "8"),
        (["checkin", "questions", 1, "text"], "checkin.questions[1].text", "'Again?'"),
    ],
    ids=["signup", "top-level", "in-a-list"],
)
def test_a_repeated_key_is_refused_with_both_lines(
    workspace: Path, cli, keys, dotted: str, value: str
) -> None:
    path = workspace / PROGRAM / "program.yaml"
    store = workspace / PROGRAM / "data" / "store.json"
    before = store.read_bytes()
    first, column = _key_line(path, keys)
    again = _insert_after(path, first, " " * column + f"{keys[-1]}: {value}")
    error = _one_line_error(_run(cli, workspace))
    assert error.endswith(
        f"program.yaml:{again}: {dotted}: repeated key (first at line {first})"
    ), error
    assert store.read_bytes() == before


def test_a_repeated_key_in_a_flow_mapping_is_refused(workspace: Path, cli) -> None:
    path = workspace / PROGRAM / "program.yaml"
    line = _insert_after(path, _key_line(path, ["duration_weeks"])[0], "extra: {name: A, name: B}")
    error = _one_line_error(_run(cli, workspace))
    assert f"program.yaml:{line}: extra.name: repeated key (first at line {line})" in error


def test_a_number_too_long_is_named_with_its_line(workspace: Path, cli) -> None:
    path = workspace / PROGRAM / "program.yaml"
    text = path.read_text()
    path.write_text(text.replace("duration_weeks: 8", "duration_weeks: " + "9" * 5000))
    line, _ = _key_line(workspace / PROGRAM / "program.yaml", ["duration_weeks"])
    error = _one_line_error(_run(cli, workspace))
    assert f"program.yaml:{line}: duration_weeks: a number too long to read" in error


def test_a_key_beside_a_merge_overrides_it_without_a_repeat(tmp_path: Path) -> None:
    text = "base: &base {host: a, port: 1}\nsmtp:\n  <<: *base\n  host: b\n"
    assert load_yaml(text, tmp_path / "x.yaml") == yaml.safe_load(text)


_SCALARS = (
    st.text(max_size=12)
    | st.integers(-(10**6), 10**6)
    | st.booleans()
    | st.none()
    | st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(_DOCUMENTS, st.booleans())
def test_a_document_without_repeats_loads_as_safe_load_reads_it(document, flow: bool) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    assert load_yaml(text, Path("x.yaml")) == yaml.safe_load(text)


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
