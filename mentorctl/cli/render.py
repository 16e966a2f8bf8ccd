"""How each command's result is shown: the same rows feed the table and the JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mentorctl.cli import output
from mentorctl.signups.formcsv import DELIMITER_NAMES

if TYPE_CHECKING:  # each command imports only the domain modules it runs
    from mentorctl.matching.pairs import CommitResult, Override, Plan
    from mentorctl.programs.catalogue import InitResult, TemplateInfo
    from mentorctl.safety.blocks import BlockResult
    from mentorctl.safety.concerns import ConcernResult
    from mentorctl.signups.importer import ImportResult


def templates(found: list[TemplateInfo], as_json: bool) -> None:
    rows = [
        {
            "key": t.key,
            "title": t.title,
            "weeks": t.duration_weeks,
            "description": t.description,
            "topics": t.topics,
        }
        for t in found
    ]
    if as_json:
        output.emit_json({"templates": rows})
        return
    output.table(
        "Built-in program templates",
        ["Key", "Title", "Weeks", "Description"],
        [[r["key"], r["title"], r["weeks"], r["description"]] for r in rows],
    )


def init_result(result: InitResult, as_json: bool) -> None:
    data = {
        "workspace": str(result.workspace),
        "program": result.slug,
        "name": result.name,
        "template": result.template,
        "created": result.created,
        "overwritten": result.overwritten,
        "kept": result.kept,
        "dry_run": result.dry_run,
    }
    if as_json:
        output.emit_json(data)
        return
    verb = "Would create" if result.dry_run else "Created"
    output.info(
        f"{verb} program '{result.slug}' ({result.name}) from template '{result.template}' "
        f"in {result.workspace}"
    )
    rows = [[path, "new"] for path in result.created]
    rows += [[path, "replaced"] for path in result.overwritten]
    rows += [[path, "kept (existing data)"] for path in result.kept]
    output.table(None, ["File", "Status"], rows)
    if not result.dry_run:
        output.note(
            f"Next: edit {result.slug}/program.yaml, then "
            f"'mentorctl import-signups FILE.csv --program {result.slug}'"
        )


def import_result(result: ImportResult, as_json: bool) -> None:
    data: dict[str, Any] = {
        "file": str(result.file),
        "encoding": result.encoding,
        "delimiter": DELIMITER_NAMES.get(result.delimiter, result.delimiter),
        "rows": result.rows,
        "imported": result.imported,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "suppressed": result.suppressed,
        "changed_fields": dict(sorted(result.changed_fields.items())),
        "mapping": [{"header": h, "field": f} for h, f in result.mapping],
        "rejects": [{"row": r.row, "field": r.field, "reason": r.reason} for r in result.rejects],
        "warnings": result.warnings,
        "rejects_file": str(result.rejects_file) if result.rejects_file else None,
        "dry_run": result.dry_run,
    }
    if as_json:
        output.emit_json(data)
        return
    for warning in result.warnings:
        output.warn(warning)
    output.table(
        f"Columns of {result.file.name} ({result.encoding}, {data['delimiter']}-separated)",
        ["Header", "Field"],
        result.mapping,
    )
    if result.rejects:
        shown = len(result.rejects)
        more = f" (the first {shown} of {result.rejected})" if result.rejected > shown else ""
        output.table(
            "Rejected rows" + more,
            ["Row", "Field", "Reason"],
            [[r.row, r.field, r.reason] for r in result.rejects],
        )
    changed = ", ".join(f"{k} {v}" for k, v in sorted(result.changed_fields.items()))
    prefix = "Dry run, nothing written: would import" if result.dry_run else "Imported"
    output.info(
        f"{prefix} {result.imported} new, updated {result.updated}"
        + (f" ({changed})" if changed else "")
        + f", unchanged {result.unchanged}, rejected {result.rejected} of {result.rows} rows."
    )
    if result.rejects_file:
        output.note(f"Rejected rows with reasons: {result.rejects_file}")
    elif result.rejects and not result.dry_run:
        output.note("Add --write-rejects to save the rejected rows with their reasons as CSV.")


# -- pair -----------------------------------------------------------------------------------


def _who(people: dict[str, dict[str, Any]], person_id: str) -> str:
    person = people.get(person_id) or {}
    return f"{person.get('name', '?')} ({person_id})"


def _why(reasons: Any, against: Any) -> str:
    """The reasons for a pair, then what counts against it."""
    text = "; ".join(reasons)
    if against:
        text += ("; " if text else "") + "against: " + "; ".join(against)
    return text


def plan_data(plan: Plan, committed: CommitResult | None) -> dict[str, Any]:
    from mentorctl.cli import render_asks

    people = plan.snapshot.by_id
    result = plan.result
    return {
        "method": plan.method,
        "seed": plan.seed,
        "pairs": [
            {
                "mentee": p.mentee_id,
                "mentee_name": people.get(p.mentee_id, {}).get("name"),
                "mentor": p.mentor_id,
                "mentor_name": people.get(p.mentor_id, {}).get("name"),
                "score": p.score,
                "reasons": list(p.reasons),
                "against": list(p.against),
                "parts": [
                    {"name": part.name, "value": part.value, "weight": part.weight}
                    for part in p.parts
                ],
            }
            for p in result.pairs
        ],
        "unmatched": render_asks.unmatched_data(result.unmatched, people),
        "out_of_round": [{"id": p.get("id"), "name": p.get("name")} for p in plan.out_of_round],
        "gap": [
            {
                "kind": g.kind,
                "key": g.key,
                "waiting": g.waiting,
                "slots": g.slots,
                "free": g.free,
                "text": g.text,
            }
            for g in result.gap
        ],
        "totals": {
            "matched": result.totals.matched,
            "unmatched": result.totals.unmatched,
            "total_score": result.totals.total_score,
            "mentees_waiting": result.totals.mentees,
            "free_slots_before": result.totals.free_slots_before,
            "free_slots_after": result.totals.free_slots_after,
        },
        "optimal_proven": result.optimal_proven,
        "bound_gap": result.bound_gap,
        "notes": list(result.notes),
        "redo_replaces": plan.dropped,
        "redo_keeps": plan.kept,
        "committed": None
        if committed is None
        else {
            "pairs": [p["id"] for p in committed.written],
            "round": next((p.get("round") for p in committed.written), None),
            "skipped": [{"mentee": a, "mentor": b, "why": why} for a, b, why in committed.skipped],
            "removed": committed.removed,
            "dry_run": committed.dry_run,
        },
    }


def plan_result(
    plan: Plan, committed: CommitResult | None, as_json: bool, notified: Any = None
) -> None:
    from mentorctl.cli import render_asks, render_fairness

    if as_json:
        data = plan_data(plan, committed)
        data.update(render_fairness.plan_data(plan))
        data.update(render_asks.plan_data(plan))
        if notified is not None:
            data["notified_waiting"] = [m.to[0] for m in notified.messages]
        output.emit_json(data)
        return
    people = plan.snapshot.by_id
    result = plan.result
    output.table(
        f"Proposed pairs ({plan.method}, seed {plan.seed})",
        ["#", "Mentee", "Mentor", "Score", "Why"],
        [
            [
                i + 1,
                _who(people, p.mentee_id),
                _who(people, p.mentor_id),
                f"{p.score:.2f}",
                _why(p.reasons, p.against),
            ]
            for i, p in enumerate(result.pairs)
        ],
    )
    if result.unmatched:
        output.table(
            "Waiting mentees",
            ["Mentee", "Why not matched"],
            [[_who(people, u.mentee_id), u.reason] for u in result.unmatched],
        )
    if plan.out_of_round:
        names = ", ".join(f"{p.get('id')} {p.get('name') or ''}".strip() for p in plan.out_of_round)
        output.info(
            f"{len(plan.out_of_round)} people finished a pair and are not in this round: {names}"
            " (they return when they sign up again, or with 'mentorctl pair --return PERSON')"
        )
    if plan.kept:
        output.info(
            f"--redo kept {len(plan.kept)} pair(s) added by hand: {', '.join(plan.kept)}"
            " (add --redo-manual to re-plan them too)"
        )
    if result.gap:
        output.info("Recruitment gap:")
        for line in result.gap:
            output.info(f"  - {line.text}")
    for line in result.notes:
        output.note(f"note: {line}")
    render_fairness.plan_tables(plan)
    render_asks.plan_tables(plan)
    totals = result.totals
    proof = ""
    if result.optimal_proven is True:
        proof = "; proven optimal"
    elif result.optimal_proven is False and result.bound_gap is not None:
        proof = f"; within {result.bound_gap:g} of the optimum"
    output.info(
        f"Matched {totals.matched} of {totals.mentees} waiting mentees, total score "
        f"{totals.total_score:.2f} ({plan.method}{proof})."
    )
    if committed is None:
        if result.pairs:
            output.note(
                "Nothing saved. Run 'mentorctl pair --commit' to save these pairs, "
                "or 'mentorctl pair --review' to go through them one by one."
            )
        else:
            output.note("No new pairs to propose; nothing to save.")
        return
    for mentee, mentor, why in committed.skipped:
        output.warn(f"not saved: {mentee} with {mentor}: {why}")
    if committed.removed:
        output.info(f"Replaced {len(committed.removed)} earlier proposal(s).")
    verb = "Would save" if committed.dry_run else "Saved"
    number = next((p.get("round") for p in committed.written), None)
    output.info(
        f"{verb} {len(committed.written)} pair(s) as proposed"
        + (f" in round {number}" if number else "")
        + ("" if committed.dry_run else "; 'mentorctl introduce' introduces them.")
    )
    if notified is not None:
        told = "Would tell" if notified.dry_run else "Told"
        output.info(
            f"{told} {len(notified.messages)} waiting mentee(s) that they are on the list"
            + ("" if notified.dry_run else " (outbox; 'mentorctl checkin --send' delivers).")
        )


def override_result(done: Override, people: dict[str, dict[str, Any]], as_json: bool) -> None:
    pair = done.pair
    data = {
        "action": done.action,
        "pair": pair["id"],
        "mentee": pair["mentee"],
        "mentor": pair["mentor"],
        "status": pair["status"],
        "locked": pair.get("locked", False),
        "round": pair.get("round"),
        "score": pair.get("score"),
        "reasons": list(pair.get("reasons") or []),
        "against": list(pair.get("against") or []),
        "violations": [v.text for v in done.check.violations] if done.check else [],
        "warnings": [w.text for w in done.check.warnings] if done.check else [],
        "dry_run": done.dry_run,
        "circles": list(done.circles),
    }
    if as_json:
        output.emit_json(data)
        return
    for text in data["violations"]:
        output.warn(f"rule broken (forced): {text}")
    for text in data["warnings"]:
        output.warn(text)
    prefix = "Dry run, nothing saved: would have " if done.dry_run else ""
    output.info(
        f"{prefix}{done.action} pair {pair['id'] or '(new)'}: {_who(people, pair['mentee'])} "
        f"with {_who(people, pair['mentor'])} ({pair['status']})"
    )
    if done.action == "added" and data["against"]:
        output.info("Against them: " + "; ".join(data["against"]))
    _circle_lines(done.circles)


def _circle_lines(lines: Any) -> None:
    """What ending a circle's member pair did to the circle (closed, or taken over)."""
    for line in lines:
        output.info(f"{line[0].upper()}{line[1:]}.")


