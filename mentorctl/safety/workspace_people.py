"""One person across the programs of a workspace: forgetting, lifting and exporting them.

Somebody who asks to be forgotten means everywhere. A workspace holds several programs, each
with its own store, and the same address may have signed up to several of them: forgetting
erases the person from every program that holds the address (each under its own store's
lock, by :func:`mentorctl.safety.privacy.forget`), and puts the address on the workspace's
suppression list, which every import of every program reads, so that no program of the
workspace imports them again, one made later included. A failure in one program does not
stop the others; running forget again with their address finishes what is left and repeats
nothing.

The caller (the CLI) opens the programs and passes them as :class:`Place` values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.errors import MentorctlError, UsageError
from mentorctl.matching.pairs import find_person, snapshot
from mentorctl.safety import export, privacy
from mentorctl.store.db import Store
from mentorctl.store.suppression import SuppressionList


@dataclass(frozen=True)
class Place:
    """One program of the workspace, as forgetting needs it; ``error`` when it cannot be
    opened (its program.yaml invalid, its files writable by others)."""

    slug: str
    store_path: Path
    outbox: Path
    topics: tuple[str, ...] = ()
    error: MentorctlError | None = None


@dataclass
class ProgramOutcome:
    """What forgetting did in one program: erased there (``result``), only suppressed there
    (the address was not in it), or failed (``error``, with its exit code)."""

    program: str
    result: privacy.ForgetResult | None = None
    suppressed: bool = False
    error: str | None = None
    exit_code: int = 0


@dataclass
class WorkspaceForget:
    outcomes: list[ProgramOutcome] = field(default_factory=list)
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        return max((o.exit_code for o in self.outcomes), default=0)


def _person(store_path: Path, ref: str) -> dict[str, Any] | None:
    """The person ``ref`` (an id or an address) in one program's store, or None."""
    if not store_path.exists():
        return None
    with Store.reading(store_path) as store:
        try:
            return find_person(snapshot(store), ref)
        except UsageError:
            return None


def address_of(store_path: Path, ref: str) -> str:
    """The address of the person ``ref`` (an id or an address) in one program."""
    person = _person(store_path, ref)
    if person is None:
        raise UsageError(
            "no person with that reference in this program",
            hint="use the address they signed up with, or 'mentorctl people' to find the id",
        )
    return str(person.get("email") or "")


def holders(places: Iterable[Place], address: str) -> list[str]:
    """The programs whose store holds ``address`` (those that could be opened)."""
    return [p.slug for p in places if p.error is None and _person(p.store_path, address)]


def forget_everywhere(
    places: list[Place],
    ref: str,
    *,
    home: str | None = None,
    now: dt.datetime,
    dry_run: bool = False,
    remove_files: bool = False,
) -> WorkspaceForget:
    """Erase the person ``ref`` from every program that holds their address, and suppress
    the address in every program. ``ref`` is an address, or an id of the program ``home``
    (an id names a person in one program only: their address then finds them elsewhere)."""
    address = ref.strip()
    if "@" not in address:
        place = next((p for p in places if p.slug == home), None)
        if place is None:
            raise UsageError(
                "an id names a person in one program; name the program with --program",
                hint="or give the address they signed up with",
            )
        if place.error is not None:
            raise place.error
        address = address_of(place.store_path, ref)
    held = set(holders(places, address))  # each store read once, before any change
    if not held and all(p.error is None for p in places):
        # A mistyped address would otherwise "succeed" and leave the person where they are.
        raise UsageError(
            "no person with that address in any program of the workspace",
            hint="check the spelling; 'mentorctl people --all-programs --search TEXT' finds them",
        )
    done = WorkspaceForget(dry_run=dry_run)
    if not dry_run:
        # Listed first, once for the workspace: a program that fails below still skips them.
        SuppressionList.for_store(places[0].store_path).add(address)
    for place in places:
        outcome = ProgramOutcome(place.slug)
        done.outcomes.append(outcome)
        try:
            if place.error is not None:
                raise place.error
            if place.slug in held:
                outcome.result = privacy.forget(
                    place.store_path,
                    place.outbox,
                    address,
                    now=now,
                    dry_run=dry_run,
                    remove_files=remove_files,
                    topics=place.topics,
                )
            else:
                outcome.suppressed = True
        except MentorctlError as exc:
            outcome.error, outcome.exit_code = str(exc), exc.exit_code
    return done


def lift_everywhere(places: list[Place], email: str, *, dry_run: bool = False) -> bool:
    """Take ``email`` off the workspace's suppression list; whether it was on it.
    Nothing is lifted unless every program can be opened."""
    for place in places:
        if place.error is not None:
            raise place.error
    return privacy.lift_suppression(places[0].store_path, email, dry_run=dry_run)


def export_everywhere(places: list[Place], email: str) -> dict[str, Any]:
    """Everything every program holds about the address ``email``, keyed by program."""
    if "@" not in email:
        raise UsageError(
            "across programs a person is found by address",
            hint="give the address they signed up with, or name one program with --program",
        )
    found: dict[str, Any] = {}
    for place in places:
        if place.error is not None:
            raise place.error
        if _person(place.store_path, email) is not None:
            found[place.slug] = export.export_person(place.store_path, email)
    if not found:
        raise UsageError(
            "no person with that address in any program of the workspace",
            hint="'mentorctl people --all-programs --search TEXT' finds them",
        )
    return found
