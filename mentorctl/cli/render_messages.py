"""How ``introduce`` and ``checkin`` show their results: the same rows feed the text and the JSON.

A run prints one summary line first (what cron mails), then the tables that matter: the
messages (``introduce``), failed deliveries and quiet pairs (``checkin``). Warnings go to
stderr. Names stand beside ids only for a person at a terminal: output that is piped or
mailed by cron (a log) names people by id alone.
"""

from __future__ import annotations

from typing import Any

from mentorctl.cli import output

KIND_LABELS = {
    "intro": "introduction",
    "weekly": "weekly",
    "nudge": "nudge",
    "wrapup": "wrap-up",
    "lapsed": "lapsed",
    "ended": "pair ended",
    "waiting": "waiting",
    "mentor_ask": "question(s) to mentors",
    "paused": "pause notice",
    "circle_intro": "circle introduction",
    "circle_left": "circle member left",
    "circle_away": "circle member away",
    "circle_closed": "circle closed",
    "circle_farewell": "circle left (to the member)",
    "circle_handover": "circle's new lead",
    "shortlist": "shortlist",
    # a circle's templates: its messages keep the kinds above (weekly, wrap-up, lapsed)
    "circle_weekly": "weekly",
    "circle_wrapup": "wrap-up",
    "circle_lapsed": "lapsed",
}


def run_data(result: Any) -> dict[str, Any]:
    statuses: dict[str, int] = {}
    for m in result.messages:
        statuses[m.status] = statuses.get(m.status, 0) + 1
    return {
        "command": result.command,
        "date": result.today.isoformat(),
        "mode": "smtp" if result.send else "outbox",
        "dry_run": result.dry_run,
        "counts": result.counts(),
        "statuses": statuses,
        "failed": result.failed,
        "left": result.left,
        "recovered": result.recovered,
        "introduced": result.introduced,
        "not_introduced": result.not_introduced,
        "quiet": result.quiet,
        "completed": result.completed,
        "back_active": result.back_active,
        "released": result.released,
        "undeliverable": result.undeliverable,
        "held": result.held,
        "messages": [
            {
                "pair": m.pair,
                "kind": m.kind,
                "week": m.week,
                "to": m.to,
                "status": m.status,
                "file": m.file,
                "errors": m.errors,
            }
            for m in result.messages
        ],
        "warnings": result.warnings,
    }


def summary_line(result: Any) -> str:
    """The one line a cron mail shows: what went out, what failed, what changed."""
    counts = result.counts()
    # Kinds without a label of their own (newer notices) are named after the kind.
    order = [*KIND_LABELS, *sorted(k for k in counts if k not in KIND_LABELS)]
    kinds = [
        f"{counts[k]} {KIND_LABELS.get(k, k.replace('_', ' '))}" for k in order if counts.get(k)
    ]
    total = len(result.messages)
    where = "SMTP" if result.send else "outbox"
    line = f"{result.command} {result.today.isoformat()} ({where}"
    line += ", dry run): " if result.dry_run else "): "
    if not total:
        line += "nothing due"
    else:
        line += f"{total} message(s) ({', '.join(kinds)})"
        if result.dry_run:
            line += " would be sent" if result.send else " would be written"
        elif result.send:
            sent = sum(1 for m in result.messages if m.status == "sent")
            line += f": {sent} sent, {result.failed} failed"
        else:
            line += " written"
    extras = [
        (len(result.introduced), "pair(s) introduced"),
        (len(result.not_introduced), "pair(s) not introduced (delivery failed)"),
        (len(result.quiet), "quiet pair(s)"),
        (len(result.completed), "pair(s) finished"),
        (len(result.back_active), "pair(s) active again"),
        (len(result.released), "pair(s) ended, introduction undeliverable"),
        (result.left, "message(s) left for the next run (--limit)"),
        (result.recovered, "delivery(ies) of an interrupted run settled"),
    ]
    line += "".join(f"; {n} {text}" for n, text in extras if n)
    return line


def run_result(result: Any, as_json: bool, *, table: bool, store_path: Any = None) -> None:
    if as_json:
        output.emit_json(run_data(result))
        return
    output.info(summary_line(result))
    names = _Names(store_path)
    if table and result.messages:
        output.table(
            None,
            ["Pair", "Message", "To", "Status", "File"],
            [
                [
                    m.pair,
                    _kind(m.kind, m.week),
                    ", ".join(names.person(p) for p in m.to),
                    m.status,
                    m.file,
                ]
                for m in result.messages
            ],
        )
    failed = [m for m in result.messages if m.status == "failed"]
    if failed and not table:
        output.table(
            "Failed deliveries (retried by the next --send run)",
            ["Pair", "Message", "Person", "Error"],
            [
                [m.pair, _kind(m.kind, m.week), names.person(p), e]
                for m in failed
                for p, e in m.errors.items()
            ],
        )
    if result.quiet:
        output.table(
            "Quiet pairs (no check-in answer)",
            ["Pair", "Mentee", "Mentor", "Quiet since week", "Weeks without an answer"],
            [
                [q["pair"], *names.pair(q["pair"]), q["since_week"], q["silent_weeks"]]
                for q in result.quiet
            ],
        )
    for warning in result.warnings:
        output.warn(warning)
    if result.dry_run:
        output.note("Dry run: nothing written, sent or recorded.")


