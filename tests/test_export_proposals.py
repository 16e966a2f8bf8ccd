"""The proposals put to mentors, in the exports of the people they name and in forget: a
mentee reads only the one that made their pair, never who declined them; a mentor reads
their own whole; forget leaves no reasons in a proposal that named the person."""

from __future__ import annotations

import json
from pathlib import Path

from asks_support import DAY, P, imported, maildir, message_id, ok, proposals, reply


def _answered(workspace: Path, cli, tmp_path: Path) -> Path:
    """Meg is asked about Ann (Q1) and Dee (Q2) and says yes to Ann, no to Dee; Raj is asked
    about Bo and does not answer."""
    imported(workspace, cli)
    ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", DAY)
    answer = reply("meg", message_id(workspace, "meg"), "1 yes, 2 no", n=1)
    box = maildir(tmp_path / "inbox", [answer])
    ok(cli, "checkin", "--replies", box, "-w", workspace, "--today", "2026-03-03")
    asked = proposals(workspace)
    assert (asked["Q1"]["answer"], asked["Q2"]["answer"]) == ("yes", "no")
    assert all(d["reasons"] for d in asked.values())
    return box


def test_a_mentee_exports_their_proposals_without_who_declined(
    workspace: Path, cli, tmp_path: Path
) -> None:
    _answered(workspace, cli, tmp_path)
    dee = ok(cli, "export-person", "dee@example.org", "-w", workspace)
    (mine,) = dee["proposals"]
    assert mine == {
        "id": "Q2", "round": 1, "asked_at": mine["asked_at"], "answered_at": mine["answered_at"],
        "mentee": P["dee"], "mentor": "[withheld]", "reasons": "[withheld]",
        "outcome": "not paired",
    }  # fmt: skip
    assert mine["asked_at"][:10] == DAY
    # Nothing else in the export says that a mentor declined her, nor which.
    text = json.dumps(dee)
    assert "declin" not in text and "Meg" not in text
    assert not [e for e in dee["person"]["history"] if e["event"] == "declined_by"]
    # Bo, whose question still waits, reads it as not paired too: a wait is not told apart.
    (bo,) = ok(cli, "export-person", "bo@example.org", "-w", workspace)["proposals"]
    assert (bo["mentor"], bo["outcome"]) == ("[withheld]", "not paired")
    # Ann, paired by Meg's yes, reads her proposal whole; Meg reads both of hers whole.
    (ann,) = ok(cli, "export-person", "ann@example.org", "-w", workspace)["proposals"]
    assert (ann["mentor"], ann["answer"], ann["reasons"]) == (
        P["meg"], "yes", proposals(workspace)["Q1"]["reasons"],
    )  # fmt: skip
    meg = ok(cli, "export-person", "meg@example.org", "-w", workspace)["proposals"]
    assert [(d["id"], d["answer"]) for d in meg] == [("Q1", "yes"), ("Q2", "no")]
    assert meg == [proposals(workspace)[q] for q in ("Q1", "Q2")]


def test_forget_leaves_no_reasons_in_a_proposal_that_named_the_person(
    workspace: Path, cli, tmp_path: Path
) -> None:
    _answered(workspace, cli, tmp_path)
    done = ok(cli, "forget", "dee@example.org", "--yes", "-w", workspace, "--today", "2026-03-04")
    asked = proposals(workspace)
    assert asked["Q2"]["reasons"] == [] and asked["Q2"]["answer"] == "no"
    assert asked["Q1"]["reasons"] and asked["Q3"]["reasons"]  # nobody else's
    assert done["programs"][0]["redacted"] == {"proposals": 1}
    # The mentor forgotten: every proposal put to her loses its reasons, answered or not.
    ok(cli, "forget", "meg@example.org", "--yes", "-w", workspace, "--today", "2026-03-04")
    asked = proposals(workspace)
    assert asked["Q1"]["reasons"] == [] and asked["Q3"]["reasons"]
