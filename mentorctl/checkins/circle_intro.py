"""A circle's introduction: one email to all its members, with one invitation for the circle.

A circles program (``format: circles``) saves each member as a pair of mentor and mentee
with the circle's id (``"circle": "C1"``), and the circle itself in the ``circles`` table
(:mod:`mentorctl.matching.circle_pairs`). A circle meets as one, so it is introduced as one:
a ``circle_intro`` message, recorded on the circle's first member pair (its lowest pair id),
addressed to the mentor, the co-mentor if any, and every mentee. When the members read
different languages, each gets their own copy in their language (part = their id), as a
pair's introduction does. Every member pair becomes active once the message reached both of
its people. The invitation's UID is the circle's, so an introduction sent again updates
the same meeting.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import schedule
from mentorctl.checkins.plan import HOLDING, Outgoing, State, _again, _unsent

if TYPE_CHECKING:
    from mentorctl.programs.program import Program

KIND = "circle_intro"
INTRO_KINDS = frozenset({"intro", KIND})
CIRCLES = "circles"


def is_circles(program: Program) -> bool:
    return program.data.get("format") == "circles"


def circle_docs(state: State) -> dict[str, dict[str, Any]]:
    """The circles table by circle id, read once per run."""
    found = getattr(state, "_circles", None)
    if found is None:
        docs = state.store.documents(CIRCLES).values()
        found = {d["id"]: d for d in docs if "id" in d}
        state._circles = found  # type: ignore[attr-defined]
    return found


def member_pairs(state: State) -> dict[str, list[dict[str, Any]]]:
    """Each circle's member pairs, by pair number (the first carries the circle's messages)."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pair in state.pairs:
        if pair.get("circle"):
            out[pair["circle"]].append(pair)
    return dict(out)


def carrier(state: State) -> dict[str, str]:
    """Each member pair's id -> the id of the pair its circle's introduction is recorded on."""
    return {p["id"]: pairs[0]["id"] for pairs in member_pairs(state).values() for p in pairs}


def members(state: State, circle_id: str, pairs: list[dict[str, Any]]) -> list[str]:
    """The circle's people: its mentors (the co-mentor second), then its mentees, each once,
    only those still in the store."""
    doc = circle_docs(state).get(circle_id) or {}
    mentors = list(doc.get("mentors") or ()) or [pairs[0]["mentor"]]
    for pair in pairs:
        if pair["mentor"] not in mentors:
            mentors.append(pair["mentor"])
    mentees = [p["mentee"] for p in pairs]
    seen: list[str] = []
    for pid in [*mentors, *mentees]:
        if pid not in seen and pid in state.people:
            seen.append(pid)
    return seen


def _parts(program: Program, state: State, people: list[str]) -> list[tuple[str, list[str]]]:
    """One message to all, or one each when the members do not all read one language."""
    from mentorctl.mail import locale
    from mentorctl.mail.languages import TRANSLATIONS_DIR, offered_languages

    own = str(program.data.get("language") or "en")
    offered = offered_languages(program.dir / TRANSLATIONS_DIR, own)
    tags = {locale.person_language(state.people[p], offered, own) for p in people}
    if len(tags) > 1:
        return [(p, [p]) for p in people]
    return [("all", people)]


def plan(
    state: State,
    program: Program,
    *,
    start: dt.date,
    wanted: set[str],
    send: bool = False,
    resend: bool = False,
) -> tuple[list[Outgoing], list[str]]:
    """The circles' introductions to make (new) or deliver again; also returns warnings.
    ``wanted``: pair ids; a circle is chosen by any of its member pairs."""
    out: list[Outgoing] = []
    warnings: list[str] = []
    for circle_id, pairs in member_pairs(state).items():
        ids = {p["id"] for p in pairs}
        if wanted and not wanted & ids:
            continue
        first = pairs[0]
        earlier = [d for d in state.by_pair.get(first["id"], ()) if d["kind"] == KIND]
        proposed = [p for p in pairs if p["status"] == "proposed"]
        if proposed and not earlier:
            people = members(state, circle_id, proposed)
            if len(people) < 2:
                warnings.append(f"circle {circle_id}: its people are no longer in the store")
                continue
            for part, to in _parts(program, state, people):
                out.append(Outgoing(first, KIND, 0, part, to, list(to), start))
            continue
        on = any(p["status"] in ("proposed", "active", "quiet") for p in pairs)
        holding = any(p["status"] in HOLDING for p in pairs)
        if earlier and ((resend and holding) or (send and on)):
            pair_start = schedule.parse_day(first.get("start_date")) or start
            for doc in earlier:
                pending = [p for p in (list(doc["to"]) if resend else _unsent(doc))
                           if p in state.people]  # fmt: skip
                if pending:
                    out.append(_again(state, doc, pending, pair_start))
        elif wanted:
            warnings.append(f"circle {circle_id} is already introduced; nothing to do")
    return out, warnings


