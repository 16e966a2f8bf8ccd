"""What a mentee's reply to their shortlist chooses (pure: no I/O).

``read(text, names)`` reads what the mentee newly wrote against the first names of their
shortlist (numbered from 1) and returns the places chosen (0-based, in the order written)
with, when the reply cannot be read one way only, why. Read:

- numbers of the shortlist ("2", "#2", "Number 2 please", "1 then 3", "the 2nd one"), in
  words too ("Two", "Number two please", "the first one", "the last one"), and first names
  ("Ann", "I'd like Ann, or else Bo"; accents and case aside);
- not a choice: a number that is part of a time, date or amount ("2pm", "10:30", "1.5"), a
  time zone ("UTC+2"), a day of the month ("Can we talk on the 2nd?"), or a count of
  something ("I have 2 questions", "3 of them"); a rank
  written before a name ("1) Bo", "1st choice: Bo", "1. Bo" opening a line): the name
  is the choice; a name just after a greeting or thanks ("Thanks so much Ann for ...");
- left out: what follows a negation in its clause ("Not Ann, Bo please", "I don't want
  Ann. Bo", "I'd rather not have 1", "anyone except Ann"), and a name its clause negates
  ("Ann isn't my area", "Ann n'est pas", "Ann no es", "Ann ist nicht"); "without doubt Bo"
  ("sans doute", "sin duda", "ohne Zweifel") is no negation;
- a first name that is also a common English word (May, Will, Grace, Mark, ...) only when
  written with a capital and not as a question's verb ("May I pick Sunny?", "I will pick");
- ambiguous, for the admin to ask: a name two mentors share, a mentor both chosen and
  ruled out, or a mentee who cannot decide ("either is fine", "no preference", "any is
  fine", "whichever is easier", "I don't mind", "me da igual", "peu importe", "egal",
  "tanto faz").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# A number standing alone ("2", "#2", "2.", "2nd"), never part of a time, date, amount or
# offset ("2pm", "10:30", "2026-03-02", "1.5", "UTC+2"); a word; or a mark that ends a clause.
_TOKEN = re.compile(
    r"(?P<num>(?<![\w.:/+\-])#?\d{1,2}(?:st|nd|rd|th)?(?![\w:/\-]|\.\d))"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)"
    r"|(?P<mark>[.,;:!?()\n])"
)


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# What may follow a number that chooses ("2 please", "2 then 1", "the 2nd one").
_AFTER_NUMBER = _set(
    "please pls plz then or and is would will works suits sounds looks seems thanks thank "
    "one first option for as too also ok okay maybe perhaps definitely if because since but "
    "though i it bitte dann oder und "
    "merci s'il puis ou et por gracias luego y o e obrigado obrigada depois ist"
)
_RANK = _set("choice pick preference option wahl choix opción opcion opção escolha")
# Words that rule out what follows in their clause.
_NEGATION = _set(
    "not no don't dont never than except without nicht kein keine keinen pas sauf "
    "excepto menos não nao sem"
)
_NEGATION_PHRASES = (("rather", "not"), ("do", "not"), ("instead", "of"))
_CLAUSE_END = _set("but however aber mais pero mas")
# Words of a mentee who leaves the choice to others.
_UNDECIDED = (
    ("can't", "decide"), ("cannot", "decide"), ("can", "not", "decide"), ("either",),
    ("no", "preference"), ("don't", "mind"), ("don't", "care"), ("whoever",),
    ("any", "of", "them"), ("anyone",), ("egal",), ("n'importe",), ("cualquiera",),
    ("qualquer",), ("any", "is"), ("any", "will"), ("any", "would"), ("whichever",),
    ("don't", "mind"), ("do", "not", "mind"), ("me", "da", "igual"), ("da", "igual"),
    ("peu", "importe"), ("tanto", "faz"), ("kein", "unterschied"), ("keine", "praferenz"),
    ("pas", "de", "preference"), ("sin", "preferencia"), ("sem", "preferencia"), ("happy", "with", "any"), ("fine", "with", "any"),
)  # fmt: skip
# Phrases of certainty made of a negation's word: "without doubt Bo" chooses Bo.
_CERTAIN = (
    ("without", "doubt"), ("without", "a", "doubt"), ("sans", "doute"), ("sin", "duda"),
    ("ohne", "zweifel"), ("no", "doubt"),
)  # fmt: skip
# A negation just after a name rules it out when it opens its clause ("Ann is not really in
# my sector", "Ann isn't my area", "Ann n'est pas", "Ann no es", "Ann ist nicht").
_NEGATED_AFTER = (
    ("is", "not"), ("is", "really", "not"), ("isn't",), ("is", "no"), ("was", "not"),
    ("wasn't",), ("doesn't",), ("does", "not"), ("n'est", "pas"), ("n'est", "vraiment", "pas"),
    ("no", "es"), ("no", "está"), ("ist", "nicht"), ("ist", "wirklich", "nicht"),
    ("ist", "kein"), ("ist", "keine"), ("nao", "e"),
)  # fmt: skip
# Numbers in words: a cardinal after "number" or standing alone ("Two", "Number two
# please"); an ordinal before "one" or after "the" ("the first one", "the last one").
_CARDINALS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_NUMBER_SIGN = _set("number no nr nummer numero num option opcion opcao")
# Words of a day or a time: an ordinal near one ("on the 2nd", "the 3rd for a call") is a
# date, not a choice.
_DATE_WORDS = _set(
    "on talk call chat meet meeting meets day date morning afternoon evening week month "
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "june july september october november december jan feb mar apr jun jul aug sep sept oct "
    "nov dec am pm free available"
)
_ADDRESS = _set("thanks thank thx hi hello hey dear hallo danke merci bonjour hola gracias olá oi")
_PRONOUNS = _set("i we you he she they it")
# First names that are also common English words: a name only when capitalised, and not
# the verb of a question ("May I", "Will you").
COMMON_WORDS = _set(
    "may will grace joy bill mark faith hope rose april june august summer dawn sunny sky "
    "max pat sue rob art jack penny ruby amber iris lily daisy violet ray guy frank earl "
    "sandy rich chase hunter drew wade gene miles page angel autumn honey holly ivy ginger "
    "crystal eve chance cash king price lane brook reed jay kit dean major carol don hazel "
    "heather destiny harmony melody star storm river rain win bud sonny"
)


@dataclass
class _Tok:
    kind: str  # num | word | mark
    text: str  # as written
    key: str  # folded
    line_start: bool  # first token of its line


@dataclass
class Choice:
    """The places a reply chooses (0-based, in order) and, when it is ambiguous, why."""

    places: list[int]
    ambiguous: str = ""


def fold(text: str) -> str:
    """Lower case without accents: "Lucía" and "LUCIA" are one name."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    start = True
    for found in _TOKEN.finditer(unicodedata.normalize("NFKC", text)):
        kind = found.lastgroup or "mark"
        raw = found.group()
        out.append(_Tok(kind, raw, fold(raw).replace("’", "'"), start))
        start = raw == "\n"
    return out


