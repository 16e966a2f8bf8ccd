"""One circle whole, as it stood at the end of a day: ``pairs show C1``.

The circle's document (``circles`` table: mentors, window, topics, round, its dated
``history`` of members who left and its closing, see :mod:`mentorctl.matching.circle_life`)
read beside the fold of the day (:class:`.directory.Directory`): each member with their pair's
status, week and last answer that day, and one dated history merging the circle's entries
with its member pairs' changes (a pause, a quiet spell, an end), cut to the day.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mentorctl.errors import UsageError
from mentorctl.history.fold import id_key
from mentorctl.matching import circle_life
from mentorctl.report.directory import Directory, pair_row
from mentorctl.report.labels import day, status_label

CIRCLE_ID = re.compile(r"^C\d+$", re.IGNORECASE)


def is_circle_id(key: str | None) -> bool:
    return bool(key and CIRCLE_ID.match(key.strip()))


def circle_docs(store_path: Path) -> dict[str, dict[str, Any]]:
    from mentorctl.store.db import Store

    with Store.reading(store_path) as store:
        docs = store.documents(circle_life.CIRCLES).values()
        return {str(d["id"]): d for d in docs if "id" in d}


def detail(d: Directory, store_path: Path, key: str) -> dict[str, Any]:
    """The circle ``key`` on the Directory's day: status, mentors, members, window, topics,
    round and dated history."""
    doc = circle_docs(store_path).get(key.strip().upper())
    created = str((doc or {}).get("created") or "")
    if doc is None or created[:10] > d.today.isoformat():
        raise UsageError(f"no circle {key.strip()[:20]}", hint="'mentorctl pairs' lists them")
    members = [d.pairs[p] for p in doc.get("pairs") or () if p in d.pairs]
    rows = [pair_row(d, p) for p in members]
    status = circle_life.status_on(doc, (p.recorded for p in members), d.today)
    return {
        "id": doc["id"],
        "status": status,
        "status_label": status_label(status),
        "round": doc.get("round"),
        "created": day(created),
        "min_size": doc.get("min_size"),
        "mentors": [
            {"id": d.shown(m), "name": d.name(m)} for m in circle_life.mentors_on(doc, d.today)
        ],
        "window": doc.get("window"),
        "topics": list(doc.get("topics") or ()),
        "members": [
            {
                "pair": r["id"],
                "mentee": r["mentee"],
                "mentee_name": r["mentee_name"],
                "status": r["status"],
                "status_label": r["status_label"],
                "week": r["week"],
                "last_answer": r["last_answer"],
                "topics": _goals(d, p.doc.get("mentee")),
                "end_reason": r["end_reason"],
            }
            for r, p in zip(rows, members, strict=True)
        ],
        "history": _history(d, doc, members),
    }


def _goals(d: Directory, pid: Any) -> list[str]:
    person = d.people.get(str(pid))
    return [] if person is None or d.gone(pid) else list(person.doc.get("goals") or ())


def _history(d: Directory, doc: dict[str, Any], members: list[Any]) -> list[dict[str, Any]]:
    out = []
    for e in circle_life.up_to(doc, d.today):
        if "left" in e:
            who = e["left"]
            out.append(_line(e["at"], "left", d, who, e.get("pair"), str(e.get("why") or "")))
        elif e.get("status") == "closed":
            out.append(_line(e["at"], "closed", d, None, None, str(e.get("why") or "")))
        elif e.get("co_left"):
            out.append(_line(e["at"], "co-mentor left", d, e["co_left"], None, ""))
        elif "lead" in e:  # its co-mentor took it over
            out.append(_line(e["at"], "taken over", d, e["lead"], None, str(e.get("why") or "")))
    iso = d.today.isoformat()
    for pair in members:
        for h in pair.doc.get("history") or ():
            if not isinstance(h, dict) or str(h.get("at") or "")[:10] > iso:
                continue
            event = str(h.get("status") or "note")
            note = str(h.get("note") or "")
            out.append(_line(h["at"], event, d, pair.doc.get("mentee"), pair.doc.get("id"), note))
    out.sort(key=lambda e: (e["at"], id_key(e["pair"] or "")))
    return out


def _line(at: Any, event: str, d: Directory, who: Any, pair: Any, note: str) -> dict[str, Any]:
    return {
        "at": str(at),
        "date": day(at),
        "event": event,
        "event_label": status_label(event),
        "pair": pair,
        "person": d.shown(who) if who else None,
        "person_name": d.name(who) if who else None,
        "note": note,
    }


__all__ = ["circle_docs", "detail", "is_circle_id"]
