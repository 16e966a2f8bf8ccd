"""What a mentor's reply says about each mentee they were asked about (pure: no I/O).

``read_answer(text, names)`` reads the text a mentor wrote back (quotes and signatures
already dropped, :func:`mentorctl.checkins.reply_text.reply_text`) against the mentees their
``mentor_ask`` listed, numbered from 1 (``names``: each number's first name; a first name two
mentees share names neither). It returns ``{number: "yes" | "no"}`` and the numbers it
could not place. Read:

- numbers ("1 yes 2 no", "1: yes, 2: no", "1. Yes" on its own line, "yes to 1 and 3"), the
  ordinals first to fifth ("1st"), first names ("yes for Ana, no for Ben", "Ana: yes");
- everyone at once: "yes to all", "both yes", "happy to take them", "none", and their words
  in German, French, Spanish and Portuguese ("ja zu allen", "oui pour tous", "sí a los dos",
  "sim para todos"); everyone but some ("yes to all but Cleo", "all except the fourth",
  "them all apart from Ben", "other than 2"): those named after the "but" take the other
  answer, and when no mentee clearly follows it ("yes to all but maybe Cleo") nobody's
  answer is clear;
- a yes or a no in any language :func:`.reply_values.read_yes_no` reads, and the phrases
  mentors write in sentences: "Happy to take Ana. I can't take Ben, sorry", "I'd love to
  mentor both", "I'll pass on 2", "gerne", "volontiers", "je ne peux pas", "kann nicht";
- a lone "Yes" (or "No") when one mentee was proposed;
- an answer typed under a quoted item of the list ("> 2. Ben, who would like..."), which
  :func:`.reply_text.reply_text` keeps above the lines written under it: it is that
  mentee's.

Each sentence is read on its own (a new line, or . ! ? ;), and each item of a list ("1) no
2) yes", "1. no 2. yes"; but "No to 1. 2 is fine" is two sentences). Phrases made of a
negation that say yes are a yes ("can't wait", "don't mind", "no objection", "no problem",
"no conflict");
a negation takes the verb it negates up to a comma, a mentee or a new clause ("I won't be
able to take Ana" is a no for Ana; "absolutely not" is a no); a "not" just before a mentee
is theirs alone ("Quentin, not Ximena": Ximena no, Quentin yes); one that describes a mentee
("Ben is not a beginner", "Ben has no experience") is no answer, and leaves them unclear. A choice among several
mentees ("I can only take one", "either but not both", "I can't take both, only Ana", "only
two of them" or "a couple" when three were asked)
answers for none of them: every mentee asked is left for the admin. Within it each mention of a
mentee takes the nearest yes or no; at equal distance the one after it when the sentence
ends with a yes or no ("1 yes 2 no"), else the one before ("yes for Ana, no for Ben"). A
"maybe" or "not (so) sure" nearest to a mentee, a yes to talk rather than take ("happy to
talk about Ben by phone"), a mentee given both a yes and a no, or a mentee
named with neither is not placed: what names no mentee clearly is left for the admin.
A number followed by a unit ("2 hours a week") names no mentee.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from mentorctl.checkins.mentor_vocab import (
    ALL,
    ALL_PAIRS,
    AMBIGUOUS,
    BUT,
    BUT_FILLER,
    CAPACITY,
    CHOICE,
    CLAUSE,
    CLAUSE_WORDS,
    COUNTS,
    DESCRIBING,
    EVERY,
    FILLER_AFTER_NO,
    MARKER_DOT,
    MARKER_PAREN,
    NEG_BACKWARD,
    NEG_REACH,
    NEGATIVE,
    NONE,
    NOT_ANSWERS,
    ONE,
    ONLY,
    ORDINAL,
    ORDINALS,
    POSITIVE,
    PUNCT,
    QUOTED_ITEM,
    SENTENCE,
    SURE_ADVERBS,
    TALK,
    TOKEN,
    UNITS,
    UNSURE_WORDS,
    YES_IDIOMS,
)
from mentorctl.checkins.reply_values import read_yes_no

YES, NO, UNSURE = "yes", "no", "unsure"


@dataclass
class Answer:
    said: dict[int, str] = field(default_factory=dict)  # number -> yes | no
    unclear: list[int] = field(default_factory=list)  # numbers named without a clear answer
    nothing: bool = False  # no mentee named clearly at all


@dataclass
class _Item:
    at: int  # token position
    kind: str  # ref | pol
    refs: frozenset[int] = frozenset()
    value: str = ""  # a pol's answer; a ref's own answer when it is set ("not Ben")
    but: frozenset[int] = frozenset()  # the mentees "all but" leaves out: the other answer


def _tokens(sentence: str) -> list[str]:
    text = unicodedata.normalize("NFC", sentence).replace("\u2019", "'").casefold()
    return TOKEN.findall(text)


def _polarity(word: str, near_ref: bool) -> str | None:
    if word in UNSURE_WORDS:
        return UNSURE
    if word in NEGATIVE:
        return NO
    if word in POSITIVE:
        return YES
    if word in AMBIGUOUS and not near_ref:
        return None
    read = read_yes_no(word)
    return read[0] if read is not None else None


def _refs(words: list[str], i: int, count: int, names: dict[str, int]) -> frozenset[int] | None:
    word = words[i]
    found = ORDINAL.match(word)
    if found is not None:
        number = int(found.group(1))
        after = words[i + 1] if i + 1 < len(words) else ""
        if 1 <= number <= count and after not in UNITS:
            return frozenset({number})
        return None
    if word in ORDINALS and ORDINALS[word] <= count:
        return frozenset({ORDINALS[word]})
    if word in names:
        return frozenset({names[word]})
    if word in ALL or (i > 0 and (words[i - 1], word) in ALL_PAIRS):
        return frozenset(range(1, count + 1))
    return None


def _at(words: list[str], i: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    """The length of the phrase of ``phrases`` that starts at ``words[i]`` (0: none)."""
    for phrase in phrases:
        if tuple(words[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _fewer(words: list[str], i: int, count: int) -> bool:
    """``words[i]`` is a count of mentees below ``count`` ("two", "2"), not of hours."""
    number = COUNTS.get(words[i])
    after = words[i + 1] if i + 1 < len(words) else ""
    return number is not None and number < count and after not in UNITS


def is_choice(words: list[str], count: int = 2) -> bool:
    """Whether ``words`` offer a choice among the ``count`` mentees asked ("only one",
    "either but not both", "only two of them" of three, "a couple"); "no time for either"
    is a no to all, not a choice."""
    idiom = set()
    for i in range(len(words)):
        idiom.update(range(i, i + _at(words, i, YES_IDIOMS)))
    for i, word in enumerate(words):
        ahead = words[i + 1 : i + 4]
        if i in idiom:
            continue
        if word in ONLY and any(
            w in ONE or _fewer(words, j, count) for j, w in enumerate(ahead, i + 1)
        ):
            return True  # "I can only take one", "nur einen", "only two" of three
        if _fewer(words, i, count) and words[i + 1 : i + 3] in (["of", "them"], ["of", "you"]):
            return True  # "I can take two of them"
        if word == "couple" and i > 0 and words[i - 1] == "a":
            rest = words[i + 1 : i + 3]
            if not rest or rest[0] in PUNCT or rest in (["of", "them"], ["of", "you"]):
                return True  # "happy to take a couple"
        if _polarity(word, False) == NO and any(w in EVERY for w in ahead):
            return True  # "I can't take both, only Ana"
        if not _at(words, i, CHOICE):
            continue
        if words[i] == "either" and any(
            (_polarity(w, False) == NO and j not in idiom) or w in NONE
            for j, w in enumerate(words[:i])
        ):
            continue
        return True
    return False


def _items(words: list[str], count: int, names: dict[str, int]) -> list[_Item]:
    refs = [_refs(words, i, count, names) for i in range(len(words))]
    items: list[_Item] = []
    skip: set[int] = set()
    for i, word in enumerate(words):
        if i in skip or word in PUNCT:
            continue
        idiom = _at(words, i, YES_IDIOMS)
        if idiom:
            items.append(_Item(i, "pol", value=YES))
            skip.update(range(i + 1, i + idiom))
            continue
        if refs[i] is not None:
            item = _Item(i, "ref", refs[i])  # type: ignore[arg-type]
            items.append(item)
            if len(item.refs) == count > 1 and words[i] not in NONE:
                _all_but(words, i, refs, items, skip)
            continue
        if word in NONE:
            items.append(_Item(i, "ref", frozenset(range(1, count + 1))))
            items.append(_Item(i, "pol", value=NO))
            continue
        if word == "not":
            j = i + 1
            while j < len(words) and words[j] in SURE_ADVERBS:
                j += 1
            if j < len(words) and words[j] in ("sure", "certain"):
                items.append(_Item(i, "pol", value=UNSURE))  # "not (so) sure about Ben"
                skip.update(range(i + 1, j + 1))
                continue
            if i + 1 < len(words) and refs[i + 1] is not None and len(refs[i + 1]) < count:
                # "Quentin, not Ximena": the "not" is Ximena's alone, and the mentee just
                # before, set against them, is a yes
                prev = next((j for j in range(i - 1, -1, -1) if words[j] not in PUNCT), None)
                if prev is not None and refs[prev] is not None:
                    items.append(_Item(i - 1, "pol", value=YES))
                items.append(_Item(i + 1, "ref", refs[i + 1], value=NO))  # type: ignore[arg-type]
                skip.add(i + 1)
                continue
        if word == "no" and i + 1 < len(words) and words[i + 1] in ("idea", "clue"):
            items.append(_Item(i, "pol", value=UNSURE))  # "no idea about Ben yet"
            skip.add(i + 1)
            continue
        if word == "no" and i + 1 < len(words) and words[i + 1] in FILLER_AFTER_NO:
            skip.add(i + 1)
            continue
        if word == "too" and i + 1 < len(words) and words[i + 1] == "busy":
            items.append(_Item(i, "pol", value=NO))
            skip.add(i + 1)
            continue
        near = any(refs[j] is not None for j in (i - 1, i + 1) if 0 <= j < len(words))
        value = _polarity(word, near)
        if value is None:
            continue
        if value == YES and i + 1 < len(words) and words[i + 1] == "not":
            continue  # "absolutely not", "sure not": the "not" says it
        if value == YES and any(w in TALK for w in words[i + 1 : i + 4]):
            value = UNSURE  # "happy to talk about Ben": talking is not taking
        described = _describes(words, i, refs) if value == NO else None
        if described == "filler":
            continue  # "no rush", "no experience": no answer
        if described:
            # "Ben is not a beginner", "Ben has no experience": no answer, and a yes further
            # on is not clearly theirs
            items.append(_Item(i, "pol", value=UNSURE))
            continue
        if value == NO:
            _absorb(words, refs, range(i + 1, min(len(words), i + 1 + NEG_REACH)), skip)
            if word in NEG_BACKWARD:
                _absorb_back(words, refs, i, items)
        items.append(_Item(i, "pol", value=value))
    return items


def _all_but(
    words: list[str],
    i: int,
    refs: list[frozenset[int] | None],
    items: list[_Item],
    skip: set[int],
) -> None:
    """ "all but Cleo", "all good except the fourth": the mentees after the "but" are left out
    of the "all" at ``i`` (and of a "them" just before it) and take the other answer; when no
    mentee clearly follows, nobody's answer is clear."""
    j = i + 1
    while j < len(words) and words[j] in BUT_FILLER:
        j += 1
    size = _at(words, j, BUT)
    if not size:
        return
    j += size
    left: set[int] = set()
    while j < len(words):
        if words[j] in ("the", "for", "and", "or", ","):
            j += 1
            continue
        found = refs[j]
        if found is None or len(found) == len(refs[i] or ()):
            break
        left |= found
        skip.add(j)
        j += 1
    if not left:
        items.append(_Item(i, "pol", value=UNSURE))  # "yes to all but maybe Cleo"
        return
    for item in items:
        if item.kind == "ref" and item.at in (i, i - 1) and item.refs == refs[i]:
            item.refs = item.refs - left
            item.but = frozenset(left)
    if j < len(words) and words[j] not in PUNCT and _polarity(words[j], True) == UNSURE:
        items.append(_Item(i, "pol", value=UNSURE))


