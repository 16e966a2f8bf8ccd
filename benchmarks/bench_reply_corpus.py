"""Score mentorctl's reply reader on the corpus of real reply shapes in ``tests/replies/``.

Each ``.eml`` there is one reply as a mail client writes it (Gmail web, Android and iOS,
Outlook desktop, web and mobile, Apple Mail, Thunderbird, Yahoo, Proton, Samsung, Zoho) in
one of 26 languages, and the ``.json`` beside it holds what must be read from it: the
answers, the text kept as the note, and the lines of the quoted original that must not be
kept. The script reads every reply as ``mentorctl checkin --replies`` does
(``reply_text`` then ``read_answers``) and counts

- **quoted kept**: replies whose recorded note or text answer holds a line of the original
  or of its reply header (target 0);
- **answers missed**: yes/no and 1-5 answers expected and not read (target: at least 98%
  read);
- **wrong values**: an answer recorded with another value than the one written, or where
  none was written (target 0).

It also times the reading of the whole corpus (best of ``--repeat``), for comparison between
versions of the reader. Standard library only, besides mentorctl itself.

With ``--parsers``, the reply parsers of the package index that are importable
(email-reply-parser, mail-parser-reply) are scored on the same emails: each one's kept
text is read for answers by mentorctl's ``read_answers``, so only where it cuts differs; the
target then includes being ahead of each.

Exit code: 0 when every target holds, 1 when one does not, 2 when the corpus is missing.

Examples::

    python benchmarks/bench_reply_corpus.py
    python benchmarks/bench_reply_corpus.py --json
    python benchmarks/bench_reply_corpus.py --show-misses
"""

from __future__ import annotations

import argparse
import email
import json
import sys
import time
from email import policy
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "tests" / "replies"


def load(corpus: Path) -> tuple[list[Any], list[tuple[str, Any, dict[str, Any]]]]:
    from mentorctl.checkins.reply_text import Question

    questions = [Question(*q) for q in json.loads((corpus / "questions.json").read_text())]
    cases = []
    for path in sorted(corpus.rglob("*.eml")):
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=policy.default)
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        cases.append((str(path.relative_to(corpus).with_suffix("")), msg, expected))
    return questions, cases


def _text(reply_text: Any, msg: Any, questions: list[Any]) -> str:
    try:  # the reader reads answers typed under the quoted questions when given them
        return str(reply_text(msg, questions))
    except TypeError:  # an older reader: the text only
        return str(reply_text(msg))


def readers() -> dict[str, Any]:
    """The text each reader keeps of a reply: mentorctl's, and those of the reply parsers on
    the package index that are installed beside it (their kept text is read for answers by
    mentorctl's ``read_answers``, so only the cutting differs)."""
    from mentorctl.checkins.reply_text import body_text, reply_text

    found: dict[str, Any] = {"mentorctl": lambda msg, questions: _text(reply_text, msg, questions)}
    try:
        from email_reply_parser import EmailReplyParser as Simple
    except ImportError:
        pass
    else:
        found["email-reply-parser"] = lambda msg, q: Simple.parse_reply(body_text(msg)) or ""
    try:
        from mailparser_reply import EmailReplyParser as Multi
        from mailparser_reply.constants import MAIL_LANGUAGES
    except ImportError:
        pass
    else:
        multi = Multi(languages=sorted(MAIL_LANGUAGES))
        found["mail-parser-reply"] = lambda msg, q: multi.parse_reply(body_text(msg)) or ""
    return found


def score(
    questions: list[Any], cases: list[tuple[str, Any, dict[str, Any]]], text_of: Any = None
) -> dict[str, Any]:
    from mentorctl.checkins.reply_text import read_answers, reply_text

    if text_of is None:
        text_of = lambda msg, questions: _text(reply_text, msg, questions)  # noqa: E731
    kinds = {q.key: q.kind for q in questions}
    out: dict[str, Any] = {"emails": len(cases), "quoted_kept": [], "missed": [], "wrong": []}
    expected_values = 0
    for name, msg, want in cases:
        read = read_answers(text_of(msg, questions), questions)
        kept = "\n".join([read.unread, *(v for v in read.answers.values() if isinstance(v, str))])
        if any(line in kept for line in want["quoted"]):
            out["quoted_kept"].append(name)
        for key, kind in kinds.items():
            if kind == "text":
                continue
            value, wanted = read.answers.get(key), want["answers"].get(key)
            expected_values += wanted is not None
            if wanted is not None and value is None:
                out["missed"].append(f"{name}: {key}")
            elif value is not None and value != wanted:
                out["wrong"].append(f"{name}: {key} = {value!r}, written {wanted!r}")
    out["answers_expected"] = expected_values
    out["answers_read_share"] = 1 - len(out["missed"]) / max(expected_values, 1)
    return out


def timed(questions: list[Any], cases: list[Any], repeat: int) -> float:
    from mentorctl.checkins.reply_text import read_answers, reply_text

    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for _name, msg, _want in cases:
            read_answers(_text(reply_text, msg, questions), questions)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repeat", type=int, default=5, help="timing repetitions (best kept)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show-misses", action="store_true", help="name every miss")
    parser.add_argument(
        "--parsers",
        action="store_true",
        help="also score the reply parsers of the package index that are importable "
        "(email-reply-parser, mail-parser-reply) on the same emails",
    )
    args = parser.parse_args(argv)
    if not (args.corpus / "questions.json").is_file():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    questions, cases = load(args.corpus)
    report = score(questions, cases)
    report["seconds"] = timed(questions, cases, args.repeat)
    ok = not report["wrong"] and not report["quoted_kept"]
    ok = ok and report["answers_read_share"] >= 0.98
    others: dict[str, Any] = {}
    if args.parsers:
        for name, text_of in readers().items():
            if name != "mentorctl":
                others[name] = score(questions, cases, text_of)
                ok = ok and all(
                    len(report[k]) <= len(others[name][k]) for k in ("quoted_kept", "missed")
                )
        report["parsers"] = others
    if args.json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        emails = report["emails"]
        print(f"reply corpus: {emails} emails, {report['answers_expected']} yes/no and 1-5 answers")
        kept = len(report["quoted_kept"])
        print(f"  quoted text kept in the note  {kept:5d}  ({kept / emails:.1%} of emails)")
        print(f"  answers missed                {len(report['missed']):5d}  "
              f"({report['answers_read_share']:.1%} read)")  # fmt: skip
        print(f"  wrong values                  {len(report['wrong']):5d}")
        print(f"  reading time, whole corpus    {report['seconds'] * 1000:7.1f} ms (best of "
              f"{args.repeat})")  # fmt: skip
        for name, other in others.items():
            print(f"  {name}: quoted kept in {len(other['quoted_kept'])} emails, "
                  f"{len(other['missed'])} answers missed, {len(other['wrong'])} wrong")  # fmt: skip
        if args.show_misses:
            for label in ("quoted_kept", "missed", "wrong"):
                for item in report[label]:
                    print(f"  {label}: {item}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