class _Names:
    """Names beside ids in the tables a person reads; the store is read only if one is drawn."""

    def __init__(self, store_path: Any) -> None:
        self._path = store_path if _at_terminal() else None
        self._d: Any = None

    def _load(self) -> Any:
        if self._d is None and self._path is not None:
            import datetime as dt

            from mentorctl.errors import MentorctlError
            from mentorctl.report import directory

            try:
                self._d = directory.load(self._path, today=dt.date.today(), duration_weeks=0)
            except (MentorctlError, OSError):  # names are a courtesy: the ids still say it all
                self._path = None
        return self._d

    def person(self, pid: str) -> str:
        from mentorctl.report.labels import who

        d = self._load()
        return who(d.name(pid), pid) if d is not None else pid

    def pair(self, pair_id: str) -> list[str]:
        d = self._load()
        found = d.pairs.get(pair_id) if d is not None else None
        pair = found.doc if found else None
        if not pair:
            return ["-", "-"]
        return [self.person(pair.get("mentee")), self.person(pair.get("mentor"))]


def _at_terminal() -> bool:
    import sys

    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _kind(kind: str, week: int) -> str:
    return f"week {week}" if kind == "weekly" else KIND_LABELS.get(kind, kind)


def previews(result: Any, as_json: bool) -> None:
    if as_json:
        output.emit_json(
            {"previews": result.previews, "left": result.left, "warnings": result.warnings}
        )
        return
    if not result.previews:
        output.info("No pair is waiting for an introduction.")
    for item in result.previews:
        html = " (and an HTML version)" if item["html"] else ""
        output.info(
            f"===== pair {item['pair']}: {item['kind']} to {', '.join(item['to'])}{html} ====="
        )
        output.info(item["text"])
    if result.left:
        output.note(f"{result.left} more not shown (--limit).")
    for warning in result.warnings:
        output.warn(warning)
    output.note("Preview only: nothing written, sent or recorded.")


def answers_result(result: Any, as_json: bool) -> None:
    data = {
        "source": result.source,
        "file": str(result.file) if result.file else None,
        "rows": result.rows,
        "imported": result.imported,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "mapping": [{"header": h, "field": f} for h, f in result.mapping],
        "rejects": [{"row": r.row, "field": r.field, "reason": r.reason} for r in result.rejects],
        "not_fit": result.not_fit,
        "back_active": result.back_active,
        "warnings": result.warnings,
        "dry_run": result.dry_run,
    }
    if as_json:
        output.emit_json(data)
        return
    verb = "Would record" if result.dry_run else "Recorded"
    output.info(
        f"{verb} answers: {result.imported} new, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.rejected} rejected"
        + (f" (of {result.rows} rows)" if result.source == "import" else "")
    )
    if result.mapping:
        output.table("Columns", ["Header", "Field"], [list(m) for m in result.mapping])
    if result.rejects:
        output.table(
            "Rejected rows",
            ["Row", "Field", "Reason"],
            [[r.row, r.field, r.reason] for r in result.rejects],
        )
    if result.not_fit:
        output.info(
            "Ended as not a fit: "
            + ", ".join(result.not_fit)
            + " (both people go back to the pool for the next 'mentorctl pair')"
        )
    if result.back_active:
        output.info("Active again: " + ", ".join(result.back_active))
    for warning in result.warnings:
        output.warn(warning)


def completed_result(done: Any, as_json: bool) -> None:
    pair = done.pair
    if as_json:
        output.emit_json(
            {
                "action": "completed",
                "pair": pair["id"],
                "status": pair["status"],
                "wrapup": done.wrapup,
                "dry_run": done.dry_run,
            }
        )
        return
    verb = "Would complete" if done.dry_run else "Completed"
    then = (
        "its wrap-up goes out with the next 'mentorctl checkin'"
        if done.wrapup
        else "no wrap-up will be sent"
    )
    output.info(f"{verb} pair {pair['id']} early ({pair['mentee']} with {pair['mentor']}); {then}.")


REPLY_STATUS = {
    "partial": "partly read",
    "note_only": "not read: kept as a note",
    "empty": "nothing written",
    "replaced": "replaced",
    "older": "older: not applied",
    "refused": "refused",
    "stranger": "not theirs",
    "auto_reply": "automatic reply",
    "receipt": "read receipt",
    "bounce": "bounce",
    "mentor_answer": "mentor's answer: look at it",
    "mentor_unclear": "mentor's answer: not read",
}


