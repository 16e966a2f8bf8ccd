"""pair --shortlist: mentees offered their best mentors by email, their replies read from a
real Maildir by ``checkin --replies``, and ``pair`` placing their choices first."""

from __future__ import annotations

import email.utils
import json
import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PROGRAM, read_store, write_csv
from messages_fixtures import smtp_server_fixture, use_smtp  # noqa: F401  (fixture)

# Three mentors with a line about themselves (one names her surname and employer), three
# mentees who all want what Ann offers, and one mentee no mentor suits (Finnish only).
SIGNUPS = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Tell us about yourself
ann@example.org,Ann Lindqvist,Mentor,50,,"Career change, Networking",English,UTC,1,Acme,"I left Acme after 12 years as Ann Lindqvist the engineer; now I coach career changers."
bo@example.org,Bo Okafor,Mentor,45,,"Career change",English,UTC,1,Globex,Product lead who changed careers twice.
lucia@example.org,Lucía Pérez,Mentor,41,,Networking,English,UTC+1,1,Initech,
cy@example.org,Cy Mentee,Mentee,30,"Career change, Networking",,English,UTC,,Umbrella,
dee@example.org,Dee Mentee,Mentee,28,"Career change, Networking",,English,UTC,,Hooli,
eve@example.org,Eve Mentee,Mentee,33,Career change,,English,UTC+1,,Vandelay,
fin@example.org,Fin Mentee,Mentee,33,Networking,,Finnish,UTC+2,,Stark,
"""
FROM = {"cy": "cy@example.org", "dee": "dee@example.org", "eve": "eve@example.org"}


@pytest.fixture
def program(workspace: Path, cli) -> Path:
    result = cli("import-signups", write_csv(workspace / "s.csv", SIGNUPS), "-w", workspace)
    assert result.exit_code == 0, result.output
    return workspace


def ids(workspace: Path) -> dict[str, str]:
    people = read_store(workspace / PROGRAM / "data" / "store.json")["people"].values()
    return {p["email"].split("@")[0]: p["id"] for p in people}


def person(workspace: Path, who: str) -> dict:
    pid = ids(workspace)[who]
    people = read_store(workspace / PROGRAM / "data" / "store.json")["people"].values()
    return next(p for p in people if p["id"] == pid)


def shortlist(cli, workspace: Path, *args: str) -> dict:
    result = cli("pair", "--shortlist", "3", "-w", workspace, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def eml(workspace: Path, who: str, number: int = 1) -> email.message.Message:
    path = workspace / PROGRAM / "outbox" / f"shortlist-{number}-{ids(workspace)[who]}.eml"
    return email.message_from_bytes(path.read_bytes())


def body(workspace: Path, who: str, number: int = 1) -> str:
    return eml(workspace, who, number).get_payload(decode=True).decode().replace("\r\n", "\n")


def test_each_waiting_mentee_gets_their_best_mentors_and_nothing_private(program: Path, cli):
    data = shortlist(cli, program)
    i = ids(program)
    offered = {o["mentee"]: [m["id"] for m in o["mentors"]] for o in data["shortlists"]}
    # Fin shares a language with no mentor: nothing to offer.
    assert data["no_mentor_to_offer"] == [i["fin"]]
    assert offered[i["cy"]][0] == i["ann"] and set(offered[i["cy"]]) == {
        i["ann"],
        i["bo"],
        i["lucia"],
    }
    text = body(program, "cy")
    assert "\n1. Ann\n" in text and "\n2. " in text and "\n3. " in text
    flat = " ".join(text.split())
    assert "coach career changers" in flat and "Why: you share an interest in" in flat
    for private in ("Lindqvist", "Acme", "Okafor", "Globex", "Pérez", "Initech", "@"):
        assert private not in text, private
    assert "Reply with the number or the name of the mentor you would like" in flat
    entry = [e for e in person(program, "cy")["history"] if e["event"] == "shortlisted"]
    assert entry and entry[0]["mentors"] == offered[i["cy"]] and entry[0]["number"] == 1


def test_a_shortlist_is_sent_again_only_when_it_changed(program: Path, cli):
    shortlist(cli, program)
    outbox = program / PROGRAM / "outbox"
    before = sorted(p.name for p in outbox.iterdir())
    again = shortlist(cli, program)
    assert {o["status"] for o in again["shortlists"]} == {"unchanged"}
    assert sorted(p.name for p in outbox.iterdir()) == before
    i = ids(program)
    result = cli("withdraw", i["bo"], "--reason", "moved away", "-w", program)
    assert result.exit_code == 0, result.output
    changed = shortlist(cli, program)
    status = {o["mentee"]: (o["status"], o["number"]) for o in changed["shortlists"]}
    assert status[i["cy"]] == ("new", 2)
    assert "Bo" not in body(program, "cy", 2)


def test_dry_run_writes_and_records_nothing(program: Path, cli):
    store = program / PROGRAM / "data" / "store.json"
    before = store.read_bytes()
    data = shortlist(cli, program, "--dry-run")
    assert data["run"]["messages"] and store.read_bytes() == before
    assert not (program / PROGRAM / "outbox").exists() or not any(
        (program / PROGRAM / "outbox").iterdir()
    )


# -- replies, in the shapes mail clients give them ------------------------------------------


def _reply(to: email.message.Message, who: str, text: str, shape: str, n: int, hour: int = 6):
    msg = EmailMessage()
    quoted = to.get_payload(decode=True).decode()
    head = "On Mon, 2 Mar 2026 at 09:00, Career Mentoring <mentoring@example.org> wrote:"
    if shape == "gmail":
        msg.set_content(f"{text}\n\n{head}\n" + "".join(f"> {x}\n" for x in quoted.splitlines()))
    elif shape == "outlook":
        block = (
            "From: Career Mentoring <mentoring@example.org>\nSent: Monday, March 2, 2026 9:00 AM\n"
        )
        block += f"To: {who}\nSubject: Re: {to['Subject']}\n\n"
        msg.set_content(f"{text}\n\n________________________________\n{block}{quoted}")
    elif shape == "iphone":
        msg.set_content(f"{text}\n\nSent from my iPhone\n\n> On 2 Mar 2026, at 09:00, X wrote:\n> "
                        + quoted.replace("\n", "\n> "))  # fmt: skip
    else:  # HTML only, the original quoted in a blockquote (Apple Mail / Gmail web)
        msg.set_content(
            f"<div>{text}</div><br><div>{head}</div><blockquote type='cite'><pre>{quoted}"
            "</pre></blockquote>",
            subtype="html",
        )
    msg["From"] = f"{who.title()} <{FROM.get(who, who + '@example.org')}>"
    msg["To"] = "mentoring@example.org"
    msg["Subject"] = f"Re: {to['Subject']}"
    msg["Message-ID"] = f"<choice-{n}@mail.example.net>"
    msg["In-Reply-To"] = msg["References"] = to["Message-ID"]
    msg["Date"] = email.utils.format_datetime(
        email.utils.parsedate_to_datetime(f"Tue, 03 Mar 2026 {hour:02d}:00:00 +0000")
    )
    return msg


def read(cli, workspace: Path, msgs: list[EmailMessage]) -> dict:
    box = mailbox.Maildir(workspace / "Maildir", create=True)
    for m in msgs:
        box.add(m.as_bytes())
    box.close()
    result = cli("checkin", "-w", workspace, "--replies", workspace / "Maildir", "--json",
                 "--today", "2026-03-03")  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def chosen(workspace: Path, who: str) -> list[str] | None:
    found = [e for e in person(workspace, who).get("history", []) if e["event"] == "chose"]
    return found[-1]["mentors"] if found else None


@pytest.mark.parametrize("shape", ["gmail", "outlook", "iphone", "html"])
@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("2", [2]),
        ("#2", [2]),
        ("Number 2 please", [2]),
        ("NAME1", [1]),
        ("I'd like NAME1, or else NAME2", [1, 2]),
        ("1 then 3", [1, 3]),
    ],
)
def test_a_choice_is_read_from_every_client_shape(program, cli, shape, text, places):
    shortlist(cli, program)
    letter = eml(program, "cy")
    offered = next(e for e in person(program, "cy")["history"] if e["event"] == "shortlisted")[
        "mentors"
    ]
    names = [body(program, "cy").split(f"\n{n}. ", 1)[1].split("\n", 1)[0] for n in (1, 2, 3)]
    text = text.replace("NAME1", names[0]).replace("NAME2", names[1])
    data = read(cli, program, [_reply(letter, "cy", text, shape, 1)])
    assert data["choices"] == 1, data
    assert chosen(program, "cy") == [offered[p - 1] for p in places]


def test_a_name_matches_without_accents_or_case(program, cli):
    shortlist(cli, program)
    data = read(cli, program, [_reply(eml(program, "cy"), "cy", "LUCIA please", "gmail", 1)])
    assert data["choices"] == 1 and chosen(program, "cy") == [ids(program)["lucia"]]


def test_a_reply_naming_no_mentor_is_listed_not_recorded(program, cli):
    shortlist(cli, program)
    data = read(cli, program, [_reply(eml(program, "cy"), "cy", "Can we talk first?", "gmail", 1)])
    assert data["choices"] == 0 and chosen(program, "cy") is None
    assert [(x["person"], x["status"]) for x in data["listed"]] == [(ids(program)["cy"], "refused")]
    assert "names no mentor" in data["listed"][0]["detail"]


def test_only_the_recipient_chooses_and_the_latest_reply_wins(program, cli):
    shortlist(cli, program)
    letter = eml(program, "cy")
    i = ids(program)
    stranger = _reply(letter, "dee", "1", "gmail", 1)  # Dee answers Cy's shortlist
    later = _reply(letter, "cy", "3", "gmail", 2, hour=8)
    earlier = _reply(letter, "cy", "1", "gmail", 3, hour=7)
    data = read(cli, program, [stranger, later, earlier])
    assert chosen(program, "dee") is None and data["strangers"] == 1
    offered = next(e for e in person(program, "cy")["history"] if e["event"] == "shortlisted")
    assert chosen(program, "cy") == [offered["mentors"][2]]
    # Read again: nothing recorded twice.
    again = read(cli, program, [])
    assert again["choices"] == 0 and chosen(program, "cy") == [offered["mentors"][2]]
    shown = json.loads(
        cli("people", "show", i["cy"], "-w", program, "--json", "--today", "2026-03-03").stdout
    )
    assert shown["choice"]["mentors"][0]["id"] == offered["mentors"][2]
    assert [m["id"] for m in shown["shortlist"]["mentors"]] == offered["mentors"]
    text = cli("people", "show", i["cy"], "-w", program, "--today", "2026-03-03").stdout
    assert "Shortlist offered 2026-03-02 (shortlist 1)" in text and "Chose 2026-03-03" in text


def test_pair_honours_choices_and_explains_the_rest(program, cli):
    shortlist(cli, program)
    i = ids(program)
    # Cy and Dee both choose Ann (one place); Eve names Ann then Bo.
    msgs = [
        _reply(eml(program, "cy"), "cy", "Ann", "gmail", 1),
        _reply(eml(program, "dee"), "dee", "Ann", "outlook", 2),
        _reply(eml(program, "eve"), "eve", "Ann, then Bo", "iphone", 3),
    ]
    assert read(cli, program, msgs)["choices"] == 3
    for method in ("optimal", "stable"):
        result = cli("pair", "-w", program, "--json", "--method", method, "--today", "2026-03-03")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        got = {p["mentee"]: p for p in data["pairs"]}
        # Ann's place goes to the mentee she matches best (Cy or Dee, equal: the seed), Eve
        # gets her second choice, the other is told what happened, naming no other mentee.
        ann = [m for m, p in got.items() if p["mentor"] == i["ann"]]
        assert len(ann) == 1 and ann[0] in (i["cy"], i["dee"])
        assert got[ann[0]]["reasons"][0] == "chosen by the mentee (1st choice)"
        assert got[i["eve"]]["mentor"] == i["bo"]
        assert got[i["eve"]]["reasons"][0] == "chosen by the mentee (2nd choice)"
        other = ({i["cy"], i["dee"]} - set(ann)).pop()
        said = json.dumps([u for u in data["unmatched"] if u["mentee"] == other] or got[other])
        assert f"chose Ann ({i['ann']}): Ann's places went to mentees who match Ann better" in said
        assert i["cy"] not in said.replace(other, "") or other == i["cy"]
        assert ann[0] not in said


# -- the mentee's language, and delivery over SMTP -------------------------------------------

HELLO = {"de": "Hallo Cy,", "fr": "Bonjour Cy,", "es": "Hola, Cy:", "pt": "Olá, Cy!"}


@pytest.mark.parametrize("language", sorted(HELLO))
def test_the_shortlist_is_written_in_the_programs_language(tmp_path: Path, cli, language):
    root = tmp_path / language
    made = cli("init-program", "Cercle", "--template", "career", "--language", language,
               "--dir", root)  # fmt: skip
    assert made.exit_code == 0, made.output
    csv_file = write_csv(tmp_path / "s.csv", SIGNUPS)
    assert cli("import-signups", csv_file, "-w", root).exit_code == 0
    result = cli("pair", "--shortlist", "2", "-w", root)
    assert result.exit_code == 0, result.output
    files = sorted((root / "cercle" / "outbox").glob("shortlist-1-*.eml"))
    letter = email.message_from_bytes(files[0].read_bytes())
    text = letter.get_payload(decode=True).decode()
    assert text.startswith(HELLO[language]) and "\n1. Ann\n" in text.replace("\r\n", "\n")
    assert "Reply with" not in text and "Why:" not in text and "{{" not in text


def test_send_delivers_once_and_a_failed_delivery_goes_again(program: Path, cli, smtp_server):
    use_smtp(program, smtp_server.port)
    smtp_server.handler.refuse = {"dee@example.org"}
    smtp_server.handler.refusal = "450 4.2.1"  # a temporary refusal: tried again later
    result = cli("pair", "--shortlist", "3", "--send", "-w", program, "--json")
    assert result.exit_code == 4, result.output  # some failed, the rest went out
    assert "run 'mentorctl pair --shortlist 3 --send' again" in result.stderr
    got = sorted(r.rcpt_tos[0] for r in smtp_server.handler.received)
    assert got == ["cy@example.org", "eve@example.org"]
    smtp_server.handler.refuse = set()
    again = shortlist(cli, program, "--send")
    status = {o["mentee"]: o["status"] for o in again["shortlists"]}
    i = ids(program)
    assert status == {i["cy"]: "unchanged", i["dee"]: "sent_again", i["eve"]: "unchanged"}
    got = sorted(r.rcpt_tos[0] for r in smtp_server.handler.received)
    assert got == ["cy@example.org", "dee@example.org", "eve@example.org"]
    shortlist(cli, program, "--send")
    assert len(smtp_server.handler.received) == 3  # from cron: nothing twice
    # The same Message-ID each time: a reply names the shortlist, however it was sent.
    sent = smtp_server.handler.to("dee@example.org")[0].message["Message-ID"]
    assert sent == eml(program, "dee")["Message-ID"]
    assert f".program.shortlist1.{i['dee']}@" in sent and "waiting" not in sent


def test_usage_errors(program: Path, cli):
    for args in (["--shortlist", "0"], ["--send"], ["--shortlist", "2", "--commit"]):
        result = cli("pair", *args, "-w", program)
        assert result.exit_code == 2, (args, result.output)


def test_forgetting_a_mentor_removes_the_shortlists_that_name_them(program: Path, cli):
    shortlist(cli, program)
    outbox = program / PROGRAM / "outbox"
    naming = [p.name for p in outbox.iterdir() if "Ann" in p.read_text()]
    assert naming
    result = cli("forget", "ann@example.org", "--yes", "-w", program)
    assert result.exit_code == 0, result.output
    left = [p.name for p in outbox.iterdir()]
    assert not set(naming) & set(left)
    assert not any("Ann" in (outbox / name).read_text() for name in left)


# -- a larger program: many mentees choose, some the same popular mentor ---------------------


def test_two_hundred_mentees_choose_and_pair_honours_every_choice_it_can(workspace, cli):
    import random
    from collections import Counter

    rng = random.Random(7)
    topics = ["Career change", "Networking", "Interview preparation", "Getting promoted"]
    rows = [
        "Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Tell us about yourself"
    ]
    for n in range(60):
        name = "Men" + chr(97 + n // 26) + chr(97 + n % 26)  # Menaa, Menab...: one word each
        offer = ", ".join(rng.sample(topics, 2))
        rows.append(f"m{n}@example.org,{name} Surname{n},Mentor,40,,\"{offer}\",English,UTC,"
                    f"{rng.randint(1, 3)},I have mentored for {n % 9 + 1} years.")  # fmt: skip
    for n in range(200):
        goal = ", ".join(rng.sample(topics, rng.randint(1, 2)))
        rows.append(f'e{n}@example.org,Mentee{n} X,Mentee,30,"{goal}",,English,UTC,,')
    csv_file = write_csv(workspace / "big.csv", "\n".join(rows) + "\n")
    imported = cli("import-signups", csv_file, "-w", workspace)
    assert imported.exit_code == 0 and "Imported 260 new" in imported.output, imported.output
    offered = {
        o["mentee"]: [m["id"] for m in o["mentors"]]
        for o in shortlist(cli, workspace)["shortlists"]
    }
    assert len(offered) == 200
    store = read_store(workspace / PROGRAM / "data" / "store.json")["people"].values()
    by_email = {p["email"]: p["id"] for p in store}
    first = {p["id"]: p["name"].split()[0] for p in store}
    # The mentor offered most often is popular: everyone offered them names them first.
    popular = Counter(m for ms in offered.values() for m in ms).most_common(1)[0][0]
    shapes = ["gmail", "outlook", "iphone", "html"]
    msgs, wanted = [], {}
    for n in range(0, 200, 2):  # every other mentee replies, each in a client's shape
        mentee = by_email[f"e{n}@example.org"]
        mine = offered[mentee]
        FROM[f"e{n}"] = f"e{n}@example.org"
        if popular in mine:
            other = next(m for m in mine if m != popular)
            text = f"I'd like {first[popular]}, or else {first[other]}"
            wanted[mentee] = [popular, other]
        else:
            text, wanted[mentee] = f"{mine.index(mine[-1]) + 1} then 1", [mine[-1], mine[0]]
        msgs.append(_reply(eml(workspace, f"e{n}"), f"e{n}", text, shapes[n % 4], n))
    data = read(cli, workspace, msgs)
    assert data["choices"] == len(msgs) and not data["listed"]
    result = cli("pair", "-w", workspace, "--json", "--today", "2026-03-03")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    got = {p["mentee"]: p for p in plan["pairs"]}
    free = {p["id"]: p["capacity"] for p in store if p["role"] == "mentor"}
    load = Counter(p["mentor"] for p in plan["pairs"])
    assert all(load[m] <= free[m] for m in load)
    ranks = Counter()
    for mentee, choice in wanted.items():
        pair = got.get(mentee)
        if pair is not None and pair["reasons"][0].startswith("chosen by the mentee"):
            rank = choice.index(pair["mentor"]) + 1
            ranks[rank] += 1
            nth = "1st" if rank == 1 else "2nd"
            assert pair["reasons"][0] == f"chosen by the mentee ({nth} choice)"
            if rank == 2:  # their first choice had no room left
                assert load[choice[0]] == free[choice[0]]
            continue
        ranks[0] += 1
        said = json.dumps(pair or next(u for u in plan["unmatched"] if u["mentee"] == mentee))
        for mentor in choice:  # every choice of theirs is full, and they are told so
            assert load[mentor] == free[mentor]
            who = f"{first[mentor]} ({mentor}): {first[mentor]}'s places went to mentees who"
            assert who in said
    # The popular mentor took only as many as they have room for; the others moved on.
    assert ranks[1] and ranks[2] and ranks[0], ranks
    assert load[popular] == free[popular]


def test_the_cron_checkin_retries_a_shortlist_still_current(program: Path, cli, smtp_server):
    use_smtp(program, smtp_server.port)
    smtp_server.handler.refuse = {"dee@example.org", "eve@example.org"}
    smtp_server.handler.refusal = "450 4.2.1"
    first = cli("pair", "--shortlist", "3", "--send", "-w", program, "--json")
    assert first.exit_code == 4, first.output
    smtp_server.handler.refuse = set()
    i = ids(program)
    # Eve is paired by hand meanwhile: her shortlist no longer matters
    added = cli("pair", "--add", i["eve"], i["lucia"], "-w", program)
    assert added.exit_code == 0, added.output
    run = cli("checkin", "--send", "-w", program, "--json")
    assert run.exit_code == 0, run.output
    got = [(m["kind"], m["to"], m["status"]) for m in json.loads(run.stdout)["messages"]]
    assert ("shortlist", [i["dee"]], "sent") in got
    assert [r.rcpt_tos for r in smtp_server.handler.received] == [
        ["cy@example.org"], ["dee@example.org"],
    ]  # fmt: skip
    sent = smtp_server.handler.to("dee@example.org")[0].message
    assert sent["Message-ID"] == eml(program, "dee")["Message-ID"]
    assert "1. Ann" in sent.get_body(("plain",)).get_content()
    again = cli("checkin", "--send", "-w", program, "--json")  # from cron: nothing twice
    assert again.exit_code == 0, again.output
    assert len(smtp_server.handler.received) == 2


def test_a_mentee_whose_choice_can_still_be_honoured_is_not_asked_again(program, cli):
    shortlist(cli, program)
    i = ids(program)
    offered = next(e for e in person(program, "cy")["history"] if e["event"] == "shortlisted")
    first = offered["mentors"][0]
    data = read(cli, program, [_reply(eml(program, "cy"), "cy", "1", "gmail", 1)])
    assert data["choices"] == 1 and chosen(program, "cy") == [first]
    # Another mentor on Cy's list leaves: the list changes, but the mentor Cy chose can still
    # take them, so Cy gets no second "choose your mentor" message.
    other = next(m for m in offered["mentors"] if m != first)
    result = cli("withdraw", other, "--reason", "moved away", "-w", program)
    assert result.exit_code == 0, result.output
    again = shortlist(cli, program)
    assert i["cy"] in again["choice_open"]
    assert i["cy"] not in {o["mentee"] for o in again["shortlists"] if o["status"] == "new"}
    assert not (program / PROGRAM / "outbox" / f"shortlist-2-{i['cy']}.eml").exists()
    # Once the chosen mentor can no longer take them, Cy is offered a new list.
    result = cli("withdraw", first, "--reason", "no time", "-w", program)
    assert result.exit_code == 0, result.output
    last = shortlist(cli, program)
    status = {o["mentee"]: o["status"] for o in last["shortlists"]}
    assert i["cy"] not in last["choice_open"] and status.get(i["cy"]) == "new"
