"""Each waiting mentee's shortlist: their K best mentors with room (pure: no I/O).

The same people, rules and scores as ``pair`` (:mod:`.match`): mentees not in a pair, mentors
with a free place, never a blocked or earlier pair, never a pair that breaks a rule of the
program or scores below ``min_score``. A mentee's mentors are listed best score first (equal
scores: the seed's order, as ``pair`` breaks ties). :class:`Field` is that set-up, shared with
:mod:`.choices`, which honours what mentees chose from their shortlists.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mentorctl.matching.order import sides
from mentorctl.matching.score import UNITS, Criteria, Profile, explain, read_criteria

HOLDING = frozenset({"proposed", "active", "quiet", "paused"})
# What a mentor wrote about themselves, cut to one line of about this many characters.
ABOUT_LIMIT = 160


@dataclass(frozen=True)
class Offer:
    """One mentor on a mentee's shortlist, with the pair's score and reasons."""

    mentor_id: str
    score: float
    reasons: tuple[str, ...]


class Field:
    """Who a run considers and what each pair may be: ``pair``'s set-up, for shortlists and
    choices. Mentees and mentors are in the seed's order; ``remaining`` is each mentor's free
    places; ``scorer`` scores rows of mentees against every mentor with the hard rules."""

    def __init__(
        self,
        people: Sequence[Mapping[str, Any]],
        config: Mapping[str, Any],
        *,
        today: dt.date,
        existing: Iterable[tuple[str, str, str]] = (),
        blocked: Iterable[frozenset[str]] = (),
        seed: int = 0,
    ) -> None:
        import numpy as np

        from mentorctl.matching.blocks import BlockScorer

        self.crit: Criteria = read_criteria(config)
        pairs = list(existing)
        holding = {x for x, _, s in pairs if s in HOLDING}
        used = Counter(y for _, y, s in pairs if s in HOLDING)
        never: dict[str, set[str]] = defaultdict(set)
        for x, y, _ in pairs:
            never[x].add(y)
            never[y].add(x)
        for pair in blocked:
            ids = list(pair)
            if len(ids) == 2:
                never[ids[0]].add(ids[1])
                never[ids[1]].add(ids[0])
        _, _, self.mentees, self.mentors = sides(people, holding, self.crit, today, seed)
        self.mentor_at = {p.id: j for j, p in enumerate(self.mentors)}
        self.mentee_at = {p.id: i for i, p in enumerate(self.mentees)}
        self.remaining = np.array(
            [max(0, (p.capacity or 0) - used.get(p.id, 0)) for p in self.mentors], dtype=np.int64
        )
        exclude: dict[int, set[int]] = {}
        selves: dict[int, int] = {}
        for i, p in enumerate(self.mentees):
            js = {self.mentor_at[o] for o in never.get(p.id, ()) if o in self.mentor_at}
            if js:
                exclude[i] = js
            if p.id in self.mentor_at:
                selves[i] = self.mentor_at[p.id]
        self.scorer = BlockScorer(self.crit, self.mentees, self.mentors, exclude, selves)

    def acceptable(self, rows: Any) -> tuple[Any, Any]:
        """(units, acceptable) for ``rows`` x mentors: the rules pass, the score reaches
        ``min_score`` and the mentor has a free place."""
        units, _, allowed = self.scorer.score(rows)
        ok = allowed & (units >= self.crit.min_units) & (self.remaining > 0)[None, :]
        return units, ok

    def explained(self, mentee: Profile, mentor: Profile) -> tuple[int, list[str]]:
        units, _, reasons = explain(self.crit, mentee, mentor)
        return units, list(reasons)


def best_mentors(field: Field, k: int) -> dict[str, list[Offer]]:
    """Each mentee's ``k`` best acceptable mentors with a free place, best first (mentees
    with none are left out)."""
    import numpy as np

    out: dict[str, list[Offer]] = {}
    n = len(field.mentees)
    if n == 0 or not field.mentors or k < 1:
        return out
    step = field.scorer.block_rows()
    m = len(field.mentors)
    for start in range(0, n, step):
        rows = np.arange(start, min(n, start + step))
        units, ok = field.acceptable(rows)
        # best score first, then the seed's order (the lower mentor index)
        key = np.where(ok, units.astype(np.int64) * m + (m - 1 - np.arange(m))[None, :], -1)
        for r, i in enumerate(rows.tolist()):
            top = np.argsort(-key[r], kind="stable")[:k]
            top = [j for j in top.tolist() if key[r, j] >= 0]
            if not top:
                continue
            mentee = field.mentees[i]
            offers = []
            for j in top:
                got, reasons = field.explained(mentee, field.mentors[j])
                shown = tuple(x for x in reasons if not x.endswith("(counts against)"))
                offers.append(Offer(field.mentors[j].id, got / UNITS, shown))
            out[mentee.id] = offers
    return out


# What gives a person away in what they wrote: an address, a web address, a handle, a phone.
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_URL = (
    r"(?:https?://|www\.)\S+"
    r"|\b(?:[\w-]+\.)+(?:com|org|net|io|dev|co|uk|de|fr|es|pt|br|me|info|biz|app|edu|gov|eu|us"
    r"|ca|au|in|mx|nl|ch|at|be|se|no|dk|fi|it|pl|ie|nz|ly|gl|to|tv|xyz)\b(?:/\S*)?"
    r"|\b(?:[\w-]+\.)+[a-z]{2,}/\S*"
)
_HANDLE = r"(?<![\w.])@\w+"
_CONTACT = re.compile(rf"{_EMAIL}|{_URL}|{_HANDLE}", re.IGNORECASE)
# A run of digits that may be a phone number: "+44 7700 900123", "555-123-4567"; not a year
# or a span of years ("2010-2020").
_PHONE = re.compile(r"(?<![\w+])[+(]?\d[\d\s().\-/]{5,}\d")
PHONE_DIGITS = 9  # at least this many digits, or 7 after a "+"
# A clause: what lies between these marks (the marks stay with the clause before them).
_CLAUSE_END = re.compile(r"[.!?;,:]+(?:\s+|$)|\s+[-\u2013\u2014]+\s+|[()\[\]]")
# Words of an organisation's name that say nothing about which one it is.
_ORG_FORMS = (
    "ltd llc inc gmbh sa ag plc co corp corporation company limited group holding holdings bv "
    "nv srl sarl sas spa oy ab as kg ug ev e.v llp lp pty pvt the of and und et y de la le les "
    "el los das der die du des"
)
ORG_FORMS = frozenset(_ORG_FORMS.split())
# Fewer words than this left (of three letters or more, their first name aside): the line
# says nothing, and is left out.
ABOUT_MIN_WORDS = 3


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> set[str]:
    """The words of ``text``, folded, each also without its digits ("Lee42": lee42, lee)."""
    return {_fold(w) for w in re.findall(r"[^\W_]+|[^\W\d_]+", text)} | {
        _fold(w) for w in re.findall(r"[^\W\d_]+", text)
    }


def _private_words(person: Mapping[str, Any]) -> set[str]:
    """The person's surname and their organisation's significant words, folded."""
    name = str(person.get("name") or "")
    first = str(person.get("first_name") or "") or (name.split() or [""])[0]
    private = _words(name) - _words(first)
    private |= _words(str(person.get("last_name") or ""))
    private |= _words(str(person.get("organisation") or "")) - ORG_FORMS
    return {w for w in private if len(w) > 1}


def _contacts(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds an email or web address, a handle or a phone number."""
    spans = [(m.start(), m.end()) for m in _CONTACT.finditer(text)]
    for found in _PHONE.finditer(text):
        digits = sum(c.isdigit() for c in found.group())
        if digits >= PHONE_DIGITS or (found.group().startswith("+") and digits >= 7):
            spans.append((found.start(), found.end()))
    return spans


