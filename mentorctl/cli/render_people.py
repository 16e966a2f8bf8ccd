"""How ``withdraw``, ``pause`` and ``pair --return`` show what they did."""

from __future__ import annotations

from typing import Any

from mentorctl.cli import output


def status_data(done: Any) -> dict[str, Any]:
    return {
        "action": done.action,
        "person": done.person,
        "ended_pairs": done.ended,
        "until": done.until,
        "reason": done.reason,
        "pairs": done.pairs,
        "circles_closed": list(getattr(done, "circles", ())),
        "proposals_withdrawn": list(getattr(done, "proposals", ())),
        "dry_run": done.dry_run,
    }


def status_result(done: Any, as_json: bool) -> None:
    if as_json:
        output.emit_json(status_data(done))
        return
    verb = "Would mark" if done.dry_run else "Marked"
    if done.action == "withdrawn":
        ended = ", ".join(done.ended) or "none"
        output.info(f"{verb} {done.person} as withdrawn; pairs ended: {ended}.")
        if done.ended and not done.dry_run:
            output.note(
                "The next 'mentorctl checkin' run tells them and the partner of each pair "
                "that ended (in a circle, its mentor; every member of a circle that closed or "
                "that its co-mentor now leads), once."
            )
        for line in getattr(done, "circles", ()):
            output.info(f"{line[0].upper()}{line[1:]}.")
    elif done.action == "paused":
        output.info(
            f"{verb} {done.person} as away until {done.until}: no new pairs and no check-ins "
            "for their pairs until then."
        )
        if done.pairs and not done.dry_run:
            output.note("The next 'mentorctl checkin' run tells their partner, once.")
    elif done.action == "resumed":
        output.info(
            f"{verb} {done.person} as back today (their pause ran until {done.until}): the "
            "next 'mentorctl checkin' run sends their pairs' messages again."
        )
    else:
        output.info(f"{verb} {done.person} as back in this round of 'mentorctl pair'.")
    if getattr(done, "proposals", None):
        output.info(
            f"Proposals taken back (nobody is told; the mentors' places are free): "
            f"{', '.join(done.proposals)}."
        )
    if done.dry_run:
        output.note("Dry run: nothing written.")
