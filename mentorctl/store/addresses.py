"""One spelling per email address: the key a person is known by and the suppression list hashes.

An address is kept in Unicode's composed form (NFC), lower-cased, with an internationalised
domain in its Unicode spelling: ``ana@xn--bcher-kva.example`` and ``ana@bücher.example`` are
one person. (Mail goes out with the ASCII spelling; see :mod:`mentorctl.mail.headers`.)

It also says which characters no address may hold: those Unicode classes as control,
format, separator, private-use or unassigned (Cc, Cf, Zl, Zp, Co, Cn), and the few letters and
marks that show as nothing (a Hangul filler, the blank braille pattern, the combining
grapheme joiner, variation selectors). An address holding one could look like another
person's, or would reach nobody.
"""

from __future__ import annotations

import unicodedata

CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
INVISIBLE_CATEGORIES = frozenset({"Co", "Cn"})
# Letters, marks and symbols that Unicode classes as visible but that draw nothing.
INVISIBLE = frozenset(
    {
        0x034F,  # combining grapheme joiner
        0x115F,  # Hangul choseong filler
        0x1160,  # Hangul jungseong filler
        0x17B4,  # Khmer vowel inherent aq
        0x17B5,  # Khmer vowel inherent aa
        0x180B,  # Mongolian free variation selectors one to three
        0x180C,
        0x180D,
        0x180F,  # Mongolian free variation selector four
        0x2800,  # braille pattern blank
        0x3164,  # Hangul filler
        0xFFA0,  # halfwidth Hangul filler
        *range(0xFE00, 0xFE10),  # variation selectors 1-16
        *range(0xE0100, 0xE01F0),  # variation selectors 17-256
    }
)
ACE_PREFIX = "xn--"


class AddressError(ValueError):
    """An address that cannot be used; ``reason`` names no part of it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def unusable(text: str) -> str | None:
    """Why ``text`` cannot be part of an address (a reason naming no part of it), or None."""
    if text.isascii():
        if text.isprintable():
            return None
        return "holds a control character"
    invisible = False
    for ch in text:
        category = unicodedata.category(ch)
        if category in CONTROL_CATEGORIES:
            return "holds a control character"
        if category in INVISIBLE_CATEGORIES or ord(ch) in INVISIBLE:
            invisible = True
    return "holds an invisible character" if invisible else None


def unicode_domain(domain: str) -> str:
    """``domain`` with each ``xn--`` label in its Unicode spelling (lower-cased, NFC).

    Raises AddressError for a label that is not the ASCII spelling of any Unicode label: one
    that does not decode, decodes to plain ASCII, or is not how its decoding is spelt.
    """
    if ACE_PREFIX not in domain:
        return domain
    labels = []
    for label in domain.split("."):
        if label.startswith(ACE_PREFIX):
            try:
                decoded = label[len(ACE_PREFIX) :].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                raise AddressError("not a valid email address") from None
            if (
                decoded.isascii()
                or ACE_PREFIX + decoded.encode("punycode").decode("ascii") != label
            ):
                raise AddressError("not a valid email address")
            label = unicodedata.normalize("NFC", decoded).lower()
        labels.append(label)
    return ".".join(labels)


def ascii_domain(domain: str) -> str:
    """``domain`` with each label that is not ASCII in its ``xn--`` spelling."""
    if domain.isascii():
        return domain
    return ".".join(
        label if label.isascii() else ACE_PREFIX + label.encode("punycode").decode("ascii")
        for label in domain.split(".")
    )


def canonical(address: str) -> str:
    """The one spelling of ``address`` (trimmed, NFC, lower-cased, Unicode domain).

    Raises AddressError when its domain holds an ``xn--`` label that is not valid.
    """
    value = unicodedata.normalize("NFC", address.strip()).lower()
    local, at, domain = value.rpartition("@")
    if not at or ACE_PREFIX not in domain:
        return value
    return f"{local}@{unicode_domain(domain)}"


def spellings(address: str) -> list[str]:
    """Every spelling an address may have been kept in: its canonical one and, for an
    internationalised domain, the ``xn--`` one (which earlier versions kept as typed)."""
    try:
        first = canonical(address)
    except AddressError:
        return [unicodedata.normalize("NFC", address.strip()).lower()]
    local, at, domain = first.rpartition("@")
    if not at or domain.isascii():
        return [first]
    return [first, f"{local}@{ascii_domain(domain)}"]