# -- safety ---------------------------------------------------------------------------------


def blocks(found: list[dict[str, Any]], as_json: bool, names: Any = None) -> None:
    from mentorctl.report.labels import day

    name = names.name if names is not None else (lambda pid: "")
    if as_json:
        output.emit_json(
            {
                "blocks": [
                    {**b, "person_name": name(b.get("person")), "other_name": name(b.get("other"))}
                    for b in found
                ]
            }
        )
        return
    output.table(
        "Blocks in force",
        ["Block", "Person", "Blocked", "Since", "Reason"],
        [
            [
                b.get("id"),
                _named(name, b.get("person")),
                _named(name, b.get("other")),
                day(b.get("at")),
                b.get("reason"),
            ]
            for b in found
        ],
    )


def _named(name: Any, pid: Any) -> str:
    from mentorctl.report.labels import who

    return who(name(pid), pid) if pid else ""


def block_result(done: BlockResult, as_json: bool) -> None:
    data = {
        "action": done.action,
        "people": list(done.people),
        "ended_pairs": done.ended_pairs,
        "circles": list(done.circles),
        "dry_run": done.dry_run,
    }
    if as_json:
        output.emit_json(data)
        return
    a, b = done.people
    text = {
        "blocked": f"{a} and {b} will never be paired.",
        "already_blocked": f"{a} and {b} were already blocked.",
        "unblocked": f"The block between {a} and {b} is lifted.",
    }[done.action]
    if done.ended_pairs:
        text += f" Ended pair(s): {', '.join(done.ended_pairs)}."
    output.info(("Dry run, nothing saved: " if done.dry_run else "") + text)
    _circle_lines(done.circles)


