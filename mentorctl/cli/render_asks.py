"""Output of proposals put to mentors (``pair --ask-mentors``): tables, notes and JSON."""

from __future__ import annotations

from typing import Any

from mentorctl.cli import output

WAITING_TITLE = "Waiting for the mentor's answer (not pairs yet; oldest first)"


def _who(people: dict[str, dict[str, Any]], person_id: str) -> str:
    person = people.get(person_id) or {}
    return f"{person.get('name', '?')} ({person_id})"


def plan_data(plan: Any) -> dict[str, Any]:
    """The proposals keys of ``pair --json``."""
    return {"asked_waiting": plan.asked}


def waiting_table(rows: list[dict[str, Any]], people: dict[str, dict[str, Any]]) -> None:
    if not rows:
        return
    output.table(
        WAITING_TITLE,
        ["Proposal", "Mentee", "Mentor", "Asked", "Days"],
        [
            [r["id"], _who(people, r["mentee"]), _who(people, r["mentor"]), r["asked"], r["days"]]
            for r in rows
        ],
    )


def plan_tables(plan: Any) -> None:
    """Proposals still waiting, apart from the run's own (``pair``)."""
    waiting_table(plan.asked, plan.snapshot.by_id)


def unmatched_data(unmatched: Any, people: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The mentees a run left waiting, and why, as ``--json`` gives them."""
    return [
        {
            "mentee": u.mentee_id,
            "mentee_name": people.get(u.mentee_id, {}).get("name"),
            "code": u.code,
            "reason": u.reason,
            "best_score": u.best_score,
        }
        for u in unmatched
    ]


def ask_result(done: Any, plan: Any, as_json: bool) -> None:
    """What ``pair --ask-mentors`` did, beside what its plan says as ``pair`` says it: the
    mentees left waiting and why, and the fairness and parity of the run."""
    from mentorctl.cli import render_fairness, render_messages

    people = plan.snapshot.by_id
    if as_json:
        output.emit_json(
            {
                "asked": [
                    {k: d[k] for k in ("id", "mentee", "mentor", "score", "reasons", "ask")}
                    for d in done.asked
                ],
                "skipped": [{"mentee": a, "mentor": b, "why": why} for a, b, why in done.skipped],
                "waiting": done.waiting,
                "unmatched": unmatched_data(plan.result.unmatched, people),
                **render_fairness.plan_data(plan),
                "run": render_messages.run_data(done.run),
            }
        )
        return
    if done.asked:
        output.table(
            "Proposals put to mentors",
            ["Proposal", "Mentee", "Mentor", "Score", "Why"],
            [
                [
                    d["id"] or "-",
                    _who(people, d["mentee"]),
                    _who(people, d["mentor"]),
                    f"{d['score']:.2f}",
                    "; ".join(d["reasons"]),
                ]
                for d in done.asked
            ],
        )
    for mentee, mentor, why in done.skipped:
        output.warn(f"not asked: {mentee} with {mentor}: {why}")
    if plan.result.unmatched:
        output.table(
            "Waiting mentees",
            ["Mentee", "Why not matched"],
            [[_who(people, u.mentee_id), u.reason] for u in plan.result.unmatched],
        )
    render_fairness.plan_tables(plan)
    render_messages.run_result(done.run, False, table=False)
    mentors = len({d["mentor"] for d in done.asked})
    verb = "Would ask" if done.dry_run else "Asked"
    if done.asked:
        output.info(
            f"{verb} {mentors} mentor(s) about {len(done.asked)} mentee(s); a 'yes' read by "
            "'mentorctl checkin --replies' makes the pair, a 'no' plans the mentee again."
        )
    else:
        output.info("No new proposals to put to mentors.")
    waiting_table(done.waiting, people)


def closed_result(done: Any, as_json: bool) -> None:
    rows = [
        {"id": d["id"], "mentee": d["mentee"], "mentor": d["mentor"], "answer": d["answer"]}
        for d in done.proposals
    ]
    if as_json:
        output.emit_json({"action": done.action, "proposals": rows, "dry_run": done.dry_run})
        return
    verb = ("would be " if done.dry_run else "") + done.action
    if not rows:
        output.info(f"No proposal {verb}.")
        return
    ids = ", ".join(r["id"] for r in rows)
    output.info(f"{len(rows)} proposal(s) {verb}: {ids}; their mentees are planned again.")


def listed_with_pairs(store_path: Any, d: Any, filtered: bool) -> list[dict[str, Any]]:
    """The proposals waiting on the day ``pairs`` shows (``d``: its directory), when the
    list is not filtered (a filter names pairs)."""
    from mentorctl.report import waiting_asks

    return [] if filtered else waiting_asks.rows(d.state.proposals, d.state)


def pairs_section(rows: list[dict[str, Any]]) -> None:
    """``pairs``: the proposals waiting for the mentor's answer, below the pairs."""
    from mentorctl.report import waiting_asks

    if rows:
        output.info("")
        output.table(f"{WAITING_TITLE} ({len(rows)})", waiting_asks.COLUMNS,
                     waiting_asks.table_rows(rows))  # fmt: skip
