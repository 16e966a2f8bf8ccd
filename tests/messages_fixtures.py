"""Fixtures shared by the messaging tests (introduce, checkin, delivery); no tests of its own.

Test modules import the fixtures under their ``*_fixture`` names; pytest knows them by
``name=`` (``paired``, ``introduced``, ``smtp_server``, ``smtp_ready``).

A small program: two mentors and three mentees whose pairs are known in advance
(Ann with Meg is M1, Bo with Raj is M2; Cy shares no language and stays unmatched), an SMTP
server on localhost (aiosmtpd, ephemeral port) that collects what it receives and can
refuse chosen recipients, and helpers to read the store and edit program.yaml.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller
from helpers import PROGRAM, read_store, write_csv

SMALL = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company
meg@example.org,Meg Mentor,Mentor,50,,"Career change, Networking",English,UTC,2,Acme
raj@example.org,Raj Mentor,Mentor,45,,Interview preparation,English,UTC+1,1,Globex
ann@example.org,Ann Mentee,Mentee,30,"Career change, Networking",,English,UTC,,Initech
bo@example.org,Bo Mentee,Mentee,28,Interview preparation,,English,UTC+1,,Umbrella
cy@example.org,Cy Mentee,Mentee,33,Networking,,Finnish,UTC+2,,Hooli
"""
# Person ids follow the rows: P1 Meg, P2 Raj, P3 Ann, P4 Bo, P5 Cy.
IDS = {"meg": "P1", "raj": "P2", "ann": "P3", "bo": "P4", "cy": "P5"}
PAIR_PEOPLE = {
    "M1": {"ann@example.org", "meg@example.org"},
    "M2": {"bo@example.org", "raj@example.org"},
}
SENDER = "mentoring@circle-mentoring.test"  # not a placeholder: --send refuses those


def store_path(workspace: Path) -> Path:
    return workspace / PROGRAM / "data" / "store.json"


def program_dir(workspace: Path) -> Path:
    return workspace / PROGRAM


def table(workspace: Path, name: str) -> list[dict[str, Any]]:
    return list(read_store(store_path(workspace)).get(name, {}).values())


def pairs(workspace: Path) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in table(workspace, "pairs")}


def messages(workspace: Path) -> list[dict[str, Any]]:
    return table(workspace, "messages")


def outbox_files(workspace: Path) -> list[Path]:
    return sorted((program_dir(workspace) / "outbox").rglob("*.eml"))


def parse_eml(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def edit_program(workspace: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change program.yaml through its data (comments are not kept; tests do not need them)."""
    path = program_dir(workspace) / "program.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def same_day(workspace: Path) -> None:
    """Week 1's message may come on the day of the introduction (the program asks for it)."""
    path = program_dir(workspace) / "program.yaml"
    text = path.read_text(encoding="utf-8")
    setting = "  first_week_with_introduction: true\n"
    if setting not in text:
        text = text.replace("  quiet_after_weeks:", setting + "  quiet_after_weeks:", 1)
        path.write_text(text, encoding="utf-8")


def edit_template(workspace: Path, name: str, change: Callable[[str], str]) -> Path:
    path = program_dir(workspace) / "messages" / name
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


@pytest.fixture(name="paired")
def paired_fixture(workspace: Path, cli) -> Path:
    """The workspace with the small program imported and its two pairs committed."""
    result = cli("import-signups", write_csv(workspace / "small.csv", SMALL), "-w", workspace)
    assert result.exit_code == 0, result.output
    result = cli("pair", "--commit", "-w", workspace)
    assert result.exit_code == 0, result.output
    assert {p: (d["mentee"], d["mentor"]) for p, d in pairs(workspace).items()} == {
        "M1": (IDS["ann"], IDS["meg"]),
        "M2": (IDS["bo"], IDS["raj"]),
    }
    return workspace


@pytest.fixture(name="introduced")
def introduced_fixture(paired: Path, cli) -> Path:
    """The pairs introduced (to the outbox) on the tests' today, 2026-03-02: week 1 starts then,
    and its message comes the same day (``first_week_with_introduction``)."""
    same_day(paired)
    result = cli("introduce", "-w", paired)
    assert result.exit_code == 0, result.output
    return paired


# -- a real SMTP server -------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return parse_eml(self.data)


@dataclass
class Collector:
    """aiosmtpd handler: keeps every message, refuses the addresses in ``refuse``."""

    refuse: set[str] = field(default_factory=set)
    refusal: str = "550 5.1.1"  # "450 4.2.1": a temporary refusal
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"{self.refusal} <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # a slow server keeps a run holding the lock
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
            )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


class EphemeralController(Controller):
    """aiosmtpd's Controller on a port chosen by the system."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpServer:
    handler: Collector
    port: int


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[SmtpServer]:
    handler = Collector()
    controller = EphemeralController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield SmtpServer(handler, controller.port)
    finally:
        controller.stop()


def local_smtp(port: int, **settings: Any) -> dict[str, Any]:
    """program.yaml's ``smtp`` for a local server: no TLS, no login, no waiting between
    messages."""
    return {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "username": "",
        "rate_per_minute": 1_000_000,
        **settings,
    }


def use_smtp(workspace: Path, port: int, **settings: Any) -> None:
    """Point the program at a local server (:func:`local_smtp`)."""

    def change(data: dict[str, Any]) -> None:
        data["sender"]["email"] = SENDER
        data["smtp"] = local_smtp(port, **settings)

    edit_program(workspace, change)


@pytest.fixture(name="smtp_ready")
def smtp_ready_fixture(paired: Path, smtp_server: SmtpServer) -> tuple[Path, SmtpServer]:
    """The committed pairs and the SMTP server; week 1 may come the day of the introduction."""
    use_smtp(paired, smtp_server.port)
    same_day(paired)
    return paired, smtp_server
