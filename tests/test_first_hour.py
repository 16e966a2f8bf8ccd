"""A new admin's first hour: help that reads like words, shell completion, a commented
program.yaml, dates, the sender, slugs, topic warnings at import, and pair's output."""

from __future__ import annotations

import email
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import PROGRAM, write_csv

from mentorctl.cli.app import app
from mentorctl.programs import program as programs
from mentorctl.programs.schema import Obj
from mentorctl.store.workspace import slugify

COMMANDS = [c.name for c in app.registered_commands if c.name]
PEOPLE = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company
meg@example.org,Meg Okafor,Mentor,50,,"Career change, Networking",English,UTC,2,Acme
ann@example.org,Ann Brenner,Mentee,30,"Career change, Networking",,English,UTC,,Initech
"""


def _yaml(workspace: Path) -> Path:
    return workspace / PROGRAM / "program.yaml"


# -- help and completion ----------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_help_placeholders_read_like_words(cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0, result.output
    assert not re.search(r"<[a-z ]+>|\{[a-z]+\}|\{[A-Z]+\}", result.stdout), result.stdout


def test_usage_names_required_arguments_as_words(cli) -> None:
    assert "[OPTIONS] FILE\n" in cli("import-signups", "--help").stdout
    assert "[OPTIONS] EMAIL\n" in cli("forget", "--help").stdout
    assert "-w, --workspace PATH" in cli("report", "--help").stdout
    assert "--today DATE" in cli("report", "--help").stdout


def test_commands_that_write_nothing_take_no_dry_run(cli) -> None:
    for command in ("people", "pairs", "export-person"):
        assert "--dry-run" not in cli(command, "--help").stdout, command


def test_shell_completion_is_offered(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "mentorctl"]
    top = subprocess.run([*run, "--help"], capture_output=True, text=True, check=True)
    assert "--install-completion" in top.stdout and "--show-completion" in top.stdout
    shown = subprocess.run(
        [*run, "--show-completion", "bash"], capture_output=True, text=True, check=True
    )
    assert "complete -o default -F" in shown.stdout


# -- program.yaml -------------------------------------------------------------------------------


def _keys(spec: object, prefix: str = "") -> list[str]:
    """Every key path of a schema: mappings, and the mappings inside lists."""
    out = []
    fields = getattr(spec, "fields", None)
    if isinstance(spec, Obj) and fields:
        for key, sub in fields.items():
            out.append(prefix + key)
            out += _keys(sub, prefix + key + ".")
    item = getattr(spec, "item", None)
    if item is not None:
        out += _keys(item, prefix)
    return out


def test_generated_program_yaml_shows_every_key_with_comments(workspace: Path) -> None:
    text = _yaml(workspace).read_text(encoding="utf-8")
    keys = _keys(programs._PROGRAM)
    assert "start_date" in keys and "sender.reply_to" in keys
    for path in keys:
        leaf = path.rsplit(".", 1)[-1]
        if leaf == "fields" or path.startswith("signup.fields."):
            continue
        assert re.search(rf"(^|[\s{{,#]){leaf}:", text, re.M), path
    for section in ("sender", "smtp", "signup", "matching", "guide", "checkin", "messages"):
        before = text.split(f"\n{section}:")[0].rstrip().splitlines()[-1]
        assert before.startswith("# "), section
    assert "# start_date: 2026-09-07" in text
    assert "  # reply_to: " in text


def test_start_date_unquoted_is_a_date(workspace: Path, cli) -> None:
    path = _yaml(workspace)
    path.write_text(path.read_text(encoding="utf-8") + "start_date: 2026-12-07\n", "utf-8")
    program = programs.load_program(path)
    assert program.data["start_date"] == "2026-12-07"
    report = cli("report", "-w", workspace, "--json")
    assert report.exit_code == 0, report.output
    assert '"start": "2026-12-07"' in report.stdout


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("07/12/2026", "expected a day written YYYY-MM-DD, e.g. 2026-09-07, got '07/12/2026'"),
        ("'2026-02-30'", "'2026-02-30' is not a date (expected YYYY-MM-DD)"),
    ],
)
def test_start_date_in_the_wrong_form_names_the_expected_one(
    workspace: Path, cli, value: str, expected: str
) -> None:
    path = _yaml(workspace)
    path.write_text(path.read_text(encoding="utf-8") + f"start_date: {value}\n", "utf-8")
    result = cli("report", "-w", workspace)
    assert result.exit_code == 1
    assert "start_date" in result.stderr and expected in result.stderr, result.stderr


def _introduced_outbox(workspace: Path, cli) -> Path:
    csv_file = write_csv(workspace / "people.csv", PEOPLE)
    assert cli("import-signups", csv_file, "-w", workspace).exit_code == 0
    assert cli("pair", "-w", workspace, "--commit").exit_code == 0
    return workspace / PROGRAM / "outbox"


def test_placeholder_sender_is_refused_at_send(workspace: Path, cli) -> None:
    _introduced_outbox(workspace, cli)
    result = cli("introduce", "-w", workspace, "--send")
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "sender.email is still the template's placeholder (example.org)" in line
    assert "program.yaml" in line and "set sender.email under sender:" in line
    assert "mentoring@example.org" not in line  # the address itself is not echoed
    # Nothing was sent or written, and the pair was not marked introduced.
    assert not list((workspace / PROGRAM / "outbox").glob("*.eml"))
    assert cli("introduce", "-w", workspace).exit_code == 0  # writing .eml files is fine


def test_invalid_sender_hints_at_program_yaml(workspace: Path, cli) -> None:
    path = _yaml(workspace)
    text = path.read_text(encoding="utf-8").replace(
        "email: mentoring@example.org", "email: not-an-address"
    )
    path.write_text(text, encoding="utf-8")
    _introduced_outbox(workspace, cli)
    result = cli("introduce", "-w", workspace)
    assert result.exit_code == 1
    assert "hint: set the program's own address under sender: in program.yaml" in result.stderr
    assert "sign-up export" not in result.stderr


def test_intro_email_shows_friendly_reasons(workspace: Path, cli) -> None:
    outbox = _introduced_outbox(workspace, cli)
    assert cli("introduce", "-w", workspace).exit_code == 0
    (eml,) = outbox.glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()
    assert "you share an interest in Career change and Networking" in text
    assert "you are in the same time zone" in text and "you can talk in English" in text
    assert "both:" not in text and "mentor speaks" not in text


# -- slugs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Mentorat Carrière Été 2026", "mentorat-carriere-ete-2026"),
        ("Наставничество 2026", "nastavnichestvo-2026"),
        ("Straße Øresund Łódź", "strasse-oresund-lodz"),
        ("Ψηφιακή Καθοδήγηση", "psephiake-kathodegese"),
        ("برنامج الإرشاد", "brnmj-lrshd"),
        ("תוכנית חונכות", "tvknyt-khvnkvt"),
        ("メンター 2026", "menta-2026"),
        ("Київ", "kiiv"),
        ("🙂 ✨", "program"),
        ("Career Mentoring 2026", "career-mentoring-2026"),
    ],
)
def test_slugs_transliterate(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_init_program_uses_the_transliterated_slug(tmp_path: Path, cli) -> None:
    result = cli(
        "init-program", "Mentorat Carrière Été 2026", "-t", "career", "--dir", tmp_path / "ws"
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ws" / "mentorat-carriere-ete-2026" / "program.yaml").is_file()


# -- import ---------------------------------------------------------------------------------------


def test_import_warns_about_answers_that_are_not_topics(workspace: Path, cli) -> None:
    csv_file = write_csv(
        workspace / "people.csv",
        "Email,Name,Role,Age,Goals,Expertise,Languages\n"
        'ann@example.org,Ann B,Mentee,30,"Interview prep, Networking",,English\n'
        'meg@example.org,Meg O,Mentor,50,,"Carrer change, Underwater basket weaving",English\n',
    )
    result = cli("import-signups", csv_file, "-w", workspace)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        "warning: 'Carrer change' is not a topic of the program; closest: 'Career change' "
        "(see signup.topics)",
        "warning: 'Interview prep' is not a topic of the program; closest: "
        "'Interview preparation' (see signup.topics)",
        "warning: 'Underwater basket weaving' is not a topic of the program (see signup.topics)",
    ]
    again = cli("import-signups", csv_file, "-w", workspace)
    assert "not a topic" not in again.stderr  # unchanged rows are not read again


# -- pair -----------------------------------------------------------------------------------------


def test_pair_hints_commit_only_when_there_is_something_to_save(workspace: Path, cli) -> None:
    _introduced_outbox(workspace, cli)
    again = cli("pair", "-w", workspace)
    assert again.exit_code == 0, again.output
    assert "--commit" not in again.stderr
    assert "No new pairs to propose; nothing to save." in again.stderr


def test_unforceable_refusal_does_not_hint_force(workspace: Path, cli) -> None:
    _introduced_outbox(workspace, cli)
    blocked = cli("block", "P1", "P2", "-w", workspace, "--reason", "asked")
    assert blocked.exit_code == 0, blocked.output
    result = cli("pair", "-w", workspace, "--add", "P2", "P1")
    assert result.exit_code == 2
    assert "cannot pair P2 with P1" in result.stderr and "--force" not in result.stderr


def test_factors_against_are_marked_and_rules_are_named(workspace: Path, cli) -> None:
    csv_file = write_csv(
        workspace / "people.csv",
        "Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company\n"
        "meg@example.org,Meg O,Mentor,50,,Networking,English,UTC-9,2,Acme\n"
        "ann@example.org,Ann B,Mentee,30,Networking,,English,UTC+1,,Initech\n"
        "raj@example.org,Raj L,Mentor,45,,Career change,English,UTC,1,Globex\n"
        "bo@example.org,Bo C,Mentee,28,Career change,,English,UTC,,Globex\n",
    )
    assert cli("import-signups", csv_file, "-w", workspace).exit_code == 0
    path = _yaml(workspace)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["matching"]["rules"]["different_organisation"] = True
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = cli("pair", "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    import json

    plan = json.loads(result.stdout)
    (pair,) = plan["pairs"]
    assert "time zones 10 h apart" in pair["against"]
    assert not any("apart" in reason for reason in pair["reasons"])
    (waiting,) = plan["unmatched"]
    assert waiting["mentee"] == "P4"
    assert waiting["code"] == "ruled_out"
    assert re.fullmatch(
        r"the mentors who would suit them \(best score \d\.\d\d\) are ruled out by "
        r"same organisation \(rules\.different_organisation\)",
        waiting["reason"],
    ), waiting["reason"]


def test_the_negative_flag_can_be_turned_back(cli) -> None:
    help_text = cli("checkin", "--help").stdout
    assert "--no-wrapup / --wrapup" in help_text and "[default: wrapup]" not in help_text


def test_dry_run_is_refused_where_nothing_would_be_written(workspace: Path, cli) -> None:
    proposing = cli("pair", "-w", workspace, "--dry-run")
    assert proposing.exit_code == 2
    assert "--dry-run only applies with --commit" in proposing.stderr
    reporting = cli("report", "-w", workspace, "--dry-run")
    assert reporting.exit_code == 2
    assert "--dry-run only applies with --out FILE" in reporting.stderr
