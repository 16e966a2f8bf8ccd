"""Addresses: characters that show as nothing are refused by Unicode category, and the xn--
and Unicode spellings of one domain are one person (at import, in the store, when forgotten)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import PROGRAM, people, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.signups import people as parse
from mentorctl.signups.people import Rejection, normalise_email
from mentorctl.store import addresses
from mentorctl.store.db import Store
from mentorctl.store.suppression import SuppressionList

HEADER = "Name,Email,Role,Age\n"
INVISIBLE = [
    "\u180e",  # Mongolian vowel separator (Cf)
    "\U000e0041",  # tag latin capital letter A (Cf)
    "\U000e0020",  # tag space (Cf)
    "\u034f",  # combining grapheme joiner (Mn)
    "\u3164",  # Hangul filler (Lo)
    "\u2800",  # braille pattern blank (So)
    "\ufe0f",  # variation selector 16 (Mn)
    "\U000e0100",  # variation selector 17 (Mn)
    "\ue000",  # private use (Co)
    "\u0378",  # unassigned (Cn)
]


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("where", ["local", "domain"])
def test_an_address_holding_an_invisible_character_is_rejected(
    workspace: Path, cli, char: str, where: str
) -> None:
    bad = f"ana{char}@example.org" if where == "local" else f"ana@exa{char}mple.org"
    export = write_csv(
        workspace / "s.csv", f"{HEADER}Ana,ana@example.org,mentee,30\nEve,{bad},mentee,30\n"
    )
    result = cli("import-signups", export, "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["imported"] == 1 and data["rejected"] == 1, data
    assert data["rejects"][0]["field"] == "email"
    assert "character" in data["rejects"][0]["reason"]
    assert [p["email"] for p in people(workspace / PROGRAM / "data" / "store.json")] == [
        "ana@example.org"
    ]


@settings(max_examples=200, deadline=None)
@given(
    char=st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Co", "Cn"]),
    at=st.sampled_from(["local", "domain"]),
)
def test_every_character_of_the_refused_categories_is_refused(char: str, at: str) -> None:
    address = f"a{char}b@example.org" if at == "local" else f"ab@exa{char}mple.org"
    with pytest.raises(Rejection):
        normalise_email(address)


@settings(max_examples=100, deadline=None)
@given(
    label=st.text(
        st.characters(categories=["Ll", "Lo"], exclude_characters=["\u3164", "\uffa0"]),
        min_size=1,
        max_size=10,
    ).filter(lambda s: not s.isascii())
)
def test_the_xn_spelling_of_a_domain_is_its_unicode_spelling(label: str) -> None:
    try:
        unicode_form = normalise_email(f"ana@{label}.example")
    except Rejection:
        return  # not a label an address may hold, in either spelling
    domain = unicode_form.rpartition("@")[2]
    ascii_form = f"ana@{addresses.ascii_domain(domain)}"
    assert ascii_form.isascii() and "xn--" in ascii_form
    assert normalise_email(ascii_form) == unicode_form
    assert normalise_email(ascii_form.upper()) == unicode_form


@pytest.mark.parametrize(
    "address",
    [
        "ana@xn--zzzz-.example",  # does not decode
        "ana@xn--abc-.example",  # decodes to plain ASCII
        "ana@xn--BCHER-KVA.example.xn--",  # an empty label after the prefix
        "ana@xn--ls8h.example",  # decodes to a symbol no domain holds
    ],
)
def test_an_xn_label_that_is_not_a_unicode_label_is_rejected(address: str) -> None:
    with pytest.raises(Rejection) as caught:
        normalise_email(address)
    assert caught.value.reason == "not a valid email address"


def test_the_two_spellings_of_one_domain_are_one_person(workspace: Path, cli) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    first = write_csv(workspace / "a.csv", f"{HEADER}Ana,ana@bücher.example,mentee,30\n")
    assert cli("import-signups", first, "-w", workspace).exit_code == 0
    again = write_csv(
        workspace / "b.csv", f"{HEADER}Ana Lima,ana@XN--BCHER-KVA.example,mentee,30\n"
    )
    result = cli("import-signups", again, "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == 0
    assert [(p["email"], p["name"]) for p in people(store)] == [("ana@bücher.example", "Ana Lima")]


def test_a_stored_xn_spelling_becomes_the_unicode_one(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    person = {"id": "P1", "email": "ana@xn--bcher-kva.example", "history": []}
    odd = {"id": "P2", "email": "bo@xn--zzzz-.example", "history": []}
    meta = {"schema_version": 3, "counters": {"person": 2}}
    path.write_text(json.dumps({"_meta": {"1": meta}, "people": {"1": person, "2": odd}}))
    with Store.writing(path) as store:
        assert store.migrated == ["unicode_domains", "forgotten_traces"]
    emails = [p["email"] for p in json.loads(path.read_text())["people"].values()]
    assert emails == ["ana@bücher.example", "bo@xn--zzzz-.example"]


@pytest.mark.parametrize("listed", ["ana@xn--bcher-kva.example", "ana@bücher.example"])
@pytest.mark.parametrize("imported", ["ana@xn--bcher-kva.example", "Ana@Bücher.example"])
def test_a_forgotten_address_is_recognised_in_either_spelling(
    tmp_path: Path, listed: str, imported: str
) -> None:
    """Earlier versions hashed the address as typed: a list made then still holds."""
    ws = tmp_path / "ws"
    (ws / ".mentorctl").mkdir(parents=True)
    suppression = SuppressionList.for_store(ws / "p" / "data" / "store.json")
    suppression.add("someone@example.org")
    key = suppression.key_path.read_bytes()
    import hmac

    legacy = hmac.digest(key, unicodedata.normalize("NFC", listed).encode(), "sha256").hex()
    suppression._save({legacy}, key)
    assert suppression.contains(imported)
    assert suppression.lift(imported)
    assert not suppression.contains(listed)


def test_a_person_is_found_by_either_spelling(workspace: Path, cli) -> None:
    first = write_csv(workspace / "a.csv", f"{HEADER}Ana,ana@xn--bcher-kva.example,mentee,30\n")
    assert cli("import-signups", first, "-w", workspace).exit_code == 0
    for spelling in ("ana@bücher.example", "Ana@XN--BCHER-KVA.example"):
        result = cli("pause", spelling, "--until", "2026-04-01", "-w", workspace)
        assert result.exit_code == 0, result.output
        assert "P1" in result.output


def _outcome(read: Callable[[str], str], text: str) -> tuple[str, str]:
    try:
        return ("address", read(text))
    except Rejection as exc:
        return (exc.field, exc.reason)


# Mostly addresses that are nearly right, where a wrong shortcut would show.
LOCAL = st.lists(st.sampled_from([*"aZ09._-+", "..", "xn--"]), min_size=1, max_size=6)
LOCAL |= st.lists(st.sampled_from([*'a@ <>:"\\,;()\x01\x7f\t', "é"]), max_size=4)
LABEL = st.sampled_from(["gmail", "COM", "org", "xn--bcher-kva", "XN--", "-x", "x-", "c0m", "Ab"])
LABEL |= st.lists(st.sampled_from([*"aZ09-_.", "ü", "\u200b", " ", "\x01"]), max_size=4).map(
    "".join
)
ADDRESS = st.builds(
    lambda wrap, local, labels: wrap.format("".join(local) + "@" + ".".join(labels)),
    st.sampled_from(["{}", " {} ", "mailto:{}", "MAILTO: {}", "Ana <{}>", "{}\x0b", "@{}"]),
    LOCAL,
    st.lists(LABEL, min_size=1, max_size=4),
)


@settings(max_examples=500, deadline=None)
@given(ADDRESS)
def test_the_fast_reading_of_an_address_agrees_with_the_full_checks(text: str) -> None:
    """Plain ASCII addresses take a shorter path; it decides exactly as the full checks do."""

    def full(text: str) -> str:
        return parse._checked(parse._unwrapped(text))

    assert _outcome(normalise_email, text) == _outcome(full, text)
    # Twice: the second time the domain's answer is remembered.
    assert _outcome(normalise_email, text) == _outcome(full, text)
