"""import-signups reads the exports of real form services and spreadsheets.

Every file in tests/fixtures/forms holds the same five people (written by make_fixtures.py
there); each file has the encoding, delimiter, line ends and headers of one service.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import FIXTURES, PROGRAM, people, write_csv
from hypothesis import given
from hypothesis import strategies as st

from mentorctl.signups import formcsv

FORMS = FIXTURES / "forms"

ZOE_BIO = (
    "Engineering manager at a Stockholm fintech, 20 years in software.\n"
    'Happy to talk about promotions, pay and "first-time manager" nerves.'
)

# What every file must produce, whatever its shape. Topic lists are compared as sets here
# (test_checkbox_answers_keep_their_order checks the order on its own).
EXPECTED = {
    "zoe.angstrom@example.org": {
        "name": "Zoë Ångström",
        "role": "mentor",
        "age": 47,
        "goals": [],
        "expertise": ["Getting promoted", "Moving into management", "Salary and negotiation"],
        "languages": ["English", "Swedish"],
        "timezone": "Europe/Stockholm",
        "capacity": 3,
        "organisation": "Nordlys Analytics",
        "bio": ZOE_BIO,
    },
    "jose.muller@example.com": {
        "name": "José Müller",
        "role": "mentee",
        "age": 25,
        "goals": ["Career change", "CV and LinkedIn profile"],
        "expertise": [],
        "languages": ["Spanish", "German"],
        "timezone": "Europe/Madrid",
        "capacity": None,
        "organisation": "Müller, Schmidt & Partner",
        "bio": None,
    },
    "aoife.nibhriain@example.net": {
        "name": "Aoife Ní Bhriain",
        "role": "mentee",
        "age": 29,
        "goals": ["Returning after a career break", "Networking"],
        "expertise": [],
        "languages": ["English", "Irish"],
        "timezone": "Europe/Dublin",
        "capacity": None,
        "organisation": None,
        "bio": "Back after three years at home with twins.",
    },
    "kwame.mensah@example.com": {
        "name": "Kwame Mensah",
        "role": "mentee",
        "age": 22,
        "goals": [
            "Starting out after education",
            "Job search and applications",
            "Interview preparation",
        ],
        "expertise": [],
        "languages": ["English", "French"],
        "timezone": "Africa/Accra",
        "capacity": None,
        "organisation": None,
        "bio": None,
    },
    "francoise.dubois@example.org": {
        "name": "Françoise Dubois",
        "role": "both",
        "age": 38,
        "goals": ["Freelancing and self-employment"],
        "expertise": ["Visibility and personal brand", "Networking"],
        "languages": ["French", "English"],
        "timezone": "UTC+1",
        "capacity": 1,
        "organisation": "Atelier Dubois",
        "bio": "Designer turned freelancer; ask me anything about going solo.",
    },
}

MS_MAP = ("--map", "email=What is your email address?", "--map", "name=What is your name?")

# file, extra options, encoding reported, delimiter reported
FORMATS = [
    ("google_forms.csv", (), "utf-8", "comma"),
    ("microsoft_forms.csv", MS_MAP, "utf-8", "comma"),
    ("typeform.csv", (), "utf-8", "comma"),
    ("excel_utf8_bom.csv", (), "utf-8-sig", "comma"),
    ("excel_european.csv", (), "cp1252", "semicolon"),
    ("excel_unicode.txt", (), "utf-16", "tab"),
]


def run_import(cli, workspace: Path, path: Path, *options: str) -> dict:
    result = cli("import-signups", path, "--workspace", workspace, "--json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by_email(store_file: Path) -> dict[str, dict]:
    return {p["email"]: p for p in people(store_file)}


def mapping_of(report: dict) -> dict[str, str]:
    return {m["header"]: m["field"] for m in report["mapping"]}


def table_rows(text: str, title: str) -> list[list[str]]:
    """The rows of a plain-text table printed after the line ``title`` (header row excluded)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    rows = []
    for line in lines[start + 2 :]:
        if not line.strip() or re.match(r"(Rejected rows|Imported|Dry run)", line):
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


# -- the same five people from every service --------------------------------------------------