def _describes(words: list[str], i: int, refs: list[frozenset[int] | None]) -> str:
    """How the "not" or "no" at ``i`` describes someone rather than answers: "describes"
    after "is", "has", "seems" ("Ben is not a beginner", "Ana has no experience in it"),
    "filler" before a word that is no answer ("no rush", "no experience"); "" when it may
    answer ("no time for Ben", "not Ben", "Ana: no")."""
    if words[i] not in ("not", "no") or i + 1 >= len(words):
        return ""
    after = words[i + 1]
    if after in PUNCT or refs[i + 1] is not None:
        return ""
    if words[i] == "no" and after in CAPACITY:
        return ""
    if i > 0 and words[i - 1] in DESCRIBING:
        return "describes"
    return "filler" if words[i] == "no" and after in NOT_ANSWERS else ""


def _absorb(
    words: list[str], refs: list[frozenset[int] | None], span: range, skip: set[int]
) -> None:
    """A no takes the yes-words of the verb it negates, just after it ("can't take", "not
    happy to", "won't be able to take") up to a comma, a mentee or a new clause."""
    for j in span:
        if words[j] in PUNCT or refs[j] is not None or words[j] in CLAUSE:
            return
        if _polarity(words[j], False) == YES:
            skip.add(j)


def _absorb_back(
    words: list[str], refs: list[frozenset[int] | None], i: int, items: list[_Item]
) -> None:
    """A "nicht" or "pas" takes the yes-words just before it ("Ana nehme ich nicht")."""
    for j in range(i - 1, max(-1, i - 3), -1):
        if words[j] in PUNCT or refs[j] is not None:
            return
        for item in [x for x in items if x.at == j and x.kind == "pol" and x.value == YES]:
            items.remove(item)