def _is_private(clause: str, words: set[str]) -> bool:
    if _contacts(clause):
        return True
    return bool(_words(clause) & words)


def about_line(person: Mapping[str, Any], limit: int = ABOUT_LIMIT) -> str:
    """One line a person wrote about themselves (their ``bio``) for people they have not met:
    its first line without each clause that names their surname or their organisation (its
    significant words: "Google" of "Google LLC") or holds an email or web address, a handle
    or a phone number; cut at a sentence or word near ``limit``; empty when it says too
    little (fewer than ``ABOUT_MIN_WORDS`` words of three letters or more are left)."""
    text = str(person.get("bio") or "").strip()
    text = next((line.strip() for line in text.splitlines() if line.strip()), "")
    words = _private_words(person)
    # Contacts first, so that the dots of an address do not cut it into clauses.
    spans = _contacts(text)
    kept: list[str] = []
    start = 0
    for end_mark in [*_CLAUSE_END.finditer(text), None]:
        end = len(text) if end_mark is None else end_mark.end()
        if end_mark is not None and any(a < end_mark.start() < b for a, b in spans):
            continue  # a mark inside an address
        clause = text[start:end]
        if (
            clause
            and not _is_private(clause, words)
            and not any(a < end and b > start for a, b in spans)
        ):
            kept.append(clause)
        start = end
    text = "".join(kept).strip()
    if text.count("(") != text.count(")"):
        text = text.replace("(", "").replace(")", "")
    text = re.sub(r"\s+", " ", text).strip(" ,;:-\u2013\u2014")
    first = _fold(str(person.get("first_name") or person.get("name") or "")).split()[:1]
    said = [w for w in re.findall(r"[^\W_]+", text) if len(w) > 2 and _fold(w) not in first]
    if len(said) < ABOUT_MIN_WORDS:
        return ""
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    if len(text) <= limit:
        return text
    cut = text[:limit]
    sentence = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if sentence >= limit // 2:
        return cut[: sentence + 1]
    return cut.rsplit(" ", 1)[0].rstrip(",;:") + "…"


__all__ = ["ORG_FORMS", "Field", "Offer", "about_line", "best_mentors"]
