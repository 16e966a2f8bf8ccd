"""The reply corpus (``tests/replies/``): every email read as a check-in run reads it."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pytest

from mentorctl.checkins.reply_text import Question, read_answers, reply_text

CORPUS = Path(__file__).parent / "replies"
QUESTIONS = [Question(*q) for q in json.loads((CORPUS / "questions.json").read_text())]
EMAILS = sorted(CORPUS.rglob("*.eml"))


def _read(path: Path) -> tuple[object, dict[str, object]]:
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=policy.default)
    read = read_answers(reply_text(msg, QUESTIONS), QUESTIONS)
    return read, json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", EMAILS, ids=[str(p.relative_to(CORPUS)) for p in EMAILS])
def test_each_reply_of_the_corpus_is_read_as_written(path: Path) -> None:
    read, want = _read(path)
    assert read.answers == want["answers"]
    assert read.unread == want["unread"]
    kept = "\n".join([read.unread, *(v for v in read.answers.values() if isinstance(v, str))])
    assert not [line for line in want["quoted"] if line in kept]


def test_the_corpus_covers_twenty_languages_and_the_major_clients() -> None:
    languages = {p.parent.name for p in EMAILS}
    assert len(languages) >= 20
    names = " ".join(p.stem for p in EMAILS)
    for client in ("gmail_web", "gmail_android", "ios_mail", "apple_mail", "outlook_desktop",
                   "outlook_web", "outlook_android", "thunderbird", "yahoo", "proton",
                   "samsung", "zoho"):  # fmt: skip
        assert client in names, client
    assert len(EMAILS) >= 200
    for path in EMAILS:
        want = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert set(want) == {"answers", "unread", "quoted"}, path


def test_every_reply_in_each_language_reads_its_yes_and_its_number() -> None:
    """Each language's own yes or no, and its number, whatever the client: none missed."""
    missed = []
    for path in EMAILS:
        read, want = _read(path)
        for key in ("met", "progress"):
            if key in want["answers"] and read.answers.get(key) != want["answers"][key]:  # type: ignore[attr-defined]
                missed.append(f"{path.relative_to(CORPUS)}: {key}")
    assert missed == []