def _phrase_at(keys: list[str], i: int, phrases: Sequence[tuple[str, ...]]) -> int:
    for phrase in phrases:
        if tuple(keys[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def read(text: str, names: Sequence[str]) -> Choice:
    """The places of ``names`` that ``text`` chooses, in order, and why it is ambiguous."""
    toks = _tokens(text)
    keys = [t.key for t in toks]
    folded = [fold(n).split() for n in names]
    for i in range(len(toks)):
        if _phrase_at(keys, i, _UNDECIDED):
            return Choice([], "leaves the choice to us: ask which mentor")
    chosen: list[int] = []
    ruled_out: set[int] = set()
    negated = False  # inside a clause that rules out what it names
    addressed = -1  # up to this token, a name is the one the mentee greets or thanks
    skip = 0
    for at, tok in enumerate(toks):
        if skip:
            skip -= 1
            continue
        if tok.kind == "mark":
            if tok.text not in "()":
                negated = False
            if tok.text != ",":
                addressed = -1
            continue
        if tok.key in _CLAUSE_END:
            negated = tok.key == "but" and _but_rules_out(keys, at)
            continue
        size = _phrase_at(keys, at, _CERTAIN)
        if size:
            skip = size - 1
            continue
        size = _phrase_at(keys, at, _NEGATION_PHRASES)
        if size:
            negated, skip = True, size - 1
            continue
        if tok.key in _NEGATION and not _number_sign(toks, at):
            negated = True
            continue
        if tok.key in _ADDRESS:
            addressed = at + 3
            continue
        place = _place(toks, at, names, folded)
        if place is None:
            continue
        if isinstance(place, str):
            return Choice([], place)
        if tok.kind == "word" and at <= addressed:
            continue
        if negated or _negated_after(toks, at, names[place]):
            ruled_out.add(place)
        elif place not in chosen:
            chosen.append(place)
    both = [i for i in chosen if i in ruled_out]
    if both:
        return Choice([], f"both chooses and rules out {names[both[0]]}: ask which mentor")
    return Choice(chosen)


def _negated_after(toks: list[_Tok], at: int, name: str) -> bool:
    """The name (or number) at ``at`` is the subject of a negation ("Ann isn't my area")."""
    after = at + (len(fold(name).split()) if toks[at].kind == "word" else 1)
    keys = [t.key for t in toks[after : after + 3]]
    return bool(_phrase_at(keys, 0, _NEGATED_AFTER))


def _number_sign(toks: list[_Tok], at: int) -> bool:
    """ "No. 3" is a number's sign, not a negation."""
    return (
        toks[at].key == "no"
        and at + 2 < len(toks)
        and toks[at + 1].text == "."
        and toks[at + 2].kind == "num"
    )


def _but_rules_out(keys: list[str], at: int) -> bool:
    """ "anyone but Ann", "all but 1" rule out; "Bo, but Ann is fine too" does not."""
    return at > 0 and keys[at - 1] in ("anyone", "anybody", "anything", "all", "everyone", "any")


def _place(
    toks: list[_Tok], at: int, names: Sequence[str], folded: list[list[str]]
) -> int | str | None:
    """The place token ``at`` names (0-based), a reason it is ambiguous, or None."""
    tok = toks[at]
    if tok.kind == "num":
        return _number(toks, at, len(names), {w[0] for w in folded if w})
    if tok.kind != "word":
        return None
    spelled = _spelled(toks, at, len(names))
    if spelled is not None:
        return spelled
    fits = [
        i
        for i, words in enumerate(folded)
        if words and [t.key for t in toks[at : at + len(words)]] == words
    ]
    if not fits:
        return None
    if tok.key in COMMON_WORDS:
        after = toks[at + 1].key if at + 1 < len(toks) else ""
        if not tok.text[:1].isupper() or after in _PRONOUNS:
            return None
    if len(fits) > 1:
        return "names two mentors of the same first name: ask which one"
    return fits[0]


def _spelled(toks: list[_Tok], at: int, count: int) -> int | None:
    """The place a number in words names ("Number two", "Two", "the first one", "the last
    one"), or None."""
    key = toks[at].key
    before = toks[at - 1] if at > 0 else None
    nxt = toks[at + 1] if at + 1 < len(toks) else None
    ends = nxt is None or nxt.kind == "mark" or nxt.key in ("please", "pls", "thanks")
    if key in _CARDINALS:
        signed = before is not None and before.key in _NUMBER_SIGN
        alone = before is None or before.kind == "mark"
        # "three then one": a number after another number in words
        alone = alone or (
            before.key in ("then", "or", "and") and at > 1 and toks[at - 2].key in _CARDINALS
        )
        if not (signed or (alone and (ends or nxt.key in ("then", "or", "and")))):
            return None
        number = _CARDINALS[key]
    elif key in _ORDINAL_WORDS:
        the = before is not None and before.key == "the"
        if not ((nxt is not None and nxt.key == "one") or (the and ends)):
            return None
        number = _ORDINAL_WORDS[key] if key != "last" else count
    else:
        return None
    return number - 1 if 1 <= number <= count else None


def _a_date(toks: list[_Tok], at: int) -> bool:
    """ "on the 2nd", "the 3rd?", "the 1st afternoon": a day of the month, not a choice."""
    before = [t.key for t in toks[max(0, at - 2) : at]]
    ordinal = toks[at].key[-2:] in ("st", "nd", "rd", "th")
    if not before or before[-1] not in ("on", "the") or not (ordinal or before[-1] == "on"):
        return False
    nxt = toks[at + 1] if at + 1 < len(toks) else None
    if nxt is not None and nxt.text == "?":
        return True
    near = [t.key for t in toks[max(0, at - 4) : at + 5] if t.kind == "word"]
    return "on" in before or any(k in _DATE_WORDS for k in near)


def _number(toks: list[_Tok], at: int, count: int, firsts: set[str]) -> int | None:
    tok = toks[at]
    digits = tok.key.lstrip("#")
    ordinal = digits[-2:] in ("st", "nd", "rd", "th")
    digits = digits[:-2] if ordinal else digits
    if not digits.isdigit():
        return None
    nxt = toks[at + 1] if at + 1 < len(toks) else None
    if at > 0 and toks[at - 1].key in ("utc", "gmt", "cet", "est", "pst"):
        return None  # a time zone
    if _a_date(toks, at):
        return None
    if nxt is not None and nxt.kind == "word":
        if nxt.key in _RANK:
            return None  # "1st choice Bo": a rank, the name is the choice
        if nxt.key not in _AFTER_NUMBER and nxt.key not in firsts:
            return None  # "2 questions", "3 of them": a count of something
    mark = nxt.text if nxt is not None else ""
    item = mark == ")" or (mark == "." and _list_start(toks, at))
    if item and _name_follows(toks, at + 2):
        return None  # "1) Bo", "1. Bo": an item of a list, the name is the choice
    number = int(digits)
    return number - 1 if 1 <= number <= count else None


def _name_follows(toks: list[_Tok], at: int) -> bool:
    """A capitalised word follows on the same line, before the next number."""
    for tok in toks[at:]:
        if tok.line_start or tok.kind == "num":
            return False
        if tok.kind == "word" and tok.text[:1].isupper():
            return True
    return False


def _list_start(toks: list[_Tok], at: int) -> bool:
    """ "N." opens a line, or follows another item of the list on it."""
    if toks[at].line_start:
        return True
    return any(
        t.kind == "num" and at > j + 1 and toks[j + 1].text == "." for j, t in enumerate(toks[:at])
    )


_GREETING = _set("hello hi hallo bonjour hola ola oi dear liebe lieber chere cher querida querido")


def own_part(text: str, first_name: str, mentors: Sequence[str]) -> str:
    """``text`` up to where the shortlist it answers follows unquoted (a client that leaves
    no reply header): its greeting line ("Hello Quentin,"), or its list's first item ("1.
    Ann" over an indented line)."""
    lines = text.split("\n")
    me = fold(first_name).split()[:1]
    first = fold(mentors[0]).split() if mentors else []
    for i, line in enumerate(lines):
        words = re.findall(r"[^\W\d_]+", fold(line))
        if me and len(words) >= 2 and words[0] in _GREETING and words[1:2] == me:
            return "\n".join(lines[:i])
        item = re.fullmatch(r"\s*1[.)]\s+(.+?)\s*", fold(line))
        below = lines[i + 1] if i + 1 < len(lines) else ""
        if item and first and item.group(1).split() == first and below.startswith("   "):
            return "\n".join(lines[:i])
    return text


def read_choice(text: str, names: Sequence[str]) -> list[int] | None:
    """The shortlist's places (0-based) that ``text`` names, in the order written; None when
    the reply is ambiguous (the admin must ask)."""
    found = read(text, names)
    return None if found.ambiguous else found.places


__all__ = ["COMMON_WORDS", "Choice", "fold", "own_part", "read", "read_choice"]
