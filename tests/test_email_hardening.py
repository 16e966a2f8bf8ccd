"""Issue 12, email items: header injection through encoded words, unusable and non-NFC
addresses, the template sandbox and symlinks, and messages that could echo an address."""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import json
import mailbox
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from helpers import PROGRAM, people, read_store, write_csv
from imap_server import DovecotServer, dovecot_fixture  # noqa: F401  (fixture)
from messages_fixtures import (  # noqa: F401  (fixtures)
    IDS,
    SMALL,
    Collector,
    EphemeralController,
    edit_template,
    introduced_fixture,
    messages,
    outbox_files,
    paired_fixture,
    pairs,
    parse_eml,
    program_dir,
    smtp_ready_fixture,
    smtp_server_fixture,
    store_path,
    table,
    use_smtp,
)
from replies_corpus import message, with_big_attachment
from test_checkin_replies import (
    READ_DAY,
    WEEK2_DAY,
    answers_by,
    as_reply,
    maildir_of,
    replies,
    sent_ids,
    snapshot,
)

from mentorctl.checkins.answers import NOTE_LIMIT
from mentorctl.mail import bounded, delivery, headers

B64_BODY = base64.b64encode(b"x\r\n\r\nHello from the attacker").decode("ascii")
INJECTIONS = {
    "reply-to": "=?utf-8?q?x=0D=0AReply-To:_attacker@evil.example?=",
    "bcc": "=?utf-8?q?x=0D=0ABcc:_victim@evil.example?=",
    "bare-lf": "=?utf-8?q?x=0ATo:_victim@evil.example?=",
    "base64-body": f"=?utf-8?b?{B64_BODY}?=",
    "quoted": '"=?utf-8?q?x=0D=0ACc:_victim@evil.example?=" Smith',
}
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


def _rename(workspace: Path, person: str, name: str) -> None:
    data = read_store(store_path(workspace))
    for doc in data["people"].values():
        if doc["id"] == person:
            doc["name"] = name
            doc.pop("first_name", None)
    store_path(workspace).write_text(json.dumps(data), encoding="utf-8")


def _reply_to(workspace: Path) -> None:
    from messages_fixtures import edit_program

    edit_program(workspace, lambda d: d["sender"].update(reply_to="help@example.org"))


# -- item 1: header injection -------------------------------------------------------------


@pytest.mark.parametrize("name", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_encoded_words_in_a_name_add_no_header(paired: Path, cli, name: str) -> None:
    _reply_to(paired)
    _rename(paired, IDS["ann"], name)
    preview = cli("introduce", "--preview", "-w", paired)
    assert preview.exit_code == 0, preview.output
    assert "===== pair M1: intro to" in preview.stdout
    result = cli("introduce", "-w", paired)
    assert result.exit_code == 0, result.output
    for path in outbox_files(paired):
        msg = parse_eml(path.read_bytes())
        assert list(msg.keys()) == INTRO_HEADERS, path.name
        assert msg["Reply-To"] == "Career Mentoring Team <help@example.org>"
        assert msg.defects == []
        assert msg.get_body(("plain",)).get_content().startswith("Hello ")
    m1 = parse_eml((program_dir(paired) / "outbox/M1-intro.eml").read_bytes())
    assert [a.addr_spec for a in m1["To"].addresses] == ["ann@example.org", "meg@example.org"]
    first = name.split()[0]
    assert m1["Subject"] == f"Meet your Test Program match: {first} and Meg"  # shown as written
    assert "evil.example" not in "".join(a.addr_spec for a in m1["To"].addresses)


def _built(subject: str = "Hello") -> tuple:
    sender = headers.make_address("Team", "team@example.org", who="sender")
    to = [
        headers.make_address("Ann", "ann@example.org", who="P3"),
        headers.make_address("Meg", "meg@example.org", who="P1"),
    ]
    msg = headers.build_email(
        headers.Rendered(subject, "Body\n", None),
        sender=sender,
        to=to,
        reply_to=None,
        date=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
        msg_id="<a.M1.intro0.all@example.org>",
    )
    return msg, sender, to


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.replace(b"Subject: Hello\r\n", b"Subject: Hello\r\nBcc: x@evil.example\r\n"),
        lambda d: d.replace(b"Subject: Hello\r\n", b"Subject: Hello\r\n\r\n"),
        lambda d: d.replace(b"Meg <meg@example.org>", b"Meg <meg@example.org>, x@evil.example"),
        lambda d: d.replace(b"Subject: Hello", b"Subject: Hullo"),
        lambda d: d.replace(b"Ann <ann@", b"=?utf-8?q?A=0D=0A?= <ann@"),
    ],
    ids=["added-header", "ended-headers", "added-recipient", "other-subject", "crlf-name"],
)
def test_verify_refuses_a_message_that_is_not_what_was_built(tamper) -> None:
    msg, sender, to = _built()
    data = msg.as_bytes()
    check = dict(sender=sender, to=to, reply_to=None, subject="Hello", what="pair M1's intro")
    headers.verify_email(msg, data, **check)  # as built: fine
    tampered = tamper(data)
    assert tampered != data
    with pytest.raises(headers.MessageRefused, match=r"^pair M1's intro was refused: "):
        headers.verify_email(msg, tampered, **check)


