"""Forgetting a member of a circle: her name, first name and address are left nowhere, not in
the other members' reasons, not in a proposal, not in a file of the outbox; the circle's other
records still work."""

from __future__ import annotations

from pathlib import Path

from helpers import PROGRAM, write_csv
from messages_fixtures import pairs, table
from test_circle_lifecycle import _csv, _ids, _run

ROWS = [
    ("am", "Ann Mentor", "Mentor", "English", "4"),
    ("ae0", "Bea Mentee", "Mentee", "German", ""),
    ("ae1", "Laura Nieminen", "Mentee", "French", ""),
    ("ae2", "Dov Mentee", "Mentee", "Spanish", ""),
    ("ae3", "Eli Mentee", "Mentee", "Portuguese", ""),
]
WORDS = ("laura", "nieminen", "ae1@example.org")


def _circle(workspace: Path, cli) -> dict:
    program = workspace / PROGRAM / "program.yaml"
    text = program.read_text(encoding="utf-8")
    program.write_text(text + "format: circles\ncircles:\n  size: [3, 5]\n", encoding="utf-8")
    _run(cli, workspace, "import-signups", write_csv(workspace / "c.csv", _csv(ROWS)))
    _run(cli, workspace, "pair", "--commit", "--today", "2026-03-02")
    _run(cli, workspace, "introduce", "--today", "2026-03-02")
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    (doc,) = table(workspace, "circles")
    return doc


def _left(workspace: Path) -> list[str]:
    """Every file of the program (store, outbox) that still holds one of WORDS."""
    found = []
    for path in sorted((workspace / PROGRAM).rglob("*")):
        if path.is_file() and path.suffix in (".json", ".eml"):
            text = path.read_text(encoding="utf-8", errors="replace").casefold()
            found += [f"{path.name}: {w}" for w in WORDS if w in text]
    return found


def test_forget_leaves_nothing_of_a_circle_member(workspace: Path, cli) -> None:
    circle = _circle(workspace, cli)
    assert _left(workspace)  # she is named in the others' reasons and messages
    laura = _ids(workspace)["ae1"]
    assert laura in circle["mentees"]
    outbox = workspace / PROGRAM / "outbox"
    kept = {p.name for p in outbox.iterdir()}
    assert any(n.startswith("M") for n in kept)
    _run(cli, workspace, "forget", "ae1@example.org", "--yes", "--today", "2026-03-10")
    assert _left(workspace) == []
    # Every file of the circle's messages went (each member's copy of the introduction too).
    assert not [n for n in kept if n.startswith("M") and (outbox / n).exists()]
    # The others' reasons say what they still share, without her.
    ids = _ids(workspace)
    bea = next(p for p in pairs(workspace).values() if p["mentee"] == ids["ae0"])
    assert "shares Networking with [forgotten], Dov Mentee and Eli Mentee" in bea["reasons"]
    # The circle's other records still work.
    shown = _run(cli, workspace, "pairs", "show", circle["id"], "--today", "2026-03-10")
    assert "Bea" in shown.output
    _run(cli, workspace, "report", "--today", "2026-03-10")
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    assert _left(workspace) == []


def test_a_first_name_is_redacted_as_written_the_full_name_in_any_case() -> None:
    from mentorctl.safety.privacy import _redactor

    near = _redactor("can.ozturk@example.org", "Can Öztürk", "Can")
    assert near("shares Networking with CAN ÖZTÜRK, Bo and Cy; all four can meet Tuesdays") == (
        "shares Networking with [forgotten], Bo and Cy; all four can meet Tuesdays"
    )
    assert near("week 1 with Bo, Can and Cy") == "week 1 with Bo, [forgotten] and Cy"
    assert near("Canan and Can-Ali, mail can.ozturk@example.org") == (
        "Canan and Can-Ali, mail [forgotten]"
    )
