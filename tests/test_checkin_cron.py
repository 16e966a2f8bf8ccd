"""mentorctl checkin as cron runs it: real processes, plain output, exit codes, overlapping runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from messages_fixtures import (  # noqa: F401  (fixtures)
    PAIR_PEOPLE,
    introduced_fixture,
    messages,
    paired_fixture,
    smtp_server_fixture,
    use_smtp,
)

from mentorctl.mail.delivery import EXIT_DELIVERY_FAILED


def _mentorctl(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mentorctl", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_cron_run_prints_one_plain_line_and_exits_0(introduced: Path) -> None:
    done = _mentorctl("checkin", "-w", introduced)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "checkin 2026-03-02 (outbox): 4 message(s) (4 weekly) written\n"
    assert done.stderr == ""
    assert "\x1b[" not in done.stdout
    again = _mentorctl("checkin", "-w", introduced, "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout)["messages"] == []


def test_cron_run_with_a_failed_delivery_exits_4_after_sending_the_rest(
    introduced: Path, smtp_server
) -> None:
    use_smtp(introduced, smtp_server.port)
    smtp_server.handler.refuse = {"raj@example.org"}
    smtp_server.handler.refusal = "450 4.2.1"  # temporary: retried
    done = _mentorctl("checkin", "--send", "--outbox-delivered", "-w", introduced)
    assert done.returncode == EXIT_DELIVERY_FAILED, done.stderr
    first = done.stdout.splitlines()[0]
    assert first == "checkin 2026-03-02 (SMTP): 4 message(s) (4 weekly): 3 sent, 1 failed"
    assert "Failed deliveries" in done.stdout and "450" in done.stdout
    assert "raj@example.org" not in done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("mentorctl: error:")]
    assert len(errors) == 1 and "could not be delivered" in errors[0]
    assert [r.rcpt_tos for r in smtp_server.handler.received] == [
        ["ann@example.org"],
        ["meg@example.org"],
        ["bo@example.org"],
    ]
    smtp_server.handler.refuse = set()
    retry = _mentorctl("checkin", "--send", "-w", introduced)
    assert retry.returncode == 0, retry.stderr
    assert smtp_server.handler.received[-1].rcpt_tos == ["raj@example.org"]
    assert len(smtp_server.handler.received) == 4


def test_no_password_prompt_without_a_terminal(introduced: Path, smtp_server) -> None:
    use_smtp(introduced, smtp_server.port, username="mailer", password_env="CRON_TEST_PW")
    env = {k: v for k, v in os.environ.items() if k != "CRON_TEST_PW"}
    done = subprocess.run(
        [
            *(sys.executable, "-m", "mentorctl", "checkin", "--send", "--outbox-delivered"),
            *("-w", str(introduced)),
        ],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert done.returncode == 1
    assert "CRON_TEST_PW is not set" in done.stderr and "password for" not in done.stderr
    assert smtp_server.handler.received == []


def test_two_runs_at_once_send_each_message_once(introduced: Path, smtp_server) -> None:
    """A slow server keeps the first run holding the store's lock; the second waits for it,
    then finds everything recorded and sends nothing."""
    use_smtp(introduced, smtp_server.port)
    smtp_server.handler.delay = 0.3
    env = {**os.environ, "MENTORCTL_LOCK_TIMEOUT": "60"}
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mentorctl",
                "checkin",
                "--send",
                "--outbox-delivered",
                "--json",
                "-w",
                str(introduced),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=120) for r in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
    sent = sorted(len(json.loads(out)["messages"]) for out, _ in outputs)
    assert sent == [0, 4]
    received = smtp_server.handler.received
    assert len(received) == 4
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(
        a for p in PAIR_PEOPLE.values() for a in p
    )
    assert {m["status"] for m in messages(introduced) if m["kind"] == "weekly"} == {"sent"}


def test_a_run_that_cannot_get_the_lock_exits_75(introduced: Path) -> None:
    hold = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from mentorctl.store.db import Store\n"
        "with Store.writing(Path(sys.argv[1])):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(10)\n"
    )
    store = introduced / "test-program" / "data" / "store.json"
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(store)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        done = _mentorctl("checkin", "-w", introduced, env={"MENTORCTL_LOCK_TIMEOUT": "0.3"})
        assert done.returncode == 75
        assert done.stdout == ""
    finally:
        holder.kill()
        holder.wait()


def test_the_documented_crontab_line_works_in_crons_bare_environment(introduced: Path) -> None:
    """cron runs jobs with almost no environment: no PATH to the venv, no terminal, no locale.
    The README's line names the executable and the workspace by absolute path."""
    executable = Path(sys.executable).parent / "mentorctl"
    assert executable.is_file()
    log = introduced / "checkin.log"
    line = f"{executable} checkin --all-programs --send -w {introduced} >> {log} 2>&1"
    done = subprocess.run(
        ["/bin/sh", "-c", line.replace("--send ", "")],  # outbox only: no server in this test
        capture_output=True,
        text=True,
        env={"HOME": str(introduced), "PATH": "/usr/bin:/bin", "MENTORCTL_TODAY": "2026-03-02"},
        stdin=subprocess.DEVNULL,
        cwd="/",
        timeout=120,
    )
    assert done.returncode == 0, log.read_text()
    assert done.stdout == ""
    assert log.read_text() == (
        "test-program: checkin 2026-03-02 (outbox): 4 message(s) (4 weekly) written\n"
    )