def test_the_fixtures_have_the_bytes_their_services_write() -> None:
    google = (FORMS / "google_forms.csv").read_bytes()
    assert google.startswith(b"Timestamp,Email Address,")
    assert "Zoë Ångström".encode() in google
    bom = (FORMS / "excel_utf8_bom.csv").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbfName,") and b"\r\n" in bom
    european = (FORMS / "excel_european.csv").read_bytes()
    assert "José Müller;".encode("cp1252") in european and b"\r\n" in european
    assert ";Müller, Schmidt & Partner;".encode("cp1252") in european  # comma, unquoted
    with pytest.raises(UnicodeDecodeError):
        european.decode("utf-8")
    unicode_text = (FORMS / "excel_unicode.txt").read_bytes()
    assert unicode_text.startswith(b"\xff\xfeN\x00a\x00m\x00e\x00\t\x00")
    microsoft = (FORMS / "microsoft_forms.csv").read_bytes()
    assert microsoft.startswith(b"ID,Start time,Completion time,Email,Name,")
    assert b",anonymous,," in microsoft
    typeform = (FORMS / "typeform.csv").read_bytes()
    assert typeform.startswith(b'"#","What\'s your name?","What\'s your email address?"')
    assert b'"Start Date (UTC)","Submit Date (UTC)","Network ID"' in typeform


@pytest.mark.parametrize(("filename", "options", "encoding", "delimiter"), FORMATS)
def test_each_format_imports_the_five_people(
    cli, workspace: Path, store_file: Path, filename, options, encoding, delimiter
) -> None:
    report = run_import(cli, workspace, FORMS / filename, *options)

    assert report["encoding"] == encoding
    assert report["delimiter"] == delimiter
    assert (report["rows"], report["imported"], report["rejected"]) == (5, 5, 0)
    assert report["rejects"] == []
    stored = by_email(store_file)
    assert sorted(stored) == sorted(EXPECTED)
    for email, want in EXPECTED.items():
        got = stored[email]
        for name in (
            "name",
            "role",
            "age",
            "languages",
            "timezone",
            "capacity",
            "organisation",
            "bio",
        ):
            assert got[name] == want[name], (filename, email, name)
        assert sorted(got["goals"]) == sorted(want["goals"]), (filename, email)
        assert sorted(got["expertise"]) == sorted(want["expertise"]), (filename, email)


@pytest.mark.parametrize(("filename", "options", "encoding", "delimiter"), FORMATS)
def test_the_table_names_the_encoding_delimiter_and_columns(
    cli, workspace: Path, filename, options, encoding, delimiter
) -> None:
    result = cli("import-signups", FORMS / filename, "--workspace", workspace, *options)
    assert result.exit_code == 0, result.output
    assert f"Columns of {filename} ({encoding}, {delimiter}-separated)" in result.stdout
    fields = {row[0]: row[1] for row in table_rows(result.stdout, "Columns of")}
    assert {"email", "name", "role", "age", "goals", "languages", "bio"} <= set(fields.values())
    assert "Imported 5 new, updated 0, unchanged 0, rejected 0 of 5 rows." in result.stdout


def test_google_forms_mapping_table(cli, workspace: Path) -> None:
    result = cli("import-signups", FORMS / "google_forms.csv", "--workspace", workspace)
    assert result.exit_code == 0, result.output
    assert table_rows(result.stdout, "Columns of") == [
        ["Timestamp", "extra: Timestamp"],
        ["Email Address", "email"],
        ["Full name", "name"],
        ["I would like to", "role"],
        ["Age", "age"],
        ["Goals", "goals"],
        ["Expertise", "expertise"],
        ["Languages", "languages"],
        ["Time zone", "timezone"],
        ["How many mentees can you take?", "capacity"],
        ["Company", "organisation"],
        ["Tell us about yourself", "bio"],
    ]


def test_typeform_long_questions_and_service_columns(
    cli, workspace: Path, store_file: Path
) -> None:
    report = run_import(cli, workspace, FORMS / "typeform.csv")
    mapping = mapping_of(report)
    assert mapping["What's your name?"] == "name"
    assert mapping["What's your email address?"] == "email"
    assert mapping["Are you signing up as a mentor or a mentee?"] == "role"
    assert mapping["What would you like to work on with a mentor?"] == "goals"
    assert mapping["What could you help a mentee with?"] == "expertise"
    assert mapping["Which languages are you comfortable mentoring in?"] == "languages"
    assert mapping["Tell us a bit about your career so far"] == "bio"
    for header in ("#", "Start Date (UTC)", "Submit Date (UTC)", "Network ID"):
        assert mapping[header] == f"extra: {header}"
    zoe = by_email(store_file)["zoe.angstrom@example.org"]
    assert zoe["extra"]["#"] == "k3x9q2m1v7c4"
    assert zoe["extra"]["Network ID"] == "1f3e9a21c0"


