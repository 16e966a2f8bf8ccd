"""How ``pair --shortlist`` shows the shortlists it offered."""

from __future__ import annotations

from typing import Any

from mentorctl.cli import output


def shortlist_data(done: Any) -> dict[str, Any]:
    from mentorctl.cli.render_messages import run_data

    return {
        "k": done.k,
        "shortlists": [
            {
                "mentee": o.mentee,
                "number": o.number,
                "status": o.status,
                "mentors": [{"id": m["id"], "score": m["score"]} for m in o.mentors],
            }
            for o in done.offered
        ],
        "no_mentor_to_offer": done.none,
        "choice_open": done.kept,
        "run": run_data(done.run),
    }


def shortlist_result(done: Any, as_json: bool) -> None:
    from mentorctl.cli.render_messages import run_result

    if as_json:
        output.emit_json(shortlist_data(done))
        return
    if done.offered:
        output.table(
            f"Shortlists (up to {done.k} mentors each)",
            ["Mentee", "#", "Mentors offered", "Status"],
            [
                [
                    o.mentee,
                    o.number,
                    ", ".join(f"{m['id']} {m['name'] or ''} ({m['score']:.2f})" for m in o.mentors),
                    o.status.replace("_", " "),
                ]
                for o in done.offered
            ],
        )
    if done.none:
        output.info(
            f"{len(done.none)} waiting mentee(s) have no mentor with room to offer: "
            + ", ".join(done.none)
        )
    if done.kept:
        output.info(
            f"{len(done.kept)} mentee(s) not offered a new list: a mentor they chose can still "
            "take them ('mentorctl pair' places them): " + ", ".join(done.kept)
        )
    run_result(done.run, False, table=False)
