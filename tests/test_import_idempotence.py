"""Importing is idempotent: people are known by their normalised email address.

The same export twice changes nothing (the store file keeps its bytes); an updated export
changes only the people who changed; --dry-run reports the same and writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers import FIXTURES, people, read_store, write_csv
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

SAMPLE = Path(__file__).resolve().parents[1] / "sample_programs" / "career-circle"

FIRST = (
    "Email Address,Full name,I would like to,Age,Goals,Expertise,How many mentees can you take?\n"
    'ana.silva@example.org,Ana Silva,Find a mentor,30,"Career change, Networking",,\n'
    'bo.li@example.net,Bo Li,Be a mentor,41,,"Networking, Getting promoted",2\n'
    "cy.okoro@example.com,Cy Okoro,Find a mentor,25,Interview preparation,,\n"
    "di.haddad@example.org,Di Haddad,Find a mentor,33,Salary and negotiation,,\n"
)
# A later export: Ana and Cy changed their goals, Bo changed nothing but the case of his
# address, Di is unchanged, Ed is new.
SECOND = (
    "Email Address,Full name,I would like to,Age,Goals,Expertise,How many mentees can you take?\n"
    'ana.silva@example.org,Ana Silva,Find a mentor,30,"Career change, Networking, Getting promoted",,\n'
    'Bo.Li@Example.net,Bo Li,Be a mentor,41,,"Networking, Getting promoted",2\n'
    "cy.okoro@example.com,Cy Okoro,Find a mentor,25,CV and LinkedIn profile,,\n"
    "di.haddad@example.org,Di Haddad,Find a mentor,33,Salary and negotiation,,\n"
    "ed.novak@example.net,Ed Novak,Find a mentor,28,Networking,,\n"
)
COUNTS = ("imported", "updated", "unchanged", "rejected")


def run(cli, workspace: Path, path: Path, *options: str) -> dict:
    result = cli("import-signups", path, "--workspace", workspace, "--json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def counts(report: dict) -> tuple[int, ...]:
    return tuple(report[name] for name in COUNTS)


def by_email(store_file: Path) -> dict[str, dict]:
    return {p["email"]: p for p in people(store_file)}


PUBLIC = (
    "id",
    "email",
    "name",
    "role",
    "age",
    "age_confirmed",
    "birth_date",
    "goals",
    "expertise",
    "languages",
    "timezone",
    "capacity",
    "organisation",
    "bio",
    "extra",
    "status",
    "created",
    "updated",
)


def public(person: dict) -> dict:
    """A person's fields, without whatever bookkeeping the importer keeps beside them."""
    return {name: person.get(name) for name in PUBLIC}


# -- the same file twice ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        FIXTURES / "forms" / "google_forms.csv",
        FIXTURES / "forms" / "excel_european.csv",
        SAMPLE / "signups.csv",
    ],
    ids=["google", "european", "sample"],
)
def test_the_same_file_twice_changes_nothing(
    cli, workspace: Path, store_file: Path, path: Path
) -> None:
    first = run(cli, workspace, path)
    after_first = store_file.read_bytes()
    second = run(cli, workspace, path)
    assert counts(second) == (0, 0, first["imported"], first["rejected"])
    assert second["changed_fields"] == {}
    assert store_file.read_bytes() == after_first


@pytest.mark.parametrize(
    "damage", ["missing", "empty", "cut short", "another store's", "a store changed since"]
)
def test_an_import_index_that_is_lost_or_stale_is_rebuilt(
    cli, workspace: Path, store_file: Path, tmp_path: Path, damage: str
) -> None:
    # The index beside the store is a cache, written without fsync: after a power cut it may
    # be old, empty or missing, and a re-import must then still know every row.
    path = write_csv(tmp_path / "s.csv", FIRST)
    first = run(cli, workspace, path)
    index = store_file.with_name("import-index.json")
    data = json.loads(index.read_bytes())
    rows = dict(data["rows"])
    if damage == "missing":
        index.unlink()
    elif damage == "empty":
        index.write_bytes(b"")
    elif damage == "cut short":
        index.write_bytes(index.read_bytes()[:-20])
    elif damage == "another store's":
        data["store"][0] += 1
        data["rows"] = {}
        index.write_text(json.dumps(data))
    else:
        store_file.write_bytes(store_file.read_bytes() + b"\n")  # same content, new identity
    second = run(cli, workspace, path)
    assert counts(second) == (0, 0, first["imported"], first["rejected"])
    assert json.loads(index.read_bytes())["rows"] == rows


