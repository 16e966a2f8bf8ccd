"""Forgetting a person on request (exporting what is held on them is :mod:`.export`).

Forgetting erases their sign-up (name, address, answers to the form), the free text of
their answers, every outbox file of their pairs (the partner's copies name them too), and
the reasons written about them. What happened stays, as anonymous dated traces, so that the
figures of every past day are what they were: a trace of the person (their internal id,
role, capacity, sign-up day and dated events without reasons) in the ``forgotten_people``
table; their answers with only yes/no and numbers; the messages made for them with their
delivery facts; concerns and blocks with their days; the replies table's record of each
reply they sent (a digest of the reply's own Message-ID, its pair, week and outcome: no
text, no address), so that a reply still in the mailbox is not read again as a new one.
Every reader shows the person only as ``[forgotten]``. Their pairs end; the partner keeps
their own messages, answers and pair history, goes back to waiting at once and, if the pair
had been introduced, gets the kind ``ended`` message with the next check-in run. A circle
they were in is settled at once and holds them only as ``forgotten``, and its members' pairs
count as naming them (:mod:`.forget_circles`). Their name or address in other people's
records (their reasons, those of proposals) is redacted, backups that hold them are deleted,
their address goes on the workspace's suppression list (so the next import of the same
export, into any program of the workspace, skips them), and files mentorctl wrote earlier that may hold them are listed, or removed on
request.

Nothing here prints or logs an email address or an answer: people are named by their id.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from mentorctl.errors import MentorctlError, UsageError
from mentorctl.matching import proposals
from mentorctl.matching.choices import shortlists_naming
from mentorctl.matching.pairs import (
    BLOCKS,
    HOLDING,
    INTRODUCED,
    PAIRS,
    PEOPLE,
    find_person,
    snapshot,
)
from mentorctl.safety import forget_circles
from mentorctl.safety.tables import (
    ANSWERS,
    CONCERNS,
    FORGOTTEN,
    MESSAGES,
    REPLIES,
    TRACES,
    doc_id,
    timestamp,
)
from mentorctl.store import manifest
from mentorctl.store.db import Store
from mentorctl.store.suppression import STORE_META, SuppressionList

REDACTED = "[forgotten]"
# What a person's trace keeps: what the figures of past days count, nothing that names them.
_TRACE_FIELDS = ("id", "role", "status", "capacity", "signed_up", "returned", "created")
# A history entry keeps when it took effect, what it was, and a pause's end; a reason or an
# address becomes REDACTED, so a past day shows that one was given, not what it said.
_ENTRY_FIELDS = ("at", "event", "until")
_ENTRY_TEXT = ("reason", "address", "source")
# Answer values kept in a trace: yes/no and numbers (a rating, a count) name nobody.
_PLAIN = re.compile(r"yes|no|-?[0-9]{1,3}(\.[0-9]{1,2})?", re.IGNORECASE)


@dataclass
class ForgetResult:
    person: str
    removed: dict[str, int]
    # Their records kept as anonymous traces (what they said and who they are taken out).
    anonymised: dict[str, int]
    ended_pairs: list[str]
    outbox_files: int
    backups_scrubbed: int
    dry_run: bool
    redacted: dict[str, int] = field(default_factory=dict)
    # Files mentorctl wrote earlier (rejects, reports, exports) that may still hold the person.
    files: list[str] = field(default_factory=list)
    files_removed: bool = False
    circles: list[str] = field(default_factory=list)  # circles closed or taken over by it


def forget(
    store_path: Path,
    outbox: Path,
    email: str,
    *,
    now: dt.datetime,
    dry_run: bool = False,
    remove_files: bool = False,
    topics: Iterable[str] = (),
) -> ForgetResult:
    """Erase a person, leaving anonymous dated traces (see the module's docstring).

    What is theirs is found by the person's id and address only: a record is theirs when a
    field that names people names them. Their name or address in another record's free text
    (a block reason, a concern, an answer) is redacted there; nobody else's record goes. A
    dry run finds exactly what the real run does, backups and files included.
    """
    from mentorctl.signups import index as importindex

    stamp = timestamp(now)
    with Store.writing(store_path, dry_run=dry_run) as store:
        snap = snapshot(store)
        person = find_person(snap, email)
        pid = person["id"]
        address = str(person.get("email") or "")
        name = str(person.get("name") or "")
        redact = _redactor(address, name)
        # what the members of a circle they were in read names them by first name too
        shared = forget_circles.pairs_shared(store, pid)
        near = _redactor(address, name, (name.split() or [""])[0])
        removed = {PEOPLE: 1}
        anonymised: dict[str, int] = {}
        redacted: dict[str, int] = {}
        ended = []
        theirs = set()
        pair_changes = {}
        # the day each pair's week 1 was made, which its weeks count from, outlives the
        # messages that go with the person
        week_one: dict[Any, str] = {}
        for m in store.documents(MESSAGES).values():
            if m.get("kind") == "weekly" and m.get("week") == 1 and m.get("created"):
                made = str(m["created"])
                week_one[m.get("pair")] = min(made, week_one.get(m.get("pair"), made))
        for key, pair in store.documents(PAIRS).items():
            if pid not in (pair.get("mentee"), pair.get("mentor")):
                words = near if pair.get("id") in shared else redact
                changes = _redact_fields(pair, ("end_reason",), words)
                for listed in ("reasons", "against"):
                    kept = [words(r) if isinstance(r, str) else r for r in pair.get(listed) or ()]
                    if kept != list(pair.get(listed) or ()):
                        changes[listed] = kept
                history = [_redact_fields(h, ("note",), words) for h in pair.get("history", [])]
                if any(history):
                    changes["history"] = [
                        {**h, **c} for h, c in zip(pair["history"], history, strict=True)
                    ]
                if changes:
                    pair_changes[int(key)] = changes
                    redacted[PAIRS] = redacted.get(PAIRS, 0) + 1
                continue
            theirs.add(pair.get("id"))
            role = "mentee" if pair["mentee"] == pid else "mentor"
            fields: dict[str, Any] = {
                "reasons": [],
                "against": [],
                "parts": [],
                # free text an admin wrote may name them: a past day shows it as redacted
                "end_reason": REDACTED if pair.get("end_reason") else None,
                "updated": stamp,
            }
            if pair["status"] in HOLDING:
                partner = pair["mentor"] if role == "mentee" else pair["mentee"]
                fields.update(
                    status="ended",
                    end_reason="a person asked to be forgotten",
                    released=[partner],
                    # The partner of an introduced pair is told, kindly, with the next run.
                    notify_ended=[partner] if pair["status"] in INTRODUCED else [],
                )
                ended.append(pair["id"])
            elif isinstance(pair.get("notify_ended"), list):
                fields["notify_ended"] = [p for p in pair["notify_ended"] if p != pid]
            if (made := week_one.get(pair.get("id"))) and not pair.get("first_week"):
                fields["first_week"] = made
            fields["history"] = [
                {"at": h.get("at"), "status": h.get("status")}
                for h in pair.get("history", [])
                if h.get("status")
            ] + [{"at": stamp, "status": fields.get("status", pair["status"]), "note": "forgotten"}]
            pair_changes[int(key)] = fields
        store.update_many(PAIRS, pair_changes)
        outbox_files: list[Path | None] = []
        offered = shortlists_naming(store.documents(PEOPLE).values(), pid)  # they are named
        offered |= proposals.forgotten(store, pid, stamp)  # asks naming them; taken back
        if asked := proposals.forget_reasons(store, pid, redact):
            redacted[proposals.PROPOSALS] = asked
        for table in (ANSWERS, REPLIES, MESSAGES, CONCERNS, BLOCKS, PEOPLE):
            changes = {}
            traced = 0
            for k, doc in store.documents(table).items():
                if table == PEOPLE and doc.get("id") == pid:
                    continue  # their own record goes whole, below
                mine = _is_theirs(table, doc, pid, theirs)
                if table == MESSAGES and (
                    mine or doc.get("pair") in theirs | shared or doc.get("key") in offered
                ):
                    # Every copy of the pair's messages names them (and every message of a
                    # circle they were in): the files go; the record of what was sent to
                    # whom, and when, stays.
                    outbox_files.append(_outbox_file(outbox, doc))
                if mine and table == REPLIES:
                    traced += 1  # a digest, pair, week and outcome: it names nobody
                elif mine:
                    changes[int(k)] = _trace(table, doc, pid, redact)
                    traced += 1
                elif fixed := _redact_other(table, doc, pid, redact):
                    changes[int(k)] = fixed
            store.update_many(table, changes)
            if traced:
                anonymised[table] = traced
            if len(changes) > traced:
                redacted[table] = len(changes) - traced
        store.table(PEOPLE).remove(doc_ids=[doc_id(store, PEOPLE, "id", pid)])
        circles = forget_circles.forget(store, pid, stamp)  # settled, and holding them no more
        store.insert_many(TRACES, [trace_of(person, stamp, topics)])
        existing = [p for p in dict.fromkeys(outbox_files) if p is not None and p.exists()]
        backups = _backups_holding(store_path, pid, address)
        written = manifest.holding(
            store_path.parent, addresses=[address], words=[pid, str(person.get("name") or "")]
        )
        if not dry_run:
            # Suppressed before the store forgets them: a crash in between leaves them
            # suppressed and still present, never erased and importable again.
            listed = SuppressionList.for_store(store_path)
            listed.add(address)
            # The store remembers the list's key: a copy of this program in another
            # workspace, whose list does not hold them, is refused rather than taking them in.
            store.set_meta(STORE_META, listed.key_check())
            # Files go only once the store no longer points at them.
            store.commit()
            left = _delete([*existing, *backups, *(written if remove_files else [])])
            importindex.discard(importindex.index_path(store_path))
            if remove_files:
                manifest.forget_files(store_path.parent, [p for p in written if p not in left])
            if left:
                raise MentorctlError(
                    f"{pid} is erased from the store, but {len(left)} file(s) that may hold them "
                    "could not be deleted: " + ", ".join(str(p) for p in left),
                    hint="delete them by hand",
                )
    return ForgetResult(
        pid, removed, anonymised, ended, len(existing), len(backups), dry_run, redacted=redacted,
        files=[str(p) for p in written], files_removed=remove_files, circles=circles,
    )  # fmt: skip


def _is_theirs(table: str, doc: dict[str, Any], pid: str, pairs: set[Any]) -> bool:
    """Whether a record belongs to the person: found by the fields that name people and pairs."""
    if table in (ANSWERS, REPLIES):
        return doc.get("person") == pid
    if table == MESSAGES:
        return pid in (doc.get("to") or [])
    if table == CONCERNS:
        # A concern about somebody else stays, even when one of the pairs it paused was theirs.
        held = set(doc.get("pairs") or {})
        if doc.get("person") is not None:
            return doc.get("person") == pid
        return bool(held) and held <= pairs
    if table == BLOCKS:
        return pid in (doc.get("person"), doc.get("other"))
    return False


def _redact_other(
    table: str, doc: dict[str, Any], pid: str, redact: Callable[[str], str]
) -> dict[str, Any]:
    """The changes that take the person out of somebody else's record (empty if none)."""
    if table in (BLOCKS, CONCERNS):
        changes = _redact_fields(doc, ("reason",), redact)
        if table == CONCERNS and doc.get("from") == pid:
            changes["from"] = FORGOTTEN
            if doc.get("reason"):
                changes["reason"] = REDACTED  # what they wrote goes, whoever it was about
        return changes
    if table == PEOPLE:
        # somebody else's record: what an admin or a form wrote there may name them
        changes = _redact_fields(doc, ("bio", "withdraw_reason"), redact)
        extra = doc.get("extra")
        if isinstance(extra, dict):
            fixed = _redact_fields(
                extra, tuple(k for k, v in extra.items() if isinstance(v, str)), redact
            )
            if fixed:
                changes["extra"] = {**extra, **fixed}
        history = doc.get("history")
        if isinstance(history, list):
            kept = [
                {**h, **_redact_fields(h, _ENTRY_TEXT, redact)} if isinstance(h, dict) else h
                for h in history
            ]
            if kept != history:
                changes["history"] = kept
        return changes
    if table == ANSWERS:
        changes: dict[str, Any] = {}
        answers = doc.get("answers")
        if isinstance(answers, dict):
            fixed = _redact_fields(answers, tuple(answers), redact)
            if fixed:
                changes["answers"] = {**answers, **fixed}
        earlier = doc.get("earlier")
        if isinstance(earlier, list):
            kept = []
            for before in earlier:
                values = before.get("answers") if isinstance(before, dict) else None
                if isinstance(values, dict):
                    before = {
                        **before,
                        "answers": {**values, **_redact_fields(values, tuple(values), redact)},
                    }
                kept.append(before)
            if kept != earlier:
                changes["earlier"] = kept
        return changes
    if table == MESSAGES:
        delivery = doc.get("delivery")
        if isinstance(delivery, dict):
            fixed = {
                who: {**d, **c}
                for who, d in delivery.items()
                if isinstance(d, dict) and (c := _redact_fields(d, ("error",), redact))
            }
            if fixed:
                return {"delivery": {**delivery, **fixed}}
    return {}


def trace_of(person: dict[str, Any], stamp: str, topics: Iterable[str] = ()) -> dict[str, Any]:
    """The anonymous trace a forgotten person leaves: their internal id, role, status,
    capacity, the days they signed up or came back, the goals and expertise they chose among
    the program's own ``signup.topics`` (a choice from a list names nobody; anything else they
    wrote is REDACTED), and their dated events without what the events said (a reason, an
    address), marked with the time they were forgotten."""
    trace = {k: person[k] for k in _TRACE_FIELDS if person.get(k) is not None}
    listed = {str(t).strip().casefold() for t in topics}
    for key in ("goals", "expertise"):
        if isinstance(person.get(key), list) and person[key]:
            trace[key] = [
                v if str(v).strip().casefold() in listed else REDACTED for v in person[key]
            ]
    trace["history"] = [
        {
            **{k: e[k] for k in _ENTRY_FIELDS if k in e},
            **{k: REDACTED for k in _ENTRY_TEXT if e.get(k)},
        }
        for e in person.get("history") or ()
        if isinstance(e, dict)
    ]
    trace["forgotten"] = stamp
    return trace


def _plain(values: Any) -> Any:
    """Answer values with only yes/no and numbers: any other text becomes REDACTED."""
    if not isinstance(values, dict):
        return values
    return {
        k: v
        if v is None or isinstance(v, bool | int | float) or _PLAIN.fullmatch(str(v).strip())
        else REDACTED
        for k, v in values.items()
    }


def _trace(
    table: str, doc: dict[str, Any], pid: str, redact: Callable[[str], str]
) -> dict[str, Any]:
    """The changes that make one of their records an anonymous trace: its days, pair, week
    and figures stay; what they wrote and what was written about them goes."""
    if table == ANSWERS:
        changes: dict[str, Any] = {"answers": _plain(doc.get("answers"))}
        if isinstance(doc.get("earlier"), list):
            changes["earlier"] = [
                {**e, "answers": _plain(e.get("answers"))} if isinstance(e, dict) else e
                for e in doc["earlier"]
            ]
        return changes
    if table == MESSAGES:
        delivery = doc.get("delivery") if isinstance(doc.get("delivery"), dict) else {}
        kept = {}
        for who, d in delivery.items():
            if isinstance(d, dict) and d.get("error"):
                # a refusal quotes the address; somebody else's keeps what names nobody
                error = REDACTED if who == pid else redact(str(d["error"]))
                d = {**d, "error": error}
            kept[who] = d
        return {"delivery": kept} if kept != delivery else {}
    # a concern or a block: its days, pairs and people (by id) stay, what was said goes
    return {"reason": REDACTED} if doc.get("reason") else {}


def _redact_fields(
    doc: dict[str, Any], names: tuple[str, ...], redact: Callable[[str], str]
) -> dict[str, Any]:
    changes = {}
    for name in names:
        value = doc.get(name)
        if isinstance(value, str) and (fixed := redact(value)) != value:
            changes[name] = fixed
    return changes


def _redactor(address: str, name: str, first: str = "") -> Callable[[str], str]:
    """Replaces the person's address and name (in any case, the name as a whole word) in free
    text, and their first name (``first``) as a whole word written as they write it: "Can"
    in a list of members, not the word "can"."""
    patterns = [p for p in (address_pattern(address),) if p is not None]
    for words, flags in ((name, re.IGNORECASE), (first, 0)):
        if not words.strip():
            continue
        # A hyphen or an apostrophe joins names ("Ann" is not in "Ann-Marie" or "O'Ann"), and
        # a name inside somebody else's address is theirs (ann.lee@..., lee@...).
        whole = (r"(?<![\w'’@.-])", r"(?![\w'’@-]|\.\w)")
        patterns.append(re.compile(whole[0] + re.escape(words.strip()) + whole[1], flags))

    def redact(text: str) -> str:
        for pattern in patterns:
            text = pattern.sub(REDACTED, text)
        return text

    return redact


def address_pattern(address: str) -> re.Pattern[str] | None:
    """The address in any case, not as part of a longer one (ann@x.com is in neither joann@x.com
    nor ann@x.com.au)."""
    if not address.strip():
        return None
    return re.compile(r"(?<![\w.@+-])" + re.escape(address) + r"(?![\w@-]|\.\w)", re.IGNORECASE)


def _delete(paths: list[Path]) -> list[Path]:
    """Delete ``paths``; those that could not be deleted (a folder not writable, a disk error)."""
    left = []
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            left.append(path)
    return left


def _outbox_file(outbox: Path, message: dict[str, Any]) -> Path | None:
    name = message.get("file")
    return outbox / Path(str(name)).name if name else None


def _backups_holding(store_path: Path, pid: str, address: str) -> list[Path]:
    """The backups that still hold the person: a backup is no place for erased data.

    A backup holds them when its people table does (by id or address); one that cannot be
    read as a store is searched for the address as bytes.
    """
    found = []
    folded = address.casefold()
    for backup in sorted(backups_dir(store_path).glob("*.json")):
        try:
            data = orjson.loads(backup.read_bytes())
            people = data.get("people", {}).values()
            holds = any(
                isinstance(p, dict)
                and (p.get("id") == pid or str(p.get("email", "")).casefold() == folded)
                for p in people
            )
        except (OSError, orjson.JSONDecodeError, AttributeError, TypeError):
            try:
                holds = bool(folded) and folded.encode() in backup.read_bytes().lower()
            except OSError:
                holds = True
        if holds:
            found.append(backup)
    return found


def lift_suppression(store_path: Path, email: str, *, dry_run: bool = False) -> bool:
    """Let a forgotten address be imported again; whether it was suppressed."""
    if "@" not in email:
        raise UsageError("--lift takes the email address the person signed up with")
    # The workspace's list is changed under its own lock: a forget writing it at the same
    # time, from any program, is not undone.
    return SuppressionList.for_store(store_path).lift(email, dry_run=dry_run)


def backups_dir(store_path: Path) -> Path:
    return store_path.parent / "backups"
