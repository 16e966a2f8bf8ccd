"""Ten weeks of one workspace as an admin lives them: two programs, two rounds, one person in
both, one crontab line and one organisers' mailbox.

The career program (career template, eight weeks) starts on Monday 2026-03-02 with the
sign-ups of a Google Forms export. The parents' program (parenting template, six weeks) is
made a week later from an anonymous Microsoft Forms export and the parents' association's own
Excel sheet (Windows-1252, semicolons). Inès Müller signs up to both with the same address: a
mentee in the first, a mentor of three parents in the second.

Four weeks in, a second intake of career mentees arrives through a Typeform form whose goals
question is one column per choice. The admin pairs them with the mentors' spare places and
commits them with ``pair --commit --round 2``: without it they would join round 1 as late
sign-ups (round 1's weeks are not over), and the admin wants each intake's calendar, answer
rates and outcomes apart, to compare the two cohorts at the committee. Waiting until round 1
is over (week 9) would leave the new mentees idle for a month, and only two of their weeks
inside the ten.

From day 1 one crontab line runs every morning, as the README writes it: ``checkin
--all-programs --replies MAILDIR --move-to Recorded --send`` against a real SMTP server
(aiosmtpd); the first morning through a real shell, the others in-process with ``--today``.
Daily, not weekly: the admin's cron runs every day, so a message must never come twice in a
week, and a reply is read the morning after it was written. People answer the messages they received, in one Maildir
written with the stdlib ``mailbox`` module: threaded replies from several mail clients, a few
that trimmed the quote down to the pair code, an out-of-office auto-reply, and one new email
naming a pair code but no thread, which is never placed.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import json
import mailbox
import os
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import FIXTURES, read_store
from messages_fixtures import SENDER, Collector, EphemeralController, local_smtp
from typer import testing as typer_testing
from typer.testing import CliRunner, Result

from mentorctl.cli.app import app

# One worker builds the ten weeks, and runs every test of them (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("workspace_scenario")

SIGNUPS = FIXTURES / "scenario"
CAREER, PARENTS = "career-2026", "parents-2026"
DAY0 = dt.date(2026, 3, 2)  # a Monday: the career program starts
PARENTS_DAY = DAY0 + dt.timedelta(days=7)  # the parents' program is made and starts
ROUND2_DAY = DAY0 + dt.timedelta(days=28)  # week 5 of round 1: the second intake
SNAPSHOT_DAY = DAY0 + dt.timedelta(days=30)  # the admin draws the reports
LAST_DAY = DAY0 + dt.timedelta(days=70)  # ten weeks of cron runs
ONE_DAY = dt.timedelta(days=1)
ADDRESS = "ines.muller@example.org"
NAMES = ("Inès Müller", "Inès", "Müller")
CRONTAB = (
    "15 9 * * *  mentorctl checkin --all-programs --replies {maildir} --move-to Recorded --send"
    " -w {workspace} >> {workspace}/checkin.log 2>&1"
)


def _day(day: dt.date) -> str:
    return day.isoformat()


# -- how each person answers -------------------------------------------------------------------
# (program, name) -> their mail client's way of replying, how many days after the message, and
# which weeks they answer (a function of the week and the partner's first name).


@dataclass(frozen=True)
class Habit:
    style: str  # gmail | outlook | apple | code_only | bottom
    delay: int = 1
    weeks: Callable[[int, str], bool] = lambda week, partner: True


HABITS: dict[tuple[str, str], Habit] = {
    (CAREER, "Inès Müller"): Habit("gmail"),
    (CAREER, "Tomás Ferreira"): Habit("outlook", delay=2),
    (CAREER, "Zoë Ångström"): Habit("apple", weeks=lambda w, p: p != "Li" or w <= 2),
    (CAREER, "Aoife Ní Bhriain"): Habit("code_only"),
    (CAREER, "Kwame Mensah"): Habit("gmail", weeks=lambda w, p: w <= 2),
    (CAREER, "Li Wei"): Habit("gmail", weeks=lambda w, p: w == 1),
    (CAREER, "Priya Natarajan"): Habit("gmail"),
    (CAREER, "Sam O'Neill"): Habit("code_only", delay=2, weeks=lambda w, p: w in (1, 2, 4)),
    (PARENTS, "Inès Müller"): Habit("gmail"),
    (PARENTS, "Grace Okoye"): Habit("code_only"),
    (PARENTS, "Dmitri Volkov"): Habit("bottom", weeks=lambda w, p: w <= 3),
    (PARENTS, "Ségolène Faure"): Habit("outlook"),
    (PARENTS, "Chloé Martin"): Habit("apple", delay=2, weeks=lambda w, p: w % 2 == 1),
    # Björn Lindqvist never answers.
}
FEEDBACK = {
    CAREER: "Practising the salary conversation out loud helped most.",
    PARENTS: "Hearing how the others managed mornings helped me as much as them.",
}
AWAY = (CAREER, "Kwame Mensah", 3)  # his week-3 message meets his out-of-office reply


def progress(program: str, name: str, week: int) -> int:
    """A different number in each program, so an answer filed in the wrong one shows."""
    return 1 + (len(name) + week + (2 if program == PARENTS else 0)) % 5


def answer_text(program: str, name: str, week: int) -> str:
    lines = ["1. yes", f"2. {progress(program, name, week)}"]
    lines.append(f"3. {'Coffee' if program == CAREER else 'A walk'} in week {week}, all good.")
    if week == 1:
        lines.append("4. yes")
    return "\n".join(lines)


@dataclass
class Sent:
    """A message the SMTP server accepted, placed by the store that recorded it."""

    program: str
    doc: dict[str, Any]
    rcpt_tos: list[str]
    message: EmailMessage
    day: dt.date


@dataclass
class Scenario:
    root: Path
    maildir: Path
    downloads: Path
    cli: Callable[..., Result]
    sent: list[Sent] = field(default_factory=list)
    expected: dict[str, dict[tuple[str, str, int], dict[str, Any]]] = field(default_factory=dict)
    replies: Counter[str] = field(default_factory=Counter)  # sent, to be recorded
    round2_pairs: set[str] = field(default_factory=set)
    snapshots: dict[tuple[str, ...], dict] = field(default_factory=dict)  # drawn on day 30
    redrawn: dict[tuple[str, ...], dict] = field(default_factory=dict)  # day 30, drawn at the end
    at_end: dict[tuple[str, ...], dict] = field(default_factory=dict)
    final: dict[str, dict[str, Any]] = field(default_factory=dict)  # the stores at the end
    found: list[dict] = field(default_factory=list)  # people --all-programs --search, at the end
    cron_codes: list[int] = field(default_factory=list)

    def store(self, program: str) -> dict[str, Any]:
        return read_store(self.root / program / "data" / "store.json")

    def report(self, program: str, *args: str, today: dt.date = LAST_DAY) -> dict:
        result = self.cli("report", "-w", self.root, "-p", program, "--json",
                          "--today", _day(today), *args)  # fmt: skip
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def _parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _point_at_smtp(folder: Path, port: int) -> None:
    path = folder / "program.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sender"]["email"] = SENDER  # one organisers' mailbox for both programs
    data["smtp"] = local_smtp(port)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _mentees_have_goals(store: dict[str, Any]) -> None:
    for person in store["people"].values():
        if person["role"] in ("mentee", "both"):
            assert person["goals"], person["name"]


# -- replies as people write them ------------------------------------------------------------


def _reply(sent: Sent, person: dict[str, Any], text: str, style: str, day: dt.date, n: int):
    original = sent.message
    body = original.get_body(("plain",))
    assert body is not None
    quoted_lines = body.get_content().splitlines()
    sender = email.utils.parseaddr(str(original["From"]))
    when = email.utils.format_datetime(sent_time(sent.day))
    if style == "gmail":
        attribution = f"On {when[:16]} at 09:15, {sender[0]} <{sender[1]}> wrote:"
        text += "\n\n" + attribution + "\n\n" + "\n".join(f"> {x}".rstrip() for x in quoted_lines)
    elif style == "apple":
        attribution = f"On {sent.day:%d %b %Y}, at 09:15, {sender[0]} <{sender[1]}> wrote:"
        text += "\n\nSent from my iPhone\n\n" + attribution + "\n\n"
        text += "\n".join(f"> {x}".rstrip() for x in quoted_lines)
    elif style == "outlook":
        text += (
            "\n\n________________________________\n"
            f"From: {sender[0]} <{sender[1]}>\nSent: {sent.day:%A, %B %d, %Y} 9:15 AM\n"
            f"To: {person['name']} <{person['email']}>\nSubject: {original['Subject']}\n\n"
            + "\n".join(quoted_lines)
        )
    elif style == "code_only":  # the quote trimmed away, the footer left as it was
        text += "\n\n" + quoted_lines[-1]
        assert quoted_lines[-1].startswith("Pair code: M")
    elif style == "bottom":
        attribution = f"On {when[:16]}, {sender[0]} wrote:"
        quote = "\n".join(f"> {x}".rstrip() for x in quoted_lines)
        text = attribution + "\n" + quote + "\n\n" + text + "\n\nDmitri"
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr((person["name"], person["email"].capitalize()))
    msg["To"] = str(original["Reply-To"] or original["From"])
    msg["Subject"] = f"Re: {original['Subject']}"
    msg["Date"] = email.utils.format_datetime(
        dt.datetime(day.year, day.month, day.day, 7, n % 60, tzinfo=dt.UTC)
    )
    msg["Message-ID"] = f"<{day:%Y%m%d}.{n}.reply@mail.example.net>"
    msg["In-Reply-To"] = str(original["Message-ID"])
    references = str(original.get("References") or "")
    msg["References"] = (references + " " + str(original["Message-ID"])).strip()
    msg.set_content(text)
    return msg


def _out_of_office(sent: Sent, person: dict[str, Any], day: dt.date) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr((person["name"], person["email"]))
    msg["To"] = str(sent.message["Reply-To"] or sent.message["From"])
    msg["Subject"] = f"Automatic reply: {sent.message['Subject']}"
    msg["Date"] = email.utils.format_datetime(sent_time(day))
    msg["Message-ID"] = f"<{day:%Y%m%d}.oof@mail.example.com>"
    msg["In-Reply-To"] = str(sent.message["Message-ID"])
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content("I am travelling until 30 March with little access to email.")
    return msg


def _no_thread(person: dict[str, Any], pair: str, day: dt.date) -> EmailMessage:
    """A new email, not a reply: it names its pair code and no message of any program."""
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr((person["name"], person["email"]))
    msg["To"] = SENDER
    msg["Subject"] = "Mentoring check-in"
    msg["Date"] = email.utils.format_datetime(sent_time(day))
    msg["Message-ID"] = f"<{day:%Y%m%d}.new@mail.example.org>"
    msg.set_content(f"Hi, sorry for the silence.\n1. yes\n2. 5\n\nPair code: {pair}\n")
    return msg


def sent_time(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 8, 30, tzinfo=dt.UTC)


# -- the ten weeks ---------------------------------------------------------------------------


def _cron_args(root: Path, maildir: Path) -> tuple[list[str], str]:
    """The crontab line's command (program and arguments) and its log file."""
    line = CRONTAB.format(maildir=maildir, workspace=root)
    command = line.split(None, 5)[5]
    words, _, log = command.partition(">>")
    args = shlex.split(words)
    assert args[0] == "mentorctl"
    return args[1:], log.split()[0]


