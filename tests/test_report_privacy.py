"""An anonymous report names only the topics program.yaml defines: free-text answers in the
recruitment gap (which may name a person, or hold an address) are counted as "other"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import write_csv

# One mentor with one slot, so two of the three mentees wait; their goals are free text
# beside one of the program's topics.
PEOPLE = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company
meg@example.org,Meg Okafor,Mentor,50,,"Career change, Ask Zed Quill",English,UTC,1,Acme
ann@example.org,Ann Brenner,Mentee,30,Career change,,English,UTC,,Initech
bo@example.org,Bo Castell,Mentee,28,"Networking, meet Zed Quill (zed.quill@example.org)",,English,UTC,,Umbrella
cy@example.org,Cy Dunmore,Mentee,33,"Networking, Talk to my manager Ivo",,English,UTC,,Hooli
"""
SECRETS = ("Zed", "Quill", "zed.quill", "@", "Ivo", "manager")
FORMATS = ("table", "json", "md", "html", "csv")


@pytest.fixture
def waiting(workspace: Path, cli) -> Path:
    result = cli("import-signups", write_csv(workspace / "people.csv", PEOPLE), "-w", workspace)
    assert result.exit_code == 0, result.output
    result = cli("pair", "-w", workspace, "--commit")
    assert result.exit_code == 0, result.output
    return workspace


def test_the_gap_of_an_anonymous_report_counts_free_text_as_other(waiting: Path, cli) -> None:
    result = cli("report", "-w", waiting, "--anonymous", "--json")
    assert result.exit_code == 0, result.output
    gap = json.loads(result.stdout)["recruitment_gap"]
    assert [(g["topic"], g["waiting"], g["free_slots"]) for g in gap] == [
        ("Networking", 2, 0),
        ("other", 2, 0),
    ]
    assert gap[1]["text"] == "2 waiting mentee(s) want 'other'; no free mentor slot(s) offer it"


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_of_an_anonymous_report_shows_free_text(
    waiting: Path, cli, fmt: str, tmp_path: Path
) -> None:
    shown = cli("report", "-w", waiting, "--anonymous", "--format", fmt)
    assert shown.exit_code == 0, shown.output
    target = tmp_path / f"report.{fmt}"
    written = cli("report", "-w", waiting, "--anonymous", "--format", fmt, "--out", target)
    assert written.exit_code == 0, written.output
    for text in (shown.stdout, target.read_text(encoding="utf-8")):
        for secret in SECRETS:
            assert secret not in text, (fmt, secret)


def test_the_admins_own_report_still_shows_the_answers(waiting: Path, cli) -> None:
    result = cli("report", "-w", waiting, "--json")
    assert result.exit_code == 0, result.output
    topics = [g["topic"] for g in json.loads(result.stdout)["recruitment_gap"]]
    assert topics == [
        "Networking",
        "Talk to my manager Ivo",
        "meet Zed Quill (zed.quill@example.org)",
    ]