def test_a_refused_message_is_neither_written_nor_sent_and_the_rest_go(
    paired: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an email package that lets a header through would do (Python 3.11.7 and 3.12.1
    did): only the message it touched is refused, with one line naming the pair."""
    real = headers.build_email

    def leaky(rendered, **kwargs):
        msg = real(rendered, **kwargs)
        if any(a.addr_spec == "ann@example.org" for a in kwargs["to"]):
            msg["Bcc"] = "victim@evil.example"
        return msg

    monkeypatch.setattr(headers, "build_email", leaky)
    result = cli("introduce", "-w", paired)
    assert result.exit_code == 4, result.output
    assert (
        "warning: the intro message of pair M1 was refused: its headers are not the ones it "
        "was built with; it was not written or sent"
    ) in " ".join(result.stderr.split())
    assert "@" not in result.stderr
    assert [f.name for f in outbox_files(paired)] == ["M2-intro.eml"]
    status = {m["pair"]: m["status"] for m in messages(paired)}
    assert status == {"M1": "failed", "M2": "written"}


# -- item 2: unusable addresses -----------------------------------------------------------


def test_an_address_with_a_control_character_is_rejected_at_import(workspace: Path, cli) -> None:
    csv = SMALL.replace("bo@example.org", "bo\x01@example.org").replace(
        "cy@example.org", "cy\u200b@example.org"
    )
    result = cli("import-signups", write_csv(workspace / "s.csv", csv), "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["imported"] == 3 and data["rejected"] == 2
    reasons = {(r["row"], r["field"], r["reason"]) for r in data["rejects"]}
    assert reasons == {
        (5, "email", "holds a control character"),
        (6, "email", "holds a control character"),
    }
    assert "bo" not in result.stderr
    emails = {p["email"] for p in people(workspace / PROGRAM / "data" / "store.json")}
    assert emails == {"meg@example.org", "raj@example.org", "ann@example.org"}


# -- item 3: NFC ----------------------------------------------------------------------------


def test_composed_and_decomposed_addresses_are_one_person(workspace: Path, cli) -> None:
    composed = unicodedata.normalize("NFC", "josé@example.org")
    decomposed = unicodedata.normalize("NFD", "josé@example.org")
    assert composed != decomposed
    head = SMALL.splitlines()[0]
    first = f"{head}\n{composed},José Mentee,Mentee,30,Networking,,English,UTC,,Acme\n"
    second = f"{head}\n{decomposed},José Mentee,Mentee,30,Networking,,English,UTC,,Acme\n"
    store = workspace / PROGRAM / "data" / "store.json"
    assert (
        cli("import-signups", write_csv(workspace / "a.csv", first), "-w", workspace).exit_code == 0
    )
    again = cli("import-signups", write_csv(workspace / "b.csv", second), "-w", workspace)
    assert again.exit_code == 0, again.output
    assert [p["email"] for p in people(store)] == [composed]
    both = cli(
        "import-signups",
        write_csv(workspace / "c.csv", first + second.split("\n", 1)[1]),
        "-w",
        workspace,
    )
    assert both.exit_code == 0, both.output
    assert "row 3: same email as row 2" in both.output
    assert len(people(store)) == 1


def test_an_address_stored_decomposed_is_found_by_its_composed_form(workspace: Path, cli) -> None:
    decomposed = unicodedata.normalize("NFD", "josé@example.org")
    head = SMALL.splitlines()[0]
    row = "{},José Mentee,Mentee,30,Networking,,English,UTC,,Acme\n"
    store = workspace / PROGRAM / "data" / "store.json"
    assert (
        cli(
            "import-signups",
            write_csv(workspace / "a.csv", f"{head}\n{row.format('x@example.org')}"),
            "-w",
            workspace,
        ).exit_code
        == 0
    )
    data = read_store(store)
    (doc,) = data["people"].values()
    doc["email"] = decomposed  # as a mentorctl before NFC normalising stored it
    store.write_text(json.dumps(data), encoding="utf-8")
    composed = unicodedata.normalize("NFC", decomposed)
    result = cli(
        "import-signups",
        write_csv(workspace / "b.csv", f"{head}\n{row.format(composed)}"),
        "-w",
        workspace,
    )
    assert result.exit_code == 0, result.output
    assert [p["id"] for p in people(store)] == ["P1"]


# -- item 5: sandbox and symlinks ---------------------------------------------------------


def test_templates_render_in_a_sandbox(paired: Path, cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = edit_template(
        paired,
        "intro.txt.j2",
        lambda t: t + f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}\n",
    )
    result = cli("introduce", "-w", paired)
    assert result.exit_code == 1, result.output
    line = result.stderr.strip().splitlines()[0]
    assert line.startswith(f"mentorctl: error: {path}:")
    assert "is unsafe" in line and "nothing was sent" in line
    assert not marker.exists()
    assert outbox_files(paired) == []


def test_a_template_symlinked_out_of_messages_is_refused(paired: Path, cli, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("the admin's private notes\n")
    link = program_dir(paired) / "messages" / "intro.txt.j2"
    link.unlink()
    link.symlink_to(outside)
    for args in (["introduce"], ["introduce", "--preview"]):
        result = cli(*args, "-w", paired)
        assert result.exit_code == 1, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith(
            f"mentorctl: error: {link}: is a symlink to a file outside the messages folder; refused"
        )
        assert "private notes" not in result.output
    assert outbox_files(paired) == []


def test_a_symlink_inside_messages_is_followed(paired: Path, cli) -> None:
    folder = program_dir(paired) / "messages"
    (folder / "intro.txt.j2").rename(folder / "shared.txt.j2")
    os.symlink("shared.txt.j2", folder / "intro.txt.j2")
    result = cli("introduce", "-w", paired)
    assert result.exit_code == 0, result.output
    assert len(outbox_files(paired)) == 2


# -- item 22: nothing echoes an address ----------------------------------------------------


def test_a_template_error_does_not_echo_an_address(paired: Path, cli) -> None:
    edit_template(paired, "intro.txt.j2", lambda t: t + "{{ mentee.extra[mentee.email] }}\n")
    result = cli("introduce", "-w", paired)
    assert result.exit_code == 1
    assert "'dict object' has no attribute <value> (rendering the intro" in result.stderr
    assert "@" not in result.stderr.replace(str(paired), "")


@pytest.mark.parametrize("key", ["ann@example.org", "Ann Mentee", "x" * 41])
def test_an_answer_key_that_may_be_personal_data_is_not_echoed(
    introduced: Path, cli, key: str
) -> None:
    result = cli(
        "checkin", "-w", introduced, "--record", "M1", "--person", IDS["ann"],
        "--answer", f"{key}=3",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "mentorctl: error: --answer KEY: unknown key (not shown, it may be personal data); "
        "expected KEY=VALUE with KEY one of met, progress, note, fit, feedback\n"
    )


# -- item 4: non-ASCII addresses and a server without SMTPUTF8 -----------------------------


def _non_ascii_people(workspace: Path) -> None:
    """Ann's address gets a non-ASCII local part (only SMTPUTF8 carries it), Bo's a
    non-ASCII domain (IDNA carries it)."""
    data = read_store(store_path(workspace))
    for doc in data["people"].values():
        if doc["id"] == IDS["ann"]:
            doc["email"] = "annë@example.org"
        if doc["id"] == IDS["bo"]:
            doc["email"] = "bo@bücher.example"
    store_path(workspace).write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("smtputf8", [False, True], ids=["without-smtputf8", "with-smtputf8"])
def test_a_non_ascii_address_reaches_whoever_the_server_can_reach(
    paired: Path, cli, smtputf8: bool
) -> None:
    handler = Collector()
    controller = EphemeralController(
        handler, hostname="127.0.0.1", port=0, enable_SMTPUTF8=smtputf8
    )
    controller.start()
    try:
        use_smtp(paired, controller.port)
        _non_ascii_people(paired)
        result = cli("introduce", "--send", "-w", paired, "--json")
    finally:
        controller.stop()
    out = json.loads(result.stdout)
    got = {r.message["Message-ID"].split(".")[1]: r for r in handler.received}
    assert set(got) == {"M1", "M2"}
    if smtputf8:
        assert result.exit_code == 0, result.output
        assert sorted(got["M1"].rcpt_tos) == ["annë@example.org", "meg@example.org"]
        assert sorted(got["M2"].rcpt_tos) == ["bo@bücher.example", "raj@example.org"]
        return
    assert result.exit_code == 4, result.output
    # M1: Meg gets it, addressed to her alone; Ann's address needs SMTPUTF8.
    assert got["M1"].rcpt_tos == ["meg@example.org"]
    assert [a.addr_spec for a in got["M1"].message["To"].addresses] == ["meg@example.org"]
    (m1,) = [m for m in out["messages"] if m["pair"] == "M1"]
    assert m1["status"] == "failed"
    assert m1["errors"] == {IDS["ann"]: delivery.NO_SMTPUTF8}
    assert "ë" not in result.stderr and "@" not in json.dumps(m1["errors"])
    # M2: a non-ASCII domain goes as IDNA, to both.
    assert sorted(got["M2"].rcpt_tos) == ["bo@xn--bcher-kva.example", "raj@example.org"]
    stored = {m["pair"]: m for m in messages(paired)}
    assert stored["M1"]["delivery"][IDS["meg"]]["status"] == "sent"
    assert stored["M1"]["delivery"][IDS["ann"]]["status"] == "failed"
    assert stored["M2"]["status"] == "sent"


def test_checkin_skips_only_the_pair_with_an_unusable_address(introduced: Path, cli) -> None:
    data = read_store(store_path(introduced))
    for doc in data["people"].values():
        if doc["id"] == IDS["raj"]:
            doc["email"] = "raj\x01@example.org"  # as an older mentorctl imported it
    store_path(introduced).write_text(json.dumps(data), encoding="utf-8")
    result = cli("checkin", "-w", introduced, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # the week's message goes to each person of M1 on their own; M2 gets nothing
    assert [(m["pair"], m["kind"], m["week"]) for m in out["messages"]] == [("M1", "weekly", 1)] * 2
    assert out["warnings"] == [
        "pair M2: person P2 has an email address that cannot be used in a message; "
        "its weekly was skipped"
    ]
    assert "raj" not in result.output


def test_invisible_joiners_in_names_are_kept_not_refused(paired: Path, cli) -> None:
    name = (
        "Ann\u200cmarie \U0001f469\u200d\U0001f4bb"  # a Persian-style ZWNJ, an emoji ZWJ sequence
    )
    _rename(paired, IDS["ann"], name)
    result = cli("introduce", "-w", paired)
    assert result.exit_code == 0, result.output
    msg = parse_eml((program_dir(paired) / "outbox/M1-intro.eml").read_bytes())
    assert msg["Subject"] == "Meet your Test Program match: Ann\u200cmarie and Meg"
    assert msg["To"].addresses[0].display_name == name


# -- Message-IDs: a keyed token per recipient ---------------------------------------------


def _key_file(workspace: Path) -> Path:
    return workspace / ".mentorctl" / "message.key"


def test_message_ids_are_keyed_per_recipient_and_the_key_is_private(paired: Path, cli) -> None:
    preview = cli("introduce", "--preview", "-w", paired)
    assert preview.exit_code == 0, preview.output
    assert not _key_file(paired).exists()  # a preview writes nothing
    assert cli("introduce", "-w", paired).exit_code == 0
    # Week 1 comes the day after the introduction.
    assert cli("checkin", "--today", "2026-03-03", "-w", paired).exit_code == 0
    key = _key_file(paired)
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32
    ids = {m["key"]: m["message_id"] for m in messages(paired)}
    week1 = {k: v for k, v in ids.items() if k.startswith("M1/weekly/1/")}
    tokens = {v.strip("<").split(".")[0] for v in week1.values()}
    assert len(week1) == 2 and len(tokens) == 2
    # Not the old unkeyed token, shared by the pair.
    pair = pairs(paired)["M1"]
    assert headers.pair_token("career-circle", pair) not in tokens
    # Another key gives other tokens; the same key, the same ones.
    pair = pairs(paired)["M1"]
    a = headers.message_token(b"k" * 32, "s", pair, "weekly", 1, IDS["ann"])
    assert a == headers.message_token(b"k" * 32, "s", pair, "weekly", 1, IDS["ann"])
    assert a != headers.message_token(b"j" * 32, "s", pair, "weekly", 1, IDS["ann"])
    assert a != headers.message_token(b"k" * 32, "s", pair, "weekly", 1, IDS["meg"])


def test_a_message_key_others_can_read_is_refused(introduced: Path, cli) -> None:
    key = _key_file(introduced)
    assert key.exists()
    key.chmod(0o644)
    before = store_path(introduced).read_bytes()
    result = cli("checkin", "-w", introduced)
    assert result.exit_code != 0
    assert "chmod 600" in result.stderr and result.stderr.count("\n") <= 2
    assert store_path(introduced).read_bytes() == before
    key.chmod(0o600)
    assert cli("checkin", "-w", introduced).exit_code == 0


def test_a_message_keeps_the_message_id_it_was_recorded_with(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    assert cli("introduce", "--send", "-w", workspace).exit_code == 0
    # A store from before keyed tokens: its recorded Message-ID is what a resend carries.
    data = read_store(store_path(workspace))
    old = "<0123456789.M1.intro0.all@circle-mentoring.test>"
    for doc in data["messages"].values():
        if doc["pair"] == "M1":
            doc["message_id"] = old
    store_path(workspace).write_text(json.dumps(data), encoding="utf-8")
    again = cli("introduce", "--send", "--resend", "--pair", "M1", "-w", workspace)
    assert again.exit_code == 0, again.output
    assert server.handler.received[-1].message["Message-ID"] == old


# -- no email stops a run ------------------------------------------------------------------

HOSTILE_MAIL = Path(__file__).parent / "hostile" / "mail"


@pytest.fixture(name="running")
def running_fixture(introduced: Path, cli) -> Path:
    """Week 1's and week 2's messages written to the outbox (as in test_checkin_replies)."""
    for day in ("2026-03-02", WEEK2_DAY):
        result = cli("checkin", "-w", introduced, "--today", day)
        assert result.exit_code == 0, result.output
    return introduced


# Files of the corpus that cannot be read within bounds; every other one is read.
UNREADABLE = {
    "nested_1000_deep.eml": "nested too deep",
    "from_3000_parentheses.eml": "nested too deep",
}
HOSTILE_FILES = sorted(p.name for p in HOSTILE_MAIL.glob("*.eml"))


def _hostile(workspace: Path) -> dict[str, bytes]:
    """The corpus, each a reply from Raj to the week-2 message he was sent."""
    target = sent_ids(workspace)["M2-weekly-w02", "raj"].encode()
    return {
        p.name: p.read_bytes().replace(b"@@IN-REPLY-TO@@", target)
        for p in sorted(HOSTILE_MAIL.glob("*.eml"))
    }


def _maildir_files(box: Path) -> dict[str, str]:
    """Maildir key -> file name, for the messages in new/ and cur/."""
    return {p.name.split(":")[0]: p.name for sub in ("new", "cur") for p in (box / sub).iterdir()}


def test_no_message_of_the_hostile_corpus_stops_the_run_or_the_week(
    running: Path, cli, smtp_server
) -> None:
    use_smtp(running, smtp_server.port)
    # the introductions went to the outbox only: sent now, so the weekly run holds nothing back
    assert cli("introduce", "-w", running, "--send").exit_code == 0
    smtp_server.handler.received.clear()
    hostile = _hostile(running)
    ids = sent_ids(running)
    genuine = as_reply(
        message("1. yes\n2. 5\n3. all good"), "ann", ids["M1-weekly-w02", "ann"], n=1
    )
    box = mailbox.Maildir(running / "Maildir", create=True)
    keys = {box.add(raw): name for name, raw in hostile.items()}
    keys[box.add(genuine.as_bytes())] = "genuine"
    box.close()
    before = snapshot(running / "Maildir")
    result = cli(
        "checkin", "-w", running, "--replies", running / "Maildir", "--send", "--json",
        "--today", "2026-03-16", "--move-to", "Done",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    got = data["replies"]
    order = sorted(keys)  # the Maildir is read in the order of its unique names
    assert got["unreadable"] == [
        {"position": order.index(k) + 1, "key": k, "reason": UNREADABLE[keys[k]]}
        for k in order
        if keys[k] in UNREADABLE
    ]
    assert got["recorded"] == len(keys) - len(UNREADABLE)
    assert got["moved"] == len(keys) - len(UNREADABLE)
    # left where it was, byte for byte; everything else was moved
    left = snapshot(running / "Maildir")
    assert {k for k in left if k.startswith(("new/", "cur/"))} == {
        f"new/{k}" for k in keys if keys[k] in UNREADABLE
    }
    assert all(left[name] == before[name] for name in left if name in before)
    # the week's messages still went out, to all four people
    assert sorted(m["pair"] for m in data["run"]["messages"]) == ["M1", "M1", "M2", "M2"]
    assert len(smtp_server.handler.received) == 4
    assert answers_by(running)[("M1", IDS["ann"], 2)]["answers"]["progress"] == 5
    assert answers_by(running)[("M2", IDS["raj"], 2)]["answers"]["met"] == "yes"
    # the store is still a store: a second run reads it, and lists the message again
    again = replies(cli, running, running / "Maildir")
    assert [x["reason"] for x in again["unreadable"]] == list(UNREADABLE.values())


def test_an_unreadable_message_is_listed_by_position_never_by_content(running: Path, cli) -> None:
    secret = b"Subject: my-secret-subject\n"
    deep = _hostile(running)["nested_1000_deep.eml"].replace(b"Subject: Re: week 2\n", secret)
    box = maildir_of(running / "Maildir", [deep])
    before = store_path(running).read_bytes()
    result = cli("checkin", "-w", running, "--replies", box, "--today", READ_DAY)
    assert result.exit_code == 0, result.output
    assert "1 unreadable (left where they are)" in result.stdout
    assert "nested too deep" in result.stdout
    for word in ("my-secret-subject", "raj", "hostile-1"):
        assert word not in result.output
    assert store_path(running).read_bytes() != b""  # a valid store; nothing recorded
    assert table(running, "answers") == [] and before


@pytest.mark.parametrize("name", sorted(set(HOSTILE_FILES) - set(UNREADABLE)))
def test_each_hostile_reply_is_read_as_far_as_it_can_be(running: Path, cli, name: str) -> None:
    box = maildir_of(running / "Maildir", [_hostile(running)[name]])
    data = replies(cli, running, box)
    assert (data["recorded"], data["unreadable"]) == (1, [])
    answers = answers_by(running)[("M2", IDS["raj"], 2)]["answers"]
    assert answers["met"] == "yes"
    if name != "value_superscript_digit.eml":  # "2. ⁴" is not a number from 1 to 5
        assert answers["progress"] == 4


def test_a_reply_dated_in_year_9000_does_not_outrank_a_later_one(running: Path, cli) -> None:
    ids = sent_ids(running)
    to = ids["M1-weekly-w02", "ann"]
    early = as_reply(message("1. no\n2. 1"), "ann", to, n=1)
    early.replace_header("Date", "Mon, 10 Mar 9000 09:00:00 +0000")
    assert replies(cli, running, maildir_of(running / "A", [early]))["recorded"] == 1
    later = as_reply(message("1. yes\n2. 4"), "ann", to, n=2, day=11)
    data = replies(cli, running, maildir_of(running / "B", [later]), "--today", "2026-03-12")
    assert [x["status"] for x in data["listed"]] == ["replaced"]
    assert answers_by(running)[("M1", IDS["ann"], 2)]["answers"] == {"met": "yes", "progress": 4}
    assert {r["date"][:4] for r in table(running, "replies")} == {"2026"}


def test_dates_that_overflow_are_undated_and_the_run_goes_on(running: Path, cli) -> None:
    ids = sent_ids(running)
    msgs = []
    for n, date in enumerate(
        ["Fri, 31 Dec 9999 23:59:59 -1200", "Mon, 1 Jan 0001 00:00:00 +1400",
         "Tue, 10 Mar 2026 09:00:00 -99999999999999999999", "Tue, 10 Mar 2026 09:00:00 +9959"]
    ):  # fmt: skip
        raw = as_reply(message("1. yes"), "ann", ids["M1-weekly-w02", "ann"], n=n).as_bytes()
        # written as bytes: the email package itself refuses to build such a header
        msgs.append(re.sub(rb"(?m)^Date: .*$", b"Date: " + date.encode(), raw, count=1))
    data = replies(cli, running, maildir_of(running / "Maildir", msgs))
    assert (data["recorded"], data["unreadable"]) == (4, [])


# -- arguments checked before any work --------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "imaps:/user:Pw-secret-9@host/INBOX",
        "imaps:user:Pw-secret-9@host",
        "user:Pw-secret-9@host/INBOX",
    ],
)
def test_a_source_that_looks_like_a_url_is_refused_without_echoing_it(
    running: Path, cli, source: str
) -> None:
    before = store_path(running).read_bytes()
    result = cli("checkin", "-w", running, "--replies", source, "--today", READ_DAY)
    assert result.exit_code in (1, 2)
    assert "Pw-secret-9" not in result.output and "user" not in result.stderr
    assert result.stderr.startswith("mentorctl: error: the reply ")
    assert store_path(running).read_bytes() == before


@pytest.mark.parametrize("folder", ["../../etc", "", ".hidden", "a/b"])
def test_move_to_is_checked_before_anything_is_recorded(running: Path, cli, folder: str) -> None:
    ids = sent_ids(running)
    box = maildir_of(
        running / "Maildir", [as_reply(message("1. yes"), "ann", ids["M1-weekly-w02", "ann"], n=1)]
    )
    before = (store_path(running).read_bytes(), snapshot(box))
    result = cli(
        "checkin", "-w", running, "--replies", box, "--move-to", folder, "--today", READ_DAY
    )
    assert result.exit_code == 2, result.output
    assert "as a mail folder name" in result.stderr
    assert (store_path(running).read_bytes(), snapshot(box)) == before


# -- bounds: size, parts, notes ---------------------------------------------------------------


def test_a_file_over_the_size_limit_is_listed_and_not_read(running: Path, cli) -> None:
    ids = sent_ids(running)
    box = maildir_of(
        running / "Maildir", [as_reply(message("1. yes"), "ann", ids["M1-weekly-w02", "ann"], n=1)]
    )
    huge = box / "new" / "9999999999.M1P1.stranger"
    with huge.open("wb") as f:  # sparse: the size is there, the bytes cost nothing
        f.write(b"From: stranger@example.net\n\n")
        f.truncate(bounded.MAX_MESSAGE + 1)
    data = replies(cli, running, box)
    assert data["recorded"] == 1
    assert data["unreadable"] == [
        {"position": 2, "key": "9999999999.M1P1.stranger", "reason": "too large"}
    ]
    assert huge.stat().st_size == bounded.MAX_MESSAGE + 1


def test_a_message_of_a_hundred_thousand_parts_is_unreadable(running: Path, cli) -> None:
    ids = sent_ids(running)
    head = as_reply(message("x"), "ann", ids["M1-weekly-w02", "ann"], n=1)
    del head["Content-Type"], head["Content-Transfer-Encoding"]
    head["Content-Type"] = "multipart/mixed; boundary=b"
    parts = b"--b\nContent-Type: text/plain\n\n1. yes\n" * 100_000
    raw = head.as_bytes().split(b"\n\n", 1)[0] + b"\n\n" + parts + b"--b--\n"
    data = replies(cli, running, maildir_of(running / "Maildir", [raw]))
    assert [x["reason"] for x in data["unreadable"]] == ["too many parts"]


def test_a_week_note_stops_growing_and_the_rest_is_counted(running: Path, cli) -> None:
    ids = sent_ids(running)
    start = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
    msgs = []
    for n in range(60):
        msg = as_reply(
            message(f"reply {n}: " + "words " * 200), "ann", ids["M1-weekly-w02", "ann"], n=n
        )
        msg.replace_header("Date", email.utils.format_datetime(start + dt.timedelta(minutes=n)))
        msgs.append(msg)
    data = replies(cli, running, maildir_of(running / "Maildir", msgs))
    assert data["recorded"] == 60
    note = answers_by(running)[("M1", IDS["ann"], 2)]["answers"]["note"]
    assert 15_000 < len(note) <= NOTE_LIMIT
    full = [x for x in data["listed"] if x["status"] == "note_full"]
    kept = note.count("reply ")
    assert full == [
        {
            "pair": "M1",
            "week": 2,
            "person": IDS["ann"],
            "status": "note_full",
            "detail": f"{60 - kept} reply note(s) not added: the week's note is full",
            "position": None,
        }
    ]


# Runs one command; prints its exit code and peak resident memory (KiB), then its output.
PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True)\n"
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.stdout.write(done.stdout.decode())\n"
)


def _peak_rss(workspace: Path, box: Path) -> tuple[int, dict]:
    cmd = [sys.executable, "-m", "mentorctl", "checkin", "-w", str(workspace), "--replies",
           str(box), "--json", "--dry-run", "--today", READ_DAY]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *cmd], capture_output=True, text=True, check=True
    )
    first, _, rest = done.stdout.partition("\n")
    code, kib = (int(x) for x in first.split())
    assert code == 0, done.stderr
    return kib, json.loads(rest)


def test_a_50_mb_attachment_takes_about_the_memory_of_an_empty_run(running: Path) -> None:
    ids = sent_ids(running)
    empty = maildir_of(running / "Empty", [])
    msg = as_reply(with_big_attachment(), "ann", ids["M1-weekly-w02", "ann"], n=1)
    full = maildir_of(running / "Full", [msg])
    with (full / "new" / "9999999999.M1P1.stranger").open("wb") as f:
        f.write(b"From: stranger@example.net\n\n")
        f.truncate(300 * 1024 * 1024)  # sparse
    base, _ = _peak_rss(running, empty)
    kib, data = _peak_rss(running, full)
    assert data["recorded"] == 1
    assert [x["reason"] for x in data["unreadable"]] == ["too large"]
    assert kib / base < 2, f"{kib / 1024:.0f} MiB against {base / 1024:.0f} MiB for no mail"


def test_imap_an_unreadable_message_is_listed_and_left_in_the_folder(
    running: Path, cli, dovecot: DovecotServer, monkeypatch
) -> None:
    ids = sent_ids(running)
    genuine = as_reply(message("1. yes\n2. 5"), "ann", ids["M1-weekly-w02", "ann"], n=1)
    user = dovecot.new_user()
    client = dovecot.connect(user)
    try:
        for raw in (_hostile(running)["nested_1000_deep.eml"], genuine.as_bytes()):
            assert client.append("INBOX", None, None, raw.replace(b"\n", b"\r\n"))[0] == "OK"
    finally:
        client.logout()
    monkeypatch.setenv("MENTORCTL_IMAP_PASSWORD", dovecot.password)
    data = replies(
        cli, running, dovecot.url(user), "--cafile", str(dovecot.cafile), "--move-to", "Done"
    )
    assert data["unreadable"] == [{"position": 1, "key": "1", "reason": "nested too deep"}]
    assert (data["recorded"], data["moved"]) == (1, 1)
    client = dovecot.connect(user)
    try:
        assert client.select("INBOX", readonly=True)[1] == [b"1"]
    finally:
        client.logout()


def test_a_year_9000_date_stored_by_an_earlier_version_is_clamped(running: Path, cli) -> None:
    ids = sent_ids(running)
    to = ids["M1-weekly-w02", "ann"]
    early = as_reply(message("1. no\n2. 1"), "ann", to, n=1)
    assert replies(cli, running, maildir_of(running / "A", [early]))["recorded"] == 1
    data = read_store(store_path(running))
    for doc in data["replies"].values():
        doc["date"] = "9000-03-10T09:00:00+00:00"  # as a run before the clamp recorded it
    store_path(running).write_text(json.dumps(data), encoding="utf-8")
    later = as_reply(message("1. yes\n2. 4"), "ann", to, n=2, day=11)
    data = replies(cli, running, maildir_of(running / "B", [later]), "--today", "2026-03-12")
    assert [x["status"] for x in data["listed"]] == ["replaced"]
    assert answers_by(running)[("M1", IDS["ann"], 2)]["answers"] == {"met": "yes", "progress": 4}
