"""One person in every program of a workspace: the same address (or full name) in each.

An id (P3) names a person in one program only, so across programs a person is named by the
address they signed up with, or by a full name. A name held by people of different addresses
is refused with the candidates, never guessed.
"""

from __future__ import annotations

from typing import Any

from mentorctl.errors import UsageError
from mentorctl.report import directory


def person_across(opened: list[tuple[str, directory.Directory]], key: str) -> list[dict[str, Any]]:
    """The person ``key`` (an address or a full name) in each program that holds them, as
    :func:`directory.person_detail` shows them there, each with its ``program``."""
    wanted = key.strip()
    if wanted[:1] in "Pp" and wanted[1:].isdigit():
        raise UsageError(
            f"{wanted} names a person in one program only",
            hint="give their address or full name, or name the program with --program",
        )
    found = []
    for slug, d in opened:
        try:
            person = directory.find_person(d, wanted)
        except UsageError as exc:
            if str(exc).startswith("no person"):
                continue
            raise UsageError(f"{slug}: {exc}", hint=exc.hint) from None
        found.append((slug, d, str(person.doc.get("id"))))
    if not found:
        raise UsageError(
            "no person (by that email or name) in any program",
            hint="'mentorctl people --all-programs --search TEXT' finds them",
        )
    emails = {directory.fold(d.people[pid].doc.get("email")) for _, d, pid in found}
    if len(emails) > 1:
        # Several people share that name: the error names them by program and id only.
        listed = ", ".join(f"{slug} {pid}" for slug, _, pid in found)
        raise UsageError(
            f"{len(found)} people of different addresses have that name: {listed}",
            hint="use an address",
        )
    return [{"program": slug, **directory.person_detail(d, pid)} for slug, d, pid in found]
