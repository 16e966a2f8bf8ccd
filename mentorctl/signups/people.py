"""Reading one person's answers: emails, roles, ages, topic lists and capacities.

Each parser takes the text of one cell and returns a clean value, or raises
:class:`Rejection` with a reason that names no personal data. Form answers repeat a lot
(roles, languages, topic combinations), so the parsers for those are cached per text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from mentorctl.store import addresses

ROLES = ("mentor", "mentee", "both")


class Rejection(Exception):
    """One field of one row cannot be used; the row is rejected with this reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


# -- email --------------------------------------------------------------------------------

# No dot at either end of the local part and no two in a row; a dotted domain with a TLD.
# Neither part can hold an "@", so an address matches exactly when it has one "@" and each
# part matches its own pattern: the domain's answer can then be remembered, as most
# addresses of an export share a few domains.
_LOCAL = r"(?!\.)(?![^@]*\.\.)[^\s@<>()\[\],;:\"\\]{1,64}(?<!\.)"
_DOMAIN = r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}"
_EMAIL = re.compile(f"{_LOCAL}@{_DOMAIN}")
_LOCAL_PART = re.compile(_LOCAL)
_DOMAIN_PART = re.compile(_DOMAIN)
_ANGLE = re.compile(r"<([^<>]+)>")
# ASCII domains already checked (domain -> valid), up to this many.
DOMAIN_CACHE_LIMIT = 4096
_ascii_domains: dict[str, bool] = {}


def normalise_email(text: str) -> str:
    """The key a person is known by: their address, trimmed, in Unicode's composed form (NFC,
    so ``josé@`` typed composed or decomposed is one person), lower-cased, with its domain
    in its Unicode spelling (``xn--`` labels decoded: see :mod:`mentorctl.store.addresses`).

    Accepts the "Name <address>" and "mailto:" forms that copy-pasting produces. Refuses an
    address holding a control, format or invisible character, by Unicode category.
    """
    value = _unwrapped(text)
    if value.isascii():
        # Most addresses: ASCII with no xn-- label. For them the checks of
        # :func:`_checked` come down to these (NFC leaves ASCII as it is, its only control
        # characters are the unprintable ones, and an ASCII domain is sendable as it is).
        if not value.isprintable():
            raise Rejection("email", "holds a control character")
        value = value.strip().lower()
        if addresses.ACE_PREFIX not in value:
            local, at, domain = value.rpartition("@")
            valid = _ascii_domains.get(domain)
            if valid is None:
                valid = _DOMAIN_PART.fullmatch(domain) is not None
                if len(_ascii_domains) < DOMAIN_CACHE_LIMIT:
                    _ascii_domains[domain] = valid
            if not valid or not at or len(value) > 254 or _LOCAL_PART.fullmatch(local) is None:
                raise Rejection("email", "not a valid email address")
            return value
    return _checked(value)


def _unwrapped(text: str) -> str:
    """The address in a cell: trimmed, NFC, out of its "Name <...>" or "mailto:" wrapping."""
    value = unicodedata.normalize("NFC", text.strip())
    if "<" in value or ":" in value:
        match = _ANGLE.search(value)
        if match:
            value = match.group(1).strip()
        if value[:7].lower() == "mailto:":
            value = value[7:]
    if not value:
        raise Rejection("email", "missing")
    return value


def _checked(value: str) -> str:
    """The canonical spelling of an unwrapped address, or the :class:`Rejection` of it."""
    try:
        reason = addresses.unusable(value)
        if reason is None:
            value = addresses.canonical(value)
            reason = addresses.unusable(value)  # what an xn-- label decoded to
    except addresses.AddressError as exc:
        reason = exc.reason
    if reason is not None:
        raise Rejection("email", reason)
    if len(value) > 254 or _EMAIL.fullmatch(value) is None or not _sendable(value):
        raise Rejection("email", "not a valid email address")
    return value


def _sendable(address: str) -> bool:
    """Whether the domain has an ASCII spelling mail can go to (IDNA)."""
    domain = address.rpartition("@")[2]
    if domain.isascii():
        return True
    try:
        domain.encode("idna")
    except UnicodeError:
        return False
    return True


# -- role ---------------------------------------------------------------------------------

_MENTEE_PHRASES = re.compile(
    r"\bmentees?\b|\bbe(?:ing)? mentored\b|\b(?:find|get|have|need|want|looking for|"
    r"match me with|receive|get some)\s+(?:a\s+|some\s+)?mentor(?:ing|ship)?\b|\blearn\b"
)
_MENTOR_WORDS = re.compile(r"\bmentor(?:ing|s)?\b|\bgive back\b|\bshare my\b|\bcoach\b")
_BOTH_WORDS = re.compile(r"\bboth\b|\beither\b|\bmentor\s*(?:and|&|/|\+)\s*mentee\b")