def test_the_same_file_twice_in_the_table(cli, workspace: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", FIRST)
    cli("import-signups", path, "--workspace", workspace)
    result = cli("import-signups", path, "--workspace", workspace)
    assert result.exit_code == 0, result.output
    assert "Imported 0 new, updated 0, unchanged 4, rejected 0 of 4 rows." in result.stdout


# -- an updated export --------------------------------------------------------------------------


def test_an_updated_export_changes_only_who_changed(
    cli, workspace: Path, store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(cli, workspace, write_csv(tmp_path / "first.csv", FIRST))
    before = by_email(store_file)

    monkeypatch.setenv("MENTORCTL_NOW", "2026-03-09T10:30:00+00:00")
    report = run(cli, workspace, write_csv(tmp_path / "second.csv", SECOND))

    assert counts(report) == (1, 2, 2, 0)
    assert report["changed_fields"] == {"goals": 2}
    after = by_email(store_file)
    assert sorted(after["ana.silva@example.org"]["goals"]) == [
        "Career change",
        "Getting promoted",
        "Networking",
    ]
    assert after["cy.okoro@example.com"]["goals"] == ["CV and LinkedIn profile"]
    for email in ("ana.silva@example.org", "cy.okoro@example.com"):
        assert after[email]["updated"] == "2026-03-09T10:30:00+00:00"
        assert (after[email]["id"], after[email]["created"]) == (
            before[email]["id"],
            before[email]["created"],
        )
    for email in ("bo.li@example.net", "di.haddad@example.org"):
        assert public(after[email]) == public(before[email])
    assert after["ed.novak@example.net"]["id"] == "P5"
    assert len(after) == 5


def test_an_updated_export_in_the_table(cli, workspace: Path, tmp_path: Path) -> None:
    run(cli, workspace, write_csv(tmp_path / "first.csv", FIRST))
    result = cli(
        "import-signups", write_csv(tmp_path / "second.csv", SECOND), "--workspace", workspace
    )
    assert result.exit_code == 0, result.output
    assert (
        "Imported 1 new, updated 2 (goals 2), unchanged 2, rejected 0 of 5 rows." in result.stdout
    )


def test_changed_fields_count_each_field(cli, workspace: Path, tmp_path: Path) -> None:
    run(cli, workspace, write_csv(tmp_path / "first.csv", FIRST))
    changed = (
        FIRST.replace("Ana Silva,Find a mentor,30", "Ana Silva-Reyes,Find a mentor,31")
        .replace(
            'Bo Li,Be a mentor,41,,"Networking, Getting promoted",2',
            'Bo Li,Be a mentor,41,,"Networking, Getting promoted",3',
        )
        .replace("Cy Okoro,Find a mentor,25", "Cy Okoro,Find a mentor,26")
    )
    report = run(cli, workspace, write_csv(tmp_path / "changed.csv", changed))
    assert counts(report) == (0, 3, 1, 0)
    assert report["changed_fields"] == {"age": 2, "capacity": 1, "name": 1}


def test_changed_program_settings_reread_the_same_file(
    cli, workspace: Path, store_file: Path, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "s.csv",
        FIRST.replace('Networking, Getting promoted",2', 'Networking, Getting promoted",'),
    )
    run(cli, workspace, path)
    assert by_email(store_file)["bo.li@example.net"]["capacity"] == 2
    program = workspace / "test-program" / "program.yaml"
    program.write_text(
        program.read_text(encoding="utf-8").replace("default_capacity: 2", "default_capacity: 3"),
        encoding="utf-8",
    )
    report = run(cli, workspace, path)
    assert counts(report) == (0, 1, 3, 0)
    assert report["changed_fields"] == {"capacity": 1}
    assert by_email(store_file)["bo.li@example.net"]["capacity"] == 3


def test_a_changed_map_rereads_the_same_file(cli, workspace: Path, store_file: Path) -> None:
    path = FIXTURES / "forms" / "google_forms.csv"
    run(cli, workspace, path)
    report = run(cli, workspace, path, "--map", "bio=")
    # The three people with a bio lose it to an extra answer; the two without are unchanged.
    assert counts(report) == (0, 3, 2, 0)
    assert report["changed_fields"] == {"bio": 3, "extra": 3}
    assert by_email(store_file)["aoife.nibhriain@example.net"]["extra"][
        "Tell us about yourself"
    ] == ("Back after three years at home with twins.")
    assert counts(run(cli, workspace, path, "--map", "bio=")) == (0, 0, 5, 0)


def test_sample_program_update(cli, workspace: Path, store_file: Path) -> None:
    """The update step of sample_programs/career-circle/README.md."""
    run(cli, workspace, SAMPLE / "signups.csv")
    dry = run(cli, workspace, SAMPLE / "signups-update.csv", "--dry-run")
    report = run(cli, workspace, SAMPLE / "signups-update.csv")
    assert counts(report) == counts(dry) == (3, 2, 40, 3)
    # Google Forms moves the Timestamp of an edited answer; it is kept as an extra answer.
    assert report["changed_fields"] == dry["changed_fields"] == {"extra": 2, "goals": 2}
    assert len(people(store_file)) == 45


# -- duplicates within one file -----------------------------------------------------------------


def test_a_duplicate_email_the_later_row_wins(
    cli, workspace: Path, store_file: Path, tmp_path: Path
) -> None:
    text = (
        "Email Address,Full name,I would like to,Age,Goals,Tell us about yourself\n"
        'ana.silva@example.org,Ana Silva,Find a mentor,30,Career change,"first\nanswer"\n'  # row 2
        "bo.li@example.net,Bo Li,Find a mentor,41,Networking,\n"  # row 3
        ' ANA.SILVA@example.org ,Ana Silva,Find a mentor,30,"Career change, Networking",second\n'  # row 4
    )
    path = write_csv(tmp_path / "dup.csv", text)
    report = run(cli, workspace, path)
    assert counts(report) == (2, 0, 0, 0)
    assert report["warnings"] == ["row 4: same email as row 2; the later row (row 4) is kept"]
    ana = by_email(store_file)["ana.silva@example.org"]
    assert (sorted(ana["goals"]), ana["bio"]) == (["Career change", "Networking"], "second")

    result = cli("import-signups", path, "--workspace", workspace)
    assert result.exit_code == 0, result.output
    assert "warning: row 4: same email as row 2; the later row (row 4) is kept" in result.stderr
    assert "@" not in result.stderr


# -- --dry-run ----------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_reports_the_same(
    cli, workspace: Path, store_file: Path, tmp_path: Path
) -> None:
    first, second = (
        write_csv(tmp_path / "first.csv", FIRST),
        write_csv(tmp_path / "second.csv", SECOND),
    )
    pristine = store_file.read_bytes()
    dry = run(cli, workspace, first, "--dry-run")
    assert store_file.read_bytes() == pristine
    assert dry["dry_run"] is True
    real = run(cli, workspace, first)
    assert real["dry_run"] is False
    assert {**dry, "dry_run": False} == real

    after_first = store_file.read_bytes()
    dry = run(cli, workspace, second, "--dry-run")
    assert store_file.read_bytes() == after_first
    real = run(cli, workspace, second)
    assert {**dry, "dry_run": False} == real
    assert counts(real) == (1, 2, 2, 0)


def test_dry_run_says_so_in_the_table(
    cli, workspace: Path, store_file: Path, tmp_path: Path
) -> None:
    before = store_file.read_bytes()
    result = cli(
        "import-signups",
        write_csv(tmp_path / "s.csv", FIRST),
        "--workspace",
        workspace,
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    assert (
        "Dry run, nothing written: would import 4 new, updated 0, unchanged 0, rejected 0 of 4 rows."
        in result.stdout
    )
    assert store_file.read_bytes() == before
    assert read_store(store_file).get("people", {}) == {}


# -- round trip of generated people -------------------------------------------------------------

SPECIALS = [
    '"',
    "'",
    ",",
    ";",
    "\n",
    "\r\n",
    "\t",
    "  ",
    "{{ 7*7 }}",
    "{% raw %}",
    "${HOME}",
    "=1+1",
    "<b>",
    "\\",
]
# Any character but surrogates, control characters and line/paragraph separators.
CHARS = st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"))
NAMES = (
    st.lists(
        st.one_of(st.text(CHARS, min_size=1, max_size=8), st.sampled_from(SPECIALS)),
        min_size=1,
        max_size=6,
    )
    .map("".join)
    .filter(lambda name: name.split() != [])
)
LOCAL = st.from_regex(r"[a-z0-9]([a-z0-9_+-]|\.(?!\.)){0,12}[a-z0-9]", fullmatch=True).filter(
    lambda s: ".." not in s
)
EMAILS = st.builds(
    lambda local, domain, upper: f"{local}@{domain}".upper() if upper else f"{local}@{domain}",
    LOCAL,
    st.sampled_from(["example.org", "example.com", "example.net", "mail.example.org"]),
    st.booleans(),
)
PERSON = st.fixed_dictionaries(
    {
        "name": NAMES,
        "email": EMAILS,
        "role": st.sampled_from(["Mentor", "Mentee", "Both", "Find a mentor", "Be a mentor"]),
        "age": st.integers(min_value=18, max_value=99),
    }
)
PEOPLE = st.lists(PERSON, min_size=1, max_size=6, unique_by=lambda p: p["email"].lower())


def csv_of(generated: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Full name", "Email address", "Role", "Age"])
    for person in generated:
        writer.writerow([person["name"], person["email"], person["role"], person["age"]])
    return buffer.getvalue()


def test_separator_characters_in_a_name_separate_words(
    cli, workspace: Path, store_file: Path, tmp_path: Path
) -> None:
    """Line/paragraph separators, vertical tab (FileMaker's line break) and form feed are
    whitespace: like a line break, they become one space rather than gluing words together."""
    names = {
        "ana@example.org": "Ana\u2028Silva",
        "bo@example.org": "Bo\u2029Li",
        "cy@example.org": "Cy\x0bOkoro",
        "di@example.org": "Di\x0cHaddad",
        "ed@example.org": "Ed\nNovak",
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Full name", "Email", "Role", "Age"])
    writer.writerows([name, email, "Mentee", 30] for email, name in names.items())
    path = tmp_path / "names.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    run(cli, workspace, path)
    stored = {p["email"]: p["name"] for p in people(store_file)}
    assert stored == {email: " ".join(name.split()) for email, name in names.items()}


@pytest.fixture
def fresh_store(store_file: Path):
    """Puts the empty store back before each generated example."""
    pristine = store_file.read_bytes()

    def reset() -> Path:
        store_file.write_bytes(pristine)
        return store_file

    return reset


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=PEOPLE)
@example(
    generated=[
        {
            "name": '{{ 7*7 }} "Bobby", Tables',
            "email": "bobby@example.org",
            "role": "Mentee",
            "age": 30,
        },
        {"name": " Zoë\n  Ångström\r\n", "email": "Zoe@Example.COM", "role": "Mentor", "age": 47},
        {
            "name": "{% for x in y %}{{ x }}{% endfor %}",
            "email": "jinja@example.net",
            "role": "Both",
            "age": 18,
        },
    ]
)
def test_generated_people_round_trip(
    cli, workspace: Path, fresh_store, tmp_path: Path, generated
) -> None:
    store_file = fresh_store()
    path = tmp_path / "generated.csv"
    path.write_text(csv_of(generated), encoding="utf-8", newline="")

    report = run(cli, workspace, path)
    assert counts(report) == (len(generated), 0, 0, 0), report["rejects"]
    stored = by_email(store_file)
    assert len(stored) == len(generated)
    for person in generated:
        got = stored[person["email"].lower()]
        assert got["name"] == " ".join(person["name"].split())
        assert got["age"] == person["age"]

    after_first = store_file.read_bytes()
    again = run(cli, workspace, path)
    assert counts(again) == (0, 0, len(generated), 0)
    assert store_file.read_bytes() == after_first
