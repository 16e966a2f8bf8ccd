"""A circle's weekly messages and wrap-ups: one a week for each person, the mentor included.

A circle's members are saved as pairs of mentor and mentee, and each pair is planned as any
pair is (:func:`mentorctl.checkins.plan.plan_checkin`): each mentee gets their pair's message
of the week. The mentor gets ONE message a week per circle, not one per member pair: the
copy planned on the circle's first running member pair (the lowest pair id with a message
due in the run) is kept, and the mentor's copies of the other member pairs are left out; a
co-mentor gets a copy of it of their own (part = their id), once a week too.
Its answers (the mentor's reply) are recorded against that pair, which its Message-ID names.

So that the circle's other member pairs count that week as having reached their mentor (a
week of silence is one whose message reached both people), each member pair's planning sees
the mentor's circle messages of the other member pairs as its own (:func:`share`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mentorctl.checkins import circle_notices
from mentorctl.checkins.circle_intro import circle_docs, member_pairs, members
from mentorctl.checkins.plan import HOLDING, Outgoing
from mentorctl.checkins.timing import SCHEDULED_KINDS
from mentorctl.matching.circle_life import DONE, MENTOR_LEFT
from mentorctl.matching.rounds import released

if TYPE_CHECKING:
    from mentorctl.checkins.plan import CheckinPlan, State

ONE_PER_CIRCLE = SCHEDULED_KINDS | {"nudge"}
# A circle member's weekly message, wrap-up and farewell are rendered from the circle's own
# templates (their words speak of a group, their footer names the circle); the message keeps
# its kind, which the schedule, the store and the reply reader go by.
TEMPLATES = {"weekly": "circle_weekly", "wrapup": "circle_wrapup", "lapsed": "circle_lapsed"}
# The kinds whose templates see the ``circle`` (see :func:`context`).
CONTEXT_KINDS = ONE_PER_CIRCLE | circle_notices.KINDS


def _mentors(state: State, circle_id: str, pairs: list[dict[str, Any]]) -> set[str]:
    doc = circle_docs(state).get(circle_id) or {}
    return set(doc.get("mentors") or ()) | {p["mentor"] for p in pairs}


def share(state: State) -> None:
    """Each member pair's planning sees the mentor's weekly and final messages of its whole
    circle: the mentor's one message of the week stands for every member pair."""
    for circle_id, pairs in member_pairs(state).items():
        mentors = _mentors(state, circle_id, pairs)
        theirs = [
            doc
            for p in pairs
            for doc in state.by_pair.get(p["id"], ())
            if doc["kind"] in ONE_PER_CIRCLE and doc.get("part") in mentors
        ]
        for p in pairs:
            own = state.by_pair[p["id"]]
            own.extend(d for d in theirs if d["pair"] != p["id"])


def unshare(state: State) -> None:
    """Undo :func:`share`: every pair's documents are its own again."""
    for pid, docs in state.by_pair.items():
        docs[:] = [d for d in docs if d.get("pair") == pid]


def one_per_mentor(state: State, plan: CheckinPlan) -> None:
    """Keep one message per circle, kind and week for its mentor; each message once. The
    mentor's final message is the wrap-up when a member pair completed, ``lapsed`` only
    when the whole circle lapsed."""
    circle_of = {p["id"]: cid for cid, pairs in member_pairs(state).items() for p in pairs}
    mentors = {cid: _mentors(state, cid, pairs) for cid, pairs in member_pairs(state).items()}
    made: set[tuple[str, str, str, int]] = set()
    for _, doc in state.messages.values():
        cid = circle_of.get(doc.get("pair", ""))
        if cid and doc["kind"] in ONE_PER_CIRCLE and doc.get("part") in mentors[cid]:
            made.add((cid, doc["part"], _family(doc["kind"]), int(doc["week"])))
    # A circle of which one member completed did not lapse: its mentor gets the wrap-up.
    wrapped = {
        circle_of[o.pair["id"]]
        for o in plan.outgoing
        if o.kind == "wrapup" and o.pair["id"] in circle_of
        and o.part in mentors[circle_of[o.pair["id"]]]
    }  # fmt: skip
    kept: list[Outgoing] = []
    keys: set[str] = set()
    for o in plan.outgoing:
        if o.key in keys:
            continue  # an earlier message planned again by another member pair
        cid = circle_of.get(o.pair["id"])
        if o.kind == "lapsed" and cid in wrapped and o.part in mentors[cid] and o.doc_id is None:
            continue
        if cid and o.doc_id is None and o.kind in ONE_PER_CIRCLE and o.part in mentors[cid]:
            mark = (cid, o.part, _family(o.kind), o.week)
            if mark in made:
                continue
            made.add(mark)
            for co in _co_mentors(state, cid, o.part):  # the co-mentor's copy, once too
                if (cid, co, _family(o.kind), o.week) not in made:
                    made.add((cid, co, _family(o.kind), o.week))
                    copy = Outgoing(o.pair, o.kind, o.week, co, [co], [co], o.start, nudge=o.nudge)
                    keys.add(copy.key)
                    kept.append(copy)
        keys.add(o.key)
        kept.append(o)
    plan.outgoing[:] = kept


