"""A circle's introduction: one email to all its members, with one invitation for the circle,
delivered over a real SMTP server (aiosmtpd) and read back with icalendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
from helpers import PROGRAM, write_csv
from messages_fixtures import (  # noqa: F401  (fixtures)
    edit_program,
    messages,
    pairs,
    parse_eml,
    smtp_server_fixture,
    table,
    use_smtp,
)

HEADER = (
    "Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Preferred language\n"
)
NAMES = ["Ann", "Bea", "Cid", "Dov", "Eli", "Fay", "Gus", "Hal", "Ivo", "Jo"]


def _rows(prefix: str, language: str, zone: str, topic: str) -> str:
    """A mentor (capacity 4) and four mentees who share ``topic``, ``language`` and ``zone``."""
    names = [f"{n}{prefix}" for n in NAMES[:5]]
    rows = f"{prefix}m@example.org,{names[0]} Mentor,Mentor,50,,{topic},{language},{zone},4,Acme,"
    rows += f"{language}\n"
    for k in range(4):
        rows += (
            f"{prefix}e{k}@example.org,{names[k + 1]} Mentee,Mentee,30,{topic},,"
            f"{language},{zone},,Org{k},{language}\n"
        )
    return rows


def _circles(workspace: Path, csv_text: str, cli) -> None:
    program = workspace / PROGRAM / "program.yaml"
    text = program.read_text(encoding="utf-8")
    program.write_text(text + "format: circles\ncircles:\n  size: [4, 4]\n", encoding="utf-8")
    result = cli("import-signups", write_csv(workspace / "c.csv", csv_text), "-w", workspace)
    assert result.exit_code == 0, result.output
    result = cli("pair", "--commit", "-w", workspace)
    assert result.exit_code == 0, result.output


def _people(workspace: Path) -> dict[str, str]:
    return {p["id"]: p["email"] for p in table(workspace, "people")}


def test_one_introduction_and_one_invitation_per_circle(workspace: Path, cli, smtp_server) -> None:
    csv_text = HEADER + _rows("a", "English", "Europe/London", "Networking")
    csv_text += _rows("b", "English", "Europe/Berlin", "Career change")
    _circles(workspace, csv_text, cli)
    circles = table(workspace, "circles")
    assert len(circles) == 2 and all(len(c["mentees"]) == 4 for c in circles)
    use_smtp(workspace, smtp_server.port)
    result = cli("introduce", "--send", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    emails = _people(workspace)
    received = smtp_server.handler.received
    assert len(received) == 2  # one email per circle, not one per member pair
    uids = set()
    for circle in circles:
        members = {emails[p] for p in circle["mentors"] + circle["mentees"]}
        (got,) = [r for r in received if set(r.rcpt_tos) & members]
        assert set(got.rcpt_tos) == members  # five people, one email
        msg = parse_eml(got.data)
        body = msg.get_body(("plain",)).get_content()
        others = {e for e in emails.values() if e not in members}
        assert not any(o in body for o in others)  # nobody from the other circle
        for pid in circle["mentors"] + circle["mentees"]:
            assert emails[pid] in body
        assert f"Circle code: {circle['id']}" in body
        calendars = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
        assert len(calendars) == 1
        cal = icalendar.Calendar.from_ical(calendars[0].get_payload(decode=True))
        (event,) = cal.walk("VEVENT")
        attendees = event.get("ATTENDEE")
        attendees = attendees if isinstance(attendees, list) else [attendees]
        assert {str(a).removeprefix("mailto:").lower() for a in attendees} == members
        uids.add(str(event["UID"]))
        # at the circle's saved window (UTC), on its day when it has one
        starts = event["DTSTART"].dt.astimezone(dt.UTC)
        window = circle["window"]
        assert f"{starts:%H:%M}" == window["start"], (starts, window)
        assert window["day"] in (None, f"{starts:%A}")
        assert str(event["RRULE"].to_ical(), "ascii") == "FREQ=WEEKLY;COUNT=8"
    assert len(uids) == 2
    # Every member pair is active; the intro is recorded once per circle.
    assert {p["status"] for p in pairs(workspace).values()} == {"active"}
    intros = [m for m in messages(workspace) if m["kind"] in ("intro", "circle_intro")]
    assert len(intros) == 2 and {m["kind"] for m in intros} == {"circle_intro"}
    # Sent again, nothing is repeated.
    result = cli("introduce", "--send", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert len(smtp_server.handler.received) == 2


def test_a_french_circle_is_introduced_in_french(workspace: Path, cli) -> None:
    csv_text = HEADER + _rows("f", "French", "Europe/Paris", "Networking")
    _circles(workspace, csv_text, cli)
    result = cli("introduce", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    (file,) = sorted((workspace / PROGRAM / "outbox").glob("*.eml"))
    msg = parse_eml(file.read_bytes())
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("Bonjour Annf, Beaf"), body[:60]
    assert "Qui fait partie du cercle" in body and "Code du cercle" in body
    assert "voici votre cercle" in str(msg["Subject"])
    assert len(msg.get_all("To")[0].split(",")) == 5


def test_every_member_gets_one_message_a_week_over_the_whole_program(
    workspace: Path, cli, smtp_server
) -> None:
    """Two circles of a mentor and four mentees, from the introduction to the wrap-up: each
    person, the mentor included, gets exactly one message a week and one final message, and
    none names the other circle's people."""
    csv_text = HEADER + _rows("a", "English", "Europe/London", "Networking")
    csv_text += _rows("b", "English", "Europe/Berlin", "Career change")
    _circles(workspace, csv_text, cli)
    use_smtp(workspace, smtp_server.port)
    result = cli("introduce", "--send", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    emails = _people(workspace)
    circles = table(workspace, "circles")
    circle_of = {emails[p]: c["id"] for c in circles for p in c["mentors"] + c["mentees"]}
    firsts = {
        emails[p]: table_person["name"].split()[0]
        for table_person in table(workspace, "people")
        for p in [table_person["id"]]
    }
    seen = len(smtp_server.handler.received)
    runs: list[dict[str, int]] = []
    day = dt.date(2026, 3, 2)
    for _ in range(10):
        result = cli("checkin", "--send", "-w", workspace, "--today", day.isoformat())
        assert result.exit_code == 0, result.output
        got: dict[str, int] = dict.fromkeys(emails.values(), 0)
        for received in smtp_server.handler.received[seen:]:
            (to,) = received.rcpt_tos
            got[to] += 1
            body = parse_eml(received.data).get_body(("plain",)).get_content()
            others = {n for e, n in firsts.items() if circle_of[e] != circle_of[to]}
            assert not [n for n in others if n in body], (to, body)
        seen = len(smtp_server.handler.received)
        runs.append(got)
        day += dt.timedelta(days=7)
    busy = [r for r in runs if any(r.values())]
    # eight weeks and the final message: each run, everyone exactly once
    assert len(busy) == 9, runs
    for got in busy:
        assert set(got.values()) == {1}, got
    kinds = [m["kind"] for m in messages(workspace)]
    mentors = {c["mentors"][0] for c in circles}
    finals = [m for m in messages(workspace) if m["kind"] in ("wrapup", "lapsed")]
    assert sorted(p for m in finals for p in m["to"]) == sorted(emails)  # once per person
    assert sum(1 for m in finals if m["to"][0] in mentors) == 2
    assert kinds.count("circle_intro") == 2


def test_a_mentee_without_consent_is_not_placed_in_a_circle(workspace: Path, cli) -> None:
    """circles.consent_field names the sign-up's consent column: a mentee who did not answer
    yes stays waiting, and pair says why."""

    def change(data: dict) -> None:
        data["signup"]["fields"]["circle_consent"] = ["Circle consent"]
        data["format"] = "circles"
        data["circles"] = {"size": [4, 4], "consent_field": "circle_consent"}

    edit_program(workspace, change)
    rows = _rows("a", "English", "Europe/London", "Networking").splitlines()
    rows = [f"{r},Yes" for r in rows]
    rows.append(
        "ax@example.org,Zed Mentee,Mentee,30,Networking,,English,Europe/London,,Org9,English,No"
    )
    csv_text = HEADER.rstrip("\n") + ",Circle consent\n" + "\n".join(rows) + "\n"
    result = cli("import-signups", write_csv(workspace / "c.csv", csv_text), "-w", workspace)
    assert result.exit_code == 0, result.output
    result = cli("pair", "--commit", "-w", workspace)
    assert result.exit_code == 0, result.output
    assert "circle_consent" in result.output and "Zed" in result.output
    (circle,) = table(workspace, "circles")
    zed = next(p["id"] for p in table(workspace, "people") if p["email"] == "ax@example.org")
    assert len(circle["mentees"]) == 4 and zed not in circle["mentees"]


def test_a_circle_introduced_only_in_the_outbox_gets_no_weekly_message_until_it_is_sent(
    workspace: Path, cli, smtp_server
) -> None:
    _circles(workspace, HEADER + _rows("a", "English", "Europe/London", "Networking"), cli)
    use_smtp(workspace, smtp_server.port)
    result = cli("introduce", "-w", workspace, "--today", "2026-03-02")  # the outbox only
    assert result.exit_code == 0, result.output
    result = cli("checkin", "--send", "-w", workspace, "--today", "2026-03-09")
    assert result.exit_code == 0, result.output
    assert "held back" in result.output
    assert not smtp_server.handler.received
    result = cli("introduce", "--send", "-w", workspace, "--today", "2026-03-09")
    assert result.exit_code == 0, result.output
    assert len(smtp_server.handler.received) == 1  # the circle's one introduction
    result = cli("checkin", "--send", "-w", workspace, "--today", "2026-03-09")
    assert result.exit_code == 0, result.output
    assert len(smtp_server.handler.received) == 1 + 5  # one each


def test_the_mentors_answers_keep_every_member_pair_of_the_circle_live(
    workspace: Path, cli, smtp_server
) -> None:
    """The mentor answers the circle's one weekly message (recorded on the pair it was made
    on); the mentees do not answer: no member pair goes quiet."""
    _circles(workspace, HEADER + _rows("a", "English", "Europe/London", "Networking"), cli)
    use_smtp(workspace, smtp_server.port)
    result = cli("introduce", "--send", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    mentor = next(p["id"] for p in table(workspace, "people") if p["email"] == "am@example.org")
    day = dt.date(2026, 3, 9)
    for week in range(1, 6):
        result = cli("checkin", "--send", "-w", workspace, "--today", day.isoformat())
        assert result.exit_code == 0, result.output
        carrier = {m["pair"] for m in messages(workspace) if m["kind"] == "weekly"
                   and m["to"] == [mentor] and m["week"] == week}  # fmt: skip
        assert len(carrier) == 1, carrier
        result = cli("checkin", "--record", carrier.pop(), "--person", mentor, "--week",
                     str(week), "--answer", "met=yes", "-w", workspace,
                     "--today", day.isoformat())  # fmt: skip
        assert result.exit_code == 0, result.output
        day += dt.timedelta(days=7)
    assert {p["status"] for p in pairs(workspace).values()} == {"active"}


def test_a_circle_of_two_languages_gets_one_introduction_each(workspace: Path, cli) -> None:
    rows = _rows("a", "English", "Europe/London", "Networking").splitlines()
    rows[-1] = rows[-1].rsplit(",", 1)[0] + ",French"  # the last mentee reads French
    _circles(workspace, HEADER + "\n".join(rows) + "\n", cli)
    result = cli("introduce", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    files = sorted((workspace / PROGRAM / "outbox").glob("*.eml"))
    assert len(files) == 5  # one each, in their language
    bodies = {}
    for file in files:
        msg = parse_eml(file.read_bytes())
        (to,) = msg.get_all("To")
        assert "," not in to
        bodies[to] = msg.get_body(("plain",)).get_content()
        assert [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    french = [b for t, b in bodies.items() if "ae3@example.org" in t]
    assert french and french[0].startswith("Bonjour")
    assert sum(b.startswith("Hello") for b in bodies.values()) == 4
    assert {p["status"] for p in pairs(workspace).values()} == {"active"}


def test_a_co_mentor_gets_the_introduction_and_one_message_a_week(
    workspace: Path, cli, smtp_server
) -> None:
    rows = _rows("a", "English", "Europe/London", "Networking")
    rows += (
        "co@example.org,Kim Mentor,Mentor,50,,Networking,English,Europe/London,4,Hooli,English\n"
    )
    program = workspace / PROGRAM / "program.yaml"
    text = program.read_text(encoding="utf-8")
    program.write_text(text + "format: circles\ncircles:\n  size: [4, 4]\n  co_mentors: true\n")
    result = cli("import-signups", write_csv(workspace / "c.csv", HEADER + rows), "-w", workspace)
    assert result.exit_code == 0, result.output
    assert cli("pair", "--commit", "-w", workspace).exit_code == 0
    (circle,) = table(workspace, "circles")
    assert len(circle["mentors"]) == 2, circle
    use_smtp(workspace, smtp_server.port)
    result = cli("introduce", "--send", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    (intro,) = smtp_server.handler.received
    assert len(intro.rcpt_tos) == 6
    emails = _people(workspace)
    seen = 1
    day = dt.date(2026, 3, 9)
    for _ in range(3):
        result = cli("checkin", "--send", "-w", workspace, "--today", day.isoformat())
        assert result.exit_code == 0, result.output
        got = sorted(r.rcpt_tos[0] for r in smtp_server.handler.received[seen:])
        assert got == sorted(emails.values()), got  # everyone once, the co-mentor included
        seen = len(smtp_server.handler.received)
        day += dt.timedelta(days=7)


def test_a_mentors_emailed_reply_is_recorded_on_the_pair_of_the_circles_message(
    workspace: Path, cli, tmp_path: Path
) -> None:
    """The mentor answers the circle's one weekly message by email, read from a real Maildir:
    the answer goes on the pair the message was made on, and the circle's other member pairs
    count it (none goes quiet)."""
    import email.message
    import mailbox

    _circles(workspace, HEADER + _rows("a", "English", "Europe/London", "Networking"), cli)
    assert cli("introduce", "-w", workspace, "--today", "2026-03-02").exit_code == 0
    mentor = next(p["id"] for p in table(workspace, "people") if p["email"] == "am@example.org")
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    day = dt.date(2026, 3, 9)
    for week in range(1, 5):
        result = cli("checkin", "-w", workspace, "--today", day.isoformat())
        assert result.exit_code == 0, result.output
        (doc,) = [m for m in messages(workspace) if m["kind"] == "weekly"
                  and m["to"] == [mentor] and m["week"] == week]  # fmt: skip
        reply = email.message.EmailMessage()
        reply["From"] = "Anna Mentor <am@example.org>"
        reply["To"] = "mentoring@example.org"
        reply["Subject"] = "Re: week"
        reply["Message-ID"] = f"<circle-reply-{week}@mail.example.net>"
        reply["In-Reply-To"] = reply["References"] = f"<{doc['message_id'].strip('<>')}>"
        reply["Date"] = f"{day:%a, %d %b %Y} 18:00:00 +0000"
        reply.set_content("met: yes\nprogress: 4\n")
        box.add(reply.as_bytes())
        result = cli("checkin", "--replies", tmp_path / "Maildir", "-w", workspace,
                     "--today", day.isoformat())  # fmt: skip
        assert result.exit_code == 0, result.output
        day += dt.timedelta(days=7)
    answers = table(workspace, "answers")
    assert {(a["pair"], a["person"]) for a in answers} == {("M1", mentor)}
    assert len(answers) == 4
    assert {p["status"] for p in pairs(workspace).values()} == {"active"}


def test_a_program_made_in_german_has_its_circle_subject_in_german(tmp_path: Path, cli) -> None:
    result = cli("init-program", "Kreis Köln", "-t", "career", "--language", "de",
                 "--dir", tmp_path, "--today", "2026-02-20")  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (tmp_path / "kreis-koln" / "program.yaml").read_text(encoding="utf-8")
    assert 'subject: "{{ program.name }}: euer Mentoring-Kreis"' in text
    intro = tmp_path / "kreis-koln" / "messages" / "circle_intro.txt.j2"
    assert intro.read_text(encoding="utf-8").startswith("{#- A circle's introduction")
    assert "Wer zum Kreis gehört" in intro.read_text(encoding="utf-8")
