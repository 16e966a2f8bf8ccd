"""A small program whose proposals are put to mentors (``pair --ask-mentors``); no tests here.

Meg (capacity 2) suits Ann and Dee, Raj suits Bo; Lea (capacity 1) suits Bo less well (her
time zone is further from his), so she is who Bo gets once Raj declines. Cy shares no
language with anyone and waits.
"""

from __future__ import annotations

import email.utils
import json
import mailbox
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from helpers import read_store, write_csv
from messages_fixtures import outbox_files, parse_eml, store_path

ASKS = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company
meg@example.org,Meg Mentorova,Mentor,50,,"Career change, Networking",English,UTC,2,Acme
raj@example.org,Raj Mentorsson,Mentor,45,,Interview preparation,English,UTC+1,1,Globex
ann@example.org,Ann Menteeson,Mentee,30,"Career change, Networking",,English,UTC,,Initech
bo@example.org,Bo Menteeberg,Mentee,28,Interview preparation,,English,UTC+1,,Umbrella
cy@example.org,Cy Menteelainen,Mentee,33,Networking,,Finnish,UTC+2,,Hooli
dee@example.org,Dee Menteewood,Mentee,41,Career change,,English,UTC,,Wayne
lea@example.org,Lea Mentorelli,Mentor,39,,"Interview preparation",English,UTC+4,1,Stark
"""
# Person ids follow the rows.
P = {"meg": "P1", "raj": "P2", "ann": "P3", "bo": "P4", "cy": "P5", "dee": "P6", "lea": "P7"}
SURNAMES = ("Mentorova", "Mentorsson", "Menteeson", "Menteeberg", "Menteelainen",
            "Menteewood", "Mentorelli")  # fmt: skip
COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Wayne", "Stark")
DAY = "2026-03-02"


def ok(cli, *args: object) -> dict[str, Any]:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def imported(workspace: Path, cli, text: str = ASKS) -> Path:
    ok(cli, "import-signups", write_csv(workspace / "asks.csv", text), "-w", workspace)
    return workspace


def table(workspace: Path, name: str) -> list[dict[str, Any]]:
    return list(read_store(store_path(workspace)).get(name, {}).values())


def proposals(workspace: Path) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in table(workspace, "proposals")}


def person(workspace: Path, pid: str) -> dict[str, Any]:
    return next(p for p in table(workspace, "people") if p["id"] == pid)


def ask_file(workspace: Path, mentor: str, ask: int = 1) -> Path:
    return workspace / "test-program" / "outbox" / f"mentor_ask-{P[mentor]}-{ask}.eml"


def ask_text(workspace: Path, mentor: str, ask: int = 1) -> str:
    msg = parse_eml(ask_file(workspace, mentor, ask).read_bytes())
    return str(msg["Subject"]) + "\n" + msg.get_body(("plain",)).get_content()


def message_id(workspace: Path, mentor: str, ask: int = 1) -> str:
    return str(parse_eml(ask_file(workspace, mentor, ask).read_bytes())["Message-ID"])


def to_mentees(workspace: Path) -> list[tuple[str, str]]:
    """(file name, text) of every outbox message addressed to a mentee."""
    mentees = {f"{k}@example.org" for k in ("ann", "bo", "cy", "dee")}
    out = []
    for path in outbox_files(workspace):
        msg = parse_eml(path.read_bytes())
        if mentees & {a[1] for a in email.utils.getaddresses([str(msg["To"])])}:
            body = msg.get_body(("plain",)).get_content()
            out.append((path.name, str(msg["Subject"]) + "\n" + body))
    return out


def reply(
    who: str, to_id: str, text: str, *, n: int, day: int = 3, quote: str = ""
) -> EmailMessage:
    """A reply from ``who`` (a key of P, or an address) to the message ``to_id``."""
    msg = EmailMessage()
    address = who if "@" in who else f"{who}@example.org"
    msg["From"] = f"{who.title()} <{address}>"
    msg["To"] = "Career Mentoring Team <mentoring@example.org>"
    msg["Subject"] = "Re: Test Program: would you mentor them?"
    msg["Message-ID"] = f"<answer-{n}@mail.example.net>"
    msg["In-Reply-To"] = to_id
    msg["References"] = to_id
    msg["Date"] = f"Tue, {day:02d} Mar 2026 10:{n % 60:02d}:00 +0000"
    msg.set_content(text + ("\n\n" + quote if quote else ""))
    return msg


def quoted(text: str, attribution: str) -> str:
    lines = text.splitlines()
    return attribution + "\n\n" + "\n".join(("> " + line).rstrip() for line in lines)


def maildir(path: Path, msgs: list[EmailMessage]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for m in msgs:
        box.add(m.as_bytes())
    box.close()
    return path
