"""Killing ``introduce --send`` and ``checkin --send`` (SIGKILL) at random moments, with a real
SMTP server (aiosmtpd, in its own process) counting what arrives: nothing is lost, and almost
nothing goes twice.

Two servers: one that answers at once, and a slow one that takes 50 ms to answer a message's
data and drops the message when the client is gone before it answers (as a server that
filters or scans before its "250" does). Each trial puts the program back as it was before
the command, starts the command in a forked process (a real mentorctl run, with its own SMTP
connection), kills it at a random moment between just before its first message leaves and
just after its last (measured on a complete run), then runs the command to completion.
Every message must then have reached each of its recipients; with the server that answers at
once, at most 1 in 100 kills may give someone a second copy (over this plain connection the
run's standby process, mentorctl/mail/standby.py, settles the message in flight, so none
should). The suite runs a few dozen kills;
benchmarks/bench_delivery_crash.py runs hundreds (``MENTORCTL_CRASH_KILLS`` kills per command
and server).
"""

from __future__ import annotations

import importlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import PROGRAM, write_csv
from messages_fixtures import edit_program, use_smtp
from messages_fixtures import pairs as all_pairs

from mentorctl.cli.app import app

NOW = "2026-03-02T09:00:00+00:00"
# (pairs, kills per command) for each server; MENTORCTL_CRASH_KILLS sets the kills.
SERVERS = {"at-once": (10, 15, 0.0), "slow-dropping": (3, 6, 0.05)}


def _kills(default: int) -> int:
    return int(os.environ.get("MENTORCTL_CRASH_KILLS") or default)


def _signups(pairs: int) -> str:
    lines = ["Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity"]
    for i in range(pairs):
        lines.append(f"mentor{i}@example.org,Mentor {i},Mentor,50,,Networking,English,UTC,1")
        lines.append(f"mentee{i}@example.org,Mentee {i},Mentee,30,Networking,,English,UTC,")
    return "\n".join(lines) + "\n"


def _run(args: list[str]) -> int:
    """Fork a process running ``mentorctl ARGS``; its pid."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            # mentorctl's output is not needed; keep the test's own output readable.
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            app(args, prog_name="mentorctl", standalone_mode=False)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    return pid


def _complete(args: list[str]) -> int:
    _, status = os.waitpid(_run(args), 0)
    return os.waitstatus_to_exitcode(status)


class Program:
    """The program's folder saved once and put back before each trial."""

    def __init__(self, workspace: Path) -> None:
        self.dir = workspace / PROGRAM
        self.saved = workspace.parent / "saved"

    def save(self) -> None:
        shutil.rmtree(self.saved, ignore_errors=True)
        shutil.copytree(self.dir, self.saved, symlinks=True)

    def restore(self) -> None:
        shutil.rmtree(self.dir)
        shutil.copytree(self.saved, self.dir, symlinks=True)


# The server runs in its own process: in the test's process, its thread would share the GIL
# with the thread that kills, and the kills would cluster just after the server's replies.
# With a delay it answers a message's data that much later, and only then keeps it: when the
# client is gone before, aiosmtpd cancels the handler and the message is dropped.
SERVER = """
import asyncio, re, sys, time
sys.path.insert(0, sys.argv[2])
from messages_fixtures import EphemeralController

log = open(sys.argv[1], "a", buffering=1)
delay = float(sys.argv[3])
MID = re.compile(rb"^Message-ID:\\s*(\\S+)", re.M | re.I)

class Counting:
    async def handle_DATA(self, server, session, envelope):
        if delay:
            await asyncio.sleep(delay)
        mid = MID.search(envelope.content).group(1).decode()
        log.write("".join(f"{time.monotonic()} {mid} {r}\\n" for r in envelope.rcpt_tos))
        return "250 OK"

controller = EphemeralController(Counting(), hostname="127.0.0.1", port=0)
controller.start()
print(controller.port, flush=True)
sys.stdin.read()
controller.stop()
"""


class Server:
    """The counting SMTP server's log: ``(time, Message-ID, recipient)`` per accepted copy."""

    def __init__(self, log: Path, pairs: int, kills: int) -> None:
        self.log = log
        self.start = 0
        self.pairs = pairs
        self.kills = kills

    def lines(self) -> list[tuple[float, str, str]]:
        rows = self.log.read_text().splitlines()[self.start :]
        return [(float(t), mid, rcpt) for t, mid, rcpt in (row.split(" ") for row in rows)]

    def clear(self) -> None:
        self.start += len(self.lines())

    def keys(self) -> Counter:
        return Counter((mid, rcpt) for _, mid, rcpt in self.lines())


