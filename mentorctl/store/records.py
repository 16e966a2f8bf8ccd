"""The store's records, checked: each table's fields and the types mentorctl writes in them.

A store is a JSON file that an admin can open in an editor. A field edited into a type
mentorctl never writes (``"capacity": "two"``, ``"history": null``, a block without its
``person``) would otherwise fail far from the store, in a report or a check-in run, as a
traceback naming nothing. So a loaded store is checked here, and the first wrong field is
one :class:`Problem` naming the table, the record and the field.

The schema is light: the type of each known field (and of the items of its lists, or the
values of its objects), the fields a record cannot do without, and the days that are
parsed as dates. Fields not named here are not checked, so a newer field added by a
migration never makes an older check fail. The ``_meta`` table is checked here too: its
schema version and id counters, which must never be behind the ids in use (a counter
behind would hand out an id again: a second M1).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from mentorctl.store.migrations import META_ID, META_TABLE, Tables

_NONE = type(None)
TEXT = frozenset({str})
MAYBE_TEXT = frozenset({str, _NONE})
WHOLE = frozenset({int})  # type() is checked, not isinstance: True is not a number here
MAYBE_WHOLE = frozenset({int, _NONE})
NUMBER = frozenset({int, float})
MAYBE_NUMBER = frozenset({int, float, _NONE})
FLAG = frozenset({bool})
LIST = frozenset({list})
OBJECT = frozenset({dict})
SCALAR = frozenset({str, int, float, bool, _NONE})

_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    _NONE: "null",
    list: "a list",
    dict: "an object",
}
_PLURALS = {
    str: "text",
    int: "whole numbers",
    float: "numbers",
    bool: "true or false",
    _NONE: "null",
    list: "lists",
    dict: "objects",
}


@dataclass(frozen=True)
class Field:
    types: frozenset[type]
    items: frozenset[type] | None = None  # of a list's items, or of an object's values
    day: bool = False  # text holding a date (YYYY-MM-DD...), read as one elsewhere

    def expected(self) -> str:
        if self.day:
            return "a date such as 2026-03-02" + (" or null" if _NONE in self.types else "")
        words = " or ".join(_NAMES[t] for t in _ordered(self.types))
        if self.items is not None:
            inner = " or ".join(_PLURALS[t] for t in _ordered(self.items))
            words += f" of {inner}" if list in self.types else f" with {inner} as values"
        return words


def _ordered(types: frozenset[type]) -> list[type]:
    return [t for t in _NAMES if t in types]


DAY = Field(TEXT, day=True)
MAYBE_DAY = Field(MAYBE_TEXT, day=True)
STAMP = Field(MAYBE_TEXT)
TEXTS = Field(LIST, TEXT)
ENTRIES = Field(LIST, OBJECT)


@dataclass(frozen=True)
class Table:
    fields: dict[str, Field]
    required: tuple[str, ...] = ()
    prefix: str | None = None  # of the ids of its records (P17), counted by ``counter``
    counter: str | None = None
    people: tuple[str, ...] = ()  # fields naming a person, who must be in the people table


_PERSON: dict[str, Field] = {
    "id": Field(TEXT),
    "email": Field(TEXT),
    "name": Field(TEXT),
    "role": Field(TEXT),
    "status": Field(TEXT),
    "age": Field(MAYBE_WHOLE),
    "age_confirmed": Field(FLAG),
    "birth_date": MAYBE_DAY,
    "goals": TEXTS,
    "expertise": TEXTS,
    "languages": TEXTS,
    "timezone": Field(MAYBE_TEXT),
    "capacity": Field(MAYBE_WHOLE),
    "organisation": Field(MAYBE_TEXT),
    "bio": Field(MAYBE_TEXT),
    "extra": Field(OBJECT, SCALAR),
    "history": ENTRIES,
    "paused_until": MAYBE_DAY,
    "paused_on": MAYBE_DAY,
    "withdrawn": STAMP,
    "withdraw_reason": Field(MAYBE_TEXT),
    "returned": STAMP,
    "signed_up": STAMP,
    "created": STAMP,
    "updated": STAMP,
}


# What a forgotten person's trace keeps of their record (mentorctl.safety.privacy).
_TRACE_KEPT = (
    "id",
    "role",
    "status",
    "capacity",
    "history",
    "signed_up",
    "returned",
    "created",
    "goals",
    "expertise",
)

TABLES: dict[str, Table] = {
    "people": Table(
        _PERSON,
        required=("id", "email"),
        prefix="P",
        counter="person",
    ),
    # A forgotten person's anonymous trace (mentorctl.safety.privacy): what the figures of
    # past days need, nothing that names them.
    "forgotten_people": Table(
        {
            **{k: _PERSON[k] for k in _TRACE_KEPT},
            "forgotten": STAMP,
        },
        required=("id", "forgotten"),
        prefix="P",
        counter="person",  # their id is never handed out again
    ),
    "pairs": Table(
        {
            "id": Field(TEXT),
            "mentee": Field(TEXT),
            "mentor": Field(TEXT),
            "status": Field(TEXT),
            "score": Field(MAYBE_NUMBER),
            "reasons": TEXTS,
            "against": TEXTS,
            "parts": ENTRIES,
            "method": Field(MAYBE_TEXT),
            "locked": Field(FLAG),
            "start_date": MAYBE_DAY,
            "introduced": MAYBE_DAY,
            "quiet_since": Field(frozenset({int, str, _NONE})),  # a week; a day in older stores
            "end_reason": Field(MAYBE_TEXT),
            "notify_ended": TEXTS,
            "history": ENTRIES,
            "created": STAMP,
            "updated": STAMP,
        },
        required=("id", "mentee", "mentor", "status"),
        prefix="M",
        counter="pair",
        people=("mentee", "mentor"),
    ),
    "messages": Table(
        {
            "id": Field(TEXT),
            "key": Field(TEXT),
            "pair": Field(MAYBE_TEXT),
            "kind": Field(TEXT),
            "week": Field(WHOLE),
            "part": Field(MAYBE_TEXT),
            "to": TEXTS,
            "message_id": Field(MAYBE_TEXT),
            "file": Field(MAYBE_TEXT),
            "nudge": Field(FLAG),
            "delivery": Field(OBJECT, OBJECT),
            "status": Field(TEXT),
            "created": STAMP,
            "updated": STAMP,
            "sent_at": STAMP,
        },
        prefix="E",
        counter="message",
    ),
    "blocks": Table(
        {
            "id": Field(TEXT),
            "person": Field(TEXT),
            "other": Field(TEXT),
            "reason": Field(MAYBE_TEXT),
            "lifted": Field(FLAG),
            "at": STAMP,
        },
        required=("person", "other"),
        prefix="B",
        counter="block",
        people=("person", "other"),
    ),
    "concerns": Table(
        {
            "id": Field(TEXT),
            "pairs": Field(OBJECT, TEXT),
            "person": Field(MAYBE_TEXT),
            "from": Field(MAYBE_TEXT),
            "reason": Field(MAYBE_TEXT),
            "status": Field(TEXT),
            "raised": STAMP,
        },
        required=("id", "status"),
        prefix="C",
        counter="concern",
    ),
    # Proposals put to mentors (pair --ask-mentors; mentorctl.matching.proposals).
    "proposals": Table(
        {
            "id": Field(TEXT),
            "mentee": Field(TEXT),
            "mentor": Field(TEXT),
            "score": Field(MAYBE_NUMBER),
            "reasons": TEXTS,
            "method": Field(MAYBE_TEXT),
            "round": Field(MAYBE_WHOLE),
            "ask": Field(WHOLE),
            "asked_at": STAMP,
            "answer": Field(MAYBE_TEXT),
            "answered_at": STAMP,
            "pair": Field(MAYBE_TEXT),
            "note": Field(MAYBE_TEXT),
        },
        required=("id", "mentee", "mentor", "ask"),
        prefix="Q",
        counter="proposal",
        people=("mentee", "mentor"),
    ),
    "answers": Table(
        {
            "pair": Field(TEXT),
            "person": Field(TEXT),
            "week": Field(WHOLE),
            "answers": Field(OBJECT, SCALAR),
            "source": Field(MAYBE_TEXT),
            "at": STAMP,
            "updated": STAMP,
        },
        required=("pair", "person", "week", "answers"),
    ),
}


@dataclass(frozen=True)
class Problem:
    """What is wrong with a store, said without any of the data it holds."""

    table: str
    record: str  # the record's id (P12), else its document number (document 12)
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"table '{self.table}', {self.record}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


_ID = re.compile(r"[A-Z][0-9]{1,12}")


def record_name(doc_id: str, doc: dict[str, Any]) -> str:
    key = doc.get("id")
    if isinstance(key, str) and _ID.fullmatch(key):
        return f"record {key}"
    return f"document {doc_id}"


# What a record of somebody else names in place of a person who asked to be forgotten.
FORGOTTEN = "forgotten"


def check_records(tables: Tables) -> Problem | None:
    """The first field of the first record whose type mentorctl does not write, if any; then
    the first id that is not one mentorctl hands out, or a person named who is not there."""
    for name, table in TABLES.items():
        docs = tables.get(name)
        if not docs:
            continue
        problem = _check_table(name, table, docs) or _check_ids(name, table, docs)
        if problem is not None:
            return problem
    people = {doc.get("id") for doc in tables.get("people", {}).values()}
    people.update(doc.get("id") for doc in tables.get("forgotten_people", {}).values())
    people.add(FORGOTTEN)
    for name, table in TABLES.items():
        for doc_id, doc in tables.get(name, {}).items() if table.people else ():
            for key in table.people:
                if key in doc and doc[key] not in people:
                    return Problem(
                        name,
                        record_name(doc_id, doc),
                        key,
                        "names a person who is not in table 'people'",
                    )
    return None


def _check_ids(name: str, table: Table, docs: dict[str, dict[str, Any]]) -> Problem | None:
    prefix = table.prefix
    if prefix is None:
        return None
    for doc_id, doc in docs.items():
        key = doc.get("id")
        if key is None:
            continue
        digits = key[1:]
        if key[:1] != prefix or not (digits.isdigit() and digits.isascii() and len(digits) < 13):
            return Problem(name, f"document {doc_id}", "id", f"is not an id such as {prefix}12")
    return None


def _check_table(name: str, table: Table, docs: dict[str, dict[str, Any]]) -> Problem | None:
    # The hot loop of loading a store someone else wrote: plain tuples, one pass per record.
    fields = {key: (spec.types, spec.items, spec.day) for key, spec in table.fields.items()}
    required = frozenset(table.required)  # never null: their types do not allow it
    for doc_id, doc in docs.items():
        for key, value in doc.items():
            spec = fields.get(key)
            if spec is None:
                continue
            types, items, day = spec
            if type(value) not in types:
                return _wrong(name, doc_id, doc, key, table.fields[key], value)
            if items is not None and value:
                for item in value.values() if type(value) is dict else value:
                    if type(item) not in items:
                        field = table.fields[key]
                        return _wrong(name, doc_id, doc, key, field, item, inside=True)
            elif day and value is not None and not _is_day(value):
                return _wrong(name, doc_id, doc, key, table.fields[key], value)
        if required and not required <= doc.keys():
            missing = min(required - doc.keys())
            return Problem(name, record_name(doc_id, doc), missing, "is missing")
    return None


def _is_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def _wrong(
    table: str,
    doc_id: str,
    doc: dict[str, Any],
    key: str,
    spec: Field,
    value: Any,
    *,
    inside: bool = False,
) -> Problem:
    found = _NAMES.get(type(value), "something else")
    if spec.day and type(value) is str:
        found = "text that is not a date"
    what = "holds an item that is" if inside else "is"
    return Problem(
        table, record_name(doc_id, doc), key, f"{what} {found}, expected {spec.expected()}"
    )


# -- the _meta table ------------------------------------------------------------------------


def check_meta(tables: Tables) -> Problem | None:
    """A problem with ``_meta`` that cannot be repaired with certainty, if any."""
    meta_table = tables.get(META_TABLE)
    if meta_table is None:
        return None  # a store from before _meta existed: the migrations make one
    meta = meta_table.get(META_ID)
    if meta is None:
        return Problem(META_TABLE, f"document {META_ID}", None, "is missing")
    if "schema_version" not in meta:
        return Problem(META_TABLE, f"document {META_ID}", "schema_version", "is missing")
    counters = meta.get("counters", {})
    if type(counters) is not dict:
        return Problem(META_TABLE, f"document {META_ID}", "counters", "is not an object")
    for name, value in counters.items():
        if type(value) is not int or value < 0:
            return Problem(
                META_TABLE, f"document {META_ID}", f"counters.{name}", "is not a whole number"
            )
    return None


def lost_meta(tables: Tables) -> Problem | None:
    """A problem when ``_meta`` is missing from a store made after it existed.

    Before ``_meta`` (schema version 0) a store held people only; a store without ``_meta``
    that holds pairs, messages or any other record lost it, and neither its schema version
    nor its counters can be known for certain from what is left.
    """
    if META_TABLE in tables:
        return None
    later = [name for name, docs in tables.items() if name != "people" and docs]
    if not later:
        return None
    return Problem(
        META_TABLE,
        f"document {META_ID}",
        None,
        f"is missing from a store that holds {later[0]}; its schema version and id counters "
        "cannot be known",
    )


def highest_ids(tables: Tables) -> dict[str, int]:
    """The highest number of each counter's ids in use (P17 -> 17), by counter."""
    highest: dict[str, int] = {}
    for name, table in TABLES.items():
        if table.counter is None or table.prefix is None:
            continue
        prefix = table.prefix
        top = 0
        for doc in tables.get(name, {}).values():
            key = doc.get("id")
            if type(key) is str and key[:1] == prefix:
                digits = key[1:]
                if digits.isdigit() and digits.isascii() and len(digits) < 13:
                    number = int(digits)
                    if number > top:
                        top = number
        if top > highest.get(table.counter, 0):
            highest[table.counter] = top
    return highest


def raise_counters(tables: Tables) -> list[str]:
    """Raise every counter behind the ids in use to the highest of them; the counters raised.

    Certain: an id in use was handed out, so the counter had passed it.
    """
    meta = tables[META_TABLE][META_ID]
    counters = meta.setdefault("counters", {})
    raised = []
    for counter, top in highest_ids(tables).items():
        if counters.get(counter, 0) < top:
            counters[counter] = top
            raised.append(counter)
    return raised
