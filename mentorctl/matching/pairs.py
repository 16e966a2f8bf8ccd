"""Pairs in the store: proposals from a matching run, commits, and an admin's overrides.

A matching run reads the store without locking it (an admin may take minutes to review the
proposals); committing takes the lock and checks every accepted proposal again against the
store as it is then, so a pair that became impossible in between (the mentee was paired by
another run, the mentor filled up, someone blocked someone) is skipped, never written.

A pair's life: proposed (committed by ``pair``) -> active (introduced) -> completed (or
lapsed: no answer in the program's last weeks), or ended by the admin, a block, a concern, a withdrawal or
a check-in ("not_fit"); an introduced pair that ends early is marked ``notify_ended`` so the
next check-in run tells its people. Two people who were ever paired are never paired
again. A locked pair is kept when proposals are redone and cannot be ended without ``force``;
a pair added by hand (``add``, forced or not) is kept too, unless ``redo_manual`` says not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.errors import UsageError
from mentorctl.matching import proposals
from mentorctl.matching.pair_changes import EARLY_END as EARLY_END  # re-exported
from mentorctl.matching.pair_changes import INTRODUCED as INTRODUCED
from mentorctl.matching.pair_changes import PAIRS, change_pairs
from mentorctl.store import addresses

if TYPE_CHECKING:
    from mentorctl.matching.match import MatchResult, PairCheck
    from mentorctl.programs.program import Program
    from mentorctl.store.db import Store

PEOPLE = "people"
BLOCKS = "blocks"
# Pairs in these states hold their mentee and use a slot of their mentor.
HOLDING = frozenset({"proposed", "active", "quiet", "paused"})
STATUSES = ("proposed", "active", "quiet", "paused", "completed", "lapsed", "ended", "not_fit")


# -- reading the store --------------------------------------------------------------------


@dataclass
class Snapshot:
    """What a matching run needs from the store."""

    people: list[dict[str, Any]]
    pairs: list[dict[str, Any]]
    blocked: set[frozenset[str]]

    @property
    def by_id(self) -> dict[str, dict[str, Any]]:
        return {str(p["id"]): p for p in self.people if "id" in p}

    def existing(self) -> list[tuple[str, str, str]]:
        return [(p["mentee"], p["mentor"], p["status"]) for p in self.pairs]


def snapshot(store: Store) -> Snapshot:
    people = list(store.documents(PEOPLE).values())
    pairs = list(store.documents(PAIRS).values())
    blocked = {
        frozenset((b["person"], b["other"]))
        for b in store.documents(BLOCKS).values()
        if not b.get("lifted")
    }
    return Snapshot(people, pairs, blocked)


def find_person(snap: Snapshot, ref: str) -> dict[str, Any]:
    """A person by id (``P12``) or email."""
    wanted = ref.strip()
    folded = addresses.spellings(wanted)[0]  # as import stores addresses
    for person in snap.people:
        if person.get("id") == wanted or person.get("email") == folded:
            return person
    # A reference may be an address or a name: errors repeat only ids such as P12.
    shown = f"'{wanted}'" if re.fullmatch(r"[PM]\d+", wanted) else "with that reference"
    raise UsageError(
        f"no person {shown} in this program", hint="use a person id such as P12 or an email"
    )


def find_pair(snap: Snapshot, ref: str) -> dict[str, Any]:
    """A pair by id (``M3``), or the one pair holding the person ``ref`` (id or email)."""
    wanted = ref.strip()
    for pair in snap.pairs:
        if pair.get("id") == wanted:
            return pair
    person = find_person(snap, ref)
    holding = [
        p
        for p in snap.pairs
        if person["id"] in (p["mentee"], p["mentor"]) and p["status"] in HOLDING
    ]
    if len(holding) == 1:
        return holding[0]
    if not holding:
        raise UsageError(f"{person['id']} is in no current pair")
    ids = ", ".join(p["id"] for p in holding)
    raise UsageError(f"{person['id']} is in several pairs; name one: {ids}")


# -- a matching run -----------------------------------------------------------------------


@dataclass
class Plan:
    """A matching run's proposals, with the store they were computed from."""

    result: MatchResult
    snapshot: Snapshot
    method: str
    seed: int
    redo: bool
    dropped: list[str] = field(default_factory=list)  # proposed pairs a --redo would replace
    # People who finished a pair and have not signed up again (see people_status).
    out_of_round: list[dict[str, Any]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # pairs added by hand that a --redo keeps
    # Per group of a sign-up field (see fairness): match rate, scores, days waited.
    fairness_by: str | None = None
    fairness: list[dict[str, Any]] = field(default_factory=list)
    # Proposals waiting for their mentor's answer (see proposals), oldest first, with ages.
    asked: list[dict[str, Any]] = field(default_factory=list)


def plan(
    program: Program,
    store_path: Path,
    *,
    method: str,
    seed: int,
    today: dt.date,
    redo: bool = False,
    redo_manual: bool = False,
    progress: Callable[[int, int], None] | None = None,
    fairness_by: str | None = None,
) -> Plan:
    """Propose pairs for every waiting mentee; with ``redo``, also re-plan unlocked proposals
    (those added by hand, forced ones included, only with ``redo_manual``)."""
    from mentorctl.matching.choices import from_people
    from mentorctl.matching.match import match
    from mentorctl.matching.rounds import for_matching
    from mentorctl.store.db import Store

    with Store.reading(store_path) as store:
        snap = snapshot(store)
        asks = proposals.in_store(store)
    people, out = for_matching(snap, today)
    dropped: list[str] = []
    kept: list[str] = []
    pairs = snap.pairs
    if redo:
        open_ = [p for p in pairs if p["status"] == "proposed" and not p.get("locked")]
        kept = [p["id"] for p in open_ if p.get("method") == "manual" and not redo_manual]
        dropped = [p["id"] for p in open_ if p["id"] not in kept]
        keep = set(dropped)
        pairs = [p for p in pairs if p["id"] not in keep]
    considered = Snapshot(snap.people, pairs, snap.blocked)
    result = match(
        people,
        program.data["matching"],
        today=today,
        existing=considered.existing() + asked_and_declined(asks, snap.people),
        blocked=snap.blocked,
        method=method,
        seed=seed,
        ranked_choices=_ranked_choices(snap.people),
        progress=progress,
        fairness=program.data.get("fairness"),
        choices=from_people(people),
    )
    proposals.name_declines(result, asks, snap.people)
    done = Plan(result, snap, method, seed, redo, dropped, out, kept)
    done.asked = proposals.listed(asks, today)
    by = fairness_by or (program.data.get("fairness") or {}).get("by")
    if by:
        from mentorctl.matching import fairness

        done.fairness_by = fairness.field_label(by)
        waiting = [u.mentee_id for u in result.unmatched]
        done.fairness = fairness.run_table(snap.by_id, result.pairs, waiting, by, today)
    return done


def asked_and_declined(
    asks: list[dict[str, Any]], people: Sequence[dict[str, Any]]
) -> list[tuple[str, str, str]]:
    """What proposals put to mentors add to the pairs a run considers: each waiting one as a
    proposed pair, each mentor who declined a mentee (or let the question expire) as a pair
    that can never be made again."""
    return proposals.held(asks) + proposals.never_again(asks, people)


def _ranked_choices(people: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Mentors a mentee ranked on the sign-up form (an extra answer named ``ranked_mentors``).

    The answer lists mentor emails or ids in order of preference, separated by commas.
    """
    emails = {p.get("email"): p.get("id") for p in people}
    out = {}
    for person in people:
        answer = (person.get("extra") or {}).get("ranked_mentors")
        if not answer:
            continue
        ranked = []
        for item in str(answer).replace(";", ",").split(","):
            item = item.strip()
            ranked.append(emails.get(item.casefold(), item))
        out[str(person["id"])] = [r for r in ranked if r]
    return out


@dataclass
class CommitResult:
    written: list[dict[str, Any]]
    skipped: list[tuple[str, str, str]]  # mentee id, mentor id, why
    removed: list[str]
    dry_run: bool


def commit(
    plan_: Plan,
    store_path: Path,
    *,
    program: Program,
    accepted: Iterable[int] | None,
    today: dt.date,
    now: dt.datetime,
    round_: int | None = None,
    dry_run: bool = False,
) -> CommitResult:
    """Save the accepted proposals (all when ``accepted`` is None) as proposed pairs, in round
    ``round_`` or the one :func:`.program_rounds.for_new_pairs` gives them."""
    from mentorctl.matching.choices import with_choice
    from mentorctl.store.db import Store

    chosen = list(range(len(plan_.result.pairs))) if accepted is None else sorted(set(accepted))
    stamp = now.isoformat(timespec="seconds")
    out = CommitResult([], [], [], dry_run)
    with Store.writing(store_path, dry_run=dry_run, backup=plan_.redo) as store:
        if plan_.redo:
            out.removed = _drop_proposals(store, set(plan_.dropped))
        snap = snapshot(store)
        existing = snap.existing() + asked_and_declined(proposals.in_store(store), snap.people)
        number = round_for(snap, program, today, round_)
        new_docs = []
        for index in chosen:
            proposal = plan_.result.pairs[index]
            check, why = checked_again(
                snap, program, proposal.mentee_id, proposal.mentor_id, today, existing
            )
            if check is None:
                out.skipped.append((proposal.mentee_id, proposal.mentor_id, why))
                continue
            doc = pair_doc(proposal.mentee_id, proposal.mentor_id, check, plan_.method, stamp)
            doc["reasons"] = with_choice(doc["reasons"], proposal.reasons)
            doc["round"] = number
            existing.append((doc["mentee"], doc["mentor"], doc["status"]))
            new_docs.append(doc)
        insert_pairs(store, new_docs)
        out.written = new_docs
    return out


def checked_again(
    snap: Snapshot,
    program: Program,
    mentee_id: str,
    mentor_id: str,
    today: dt.date,
    existing: list[Any],
    stale_when: frozenset[str] | None = None,
) -> tuple[PairCheck | None, str]:
    """A proposal checked again as it is saved, against the store as it is now: the pair's
    check, or None and why it no longer fits (a rule broken, or one of the warnings
    ``stale_when`` names: by default those of a pair, a full mentor among them)."""
    from mentorctl.matching.match import score_pair

    mentee, mentor = snap.by_id.get(mentee_id), snap.by_id.get(mentor_id)
    if mentee is None or mentor is None:
        return None, "no longer in the store"
    check = score_pair(
        mentee, mentor, program.data["matching"], today=today, existing=existing,
        blocked=snap.blocked,
    )  # fmt: skip
    codes = _STALE if stale_when is None else stale_when
    stale = check.violations + [w for w in check.warnings if w.code in codes]
    return (None, stale[0].text) if stale else (check, "")


def round_for(snap: Snapshot, program: Program, today: dt.date, requested: int | None) -> int:
    from mentorctl.history.program_rounds import for_new_pairs

    return for_new_pairs(
        snap.pairs, today=today, duration_weeks=program.duration_weeks, requested=requested
    )


def _drop_proposals(store: Store, ids: set[str]) -> list[str]:
    table = store.documents(PAIRS)
    doomed = {
        k: d
        for k, d in table.items()
        if d.get("id") in ids and d["status"] == "proposed" and not d.get("locked")
    }
    if doomed:
        store.table(PAIRS).remove(doc_ids=[int(k) for k in doomed])
    return [d["id"] for d in doomed.values()]


def insert_pairs(store: Store, docs: list[dict[str, Any]]) -> None:
    if not docs:
        return
    for doc, pair_id in zip(docs, store.next_ids("pair", "M", len(docs)), strict=True):
        doc["id"] = pair_id
    store.insert_many(PAIRS, docs)


def pair_doc(mentee: str, mentor: str, check: PairCheck, method: str, stamp: str) -> dict[str, Any]:
    return {
        "id": "",
        "mentee": mentee,
        "mentor": mentor,
        "status": "proposed",
        "score": round(check.score, 4),
        "reasons": list(check.reasons),
        "against": list(check.against),
        "parts": [
            {"kind": p.kind, "name": p.name, "value": p.value, "weight": p.weight}
            for p in check.parts
        ],
        "method": method,
        "locked": False,
        "start_date": None,
        "created": stamp,
        "updated": stamp,
        "history": [{"at": stamp, "status": "proposed", "by": method}],
    }


# -- an admin's overrides -----------------------------------------------------------------


@dataclass
class Override:
    action: str
    pair: dict[str, Any]
    check: PairCheck | None
    dry_run: bool
    circles: list[str] = field(default_factory=list)  # circles it closed or handed over


def add(
    program: Program,
    store_path: Path,
    mentee_ref: str,
    mentor_ref: str,
    *,
    force: bool,
    today: dt.date,
    now: dt.datetime,
    round_: int | None = None,
    dry_run: bool = False,
) -> Override:
    """Pair two people by hand: refused when a hard rule is broken (unless ``force``)."""
    from mentorctl.matching.explain import forced_against
    from mentorctl.matching.match import score_pair
    from mentorctl.store.db import Store

    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run) as store:
        snap = snapshot(store)
        mentee = find_person(snap, mentee_ref)
        mentor = find_person(snap, mentor_ref)
        check = score_pair(
            mentee,
            mentor,
            program.data["matching"],
            today=today,
            existing=snap.existing(),
            blocked=snap.blocked,
        )
        # Warnings that would break the program's own rules count as refusals here.
        breaking = check.violations + [w for w in check.warnings if w.code in _STALE]
        hard = [v for v in breaking if force is False or v.code in UNFORCEABLE]
        if hard:
            # --force is hinted only when it would be enough: no rule it cannot lift is broken.
            forceable = not any(v.code in UNFORCEABLE for v in hard)
            hint = "add --force to pair them anyway" if forceable else None
            raise UsageError(
                f"cannot pair {mentee['id']} with {mentor['id']}: "
                + "; ".join(v.text for v in hard),
                hint=hint,
            )
        doc = pair_doc(mentee["id"], mentor["id"], check, "manual", stamp)
        doc["round"] = round_for(snap, program, today, round_)
        doc["history"][0]["by"] = "admin" + (" (forced)" if check.violations else "")
        doc["against"] = forced_against(check.against, check.violations)
        insert_pairs(store, [doc])
    return Override("added", doc, check, dry_run)


# Warnings of score_pair that mean the pair does not fit the store as it is now.
_STALE = frozenset({"mentor_full", "mentor_paused", "mentee_paired", "inactive"})

# Rules no --force can lift: these would make a pair meaningless or unsafe.
UNFORCEABLE = frozenset({"self", "blocked", "already_paired", "past_pair"})


def end(
    store_path: Path,
    pair_ref: str,
    *,
    reason: str,
    force: bool,
    now: dt.datetime,
    status: str = "ended",
    dry_run: bool = False,
) -> Override:
    """End a pair; its two people are never paired with each other again."""
    from mentorctl.store.db import Store

    if not reason.strip():
        raise UsageError("say why the pair ends: --reason TEXT")
    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run, backup=True) as store:
        snap = snapshot(store)
        pair = find_pair(snap, pair_ref)
        if pair["status"] not in HOLDING:
            raise UsageError(f"pair {pair['id']} has already {pair['status'].replace('_', ' ')}")
        if pair.get("locked") and not force:
            raise UsageError(f"pair {pair['id']} is locked", hint="unlock it first, or add --force")
        _change(
            store, pair, status=status, stamp=stamp, note=reason.strip(), end_reason=reason.strip()
        )
        circles = _settle_circle(store, pair, stamp)
    return Override("ended", pair, None, dry_run, circles)


def _settle_circle(store: Store, pair: dict[str, Any], stamp: str) -> list[str]:
    """A circle's member pair ended: the circle's history at once (who left; closed, or
    taken over by its co-mentor), as ``withdraw`` does."""
    if not pair.get("circle"):
        return []
    from mentorctl.matching import circle_life

    return circle_life.settle(store, stamp=stamp).lines()


def lock(
    store_path: Path, pair_ref: str, *, locked: bool, now: dt.datetime, dry_run: bool = False
) -> Override:
    from mentorctl.store.db import Store

    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run) as store:
        pair = find_pair(snapshot(store), pair_ref)
        if pair["status"] not in HOLDING:
            raise UsageError(f"pair {pair['id']} is over ({pair['status']}); nothing to lock")
        _change(store, pair, stamp=stamp, locked=locked, note="locked" if locked else "unlocked")
    return Override("locked" if locked else "unlocked", pair, None, dry_run)


def _change(store: Store, pair: dict[str, Any], *, stamp: str, note: str, **fields: Any) -> None:
    """Change one pair and record it in its history (``pair`` is the store's live document)."""
    change_pairs(store, {pair["id"]: (fields, note)}, stamp)
