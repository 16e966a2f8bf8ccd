"""mentorctl introduce: preview, outbox, pair status, modes, strict templates, privacy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import read_store
from messages_fixtures import (  # noqa: F401  (fixtures)
    IDS,
    PAIR_PEOPLE,
    edit_program,
    edit_template,
    messages,
    outbox_files,
    paired_fixture,
    pairs,
    parse_eml,
    program_dir,
    store_path,
)

from mentorctl.cli.app import app


def test_introduce_and_checkin_are_registered_with_help(cli) -> None:
    names = {c.name for c in app.registered_commands}
    assert {"introduce", "checkin"} <= names
    for command in ("introduce", "checkin"):
        result = cli(command, "--help")
        assert result.exit_code == 0, result.output
        assert f"Example: mentorctl {command}" in result.stdout
        for option in ("--json", "--dry-run", "--today", "--workspace", "--program", "--send"):
            assert option in result.stdout, (command, option)


def test_preview_shows_one_message_per_pair_and_writes_nothing(paired: Path, cli) -> None:
    before = store_path(paired).read_bytes()
    result = cli("introduce", "--preview", "-w", paired)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("===== pair ") == 2
    assert "===== pair M1: intro to P3, P1 (and an HTML version) =====" in result.stdout
    assert "Subject: Meet your Test Program match: Ann and Meg" in result.stdout
    assert "Subject: Meet your Test Program match: Bo and Raj" in result.stdout
    assert "Preview only" in result.stderr
    assert store_path(paired).read_bytes() == before
    assert not (program_dir(paired) / "outbox").exists()
    data = json.loads(cli("introduce", "--preview", "--json", "-w", paired).stdout)
    assert [p["pair"] for p in data["previews"]] == ["M1", "M2"]
    assert data["previews"][0]["text"].startswith("From: Career Mentoring Team")


def test_preview_does_not_mix_with_sending(paired: Path, cli) -> None:
    result = cli("introduce", "--preview", "--send", "-w", paired)
    assert result.exit_code == 2
    assert "--preview" in result.stderr


def test_dry_run_writes_nothing(paired: Path, cli) -> None:
    before = store_path(paired).read_bytes()
    result = cli("introduce", "--dry-run", "-w", paired)
    assert result.exit_code == 0, result.output
    assert "would be written" in result.stdout and "would write" in result.stdout
    assert store_path(paired).read_bytes() == before
    assert outbox_files(paired) == []


def test_introduce_writes_the_outbox_and_activates_pairs(paired: Path, cli) -> None:
    result = cli("introduce", "-w", paired)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "introduce 2026-03-02 (outbox): 2 message(s) (2 introduction) written; 2 pair(s) introduced"
    )
    assert [f.relative_to(program_dir(paired)).as_posix() for f in outbox_files(paired)] == [
        "outbox/M1-intro.eml",
        "outbox/M2-intro.eml",
    ]
    for pair_id, pair in pairs(paired).items():
        assert pair["status"] == "active" and pair["start_date"] == "2026-03-02"
        assert pair["history"][-1]["note"] == "introduced"
        msg = parse_eml((program_dir(paired) / f"outbox/{pair_id}-intro.eml").read_bytes())
        assert {a.addr_spec for a in msg["To"].addresses} == PAIR_PEOPLE[pair_id]
    docs = messages(paired)
    assert [(m["id"], m["key"], m["status"]) for m in docs] == [
        ("E1", "M1/intro/0/all", "written"),
        ("E2", "M2/intro/0/all", "written"),
    ]
    assert docs[0]["to"] == [IDS["ann"], IDS["meg"]]
    again = cli("introduce", "-w", paired, "--json")
    assert json.loads(again.stdout)["messages"] == []


def test_no_message_names_a_third_participant(paired: Path, cli) -> None:
    assert cli("introduce", "-w", paired).exit_code == 0
    assert cli("checkin", "-w", paired).exit_code == 0
    everyone = set().union(*PAIR_PEOPLE.values()) | {"cy@example.org"}
    names = {"ann": "Ann", "meg": "Meg", "bo": "Bo", "raj": "Raj", "cy": "Cy"}
    for path in outbox_files(paired):
        pair_id = path.stem.split("-")[0]
        text = path.read_text(encoding="utf-8")
        for address in everyone - PAIR_PEOPLE[pair_id]:
            assert address not in text, (path, address)
            assert f"{names[address.split('@')[0]]} " not in text, (path, address)


def test_start_date_option_and_program_start(paired: Path, cli) -> None:
    result = cli("introduce", "--pair", "M1", "--start", "2026-03-09", "-w", paired)
    assert result.exit_code == 0, result.output
    assert pairs(paired)["M1"]["start_date"] == "2026-03-09"
    assert pairs(paired)["M2"]["status"] == "proposed"
    text = (program_dir(paired) / "outbox/M1-intro.eml").read_text()
    assert "Your first week starts on\r\nMonday, March 9." in text or "on Monday, March 9" in text
    edit_program(paired, lambda d: d.update(start_date="2026-03-16"))
    assert cli("introduce", "-w", paired).exit_code == 0
    assert pairs(paired)["M2"]["start_date"] == "2026-03-16"


def test_an_introduction_promises_no_date_it_cannot_keep(paired: Path, cli) -> None:
    # Started the day it is introduced: week 1 comes with the next run, on no promised date.
    assert cli("introduce", "--pair", "M1", "-w", paired).exit_code == 0
    text = (program_dir(paired) / "outbox/M1-intro.eml").read_text()
    assert "first week starts" not in text, text
    assert "guide follows in the coming" in text.replace("\n", " "), text


def test_unknown_pair_is_a_usage_error(paired: Path, cli) -> None:
    result = cli("introduce", "--pair", "M9", "-w", paired)
    assert result.exit_code == 2
    assert "no pair 'M9'" in result.stderr


def test_separate_mode_sends_one_message_to_each(paired: Path, cli) -> None:
    def separate(data: dict) -> None:
        data["messages"]["intro"]["mode"] = "separate"

    edit_program(paired, separate)
    edit_template(
        paired,
        "intro.txt.j2",
        lambda t: "Dear {{ recipient.first_name }},\n" + t,
    )
    result = cli("introduce", "-w", paired)
    assert result.exit_code == 0, result.output
    files = [f.name for f in outbox_files(paired)]
    assert files == ["M1-intro-P1.eml", "M1-intro-P3.eml", "M2-intro-P2.eml", "M2-intro-P4.eml"]
    msg = parse_eml((program_dir(paired) / "outbox/M1-intro-P1.eml").read_bytes())
    assert [a.addr_spec for a in msg["To"].addresses] == ["meg@example.org"]
    assert msg.get_body(("plain",)).get_content().startswith("Dear Meg,")
    ids = {m["message_id"] for m in messages(paired)}
    assert len(ids) == 4  # a Message-ID per recipient's copy


def test_a_template_error_stops_before_anything_is_written(paired: Path, cli) -> None:
    path = edit_template(
        paired,
        "intro.txt.j2",
        lambda t: t.replace("Welcome to {{ program.name }}!", "{{ progam.name }}"),
    )
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "progam" in text)
    before = store_path(paired).read_bytes()
    result = cli("introduce", "-w", paired)
    assert result.exit_code == 1
    assert f"intro.txt.j2:{line}: 'progam' is undefined" in result.stderr
    assert "pair M1" in result.stderr
    assert store_path(paired).read_bytes() == before
    assert not (program_dir(paired) / "outbox").exists()
    preview = cli("introduce", "--preview", "-w", paired)
    assert preview.exit_code == 1 and "'progam' is undefined" in preview.stderr


def test_an_unusable_address_skips_its_pair_only(paired: Path, cli) -> None:
    data = read_store(store_path(paired))
    for doc in data["people"].values():
        if doc["id"] == IDS["raj"]:
            doc["email"] = "raj@example.org\r\nBcc: evil@example.com"
    store_path(paired).write_text(json.dumps(data), encoding="utf-8")
    result = cli("introduce", "-w", paired, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["introduced"] == ["M1"]
    assert [m["pair"] for m in out["messages"]] == ["M1"]
    assert out["warnings"] == [
        "pair M2: person P2 has an email address that cannot be used in a message; "
        "its intro was skipped"
    ]
    assert "raj@" not in result.output and "evil" not in result.output
    assert {p: d["status"] for p, d in pairs(paired).items()} == {"M1": "active", "M2": "proposed"}
    assert [f.name for f in outbox_files(paired)] == ["M1-intro.eml"]


def test_names_with_line_breaks_add_no_header(paired: Path, cli) -> None:
    data = read_store(store_path(paired))
    for doc in data["people"].values():
        if doc["id"] == IDS["ann"]:
            doc["name"] = "Ann\r\nBcc: evil@example.com\r\n\r\nInjected body"
    store_path(paired).write_text(json.dumps(data), encoding="utf-8")
    edit_program(paired, lambda d: d["messages"]["intro"].update(subject="Hi {{ mentee.name }}\n"))
    assert cli("introduce", "-w", paired).exit_code == 0
    msg = parse_eml((program_dir(paired) / "outbox/M1-intro.eml").read_bytes())
    assert msg["Bcc"] is None
    assert msg["Subject"] == "Hi Ann Bcc: evil@example.com Injected body"
    assert [a.addr_spec for a in msg["To"].addresses] == ["ann@example.org", "meg@example.org"]


@pytest.mark.parametrize("option", ["--limit", "--pair"])
def test_limit_and_pair_choose_what_is_introduced(paired: Path, cli, option: str) -> None:
    value = "1" if option == "--limit" else "M2"
    result = cli("introduce", option, value, "-w", paired, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["introduced"] == (["M1"] if option == "--limit" else ["M2"])
    assert data["left"] == (1 if option == "--limit" else 0)