class RoleReader:
    """Recognises roles in free text such as "I'd like to be a mentor" or "Mentee - find a mentor"."""

    def __init__(self, answers: dict[str, list[str]] | None = None) -> None:
        self._exact: dict[str, str] = {}
        for role, phrases in (answers or {}).items():
            for phrase in phrases:
                self._exact[_fold(phrase)] = role
        self._cache: dict[str, str | None] = {}

    def read(self, text: str) -> str:
        try:
            role = self._cache[text]
        except KeyError:
            role = self._cache[text] = self._recognise(text)
        if role is None:
            if not text.strip():
                raise Rejection("role", "missing (expected mentor, mentee or both)")
            raise Rejection("role", "not recognised (expected mentor, mentee or both)")
        return role

    def _recognise(self, text: str) -> str | None:
        folded = _fold(text)
        if folded in self._exact:
            return self._exact[folded]
        if folded in ROLES:
            return folded
        if _BOTH_WORDS.search(folded):
            return "both"
        mentee = bool(_MENTEE_PHRASES.search(folded))
        rest = _MENTEE_PHRASES.sub(" ", folded)
        mentor = bool(_MENTOR_WORDS.search(rest))
        if mentee and mentor:
            return "both"
        if mentee:
            return "mentee"
        if mentor:
            return "mentor"
        return None


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


# -- age ----------------------------------------------------------------------------------

_NUMBER = re.compile(r"^(\d{1,3})(?:[.,]0+)?(?:\s*(?:years?(?: old)?|yrs?|y))?$")
_RANGE = re.compile(r"^(\d{1,3})\s*(?:-|–|—|to)\s*(\d{1,3})(?:\s*years?)?$")
_AT_LEAST = re.compile(
    r"^(?:(\d{1,3})\s*\+|(?:over|above|at least)\s+(\d{1,3})|(\d{1,3})\s+or\s+(?:older|over|above))"
)
_UNDER = re.compile(
    r"^(?:under|below|younger than|less than|<)\s*(\d{1,3})|^(\d{1,3})\s+or\s+(?:younger|under)"
)
_YES = {
    "yes",
    "y",
    "true",
    "i confirm",
    "confirmed",
    "i am",
    "i am 18 or older",
    "yes, i am 18 or older",
}
_NO = {"no", "n", "false", "i am not"}


def read_age(text: str, minimum: int) -> tuple[int | None, bool]:
    """(age, confirmed adult) from an age answer: "34", "25-34", "65+", "under 18" or "Yes".

    For a range the lower bound counts, so "18-24" passes an 18+ rule and "16-24" does not.
    """
    folded = _fold(text)
    if not folded:
        return None, False
    match = _NUMBER.match(folded)
    if match:
        return _plausible(int(match.group(1)), minimum), False
    match = _RANGE.match(folded)
    if match:
        low, high = int(match.group(1)), int(match.group(2))
        if low > high:
            raise Rejection("age", "not understood (a range must go from low to high)")
        return _plausible(low, minimum), False
    match = _AT_LEAST.match(folded)
    if match:
        return _plausible(int(next(g for g in match.groups() if g)), minimum), False
    if _UNDER.match(folded):
        raise Rejection("age", f"under {minimum}: only adults can take part")
    if folded.rstrip(".!") in _YES or folded.startswith("yes"):
        return None, True
    if folded in _NO or folded.startswith("no"):
        raise Rejection("age", f"did not confirm being {minimum} or older")
    raise Rejection("age", "not understood (expected a number such as 34 or a range such as 25-34)")


def _plausible(age: int, minimum: int) -> int:
    if age > 120:
        raise Rejection("age", "not a plausible age")
    if age < minimum:
        raise Rejection("age", f"under {minimum}: only adults can take part")
    return age


_DATE_FORMATS = {
    "DMY": ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y"),
    "MDY": ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y"),
}
_UNAMBIGUOUS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
)


def read_birth_date(text: str, order: str) -> dt.date | None:
    value = text.strip()
    if not value:
        return None
    value = value.split("T")[0].split(" 00:00")[0]
    for fmt in (*_UNAMBIGUOUS, *_DATE_FORMATS[order]):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise Rejection("birth_date", "not a date (expected e.g. 1990-04-23)")


DATE_ORDERS = ("DMY", "MDY")
ORDER_TEXT = {"DMY": "day/month/year", "MDY": "month/day/year"}


def date_order_option(value: str | None) -> str | None:
    """The order --date-order names (DMY or MDY, any case); None when it is not given."""
    if value is None:
        return None
    order = value.strip().upper()
    if order not in DATE_ORDERS:
        from mentorctl.errors import UsageError

        raise UsageError(
            f"--date-order takes DMY or MDY, not '{value[:10]}'",
            hint="DMY reads 03/04/2026 as 3 April, MDY as March 4",
        )
    return order


def other_order(order: str) -> str:
    return "MDY" if order == "DMY" else "DMY"


def say_order(order: str) -> str:
    """How the admin says that dates are in ``order``: for one run, or for every run."""
    return f"--date-order {order} (this run) or signup.date_order: {order} (program.yaml)"


def reads_as(text: str, order: str) -> bool:
    """Whether ``text`` (a date, perhaps with a time after it) is a date in ``order``."""
    try:
        read_birth_date(text.split()[0] if text.strip() else text, order)
    except Rejection:
        return False
    return True


