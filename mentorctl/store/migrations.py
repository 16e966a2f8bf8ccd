"""Ordered, named schema migrations of the store.

Each migration takes the raw tables (``{table: {doc_id: document}}``) at version N-1 and
brings them to version N in place. They run inside a writing command, so a failed
migration leaves the file as it was. Never edit a released migration: add a new one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from mentorctl.store import addresses

Tables = dict[str, dict[str, dict[str, Any]]]

META_TABLE = "_meta"
META_ID = "1"


def _create_meta(tables: Tables) -> None:
    """Version 1: a ``_meta`` table holding the schema version and id counters."""
    people = tables.get("people", {})
    highest = 0
    for doc in people.values():
        pid = str(doc.get("id", ""))
        if pid.startswith("P") and pid[1:].isdigit():
            highest = max(highest, int(pid[1:]))
    tables[META_TABLE] = {META_ID: {"schema_version": 0, "counters": {"person": highest}}}


def _normalise_emails(tables: Tables) -> None:
    """Version 2: a person's email is their key for re-imports, so it is stored trimmed and lower-cased."""
    for doc in tables.get("people", {}).values():
        if isinstance(doc.get("email"), str):
            doc["email"] = doc["email"].strip().lower()


def _person_history(tables: Tables) -> None:
    """Version 3: what happened to a person is a dated history (see mentorctl.history.events),
    made here from the stamps earlier versions kept on the person."""
    for doc in tables.get("people", {}).values():
        if isinstance(doc.get("history"), list):
            continue
        found: list[dict[str, Any]] = []
        if isinstance(doc.get("signed_up"), str) and doc["signed_up"] != doc.get("created"):
            found.append({"at": doc["signed_up"], "event": "signed_up"})
        if isinstance(doc.get("paused_until"), str):
            start = doc.get("paused_on") or doc.get("updated") or doc["paused_until"]
            found.append({"at": str(start), "event": "paused", "until": doc["paused_until"][:10]})
        if isinstance(doc.get("withdrawn"), str):
            entry = {"at": doc["withdrawn"], "event": "withdrawn"}
            if doc.get("withdraw_reason"):
                entry["reason"] = doc["withdraw_reason"]
            found.append(entry)
        if isinstance(doc.get("returned"), str):
            found.append({"at": doc["returned"], "event": "returned"})
        doc["history"] = sorted(found, key=lambda e: str(e["at"])[:10])


def _unicode_domains(tables: Tables) -> None:
    """Version 4: an internationalised domain is kept in its Unicode spelling, so that
    ``ana@xn--bcher-kva.example`` and ``ana@bücher.example`` are one person. An address whose
    ``xn--`` label does not decode is left as it is."""
    for doc in tables.get("people", {}).values():
        email = doc.get("email")
        if isinstance(email, str) and addresses.ACE_PREFIX in email:
            with contextlib.suppress(addresses.AddressError):
                doc["email"] = addresses.canonical(email)


def _forgotten_traces(tables: Tables) -> None:
    """Version 5: a forgotten person leaves an anonymous trace in ``forgotten_people`` (see
    mentorctl.safety.privacy), and the pairs, answers, messages, concerns and blocks that
    were theirs keep their id. Nothing to change in an older store: what its forgets erased
    is gone, and its records name ``forgotten`` in their place. The version is raised so that
    an older mentorctl refuses a store whose records name a person it would not find."""
    del tables  # the table appears with the first forget


MIGRATIONS: list[tuple[int, str, Callable[[Tables], None]]] = [
    (1, "create_meta", _create_meta),
    (2, "normalise_emails", _normalise_emails),
    (3, "person_history", _person_history),
    (4, "unicode_domains", _unicode_domains),
    (5, "forgotten_traces", _forgotten_traces),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]


def current_version(tables: Tables) -> int:
    meta = tables.get(META_TABLE, {}).get(META_ID)
    if meta is None:
        return 0
    return int(meta.get("schema_version", 0))


def check_version(tables: Tables) -> None:
    """Raise ValueError unless the store's schema version is one this mentorctl knows.

    A newer store was written by a newer mentorctl: reading it here could drop what that
    version added, and writing it back would label it with the newer version still.
    """
    meta = tables.get(META_TABLE, {}).get(META_ID)
    if meta is None:
        return
    version = meta.get("schema_version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValueError("the store's schema_version is not a whole number")
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"the store has schema version {version}, newer than this mentorctl "
            f"understands ({SCHEMA_VERSION}); upgrade mentorctl"
        )


def pending(tables: Tables) -> list[str]:
    version = current_version(tables)
    return [name for number, name, _ in MIGRATIONS if number > version]


def migrate(tables: Tables) -> list[str]:
    """Apply every migration newer than the store's version; return their names."""
    version = current_version(tables)
    applied = []
    for number, name, step in MIGRATIONS:
        if number <= version:
            continue
        step(tables)
        tables[META_TABLE][META_ID]["schema_version"] = number
        applied.append(name)
    return applied
