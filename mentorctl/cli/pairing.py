"""The pair command: proposals with scores and reasons, review, overrides and commit."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from mentorctl.cli import output
from mentorctl.cli.app import app
from mentorctl.cli.common import DryRunOpt, JsonOpt, ProgramOpt, TodayOpt, WorkspaceOpt
from mentorctl.cli.common import errors_to_exit as _errors_to_exit
from mentorctl.errors import UsageError


@app.command(
    "pair",
    short_help="Pair mentees with mentors, with reasons.",
    epilog="Example: mentorctl pair            (propose; then --review or --commit to save)\n\n"
    "Example: mentorctl pair --shortlist 3 --send   (mentees choose; 'checkin --replies' reads)",
)
def pair_cmd(
    method: Annotated[
        str,
        typer.Option(
            "--method",
            metavar="METHOD",
            help="optimal (most pairs, then best scores), stable or greedy.",
        ),
    ] = "optimal",
    seed: Annotated[
        int, typer.Option("--seed", metavar="N", help="Breaks ties between equal choices.")
    ] = 0,
    commit: Annotated[bool, typer.Option("--commit", help="Save all proposals as pairs.")] = False,
    review: Annotated[
        bool,
        typer.Option("--review", help="Go through proposals one by one: accept, skip or quit."),
    ] = False,
    redo: Annotated[
        bool,
        typer.Option(
            "--redo",
            help="Also re-plan proposals not yet introduced (locked ones and pairs added by "
            "hand stay).",
        ),
    ] = False,
    redo_manual: Annotated[
        bool,
        typer.Option("--redo-manual", help="With --redo: re-plan pairs added by hand (--add) too."),
    ] = False,
    add: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--add",
            metavar="MENTEE MENTOR",
            help="Pair MENTEE with MENTOR by hand (ids or emails).",
            show_default=False,
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--end", metavar="PAIR", help="End PAIR (its id, or a person in it)."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", metavar="TEXT", help="Why the pair ends.")
    ] = None,
    lock: Annotated[
        str | None,
        typer.Option(
            "--lock", metavar="PAIR", help="Lock PAIR: kept by --redo, not ended without --force."
        ),
    ] = None,
    unlock: Annotated[
        str | None, typer.Option("--unlock", metavar="PAIR", help="Unlock PAIR.")
    ] = None,
    notify_waiting: Annotated[
        bool,
        typer.Option(
            "--notify-waiting",
            help="With --commit or --review: tell each mentee still waiting that they are on "
            "the list (once; to the outbox, delivered by 'checkin --send').",
        ),
    ] = False,
    return_: Annotated[
        str | None,
        typer.Option(
            "--return",
            metavar="PERSON",
            help="Put PERSON, who finished a pair, back into this round.",
        ),
    ] = None,
    round_: Annotated[
        int | None,
        typer.Option(
            "--round",
            metavar="N",
            min=1,
            help="With --commit, --review or --add: save the pairs in round N (an existing "
            "round or the next). Default: the latest round until its weeks are over, then the "
            "next.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="With --add: pair despite a rule; with --end: end a locked pair."
        ),
    ] = False,
    fairness_by: Annotated[
        str | None,
        typer.Option(
            "--fairness-by",
            metavar="FIELD",
            help="Show match rate, average score and days waited per group of FIELD "
            "(language, timezone, organisation or a sign-up column). Default: program.yaml's "
            "fairness.by.",
        ),
    ] = None,
    suggest_weights: Annotated[
        bool,
        typer.Option(
            "--suggest-weights",
            help="Suggest criteria weights from the program's finished pairs (prints the "
            "lines to copy into program.yaml; changes nothing).",
        ),
    ] = False,
    shortlist: Annotated[
        int | None,
        typer.Option(
            "--shortlist",
            metavar="K",
            help="Offer each waiting mentee their K best mentors by email, to reply with their "
            "choice (again only when it changed; to the outbox, or --send).",
        ),
    ] = None,
    send: Annotated[
        bool,
        typer.Option("--send", help="With --shortlist or --ask-mentors: deliver over SMTP too."),
    ] = False,
    ask_mentors: Annotated[
        bool,
        typer.Option(
            "--ask-mentors",
            help="Ask each mentor about their proposed mentees by email instead of saving "
            "pairs; 'checkin --replies' reads the answers (a yes makes the pair).",
        ),
    ] = False,
    withdraw_ask: Annotated[
        str | None,
        typer.Option(
            "--withdraw-ask",
            metavar="PROPOSAL",
            help="Take back a proposal put to a mentor (its id, or a person: all of theirs).",
        ),
    ] = None,
    expire_asks: Annotated[
        int | None,
        typer.Option(
            "--expire-asks",
            metavar="DAYS",
            help="Close proposals unanswered for more than DAYS days; that mentor is not "
            "proposed for that mentee again.",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Propose pairs of mentees and mentors with scores and reasons; review, commit, override."""
    from mentorctl import clock
    from mentorctl.cli import render
    from mentorctl.matching import pairs
    from mentorctl.programs import program as programs

    with _errors_to_exit():
        actions = [
            name
            for name, value in (
                ("--add", add),
                ("--end", end),
                ("--lock", lock),
                ("--unlock", unlock),
                ("--return", return_),
            )
            if value
        ]
        if suggest_weights:
            actions.append("--suggest-weights")
        if shortlist is not None:
            actions.append("--shortlist")
        if send and shortlist is None and not ask_mentors:
            raise UsageError("--send goes with --shortlist or --ask-mentors")
        actions += _ask_actions(ask_mentors, withdraw_ask, expire_asks, commit or review)
        if len(actions) > 1 or (actions and (commit or review or redo)):
            raise UsageError(
                "choose one action: propose (with --commit or --review), --add, --end, --lock, "
                "--unlock, --return, --suggest-weights, --shortlist, --ask-mentors, "
                "--withdraw-ask or --expire-asks"
            )
        if redo_manual and not redo:
            raise UsageError("--redo-manual goes with --redo")
        if round_ is not None and not (commit or review or add):
            raise UsageError("--round goes with --commit, --review or --add")
        if notify_waiting and not (commit or review):
            raise UsageError("--notify-waiting goes with --commit or --review")
        if dry_run and not (actions or commit or review):
            raise UsageError(
                "--dry-run only applies with --commit, --review, --add, --end, --lock or "
                "--unlock: proposing pairs writes nothing"
            )
        if method not in ("optimal", "stable", "greedy"):
            raise UsageError(f"--method '{method}': expected optimal, stable or greedy")
        prog, paths = programs.open_program(workspace, program)
        day, now = clock.today(today), clock.now(today=today)
        if suggest_weights:
            from mentorctl.cli import render_fairness
            from mentorctl.matching import learn

            with output.progress("Learning from finished pairs"):
                found = learn.from_store(prog, paths.store_path, today=day, seed=seed)
            render_fairness.suggestion(found, as_json)
            return
        if shortlist is not None:
            from mentorctl.checkins import shortlist_notice
            from mentorctl.cli import render_shortlist
            from mentorctl.cli.messages import _exit_on_failures

            done = shortlist_notice.offer(
                prog, paths, shortlist, today=day, now=now, send=send, dry_run=dry_run, seed=seed
            )
            render_shortlist.shortlist_result(done, as_json)
            _exit_on_failures(done.run)
            return
        if withdraw_ask or expire_asks is not None:
            from mentorctl.cli import render_asks
            from mentorctl.matching import proposals

            if withdraw_ask:
                closed = proposals.withdraw(paths.store_path, withdraw_ask, now=now,
                                            dry_run=dry_run)  # fmt: skip
            else:
                closed = proposals.expire(paths.store_path, expire_asks or 0, now=now,
                                          dry_run=dry_run)  # fmt: skip
            render_asks.closed_result(closed, as_json)
            return
        if return_:
            from mentorctl.cli import render_people
            from mentorctl.matching import people_status

            back = people_status.return_person(paths.store_path, return_, now=now, dry_run=dry_run)
            render_people.status_result(back, as_json)
            return
        if actions and not ask_mentors:
            if add:
                done = pairs.add(
                    prog,
                    paths.store_path,
                    add[0],
                    add[1],
                    force=force,
                    today=day,
                    now=now,
                    round_=round_,
                    dry_run=dry_run,
                )
            elif end:
                done = pairs.end(
                    paths.store_path,
                    end,
                    reason=reason or "",
                    force=force,
                    now=now,
                    dry_run=dry_run,
                )
            else:
                done = pairs.lock(
                    paths.store_path,
                    lock or unlock or "",
                    locked=bool(lock),
                    now=now,
                    dry_run=dry_run,
                )
            render.override_result(done, _people(paths.store_path), as_json)
            return
        if prog.data.get("format") == "circles":
            if ask_mentors:
                raise UsageError("--ask-mentors proposes pairs; this program matches circles")
            from mentorctl.cli.circles import propose_circles

            propose_circles(
                prog,
                paths,
                method=method,
                seed=seed,
                commit=commit,
                review=review,
                redo=redo,
                notify_waiting=notify_waiting,
                round_=round_,
                day=day,
                now=now,
                dry_run=dry_run,
                as_json=as_json,
            )
            return
        with output.progress("Scoring pairs") as bar:
            plan = pairs.plan(
                prog,
                paths.store_path,
                method=method,
                seed=seed,
                today=day,
                redo=redo,
                redo_manual=redo_manual,
                progress=bar,
                fairness_by=fairness_by,
            )
        if ask_mentors:
            from mentorctl.checkins import mentor_ask
            from mentorctl.cli import render_asks
            from mentorctl.cli.messages import _exit_on_failures

            asked = mentor_ask.ask_mentors(
                prog, paths, plan, today=day, now=now, send=send, dry_run=dry_run
            )
            render_asks.ask_result(asked, plan, as_json)
            _exit_on_failures(asked.run)
            return
        committed = None
        if review or commit:
            committed = pairs.commit(
                plan,
                paths.store_path,
                program=prog,
                accepted=_review(plan) if review else None,
                today=day,
                now=now,
                round_=round_,
                dry_run=dry_run,
            )
        notified = None
        if notify_waiting and committed is not None:
            from mentorctl.checkins.notices import notify_waiting as notify

            waiting = [u.mentee_id for u in plan.result.unmatched]
            waiting += [m for m, _, _ in committed.skipped]
            notified = notify(prog, paths, waiting, today=day, now=now, dry_run=dry_run)
        render.plan_result(plan, committed, as_json, notified)