def wrong_order(text: str, order: str, given: bool) -> str | None:
    """The reason a date that is not one in ``order`` but is one in the other order is
    refused, naming both the option and the setting; None when neither order reads it.
    ``given``: the order came from --date-order rather than program.yaml."""
    other = other_order(order)
    if not reads_as(text, other):
        return None
    source = f"--date-order {order}" if given else f"signup.date_order: {order}"
    return (
        f"not a date as {ORDER_TEXT[order]} ({source}), but one as {ORDER_TEXT[other]}: "
        f"say which with {say_order(other)}"
    )


def age_on(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# -- lists, capacity, text ----------------------------------------------------------------

_LIST_SPLIT = re.compile(r"\s*(?:[,;\n\r|]|\s/\s)\s*")
_LANGUAGE_SPLIT = re.compile(r"\s*(?:[,;\n\r|/&+]|\band\b)\s*", re.IGNORECASE)


class ListReader:
    """Splits multi-valued answers, such as Google Forms checkboxes joined with ", ".

    Known choices are recognised even when they hold a separator themselves ("Leadership,
    management and strategy"), case-insensitively, and come back as the program spells them.
    The order of the answer is kept.
    """

    def __init__(self, choices: Iterable[str] = (), *, languages: bool = False) -> None:
        self._splitter = _LANGUAGE_SPLIT if languages else _LIST_SPLIT
        self._languages = languages
        # A choice is known by its pieces as the splitter cuts them, so it matches however
        # the form joined them.
        self._choices: dict[tuple[str, ...], str] = {}
        for choice in choices:
            pieces = self._pieces(choice)
            if pieces:
                self._choices[tuple(_fold(p) for p in pieces)] = choice.strip()
        self._longest = max((len(k) for k in self._choices), default=1)
        self._known = frozenset(self._choices.values())
        self._cache: dict[str, list[str]] = {}
        # Values that are none of the choices, per answer that holds some; collected into
        # ``unknown`` (set it to the collection of the part of the file being read).
        self._unknown_of: dict[str, tuple[str, ...]] = {}
        self.unknown: set[str] = set()
        # The answers remembered that hold no unknown value: ``plain.get(text)`` may stand
        # for ``read(text)`` (None when it cannot).
        self.plain: dict[str, list[str]] = {}

    def read(self, text: str) -> list[str]:
        """The values in ``text``. Equal answers share one list: never change it in place."""
        try:
            values = self._cache[text]
        except KeyError:
            values = self._split(text)
            odd: tuple[str, ...] = ()
            if self._choices and not self._languages:
                odd = tuple(v for v in values if v not in self._known)
                if odd:
                    self._unknown_of[text] = odd
            if len(self._cache) < 200_000:
                self._cache[text] = values
                if not odd:
                    self.plain[text] = values
        if self._unknown_of:
            odd = self._unknown_of.get(text)
            if odd:
                self.unknown.update(odd)
        return values

    def _pieces(self, text: str) -> list[str]:
        return [
            p for p in (" ".join(p.split()).strip(" .") for p in self._splitter.split(text)) if p
        ]

    def _split(self, text: str) -> list[str]:
        pieces = self._pieces(text)
        folded = [_fold(p) for p in pieces]
        found: list[str] = []
        i = 0
        while i < len(pieces):
            for j in range(min(len(pieces), i + self._longest), i, -1):
                choice = self._choices.get(tuple(folded[i:j]))
                if choice is not None:
                    found.append(choice)
                    i = j
                    break
            else:
                piece = pieces[i]
                found.append(_capitalise(piece) if self._languages else piece)
                i += 1
        unique: dict[str, str] = {}
        for value in found:
            unique.setdefault(value.casefold(), value)
        return list(unique.values())


def _capitalise(word: str) -> str:
    return word[:1].upper() + word[1:] if word.islower() else word


_CAPACITY = re.compile(r"^(?:up to\s+|max(?:imum)?\s+)?(\d{1,3})(?:\s+[a-z]+)?$")


def read_capacity(text: str, default: int) -> int:
    folded = _fold(text)
    if not folded:
        return default
    match = _CAPACITY.match(folded)
    if not match:
        raise Rejection("capacity", "not a whole number of mentees")
    value = int(match.group(1))
    if value < 1:
        raise Rejection("capacity", "must be a positive whole number")
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Line breaks other than \n that spreadsheets and word processors put in cells.
_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\u2028\u2029\x85]")


def clean_text(text: str, limit: int) -> str:
    """Strip control characters and surrounding space; line breaks become \\n; the rest stays as written."""
    if text.isprintable():  # the common case, checked in C
        return text.strip()[:limit]
    return _CONTROL.sub("", _BREAKS.sub("\n", text)).strip()[:limit]


def clean_line(text: str, limit: int) -> str:
    """Like :func:`clean_text`, on one line: any run of white space, line breaks included, is one space."""
    if text.isprintable() and "  " not in text:
        return text.strip()[:limit]
    return _CONTROL.sub("", " ".join(text.split())).strip()[:limit]
