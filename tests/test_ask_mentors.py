"""pair --ask-mentors: proposals kept apart until the mentor answers, one message per mentor."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from asks_support import (
    COMPANIES,
    DAY,
    SURNAMES,
    P,
    ask_file,
    ask_text,
    imported,
    ok,
    proposals,
    table,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from messages_fixtures import (  # noqa: F401  (fixtures)
    outbox_files,
    parse_eml,
    smtp_server_fixture,
    store_path,
    use_smtp,
)

from mentorctl.matching import proposals as asks


def test_dry_run_writes_nothing(workspace: Path, cli) -> None:
    imported(workspace, cli)
    before = store_path(workspace).read_bytes()
    dry = ok(cli, "pair", "--ask-mentors", "--dry-run", "-w", workspace, "--today", DAY)
    assert [(d["mentee"], d["mentor"]) for d in dry["asked"]] == [
        (P["ann"], P["meg"]), (P["dee"], P["meg"]), (P["bo"], P["raj"]),
    ]  # fmt: skip
    assert [m["status"] for m in dry["run"]["messages"]] == ["would write", "would write"]
    assert store_path(workspace).read_bytes() == before
    assert outbox_files(workspace) == []


def test_each_mentor_gets_one_message_and_nothing_is_paired(workspace: Path, cli) -> None:
    imported(workspace, cli)
    done = ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", DAY)
    assert {(m["to"][0], m["kind"], m["week"]) for m in done["run"]["messages"]} == {
        (P["meg"], "mentor_ask", 1), (P["raj"], "mentor_ask", 1),
    }  # fmt: skip
    assert table(workspace, "pairs") == []
    asked = proposals(workspace)
    assert {k: (d["mentee"], d["mentor"], d["answer"], d["ask"], d["round"])
            for k, d in asked.items()} == {
        "Q1": (P["ann"], P["meg"], None, 1, 1),
        "Q2": (P["dee"], P["meg"], None, 1, 1),
        "Q3": (P["bo"], P["raj"], None, 1, 1),
    }  # fmt: skip
    text = ask_text(workspace, "meg")
    assert text.startswith("Test Program: would you mentor them?\nHello Meg,")
    assert "1. Ann, who would like to work on Career change and Networking" in text
    assert "2. Dee, who would like to work on Career change" in text
    assert "you share an interest in Career change" in text
    assert '"1 yes, 2 no"' in text and "never told who said no" in text
    raj = ask_text(workspace, "raj")
    assert "1. Bo" in raj and "reply to this email with yes or no." in raj
    for body in (text, raj):  # nothing private of the mentees
        assert "@example.org" not in body.split("\n", 1)[1]
        assert not [w for w in (*SURNAMES, *COMPANIES) if w in body]
    msg = parse_eml(ask_file(workspace, "meg").read_bytes())
    assert msg["To"] == "Meg Mentorova <meg@example.org>"
    assert "Cy" not in text + raj  # no mentor suits Cy: nobody is asked about her


def test_cron_asks_once_and_a_waiting_proposal_holds_its_people(workspace: Path, cli) -> None:
    imported(workspace, cli)
    ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", DAY)
    files = {p.name: p.read_bytes() for p in outbox_files(workspace)}
    for day in ("2026-03-03", "2026-03-04"):
        again = ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", day)
        assert again["asked"] == [] and again["run"]["messages"] == []
    assert {p.name: p.read_bytes() for p in outbox_files(workspace)} == files
    assert len(proposals(workspace)) == 3
    # a plain run proposes none of them elsewhere, and lists them apart with their age
    plan = ok(cli, "pair", "-w", workspace, "--today", "2026-03-09")
    assert plan["pairs"] == []
    assert [u["mentee"] for u in plan["unmatched"]] == [P["cy"]]
    assert [(r["id"], r["days"], r["asked"]) for r in plan["asked_waiting"]] == [
        ("Q1", 7, DAY), ("Q2", 7, DAY), ("Q3", 7, DAY),
    ]  # fmt: skip
    text = cli("pair", "-w", workspace, "--today", "2026-03-09")
    assert "Waiting for the mentor's answer" in text.stdout and "Q3" in text.stdout
    # a plain commit saves none of them either
    saved = ok(cli, "pair", "--commit", "-w", workspace, "--today", "2026-03-09")
    assert saved["committed"]["pairs"] == []
    assert table(workspace, "pairs") == []


def test_withdrawn_and_expired_proposals(workspace: Path, cli) -> None:
    imported(workspace, cli)
    ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", DAY)
    dry = ok(cli, "pair", "--withdraw-ask", "bo@example.org", "--dry-run", "-w", workspace)
    assert [d["id"] for d in dry["proposals"]] == ["Q3"] and proposals(workspace)["Q3"][
        "answer"
    ] is None
    ok(cli, "pair", "--withdraw-ask", "Q3", "-w", workspace, "--today", "2026-03-03")
    assert proposals(workspace)["Q3"]["answer"] == "withdrawn"
    # a withdrawn proposal frees its people: Raj may be asked about Bo again, in a new ask
    again = ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", "2026-03-03")
    assert [(d["id"], d["mentee"], d["mentor"], d["ask"]) for d in again["asked"]] == [
        ("Q4", P["bo"], P["raj"], 2)
    ]
    assert ask_file(workspace, "raj", 2).exists()
    bad = cli("pair", "--withdraw-ask", "Q3", "-w", workspace)
    assert bad.exit_code == 2 and "no proposal Q3 is waiting" in bad.stderr
    # nobody answers for long: expired, and that mentor is not proposed for them again
    none = ok(cli, "pair", "--expire-asks", "14", "-w", workspace, "--today", "2026-03-10")
    assert none["proposals"] == []
    gone = ok(cli, "pair", "--expire-asks", "7", "-w", workspace, "--today", "2026-03-10")
    assert [d["id"] for d in gone["proposals"]] == ["Q1", "Q2"]
    plan = ok(cli, "pair", "-w", workspace, "--today", "2026-03-10")
    assert (P["ann"], P["meg"]) not in {(p["mentee"], p["mentor"]) for p in plan["pairs"]}
    assert P["meg"] not in {p["mentor"] for p in plan["pairs"]}
    assert [r["id"] for r in plan["asked_waiting"]] == ["Q4"]


def test_options_that_do_not_go_together(workspace: Path, cli) -> None:
    imported(workspace, cli)
    for args, words in (
        (("--ask-mentors", "--commit"), "saves no pairs"),
        (("--send",), "--send goes with --shortlist or --ask-mentors"),
        (("--ask-mentors", "--add", "P3", "P1"), "choose one action"),
        (("--expire-asks", "0"), "1 or more"),
    ):
        result = cli("pair", *args, "-w", workspace)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr, (args, result.stderr)


def test_send_delivers_once_and_retries_a_refused_one(workspace: Path, cli, smtp_server) -> None:
    imported(workspace, cli)
    use_smtp(workspace, smtp_server.port)
    smtp_server.handler.refusal = "450 4.2.1"  # a temporary refusal: tried again later
    smtp_server.handler.refuse = {"raj@example.org"}
    first = cli("pair", "--ask-mentors", "--send", "--json", "-w", workspace, "--today", DAY)
    assert first.exit_code == 4, first.output  # a delivery failed
    got = [r.rcpt_tos for r in smtp_server.handler.received]
    assert got == [["meg@example.org"]]
    smtp_server.handler.refuse = set()
    again = ok(cli, "pair", "--ask-mentors", "--send", "-w", workspace, "--today", "2026-03-03")
    assert again["asked"] == []
    assert [(m["to"], m["status"]) for m in again["run"]["messages"]] == [([P["raj"]], "sent")]
    third = ok(cli, "pair", "--ask-mentors", "--send", "-w", workspace, "--today", "2026-03-04")
    assert third["run"]["messages"] == []
    assert [r.rcpt_tos for r in smtp_server.handler.received] == [
        ["meg@example.org"],
        ["raj@example.org"],
    ]


LANGUAGES = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Preferred language
ana@example.org,Ana Alvarez,Mentee,30,Networking,,"English, Deutsch",UTC,,Initech,English
dora@example.org,Dora Dietrich,Mentor,50,,Networking,"English, Deutsch",UTC,1,Acme,Deutsch
bea@example.org,Bea Blanc,Mentee,30,Career change,,"English, French",UTC,,Hooli,English
fabien@example.org,Fabien Faure,Mentor,50,,Career change,"English, French",UTC,1,Stark,Français
cam@example.org,Cam Costa,Mentee,30,Interview preparation,,"English, Spanish",UTC,,Wayne,English
elena@example.org,Elena Estévez,Mentor,50,,Interview preparation,"English, Spanish",UTC,1,Globex,Español
"""
HELLO = {"dora": ("Hallo Dora,", "ja oder nein", "Möchtest du"),
         "fabien": ("Bonjour Fabien,", "par oui ou par non", "accepteriez-vous"),
         "elena": ("Hola, Elena:", "con sí o no", "¿te gustaría")}  # fmt: skip