def test_typed_topics_get_the_programs_spelling(cli, workspace: Path, store_file: Path) -> None:
    # Typeform answers here are typed in lower case, one of them one topic per line.
    run_import(cli, workspace, FORMS / "typeform.csv")
    kwame = by_email(store_file)["kwame.mensah@example.com"]
    assert sorted(kwame["goals"]) == sorted(EXPECTED["kwame.mensah@example.com"]["goals"])
    jose = by_email(store_file)["jose.muller@example.com"]
    assert sorted(jose["goals"]) == ["CV and LinkedIn profile", "Career change"]


# -- Microsoft Forms: the Email column says "anonymous" -----------------------------------------


def test_microsoft_forms_anonymous_email_column_gives_way_without_map(
    cli, workspace: Path, store_file: Path
) -> None:
    """The service's own Email column holds 'anonymous': the form's address question is read."""
    report = run_import(cli, workspace, FORMS / "microsoft_forms.csv")
    assert mapping_of(report)["Email"] == "extra: Email"
    assert mapping_of(report)["What is your email address?"] == "email"
    assert report["imported"] == 5
    assert sorted(by_email(store_file)) == sorted(EXPECTED)


def test_microsoft_forms_map_email_alone_reads_the_name_question(
    cli, workspace: Path, store_file: Path
) -> None:
    report = run_import(cli, workspace, FORMS / "microsoft_forms.csv", *MS_MAP[:2])
    mapping = mapping_of(report)
    assert mapping["What is your email address?"] == "email"
    assert mapping["What is your name?"] == "name"
    assert mapping["Name"] == "extra: Name"
    assert report["imported"] == 5


def test_microsoft_forms_with_map_imports_everyone(cli, workspace: Path, store_file: Path) -> None:
    report = run_import(cli, workspace, FORMS / "microsoft_forms.csv", *MS_MAP)
    mapping = mapping_of(report)
    assert mapping["What is your email address?"] == "email"
    assert mapping["What is your name?"] == "name"
    assert mapping["Email"] == "extra: Email"
    assert mapping["Name"] == "extra: Name"
    assert mapping["Would you like to be a mentor or a mentee?"] == "role"
    assert mapping["Which career topics would you like help with?"] == "goals"
    assert report["imported"] == 5
    # The ";"-joined multiple choice answers (with a trailing ";") split into topics.
    zoe = by_email(store_file)["zoe.angstrom@example.org"]
    assert sorted(zoe["expertise"]) == sorted(EXPECTED["zoe.angstrom@example.org"]["expertise"])


def test_map_header_matches_without_case_or_spaces(cli, workspace: Path) -> None:
    report = run_import(
        cli,
        workspace,
        FORMS / "microsoft_forms.csv",
        "--map",
        "email=  WHAT IS YOUR   email address? ",
        "--map",
        "name=what is your name?",
    )
    assert report["imported"] == 5


# -- --map overrides ----------------------------------------------------------------------------


def test_map_overrides_the_automatic_choice(cli, workspace: Path, store_file: Path) -> None:
    report = run_import(
        cli,
        workspace,
        FORMS / "google_forms.csv",
        "--map",
        "organisation=Tell us about yourself",
        "--map",
        "bio=",
    )
    mapping = mapping_of(report)
    assert mapping["Tell us about yourself"] == "organisation"
    assert mapping["Company"] == "extra: Company"  # unmapped columns are kept as extra answers
    stored = by_email(store_file)
    assert stored["aoife.nibhriain@example.net"]["organisation"] == (
        "Back after three years at home with twins."
    )
    assert stored["aoife.nibhriain@example.net"]["bio"] is None
    # A one-line field never carries a line break.
    assert stored["zoe.angstrom@example.org"]["organisation"] == " ".join(ZOE_BIO.split())
    assert stored["zoe.angstrom@example.org"]["extra"]["Company"] == "Nordlys Analytics"