def concerns(found: list[dict[str, Any]], as_json: bool, names: Any = None) -> None:
    from mentorctl.report.labels import day

    name = names.name if names is not None else (lambda pid: "")
    pairs = names.pairs if names is not None else {}

    def pair_text(pid: str) -> str:
        found = pairs.get(pid)
        pair = found.doc if found else {}
        both = [name(pair.get(k)) for k in ("mentee", "mentor") if name(pair.get(k))]
        return f"{pid} ({', '.join(both)})" if both else pid

    if as_json:
        output.emit_json({"concerns": found})
        return
    output.table(
        "Open concerns",
        ["Concern", "Pairs paused", "About", "From", "Raised", "Reason"],
        [
            [
                c.get("id"),
                ", ".join(pair_text(p) for p in c.get("pairs", {})),
                _named(name, c.get("person")),
                _named(name, c.get("from")),
                day(c.get("raised")),
                c.get("reason"),
            ]
            for c in found
        ],
    )


def concern_result(done: ConcernResult, as_json: bool) -> None:
    concern = done.concern
    data = {
        "action": done.action,
        "concern": concern.get("id"),
        "pairs": done.pairs,
        "outcome": concern.get("outcome"),
        "dry_run": done.dry_run,
    }
    if as_json:
        output.emit_json(data)
        return
    prefix = "Dry run, nothing saved: " if done.dry_run else ""
    pairs = ", ".join(done.pairs) or "no current pair"
    if done.action == "raised":
        output.info(
            f"{prefix}Concern {concern['id']} recorded; paused: {pairs}. Resolve it with "
            f"'mentorctl concern --resolve {concern['id']} --outcome continue|end|block'."
        )
    else:
        output.info(
            f"{prefix}Concern {concern['id']} resolved ({concern['outcome']}); pairs: {pairs}."
        )