def doc_history(state: State, circle_id: str) -> list[dict[str, Any]]:
    doc = circle_docs(state).get(circle_id) or {}
    return [e for e in doc.get("history") or () if isinstance(e, dict)]


def _co_mentors(state: State, circle_id: str, lead: str) -> list[str]:
    """The circle's co-mentors still in it (one who left has a ``co_left`` entry)."""
    doc = circle_docs(state).get(circle_id) or {}
    left = {e.get("co_left") for e in doc_history(state, circle_id)}
    return [m for m in doc.get("mentors") or () if m not in (lead, *left) and m in state.people]


def _family(kind: str) -> str:
    """A week's message and a nudge of the same week are one message; so are the two finals."""
    return "final" if kind in ("wrapup", "lapsed") else "week"


def staying(state: State, circle_id: str, every: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The member pairs still in the circle: those that hold; once none does, those that
    finished the program, or the mentees the circle closed with. A mentee who left is never
    named as staying."""
    holding = [p for p in every if p["status"] in HOLDING]
    if holding:
        return holding
    done = [p for p in every if p["status"] in DONE]
    if done:
        return done
    closing = [e for e in doc_history(state, circle_id) if e.get("status") == "closed"]
    stayed = set(closing[-1].get("mentees") or ()) if closing else set()
    return [p for p in every if p["mentee"] in stayed]


def template(o: Outgoing) -> str:
    """The template kind ``o`` is rendered from: a circle's own for its scheduled messages."""
    return TEMPLATES.get(o.kind, o.kind) if o.pair.get("circle") else o.kind


def context(
    state: State,
    o: Outgoing,
    context: dict[str, Any],
    language: str,
    circle_fit_question: str | None = None,
) -> None:
    """A circle member's weekly message or notice: ``circle`` (id, and its members, mentees
    and mentors still in it), ``as_mentor`` (the recipient mentors it); for the mentor,
    ``partner`` stands for all the circle's mentees ("Bea, Cid and Dov"); week 1's
    ``fit_question`` is ``circle_fit_question`` when given; a ``circle_left``
    and ``circle_away``
    notice's ``member`` is the mentee who left, or is away; a ``circle_farewell``'s
    ``back_waiting`` whether the mentee is back on the waiting list and ``withdrew`` whether
    they left of their own accord; a ``circle_handover``'s
    ``lead`` the co-mentor who leads the circle now."""
    from babel.lists import format_list

    from mentorctl.mail.messages import person_context

    circle_id = o.pair["circle"]
    every = member_pairs(state).get(circle_id, [o.pair])
    pairs = staying(state, circle_id, every)
    mentor_ids = _mentors(state, circle_id, every)
    named = members(state, circle_id, pairs or every)
    if not pairs:  # nobody stays: its mentors only
        named = [p for p in named if p in mentor_ids]
    people = [person_context(state.people[p]) for p in named]
    mentees = [p for p in people if p["id"] not in mentor_ids]
    context["circle"] = {
        "id": circle_id,
        "members": people,
        "mentees": mentees,
        "mentors": [p for p in people if p["id"] in mentor_ids],
    }
    if o.part in state.people and (context.get("recipient") or {}).get("id") != o.part:
        context["recipient"] = person_context(state.people[o.part])  # a co-mentor's copy
    context["as_mentor"] = o.part in mentor_ids
    if context.get("fit_question") and circle_fit_question:
        context["fit_question"] = circle_fit_question  # week 1 asks about the circle
    closing = [e for e in doc_history(state, circle_id) if e.get("status") == "closed"]
    context["mentor_left"] = bool(closing) and closing[-1].get("why") == MENTOR_LEFT
    if o.kind in (circle_notices.LEFT, circle_notices.AWAY):  # the mentee who left or is away
        context["member"] = person_context(state.person(o.pair["mentee"]))
        if o.kind == circle_notices.LEFT and o.pair["mentee"] not in state.people:
            context["member"] = None  # forgotten since: the notice names nobody
    if o.kind == circle_notices.FAREWELL:  # back on the list: after a "no" or a block
        context["back_waiting"] = o.pair["status"] == "not_fit" or o.part in released(o.pair)
        left = state.people.get(o.part) or {}
        reason = str(o.pair.get("end_reason") or "")
        mentee = o.part == o.pair["mentee"]
        context["withdrew"] = left.get("status") == "withdrawn" and (
            not mentee or reason.startswith("a person withdrew")
        )  # they chose to leave: thanked, not offered the waiting list
    if o.kind == circle_notices.HANDOVER:
        handed = [e for e in doc_history(state, circle_id) if "lead" in e]
        lead = str(handed[-1]["lead"]) if handed else o.pair["mentor"]
        context["lead"] = person_context(state.person(lead))
    if o.part in mentor_ids and context.get("partner") is not None:
        try:
            names = format_list([p["first_name"] for p in mentees], locale=language)
        except (ValueError, LookupError):
            names = ", ".join(p["first_name"] for p in mentees)
        context["partner"] = dict(context["partner"], first_name=names, name=names)
