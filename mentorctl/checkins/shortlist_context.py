"""What a ``shortlist`` message's template sees of the mentors offered (see
:mod:`.shortlist_notice`): a number, a first name, one line of their bio, the reasons."""

from __future__ import annotations

from typing import Any

KIND = "shortlist"


def mentors(builder: Any, o: Any, language: str) -> list[dict[str, Any]]:
    """The shortlist as its template sees it: ``number``, ``first_name``, ``about`` (one
    line of their bio) and ``reasons`` (in the message's language); nothing else of them."""
    from mentorctl.mail import reasons as wording
    from mentorctl.matching.shortlist import about_line

    maker = builder.contexts.localised.contexts[language]
    out = []
    for number, shown in enumerate(o.pair[KIND], 1):
        person = builder.state.person(shown["id"])
        out.append(
            {
                "number": number,
                "first_name": builder.person(shown["id"])["first_name"],
                "about": about_line(person),
                "reasons": wording.friendly(shown["reasons"], language, maker.topics, maker.labels),
            }
        )
    return out


__all__ = ["KIND", "mentors"]
