"""``checkin --replies SOURCE``: check-in answers read from the replies people email back.

SOURCE is a Maildir folder, an mbox file or ``imaps://USER@HOST[:PORT]/FOLDER``
(:mod:`mentorctl.mail.inbox`); it is only read, unless ``move_to`` names a folder for the
replies that were recorded.

For each message:

1. **Which message it answers.** Its In-Reply-To, then its References (newest first), are
   looked up among the Message-IDs mentorctl recorded in the ``messages`` table; the first
   found gives the pair, kind, week and recipients (``to``: both people when ``part`` is
   ``all``, one person when the message went to each person on their own). A reply that
   answers no recorded message is counted as ``unknown`` and left alone: never placed by
   its subject, its sender or a guess.
2. **Who wrote it.** The From address (NFC, casefolded) must be the stored address of one of
   that message's recipients; anyone else is counted as ``strangers`` and left alone. So a
   person in several pairs is placed by the thread, never by their address alone.
3. **Once only.** A reply is known by a hash of its Message-ID (of its bytes when it has
   none) in the table ``replies``: ``{id, pair, week, person, kind, date, applied, at}``. A
   reply seen before is counted as ``already``. Of several replies by one person to the same
   message (pair, kind, week), the latest by its Date gives the answers: they replace what
   an earlier one gave to that message's questions, in this run or a later one, and the run
   lists the week as ``replaced``; answers to other questions (a form, by hand) stay. Every
   reply's note is added to the week's ``note``, never replaced. A reply older than one an
   earlier run applied adds only its note (``older``).
4. **What it answers.** The text the person wrote (:func:`reply_text.reply_text`: quotes,
   signatures and disclaimers dropped; attachments never decoded) is read against that
   message's questions: a weekly message's ``checkin.questions`` in the program's order,
   plus ``fit`` in week 1; a wrap-up's ``feedback``. A nudge and an introduction ask
   nothing, so a reply to them is all note (an introduction's goes to week 1). Whatever is
   not read as an answer is kept, verbatim, under the key ``note`` of that week (after any
   note answer), so nothing a person wrote is lost.
5. **Refused**: a reply for a pair that has ended (``ended``, ``not_fit``) or for a week it
   has not reached; listed with the reason, not recorded, left alone.

The answers are recorded through :func:`answers.apply_answers` (source ``reply``), so a "no"
to the fit question ends the pair and a quiet pair that answers is active again.

Each message is read alone and within bounds (:mod:`mentorctl.mail.bounded`): one that
cannot be read (too large, nested too deep, or anything a reader raises on it) is listed
as ``unreadable`` by its position and key, never its content, left where it is, and the run
goes on. A Date after ``now`` counts as ``now``; ``move_to`` is checked before anything is
read.

The result lists, for the admin, the replies that were not fully read (``partial``: some
answers and some text kept as a note; ``note_only``: nothing read as an answer;
``empty``: nothing written) and the refused ones, by pair, week and person id, never with
their text or address. Nothing is written on ``dry_run``, and nothing is moved.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.checkins.answers import (
    ENDED,
    FEEDBACK_KEY,
    NOTE_KEY,
    AnswerResult,
    Entry,
    apply_answers,
    check_week,
)
from mentorctl.checkins.plan import MESSAGES, PAIRS, PEOPLE
from mentorctl.checkins.reply_text import Question, read_answers, reply_text
from mentorctl.mail.bounded import Unreadable, guarded, parse_message
from mentorctl.mail.messages import FIT_KEY
from mentorctl.signups import people as parse

if TYPE_CHECKING:
    from mentorctl.mail.source import Inbox
    from mentorctl.programs.program import Program

REPLIES = "replies"
SOURCE = "reply"
_MSGID = re.compile(r"<([^<>\s]+)>")
# A reply's Date, when missing or unreadable, sorts before any dated one.
_UNDATED = "0000"


@dataclass
class Listed:
    """A reply for the admin to look at: where it belongs and why; never its text."""

    pair: str
    week: int
    person: str
    status: str  # partial | note_only | empty | older | replaced | refused
    detail: str = ""


@dataclass
class UnreadableReply:
    """A message that could not be read: where it is in the source, never what it says."""

    position: int  # 1 for the first message read from the source
    key: str  # the source's name for it (a Maildir file name, an mbox index, an IMAP UID)
    reason: str  # too large | nested too deep | too many parts | cannot be read (...) | ...


@dataclass
class ReplyResult:
    source: str  # where the replies were read: a path or host:port/folder
    kind: str  # maildir | mbox | imap
    messages: int = 0
    recorded: int = 0
    already: int = 0
    unknown: int = 0
    strangers: int = 0
    refused: int = 0
    empty: int = 0
    moved: int = 0
    move_to: str | None = None
    listed: list[Listed] = field(default_factory=list)
    unreadable: list[UnreadableReply] = field(default_factory=list)
    answers: AnswerResult = field(default_factory=lambda: AnswerResult(SOURCE))
    dry_run: bool = False


@dataclass
class _Read:
    """One reply that belongs to a person's week, ready to be applied."""

    key: str  # the source's key, for moving
    hash: str
    pair: dict[str, Any]
    kind: str
    week: int
    person: str
    date: str
    answers: dict[str, Any]
    status: str  # read | partial | note_only | empty | older
    detail: str = ""


