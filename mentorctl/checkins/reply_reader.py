"""Reading one reply: what it is (an answer, an automatic reply, a bounce), whose it is, and
what becomes of it; used by :func:`mentorctl.checkins.replies.read_replies`, which reads a
source message by message, applies the answers and remembers every reply."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from mentorctl.checkins import bounces, choice_replies, meeting_replies, mentor_answers, reply_kinds
from mentorctl.checkins.answers import (
    ENDED,
    NOTE_KEY,
    NOTE_LIMIT,
    AnswerResult,
    check_week,
)
from mentorctl.checkins.bounce_record import (
    Undeliverable,
    failed_recipients,
    week_of,
)
from mentorctl.checkins.reply_index import (
    LEFT_ALONE,
    RECORDED,
    UNDATED,
    UNREADABLE,
    Index,
    fold,
    message_ids,
    reply_hash,
)
from mentorctl.checkins.reply_text import Question, read_answers, reply_text
from mentorctl.signups import people as parse

SOURCE = "reply"  # the answers' source, as the store keeps it


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
    other_programs: int = 0  # left to another program of the workspace: not read, not kept
    auto_replies: int = 0
    receipts: int = 0
    meeting_answers: int = 0  # answers to a meeting invitation, recorded in pairs' history
    choices: int = 0  # replies to a shortlist that named mentors, recorded in history
    bounces: int = 0
    failed_deliveries: int = 0  # recipients' deliveries a bounce marked failed
    undeliverable: list[Undeliverable] = field(default_factory=list)
    moved: int = 0
    move_to: str | None = None
    listed: list[Listed] = field(default_factory=list)
    unreadable: list[UnreadableReply] = field(default_factory=list)
    answers: AnswerResult = field(default_factory=lambda: AnswerResult(SOURCE))
    mentor_answers: list[mentor_answers.Taken] = field(default_factory=list)  # to mentor_ask
    dry_run: bool = False


@dataclass
class Read:
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


def raw_headers(msg: Any) -> dict[str, str]:
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
    return {**answers, NOTE_KEY: parse.clean_text(text, NOTE_LIMIT)}


class Reader:
    """Reads one message at a time: what it is, whose it is, and what becomes of it.

    ``others``: the Message-IDs recorded by the workspace's other programs, when one source
    serves them all. A message belongs to the program of the first Message-ID it names (its
    In-Reply-To, then its References newest first; a bounce, the returned message's) that any
    program recorded; one that names another program's is left to that program: not counted,
    listed, remembered or moved here. One that names no program's is taken only by the
    program that ``takes_unnamed`` (the first of the workspace), so it is listed once."""

    def __init__(
        self,
        index: Index,
        result: ReplyResult,
        today: dt.date,
        now: dt.datetime,
        duration: int,
        *,
        others: Collection[str] = frozenset(),
        takes_unnamed: bool = True,
    ) -> None:
        self.index = index
        self.others = others
        self.takes_unnamed = takes_unnamed
        self.result = result
        self.today = today
        self.now = now
        self.duration = duration
        self.items: list[Read] = []
        self.done_keys: list[str] = []  # what move_to moves: replies recorded, now or before
        self.left_alone: list[dict[str, Any]] = []  # remembered, not recorded
        self.this_run: dict[str, str] = {}  # hash -> outcome, for copies within one source
        # (message, person, failure) of the bounces read
        self.failures: list[tuple[dict[str, Any], str, bounces.Failure]] = []
        self.meetings: list[meeting_replies.MeetingAnswer] = []
        self.choices: list[choice_replies.ChoiceReply] = []

    def read(self, position: int, incoming: Any, msg: Any) -> None:
        result, index = self.result, self.index
        heads = raw_headers(msg)
        meeting = meeting_replies.reply_in(incoming.raw)  # never a check-in answer
        if not (
            meeting_replies.ours(meeting, index.slug, self.takes_unnamed)
            if meeting is not None
            else self.mine(msg, heads, len(incoming.raw))
        ):
            result.other_programs += 1
            return
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
        if meeting is not None:
            sender, written = (
                fold(email.utils.parseaddr(heads["from"])[1]),
                _date(heads["date"], self.now),
            )
            meeting_replies.take(
                self, position, incoming.key, digest, meeting, sender=sender, written=written
            )
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
        if answered is not None and person and answered["kind"] == choice_replies.KIND:
            written = _date(heads["date"], self.now)  # a choice, never a check-in answer
            choice_replies.take(
                self, position, incoming.key, digest, msg, answered, person, written
            )
            return
        if answered is not None and answered["kind"] == mentor_answers.KIND:  # not a check-in
            heads["date"] = _date(heads["date"], self.now)
            mentor_answers.take(self, position, incoming, digest, msg, answered, person, heads)
            return
        if answered is None or pair is None:
            result.unknown += 1
            self._leave(position, digest, "unknown", "", 0, "", "", listed=False)
            return
        assert person is not None
        kind_of_message = answered["kind"]
        written = _date(heads["date"], self.now)
        refusal = _refusal(pair, week, self.today, self.duration, written, answered)
        if refusal:
            result.refused += 1
            self._leave(position, digest, "refused", pair["id"], week, person, refusal)
            return
        self.this_run[digest] = RECORDED
        item = Read(
            incoming.key,
            digest,
            pair,
            kind_of_message,
            week,
            person,
            written,
            {},
            "empty",
            position=position,
        )
        asked = index.questions(kind_of_message, week, circle=bool(pair.get("circle")))
        read = _read_reply(msg, asked)
        if read is None:
            result.empty += 1
            result.listed.append(
                Listed(pair["id"], week, person, "empty", "nothing written", position)
            )
        else:
            item.answers, item.status, item.detail = read
        self.items.append(item)

    def mine(self, msg: Any, heads: dict[str, str], size: int) -> bool:
        """Whether this program reads the message, when one source serves several programs."""
        if not self.others and self.takes_unnamed:
            return True
        refs = [*message_ids(heads["in-reply-to"]), *reversed(message_ids(heads["references"]))]
        owner = self._owner(refs)
        if owner is None and reply_kinds.classify(msg).kind == reply_kinds.BOUNCE:
            owner = self._owner(bounces.read_bounce(msg, size=size).message_ids)
        return self.takes_unnamed if owner is None else owner

    def _owner(self, refs: list[str]) -> bool | None:
        """True when the first Message-ID recorded by a program is this program's, False when
        it is another's, None when no program recorded any of them."""
        for ref in refs:
            if ref in self.index.messages:
                return True
            if ref in self.others:
                return False
        return None

    def unreadable_before(self, digest: str) -> bool:
        """Whether this message was found unreadable by an earlier run (or earlier in this one)."""
        seen = self.index.seen.get(digest)
        outcome = seen.get("outcome") if seen is not None else self.this_run.get(digest)
        if outcome != UNREADABLE:
            return False
        self.result.seen_before += 1
        return True

    def unreadable(self, digest: str, found: UnreadableReply) -> None:
        """List a message that could not be read, this once, and remember it."""
        self.result.unreadable.append(found)
        self.this_run[digest] = UNREADABLE
        self.left_alone.append(
            {
                "id": digest,
                "pair": "",
                "week": 0,
                "person": "",
                "kind": "",
                "date": "",
                "applied": False,
                "outcome": UNREADABLE,
            }
        )

    def checkpoint(self) -> tuple[Any, ...]:
        """What a message's reading may change, to undo it if the message turns out unreadable."""
        counters = {
            k: len(v) if isinstance(v, list) else v
            for k, v in vars(self.result).items()
            if isinstance(v, int | list)
        }
        lists = (self.items, self.done_keys, self.left_alone, self.failures, self.meetings)
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
            (self.items, self.done_keys, self.left_alone, self.failures, self.meetings),
            lengths,
            strict=True,
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


def _refusal(
    pair: dict[str, Any],
    week: int,
    today: dt.date,
    duration: int,
    written: str,
    answered: dict[str, Any],
) -> str:
    if pair.get("status") in ENDED and not _written_before_the_end(pair, written, answered):
        said = "ended (not a fit)" if pair["status"] == "not_fit" else "ended"
        return f"the pair has {said}: it takes no more answers"
    try:
        check_week(pair, week, today, duration)
    except parse.Rejection as exc:
        return exc.reason
    return ""


def _written_before_the_end(pair: dict[str, Any], written: str, answered: dict[str, Any]) -> bool:
    """Whether a reply was written while its pair was still on: its Date (never after the
    run's time) before the moment the pair ended, and not before the message it answers was
    made (a Date is the sender's to write). An answer given before a partner withdrew, read
    by a run after it, is still theirs to give."""
    end = None
    before = None
    for h in pair.get("history") or ():
        status = h.get("status") if isinstance(h, dict) else None
        if status is None:
            continue
        # the moment it went from running to over; a later entry (a forget's note on an
        # ended pair) does not move it
        if status in ENDED and before not in ENDED:
            end = h.get("at")
        elif status not in ENDED:
            end = None
        before = status
    if written == UNDATED or not isinstance(end, str):
        return False
    try:
        when = dt.datetime.fromisoformat(written)
        made = answered.get("created")
        if isinstance(made, str) and when < _utc(dt.datetime.fromisoformat(made)):
            return False
        return when < _utc(dt.datetime.fromisoformat(end))
    except (ValueError, TypeError):
        return False


def _read_reply(msg: Any, questions: list[Question]) -> tuple[dict[str, Any], str, str] | None:
    """(answers with any unread text as the note, status, what was not read), or None when
    the person wrote nothing."""
    text = reply_text(msg, questions)
    if not text.strip():
        return None
    read = read_answers(text, questions)
    if not read.answers and not read.unread:
        return None  # only the quoted questions: nothing of the person's own to keep
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
