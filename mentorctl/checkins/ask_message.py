"""A ``mentor_ask`` message's variables: the mentees one ask lists, as their mentor reads them.

What a template sees: everything a ``waiting`` notice sees (``language``, ``program``,
``recipient``: the mentor, also as ``mentor``), ``ask`` (the number of the mentor's ask) and
``mentees``: ``[{number, first_name, goals, reasons, chose_you}]`` in the order the reply's
numbers refer to (``chose_you``: the mentee chose this mentor from their shortlist), the goals named in the mentor's language and the reasons that fit as the two
people would read them (:func:`mentorctl.mail.reasons.friendly`). Nothing private: no
surname, address, organisation or age. A mentee forgotten since, or a proposal taken back,
is left out; the others keep their numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mentorctl.matching import proposals
from mentorctl.matching.choices import chosen_line

if TYPE_CHECKING:
    from mentorctl.programs.program import Program

KIND = "mentor_ask"
# The subject a program.yaml without its own gets (mentorctl.programs.program); in another
# own language, the one shipped for that language (mentorctl.programs.translations).
DEFAULT_SUBJECT = "{{ program.name }}: would you mentor them?"


def render(builder: Any, o: Any) -> None:
    """Render one ``mentor_ask`` message in the mentor's language (``builder``: the run's
    :class:`.builder.Builder`; ``o``: the message, an :class:`.plan.Outgoing`)."""
    from mentorctl.mail import reasons

    state = builder.state
    loc = builder.contexts.localised
    tag = loc.language_of(state.people.get(o.part))
    maker = loc.contexts[tag]
    context = maker.waiting(builder.person(o.part))
    context.update(mentee=None, mentor=context["recipient"], next_step=None)
    listed = proposals.of_ask(proposals.in_store(state.store), o.part, o.week)
    mentees = []
    for n, doc in enumerate(listed, 1):
        person = state.people.get(str(doc["mentee"]))
        if person is None or doc.get("answer") not in (proposals.OPEN, "yes", "no"):
            continue  # forgotten, or taken back since: not asked again
        shown = builder.person(str(doc["mentee"]))
        mentees.append(
            {
                "number": n,
                "first_name": shown["first_name"],
                "goals": [maker.topics.get(str(t).casefold(), t) for t in shown["goals"]],
                "reasons": reasons.friendly(
                    doc.get("reasons") or (), tag, maker.topics, maker.labels
                ),
                "chose_you": chosen_line(doc.get("reasons") or ()) is not None,
            }
        )
    context["mentees"] = mentees
    context["ask"] = o.week
    o.rendered = builder.templates.render(KIND, context, pair_id="")
    builder.address(o.part)


def with_subject(program: Program) -> Program:
    """The program, its ``mentor_ask`` subject in its own language when program.yaml leaves
    it to mentorctl (the English default)."""
    from mentorctl.programs.program import Program as Made
    from mentorctl.programs.translations import shipped_subject

    own = str(program.data.get("language") or "en")
    settings = program.data["messages"].get(KIND) or {}
    if own == "en" or settings.get("subject") != DEFAULT_SUBJECT:
        return program
    subject = shipped_subject(KIND, own) or DEFAULT_SUBJECT
    data = dict(program.data)
    data["messages"] = {**data["messages"], KIND: {**settings, "subject": subject}}
    return Made(path=program.path, data=data)
