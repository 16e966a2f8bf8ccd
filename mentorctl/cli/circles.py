"""``pair`` in a circles program: proposed circles as a table or JSON, and saving them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mentorctl.cli import output
from mentorctl.errors import UsageError


def propose_circles(
    prog: Any,
    paths: Any,
    *,
    method: str,
    seed: int,
    commit: bool,
    review: bool,
    redo: bool,
    notify_waiting: bool,
    round_: int | None,
    day: dt.date,
    now: dt.datetime,
    dry_run: bool,
    as_json: bool,
) -> None:
    from mentorctl.matching import circle_pairs

    for flag, used in (
        ("--review", review),
        ("--redo", redo),
        ("--notify-waiting", notify_waiting),
        (f"--method {method}", method != "optimal"),
    ):
        if used:
            raise UsageError(
                f"{flag} does not apply to a circles program (format: circles)",
                hint="run 'mentorctl pair' to propose circles, then 'mentorctl pair --commit'",
            )
    plan = circle_pairs.plan(prog, paths.store_path, seed=seed, today=day)
    committed = None
    if commit:
        committed = circle_pairs.commit(
            plan, paths.store_path, program=prog, today=day, now=now, round_=round_,
            dry_run=dry_run,
        )  # fmt: skip
    show(plan, committed, as_json)


def _name(people: dict[str, dict[str, Any]], pid: str) -> str:
    return f"{(people.get(pid) or {}).get('name', '?')} ({pid})"


def data(plan: Any, committed: Any) -> dict[str, Any]:
    result = plan.result
    out = result.to_dict()
    out["format"] = "circles"
    out["seed"] = plan.seed
    out["waiting"] = [{"mentee": m, "reason": why} for m, why in result.waiting]
    out["committed"] = (
        None
        if committed is None
        else {
            "dry_run": committed.dry_run,
            "circles": committed.circles,
            "pairs": [p["id"] for p in committed.pairs],
            "skipped": [{"who": a, "mentor": b, "why": c} for a, b, c in committed.skipped],
        }
    )
    return out


def show(plan: Any, committed: Any, as_json: bool) -> None:
    if as_json:
        output.emit_json(data(plan, committed))
        return
    people = plan.snapshot.by_id
    result = plan.result
    output.table(
        f"Proposed circles (seed {plan.seed})",
        ["Circle", "Mentor", "Members", "Shared topics", "Window", "Score"],
        [
            [
                c.label,
                _name(people, c.mentor_id)
                + (f" with {_name(people, c.co_mentor_id)}" if c.co_mentor_id else ""),
                ", ".join(_name(people, m.mentee_id) for m in c.members),
                ", ".join(c.topics),
                c.window,
                f"{c.score:.2f}",
            ]
            for c in result.circles
        ],
    )
    rows = []
    for c in result.circles:
        for m in c.members:
            text = "; ".join(m.reasons)
            if m.against:
                text += "; against: " + "; ".join(m.against)
            rows.append([c.label, _name(people, m.mentee_id), f"{m.score:.2f}", text])
    if rows:
        output.table("Members", ["Circle", "Mentee", "Pair score", "Why"], rows)
    if result.waiting:
        output.table(
            "Waiting mentees",
            ["Mentee", "Why not placed"],
            [[_name(people, m), why] for m, why in result.waiting],
        )
    for line in result.notes:
        output.note(f"note: {line}")
    q = result.quality
    if q.optimal:
        how = "proven optimal"
    elif q.gap is not None:
        most = q.bound // q.big if q.big and q.bound is not None else None
        how = f"within {q.gap:.2f} score points of a proven bound"
        if most is not None and most > result.placed:
            how += f" (which allows up to {most} placed)"
    else:
        how = "no bound proven"
    output.info(
        f"Placed {result.placed} of {result.mentees} waiting mentees in "
        f"{len(result.circles)} circle(s), score {q.score:.2f} ({how}; {q.solver}, "
        f"{q.seconds:.1f} s)."
    )
    if committed is None:
        if result.circles:
            output.note("Nothing saved. Run 'mentorctl pair --commit' to save these circles.")
        else:
            output.note("No new circles to propose; nothing to save.")
        return
    for who, mentor, why in committed.skipped:
        output.warn(f"not saved: {who} with {mentor}: {why}")
    verb = "Would save" if committed.dry_run else "Saved"
    number = next((c.get("round") for c in committed.circles), None)
    output.info(
        f"{verb} {len(committed.circles)} circle(s), {len(committed.pairs)} pair(s) as proposed"
        + (f" in round {number}" if number else "")
        + ("" if committed.dry_run else "; 'mentorctl introduce' introduces them.")
    )