def _place(
    items: list[_Item], words: list[str], said: dict[int, set[str]], named: set[int]
) -> None:
    pols = [x for x in items if x.kind == "pol"]
    after_first = bool(items) and items[-1].kind == "pol"
    breaks = [i for i, w in enumerate(words) if w == "," or w in CLAUSE]

    def apart(a: int, b: int) -> int:  # a clause boundary between counts as more words
        return b - a + CLAUSE_WORDS * sum(1 for i in breaks if a < i < b)

    other = {YES: NO, NO: YES}
    for ref in (x for x in items if x.kind == "ref"):
        named.update(ref.refs | ref.but)
        if ref.value:
            for number in ref.refs:
                said.setdefault(number, set()).add(ref.value)
            continue
        before = [p for p in pols if p.at <= ref.at and p is not ref]
        after = [p for p in pols if p.at > ref.at]
        options = []
        if before:
            options.append((apart(before[-1].at, ref.at), int(after_first), before[-1]))
        if after:
            options.append((apart(ref.at, after[0].at), int(not after_first), after[0]))
        if not options:
            continue
        chosen = min(options, key=lambda o: (o[0], o[1]))[2]
        for number in ref.refs:
            said.setdefault(number, set()).add(chosen.value)
        for number in ref.but:
            said.setdefault(number, set()).add(other.get(chosen.value, UNSURE))


