"""Output of fairness per group and of suggested weights: tables, notes and JSON."""

from __future__ import annotations

import sys
from typing import Any

from mentorctl.cli import output


def plan_data(plan: Any) -> dict[str, Any]:
    """The fairness keys of ``pair --json``."""
    return {
        "fairness": {"by": plan.fairness_by, "groups": plan.fairness} if plan.fairness else None,
        "parity": plan.result.parity,
    }


def plan_tables(plan: Any) -> None:
    from mentorctl.report.sections import FAIRNESS_COLUMNS, fairness_rows

    if plan.fairness:
        output.table(
            f"Fairness by {plan.fairness_by} (this run)",
            FAIRNESS_COLUMNS,
            fairness_rows(plan.fairness),
        )
    parity = plan.result.parity
    if parity is None:
        return
    ratio = f"{parity['min_ratio'] * 100:g}%"
    if parity["left_out"]:
        output.warn(
            f"parity by {parity['by']}: no mentee of {', '.join(parity['left_out'])} has an "
            "acceptable mentor with a free slot; left out of the rule (recruit mentors for them)"
        )
    if parity["solved"].startswith("not"):
        output.warn(f"parity by {parity['by']} (each group at least {ratio} of the best): "
                    f"{parity['solved']}")  # fmt: skip
    output.info(
        f"Parity by {parity['by']} (each group's match rate at least {ratio} of the best): "
        + ("holds" if parity["held"] else "does not hold")
        + f"; {parity['solved']}. Matched {parity['matched_without']} -> "
        f"{parity['matched_with']}, total score {parity['score_without']:.2f} -> "
        f"{parity['score_with']:.2f} (cost {parity['cost']:.2f})."
        + (
            f" {parity['from_choices']} pair(s) from mentees' choices counted, none undone."
            if parity.get("from_choices")
            else ""
        )
    )


def suggestion(found: Any, as_json: bool) -> None:
    if as_json:
        output.emit_json(found.to_dict())
        return
    output.info(
        f"Learned from {found.pairs} finished pair(s): {found.successes} went well, "
        f"{found.failures} did not"
        + (
            f"; {found.left_out} left out (ended by an admin, or saved without every criterion)"
            if found.left_out
            else ""
        )
        + "."
    )
    output.table(
        "Suggested weights",
        ["Criterion", "Weight now", "Odds ratio (0 -> 1)", "95% interval", "Suggested", "Why"],
        [
            [
                r.name,
                f"{r.current:g}",
                "-" if r.odds_ratio is None else f"{r.odds_ratio:.2f}",
                "-" if r.low is None else f"{r.low:.2f} - {r.high:.2f}",
                f"{r.suggested:g}",
                "clear effect"
                if r.clear
                else "nothing to learn from: kept"
                if r.odds_ratio is None
                else "no clear effect: kept",
            ]
            for r in found.rows
        ],
    )
    for line in found.notes:
        if line.startswith("weak"):
            output.warn(line)
        else:
            output.note(f"note: {line}")
    last = found.last_round
    if last:
        output.info(
            f"Round {last['round']} again ({last['pairs']} pairs saved): under the suggested "
            f"weights {last['differ']} pair(s) would differ from the current weights' "
            f"({last['differ_from_saved']} from the pairs saved)."
        )
    if found.weak:
        # A tenfold weight learned from a dozen pairs is noise: no lines to copy.
        output.note(
            "Nothing was changed, and no weights are offered to copy: too few finished pairs "
            "for the figures above to mean much. Run it again after more pairs finish."
        )
        return
    output.note("Nothing was changed. To use these weights, copy into program.yaml:")
    sys.stdout.write(found.yaml)