def _run_cron_in_shell(root: Path, maildir: Path, day: dt.date) -> int:
    """The first morning: the crontab's command through a real shell, the clock set for it."""
    line = CRONTAB.format(maildir=shlex.quote(str(maildir)), workspace=shlex.quote(str(root)))
    command = line.split(None, 5)[5].replace(
        "mentorctl", f"{shlex.quote(sys.executable)} -m mentorctl", 1
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORCTL_")}
    env["MENTORCTL_TODAY"] = _day(day)
    return subprocess.run(["sh", "-c", command], env=env, timeout=120).returncode


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    runner = CliRunner()

    def cli(*args: Any) -> Result:
        return runner.invoke(app, [str(a) for a in args])

    base = tmp_path_factory.mktemp("scenario")
    root, downloads = base / "workspace", base / "downloads"
    maildir = base / "Maildir"  # the organisers' mailbox, delivered to by the mail server
    mailbox.Maildir(maildir, create=True).close()
    shutil.copytree(SIGNUPS, downloads)  # the exports as the admin downloaded them

    handler = Collector()
    controller = EphemeralController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    # Typer builds the click command on every invoke; built once, the same code runs faster.
    command = typer_testing._get_command(app)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(typer_testing, "_get_command", lambda _app: command)
            for name in ("MENTORCTL_WORKSPACE", "MENTORCTL_NOW", "MENTORCTL_TODAY"):
                patch.delenv(name, raising=False)  # the clock is each command's --today
            s = Scenario(root, maildir, downloads, cli, expected={CAREER: {}, PARENTS: {}})
            _live(s, handler, controller.port)
            yield s
    finally:
        controller.stop()


def _setup(s: Scenario, slug: str, title: str, template: str, day: dt.date, port: int,
           imports: list[tuple[str, ...]]) -> None:  # fmt: skip
    cli, today = s.cli, ("--today", _day(day))
    _ok(cli("init-program", title, "--template", template, "--slug", slug, "--dir", s.root,
            *today))  # fmt: skip
    _point_at_smtp(s.root / slug, port)
    for name, *options in imports:
        result = _ok(cli("import-signups", s.downloads / name, "-w", s.root, "-p", slug,
                         "--json", *options, *today))  # fmt: skip
        assert json.loads(result.stdout)["rejected"] == 0, result.stdout
    _mentees_have_goals(s.store(slug))
    _ok(cli("pair", "--commit", "-w", s.root, "-p", slug, *today))
    _ok(cli("introduce", "--send", "-w", s.root, "-p", slug, *today))


def _live(s: Scenario, handler: Collector, port: int) -> None:
    cli = s.cli
    _setup(s, CAREER, "Career Circle", "career", DAY0, port, [("career_google_forms.csv",)])
    crontab, log = _cron_args(s.root, s.maildir)
    box = mailbox.Maildir(s.maildir, create=False)
    pending: dict[dt.date, list[EmailMessage]] = {}
    seen = 0
    n = 0
    day = DAY0
    while day < LAST_DAY:
        day += ONE_DAY
        for msg in pending.pop(day, []):
            box.add(msg.as_bytes())
        if day == DAY0 + ONE_DAY:
            code = _run_cron_in_shell(s.root, s.maildir, day)
        else:
            result = cli(*crontab, "--today", _day(day))
            with open(log, "a", encoding="utf-8") as out:
                out.write(result.stdout + result.stderr)
            code = result.exit_code
        s.cron_codes.append(code)
        assert code == 0, Path(log).read_text(encoding="utf-8")[-3000:]

        # the admin's day, after the morning's run
        if day == PARENTS_DAY:
            _setup(s, PARENTS, "Parents Together", "parenting", day, port,
                   [("parents_microsoft_forms.csv",), ("parents_excel.csv",)])  # fmt: skip
        if day == ROUND2_DAY:
            today = ("-w", s.root, "-p", CAREER, "--today", _day(day))
            _ok(cli("import-signups", s.downloads / "career_typeform_round2.csv", "--role",
                    "mentee", *today))  # fmt: skip
            _mentees_have_goals(s.store(CAREER))
            before = set(_pairs(s, CAREER))
            _ok(cli("pair", "--commit", "--round", "2", *today))
            s.round2_pairs = set(_pairs(s, CAREER)) - before
            _ok(cli("introduce", "--send", *today))
        if day == SNAPSHOT_DAY:
            _draw_reports(s, s.snapshots, day)
            reports = s.root / "reports"
            reports.mkdir(exist_ok=True)
            for slug, *which in ((CAREER,), (CAREER, "--round", "1"), (PARENTS,)):
                name = "-".join((slug, *which[1:], _day(day))) + ".html"
                _ok(cli("report", "-w", s.root, "-p", slug, "--format", "html", "--out",
                        reports / name, "--today", _day(day), *which))  # fmt: skip
        if day == DAY0 + dt.timedelta(days=40):
            li = _person(s, CAREER, "Li Wei")
            pending.setdefault(day + ONE_DAY, []).append(
                _no_thread(li, _pair_of(s, CAREER, li["id"]), day)
            )

        # what the mail server took today, and the replies it brings
        stores = {slug: s.store(slug) for slug in (CAREER, PARENTS) if (s.root / slug).exists()}
        by_id = {
            doc["message_id"]: (slug, doc)
            for slug, store in stores.items()
            for doc in store.get("messages", {}).values()
        }
        for received in handler.received[seen:]:
            msg = _parse(received.data)
            slug, doc = by_id[str(msg["Message-ID"])]
            sent = Sent(slug, doc, received.rcpt_tos, msg, day)
            s.sent.append(sent)
            if doc["kind"] not in ("weekly", "wrapup"):
                continue
            (pid,) = doc["to"]
            people = stores[slug]["people"]
            person = people[_key(people, pid)]
            if doc["kind"] == "wrapup":
                if person["name"] == "Inès Müller" and day < LAST_DAY:  # the last question too
                    n += 1
                    when = day + ONE_DAY
                    text = FEEDBACK[slug]
                    pending.setdefault(when, []).append(
                        _reply(sent, person, text, "gmail", when, n)
                    )
                    key = (doc["pair"], pid, doc["week"])
                    s.expected[slug][key] = {**s.expected[slug].get(key, {}), "feedback": text}
                    s.replies[slug] += 1
                continue
            pair = _pair_doc(stores[slug], doc["pair"])
            partner = people[_key(people, pair["mentor" if pid == pair["mentee"] else "mentee"])]
            habit = HABITS.get((slug, person["name"]))
            if (slug, person["name"], doc["week"]) == AWAY:
                pending.setdefault(day + ONE_DAY, []).append(
                    _out_of_office(sent, person, day + ONE_DAY)
                )
                continue
            if habit is None or not habit.weeks(doc["week"], partner["name"].split()[0]):
                continue
            n += 1
            when = day + dt.timedelta(days=habit.delay)
            text = answer_text(slug, person["name"], doc["week"])
            pending.setdefault(when, []).append(_reply(sent, person, text, habit.style, when, n))
            wanted = {"met": "yes", "progress": progress(slug, person["name"], doc["week"])}
            if doc["week"] == 1:
                wanted["fit"] = "yes"
            if when <= LAST_DAY:
                s.expected[slug][(doc["pair"], pid, doc["week"])] = wanted
                s.replies[slug] += 1
        seen = len(handler.received)
    box.close()
    _draw_reports(s, s.at_end, LAST_DAY)
    _draw_reports(s, s.redrawn, SNAPSHOT_DAY)
    s.final = {slug: s.store(slug) for slug in (CAREER, PARENTS)}
    s.found = _search(s, s.root)


def _draw_reports(s: Scenario, into: dict, day: dt.date) -> None:
    into[(CAREER,)] = s.report(CAREER, today=day)
    into[(PARENTS,)] = s.report(PARENTS, today=day)
    if day >= ROUND2_DAY:
        for number in ("1", "2"):
            into[(CAREER, number)] = s.report(CAREER, "--round", number, today=day)


def _search(s: Scenario, root: Path) -> list[dict]:
    result = _ok(s.cli("people", "--all-programs", "--search", "ines muller", "--json",
                       "-w", root, "--today", _day(LAST_DAY)))  # fmt: skip
    return json.loads(result.stdout)["people"]


def _key(table: dict[str, dict], pid: str) -> str:
    return next(k for k, d in table.items() if d.get("id") == pid)


def _pairs(s: Scenario, slug: str) -> dict[str, dict]:
    return {p["id"]: p for p in s.store(slug).get("pairs", {}).values()}


def _pair_doc(store: dict, pair_id: str) -> dict:
    return next(p for p in store["pairs"].values() if p["id"] == pair_id)


def _person(s: Scenario, slug: str, name: str) -> dict:
    store = s.final.get(slug) or s.store(slug)
    return next(p for p in store["people"].values() if p.get("name") == name)


def _pair_of(s: Scenario, slug: str, pid: str) -> str:
    return next(p["id"] for p in _pairs(s, slug).values() if pid in (p["mentee"], p["mentor"]))


def _answers(store: dict) -> dict[tuple[str, str, int], dict]:
    return {(a["pair"], a["person"], a["week"]): a["answers"] for a in store["answers"].values()}


# -- the sign-ups and the crontab line ---------------------------------------------------------


def test_the_crontab_line_ran_every_morning_without_an_error(scenario: Scenario) -> None:
    assert scenario.cron_codes == [0] * 70
    log = (scenario.root / "checkin.log").read_text(encoding="utf-8")
    assert log.count(f"{CAREER}: replies (maildir)") == 70
    assert log.count(f"{PARENTS}: replies (maildir)") == 70 - 7
    # cron's log names pairs and ids, never who
    assert ADDRESS not in log.lower() and not [n for n in NAMES if n in log]


def test_the_sign_ups_of_four_services_arrive_whole(scenario: Scenario) -> None:
    career = {p["email"]: p for p in scenario.final[CAREER]["people"].values()}
    parents = {p["email"]: p for p in scenario.final[PARENTS]["people"].values()}
    assert len(career) == 8 and len(parents) == 6
    for people in (career, parents):
        assert all(p["goals"] for p in people.values() if p["role"] == "mentee")
    # one person, the address as typed in one form and as asked in the other
    assert career[ADDRESS]["name"] == parents[ADDRESS]["name"] == "Inès Müller"
    assert (career[ADDRESS]["role"], parents[ADDRESS]["role"]) == ("mentee", "mentor")
    assert sorted(r["program"] for r in scenario.found) == [CAREER, PARENTS]
    # Typeform's one column per choice: one goals list; "Other" stays an extra answer
    priya = career["priya.natarajan@example.org"]
    assert priya["goals"] == ["Salary and negotiation", "Getting promoted"]
    assert career["sam.oneill@example.ie"]["extra"]["Other"] == "Moving on from academia"
    # Microsoft Forms, anonymous: ";"-joined choices; Excel: Windows-1252 and semicolons
    assert parents["grace.okoye@example.com"]["goals"] == [
        "Returning to work",
        "Sleep and routines",
    ]
    assert parents["bjorn.lindqvist@example.se"]["name"] == "Björn Lindqvist"
    assert parents["chloe.martin@example.fr"]["bio"] == "Single mum – back at work in April"


# -- every reply in its program and pair -------------------------------------------------------


def test_every_reply_lands_in_its_program_and_pair(scenario: Scenario) -> None:
    for slug in (CAREER, PARENTS):
        got = _answers(scenario.final[slug])
        expected = scenario.expected[slug]
        assert set(got) == set(expected), slug
        for key, wanted in expected.items():
            assert {k: got[key].get(k) for k in wanted} == wanted, (slug, key)
            note = f"{'Coffee' if slug == CAREER else 'A walk'} in week {key[2]}, all good."
            assert got[key]["note"].startswith(note), (slug, key)  # a sign-off may follow
            # nothing of the quoted message, its pair code footer included
            assert not [w for w in ("Pair code", "wrote:", "check-in", "iPhone", "From:")
                        if w in got[key]["note"]], (slug, key, got[key]["note"])  # fmt: skip
    # Inès answered each program in its own threads: her pair in one, her three in the other
    mine = {
        slug: Counter(pair for pair, pid, _ in scenario.expected[slug]
                      if pid == _person(scenario, slug, "Inès Müller")["id"])
        for slug in (CAREER, PARENTS)
    }  # fmt: skip
    assert (len(mine[CAREER]), len(mine[PARENTS])) == (1, 3)
    assert list(mine[CAREER].values()) == [8]
    assert sorted(mine[PARENTS].values()) == [6, 6, 6]


def test_the_auto_reply_and_the_email_without_a_thread_count_nowhere(scenario: Scenario) -> None:
    career, parents = scenario.final[CAREER], scenario.final[PARENTS]
    kwame = _person(scenario, CAREER, "Kwame Mensah")["id"]
    assert not [k for k in _answers(career) if k[1] == kwame and k[2] >= 3]
    outcomes = Counter(r.get("outcome") for r in career["replies"].values())
    assert (outcomes["auto_reply"], outcomes["unknown"]) == (1, 1)
    assert outcomes["recorded"] == scenario.replies[CAREER]
    # each program remembers only the replies to its own messages
    outcomes = Counter(r.get("outcome") for r in parents["replies"].values())
    assert set(outcomes) == {"recorded"}
    assert outcomes["recorded"] == scenario.replies[PARENTS]
    # --move-to moved what was recorded, by whichever program recorded it; the rest stays
    inbox = mailbox.Maildir(scenario.maildir, create=False)
    left = sorted(str(m["Subject"]) for m in inbox)
    assert len(left) == 2
    assert left[0].startswith("Automatic reply: Career Circle, week 3 with ")
    assert left[1] == "Mentoring check-in"
    moved = mailbox.Maildir(scenario.maildir / ".Recorded", create=False)
    assert len(moved) == scenario.replies[CAREER] + scenario.replies[PARENTS]


# -- nobody gets another program's message, or one twice a week ----------------------------------


def test_every_message_went_to_its_own_pair_once_a_week(scenario: Scenario) -> None:
    weekly: Counter[tuple[str, str, int, str]] = Counter()
    subjects: dict[tuple[str, dt.date], list[str]] = {}
    recorded = {
        slug: {m["message_id"] for m in scenario.final[slug]["messages"].values()}
        for slug in (CAREER, PARENTS)
    }
    assert not recorded[CAREER] & recorded[PARENTS]
    titles = {CAREER: "Career Circle", PARENTS: "Parents Together"}
    for sent in scenario.sent:
        store = scenario.final[sent.program]
        pair = _pair_doc(store, sent.doc["pair"])
        people = {p["id"]: p for p in store["people"].values()}
        emails = {pid: p["email"] for pid, p in people.items()}
        assert set(sent.rcpt_tos) == {emails[pid] for pid in sent.doc["to"]}
        assert set(sent.rcpt_tos) <= {emails[pair["mentee"]], emails[pair["mentor"]]}
        # pair codes repeat across programs (M1 in each): the subject names the program
        subject = str(sent.message["Subject"])
        assert titles[sent.program] in subject
        assert not [t for slug, t in titles.items() if slug != sent.program and t in subject]
        body = sent.message.get_body(("plain",))
        assert body is not None
        assert body.get_content().rstrip().splitlines()[-1] == f"Pair code: {pair['id']}"
        if sent.doc["kind"] == "weekly":
            (pid,) = sent.doc["to"]
            partner = pair["mentor" if pid == pair["mentee"] else "mentee"]
            assert f" with {people[partner]['name'].split()[0]}: " in subject
            for address in sent.rcpt_tos:
                weekly[(sent.program, pair["id"], sent.doc["week"], address)] += 1
                monday = sent.day - dt.timedelta(days=sent.day.weekday())
                subjects.setdefault((address, monday), []).append(str(sent.message["Subject"]))
    assert weekly and max(weekly.values()) == 1
    assert len({str(x.message["Message-ID"]) for x in scenario.sent}) == len(scenario.sent)
    # threads that cannot be confused: a mentor of three gets three subjects, beside her own
    for (address, _), titles in subjects.items():
        assert len(titles) == len(set(titles)), (address, titles)
    assert max(len(t) for (a, _), t in subjects.items() if a == ADDRESS) == 4


# -- the rounds' tables are apart --------------------------------------------------------------


def _answered_by_week(s: Scenario, pairs: set[str]) -> dict[int, int]:
    weeks: dict[int, set[str]] = {}
    for pair, _, week in s.expected[CAREER]:
        if pair in pairs:
            weeks.setdefault(week, set()).add(pair)
    return {w: len(p) for w, p in weeks.items()}


def test_the_rounds_tables_are_apart(scenario: Scenario) -> None:
    one, two = scenario.at_end[(CAREER, "1")], scenario.at_end[(CAREER, "2")]
    everyone = {p["id"] for p in scenario.final[CAREER]["pairs"].values()}
    round1 = everyone - scenario.round2_pairs
    assert (len(round1), len(scenario.round2_pairs)) == (4, 2)
    assert one["round"] == {"number": 1, "of": 2, "latest": False}
    assert two["round"] == {"number": 2, "of": 2, "latest": True}
    assert {p["pair"] for p in one["pairs"]} == round1
    assert {p["pair"] for p in two["pairs"]} == scenario.round2_pairs
    assert one["calendar"]["start"] == _day(DAY0)
    assert (one["calendar"]["current_week"], one["calendar"]["weeks_left"]) == (8, 0)
    assert two["calendar"]["start"] == _day(ROUND2_DAY)
    assert two["calendar"]["current_week"] == 7
    assert max(r["pairs"] for r in one["answer_rate"]) == 4
    assert max(r["pairs"] for r in two["answer_rate"]) == 2
    for data, pairs in ((one, round1), (two, scenario.round2_pairs)):
        answered = {r["week"]: r["answered"] for r in data["answer_rate"] if r["answered"]}
        assert answered == _answered_by_week(scenario, pairs)
    assert (one["outcomes"]["endings"]["completed"], one["outcomes"]["endings"]["lapsed"]) == (3, 1)
    assert two["outcomes"]["endings"]["completed"] == 0
    # the report's own round is the latest; the rounds side by side, and the program overall
    assert scenario.at_end[(CAREER,)]["round"] == two["round"]
    rows = {r["round"]: r for r in one["rounds"]}
    assert rows == {r["round"]: r for r in two["rounds"]}
    assert (rows["1"]["pairs"], rows["2"]["pairs"], rows["all"]["pairs"]) == (4, 2, 6)
    assert (rows["1"]["completed"], rows["1"]["lapsed"]) == (3, 1)
    assert rows["all"]["answered"] == rows["1"]["answered"] + rows["2"]["answered"]
    assert rows["all"]["due"] == rows["1"]["due"] + rows["2"]["due"]
    parents = scenario.at_end[(PARENTS,)]
    assert parents["round"] == {"number": 1, "of": 1, "latest": True}
    assert parents["calendar"]["start"] == _day(PARENTS_DAY)
    assert parents["outcomes"]["endings"]["completed"] == 4


def test_a_past_day_s_report_is_what_it_was_that_day(scenario: Scenario) -> None:
    assert set(scenario.redrawn) == set(scenario.snapshots) == {
        (CAREER,), (PARENTS,), (CAREER, "1"), (CAREER, "2"),
    }  # fmt: skip
    for key, then in scenario.snapshots.items():
        assert scenario.redrawn[key] == then, key
    # on day 30 the second round was in its first days, the first in its week 5
    assert scenario.snapshots[(CAREER, "2")]["calendar"]["current_week"] == 1
    assert scenario.snapshots[(CAREER, "1")]["calendar"]["current_week"] == 5


# -- forget, in both programs (these tests come last: they change the workspace) ---------------


@pytest.fixture(scope="module")
def forgotten(scenario: Scenario) -> Path:
    """Inès asks to be forgotten, the day after the ten weeks."""
    held = _holding_her(scenario.root)
    for where in (f"{slug}/{part}" for slug in (CAREER, PARENTS) for part in ("data", "outbox")):
        assert [p for p in held if p.startswith(where)], where  # the search finds her there
    assert [p for p in held if p.startswith("reports/")]
    result = scenario.cli("forget", ADDRESS, "--yes", "--remove-files", "--json",
                          "-w", scenario.root, "--today", _day(LAST_DAY + ONE_DAY))  # fmt: skip
    assert result.exit_code == 0, result.output
    programs = {p["program"]: p for p in json.loads(result.stdout)["programs"]}
    assert set(programs) == {CAREER, PARENTS}
    assert all(p["erased"] for p in programs.values())
    return scenario.root


def _texts(path: Path) -> Iterator[str]:
    """What a file says, read as its kind is read: raw, JSON decoded, a message decoded."""
    data = path.read_bytes()
    yield data.decode("utf-8", errors="replace")
    docs = [data] if path.suffix == ".json" else []
    docs += [line for line in data.splitlines() if line[:1] == b"{"]  # JSON lines
    for doc in docs:
        try:
            parsed = json.loads(doc)
        except ValueError:
            continue
        yield json.dumps(parsed, ensure_ascii=False)
    if path.suffix == ".eml":
        msg = _parse(data)
        yield "\n".join(f"{k}: {v}" for k, v in msg.items())
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                yield part.get_content()


def _holding_her(root: Path) -> list[str]:
    """The files of the workspace that hold who she is, or what she wrote in her sign-ups and
    her wrap-up answers."""
    words = [*NAMES, *FEEDBACK.values(), "two years at home", "I went back to work"]
    held = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for text in _texts(path):
            if ADDRESS in text.lower() or [w for w in words if w in text]:
                held.append(str(path.relative_to(root)))
                break
    return held


def test_forget_leaves_nothing_of_them_in_either_program(forgotten: Path, scenario) -> None:
    files = [p for p in forgotten.rglob("*") if p.is_file()]
    assert len([p for p in files if p.suffix == ".eml"]) > 100  # the partners' are kept
    assert _holding_her(forgotten) == []
    # the reports drawn on day 30 that named her are gone; the one that did not is kept
    assert sorted(p.name for p in (forgotten / "reports").iterdir()) == [
        f"{CAREER}-{SNAPSHOT_DAY}.html"
    ]
    for slug in (CAREER, PARENTS):
        store = read_store(forgotten / slug / "data" / "store.json")
        assert len(store["forgotten_people"]) == 1
    assert _search(scenario, forgotten) == []


def test_the_suppression_list_blocks_both_exports_again(forgotten: Path, scenario) -> None:
    for slug, name in (
        (CAREER, "career_google_forms.csv"),
        (PARENTS, "parents_microsoft_forms.csv"),
    ):
        result = scenario.cli("import-signups", scenario.downloads / name, "-w", forgotten,
                              "-p", slug, "--json", "--today", _day(LAST_DAY + 2 * ONE_DAY))  # fmt: skip
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert (data["suppressed"], data["imported"]) == (1, 0), data
        people = read_store(forgotten / slug / "data" / "store.json")["people"].values()
        assert ADDRESS not in {p.get("email") for p in people}
    # the autumn round's program, made after the forget, takes the spring export without her
    later = ("--today", _day(LAST_DAY + 3 * ONE_DAY))
    _ok(scenario.cli("init-program", "Career Circle Autumn", "--template", "career", "--slug",
                     "career-autumn", "--dir", forgotten, *later))  # fmt: skip
    result = _ok(scenario.cli("import-signups", scenario.downloads / "career_google_forms.csv",
                              "-w", forgotten, "-p", "career-autumn", "--json", *later))  # fmt: skip
    data = json.loads(result.stdout)
    assert (data["suppressed"], data["imported"]) == (1, 5), data


def _figures(report: dict) -> dict:
    return {k: report.get(k) for k in ("headline", "calendar", "answer_rate", "outcomes",
                                       "rounds", "round")}  # fmt: skip


def test_past_reports_count_as_before_after_the_forget(forgotten: Path, scenario) -> None:
    for day, drawn in ((SNAPSHOT_DAY, scenario.snapshots), (LAST_DAY, scenario.at_end)):
        for key, before in drawn.items():
            after = scenario.report(*key[:1], *(("--round", key[1]) if key[1:] else ()),
                                    today=day)  # fmt: skip
            assert _figures(after) == _figures(before), (key, day)
            statuses = [(p["pair"], p["status"]) for p in after["pairs"]]
            assert statuses == [(p["pair"], p["status"]) for p in before["pairs"]]
            text = json.dumps(after, ensure_ascii=False)
            assert ADDRESS not in text and not [n for n in NAMES if n in text], (key, day)