def _weekly(workspace: Path, when: str) -> list[tuple[str, str, int]]:
    done = _mentorctl("checkin", "-w", workspace, "--json", "--today", when)
    assert done.returncode == 0, done.stderr
    return [(m["pair"], m["kind"], m["week"]) for m in json.loads(done.stdout)["messages"]]


def test_week_one_is_never_skipped_when_the_weekly_run_came_before_the_introduction(
    paired: Path,
) -> None:
    """Introduced on Monday after that day's run: the next Monday is already the pairs' week 2
    by the calendar, and week 1 (its step and the fit question) comes then; their weeks count
    on from there: every step comes, one a week, and the end a week later."""
    assert _weekly(paired, "2026-03-02") == []
    intro = _mentorctl("introduce", "-w", paired, "--json", "--today", "2026-03-02")
    assert intro.returncode == 0, intro.stderr
    assert sorted(set(_weekly(paired, "2026-03-09"))) == [("M1", "weekly", 1), ("M2", "weekly", 1)]
    text = (paired / "test-program" / "outbox" / "M1-weekly-w01-P3.eml").read_text()
    assert "Is this match working for you so far?" in text
    assert _weekly(paired, "2026-03-12") == []  # one scheduled message a week
    import datetime as dt

    monday = dt.date(2026, 3, 16)
    for week in range(2, 9):
        got = sorted(set(_weekly(paired, monday.isoformat())))
        assert got == [("M1", "weekly", week), ("M2", "weekly", week)], monday
        monday += dt.timedelta(days=7)
    # the last step (week 8) came on 04-27; the end comes on 05-04, never before
    assert monday == dt.date(2026, 5, 4)
    assert sorted(set(_weekly(paired, monday.isoformat()))) == [
        ("M1", "lapsed", 8), ("M2", "lapsed", 8),
    ]  # fmt: skip


def test_week_one_with_the_introduction_when_the_program_asks(paired: Path) -> None:
    from messages_fixtures import same_day

    assert _mentorctl("introduce", "-w", paired, "--today", "2026-03-02").returncode == 0
    assert _weekly(paired, "2026-03-02") == []  # not on the day of the introduction
    same_day(paired)
    assert sorted(set(_weekly(paired, "2026-03-02"))) == [("M1", "weekly", 1), ("M2", "weekly", 1)]