def test_each_mentor_is_asked_in_their_language(workspace: Path, cli) -> None:
    imported(workspace, cli, LANGUAGES)
    ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", DAY)
    for mentor, (hello, answer, subject) in HELLO.items():
        path = workspace / "test-program" / "outbox" / f"mentor_ask-{_id(workspace, mentor)}-1.eml"
        msg = parse_eml(path.read_bytes())
        body = msg.get_body(("plain",)).get_content()
        assert body.startswith(hello) and answer in body, body
        assert subject in str(msg["Subject"]), msg["Subject"]
        assert "Hello" not in body and "would you" not in str(msg["Subject"])


def _id(workspace: Path, first: str) -> str:
    return next(p["id"] for p in table(workspace, "people") if p["email"].startswith(first))


def test_forget_takes_back_the_proposals_and_the_asks_that_name_them(workspace: Path, cli) -> None:
    imported(workspace, cli)
    ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", DAY)
    assert ask_file(workspace, "meg").exists()
    ok(cli, "forget", "dee@example.org", "--yes", "-w", workspace)
    asked = proposals(workspace)
    assert asked["Q2"]["answer"] == "withdrawn" and asked["Q1"]["answer"] is None
    assert not ask_file(workspace, "meg").exists()  # it named Dee: its file goes
    assert ask_file(workspace, "raj").exists()
    # the store still reads (the proposal names Dee's anonymous trace), and Ann still waits
    plan = ok(cli, "pair", "-w", workspace, "--today", "2026-03-03")
    assert [r["id"] for r in plan["asked_waiting"]] == ["Q1", "Q3"]


