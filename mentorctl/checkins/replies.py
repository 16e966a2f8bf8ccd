"""``checkin --replies SOURCE``: check-in answers read from the replies people email back.

SOURCE is a Maildir folder, an mbox file or ``imaps://USER@HOST[:PORT]/FOLDER``
(:mod:`mentorctl.mail.inbox`); it is only read, unless ``move_to`` names a folder for the
replies that were recorded.

For each message:

0. **What kind of email it is** (:mod:`.reply_kinds`, from its headers only). An automatic
   reply or a read receipt is counted apart (``auto_replies``, ``receipts``) and listed:
   never a note, never an answer, so it does not bring a quiet pair back. A bounce
   (:mod:`.bounces`) is matched to the message mentorctl sent by the returned message's
   Message-ID; the recipient whose address failed has their delivery of it marked
   ``failed``, and a permanent failure (``5.x.x``) appends an ``undeliverable`` entry to
   their history (once per address), listed in ``undeliverable`` for the run to show.
1. **Which message it answers.** Its In-Reply-To, then its References (newest first), are
   looked up among the Message-IDs mentorctl recorded in the ``messages`` table; the first
   found *that went to the sender* gives the pair, kind, week and recipient. Each person's
   copy of a message has its own keyed Message-ID (:func:`mentorctl.mail.headers.message_token`),
   so only its recipient can name it: a message sent to someone else is ignored (counted
   in ``not_theirs``), whatever the From says. A reply that answers no recorded message is
   counted as ``unknown`` and left alone: never placed by its subject, its sender or a guess.
2. **Who wrote it.** The From address (NFC, casefolded) must be the stored address of one of
   that message's recipients (``to``: both people when ``part`` is ``all``, one person when
   the message went to each person on their own); a reply that names only messages sent to
   others is counted as ``strangers``, listed, and left alone. So a person in several pairs
   is placed by the thread, never by their address alone.
3. **Once only.** A reply is known by a hash of its Message-ID (of its bytes when it has
   none) in the table ``replies``: ``{id, pair, week, person, kind, date, applied, outcome,
   at}``, ``outcome`` one of recorded, refused, stranger, unknown, auto_reply, receipt,
   bounce (a document without one was recorded). A recorded reply seen before is counted as
   ``already`` (and moved with ``move_to``); any other as ``seen_before``, neither listed nor
   moved again. Of several replies by one person to the same
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
   has not reached; listed with the reason, remembered, not recorded, left alone.

The answers are recorded through :func:`answers.apply_answers` (source ``reply``), so a "no"
to the fit question ends the pair and a quiet pair that answers is active again.

Each message is read alone and within bounds (:mod:`mentorctl.mail.bounded`): one that
cannot be read (too large, nested too deep, or anything a reader raises on it) is listed
as ``unreadable`` by its position and key, never its content, left where it is, and the run
goes on. A Date after ``now`` counts as ``now``; ``move_to`` is checked before anything is
read.

The result lists, for the admin, the replies that were not fully read (``partial``: some
answers and some text kept as a note; ``note_only``: nothing read as an answer;
``empty``: nothing written), the refused ones, strangers, automatic replies, receipts and
bounces, by position in the source, pair, week and person id, never with their text or
address. Nothing is written on ``dry_run``, and nothing is moved.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import bounces, reply_kinds
from mentorctl.checkins.answers import (
    ENDED,
    NOTE_KEY,
    AnswerResult,
    Entry,
    apply_answers,
    check_week,
)
from mentorctl.checkins.bounce_record import (
    Undeliverable,
    failed_recipients,
    week_of,
)
from mentorctl.checkins.bounce_record import (
    record as record_bounces,
)
from mentorctl.checkins.reply_index import (
    LEFT_ALONE,
    RECORDED,
    REPLIES,
    UNDATED,
    Index,
    fold,
    message_ids,
    reply_hash,
)
from mentorctl.checkins.reply_text import Question, read_answers, reply_text
from mentorctl.mail.bounded import Unreadable, guarded, parse_message
from mentorctl.signups import people as parse

if TYPE_CHECKING:
    from mentorctl.mail.source import Inbox
    from mentorctl.programs.program import Program

SOURCE = "reply"


@dataclass
class Listed:
    """A reply for the admin to look at: where it belongs and why; never its text."""

    pair: str
    week: int
    person: str
    status: str  # partial | note_only | empty | older | replaced | refused | stranger
    # | auto_reply | receipt | bounce
    detail: str = ""
    position: int | None = None  # the message's place in the source (1 = first read)


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
    seen_before: int = 0  # remembered from an earlier run as not recorded: not listed again
    not_theirs: int = 0  # replies that named a message sent to someone else (ignored)
    auto_replies: int = 0
    receipts: int = 0
    bounces: int = 0
    failed_deliveries: int = 0  # recipients' deliveries a bounce marked failed
    undeliverable: list[Undeliverable] = field(default_factory=list)
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
    position: int | None = None


def _date(value: str | None, now: dt.datetime) -> str:
    """The reply's Date as UTC ISO text, for ordering replies of one person and week.

    Anyone can write any Date: one after ``now`` (the run's time) is taken as ``now``, so a
    reply dated in year 9000 cannot outrank the replies written after it; a Date that does
    not read (or overflows, as year 9999 in a zone west of UTC does) is undated."""
    if not value:
        return UNDATED
    try:
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        when = when.astimezone(dt.UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return UNDATED
    return min(when, _utc(now)).isoformat(timespec="seconds")


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
    with Store.writing(store_path, dry_run=dry_run) as store:
        reader = _Reader(Index(store, program), result, today, now, program.duration_weeks)
        for incoming in inbox.messages():
            result.messages += 1
            if progress is not None and result.messages % 500 == 0:
                progress(result.messages, 0)
            try:
                if incoming.unreadable:
                    raise Unreadable(incoming.unreadable)
                msg = parse_message(incoming.raw)
                guarded(email.utils.parseaddr, _raw_headers(msg)["from"])  # "(((..." recurses
            except Unreadable as exc:
                result.unreadable.append(UnreadableReply(result.messages, incoming.key, exc.reason))
                continue
            before = reader.checkpoint()
            try:
                guarded(reader.read, result.messages, incoming, msg)
            except Unreadable as exc:
                reader.restore(before)  # nothing of a message that could not be read is kept
                result.unreadable.append(UnreadableReply(result.messages, incoming.key, exc.reason))
        items = reader.items
        entries, replaced = _entries(items, reader.index)
        apply_answers(
            store, program, entries, result.answers, source=SOURCE, today=today, stamp=stamp
        )
        for item in items:
            reader.done_keys.append(item.key)
            if item.status in ("partial", "note_only", "older"):
                result.listed.append(
                    Listed(
                        item.pair["id"],
                        item.week,
                        item.person,
                        item.status,
                        item.detail,
                        item.position,
                    )
                )
        for (pair_id, person, week), cut in sorted(result.answers.notes_cut.items()):
            detail = f"{cut} reply note(s) not added: the week's note is full"
            result.listed.append(Listed(pair_id, week, person, "note_full", detail))
        for slot in sorted(replaced):
            result.listed.append(
                Listed(*slot, "replaced", "a later reply replaced the answers; notes are kept")
            )
        result.recorded = sum(1 for item in items if item.status != "empty")
        result.undeliverable = record_bounces(store, reader.failures, now)
        remembered = [_remembered(item, stamp) for item in items]
        remembered += [{**doc, "at": stamp} for doc in reader.left_alone]
        if remembered:
            store.insert_many(REPLIES, remembered)
    result.listed.sort(
        key=lambda x: (_pair_order(x.pair), x.week, x.person, x.status, x.position or 0)
    )
    if move_to is not None and reader.done_keys and not dry_run:
        result.moved = inbox.move(reader.done_keys, move_to)
    return result


class _Reader:
    """Reads one message at a time: what it is, whose it is, and what becomes of it."""

    def __init__(
        self, index: Index, result: ReplyResult, today: dt.date, now: dt.datetime, duration: int
    ) -> None:
        self.index = index
        self.result = result
        self.today = today
        self.now = now
        self.duration = duration
        self.items: list[_Read] = []
        self.done_keys: list[str] = []  # what move_to moves: replies recorded, now or before
        self.left_alone: list[dict[str, Any]] = []  # remembered, not recorded
        self.this_run: dict[str, str] = {}  # hash -> outcome, for copies within one source
        # (message, person, failure) of the bounces read
        self.failures: list[tuple[dict[str, Any], str, bounces.Failure]] = []

    def read(self, position: int, incoming: Any, msg: Any) -> None:
        result, index = self.result, self.index
        heads = _raw_headers(msg)
        own_ids = message_ids(heads["message-id"])
        # Without a Message-ID, a digest of all its bytes (the raw held may be trimmed).
        digest = reply_hash(own_ids[0], b"") if own_ids else incoming.fingerprint
        seen = index.seen.get(digest)
        if seen is not None or digest in self.this_run:
            outcome = (seen.get("outcome") or RECORDED) if seen else self.this_run[digest]
            if outcome in LEFT_ALONE:
                result.seen_before += 1
            else:
                result.already += 1
                self.done_keys.append(incoming.key)
            return
        kind = reply_kinds.classify(msg)
        if kind.kind == reply_kinds.BOUNCE:
            self._bounce(position, digest, msg, kind, len(incoming.raw))
            return
        refs = [*message_ids(heads["in-reply-to"]), *reversed(message_ids(heads["references"]))]
        sender = fold(email.utils.parseaddr(heads["from"])[1])
        answered, person, others = self._attributed(refs, sender)
        if others:
            result.not_theirs += 1
        pair = index.pairs.get(answered["pair"]) if answered is not None else None
        week = week_of(answered) if answered is not None else 0
        if not kind.answer:
            if kind.kind == reply_kinds.RECEIPT:
                result.receipts += 1
                detail = "a read receipt: not an answer"
            else:
                result.auto_replies += 1
                detail = "an automatic reply: not an answer"
            if kind.reason:
                detail += f" ({kind.reason})"
            where = pair["id"] if pair is not None and person else ""
            self._leave(
                position, digest, kind.kind, where, week if where else 0, person or "", detail
            )
            return
        if answered is None and others:
            # A message of the program, but not to whoever wrote this reply.
            named = others[0]
            who = index.person_of.get(sender, "")
            detail = "answers a message sent to someone else: not placed"
            self._leave(position, digest, "stranger", named["pair"], week_of(named), who, detail)
            result.strangers += 1
            return
        if answered is None or pair is None:
            result.unknown += 1
            self._leave(position, digest, "unknown", "", 0, "", "", listed=False)
            return
        assert person is not None
        kind_of_message = answered["kind"]
        refusal = _refusal(pair, week, self.today, self.duration)
        if refusal:
            result.refused += 1
            self._leave(position, digest, "refused", pair["id"], week, person, refusal)
            return
        self.this_run[digest] = RECORDED
        item = _Read(
            incoming.key,
            digest,
            pair,
            kind_of_message,
            week,
            person,
            _date(heads["date"], self.now),
            {},
            "empty",
            position=position,
        )
        read = _read_reply(msg, index.questions(kind_of_message, week))
        if read is None:
            result.empty += 1
            result.listed.append(
                Listed(pair["id"], week, person, "empty", "nothing written", position)
            )
        else:
            item.answers, item.status, item.detail = read
        self.items.append(item)

    def checkpoint(self) -> tuple[Any, ...]:
        """What a message's reading may change, to undo it if the message turns out unreadable."""
        counters = {
            k: len(v) if isinstance(v, list) else v
            for k, v in vars(self.result).items()
            if isinstance(v, int | list)
        }
        lists = (self.items, self.done_keys, self.left_alone, self.failures)
        return counters, [len(x) for x in lists], dict(self.this_run)

    def restore(self, checkpoint: tuple[Any, ...]) -> None:
        counters, lengths, this_run = checkpoint
        for name, value in counters.items():
            current = getattr(self.result, name)
            if isinstance(current, list):
                del current[value:]
            else:
                setattr(self.result, name, value)
        for kept, length in zip(
            (self.items, self.done_keys, self.left_alone, self.failures), lengths, strict=True
        ):
            del kept[length:]
        self.this_run = this_run

    def _attributed(
        self, refs: list[str], sender: str
    ) -> tuple[dict[str, Any] | None, str | None, list[dict[str, Any]]]:
        """The first message named that went to the sender, the sender's person id, and the
        messages named before it that went to someone else (ignored: only a message's own
        recipient can answer it, whatever the From says)."""
        others: list[dict[str, Any]] = []
        for ref in refs:
            doc = self.index.messages.get(ref)
            if doc is None:
                continue
            person = next(
                (p for p in doc.get("to", ()) if sender and self.index.address.get(p) == sender),
                None,
            )
            if person is not None:
                return doc, person, others
            others.append(doc)
        return None, None, others

    def _leave(
        self,
        position: int,
        digest: str,
        outcome: str,
        pair: str,
        week: int,
        person: str,
        detail: str,
        *,
        listed: bool = True,
    ) -> None:
        """Remember a reply that is not recorded, and list it for the admin this once."""
        self.this_run[digest] = outcome
        self.left_alone.append(
            {
                "id": digest,
                "pair": pair,
                "week": week,
                "person": person,
                "kind": "",
                "date": "",
                "applied": False,
                "outcome": outcome,
            }
        )
        if listed:
            self.result.listed.append(Listed(pair, week, person, outcome, detail, position))

    def _bounce(
        self, position: int, digest: str, msg: Any, kind: reply_kinds.Kind, size: int
    ) -> None:
        self.result.bounces += 1
        read = bounces.read_bounce(msg, size=size)
        known = self.index.messages
        sent = next((known[m] for m in read.message_ids if m in known), None)
        if sent is None or (sent.get("pair") and sent.get("pair") not in self.index.pairs):
            detail = f"a bounce ({kind.reason}) for no message sent from here"
            self._leave(position, digest, reply_kinds.BOUNCE, "", 0, "", detail)
            return
        found = failed_recipients(read, sent, self.index.address)
        pair_id, week = str(sent.get("pair") or ""), week_of(sent)
        if not found:
            detail = "a bounce that names no failed recipient of that message"
            self._leave(position, digest, reply_kinds.BOUNCE, pair_id, week, "", detail)
            return
        for person, failure in found:
            self.failures.append((sent, person, failure))
            detail = f"{failure.reason}: delivery marked failed"
            self._leave(position, digest, reply_kinds.BOUNCE, pair_id, week, person, detail)
        self.result.failed_deliveries += len(found)


def _entries(items: list[_Read], index: Index) -> tuple[list[Entry], set[tuple[str, int, str]]]:
    """The answers to apply, oldest reply first, and the weeks whose answers were replaced.

    Of one person's replies to one message, the latest by its Date gives the answers to that
    message's questions; every reply's note is kept. A reply older than one applied by an
    earlier run adds only its note."""
    latest_here: dict[tuple[str, int, str, str], _Read] = {}
    for item in items:
        if item.status == "empty":
            continue
        slot = (item.pair["id"], item.week, item.person, item.kind)
        if item.date < index.latest.get(slot, UNDATED):
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
        "outcome": RECORDED,
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
