"""The hostile inputs under tests/hostile/: each is refused with one clear line, store untouched,
or accepted and made inert."""

from __future__ import annotations

import copy
import csv
import email
import email.policy
import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import PROGRAM, people
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HOSTILE = Path(__file__).parent / "hostile"
ACCEPTED = {"disguised_formulas.csv"}
REFUSED = sorted(
    p.name
    for p in HOSTILE.glob("*.csv")
    if p.name not in ACCEPTED and not p.name.startswith("defused")
)
INTRO_HEADERS = [
    "From",
    "To",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    "Auto-Submitted",
    "MIME-Version",
    "Content-Type",
]


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("mentorctl: error: "), stderr
    return lines[0]


@pytest.mark.parametrize("name", REFUSED)
def test_hostile_export_is_refused_and_the_store_kept(workspace: Path, cli, name: str) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    before = store.read_bytes()
    result = cli("import-signups", HOSTILE / name, "-w", workspace, "--role", "mentee")
    assert result.exit_code != 0, result.output
    line = _one_error_line(result.stderr)
    assert name in line, "the error names the file"
    assert "@example" not in line
    assert store.read_bytes() == before


def test_bytes_that_are_not_text_are_named_by_line(workspace: Path, cli) -> None:
    result = cli("import-signups", HOSTILE / "bom_then_not_utf8.csv", "-w", workspace)
    assert result.exit_code == 1
    assert "line 3 holds bytes that are not UTF-8" in _one_error_line(result.stderr)


def test_hostile_rows_are_defused(workspace: Path, cli) -> None:
    result = cli("import-signups", HOSTILE / "defused.csv", "-w", workspace)
    assert result.exit_code == 0, result.output
    names = {p["email"]: p["name"] for p in people(workspace / PROGRAM / "data" / "store.json")}
    assert names["tpl@example.org"] == "{{ 7*7 }} {% raw %}"  # data, kept as written
    assert names["eve@example.org"] == "Eve Bcc: victim@example.net"  # one line, no header
    assert names["formula@example.org"].startswith("=HYPERLINK")  # neutralised on CSV export
    assert names["bell@example.org"] == "Bell[31m"  # no terminal control characters
    assert not any("bob" in address for address in names)  # a control character: rejected
    assert [a for a in names if a.startswith("jos")] == ["josé@example.org"]  # NFC: one person
    assert names["josé@example.org"] == "José Decomposed"  # the later row is kept
    for name in names.values():
        assert name.isprintable()


def test_encoded_word_names_add_no_header(workspace: Path, cli) -> None:
    """RFC 2047 encoded words that decode to line breaks (q, base64, bare LF, quoted) in every
    name of a program: previews show, and every built message has just its own headers."""
    result = cli("import-signups", HOSTILE / "defused_encoded_words.csv", "-w", workspace)
    assert result.exit_code == 0, result.output
    assert cli("pair", "--commit", "-w", workspace).exit_code == 0
    preview = cli("introduce", "--preview", "-w", workspace)
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.count("===== pair M") == 4
    written = cli("introduce", "-w", workspace)
    assert written.exit_code == 0, written.output
    files = sorted((workspace / PROGRAM / "outbox").glob("*.eml"))
    assert len(files) == 4
    for path in files:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert list(msg.keys()) == INTRO_HEADERS, path.name
        assert msg.defects == []
        assert all(a.domain == "example.org" for a in msg["To"].addresses), path.name
        assert msg.get_body(("plain",)).get_content().startswith("Hello ")


def test_invalid_program_yaml_is_refused(workspace: Path, cli) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    before = store.read_bytes()
    shutil.copy(HOSTILE / "invalid_program.yaml", workspace / PROGRAM / "program.yaml")
    result = cli("pair", "-w", workspace)
    assert result.exit_code == 1
    assert "program.yaml:" in _one_error_line(result.stderr)
    assert store.read_bytes() == before


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.glob("store_*.json")))
@pytest.mark.parametrize(
    "command", [["pair"], ["block", "P1", "P2"], ["checkin"], ["forget", "P1", "--yes"]]
)
def test_store_edited_into_a_wrong_shape_is_refused(
    workspace: Path, cli, command: list[str], name: str
) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    shutil.copy(HOSTILE / name, store)
    before = store.read_bytes()
    result = cli(*command, "-w", workspace)
    assert result.exit_code == 1, result.output
    assert "store.json" in _one_error_line(result.stderr)
    assert store.read_bytes() == before


def test_hints_never_show_a_first_row_of_answers(workspace: Path, cli, tmp_path: Path) -> None:
    headerless = tmp_path / "headerless.csv"
    headerless.write_text("Ann Brenner,ann@example.org,Mentee,30,Career change?\n")
    for args in (["--map", "email=Work email"], []):
        result = cli("import-signups", headerless, "-w", workspace, "--role", "mentee", *args)
        assert result.exit_code != 0
        line = _one_error_line(result.stderr)
        assert "Ann" not in line and "@example" not in line and "Mentee" not in line, line