def test_a_proposal_edited_into_a_wrong_type_is_named(workspace: Path, cli) -> None:
    import json

    imported(workspace, cli)
    ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", DAY)
    path = store_path(workspace)
    data = json.loads(path.read_text())
    data["proposals"]["1"]["ask"] = "one"
    path.write_text(json.dumps(data))
    result = cli("pair", "-w", workspace, "--today", DAY)
    assert result.exit_code != 0
    assert "table 'proposals', record Q1, field 'ask'" in result.stderr


def test_withdrawing_or_pausing_takes_back_waiting_proposals(workspace: Path, cli) -> None:
    imported(workspace, cli)
    ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", DAY)
    files = {p.name for p in outbox_files(workspace)}
    done = ok(cli, "withdraw", "dee@example.org", "-w", workspace, "--today", "2026-03-03")
    assert done["proposals_withdrawn"] == ["Q2"]
    paused = ok(cli, "pause", "raj@example.org", "--until", "2026-04-01", "-w", workspace,
                "--today", "2026-03-03")  # fmt: skip
    assert paused["proposals_withdrawn"] == ["Q3"]
    asked = proposals(workspace)
    assert [(q, asked[q]["answer"], asked[q]["note"]) for q in ("Q1", "Q2", "Q3")] == [
        ("Q1", None, None), ("Q2", "withdrawn", "a person withdrew"),
        ("Q3", "withdrawn", "a person paused"),
    ]  # fmt: skip
    assert {p.name for p in outbox_files(workspace)} == files  # nobody is told
    # Meg's place held by Dee is free at once: Bo, no longer held by Raj, gets Lea
    plan = ok(cli, "pair", "-w", workspace, "--today", "2026-03-03")
    assert [r["id"] for r in plan["asked_waiting"]] == ["Q1"]
    assert {(p["mentee"], p["mentor"]) for p in plan["pairs"]} == {(P["bo"], P["lea"])}
    assert plan["totals"]["free_slots_after"] == 1  # Meg's second place
    # back from the pause, Raj may be asked about Bo again
    ok(cli, "pair", "--withdraw-ask", "Q1", "-w", workspace, "--today", "2026-04-02")
    again = ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", "2026-04-02")
    assert (P["bo"], P["raj"]) in {(d["mentee"], d["mentor"]) for d in again["asked"]}


def test_the_cron_checkin_retries_an_ask_while_it_waits(workspace: Path, cli, smtp_server) -> None:
    imported(workspace, cli)
    use_smtp(workspace, smtp_server.port)
    smtp_server.handler.refusal = "450 4.2.1"
    smtp_server.handler.refuse = {"raj@example.org", "meg@example.org"}
    first = cli("pair", "--ask-mentors", "--send", "--json", "-w", workspace, "--today", DAY)
    assert first.exit_code == 4, first.output
    smtp_server.handler.refuse = set()
    # Raj's one question is taken back: his undelivered ask no longer matters; Dee withdraws:
    # Meg's ask still goes, about Ann alone
    ok(cli, "pair", "--withdraw-ask", "raj@example.org", "-w", workspace, "--today", DAY)
    ok(cli, "withdraw", "dee@example.org", "-w", workspace, "--today", DAY)
    run = ok(cli, "checkin", "--send", "-w", workspace, "--today", "2026-03-03")
    assert [(m["kind"], m["to"], m["status"]) for m in run["messages"]] == [
        ("mentor_ask", [P["meg"]], "sent")
    ]
    (got,) = smtp_server.handler.received
    assert got.rcpt_tos == ["meg@example.org"]
    assert (
        got.message["Message-ID"]
        == parse_eml(ask_file(workspace, "meg").read_bytes())["Message-ID"]
    )
    assert "would you mentor them?" in str(got.message["Subject"])
    body = got.message.get_body(("plain",)).get_content()
    assert "1. Ann" in body and "Dee" not in body
    for day in ("2026-03-03", "2026-03-10"):  # from cron: never twice
        assert ok(cli, "checkin", "--send", "-w", workspace, "--today", day)["messages"] == []
    assert len(smtp_server.handler.received) == 1


