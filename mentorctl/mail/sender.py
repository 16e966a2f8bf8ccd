"""The program's sender address before anything is sent: not a template's placeholder."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mentorctl.programs.program import Program

# Domains reserved for examples (RFC 2606): a template's sender is one until the admin sets
# their own, and mail from it would be refused or marked as spam by the recipients' servers.
PLACEHOLDER_DOMAINS = ("example.org", "example.com", "example.net")
PLACEHOLDER_SUFFIXES = (".example", ".invalid")


def is_placeholder(addr: str) -> bool:
    domain = addr.rpartition("@")[2].strip().lower().rstrip(".")
    return (
        any(domain == d or domain.endswith("." + d) for d in PLACEHOLDER_DOMAINS)
        or domain.endswith(PLACEHOLDER_SUFFIXES)
        or domain in ("example", "invalid")
    )


def refuse_placeholder_sender(program: Program) -> None:
    """Before anything is sent: the sender (and reply-to) must be the program's own address."""
    from mentorctl.errors import ConfigError

    sender = program.data["sender"]
    for key in ("email", "reply_to"):
        addr = sender.get(key)
        if addr and is_placeholder(str(addr)):
            raise ConfigError(
                f"sender.{key} is still the template's placeholder ({addr.rpartition('@')[2]}); "
                "nothing was sent",
                file=program.path,
                hint=f"set sender.{key} under sender: in {program.path} to the address "
                "messages should come from",
            )