@pytest.fixture(params=list(SERVERS))
def program_and_server(
    request, workspace: Path, cli, monkeypatch, tmp_path: Path
) -> Iterator[tuple[Path, Server]]:
    pairs, kills, delay = SERVERS[request.param]
    # What every run imports, imported once here, and short templates (Jinja compiles them
    # in every run): a run's time is mostly its sending, where the kills matter.
    for module in ("jinja2.sandbox", "smtplib", "mentorctl.checkins.run", "mentorctl.cli.messages"):
        importlib.import_module(module)
    messages_dir = workspace / PROGRAM / "messages"
    (messages_dir / "intro.txt.j2").write_text("Hello {{ mentee.first_name }}!\n")
    (messages_dir / "weekly.txt.j2").write_text("Week {{ week }}: {{ step.title }}\n")
    edit_program(workspace, lambda d: d["messages"]["intro"].pop("html"))
    edit_program(workspace, lambda d: d["checkin"].update(first_week_with_introduction=True))
    monkeypatch.setenv("MENTORCTL_NOW", NOW)
    monkeypatch.setenv("MENTORCTL_LOCK_TIMEOUT", "10")
    csv = write_csv(workspace / "signups.csv", _signups(pairs))
    assert cli("import-signups", csv, "-w", workspace).exit_code == 0
    result = cli("pair", "--commit", "-w", workspace)
    assert result.exit_code == 0, result.output
    assert len(all_pairs(workspace)) == pairs
    log = tmp_path / "received.log"
    log.touch()
    tests = str(Path(__file__).parent)
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(log), tests, str(delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        use_smtp(workspace, int(server.stdout.readline()))
        yield workspace, Server(log, pairs, _kills(kills))
    finally:
        server.communicate("")


def _trials(workspace: Path, server: Server, command: str, seed: int) -> dict[str, int]:
    args = [command, "--send", "-w", str(workspace)]
    program = Program(workspace)
    program.save()
    server.clear()
    started = time.monotonic()
    assert _complete(args) == 0
    times = [t for t, _, _ in server.lines()]
    first, last = min(times) - started, max(times) - started
    expected = set(server.keys())
    everyone = 2 * server.pairs
    assert len(expected) == everyone and all(n == 1 for n in server.keys().values())
    rng = random.Random(seed)
    figures = {"kills": 0, "duplicates": 0, "lost": 0, "mid_send": 0}
    for _ in range(server.kills):
        program.restore()
        server.clear()
        pid = _run(args)
        # Any moment from just before the first message leaves to just after the last.
        time.sleep(rng.uniform(first * 0.8, last * 1.05))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        figures["kills"] += 1
        figures["mid_send"] += 0 < len(server.keys()) < everyone
        assert _complete(args) in (0, 4)
        if set(server.keys()) != expected:  # a retry failed: run once more, as cron would
            assert _complete(args) == 0
        got = server.keys()
        figures["lost"] += len(expected - set(got))
        figures["duplicates"] += sum(n - 1 for n in got.values())
    program.restore()  # as it was before the trials, so more of them can follow
    server.clear()
    return figures


@pytest.mark.slow
def test_killed_sends_lose_nothing_and_repeat_almost_nothing(
    program_and_server: tuple[Path, Server], cli
) -> None:
    workspace, server = program_and_server
    intro = _trials(workspace, server, "introduce", seed=1)
    assert cli("introduce", "--send", "-w", workspace).exit_code == 0  # week 1 is now due
    weekly = _trials(workspace, server, "checkin", seed=2)
    total = {k: intro[k] + weekly[k] for k in intro}
    # On a busy machine the pace of a run differs from the one the kills were aimed by, and
    # fewer land while messages are going out: more trials then, until enough have.
    wanted = total["kills"] // 5
    for extra in range(3):
        if total["mid_send"] >= wanted:
            break
        more = _trials(workspace, server, "checkin", seed=3 + extra)
        total = {k: total[k] + more[k] for k in total}
    kind = "slow-dropping" if server.pairs == SERVERS["slow-dropping"][0] else "at-once"
    print(f"crash figures {kind}: {json.dumps(total)}")
    assert total["lost"] == 0, total
    assert total["mid_send"] >= wanted, f"too few kills landed while sending: {total}"
    if kind == "at-once":
        # A few dozen kills cannot measure 1 in 100 (measured: 3 kills in that window in
        # 360); they do show the window is narrow: two kills there at most, each a copy to a
        # message's two people. benchmarks/bench_delivery_crash.py checks 1 in 100 over
        # hundreds of kills.
        assert total["duplicates"] <= max(4, total["kills"] // 100), total
