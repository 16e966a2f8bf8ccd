"""How an admin's search compares text: case and accents aside, so that "muller" finds Müller
and "strasse" Straße (pure)."""

from __future__ import annotations

import unicodedata
from typing import Any

# Latin letters that carry their mark in the letter itself, so NFKD leaves them whole.
_UNMARKED = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ı": "i"})


def fold(text: Any) -> str:
    """``text`` as searched and looked up: casefolded, accents dropped (NFKD without its
    combining marks, so Müller is muller and Straße strasse), white space runs as one space."""
    value = " ".join(str(text or "").split())
    if value.isascii():
        return value.lower()
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold().translate(_UNMARKED)


def matches(text: str | None, *values: Any) -> bool:
    if not text:
        return True
    needle = fold(text)
    return any(needle in fold(v) for v in values)


def has_topic(topic: str | None, *lists: Any) -> bool:
    if not topic:
        return True
    needle = topic.casefold()
    return any(needle in str(t).casefold() for items in lists for t in (items or []))