def _sentences(line: str) -> list[str]:
    """The sentences of ``line``, each item of a list on its own: "N)" starts one; "N."
    starts one when it opens the line or follows a yes or no ("1. no 2. yes"), and ends a
    sentence otherwise ("No to 1. 2 is fine")."""
    out: list[str] = []
    for sentence in SENTENCE.split(line):
        cuts: list[int] = [m.start() for m in MARKER_PAREN.finditer(sentence)]
        for found in MARKER_DOT.finditer(sentence):
            before = [w for w in _tokens(sentence[: found.start()]) if w not in PUNCT]
            if not before:
                continue
            if _polarity(before[-1], True) is not None:
                cuts.append(found.start())
            else:
                cuts.append(found.end())
        edges = [0, *sorted(set(cuts)), len(sentence)]
        out += [sentence[a:b] for a, b in itertools.pairwise(edges)]
    return out


_GREETING = re.compile(r"\s*(?:hello|hi|hallo|bonjour|hola|olá|oi|dear)\b[\s,]*[^\W\d_]+", re.I)


def _own_lines(text: str, names: list[str]) -> list[str]:
    """The lines of ``text`` above the ask itself when a client put it below, neither quoted
    nor under a reply header: its greeting line ("Hello Lucía,") when the ask's list of
    mentees ("1. Ana ...") follows below it."""
    lines = text.split("\n")
    first = _tokens(names[0])[:1] if names else []

    def item(line: str) -> bool:
        found = re.match(r"\s*1[.)]\s+(.*)", line)
        return found is not None and bool(first) and _tokens(found.group(1))[:1] == first

    for i, line in enumerate(lines):
        if i and _GREETING.match(line) and any(item(x) for x in lines[i + 1 :]):
            return lines[:i]
    return lines


def read_answer(text: str, names: list[str]) -> Answer:
    """What ``text`` says about each of the mentees ``names`` lists (numbered from 1)."""
    count = len(names)
    folded: dict[str, int] = {}
    twice: set[str] = set()
    for number, name in enumerate(names, 1):
        key = unicodedata.normalize("NFC", name).replace("\u2019", "'").casefold().strip()
        if not key or key in ALL or key in NONE:
            continue
        if key in folded:
            twice.add(key)
        folded[key] = number
    for key in twice:
        del folded[key]
    said: dict[int, set[str]] = {}
    named: set[int] = set()
    loose: list[str] = []  # answers of sentences that name no mentee
    under: int | None = None  # the mentee of the quoted item just above (an inline answer)
    choice = False
    for line in _own_lines(text, names):
        if line.lstrip().startswith(">"):
            item = QUOTED_ITEM.match(line)
            if item is not None and 1 <= int(item.group(1)) <= count:
                under = int(item.group(1))
            continue
        for sentence in _sentences(line):
            words = _tokens(sentence)
            if count > 1 and is_choice(words, count):
                choice = True  # "only one of them": whichever it is, the admin asks
                continue
            items = _items(words, count, folded) if words else []
            values = [x.value for x in items if x.kind == "pol"]
            if any(x.kind == "ref" for x in items):
                _place(items, words, said, named)
            elif under is not None and values:
                named.add(under)
                said.setdefault(under, set()).update(values)
            else:
                loose += values
    out = Answer()
    if choice:
        out.unclear = list(range(1, count + 1))
        out.nothing = True
        return out
    if not named and count == 1 and loose:
        named.add(1)
        said[1] = set(loose)
    for number in sorted(named):
        values = said.get(number, set())
        if len(values) == 1 and UNSURE not in values:
            out.said[number] = next(iter(values))
        else:
            out.unclear.append(number)
    out.nothing = not out.said
    return out