def without_member_intros(outgoing: Iterable[Outgoing]) -> list[Outgoing]:
    """A circle's member pairs get no introduction of their own: the circle's is theirs."""
    return [o for o in outgoing if not (o.kind == "intro" and o.pair.get("circle"))]


def context(
    state: State,
    o: Outgoing,
    maker: Any,
    person: Any,
    recipient: dict[str, Any] | None,
    today: dt.date,
) -> dict[str, Any]:
    """What a circle introduction's templates see beside a pair's variables: ``circle``
    ({id, mentors, mentees, members, shared_topics, size}) and ``meeting`` (the circle's
    weekly time on each member's clock, the recipient first)."""
    circle_id = o.pair["circle"]
    pairs = member_pairs(state).get(circle_id, [o.pair])
    people = members(state, circle_id, pairs)
    doc = circle_docs(state).get(circle_id) or {}
    mentor_ids = set(doc.get("mentors") or ()) | {p["mentor"] for p in pairs}
    contexts = [maker._topics(person(p)) if maker.topics else person(p) for p in people]
    names = maker.topics
    topics = [names.get(str(t).casefold(), t) for t in doc.get("topics") or ()]
    first_day = o.start or today
    recipient = next((c for c in contexts if c["id"] == o.part), recipient)
    return {
        "meeting": _meeting(state, o, maker, contexts, first_day, recipient),
        "recipient": recipient,
        "partner": None,
        "circle": {
            "id": circle_id,
            "mentors": [c for c in contexts if c["id"] in mentor_ids],
            "mentees": [c for c in contexts if c["id"] not in mentor_ids],
            "members": contexts,
            "shared_topics": topics,
            "size": len(contexts),
        },
    }


def _meeting(
    state: State,
    o: Outgoing,
    maker: Any,
    people: list[dict[str, Any]],
    first_day: dt.date,
    recipient: dict[str, Any] | None,
) -> list[dict[str, Any]] | None:
    """The circle's weekly time on each member's clock, the recipient first and marked
    ``you`` (as a pair's introduction says it)."""
    from mentorctl.calendars import for_program

    weeks = int(maker.version.duration_weeks)
    meeting = window_meeting(state, o.pair["circle"], first_day, weeks)
    if meeting is None:
        return maker.meeting(people, first_day, recipient)
    times = for_program.local_times(
        maker.version, people, first_day, language=maker.language, meeting=meeting
    )
    if times is None:
        return None
    firsts = {p.get("id"): p["first_name"] for p in people}
    mine = recipient.get("id") if recipient is not None else None
    out = [dict(t, first_name=firsts.get(t["id"]) or t["name"], you=t["id"] == mine) for t in times]
    return sorted(out, key=lambda t: not t["you"])


def window_meeting(state: State, circle_id: str, start: dt.date, weeks: int) -> Any:
    """The circle's weekly meeting at the start of its saved window (``circles`` table), as
    :func:`mentorctl.calendars.for_program.at_window` places it; None without one."""
    from mentorctl.calendars import for_program

    window = (circle_docs(state).get(circle_id) or {}).get("window")
    return for_program.at_window(window, start, weeks)


def people_of(state: State, o: Outgoing) -> list[str]:
    """Everyone the circle's invitation names (all its members, whoever this copy is to)."""
    circle_id = o.pair["circle"]
    return members(state, circle_id, member_pairs(state).get(circle_id, [o.pair]))
