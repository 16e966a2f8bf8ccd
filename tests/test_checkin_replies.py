"""``checkin --replies``: answers emailed back, read from a Maildir, an mbox or a real IMAP
server (Dovecot), placed by the thread, never misfiled, recorded once."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import mailbox
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import write_csv
from hypothesis import given, settings
from hypothesis import strategies as st
from imap_server import DovecotServer, dovecot_fixture  # noqa: F401  (fixture)
from messages_fixtures import (  # noqa: F401  (fixtures)
    IDS,
    introduced_fixture,
    outbox_files,
    paired_fixture,
    pairs,
    parse_eml,
    store_path,
    table,
)
from replies_corpus import (
    CASES,
    MACHINE,
    STILL_ANSWERS,
    Case,
    Machine,
    message,
    with_big_attachment,
)

from mentorctl.checkins import bounces, reply_kinds

ADDRESS = {"meg": "meg@example.org", "raj": "raj@example.org", "ann": "ann@example.org"}
ADDRESS |= {"bo": "bo@example.org", "cy": "cy@example.org"}
WEEK2_DAY = "2026-03-09"
READ_DAY = "2026-03-10"


def case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


class SentIds(dict):
    """Message-IDs of the outbox's .eml files by file stem ({'M1-weekly-w01-P3': '<...>'}).

    The week's message goes to each person on their own: ``ids["M1-weekly-w01", "ann"]`` is
    the copy that went to Ann, and for someone not in the pair any copy of it."""

    def __getitem__(self, key: str | tuple[str, str]) -> str:
        if isinstance(key, str):
            return super().__getitem__(key)
        stem, who = key
        own = f"{stem}-{IDS.get(who, '')}"
        if own in self:
            return super().__getitem__(own)
        return super().__getitem__(min(k for k in self if k == stem or k.startswith(stem + "-")))


def sent_ids(workspace: Path) -> SentIds:
    return SentIds(
        {p.stem: str(parse_eml(p.read_bytes())["Message-ID"]) for p in outbox_files(workspace)}
    )


def as_reply(
    msg: EmailMessage,
    who: str,
    to_id: str,
    *,
    n: int,
    day: int = 10,
    hour: int = 9,
    references: str | None = None,
) -> EmailMessage:
    """``msg`` sent by ``who`` in reply to the message ``to_id``, with its own Message-ID."""
    for name in ("From", "Message-ID", "In-Reply-To", "References", "Date"):
        del msg[name]
    msg["From"] = f"{who.title()} <{ADDRESS.get(who, who)}>"
    msg["Message-ID"] = f"<reply-{n}@mail.example.net>"
    msg["In-Reply-To"] = to_id
    msg["References"] = references if references is not None else to_id
    msg["Date"] = email.utils.format_datetime(
        email.utils.parsedate_to_datetime(f"Tue, {day:02d} Mar 2026 {hour:02d}:00:00 +0000")
    )
    return msg


def expected(c: Case) -> dict[str, object]:
    """What the store keeps of a corpus case: its answers, and its unread text as the note."""
    out = dict(c.answers)
    if c.unread:
        out["note"] = f"{out['note']}\n\n{c.unread}" if out.get("note") else c.unread
    return out


@pytest.fixture
def running(introduced: Path, cli) -> Path:
    """Week 1's and week 2's messages written to the outbox (both pairs, one message each)."""
    for day in ("2026-03-02", WEEK2_DAY):
        result = cli("checkin", "-w", introduced, "--today", day)
        assert result.exit_code == 0, result.output
    sent = set(sent_ids(introduced))
    assert {
        f"M{n}-weekly-w0{w}-{IDS[who]}"
        for n, who in ((1, "ann"), (1, "meg"), (2, "bo"))
        for w in (1, 2)
    } <= sent
    return introduced


def maildir_of(path: Path, msgs: list[EmailMessage | bytes]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for m in msgs:
        box.add(m if isinstance(m, bytes) else m.as_bytes())
    box.close()
    return path


def mbox_of(path: Path, msgs: list[EmailMessage]) -> Path:
    box = mailbox.mbox(path, create=True)
    for m in msgs:
        box.add(m.as_bytes())
    box.flush()
    box.close()
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    if root.is_file():
        return {root.name: root.read_bytes()}
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def replies(cli, workspace: Path, source: Path | str, *args: str, code: int = 0) -> dict:
    result = cli(
        "checkin", "-w", workspace, "--replies", source, "--json", "--today", READ_DAY, *args
    )
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if code == 0 else {"stderr": result.stderr}


def answers_by(workspace: Path) -> dict[tuple[str, str, int], dict]:
    return {(a["pair"], a["person"], a["week"]): a for a in table(workspace, "answers")}


# -- the common clients, end to end ----------------------------------------------------------

# Four people, two weeks: a reply each, written as a different client writes it.
CORPUS_REPLIES = [
    ("ann", "M1-weekly-w01", "gmail_top_unnumbered_week1"),
    ("meg", "M1-weekly-w01", "outlook_desktop_top"),
    ("bo", "M2-weekly-w01", "apple_mail_top_iphone"),
    ("raj", "M2-weekly-w01", "thunderbird_bottom_plain"),
    ("ann", "M1-weekly-w02", "gmail_html_only_top"),
    ("meg", "M1-weekly-w02", "cyrillic_koi8"),
    ("bo", "M2-weekly-w02", "outlook_web_html_only"),
    ("raj", "M2-weekly-w02", "values_that_do_not_fit"),
]


def corpus_messages(workspace: Path) -> list[EmailMessage]:
    ids = sent_ids(workspace)
    return [
        as_reply(case(name).build(), who, ids[stem, who], n=n)
        for n, (who, stem, name) in enumerate(CORPUS_REPLIES)
    ]


def check_corpus_recorded(workspace: Path) -> None:
    got = answers_by(workspace)
    want = {}
    for who, stem, name in CORPUS_REPLIES:
        pair, week = stem.split("-")[0], int(stem[-2:])
        want[(pair, IDS[who], week)] = expected(case(name))
    assert {k: v["answers"] for k, v in got.items()} == want
    assert {v["source"] for v in got.values()} == {"reply"}


def test_maildir_replies_of_the_common_clients_are_recorded_once(running: Path, cli) -> None:
    for name in [n for _, _, n in CORPUS_REPLIES]:  # the corpus asks this program's questions
        assert {q.key for q in case(name).questions} <= {"met", "progress", "note", "fit"}
    box = maildir_of(running / "Maildir", corpus_messages(running))
    before = snapshot(box)
    data = replies(cli, running, box)
    assert {k: data[k] for k in ("messages", "recorded", "already", "unknown", "strangers")} == {
        "messages": 8,
        "recorded": 8,
        "already": 0,
        "unknown": 0,
        "strangers": 0,
    }
    assert data["answers"] == {"new": 8, "updated": 0, "unchanged": 0}
    check_corpus_recorded(running)
    # Read only: the Maildir is as it was (nothing moved to cur/, no flags).
    assert snapshot(box) == before
    # Listed for the admin: the reply whose values did not fit, by pair, week and person,
    # and its place in the Maildir (whose order is the Maildir's own).
    assert 1 <= data["listed"][0].pop("position") <= 8
    assert data["listed"] == [
        {
            "pair": "M2",
            "week": 2,
            "person": IDS["raj"],
            "status": "partial",
            "detail": "not read: met, progress",
        }
    ]
    # Once only: a second run records nothing new.
    again = replies(cli, running, box)
    assert (again["recorded"], again["already"], again["listed"]) == (0, 8, [])
    check_corpus_recorded(running)
    assert len(table(running, "replies")) == 8


def test_mbox_replies_and_move_to(running: Path, cli) -> None:
    path = mbox_of(running / "replies.mbox", corpus_messages(running))
    stranger = as_reply(message("1. yes"), "cy", sent_ids(running)["M1-weekly-w02", "ann"], n=99)
    box = mailbox.mbox(path)
    box.add(stranger.as_bytes())
    box.flush()
    box.close()
    data = replies(cli, running, path, "--move-to", "Recorded")
    assert (data["recorded"], data["strangers"], data["moved"]) == (8, 1, 8)
    check_corpus_recorded(running)
    left = mailbox.mbox(path)
    assert [m["Message-ID"] for m in left] == ["<reply-99@mail.example.net>"]
    assert len(mailbox.mbox(path.with_name("Recorded"))) == 8


def test_text_output_names_pairs_weeks_and_ids_only(running: Path, cli) -> None:
    ids = sent_ids(running)
    note = message("Sorry, we could not meet: Ben was ill. We will try next week.")
    box = maildir_of(running / "Maildir", [as_reply(note, "ann", ids["M1-weekly-w02", "ann"], n=1)])
    result = cli("checkin", "-w", running, "--replies", box, "--today", READ_DAY)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "replies (maildir): 1 message(s), 1 recorded; 1 new answer(s)"
    )
    assert result.stdout.splitlines()[1:] == [
        "Replies to look at (pair, week, person; read them in the mailbox)",
        "Pair  Week  Person  Status                    Detail" + " " * 47 + "Position",
        "M1    2     P3      not read: kept as a note  no answer read; the text is kept as the "
        "week's note  1",
    ]
    assert "ill" not in result.output and "example" not in result.output
    got = answers_by(running)[("M1", IDS["ann"], 2)]["answers"]
    assert got == {"note": "Sorry, we could not meet: Ben was ill. We will try next week."}


# -- placing replies: by the thread only --------------------------------------------------


def test_a_person_in_two_pairs_is_placed_by_the_thread(paired: Path, cli) -> None:
    # Meg mentors Ann (M1) and now also Cy (M3): her address alone cannot tell the pair.
    added = cli("pair", "-w", paired, "--add", IDS["cy"], IDS["meg"], "--force")
    assert added.exit_code == 0, added.output
    for args in (("introduce",), ("checkin", "--today", "2026-03-03")):
        result = cli(*args, "-w", paired)
        assert result.exit_code == 0, result.output
    ids = sent_ids(paired)
    box = maildir_of(
        paired / "Maildir",
        [
            as_reply(message("1. no\n2. 1\n3. -\n4. no"), "meg", ids["M3-weekly-w01", "meg"], n=1),
            as_reply(
                message("1. yes\n2. 5\n3. great\n4. yes"), "meg", ids["M1-weekly-w01", "meg"], n=2
            ),
        ],
    )
    data = replies(cli, paired, box, "--today", "2026-03-03")
    assert data["not_fit"] == ["M3"]
    got = answers_by(paired)
    assert got[("M3", IDS["meg"], 1)]["answers"]["fit"] == "no"
    assert got[("M1", IDS["meg"], 1)]["answers"] == {
        "met": "yes",
        "progress": 5,
        "note": "great",
        "fit": "yes",
    }
    assert pairs(paired)["M1"]["status"] == "active" and pairs(paired)["M3"]["status"] == "not_fit"
    # A form export without a pair column cannot place Meg: the row is refused, not guessed.
    header = "Timestamp,Email Address,Did you meet or talk this week?,Is this match working?\n"
    path = write_csv(paired / "a.csv", header + "2026/03/03 10:00,meg@example.org,yes,no\n")
    result = cli("checkin", "-w", paired, "--import", path, "--json", "--today", "2026-03-03")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rejects"] == [
        {
            "row": 2,
            "field": "pair",
            "reason": "the person is in several pairs (M1, M3): add a pair column",
        }
    ]
    assert pairs(paired)["M1"]["status"] == "active"
    # With a pair column the row is placed, and a pair that has ended takes no answer.
    header = "Email,Pair,Week,Did you meet or talk this week?\n"
    rows = "meg@example.org,M1,1,no\nmeg@example.org,M3,1,yes\n"
    path = write_csv(paired / "b.csv", header + rows)
    result = cli("checkin", "-w", paired, "--import", path, "--json", "--today", "2026-03-03")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["imported"], data["updated"]) == (0, 1)
    assert data["rejects"] == [
        {
            "row": 3,
            "field": "pair",
            "reason": "the pair has ended (not a fit): it takes no more answers",
        }
    ]
    assert answers_by(paired)[("M1", IDS["meg"], 1)]["answers"]["met"] == "no"


def test_strangers_and_unknown_threads_are_left_alone_and_counted(running: Path, cli) -> None:
    ids = sent_ids(running)
    msgs = [
        # Cy is in no pair; Bo is in M2, not M1; the organisers' own copy; no thread at all.
        as_reply(message("1. yes"), "cy", ids["M1-weekly-w02", "cy"], n=1),
        as_reply(message("1. no\n4. no"), "bo", ids["M1-weekly-w01", "bo"], n=2),
        as_reply(
            message("1. yes"),
            "mentoring@example.org",
            ids["M2-weekly-w02", "mentoring@example.org"],
            n=3,
        ),
        as_reply(message("1. yes"), "ann", "<nothing-we-sent@example.org>", n=4),
        as_reply(message("1. yes"), "ann", "", n=5, references=""),
    ]
    box = maildir_of(running / "Maildir", msgs)
    data = replies(cli, running, box, "--move-to", "Done")
    assert (data["messages"], data["strangers"], data["unknown"], data["recorded"]) == (5, 3, 2, 0)
    # Each named a message sent to someone else; Bo is a person of the program.
    assert data["not_theirs"] == 3
    # Listed by position (a Maildir's order is its own), pair, week and person id.
    assert sorted((x["status"], x["person"]) for x in data["listed"]) == [
        ("stranger", ""),
        ("stranger", IDS["bo"]),
        ("stranger", IDS["cy"]),
    ]
    assert len({x["position"] for x in data["listed"]} & {1, 2, 3, 4, 5}) == 3
    assert table(running, "answers") == []
    assert sorted(r["outcome"] for r in table(running, "replies")) == [
        "stranger",
        "stranger",
        "stranger",
        "unknown",
        "unknown",
    ]
    assert pairs(running)["M1"]["status"] == "active"
    assert data["moved"] == 0 and len(list(mailbox.Maildir(box))) == 5
    # Listed once: the next run neither counts nor lists them again, and moves none.
    again = replies(cli, running, box, "--move-to", "Done")
    assert (again["strangers"], again["unknown"], again["seen_before"], again["listed"]) == (
        0,
        0,
        5,
        [],
    )
    assert again["moved"] == 0 and len(list(mailbox.Maildir(box))) == 5


def test_an_older_reference_places_a_reply_to_a_forward(running: Path, cli) -> None:
    ids = sent_ids(running)
    refs = f"<other@example.com> {ids['M2-weekly-w02', 'bo']} <later@example.com>"
    msg = as_reply(
        message("1. yes\n2. 4\n3. ok"), "bo", "<later@example.com>", n=1, references=refs
    )
    data = replies(cli, running, maildir_of(running / "Maildir", [msg]))
    assert data["recorded"] == 1
    assert answers_by(running)[("M2", IDS["bo"], 2)]["answers"] == {
        "met": "yes",
        "progress": 4,
        "note": "ok",
    }


# -- once only, and later replies ---------------------------------------------------------


def test_duplicates_are_recorded_once_and_a_later_reply_replaces(running: Path, cli) -> None:
    ids = sent_ids(running)
    first = as_reply(
        message("1. yes\n2. 2\n3. first"), "ann", ids["M1-weekly-w02", "ann"], n=1, hour=8
    )
    later = as_reply(message("1. no\n2. 5"), "ann", ids["M1-weekly-w02", "ann"], n=2, hour=12)
    box = maildir_of(running / "Maildir", [later, first, first.as_bytes()])
    data = replies(cli, running, box)
    assert (data["messages"], data["recorded"], data["already"]) == (3, 2, 1)
    # The later reply's answers; the earlier one's note is kept all the same.
    assert answers_by(running)[("M1", IDS["ann"], 2)]["answers"] == {
        "met": "no",
        "progress": 5,
        "note": "first",
    }
    assert [x["status"] for x in data["listed"]] == ["replaced"]
    assert len(table(running, "replies")) == 2
    # A still later reply, in a later run, replaces the answers, and the run says so.
    third = as_reply(
        message("1. yes\n2. 3\n3. we met after all"),
        "ann",
        ids["M1-weekly-w02", "ann"],
        n=3,
        hour=18,
    )
    maildir_of(box, [third])
    data = replies(cli, running, box)
    assert (data["recorded"], data["already"]) == (1, 3)
    assert data["listed"] == [
        {
            "pair": "M1",
            "week": 2,
            "person": IDS["ann"],
            "status": "replaced",
            "detail": "a later reply replaced the answers; notes are kept",
            "position": None,
        }
    ]
    assert answers_by(running)[("M1", IDS["ann"], 2)]["answers"] == {
        "met": "yes",
        "progress": 3,
        "note": "first\n\nwe met after all",
    }
    # A reply older than the one recorded comes late: remembered, only its note is added.
    stale = as_reply(
        message("1. no\n2. 1\n3. sorry"), "ann", ids["M1-weekly-w02", "ann"], n=4, hour=7
    )
    maildir_of(box, [stale])
    data = replies(cli, running, box)
    assert [(x["status"], x["detail"]) for x in data["listed"]] == [
        ("older", "older than the reply already recorded: only its note was added")
    ]
    assert answers_by(running)[("M1", IDS["ann"], 2)]["answers"] == {
        "met": "yes",
        "progress": 3,
        "note": "first\n\nwe met after all\n\nsorry",
    }


def test_ten_thousand_replies_from_one_address_misfile_nothing(running: Path, cli) -> None:
    ids = sent_ids(running)
    template = as_reply(message("1. yes\n2. PROGRESS"), "ann", "TARGET", n=0).as_bytes()
    start = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
    box = mailbox.Maildir(running / "Maildir", create=True)
    for n in range(10_000):
        # Half answer Ann's own pair's message, half M2's (where Ann is a stranger).
        target = ids["M1-weekly-w02", "ann"] if n % 2 else ids["M2-weekly-w02", "bo"]
        date = email.utils.format_datetime(start + dt.timedelta(seconds=n))
        raw = (
            template.replace(b"TARGET", target.encode())
            .replace(b"PROGRESS", str(n % 5 + 1).encode())
            .replace(b"<reply-0@", f"<reply-{n}@".encode())
        )
        raw = re.sub(rb"(?m)^Date: .*$", b"Date: " + date.encode(), raw, count=1)
        box.add(raw)
    box.close()
    data = replies(cli, running, running / "Maildir")
    assert (data["messages"], data["strangers"], data["recorded"]) == (10_000, 5_000, 5_000)
    got = answers_by(running)
    assert list(got) == [("M1", IDS["ann"], 2)]
    assert got[("M1", IDS["ann"], 2)]["answers"] == {"met": "yes", "progress": 9_999 % 5 + 1}
    remembered = table(running, "replies")
    assert len(remembered) == 10_000
    assert sum(1 for r in remembered if r["outcome"] == "recorded") == 5_000


# -- refusals -----------------------------------------------------------------------------


def test_replies_and_records_for_an_ended_pair_are_refused(running: Path, cli) -> None:
    ended = cli("pair", "-w", running, "--end", "M2", "--reason", "moved abroad")
    assert ended.exit_code == 0, ended.output
    ids = sent_ids(running)
    box = maildir_of(
        running / "Maildir",
        [as_reply(message("1. yes\n2. 3"), "bo", ids["M2-weekly-w02", "bo"], n=1)],
    )
    data = replies(cli, running, box, "--move-to", "Done")
    assert (data["recorded"], data["refused"], data["moved"]) == (0, 1, 0)
    assert data["listed"] == [
        {
            "pair": "M2",
            "week": 2,
            "person": IDS["bo"],
            "status": "refused",
            "detail": "the pair has ended: it takes no more answers",
            "position": 1,
        }
    ]
    assert table(running, "answers") == []
    assert [r["outcome"] for r in table(running, "replies")] == ["refused"]
    # Listed once, then remembered: later runs do not list it again (nor move it).
    for _ in range(3):
        again = replies(cli, running, box, "--move-to", "Done")
        assert (again["refused"], again["seen_before"], again["listed"]) == (0, 1, [])
        assert again["moved"] == 0
    result = cli(
        "checkin", "-w", running, "--record", "M2", "--person", "P4", "--answer", "met=yes"
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "mentorctl: error: cannot record: the pair has ended: it takes no more answers"
    )
    assert table(running, "answers") == []


def test_a_reply_written_before_its_pair_ended_is_recorded(running: Path, cli) -> None:
    """A partner withdrew on the morning of the run that reads a reply written the evening
    before: the answer was given while the pair was on, and is kept; one written after the
    end is refused."""
    ended = cli("pair", "-w", running, "--end", "M2", "--reason", "moved", "--today", READ_DAY)
    assert ended.exit_code == 0, ended.output
    ids = sent_ids(running)
    before = as_reply(message("1. yes\n2. 4"), "bo", ids["M2-weekly-w02", "bo"], n=1, day=9)
    after = as_reply(message("1. no\n2. 1"), "bo", ids["M2-weekly-w01", "bo"], n=2, hour=23)
    data = replies(cli, running, maildir_of(running / "Maildir", [before, after]))
    assert (data["recorded"], data["refused"]) == (1, 1)
    assert answers_by(running)[("M2", IDS["bo"], 2)]["answers"] == {"met": "yes", "progress": 4}
    assert ("M2", IDS["bo"], 1) not in answers_by(running)


def test_a_reply_dated_after_the_end_or_before_its_message_stays_refused(
    running: Path, cli
) -> None:
    """The end is the moment the pair stopped, not a later note on it (a forget of the
    partner); a Date before the message it answers was made is not believed."""
    ids = sent_ids(running)  # before the forget deletes the pair's outbox files
    ended = cli("pair", "-w", running, "--end", "M2", "--reason", "moved", "--today", READ_DAY)
    assert ended.exit_code == 0, ended.output
    gone = cli("forget", "raj@example.org", "--yes", "-w", running, "--today", "2026-03-20")
    assert gone.exit_code == 0, gone.output
    after = as_reply(message("1. yes\n2. 4"), "bo", ids["M2-weekly-w02", "bo"], n=1, day=12)
    backdated = as_reply(message("1. no\n2. 1"), "bo", ids["M2-weekly-w02", "bo"], n=2, day=1)
    box = maildir_of(running / "Maildir", [after, backdated])
    data = replies(cli, running, box, "--today", "2026-03-21")
    assert (data["recorded"], data["refused"]) == (0, 2)
    assert ("M2", IDS["bo"], 2) not in answers_by(running)


def test_feedback_is_an_answer_key_and_the_wrapup_reply_gives_it(running: Path, cli) -> None:
    done = cli("checkin", "-w", running, "--complete", "M1", "--reason", "goal reached")
    assert done.exit_code == 0, done.output
    run = cli("checkin", "-w", running, "--today", READ_DAY)
    assert run.exit_code == 0, run.output
    ids = sent_ids(running)
    wrap = case("wrapup_feedback_paragraphs")
    box = maildir_of(
        running / "Maildir", [as_reply(wrap.build(), "ann", ids["M1-wrapup", "ann"], n=1)]
    )
    data = replies(cli, running, box)
    assert data["recorded"] == 1 and data["listed"] == []
    assert answers_by(running)[("M1", IDS["ann"], 2)]["answers"] == wrap.answers
    by_hand = cli(
        "checkin",
        "-w",
        running,
        "--record",
        "M1",
        "--person",
        "P1",
        "--answer",
        "feedback=Great",
        "--today",
        READ_DAY,
    )
    assert by_hand.exit_code == 0, by_hand.output
    assert answers_by(running)[("M1", IDS["meg"], 2)]["answers"] == {"feedback": "Great"}


def test_a_50_mb_attachment_is_skipped_and_the_text_read(running: Path, cli) -> None:
    ids = sent_ids(running)
    box = maildir_of(
        running / "Maildir",
        [as_reply(with_big_attachment(), "bo", ids["M2-weekly-w02", "bo"], n=1)],
    )
    data = replies(cli, running, box)
    assert data["recorded"] == 1
    assert answers_by(running)[("M2", IDS["bo"], 2)]["answers"] == {
        "met": "yes",
        "progress": 5,
        "note": "Photos from our meeting attached.",
    }


# -- bad input: one line, the store as it was ---------------------------------------------


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda ws: ws / "missing", "the reply source does not exist"),
        (
            lambda ws: write_csv(ws / "notes.txt", "these are my notes\nnot mail\n"),
            'not an mbox file (its first line does not start with "From ")',
        ),
    ],
    ids=["missing", "not-an-mbox"],
)
def test_a_bad_source_is_one_line_and_changes_nothing(
    running: Path, cli, make, reason: str
) -> None:
    before = store_path(running).read_bytes()
    source = make(running)
    result = cli("checkin", "-w", running, "--replies", source, "--today", READ_DAY)
    assert result.exit_code == 1
    assert result.stderr == f"mentorctl: error: {source}: {reason}\n"
    assert store_path(running).read_bytes() == before


def test_options_that_need_replies(running: Path, cli) -> None:
    result = cli("checkin", "-w", running, "--move-to", "Done")
    assert result.exit_code == 2 and "--move-to goes with --replies" in result.stderr
    result = cli("checkin", "-w", running, "--replies", "x", "--import", "y.csv")
    assert result.exit_code == 2 and "choose one action" in result.stderr


# -- IMAP, through a real Dovecot ---------------------------------------------------------


def imap_fill(dovecot: DovecotServer, user: str, msgs: list[EmailMessage]) -> None:
    client = dovecot.connect(user)
    try:
        for m in msgs:
            status, _ = client.append("INBOX", None, None, m.as_bytes().replace(b"\n", b"\r\n"))
            assert status == "OK"
    finally:
        client.logout()


def test_imaps_end_to_end_through_dovecot(
    running: Path, cli, dovecot: DovecotServer, monkeypatch
) -> None:
    user = dovecot.new_user()
    imap_fill(dovecot, user, corpus_messages(running))
    monkeypatch.setenv("MENTORCTL_IMAP_PASSWORD", dovecot.password)
    url = dovecot.url(user)
    data = replies(cli, running, url, "--cafile", str(dovecot.cafile), "--move-to", "Recorded")
    assert (data["kind"], data["messages"], data["recorded"], data["moved"]) == ("imap", 8, 8, 8)
    check_corpus_recorded(running)
    client = dovecot.connect(user)
    try:
        assert client.select("Recorded", readonly=True)[1] == [b"8"]
        assert client.select("INBOX", readonly=True)[1] == [b"0"]
    finally:
        client.logout()


def test_imaps_failed_login_and_unverified_certificate(
    running: Path, cli, dovecot: DovecotServer, monkeypatch
) -> None:
    user = dovecot.new_user()
    imap_fill(dovecot, user, corpus_messages(running))
    before = store_path(running).read_bytes()
    url = dovecot.url(user)
    monkeypatch.setenv("MY_IMAP_SECRET", "wrong-Password-7")
    result = cli(
        "checkin",
        "-w",
        running,
        "--replies",
        url,
        "--cafile",
        dovecot.cafile,
        "--imap-password-env",
        "MY_IMAP_SECRET",
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"mentorctl: error: the IMAP server localhost:{dovecot.port} refused the login"
    )
    assert result.stderr.count("\n") == 1 and "wrong-Password-7" not in result.output
    monkeypatch.setenv("MENTORCTL_IMAP_PASSWORD", dovecot.password)
    result = cli("checkin", "-w", running, "--replies", url)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"mentorctl: error: the certificate of the IMAP server localhost:{dovecot.port} does not verify"
    )
    assert "--cafile" in result.stderr and result.stderr.count("\n") == 1
    assert store_path(running).read_bytes() == before


def test_replies_then_the_weekly_run_in_one_command(running: Path, cli) -> None:
    ids = sent_ids(running)
    msg = as_reply(message("1. yes\n2. 4\n3. ok"), "raj", ids["M2-weekly-w02", "raj"], n=1)
    box = maildir_of(running / "Maildir", [msg])
    result = cli(
        "checkin", "-w", running, "--replies", box, "--limit", "10", "--json",
        "--today", "2026-03-16",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["replies"]["recorded"] == 1
    # Read first, Raj's answer keeps M2 from turning quiet in week 3; M1, silent, is nudged
    # (inside the week's message, which each person gets on their own).
    assert sorted((m["pair"], m["kind"]) for m in data["run"]["messages"]) == [
        ("M1", "weekly"),
        ("M1", "weekly"),
        ("M2", "weekly"),
        ("M2", "weekly"),
    ]
    assert (pairs(running)["M1"]["status"], pairs(running)["M2"]["status"]) == ("quiet", "active")
    assert answers_by(running)[("M2", IDS["raj"], 2)]["answers"]["progress"] == 4


def test_a_forgotten_person_s_replies_are_remembered_not_read_again(running: Path, cli) -> None:
    ids = sent_ids(running)
    msgs = [
        as_reply(message("1. yes"), "ann", ids["M1-weekly-w02", "ann"], n=1),
        as_reply(message("1. yes"), "bo", ids["M2-weekly-w02", "bo"], n=2),
    ]
    box = maildir_of(running / "Maildir", msgs)
    replies(cli, running, box)
    before = table(running, "replies")
    assert len(before) == 2
    result = cli("forget", "ann@example.org", "--yes", "-w", running)
    assert result.exit_code == 0, result.output
    # the record of each reply stays (a digest, pair, week, outcome: no text, no address) ...
    assert table(running, "replies") == before
    assert "ann@example.org" not in json.dumps(before) and "Ann" not in json.dumps(before)
    # ... so the reply still in the mailbox is not read again as a new one
    again = replies(cli, running, box)
    assert (again["already"] + again["seen_before"], again["listed"], again["recorded"]) == (
        2,
        [],
        0,
    )


def test_a_reply_to_a_nudge_is_a_note_and_brings_a_quiet_pair_back(running: Path, cli) -> None:
    week3 = cli("checkin", "-w", running, "--today", "2026-03-16")
    assert week3.exit_code == 0, week3.output
    assert pairs(running)["M1"]["status"] == "quiet"
    nudged = sent_ids(running)["M1-weekly-w03", "ann"]  # the week's message carries the nudge
    msg = as_reply(message("Sorry, busy weeks! We meet on Friday."), "ann", nudged, n=1, day=16)
    data = replies(cli, running, maildir_of(running / "Maildir", [msg]), "--today", "2026-03-16")
    assert data["back_active"] == ["M1"]
    assert pairs(running)["M1"]["status"] == "active"
    kept = answers_by(running)[("M1", IDS["ann"], 3)]["answers"]
    assert kept["note"] == "Sorry, busy weeks! We meet on Friday."
    assert [x["week"] for x in data["listed"]] == [3]


def test_a_later_reply_with_only_a_note_keeps_the_answers_before_it(running: Path, cli) -> None:
    ids = sent_ids(running)
    week2 = ids["M1-weekly-w02", "ann"]
    first = as_reply(message("1. yes\n2. 4\n3. first"), "ann", week2, n=1, hour=8)
    more = as_reply(message("One more thing: the book was great."), "ann", week2, n=2, hour=12)
    replies(cli, running, maildir_of(running / "Maildir", [first, more]))
    kept = answers_by(running)[("M1", IDS["ann"], 2)]["answers"]
    assert (kept["met"], kept["progress"]) == ("yes", 4)
    assert "One more thing: the book was great." in kept["note"]


def test_all_programs_takes_replies_but_not_one_pair(running: Path, cli) -> None:
    box = maildir_of(running / "Maildir", [])
    result = cli("checkin", "-w", running, "--all-programs", "--replies", box, "--pair", "M1")
    assert result.exit_code == 2
    assert "--pair" in result.stderr and result.stderr.count("\n") == 1
    result = cli("checkin", "-w", running, "--all-programs", "--replies", box)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("test-program: replies (maildir): 0 message(s)")


# -- replies that are not answers -----------------------------------------------------------


def machine(name: str) -> Machine:
    return next(m for m in MACHINE if m.name == name)


def _parsed(msg: EmailMessage):
    from email import policy
    from email.parser import BytesParser

    return BytesParser(policy=policy.default).parsebytes(msg.as_bytes())


@pytest.mark.parametrize("m", MACHINE, ids=lambda m: m.name)
def test_machine_written_mail_is_told_apart(m: Machine) -> None:
    got = reply_kinds.classify(_parsed(m.build("ann@example.org", "<w2.M1.weekly2.P3@x.org>")))
    assert got.kind == m.kind
    assert "example" not in got.reason and "Career" not in got.reason  # never content


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_every_client_reply_of_the_corpus_is_an_answer(c: Case) -> None:
    assert reply_kinds.classify(_parsed(c.build())).kind == reply_kinds.ANSWER


@pytest.mark.parametrize("name, build", STILL_ANSWERS, ids=[n for n, _ in STILL_ANSWERS])
def test_a_person_who_writes_of_being_away_still_answers(name: str, build) -> None:
    assert reply_kinds.classify(_parsed(build())).kind == reply_kinds.ANSWER


@pytest.mark.parametrize("m", [m for m in MACHINE if m.kind == "bounce"], ids=lambda m: m.name)
def test_a_bounce_names_the_message_and_the_failed_address(m: Machine) -> None:
    sent = "<w2.M1.weekly2.P3@x.org>"
    got = bounces.read_bounce(_parsed(m.build("ann@example.org", sent)))
    assert got.message_ids[0] == sent.strip("<>")
    if m.permanent is None:
        assert got.failures == []
    else:
        assert [(f.address, f.permanent) for f in got.failures] == [
            ("ann@example.org", m.permanent)
        ]
        assert "example" not in got.failures[0].reason


def test_auto_replies_and_receipts_are_counted_apart_and_listed_once(running: Path, cli) -> None:
    week3 = cli("checkin", "-w", running, "--today", "2026-03-16")
    assert week3.exit_code == 0, week3.output
    assert pairs(running)["M1"]["status"] == "quiet"
    ids = sent_ids(running)
    nudged = ids["M1-weekly-w03", "ann"]
    box = maildir_of(
        running / "Maildir",
        [
            machine("gmail_vacation").build(ADDRESS["ann"], nudged),
            machine("subject_de").build(ADDRESS["meg"], ids["M1-weekly-w03", "meg"]),
            machine("thunderbird_mdn").build(ADDRESS["bo"], ids["M2-weekly-w03", "bo"]),
            as_reply(message("1. yes\n2. 4\n3. ok"), "raj", ids["M2-weekly-w03", "raj"], n=1),
        ],
    )
    data = replies(cli, running, box, "--today", "2026-03-16", "--move-to", "Done")
    assert (data["recorded"], data["auto_replies"], data["receipts"]) == (1, 2, 1)
    # Not a note, not an answer, and the quiet pair stays quiet.
    assert list(answers_by(running)) == [("M2", IDS["raj"], 3)]
    assert data["back_active"] == ["M2"] and pairs(running)["M1"]["status"] == "quiet"
    listed = sorted((x["pair"], x["week"], x["person"], x["status"]) for x in data["listed"])
    assert listed == [
        ("M1", 3, IDS["meg"], "auto_reply"),
        ("M1", 3, IDS["ann"], "auto_reply"),
        ("M2", 3, IDS["bo"], "receipt"),
    ]
    assert all(isinstance(x["position"], int) for x in data["listed"])
    assert "leave" not in json.dumps(data) and "example" not in json.dumps(data["listed"])
    assert data["moved"] == 1  # only the answer
    # Listed once: the next run remembers them.
    again = replies(cli, running, box, "--today", "2026-03-16")
    assert (again["auto_replies"], again["seen_before"], again["listed"]) == (0, 3, [])
    assert pairs(running)["M1"]["status"] == "quiet"


def _undeliverable(workspace: Path) -> dict[str, list[dict]]:
    return {
        p["id"]: [e for e in p.get("history", []) if e["event"] == "undeliverable"]
        for p in table(workspace, "people")
    }


def _delivery(workspace: Path, stem: str, person: str) -> dict:
    doc = next(m for m in table(workspace, "messages") if m["file"].endswith(stem + ".eml"))
    return doc["delivery"][person]


def test_a_bounce_marks_the_delivery_failed_and_the_address_undeliverable(
    running: Path, cli
) -> None:
    ids = sent_ids(running)
    box = maildir_of(
        running / "Maildir",
        [
            machine("postfix_dsn_5xx").build(ADDRESS["bo"], ids["M2-weekly-w02", "bo"]),
            # Two bounces for one address: one undeliverable entry.
            machine("postfix_dsn_5xx").build(ADDRESS["bo"], ids["M2-weekly-w01", "bo"]),
            machine("dsn_gave_up_4xx").build(ADDRESS["raj"], ids["M2-weekly-w02", "raj"]),
            machine("dsn_delayed").build(ADDRESS["ann"], ids["M1-weekly-w02", "ann"]),
            machine("qmail_bounce").build(ADDRESS["meg"], ids["M1-weekly-w01", "meg"]),
            # A bounce of a message not sent from here changes nothing.
            machine("postfix_dsn_5xx").build(ADDRESS["cy"], "<not-ours@example.net>"),
        ],
    )
    result = cli("checkin", "-w", running, "--replies", box, "--today", READ_DAY)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Undeliverable from now on") == 1
    assert "P4 (bounced: 5.1.1 no such mailbox)" in result.stdout
    assert "bo@" not in result.output and "meg@" not in result.output
    bo = _delivery(running, "M2-weekly-w02-" + IDS["bo"], IDS["bo"])
    assert bo["status"] == "failed"
    # it counted as reached until the bounce came: a report of an earlier day still says so
    assert bo["reached_as"] == "written" and bo["reached"] < bo["at"]
    raj = _delivery(running, "M2-weekly-w02-" + IDS["raj"], IDS["raj"])
    assert (raj["status"], raj["error"]) == ("failed", "bounced: 4.4.7 delivery timed out")
    assert _delivery(running, "M1-weekly-w02-" + IDS["ann"], IDS["ann"])["status"] != "failed"
    assert _delivery(running, "M1-weekly-w01-" + IDS["meg"], IDS["meg"])["status"] == "failed"
    # Permanent failures only: Bo (5.1.1) and Meg (qmail's permanent error), once each.
    marked = _undeliverable(running)
    assert {p: [(e["address"], e["reason"]) for e in es] for p, es in marked.items() if es} == {
        IDS["bo"]: [(ADDRESS["bo"], "bounced: 5.1.1 no such mailbox")],
        IDS["meg"]: [(ADDRESS["meg"], "bounced (permanent failure)")],
    }
    assert table(running, "answers") == []
    # Shown once: the next run reads the same bounces as seen before.
    again = cli("checkin", "-w", running, "--replies", box, "--today", READ_DAY, "--json")
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert (data["bounces"], data["seen_before"], data["undeliverable"]) == (0, 6, [])
    assert _undeliverable(running) == marked
    # A later bounce for an address already undeliverable adds no entry.
    later = machine("postfix_dsn_5xx").build(ADDRESS["bo"], ids["M2-intro", "bo"])
    maildir_of(box, [later])
    data = replies(cli, running, box)
    assert (data["bounces"], data["failed_deliveries"], data["undeliverable"]) == (1, 1, [])
    assert _undeliverable(running) == marked


# -- only the person answers for themself ---------------------------------------------------


def test_only_the_person_can_answer_for_themself(running: Path, cli) -> None:
    ids = sent_ids(running)
    anns, megs = ids["M1-weekly-w01", "ann"], ids["M1-weekly-w01", "meg"]
    forged_id = anns.replace(f".{IDS['ann']}@", f".{IDS['meg']}@")
    msgs = [
        # Ann writes as Meg (From: Meg's address), naming Meg's copy made from her own.
        as_reply(message("1. no\n2. 1\n3. -\n4. no"), "meg", forged_id, n=1),
        # Ann, from her own address, names Meg's real copy (forwarded to her).
        as_reply(message("1. no\n4. no"), "ann", megs, n=2),
    ]
    box = maildir_of(running / "Maildir", msgs)
    data = replies(cli, running, box, "--today", "2026-03-03")
    assert data["not_fit"] == [] and pairs(running)["M1"]["status"] == "active"
    assert table(running, "answers") == []
    # Each recipient's copy has its own token: Ann's tells nothing of Meg's.
    assert anns.split(".")[0] != megs.split(".")[0]
    assert (data["recorded"], data["unknown"], data["strangers"], data["not_theirs"]) == (
        0,
        1,
        1,
        1,
    )
    # Meg's own reply counts; one by Ann that also names Meg's copy counts for Ann only.
    maildir_of(
        box,
        [
            as_reply(message("1. yes\n2. 5\n3. ok\n4. yes"), "meg", megs, n=3),
            as_reply(
                message("1. yes\n2. 4\n3. fine\n4. yes"),
                "ann",
                megs,
                n=4,
                references=f"{anns} {megs}",
            ),
        ],
    )
    data = replies(cli, running, box, "--today", "2026-03-03")
    assert (data["recorded"], data["not_theirs"], data["seen_before"]) == (2, 1, 2)
    got = answers_by(running)
    assert got[("M1", IDS["meg"], 1)]["answers"]["fit"] == "yes"
    assert got[("M1", IDS["ann"], 1)]["answers"]["note"] == "fine"
    assert pairs(running)["M1"]["status"] == "active"


_HEADER_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=60
)


@settings(max_examples=150, deadline=None)
@given(
    ctype=st.sampled_from(
        [
            "multipart/report; report-type=delivery-status",
            "multipart/report; report-type=disposition-notification",
            "multipart/report",
            "message/delivery-status",
            "text/plain",
        ]
    ),
    values=st.dictionaries(
        st.sampled_from(
            ["Subject", "From", "Auto-Submitted", "Precedence", "Return-Path", "Content-Class"]
        ),
        _HEADER_TEXT,
    ),
    report=st.text(max_size=300),
)
def test_reply_kinds_and_bounces_never_raise(ctype: str, values: dict, report: str) -> None:
    """Any headers and any report text: a kind, and a bounce that may find nothing."""
    from email import policy
    from email.parser import BytesParser

    head = "".join(f"{k}: {v}\r\n" for k, v in values.items())
    raw = (
        f"{head}MIME-Version: 1.0\r\nContent-Type: {ctype}; boundary=b\r\n\r\n"
        f"--b\r\nContent-Type: message/delivery-status\r\n\r\n{report}\r\n--b--\r\n"
    ).encode("utf-8", "surrogateescape")
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert reply_kinds.classify(msg).kind in reply_kinds.KINDS
    got = bounces.read_bounce(msg)
    assert all(isinstance(f.reason, str) for f in got.failures)


HOSTILE_MAIL = Path(__file__).parent / "hostile" / "machine_mail"
HOSTILE_KINDS = {
    "dsn_garbage_fields.eml": "bounce",
    "dsn_inside_a_dsn.eml": "bounce",
    "report_without_boundary.eml": "receipt",
    "auto_reply_undecodable_subject.eml": "auto_reply",
    "mailer_daemon_empty.eml": "bounce",
}


def test_hostile_machine_mail_is_told_apart_and_changes_nothing(running: Path, cli) -> None:
    from email import policy
    from email.parser import BytesParser

    assert sorted(p.name for p in HOSTILE_MAIL.glob("*.eml")) == sorted(HOSTILE_KINDS)
    raws = [p.read_bytes() for p in sorted(HOSTILE_MAIL.glob("*.eml"))]
    for path, raw in zip(sorted(HOSTILE_MAIL.glob("*.eml")), raws, strict=True):
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        assert reply_kinds.classify(msg).kind == HOSTILE_KINDS[path.name], path.name
        bounces.read_bounce(msg)
    before = {p["id"]: p.get("history") for p in table(running, "people")}
    data = replies(cli, running, maildir_of(running / "Maildir", raws))
    assert (data["bounces"], data["receipts"], data["auto_replies"]) == (3, 1, 1)
    assert (data["recorded"], data["failed_deliveries"], data["undeliverable"]) == (0, 0, [])
    assert table(running, "answers") == []
    assert {p["id"]: p.get("history") for p in table(running, "people")} == before


def test_nothing_more_goes_to_an_address_a_bounce_showed_undeliverable(running: Path, cli) -> None:
    ids = sent_ids(running)
    bounce = machine("postfix_dsn_5xx").build(ADDRESS["bo"], ids["M2-weekly-w02", "bo"])
    replies(cli, running, maildir_of(running / "Maildir", [bounce]))
    week3 = cli("checkin", "-w", running, "--today", "2026-03-16")
    assert week3.exit_code == 0, week3.output
    sent = set(sent_ids(running))
    assert f"M2-weekly-w03-{IDS['raj']}" in sent
    assert f"M2-weekly-w03-{IDS['bo']}" not in sent


def test_random_threads_place_replies_only_for_the_recipient_named(running: Path, cli) -> None:
    """200 replies with random senders and random real, forged and foreign Message-IDs: each
    is placed exactly when a message it names went to its sender, and for that message."""
    import random

    rng = random.Random(19)
    docs = table(running, "messages")
    by_id = {d["message_id"].strip("<>"): d for d in docs}
    real = [d["message_id"] for d in docs]
    forged = [m.replace(".P", ".Q") for m in real] + ["<nothing@example.net>"]
    people = {IDS[who]: who for who in ADDRESS}
    msgs, want = [], set()
    for n in range(200):
        who = rng.choice([*ADDRESS, "zed@example.net"])
        named = rng.sample(real + forged, rng.randint(1, 3))
        msgs.append(as_reply(message("1. yes"), who, named[0], n=n, references=" ".join(named[1:])))
        order = [named[0], *reversed(named[1:])]
        for ref in order:
            doc = by_id.get(ref.strip("<>"))
            if doc and any(people.get(p) == who for p in doc["to"]):
                week = 1 if doc["kind"] == "intro" else doc["week"]
                want.add((doc["pair"], IDS[who], week))
                break
    data = replies(cli, running, maildir_of(running / "Maildir", msgs))
    got = {
        (r["pair"], r["person"], r["week"])
        for r in table(running, "replies")
        if r["outcome"] == "recorded"
    }
    assert got == want and len(want) > 5
    assert data["messages"] == 200


def test_a_reply_from_either_spelling_of_a_domain_is_from_the_same_person() -> None:
    from mentorctl.checkins.reply_index import fold

    kept = fold("ann@bücher.example")  # as the store keeps it
    assert fold("Ann@XN--BCHER-KVA.example") == kept
    assert fold("ann@bu\u0308cher.example") == kept  # decomposed: the same once composed
    assert fold("ann@buecher.example") != kept