def test_map_an_extra_field_of_the_program(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    path = write_csv(
        tmp_path / "signups.csv",
        "Full name,Email,Role,Age,Sector we work in\n"
        "Ana Silva,ana.silva@example.org,Mentee,30,Healthcare\n",
    )
    report = run_import(cli, workspace, path, "--map", "industry=Sector we work in")
    assert mapping_of(report)["Sector we work in"] == "extra: industry"
    assert people(store_file)[0]["extra"] == {"industry": "Healthcare"}


def test_map_reaches_every_field_ranked_mentors_and_name_parts_included(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    path = write_csv(
        tmp_path / "signups.csv",
        "Given,Family,Contact,Role,Age,Who would you like as a mentor (best first)?\n"
        "Ana,Silva,ana.silva@example.org,Mentee,30,"
        '"meg@example.org, raj@example.org"\n',
    )
    report = run_import(
        cli, workspace, path,
        "--map", "first_name=Given", "--map", "last_name=Family", "--map", "email=Contact",
        "--map", "ranked_mentors=Who would you like as a mentor (best first)?",
    )  # fmt: skip
    mapping = mapping_of(report)
    assert mapping["Given"] == "name (first part)" and mapping["Family"] == "name (last part)"
    assert mapping["Who would you like as a mentor (best first)?"] == "extra: ranked_mentors"
    (ana,) = people(store_file)
    assert ana["name"] == "Ana Silva"
    # the answer matching's --method stable reads as the mentee's ranked choices
    assert ana["extra"] == {"ranked_mentors": "meg@example.org, raj@example.org"}


def test_map_a_name_part_alone_is_refused(cli, workspace: Path, tmp_path) -> None:
    path = write_csv(tmp_path / "s.csv", "Given,Email,Role,Age\nAna,a@example.org,Mentee,30\n")
    result = cli("import-signups", path, "--workspace", workspace, "--map", "first_name=Given")
    assert result.exit_code == 2, result.output
    assert "--map first_name and --map last_name go together" in result.stderr


# -- multi-line answers, topic choices ----------------------------------------------------------


@pytest.mark.parametrize("filename", [f[0] for f in FORMATS])
def test_a_bio_over_two_lines_is_kept(cli, workspace: Path, store_file: Path, filename) -> None:
    options = MS_MAP if filename == "microsoft_forms.csv" else ()
    run_import(cli, workspace, FORMS / filename, *options)
    assert by_email(store_file)["zoe.angstrom@example.org"]["bio"] == ZOE_BIO


def test_a_topic_holding_a_comma_stays_whole(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    program = workspace / PROGRAM / "program.yaml"
    text = program.read_text(encoding="utf-8")
    text = text.replace(
        "    - Networking\n", '    - Networking\n    - "Leadership, influence and communication"\n'
    )
    program.write_text(text, encoding="utf-8")
    path = write_csv(
        tmp_path / "signups.csv",
        "Email Address,Full name,I would like to,Age,Goals\n"
        "ana.silva@example.org,Ana Silva,Find a mentor,30,"
        '"Leadership, influence and communication, Networking, Public speaking"\n',
    )
    run_import(cli, workspace, path)
    goals = people(store_file)[0]["goals"]
    assert sorted(goals) == [
        "Leadership, influence and communication",
        "Networking",
        "Public speaking",
    ]


def test_topics_are_matched_without_case_and_spelt_as_the_program(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    path = write_csv(
        tmp_path / "signups.csv",
        "Email Address,Full name,I would like to,Age,Goals,Languages\n"
        "ana.silva@example.org,Ana Silva,Find a mentor,30,"
        '"cv AND linkedin profile; salary and negotiation","portuguese & english"\n',
    )
    run_import(cli, workspace, path)
    ana = people(store_file)[0]
    assert sorted(ana["goals"]) == ["CV and LinkedIn profile", "Salary and negotiation"]
    assert ana["languages"] == ["Portuguese", "English"]


def test_checkbox_answers_keep_their_order(cli, workspace: Path, store_file: Path) -> None:
    """Google Forms lists ticked boxes in the form's order; the stored list keeps that order."""
    run_import(cli, workspace, FORMS / "google_forms.csv")
    stored = by_email(store_file)
    assert stored["zoe.angstrom@example.org"]["expertise"] == [
        "Getting promoted",
        "Moving into management",
        "Salary and negotiation",
    ]
    assert stored["jose.muller@example.com"]["goals"] == [
        "Career change",
        "CV and LinkedIn profile",
    ]


@given(
    st.lists(st.sampled_from(["a", "é", "✓", "𝄞", "\n", ","]), max_size=60),
    st.lists(
        st.tuples(st.integers(0, 300), st.sampled_from([b"\xff", b"\xc3", b"\x80", b"\xe2\x9c"]))
    ),
    st.sampled_from([1, 2, 3, 5, 16, 1 << 14]),
)
def test_the_first_byte_that_is_not_utf8_is_found(
    chars: list[str], inserts: list[tuple[int, bytes]], chunk: int
) -> None:
    data = "".join(chars).encode()
    for at, junk in inserts:
        data = data[:at] + junk + data[at:]
    try:
        data.decode("utf-8")
        expected = None
    except UnicodeDecodeError as exc:
        expected = exc.start
    assert formcsv._first_bad_utf8(data, 0, chunk) == expected