def test_disguised_formulas_are_neutralised_in_written_csv(workspace: Path, cli) -> None:
    source = HOSTILE / "disguised_formulas.csv"
    target = workspace / source.name
    shutil.copy(source, target)
    result = cli("import-signups", target, "-w", workspace, "--write-rejects")
    assert result.exit_code == 0, result.output
    with target.with_name("disguised_formulas.rejects.csv").open(encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    assert len(written) == 8
    for row in written:
        assert row["Name"].startswith("'"), row["Name"]
        assert row["Email"][0].isalpha()
    kept = {p["email"]: p["name"] for p in people(workspace / PROGRAM / "data" / "store.json")}
    assert kept == {"zwspkept@example.org": '\u200b=HYPERLINK("http://evil.example")'}


def test_markdown_report_shows_markup_in_answers_as_text(workspace: Path, cli) -> None:
    goal = "[click](https://evil.example) <img src=x onerror=alert(1)> **bold**"
    signups = workspace / "md.csv"
    with signups.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["Email", "Name", "Role", "Age", "Goals"],
                ["md@example.org", "Md", "Mentee", 30, goal],
            ]
        )
    assert cli("import-signups", signups, "-w", workspace).exit_code == 0
    result = cli("report", "--format", "md", "-w", workspace)
    assert result.exit_code == 0, result.output
    escaped = (
        r"\[click\](https://evil.example) \<img src=x onerror=alert(1)\> "
        r"\*\*bold\*\*"
    )
    assert escaped in result.stdout
    (row,) = [line for line in result.stdout.splitlines() if "evil.example" in line]
    assert re.findall(r"(?<!\\)[<>\[\]*]", row) == [], "every markup character is escaped"


# Every command, over each store edited by hand into a type mentorctl does not write.
EDITED_STORES = sorted(p.name for p in HOSTILE.glob("store_edited_*.json"))
EVERY_COMMAND = [
    ["people"],
    ["people", "--json"],
    ["pairs"],
    ["pairs", "--json"],
    ["report"],
    ["report", "--format", "json"],
    ["pair"],
    ["pair", "--commit"],
    ["introduce", "--preview"],
    ["introduce"],
    ["checkin"],
    ["checkin", "--record", "M1", "--person", "P1", "-a", "met=no"],
    ["checkin", "--complete", "M1"],
    ["block", "P1", "P4"],
    ["concern", "--list"],
    ["concern", "M1", "--reason", "late"],
    ["pause", "P1", "--until", "2026-05-01"],
    ["withdraw", "P2"],
    ["pair", "--return", "P5"],
    ["forget", "P1", "--yes"],
    ["export-person", "P1"],
    ["import-signups", "newcomer.csv"],
]
FIELD_NAMED = re.compile(r"table '(\w+)', (record [A-Z]\d+|document \d+), field '[\w.]+': ")


@pytest.mark.parametrize("name", EDITED_STORES)
def test_every_command_over_a_hand_edited_store_is_one_clear_error(
    workspace: Path, cli, name: str
) -> None:
    assert len(EDITED_STORES) >= 10
    store = workspace / PROGRAM / "data" / "store.json"
    shutil.copy(HOSTILE / name, store)
    before = store.read_bytes()
    (workspace / "newcomer.csv").write_text("Email,Name,Role,Age\nzed@example.org,Zed,mentee,30\n")
    for command in EVERY_COMMAND:
        args = [str(workspace / a) if a.endswith(".csv") else a for a in command]
        result = cli(*args, "-w", workspace)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            command,
            result.exception,
        )
        assert result.exit_code == 1, (command, result.output)
        line = _one_error_line(result.stderr)
        assert "store.json" in line and FIELD_NAMED.search(line), (command, line)
        assert "@example" not in line
        assert store.read_bytes() == before, command


def _base_store() -> dict:
    """The small program's store the edited ones are made from, as mentorctl wrote it."""
    data = json.loads((HOSTILE / "store_edited_age_text.json").read_text(encoding="utf-8"))
    data["people"]["1"]["age"] = 29
    return data


BASE = _base_store()
FIELDS = [
    (table, doc_id, field)
    for table, docs in BASE.items()
    if table != "_meta"
    for doc_id, doc in docs.items()
    for field in doc
]
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=4,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=st.sampled_from(FIELDS), value=JSON_VALUES)
def test_any_field_edited_to_any_value_never_ends_in_a_traceback(
    workspace: Path, cli, where: tuple[str, str, str], value: object
) -> None:
    table, doc_id, field = where
    data = copy.deepcopy(BASE)
    data[table][doc_id][field] = value
    store = workspace / PROGRAM / "data" / "store.json"
    store.write_text(json.dumps(data))
    for command in (
        ["report", "--format", "json"],
        ["pairs"],
        ["people"],
        ["checkin", "--dry-run"],
    ):
        result = cli(*command, "-w", workspace)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            command,
            repr(result.exception),
        )
        if result.exit_code != 0:
            assert FIELD_NAMED.search(_one_error_line(result.stderr)), result.stderr