def replies_data(result: Any) -> dict[str, Any]:
    from mentorctl.checkins import mentor_answers

    got = result.answers
    return {
        "source": result.source,
        "kind": result.kind,
        "dry_run": result.dry_run,
        "messages": result.messages,
        "recorded": result.recorded,
        "already": result.already,
        "unknown": result.unknown,
        "strangers": result.strangers,
        "refused": result.refused,
        "empty": result.empty,
        "seen_before": result.seen_before,
        "not_theirs": result.not_theirs,
        "auto_replies": result.auto_replies,
        "receipts": result.receipts,
        "meeting_answers": result.meeting_answers,
        "choices": result.choices,
        "mentor_answers": mentor_answers.rows(result),
        "bounces": result.bounces,
        "failed_deliveries": result.failed_deliveries,
        "undeliverable": [
            {"pair": u.pair, "week": u.week, "person": u.person, "reason": u.reason}
            for u in result.undeliverable
        ],
        "unreadable": [
            {"position": x.position, "key": x.key, "reason": x.reason} for x in result.unreadable
        ],
        "moved": result.moved,
        "move_to": result.move_to,
        "answers": {"new": got.imported, "updated": got.updated, "unchanged": got.unchanged},
        "not_fit": got.not_fit,
        "back_active": got.back_active,
        "listed": [
            {
                "pair": x.pair,
                "week": x.week,
                "person": x.person,
                "status": x.status,
                "detail": x.detail,
                "position": x.position,
            }
            for x in result.listed
        ],
    }


def replies_summary(result: Any) -> str:
    got = result.answers
    line = f"replies ({result.kind}{', dry run' if result.dry_run else ''}): "
    line += f"{result.messages} message(s), {result.recorded} recorded"
    parts = [
        (got.imported, "new answer(s)"),
        (got.updated, "updated"),
        (result.already, "already recorded"),
        (result.unknown, "answer no known message (left alone)"),
        (result.strangers, "from someone else (left alone)"),
        (result.refused, "refused"),
        (result.empty, "empty"),
        (result.auto_replies, "automatic reply(-ies), not answers"),
        (result.receipts, "read receipt(s)"),
        (
            result.meeting_answers,
            "meeting answers" if result.meeting_answers > 1 else "meeting answer",
        ),
        (result.choices, "mentor choice(s) from a shortlist"),
        (len(result.mentor_answers), "mentor answer(s) to proposals"),
        (result.bounces, "bounce(s)"),
        (result.not_theirs, "naming someone else's message (ignored)"),
        (result.seen_before, "seen before (left alone)"),
        (len(result.unreadable), "unreadable (left where they are)"),
        (sum(1 for x in result.listed if x.status == "replaced"), "week(s) replaced"),
        (result.moved, f"moved to {result.move_to}"),
    ]
    line += "".join(f"; {n} {text}" for n, text in parts if n)
    return line


def replies_result(result: Any, as_json: bool, *, run: Any = None) -> None:
    """The replies read, then the weekly run's result when the same command did both."""
    from mentorctl.checkins import mentor_answers

    if as_json:
        data = replies_data(result)
        output.emit_json({"replies": data, "run": run_data(run)} if run is not None else data)
        return
    output.info(replies_summary(result))
    if result.listed:
        output.table(
            "Replies to look at (pair, week, person; read them in the mailbox)",
            ["Pair", "Week", "Person", "Status", "Detail", "Position"],
            [
                [
                    x.pair or "-",
                    x.week or "-",
                    x.person or "-",
                    REPLY_STATUS.get(x.status, x.status),
                    x.detail,
                    "" if x.position is None else x.position,
                ]
                for x in result.listed
            ],
        )
    answered = [r for r in mentor_answers.rows(result) if r["answer"] in ("yes", "no")]
    if answered:
        output.table(
            "Mentors' answers to proposals",
            ["Mentor", "Proposal", "Mentee", "Answer", "Pair"],
            [
                [r["mentor"], r["proposal"], r["mentee"], r["answer"], r["pair"] or "-"]
                for r in answered
            ],
        )
    if result.undeliverable:
        output.info(
            "Undeliverable from now on (nothing more is sent to these addresses): "
            + ", ".join(f"{u.person} ({u.reason})" for u in result.undeliverable)
        )
    if result.unreadable:
        output.table(
            "Messages that could not be read (left in the mailbox; position and key only)",
            ["Position", "Key", "Why"],
            [[x.position, x.key, x.reason] for x in result.unreadable],
        )
    if result.answers.not_fit:
        output.info(
            "Ended as not a fit: "
            + ", ".join(result.answers.not_fit)
            + " (both people go back to the pool for the next 'mentorctl pair')"
        )
    if result.answers.back_active:
        output.info("Active again: " + ", ".join(result.answers.back_active))
    if run is not None:
        run_result(run, False, table=False)
    elif result.dry_run:
        output.note("Dry run: nothing recorded or moved.")