def _fold(address: str) -> str:
    return unicodedata.normalize("NFC", address.strip()).casefold()


def message_ids(value: str | None) -> list[str]:
    """The Message-IDs in a header value, without their angle brackets, in order."""
    return _MSGID.findall(value or "")


def reply_hash(msg_id: str | None, raw: bytes) -> str:
    """The name a reply is remembered by: not its Message-ID itself, which may hold an address."""
    seed = ("id:" + msg_id).encode("utf-8", "surrogateescape") if msg_id else b"raw:" + raw
    return hashlib.blake2b(seed, digest_size=16).hexdigest()


def _date(value: str | None, now: dt.datetime) -> str:
    """The reply's Date as UTC ISO text, for ordering replies of one person and week.

    Anyone can write any Date: one after ``now`` (the run's time) is taken as ``now``, so a
    reply dated in year 9000 cannot outrank the replies written after it; a Date that does
    not read (or overflows, as year 9999 in a zone west of UTC does) is undated."""
    if not value:
        return _UNDATED
    try:
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        when = when.astimezone(dt.UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return _UNDATED
    return min(when, _utc(now)).isoformat(timespec="seconds")


def _stored_date(doc: dict[str, Any]) -> str:
    """A remembered reply's Date, no later than when it was recorded (a run before Dates were
    clamped may have kept one in year 9000)."""
    date = str(doc.get("date") or "")
    try:
        recorded = _utc(dt.datetime.fromisoformat(str(doc.get("at"))))
    except (TypeError, ValueError, OverflowError):
        return date
    return min(date, recorded.isoformat(timespec="seconds"))


def _utc(when: dt.datetime) -> dt.datetime:
    return (when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def _raw_headers(msg: Any) -> dict[str, str]:
    """The few headers needed, as written: ``raw_items`` skips building header objects, which
    for address headers costs more than parsing the whole message."""
    wanted = {"from": "", "message-id": "", "in-reply-to": "", "references": "", "date": ""}
    for name, value in msg.raw_items():
        lower = name.lower()
        if lower in wanted and not wanted[lower]:
            wanted[lower] = str(value)
    return wanted


class _Index:
    """The store, indexed once: recorded messages by Message-ID, people's addresses, pairs."""

    def __init__(self, store: Any, program: Program) -> None:
        self.messages: dict[str, dict[str, Any]] = {}
        for doc in store.documents(MESSAGES).values():
            for found in message_ids(doc.get("message_id")):
                self.messages[found] = doc
        self.address = {
            d["id"]: _fold(str(d.get("email") or ""))
            for d in store.documents(PEOPLE).values()
            if "id" in d
        }
        self.pairs = {d["id"]: d for d in store.documents(PAIRS).values() if "id" in d}
        self.seen: dict[str, dict[str, Any]] = {
            d["id"]: d for d in store.documents(REPLIES).values() if "id" in d
        }
        # (pair, week, person, kind) -> the Date of the latest reply applied
        self.latest: dict[tuple[str, int, str, str], str] = {}
        for d in self.seen.values():
            if d.get("applied"):
                slot = (d["pair"], d["week"], d["person"], d.get("kind", ""))
                self.latest[slot] = max(self.latest.get(slot, _UNDATED), _stored_date(d))
        checkin = program.data["checkin"]
        self.weekly = [Question(q["key"], q["kind"], q["text"]) for q in checkin["questions"]]
        self.fit = Question(FIT_KEY, "yes_no", checkin["fit_question"])
        self.feedback = Question(FEEDBACK_KEY, "text", "")

    def questions(self, kind: str, week: int) -> list[Question]:
        if kind == "weekly":
            return [*self.weekly, self.fit] if week == 1 else list(self.weekly)
        if kind == "wrapup":
            return [self.feedback]
        return []  # a nudge or an introduction asks nothing: what comes back is a note


def _with_note(answers: dict[str, Any], unread: str) -> dict[str, Any]:
    if not unread:
        return answers
    note = answers.get(NOTE_KEY)
    text = f"{note}\n\n{unread}" if isinstance(note, str) and note else unread
    return {**answers, NOTE_KEY: parse.clean_text(text, 20_000)}


def read_replies(
    program: Program,
    store_path: Path,
    inbox: Inbox,
    *,
    today: dt.date,
    now: dt.datetime,
    move_to: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ReplyResult:
    """Read every message of ``inbox`` and record the check-in answers they give."""
    from mentorctl.store.db import Store

    if move_to is not None:  # refused before anything is read or recorded
        inbox.check_move(move_to)
    result = ReplyResult(inbox.where, inbox.kind, move_to=move_to, dry_run=dry_run)
    result.answers.dry_run = dry_run
    stamp = now.isoformat(timespec="seconds")
    done_keys: list[str] = []
    with Store.writing(store_path, dry_run=dry_run) as store:
        index = _Index(store, program)
        items: list[_Read] = []
        this_run: set[str] = set()
        for incoming in inbox.messages():
            result.messages += 1
            if progress is not None and result.messages % 500 == 0:
                progress(result.messages, 0)
            try:
                if incoming.unreadable:
                    raise Unreadable(incoming.unreadable)
                msg = parse_message(incoming.raw)
                heads = _raw_headers(msg)
                guarded(email.utils.parseaddr, heads["from"])  # "(((..." recurses in it
            except Unreadable as exc:
                result.unreadable.append(UnreadableReply(result.messages, incoming.key, exc.reason))
                continue
            own_ids = message_ids(heads["message-id"])
            digest = reply_hash(own_ids[0], b"") if own_ids else incoming.fingerprint
            if digest in index.seen or digest in this_run:
                result.already += 1
                done_keys.append(incoming.key)
                continue
            refs = [*message_ids(heads["in-reply-to"]), *reversed(message_ids(heads["references"]))]
            answered = next((index.messages[r] for r in refs if r in index.messages), None)
            pair = index.pairs.get(answered["pair"]) if answered is not None else None
            if answered is None or pair is None:
                result.unknown += 1
                continue
            sender = _fold(email.utils.parseaddr(heads["from"])[1])
            to = answered.get("to", ())
            person = next((p for p in to if sender and index.address.get(p) == sender), None)
            if person is None:
                result.strangers += 1
                continue
            kind = answered["kind"]
            week = 1 if kind == "intro" else int(answered["week"])
            refusal = _refusal(pair, week, today, program.duration_weeks)
            if refusal:
                result.refused += 1
                result.listed.append(Listed(pair["id"], week, person, "refused", refusal))
                continue
            this_run.add(digest)
            item = _Read(
                incoming.key,
                digest,
                pair,
                kind,
                week,
                person,
                _date(heads["date"], now),
                {},
                "empty",
            )
            try:
                read = guarded(_read_reply, msg, index.questions(kind, week))
            except Unreadable as exc:
                this_run.discard(digest)
                result.unreadable.append(UnreadableReply(result.messages, incoming.key, exc.reason))
                continue
            if read is None:
                result.empty += 1
                result.listed.append(Listed(pair["id"], week, person, "empty", "nothing written"))
            else:
                item.answers, item.status, item.detail = read
            items.append(item)
        entries, replaced = _entries(items, index)
        apply_answers(
            store, program, entries, result.answers, source=SOURCE, today=today, stamp=stamp
        )
        for item in items:
            done_keys.append(item.key)
            if item.status in ("partial", "note_only", "older"):
                result.listed.append(
                    Listed(item.pair["id"], item.week, item.person, item.status, item.detail)
                )
        for (pair_id, person, week), cut in sorted(result.answers.notes_cut.items()):
            detail = f"{cut} reply note(s) not added: the week's note is full"
            result.listed.append(Listed(pair_id, week, person, "note_full", detail))
        for slot in sorted(replaced):
            result.listed.append(
                Listed(*slot, "replaced", "a later reply replaced the answers; notes are kept")
            )
        result.recorded = sum(1 for item in items if item.status != "empty")
        if items:
            store.insert_many(REPLIES, [_remembered(item, stamp) for item in items])
    result.listed.sort(key=lambda x: (_pair_order(x.pair), x.week, x.person, x.status))
    if move_to is not None and done_keys and not dry_run:
        result.moved = inbox.move(done_keys, move_to)
    return result


def _entries(items: list[_Read], index: _Index) -> tuple[list[Entry], set[tuple[str, int, str]]]:
    """The answers to apply, oldest reply first, and the weeks whose answers were replaced.

    Of one person's replies to one message, the latest by its Date gives the answers to that
    message's questions; every reply's note is kept. A reply older than one applied by an
    earlier run adds only its note."""
    latest_here: dict[tuple[str, int, str, str], _Read] = {}
    for item in items:
        if item.status == "empty":
            continue
        slot = (item.pair["id"], item.week, item.person, item.kind)
        if item.date < index.latest.get(slot, _UNDATED):
            item.status = "older"
            item.detail = "older than the reply already recorded: only its note was added"
            continue
        best = latest_here.get(slot)
        if best is None or (item.date, item.hash) > (best.date, best.hash):
            latest_here[slot] = item
    entries: list[Entry] = []
    replaced: set[tuple[str, int, str]] = set()
    for item in sorted(items, key=lambda r: (r.date, r.hash)):
        if item.status == "empty":
            continue
        slot = (item.pair["id"], item.week, item.person, item.kind)
        # Replies apply in the order they were written: a later one replaces what it answers,
        # not what it leaves out ("one more thing" after the answers keeps them), and every
        # reply's text is added to the note. One older than a reply an earlier run recorded
        # adds its note only.
        if item.status == "older":
            answers = {k: v for k, v in item.answers.items() if k == NOTE_KEY}
        else:
            answers = item.answers
            if latest_here.get(slot) is not item or slot in index.latest:
                replaced.add(slot[:3])
        replaces = tuple(k for k in answers if k != NOTE_KEY)
        if answers:
            entries.append(
                Entry(
                    item.pair, item.person, item.week, answers, replaces=replaces, append_note=True
                )
            )
    return entries, replaced


def _remembered(item: _Read, stamp: str) -> dict[str, Any]:
    return {
        "id": item.hash,
        "pair": item.pair["id"],
        "week": item.week,
        "person": item.person,
        "kind": item.kind,
        "date": item.date,
        # whether its answers were applied (an older or empty reply's are not)
        "applied": item.status not in ("older", "empty"),
        "at": stamp,
    }


def _pair_order(pair_id: str) -> tuple[int, str]:
    digits = pair_id[1:]
    return (int(digits), "") if digits.isdigit() else (0, pair_id)


def _refusal(pair: dict[str, Any], week: int, today: dt.date, duration: int) -> str:
    if pair.get("status") in ENDED:
        said = "ended (not a fit)" if pair["status"] == "not_fit" else "ended"
        return f"the pair has {said}: it takes no more answers"
    try:
        check_week(pair, week, today, duration)
    except parse.Rejection as exc:
        return exc.reason
    return ""


def _read_reply(msg: Any, questions: list[Question]) -> tuple[dict[str, Any], str, str] | None:
    """(answers with any unread text as the note, status, what was not read), or None when
    the person wrote nothing."""
    text = reply_text(msg)
    if not text.strip():
        return None
    read = read_answers(text, questions)
    answers: dict[str, Any] = dict(read.answers)
    answers = _with_note(answers, read.unread)
    missing = [q.key for q in questions if q.key not in read.answers]
    if not read.answers:
        return answers, "note_only", "no answer read; the text is kept as the week's note"
    if read.problems or (read.unread and questions):
        unread = sorted(read.problems) or missing
        detail = "not read: " + ", ".join(unread) if unread else "some text kept as the note"
        return answers, "partial", detail
    return answers, "read", ""
