"""One answer's value as a person writes it in an email: yes/no, a 1-5 scale, or text.

Each reader takes the text written for one question and returns ``(value, extra)`` or None:
``value`` is what is stored ("yes"/"no", an int 1..5, cleaned text) and ``extra`` is True when
the person wrote more than the value ("Yes, we met on Tuesday"), so the caller can keep the
whole line for a person to read. None means the text is not a value of that kind; nothing is
guessed (an ambiguous "yes and no", "3 or 4", "4.5" or "7" is None).

Yes and no are read in some thirty languages ("Sì", "Kyllä", "ano", "igen", "Evet", "はい",
"是", "네", "نعم", "כן" ...), with "but" and "maybe" in each making the answer
ambiguous; a word that is yes or no in one language and something else in another ("si",
"da", "ne", "так") counts only alone or set off by a comma. A 1-5 value is a digit of any
script, "4/5" and "4 out of 5" in several languages, stars ("★★★★", "★★★★☆") or a number
word of one of those languages standing alone ("quattro", "vier", "四").

Pure: no I/O, stdlib only. Used by :mod:`mentorctl.checkins.reply_answers`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SCALE_MIN, SCALE_MAX = 1, 5


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _each(words: str) -> tuple[str, ...]:
    return tuple(words.split())


# Phrases are matched on the leading words; longer phrases first so "not really" wins over
# "not". Many languages, since people reply in the language they think in.
_YES_PHRASES = (
    *_each("yes yess yesss y yep yup yeah yea ya sure absolutely definitely"),  # en
    "of course",
    *_each("oui ouais évidemment"),  # fr
    *_each("ja jep jawohl jo"),  # de nl sv nb da
    *_each("sí sì si claro sim"),  # es pt it ca
    "certo",
    "ovviamente",
    *_each("tak jasne"),  # pl
    *_each("да так"),  # ru uk
    *_each("kyllä joo"),  # fi
    *_each("ano áno jo"),  # cs sk
    *_each("igen evet ναι כן نعم"),  # hu tr el he ar
    *_each("da có vâng ya iya"),  # ro hr vi id
    *_each("네 예 응"),  # ko
    "हाँ",
    "हां",
)
_NO_PHRASES = (
    "not really",
    "not yet",
    "not at all",
    "not this week",
    *_each("no nope nah n"),  # en es it
    "non",  # fr
    "pas encore",
    *_each("nein nee nej nei"),  # de nl sv da nb
    *_each("não nao"),  # pt
    *_each("нет ні nie"),  # ru uk pl
    *_each("ei ne nie nem hayır όχι לא لا nu không tidak"),
    *_each("아니요 아니오 아뇨 아니"),  # ko
    "नहीं",
)
# Leading words that mean yes or no alone, and something else before more words ("Si on
# peut": "if"; "Da" in Italian: "from"; "Ne t'inquiète pas"): taken only when they are the
# whole answer or set off by a comma ("Da, am vorbit"); "Так" not even then (Russian "so").
_ALONE = _word_set("si da ne ya nu jo ei n y так")
_ALONE_STRICT = _word_set("n y так")
_SET_OFF = re.compile(r"\W*[^\W_]+\s*[,!;]")
# Scripts written without spaces between words: the answer is the text's first characters.
_CJK_YES = ("是的", "是", "对", "對", "有", "はい", "ええ", "うん")
_CJK_NO = ("不是", "没有", "沒有", "否", "不", "いいえ", "いや")
_CJK_END = frozenset("。．.、,，!！~～ ")
# Words after a yes/no that add nothing a person needs to read ("Yes, we did!").
_FILLER = _word_set(
    "we i did it is was has been so far very much indeed all good fine thanks thank you "
    "definitely absolutely of course sure really yes no not merci danke gracias obrigado "
    "obrigada grazie dank bedankt dziękuję tack takk tak kiitos спасибо дякую děkuji "
    "köszönöm teşekkürler ευχαριστώ תודה شكرا mulțumesc cảm ơn terima kasih"
)
# After a yes, these make the answer ambiguous ("yes and no", "yes but not really", "oui
# mais non"): but, maybe, partly in each language read.
_BUT = _word_set(
    "but maybe partly sort kind mais peut-être aber vielleicht pero quizás mas talvez ma "
    "forse maar misschien ale może men kanske kanskje måske mutta ehkä но может але можливо "
    "ale možná talán ama belki αλλά ίσως אבל אולי لكن ربما dar poate nhưng có thể tapi "
    "mungkin"
)
_YES_CONFLICT = _BUT | _word_set("no not nope non nein nie nej nei não нет ні ne nem hayır")
# After a no, these say "I don't know" or "I don't understand" ("No idea", "No sé", "Nie
# wiem", "Non so", "Nem tudom"): no answer either way.
_DONT_KNOW = _word_set(
    "idea clue sure sé se so sais sei weiß weiss wiem vím vim tudom знаю bilmiyorum "
    "understand capito compris entendí entendi entiendo verstehe rozumiem rozumím понял поняла"
)
_NO_CONFLICT = _BUT | _DONT_KNOW | _word_set("yes oui ja sí sim tak да так ano igen evet")


_NUMBER_WORDS = {
    word: number
    for number, words in enumerate(
        (
            # en fr de es pt it nl pl sv nb/da fi ru uk cs hu tr el he ar ro id vi ko ja/zh
            "one un une eins ein uno um uma een jeden jedna en ett én yksi один одна jedna "
            "egy bir ένα אחת واحد unu satu một 하나 一",
            "two deux zwei dos dois due twee dwa två to kaksi два дві dva kettő két iki δύο "
            "שתיים اثنان doi dua hai 둘 二 两",
            "three trois drei tres três tre drie trzy tre tre kolme три три tři három üç τρία "
            "שלוש ثلاثة trei tiga ba 셋 三",
            "four quatre vier cuatro quatro quattro vier cztery fyra fire neljä четыре чотири "
            "čtyři négy dört τέσσερα ארבע أربعة patru empat bốn 넷 四",
            "five cinq fünf cinco cinco cinque vijf pięć fem fem viisi пять п'ять pět öt beş "
            "πέντε חמש خمسة cinci lima năm 다섯 五",
        ),
        start=1,
    )
    for word in words.split()
}
_OUT_OF = frozenset({str(SCALE_MAX), "five", "cinq", "fünf", "cinco", "cinque", "５"})
_STARS = re.compile(r"^\s*([★⭐🌟]{1,5})\s*([☆✩]*)\s*$")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# "4", "4/5", "4 / 5", "4 out of 5", "4 of 5", "4 von 5", "4 sur 5", "4 de 5", "4 su 5",
# "4 van 5", "4 z 5", "4 av 5", "4 af 5", "4 из 5"; a decimal is captured so that "4.5" is
# refused rather than read as 4.
_SCALE = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?|[^\W\d_]+(?:'[^\W\d_]+)?)\s*(?:(?:/|out\s+of|of|von|sur|de|su|"
    r"van|z|av|af|из|з|ze|από|на)\s*(?P<d>\d+|five|cinq|fünf|cinco|cinque))?",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


@lru_cache(maxsize=8)
def _by_first_word(phrases: tuple[str, ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    found: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        parts = tuple(phrase.split())
        found.setdefault(parts[0], []).append(parts)
    return {first: tuple(parts) for first, parts in found.items()}


def _lead(words: list[str], phrases: tuple[str, ...]) -> int:
    """How many leading words form one of ``phrases`` (0 when none does)."""
    best = 0
    for parts in _by_first_word(phrases).get(words[0], ()):
        if tuple(words[: len(parts)]) == parts and len(parts) > best:
            best = len(parts)
    return best


def _cjk(text: str) -> tuple[str, str] | None:
    """("yes"/"no", what follows) when ``text`` opens with a yes or no of Chinese or Japanese."""
    for value, phrases in (("no", _CJK_NO), ("yes", _CJK_YES)):
        for phrase in phrases:
            if text.startswith(phrase):
                rest = text[len(phrase) :]
                if not rest or rest[0] in _CJK_END:
                    return value, rest
    return None


def read_yes_no(text: str) -> tuple[str, bool] | None:
    stripped = unicodedata.normalize("NFC", text).strip().strip("*_").strip()
    cjk = _cjk(stripped)
    if cjk is not None:
        value, rest = cjk
        words = _words(rest)
        conflict = _NO_CONFLICT if value == "no" else _YES_CONFLICT
        if any(word in conflict or word[:1] in "但可不是" for word in words):
            return None
        return value, bool(words)
    words = _words(stripped)
    if not words:
        return None
    yes, no = _lead(words, _YES_PHRASES), _lead(words, _NO_PHRASES)
    if yes == no:  # neither, or both ("jo" is yes in Swedish, no in Estonian: not read)
        return None
    value, used, conflict = ("yes", yes, _YES_CONFLICT) if yes > no else ("no", no, _NO_CONFLICT)
    rest = words[used:]
    # A lone "y" or "n" is an answer; "n/a" or "y'all" is not; "Si on peut" is no "yes".
    alone = words[0] in _ALONE_STRICT or not _SET_OFF.match(stripped)
    if rest and used == 1 and words[0] in _ALONE and alone:
        return None
    if rest and used == 1 and len(words[0]) == 1 and words[0].isascii():
        return None
    if any(word in conflict for word in rest):
        return None
    return value, any(word not in _FILLER for word in rest)


def _stars(text: str) -> int | None:
    found = _STARS.match(text)
    if found is None:
        return None
    filled, empty = len(found.group(1)), len(found.group(2))
    return filled if not empty or filled + empty == SCALE_MAX else None


def read_scale(text: str) -> tuple[int, bool] | None:
    stripped = text.strip().strip("*_").lstrip("(").strip()
    stars = _stars(text.strip())
    if stars is not None:
        return stars, False
    match = _SCALE.match(stripped)
    if match is None:
        return None
    token = match.group("n").casefold()
    rest = stripped[match.end() :]
    if token.isdecimal():
        # int() reads any script's decimal digits; a superscript or other digit sign is no
        # number, and a huge one is no answer.
        number = int(token) if len(token) <= 3 else 0
    elif token in _NUMBER_WORDS:
        # A number word is an answer alone: "un peu" is no 1, "tre volte" no 3.
        if _words(rest):
            return None
        number = _NUMBER_WORDS[token]
    else:
        return None
    out_of = (match.group("d") or str(SCALE_MAX)).casefold()
    if out_of not in _OUT_OF or not SCALE_MIN <= number <= SCALE_MAX:
        return None
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