def _ask_actions(ask: bool, withdraw: str | None, expire: int | None, saving: bool) -> list[str]:
    """The options of proposals put to mentors that are actions of their own."""
    if ask and saving:
        raise UsageError("--ask-mentors saves no pairs: leave out --commit and --review")
    named = [("--ask-mentors", ask), ("--withdraw-ask", withdraw is not None),
             ("--expire-asks", expire is not None)]  # fmt: skip
    return [name for name, given in named if given]


def _people(store_path: Path) -> dict[str, dict[str, Any]]:
    from mentorctl.matching.pairs import snapshot
    from mentorctl.store.db import Store

    with Store.reading(store_path) as store:
        return snapshot(store).by_id


def _review(plan: Any) -> list[int]:
    """Ask about each proposal on stderr; stdin answers a (accept), s (skip) or q (quit)."""
    people = plan.snapshot.by_id
    accepted: list[int] = []
    total = len(plan.result.pairs)
    for index, proposal in enumerate(plan.result.pairs):
        mentee = people.get(proposal.mentee_id, {}).get("name", proposal.mentee_id)
        mentor = people.get(proposal.mentor_id, {}).get("name", proposal.mentor_id)
        output.note(
            f"\n[{index + 1}/{total}] {mentee} ({proposal.mentee_id}) with {mentor} ({proposal.mentor_id}), score {proposal.score:.2f}"
        )
        for line in proposal.reasons:
            output.note(f"  - {line}")
        for line in proposal.against:
            output.note(f"  - against: {line}")
        answer = _ask("accept, skip or quit? [a/s/q] ")
        if answer == "q":
            break
        if answer == "a":
            accepted.append(index)
    output.note(f"Accepted {len(accepted)} of {total} proposals.")
    return accepted


def _ask(prompt: str) -> str:
    while True:
        sys.stderr.write(prompt)
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:  # end of input: stop reviewing, keep what was accepted
            return "q"
        answer = line.strip().lower()[:1]
        if answer in ("a", "s", "q"):
            return answer
        sys.stderr.write("please answer a, s or q\n")
