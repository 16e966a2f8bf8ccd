"""``checkin --replies SOURCE``: check-in answers read from the replies people email back.

SOURCE is a Maildir folder, an mbox file or ``imaps://USER@HOST[:PORT]/FOLDER``
(:mod:`mentorctl.mail.inbox`); it is only read, unless ``move_to`` names a folder for the
replies that were recorded.

For each message:

00. **An answer to a meeting invitation** (iMIP REPLY or COUNTER, :mod:`.meeting_replies`)
    is recorded in its pair's history and counted as ``meeting_answers``: never an answer.
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
5. **Refused**: a reply for a pair that has ended (``ended``, ``not_fit``), unless its Date
   is before the moment the pair ended (an answer given while the pair was on, read by a
   later run), or for a week it has not reached; listed with the reason, remembered, not
   recorded, left alone.

The answers are recorded through :func:`answers.apply_answers` (source ``reply``), so a "no"
to the fit question ends the pair and a quiet pair that answers is active again.

Each message is read alone and within bounds (:mod:`mentorctl.mail.bounded`): one that
cannot be read (too large, nested too deep, or anything a reader raises on it) is listed
as ``unreadable`` by its position and key, never its content, left where it is, and the run
goes on. A Date after ``now`` counts as ``now``; ``move_to`` is checked before anything is
read.

**One source for the workspace** (``checkin --all-programs --replies``): each program reads
the same source in turn, under its own lock, knowing the Message-IDs the others recorded. A
message belongs to the program whose recorded Message-ID it names first; the others pass it
over (``other_programs``), so it is counted, listed, remembered and moved by that program
alone. A message that names no program's, or cannot be read, is the first program's.

The result lists, for the admin, the replies that were not fully read (``partial``: some
answers and some text kept as a note; ``note_only``: nothing read as an answer;
``empty``: nothing written), the refused ones, strangers, automatic replies, receipts and
bounces, by position in the source, pair, week and person id, never with their text or
address. Nothing is written on ``dry_run``, and nothing is moved.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import choice_replies, meeting_replies, mentor_answers
from mentorctl.checkins.answers import (
    NOTE_KEY,
    Entry,
    apply_answers,
)
from mentorctl.checkins.bounce_record import (
    record as record_bounces,
)
from mentorctl.checkins.reply_index import (
    RECORDED,
    REPLIES,
    UNDATED,
    Index,
    message_ids,
    reply_hash,
)
from mentorctl.checkins.reply_reader import (
    SOURCE,
    Listed,
    Read,
    Reader,
    ReplyResult,
    UnreadableReply,
    raw_headers,
)
from mentorctl.mail.bounded import Unreadable, guarded, parse_message

if TYPE_CHECKING:
    from mentorctl.mail.source import Inbox
    from mentorctl.programs.program import Program


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
    others: Collection[str] = frozenset(),
    takes_unnamed: bool = True,
) -> ReplyResult:
    """Read every message of ``inbox`` and record the check-in answers they give.

    When one source serves every program of a workspace, ``others`` holds the Message-IDs the
    other programs recorded (:func:`recorded_message_ids`) and ``takes_unnamed`` is true for
    one program only: a message is read by the program whose message it names first, and one
    that names none (or cannot be read) by that one program (:class:`Reader`)."""
    from mentorctl.store.db import Store

    if move_to is not None:  # refused before anything is read or recorded
        inbox.check_move(move_to)
    result = ReplyResult(inbox.where, inbox.kind, move_to=move_to, dry_run=dry_run)
    result.answers.dry_run = dry_run
    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run) as store:
        reader = Reader(
            Index(store, program),
            result,
            today,
            now,
            program.duration_weeks,
            others=others,
            takes_unnamed=takes_unnamed,
        )
        for incoming in inbox.messages():
            result.messages += 1
            if progress is not None and result.messages % 500 == 0:
                progress(result.messages, 0)
            # An unreadable message is remembered by its bytes (or, when too large to be read,
            # by its place in the source), so it is listed once, not on every run.
            unread_id = incoming.fingerprint or reply_hash(
                None, f"{inbox.kind}:{incoming.key}".encode()
            )
            if reader.unreadable_before(unread_id):
                continue
            try:
                if incoming.unreadable:
                    raise Unreadable(incoming.unreadable)
                msg = parse_message(incoming.raw)
                guarded(email.utils.parseaddr, raw_headers(msg)["from"])  # "(((..." recurses
            except Unreadable as exc:
                if not takes_unnamed:  # it names no program: another one lists it
                    result.other_programs += 1
                    continue
                reader.unreadable(
                    unread_id, UnreadableReply(result.messages, incoming.key, exc.reason)
                )
                continue
            before = reader.checkpoint()
            try:
                guarded(reader.read, result.messages, incoming, msg)
            except Unreadable as exc:
                reader.restore(before)  # nothing of a message that could not be read is kept
                if not takes_unnamed:
                    result.other_programs += 1
                    continue
                reader.unreadable(
                    unread_id, UnreadableReply(result.messages, incoming.key, exc.reason)
                )
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
        remembered += meeting_replies.record(store, reader.meetings, stamp)
        remembered += choice_replies.record(store, reader, stamp)
        reader.done_keys += [m.key for m in reader.meetings]
        remembered += mentor_answers.record(store, program, result, Listed, today=today, now=now)
        reader.done_keys += mentor_answers.placed_keys(result)
        remembered += [{**doc, "at": stamp} for doc in reader.left_alone]
        if remembered:
            store.insert_many(REPLIES, remembered)
    result.listed.sort(
        key=lambda x: (_pair_order(x.pair), x.week, x.person, x.status, x.position or 0)
    )
    if move_to is not None and reader.done_keys and not dry_run:
        result.moved = inbox.move(reader.done_keys, move_to)
    return result


def recorded_message_ids(store_path: Path) -> set[str]:
    """Every Message-ID a program recorded for the messages it made (read without its lock:
    writers replace the store whole)."""
    from mentorctl.checkins.plan import MESSAGES
    from mentorctl.store.db import Store

    with Store.reading(store_path) as store:
        return {
            found
            for doc in store.documents(MESSAGES).values()
            for found in message_ids(doc.get("message_id"))
        }


def _entries(items: list[Read], index: Index) -> tuple[list[Entry], set[tuple[str, int, str]]]:
    """The answers to apply, oldest reply first, and the weeks whose answers were replaced.

    Of one person's replies to one message, the latest by its Date gives the answers to that
    message's questions; every reply's note is kept. A reply older than one applied by an
    earlier run adds only its note."""
    latest_here: dict[tuple[str, int, str, str], Read] = {}
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


def _remembered(item: Read, stamp: str) -> dict[str, Any]:
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
