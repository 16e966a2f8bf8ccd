"""Issue 12, email items: header injection through encoded words, unusable and non-NFC
addresses, the template sandbox and symlinks, and messages that could echo an address."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import unicodedata
from pathlib import Path

import pytest
from helpers import PROGRAM, people, read_store, write_csv
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
    use_smtp,
)

from mentorctl.mail import delivery, headers

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