def test_pairs_and_the_report_list_waiting_proposals_as_of_a_day(workspace: Path, cli) -> None:
    imported(workspace, cli)
    ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", DAY)
    ok(cli, "pair", "--withdraw-ask", "Q3", "-w", workspace, "--today", "2026-03-05")

    def listed(*args: str) -> list[tuple]:
        rows = ok(cli, *args, "-w", workspace)["asked_waiting"]
        return [(r["id"], r["mentee_name"], r["mentor_name"], r["asked"], r["days"]) for r in rows]

    meg, raj = "Meg Mentorova", "Raj Mentorsson"
    assert listed("pairs", "--today", "2026-03-01") == []  # not asked yet
    assert listed("pairs", "--today", "2026-03-04") == [
        ("Q1", "Ann Menteeson", meg, DAY, 2), ("Q2", "Dee Menteewood", meg, DAY, 2),
        ("Q3", "Bo Menteeberg", raj, DAY, 2),
    ]  # fmt: skip
    assert [r[0] for r in listed("pairs", "--today", "2026-03-09")] == ["Q1", "Q2"]
    assert listed("pairs", "--status", "active", "--today", "2026-03-09") == []  # filtered
    text = cli("pairs", "-w", workspace, "--today", "2026-03-09")
    assert "Waiting for the mentor's answer" in text.stdout and "Q2" in text.stdout
    assert [(r[0], r[4]) for r in listed("report", "--today", "2026-03-09")] == [
        ("Q1", 7), ("Q2", 7),
    ]  # fmt: skip
    board = cli("report", "-w", workspace, "--today", "2026-03-09")
    assert "Waiting for the mentor's answer" in board.stdout and "Dee Menteewood" in board.stdout
    page = cli("report", "--format", "md", "--language", "de", "-w", workspace,
               "--today", "2026-03-09")  # fmt: skip
    assert "## Warten auf die Antwort des Mentors" in page.stdout and "Gefragt am" in page.stdout
    html = cli("report", "--format", "html", "--language", "de", "-w", workspace,
               "--today", "2026-03-09")  # fmt: skip
    assert "Warten auf die Antwort des Mentors" in html.stdout and "Q2" in html.stdout
    # never on the anonymous page, nor in its JSON
    anonymous = ok(cli, "report", "--anonymous", "-w", workspace, "--today", "2026-03-09")
    assert "asked_waiting" not in anonymous
    for fmt in ("md", "html"):
        out = cli("report", "--anonymous", "--format", fmt, "-w", workspace,
                  "--today", "2026-03-09").stdout  # fmt: skip
        assert "Q1" not in out and "Menteeson" not in out
        assert "Waiting for the mentor" not in out


CLOSED = st.sampled_from(["yes", "no", "withdrawn", "expired"])
PROPOSAL = st.tuples(st.integers(0, 30), st.one_of(st.none(), st.integers(0, 30)), CLOSED)


@settings(max_examples=80, deadline=None)
@given(st.lists(PROPOSAL, max_size=12), st.integers(0, 40))
def test_a_proposal_waits_from_the_day_asked_until_the_day_closed(items, day) -> None:
    start = dt.date(2026, 3, 1)
    docs = [
        {"id": f"Q{n}", "asked_at": (start + dt.timedelta(a)).isoformat() + "T09:00:00",
         "answer": None if c is None else answer,
         "answered_at": None if c is None else (start + dt.timedelta(a + c)).isoformat()}
        for n, (a, c, answer) in enumerate(items, 1)
    ]  # fmt: skip
    on = start + dt.timedelta(day)
    expected = {
        f"Q{n}" for n, (a, c, _) in enumerate(items, 1) if a <= day and (c is None or a + c > day)
    }
    assert {d["id"] for d in asks.waiting_on(docs, on)} == expected
    late = start + dt.timedelta(100)  # after every stamp: the proposals waiting now
    assert asks.waiting_on(docs, late) == asks.waiting(docs)
