"""What the admin reads after a matching run: what counts against a pair, why each mentee is
waiting, and whom to recruit.

Reasons and gap lines name topics, languages and time zones, never another person.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mentorctl.matching.score import UNITS, Criteria, Part, Profile
from mentorctl.timezones import hours_apart

# The reason codes of an unmatched mentee, in the order they are checked.
REASONS = (
    "no_mentors",
    "no_shared_language",
    "ruled_out",
    "below_min_score",
    "mentors_full",
    "not_reached",
)
GAP_LINES = 5


@dataclass(frozen=True)
class Unmatched:
    mentee_id: str
    code: str
    reason: str
    best_score: float | None = None


@dataclass(frozen=True)
class GapLine:
    """One line of the recruitment gap. ``kind``: summary, topic, language, timezone or
    profile; ``waiting``: waiting mentees it concerns; ``slots``: mentor slots that offer it
    (capacity of the mentors with that topic, language or nearby time zone); ``free``: of
    those, still free after this run."""

    kind: str
    key: str
    waiting: int
    slots: int
    free: int
    text: str

    @property
    def supply(self) -> int:
        """The free slots (the name of an earlier version of this class)."""
        return self.free


# How a hard rule a forced pair breaks is named among the lines that count against it.
_BROKEN = {
    "no_shared_language": "no shared language",
    "same_organisation": "same organisation",
    "mentee_role": "the mentee signed up as a mentor only",
    "mentor_role": "the mentor signed up as a mentee only",
}
BY_HAND = ": added by hand"


def against(crit: Criteria, mentee: Profile, mentor: Profile, parts: Sequence[Part]) -> list[str]:
    """What counts against one pair, in plain words, heaviest criterion first: each criterion
    that scored nothing ("no shared topic", "no shared language"), and a time zone or number
    that lowers the score more than it raises it ("time zones 9 h apart"). An unknown time
    zone scores half and is neither for nor against; a criterion of weight 0 counts for nothing."""
    lines: list[tuple[float, int, str]] = []
    for index, (c, part) in enumerate(zip(crit.items, parts, strict=True)):
        if c.weight <= 0:
            continue
        text: str | None = None
        if c.kind == "topics":
            if part.value == 0:
                text = "no shared topic" if mentee.goals else "no shared topic (no goals listed)"
        elif c.kind == "languages":
            if part.value == 0:
                text = "no shared language"
        elif c.kind == "timezone":
            if mentee.offset is not None and mentor.offset is not None and part.value < 0.5:
                text = f"time zones {hours_apart(mentee.offset, mentor.offset):g} h apart"
        else:
            a, b = mentee.extras[index], mentor.extras[index]
            if a is None and b is None:
                text = f"{c.name}: not answered"
            elif a is None or b is None:
                text = f"{c.name}: one of them did not answer"
            elif c.mode == "same" and part.value == 0:
                text = f"different {c.name}"
            elif c.mode == "overlap" and part.value == 0:
                text = f"{c.name}: no answer in common"
            elif c.mode not in ("same", "overlap") and part.value < 0.5:
                text = f"{c.name}: {a:g} and {b:g}"
        if text is not None:
            lines.append((-c.weight, index, text))
    return [text for *_, text in sorted(lines)]


def against_parts(parts: Sequence[dict[str, Any]]) -> list[str]:
    """What counts against a stored pair recorded before its lines were kept: the topics and
    languages its stored parts score nothing on, heaviest first."""
    words = {"topics": "no shared topic", "languages": "no shared language"}
    found = [
        (-float(p.get("weight") or 0), i, words[p["kind"]])
        for i, p in enumerate(parts)
        if p.get("kind") in words and p.get("value") == 0 and (p.get("weight") or 0) > 0
    ]
    return [text for *_, text in sorted(found)]


def forced_against(lines: Sequence[str], broken: Sequence[Any]) -> list[str]:
    """The lines against a pair added by hand despite hard rules (``broken``: their issues),
    each rule first and marked ("no shared language: added by hand"), then the other lines."""
    marked = [_BROKEN.get(issue.code, issue.text) for issue in broken]
    rest = [line for line in lines if line not in marked]
    return [text + BY_HAND for text in marked] + rest


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def zone_label(offset: float) -> str:
    if offset == 0:
        return "UTC"
    sign = "+" if offset > 0 else "-"
    whole = int(abs(offset))
    minutes = round((abs(offset) - whole) * 60)
    return f"UTC{sign}{whole}" + (f":{minutes:02d}" if minutes else "")


def topic_supply(mentors: Sequence[Profile], free: Sequence[int]) -> Counter[str]:
    """Free mentor slots per folded topic after the run."""
    supply: Counter[str] = Counter()
    for mentor, left in zip(mentors, free, strict=True):
        if left > 0:
            for key in mentor.expertise:
                supply[key] += left
    return supply


def unmatched_reason(
    crit: Criteria,
    mentee: Profile,
    *,
    has_mentors: bool,
    language_any: bool,
    allowed_any: bool,
    best_allowed: int,
    acceptable: int,
    acceptable_open: int,
    free_acceptable: bool,
    supply: Counter[str],
    ruled_out: tuple[float, list[str]] | None = None,
) -> Unmatched:
    best = best_allowed / UNITS if best_allowed >= 0 else None
    if not has_mentors:
        return Unmatched(mentee.id, "no_mentors", "no mentor is taking part yet")
    if not language_any:
        spoken = " or ".join(mentee.languages.values())
        return Unmatched(
            mentee.id, "no_shared_language", f"no mentor shares a language (speaks {spoken})"
        )
    if ruled_out is not None and acceptable == 0:
        # Mentors who would suit them are there, but a rule keeps them apart: say which.
        score, rules = ruled_out
        return Unmatched(
            mentee.id,
            "ruled_out",
            f"the mentors who would suit them (best score {score:.2f}) are ruled out by "
            + " or ".join(rules),
            best,
        )
    if not allowed_any:
        return Unmatched(
            mentee.id,
            "ruled_out",
            "every mentor who shares a language is ruled out by a program rule "
            "(same organisation, an earlier pair or a block)",
        )
    if acceptable == 0:
        return Unmatched(
            mentee.id,
            "below_min_score",
            f"best possible score {best:.2f} is below the minimum {crit.min_score:g}",
            best,
        )
    if free_acceptable:
        return Unmatched(
            mentee.id,
            "not_reached",
            "a suitable mentor still has a free slot, but the solve did not reach them "
            "(each mentee's best candidates only, and the optimality proof ran out of rounds)",
            best,
        )
    state = "full or paused" if acceptable_open == 0 else "full"
    if acceptable == 1:
        text = f"the one suitable mentor is {state}"
    else:
        text = f"all {acceptable} suitable mentors are {state}"
    if mentee.goals and crit.has("topics"):
        empty = [label for key, label in mentee.goals.items() if supply.get(key, 0) == 0]
        if len(empty) == len(mentee.goals):
            quoted = ", ".join(f"'{label}'" for label in empty)
            text += f"; no free mentor slot offers {quoted}"
    return Unmatched(mentee.id, "mentors_full", text, best)


def recruitment_gap(
    crit: Criteria,
    waiting: Sequence[Profile],
    mentors: Sequence[Profile],
    free: Sequence[int],
) -> list[GapLine]:
    """Which mentor profiles would help the most waiting mentees.

    A summary line, then per topic, language and time zone of the waiting mentees (those
    where they outnumber the free slots, most waiting first): how many wait, and how many
    slots mentors with that topic, language or nearby zone have; then the one profile that
    would suit the most of them.
    """
    if not waiting:
        return []
    capacity = [max(0, p.capacity or 0) for p in mentors]
    total, left = sum(capacity), sum(free)
    lines = [
        GapLine(
            "summary",
            "all",
            len(waiting),
            total,
            left,
            f"{_plural(len(waiting), 'mentee is', 'mentees are')} waiting; "
            + (
                f"no mentor slot is free ({total} in all)"
                if left == 0
                else f"{left} of {total} mentor slots {'is' if left == 1 else 'are'} free"
            ),
        )
    ]
    near = crit.max_hours() / 2

    def offered(match: Callable[[Profile], bool]) -> tuple[int, int]:
        slots = sum(c for p, c in zip(mentors, capacity, strict=True) if c and match(p))
        spare = sum(f for p, f in zip(mentors, free, strict=True) if f > 0 and match(p))
        return slots, spare

    def add(
        kind: str,
        groups: dict[Any, list[Profile]],
        label: Callable[[Any], str],
        match: Callable[[Any], Callable[[Profile], bool]],
        wording: tuple[str, str, str],
    ) -> None:
        rows = []
        for key, members in groups.items():
            slots, spare = offered(match(key))
            if len(members) > spare:
                rows.append((len(members) - spare, len(members), slots, spare, key))
        rows.sort(key=lambda r: (-r[0], -r[1], str(r[4])))
        for _, count, slots, spare, key in rows[:GAP_LINES]:
            name = label(key)
            wants, none, have = wording
            head = f"{_plural(count, 'waiting mentee ' + wants[0], 'waiting mentees ' + wants[1])}"
            if slots == 0:
                tail = none
            else:
                taken = "all taken" if spare == 0 else f"{spare} free"
                tail = have.format(slots=_plural(slots, "slot", "slots"), taken=taken)
            lines.append(
                GapLine(kind, name, count, slots, spare, f"{head.format(name=name)}; {tail}")
            )

    if crit.has("topics"):
        topics: dict[str, list[Profile]] = {}
        labels: dict[str, str] = {}
        for mentee in waiting:
            for key, label in mentee.goals.items():
                topics.setdefault(key, []).append(mentee)
                labels.setdefault(key, label)
        add(
            "topic",
            topics,
            lambda k: labels[k],
            lambda k: lambda p: k in p.expertise,
            (
                ("wants '{name}'", "want '{name}'"),
                "no mentor offers it",
                "mentors who offer it have {slots}, {taken}",
            ),
        )
    if crit.shared_language or crit.has("languages"):
        spoken: dict[str, list[Profile]] = {}
        names: dict[str, str] = {}
        for mentee in waiting:
            for key, label in mentee.languages.items():
                spoken.setdefault(key, []).append(mentee)
                names.setdefault(key, label)
        add(
            "language",
            spoken,
            lambda k: names[k],
            lambda k: lambda p: k in p.languages,
            (
                ("speaks {name}", "speak {name}"),
                "no mentor speaks it",
                "mentors who speak it have {slots}, {taken}",
            ),
        )
    if crit.has("timezone"):
        zones: dict[float, list[Profile]] = {}
        for mentee in waiting:
            if mentee.offset is not None:
                zones.setdefault(mentee.offset, []).append(mentee)
        add(
            "timezone",
            zones,
            zone_label,
            lambda o: lambda p: p.offset is not None and hours_apart(p.offset, o) <= near,
            (
                ("is at {name}", "are at {name}"),
                f"no mentor is within {near:g} h",
                f"mentors within {near:g} h have {{slots}}, {{taken}}",
            ),
        )
    profile_line = _best_profile(crit, waiting, near)
    if profile_line is not None:
        lines.append(profile_line)
    return lines


def _best_profile(crit: Criteria, waiting: Sequence[Profile], near: float) -> GapLine | None:
    """The one mentor profile (topic, language, time zone) that would suit most waiting mentees."""
    by_topic: dict[str, set[int]] = {}
    by_language: dict[str, set[int]] = {}
    topic_labels: dict[str, str] = {}
    language_labels: dict[str, str] = {}
    for i, mentee in enumerate(waiting):
        for key, label in mentee.goals.items():
            by_topic.setdefault(key, set()).add(i)
            topic_labels.setdefault(key, label)
        for key, label in mentee.languages.items():
            by_language.setdefault(key, set()).add(i)
            language_labels.setdefault(key, label)
    everyone = set(range(len(waiting)))
    no_language = {i for i, m in enumerate(waiting) if not m.languages}
    unknown_zone = {i for i, m in enumerate(waiting) if m.offset is None}

    def top(groups: dict[str, set[int]], count: int) -> list[str | None]:
        ranked = sorted(groups, key=lambda k: (-len(groups[k]), k))[:count]
        return list(ranked) or [None]

    topics = top(by_topic, 5) if crit.has("topics") else [None]
    languages = top(by_language, 3) if crit.shared_language or crit.has("languages") else [None]
    offsets: list[float | None] = [None]
    if crit.has("timezone"):
        counts = Counter(m.offset for m in waiting if m.offset is not None)
        offsets = [o for o, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]] or [
            None
        ]
    best: tuple[int, str | None, str | None, float | None] | None = None
    for topic in topics:
        with_topic = by_topic[topic] if topic is not None else everyone
        for language in languages:
            group = with_topic
            if language is not None:
                group = group & (by_language[language] | no_language)
            for offset in offsets:
                members = group
                if offset is not None:
                    members = {
                        i
                        for i in group
                        if i in unknown_zone or hours_apart(waiting[i].offset, offset) <= near  # type: ignore[arg-type]
                    }
                if best is None or len(members) > best[0]:
                    best = (len(members), topic, language, offset)
    if best is None or best[0] < 2 or best[1:] == (None, None, None):
        return None
    count, topic, language, offset = best
    bits = []
    if topic is not None:
        bits.append(f"offering '{topic_labels[topic]}'")
    if language is not None:
        bits.append(f"speaking {language_labels[language]}")
    if offset is not None:
        bits.append(f"within {near:g} h of {zone_label(offset)}")
    key = ", ".join(bits)
    return GapLine(
        "profile", key, count, 0, 0, f"one mentor {key} would suit {count} waiting mentees"
    )


def ruled_out_by_rules(
    scorer: Any,
    crit: Any,
    mentees: list[Any],
    mentors: list[Any],
    rows: list[int],
    *,
    past: set[frozenset[str]],
    blocked: set[frozenset[Any]],
) -> dict[int, tuple[float, list[str]]]:
    """For mentees no mentor suits: the best score among mentors a rule rules out, and those
    rules, when such a mentor would have scored enough (the rule, not the score, is why)."""
    import numpy as np

    out: dict[int, tuple[float, list[str]]] = {}
    step = scorer.block_rows()
    for start in range(0, len(rows), step):
        block = np.array(rows[start : start + step], dtype=np.int64)
        units, lang_ok, allowed = scorer.score(block)
        good = lang_ok & ~allowed & (units >= crit.min_units)
        for r, i in enumerate(block.tolist()):
            js = np.nonzero(good[r])[0]
            if not len(js):
                continue
            rules = set()
            for j in js.tolist():
                key = frozenset((mentees[i].id, mentors[j].id))
                if key in blocked:
                    rules.add("a block")
                elif key in past:
                    rules.add("they were paired before")
                elif mentees[i].organisation and mentees[i].organisation == mentors[j].organisation:
                    rules.add("same organisation (rules.different_organisation)")
                else:
                    rules.add("a pair that would make two people each other's mentor")
            out[i] = (int(units[r][js].max()) / UNITS, sorted(rules))
    return out
