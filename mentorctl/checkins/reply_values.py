"""One answer's value as a person writes it in an email: yes/no, a 1-5 scale, or text.

Each reader takes the text written for one question and returns ``(value, extra)`` or None:
``value`` is what is stored ("yes"/"no", an int 1..5, cleaned text) and ``extra`` is True when
the person wrote more than the value ("Yes, we met on Tuesday"), so the caller can keep the
whole line for a person to read. None means the text is not a value of that kind; nothing is
guessed (an ambiguous "yes and no", "3 or 4", "4.5" or "7" is None).

Pure: no I/O, stdlib only. Used by :mod:`mentorctl.checkins.reply_answers`.
"""

from __future__ import annotations

import re
import unicodedata

SCALE_MIN, SCALE_MAX = 1, 5


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Phrases are matched on the leading words; longer phrases first so "not really" wins over
# "not". Several languages, since people reply in the language they think in.
_YES_PHRASES = (
    "yes",
    "yess",
    "yesss",
    "y",
    "yep",
    "yup",
    "yeah",
    "yea",
    "ya",
    "sure",
    "of course",
    "absolutely",
    "definitely",
    "ja",
    "jep",
    "jawohl",
    "oui",
    "ouais",
    "si",
    "sí",
    "sim",
    "да",
    "tak",
)
_NO_PHRASES = (
    "not really",
    "not yet",
    "not at all",
    "not this week",
    "no",
    "nope",
    "nah",
    "n",
    "nein",
    "nee",
    "non",
    "não",
    "нет",
    "nie",
)
# Words after a yes/no that add nothing a person needs to read ("Yes, we did!").
_FILLER = _word_set(
    "we i did it is was has been so far very much indeed all good fine thanks thank you "
    "definitely absolutely of course sure really yes no not"
)
# After a yes, these make the answer ambiguous ("yes and no", "yes but not really").
_YES_CONFLICT = frozenset({"no", "not", "but", "nope", "maybe", "partly", "sort", "kind"})
_NO_CONFLICT = frozenset({"yes", "but", "maybe", "partly", "sort", "kind"})


_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "un": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "eins": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "uno": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
}
_OUT_OF = frozenset({str(SCALE_MAX), "five", "cinq", "fünf", "cinco"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# "4", "4/5", "4 / 5", "4 out of 5", "4 of 5", "4 von 5", "4 sur 5", "4 de 5"; a decimal is
# captured so that "4.5" is refused rather than read as 4.
_SCALE = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?|[^\W\d_]+)\s*(?:(?:/|out\s+of|of|von|sur|de|из)\s*(?P<d>\d+|five|cinq|fünf|cinco))?",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def _lead(words: list[str], phrases: tuple[str, ...]) -> int:
    """How many leading words form one of ``phrases`` (0 when none does)."""
    best = 0
    for phrase in phrases:
        parts = phrase.split()
        if words[: len(parts)] == parts and len(parts) > best:
            best = len(parts)
    return best


def read_yes_no(text: str) -> tuple[str, bool] | None:
    words = _words(text)
    if not words:
        return None
    yes, no = _lead(words, _YES_PHRASES), _lead(words, _NO_PHRASES)
    if yes == no:  # neither, or both (cannot happen with these lists)
        return None
    value, used, conflict = ("yes", yes, _YES_CONFLICT) if yes > no else ("no", no, _NO_CONFLICT)
    rest = words[used:]
    # A lone "y" or "n" is an answer; "n/a" or "y'all" is not.
    if (used == 1 and len(words[0]) == 1 and rest) or any(word in conflict for word in rest):
        return None
    return value, any(word not in _FILLER for word in rest)


def read_scale(text: str) -> tuple[int, bool] | None:
    stripped = text.strip().strip("*_").lstrip("(").strip()
    match = _SCALE.match(stripped)
    if match is None:
        return None
    token = match.group("n").casefold()
    if token.isdecimal():
        # int() reads any script's decimal digits; a superscript or other digit sign is no
        # number, and a huge one is no answer.
        number = int(token) if len(token) <= 3 else 0
    elif token in _NUMBER_WORDS:
        number = _NUMBER_WORDS[token]
    else:
        return None
    out_of = (match.group("d") or str(SCALE_MAX)).casefold()
    if out_of not in _OUT_OF or not SCALE_MIN <= number <= SCALE_MAX:
        return None
    rest = stripped[match.end() :]
    # A second number means a range or a correction ("3-4", "3 or 4"): not ours to pick.
    if re.search(r"\d", rest) or _NUMBER_WORDS.keys() & set(_words(rest)):
        return None
    return number, bool(_words(rest))


def clean_text(text: str) -> str:
    """Text as written, less control characters, trailing spaces and runs of blank lines."""
    lines = [_CONTROL.sub("", line).rstrip() for line in text.strip().split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def read_value(kind: str, text: str) -> tuple[str | int, bool] | None:
    """``(value, extra)`` for a question of ``kind``; None when the text is not such a value."""
    if kind == "yes_no":
        return read_yes_no(text)
    if kind == "scale":
        return read_scale(text)
    cleaned = clean_text(text)
    return (cleaned, False) if cleaned else None
