"""import-signups reads exports whose shape differs from one column per question.

Typeform writes a multiple-selection question one column per choice (tests/fixtures/forms/
typeform_choices.csv); an anonymous Microsoft Forms export writes "anonymous" under its own
Email column and nothing under Name, the address and name being questions of the form
(tests/fixtures/forms/microsoft_forms.csv). Both fixtures are written by make_fixtures.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers import FIXTURES, people, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorctl.signups.columns import TICKS, choice_columns

FORMS = FIXTURES / "forms"
MENTEE_GOALS = {
    "jose.muller@example.com": {"Career change", "CV and LinkedIn profile"},
    "aoife.nibhriain@example.net": {"Returning after a career break", "Networking"},
    "kwame.mensah@example.com": {
        "Starting out after education",
        "Job search and applications",
        "Interview preparation",
    },
}
ADDRESSES = {
    "zoe.angstrom@example.org",
    "jose.muller@example.com",
    "aoife.nibhriain@example.net",
    "kwame.mensah@example.com",
    "francoise.dubois@example.org",
}


def run_import(cli, workspace: Path, path: Path, *options: str) -> dict:
    result = cli("import-signups", path, "--workspace", workspace, "--json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def mapping_of(report: dict) -> dict[str, str]:
    return {m["header"]: m["field"] for m in report["mapping"]}


def by_email(store_file: Path) -> dict[str, dict]:
    return {p["email"]: p for p in people(store_file)}


# -- Typeform: one column per choice ------------------------------------------------------------


def test_typeform_choice_columns_become_the_goals_list(
    cli, workspace: Path, store_file: Path
) -> None:
    report = run_import(cli, workspace, FORMS / "typeform_choices.csv", "--role", "mentee")

    assert (report["imported"], report["rejected"]) == (3, 0)
    stored = by_email(store_file)
    for email, goals in MENTEE_GOALS.items():
        assert set(stored[email]["goals"]) == goals, email
        assert not set(stored[email]["extra"]) & goals  # not kept as extra answers too
    # Kept in the form's order, spelt as the program spells them.
    assert stored["kwame.mensah@example.com"]["goals"] == [
        "Job search and applications",
        "Interview preparation",
        "Starting out after education",
    ]
    # "Other" is no topic: its typed answer stays an extra answer.
    assert stored["aoife.nibhriain@example.net"]["extra"]["Other"] == (
        "Speaking at my first conference"
    )
    mapping = mapping_of(report)
    assert mapping["Networking"] == "goals (choice)"
    assert mapping["Career change"] == "goals (choice)"
    assert mapping["Other"] == "extra: Other"
    lines = [w for w in report["warnings"] if "multi-select" in w]
    assert len(lines) == 1
    assert lines[0].startswith("columns 'Career change', 'Job search and applications', ")
    assert lines[0].endswith("read as one multi-select question: goals")


def test_typeform_choice_columns_in_the_table_and_warning(cli, workspace: Path) -> None:
    result = cli(
        "import-signups",
        FORMS / "typeform_choices.csv",
        "--workspace",
        workspace,
        "--role",
        "mentee",
    )
    assert result.exit_code == 0, result.output
    assert "goals (choice)" in result.stdout
    assert "read as one multi-select question: goals" in result.stderr


def test_a_reimport_of_the_choice_columns_changes_nothing(
    cli, workspace: Path, store_file: Path
) -> None:
    run_import(cli, workspace, FORMS / "typeform_choices.csv", "--role", "mentee")
    again = run_import(cli, workspace, FORMS / "typeform_choices.csv", "--role", "mentee")
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_ticks_on_a_mentors_form_become_expertise(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    # A service that writes 1/0 (or x) under each choice; a form for mentors only.
    path = write_csv(
        tmp_path / "mentors.csv",
        "Full name,Email,Age,networking,GETTING  PROMOTED,Career change\n"
        "Ana Silva,ana.silva@example.org,41,1,0,\n"
        "Ben Okafor,ben.okafor@example.org,52,x,x,1\n",
    )
    report = run_import(cli, workspace, path, "--role", "mentor")
    stored = by_email(store_file)
    assert stored["ana.silva@example.org"]["expertise"] == ["Networking"]
    assert stored["ben.okafor@example.org"]["expertise"] == [
        "Networking",
        "Getting promoted",
        "Career change",
    ]
    assert stored["ben.okafor@example.org"]["goals"] == []
    assert "read as one multi-select question: expertise" in report["warnings"][0]


def test_a_file_with_its_own_goals_column_gives_the_choices_to_expertise(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    path = write_csv(
        tmp_path / "both.csv",
        "Full name,Email,Role,Age,Goals,Networking,Career change\n"
        "Ana Silva,ana.silva@example.org,Mentor,41,Getting promoted,Networking,\n",
    )
    report = run_import(cli, workspace, path)
    ana = people(store_file)[0]
    assert ana["goals"] == ["Getting promoted"]
    assert ana["expertise"] == ["Networking"]
    assert mapping_of(report)["Career change"] == "expertise (choice)"


def test_a_topic_column_holding_other_answers_stays_an_extra_answer(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    # A rating per topic is no multiple choice: nothing is gathered, nothing is said.
    path = write_csv(
        tmp_path / "ratings.csv",
        "Full name,Email,Role,Age,Networking,Career change\n"
        "Ana Silva,ana.silva@example.org,Mentee,41,3,5\n",
    )
    report = run_import(cli, workspace, path)
    ana = people(store_file)[0]
    assert ana["goals"] == []
    assert ana["extra"] == {"Networking": "3", "Career change": "5"}
    assert not [w for w in report["warnings"] if "multi-select" in w]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ticked=st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=1, max_size=8),
    mark=st.sampled_from(["topic", *sorted(TICKS)]),
)
def test_choice_columns_are_found_exactly_when_some_cell_is_ticked(ticked, mark) -> None:
    topics = ["Networking", "Career change", "Public speaking"]
    headers = ["Email", *topics]
    sample = [
        [
            "a@example.org",
            *(
                (t if mark == "topic" else mark) if on else ""
                for t, on in zip(topics, row, strict=True)
            ),
        ]
        for row in ticked
    ]
    found = choice_columns(headers, topics, {0}, sample)
    if any(any(row) for row in ticked):
        assert found == [(1, "Networking"), (2, "Career change"), (3, "Public speaking")]
    else:
        assert found == []


# -- Microsoft Forms: an anonymous export ------------------------------------------------------


def test_anonymous_microsoft_forms_reads_the_address_question(
    cli, workspace: Path, store_file: Path
) -> None:
    report = run_import(cli, workspace, FORMS / "microsoft_forms.csv")

    assert (report["imported"], report["rejected"]) == (5, 0)
    assert set(by_email(store_file)) == ADDRESSES
    mapping = mapping_of(report)
    assert mapping["What is your email address?"] == "email"
    assert mapping["What is your name?"] == "name"
    assert mapping["Email"] == "extra: Email"
    assert report["warnings"][:2] == [
        "the Email column holds only 'anonymous' (an anonymous Microsoft Forms export); "
        "addresses read from 'What is your email address?'",
        "the Name column is empty; names read from 'What is your name?'",
    ]
    stored = by_email(store_file)
    assert stored["zoe.angstrom@example.org"]["name"] == "Zoë Ångström"
    for email, goals in MENTEE_GOALS.items():
        assert set(stored[email]["goals"]) == goals, email


def test_an_anonymous_email_column_with_no_other_says_so(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    path = write_csv(
        tmp_path / "anonymous.csv",
        "ID,Start time,Completion time,Email,Name,Full name,Role,Age\n"
        "1,2/14/26 9:06:05,2/14/26 9:10:41,anonymous,,Ana Silva,Mentee,30\n"
        "2,2/14/26 9:12:05,2/14/26 9:15:41,Anonymous,,Ben Okafor,Mentor,52\n",
    )
    result = cli("import-signups", path, "--workspace", workspace)
    assert result.exit_code != 0
    assert (
        "the Email column holds only 'anonymous' (an anonymous Microsoft Forms export); "
        "no other column holds the addresses" in result.stderr
    )
    assert "--map email=HEADER" in result.stderr
    assert people(store_file) == []


def test_an_email_column_with_some_addresses_is_kept(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    # Only a column of nothing but "anonymous" gives way: one real address keeps it.
    path = write_csv(
        tmp_path / "mixed.csv",
        "Email,Full name,Role,Age,Your email address\n"
        "anonymous,Ana Silva,Mentee,30,ana.silva@example.org\n"
        "ben.okafor@example.org,Ben Okafor,Mentor,52,ben.okafor@example.org\n",
    )
    report = run_import(cli, workspace, path)
    assert mapping_of(report)["Email"] == "email"
    assert report["imported"] == 1
    assert [r["row"] for r in report["rejects"]] == [2]


def test_a_mentees_form_with_its_own_goals_column_keeps_topic_columns_as_answers(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    # Mentees have no expertise: choice columns there would be lost, so they stay answers.
    path = write_csv(
        tmp_path / "mentees.csv",
        "Full name,Email,Age,Goals,Networking\n"
        "Ana Silva,ana.silva@example.org,30,Getting promoted,Networking\n",
    )
    report = run_import(cli, workspace, path, "--role", "mentee")
    ana = people(store_file)[0]
    assert ana["goals"] == ["Getting promoted"]
    assert ana["extra"] == {"Networking": "Networking"}
    assert mapping_of(report)["Networking"] == "extra: Networking"


def test_the_first_choice_under_the_questions_text_is_one_of_the_choices(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    # Some Typeform exports head the first choice's column with the question itself; here
    # that header is also a known goals question, which must not take the column alone.
    path = write_csv(
        tmp_path / "typeform.csv",
        '"#","What\'s your name?","What\'s your email address?","How old are you?",'
        '"What would you like to work on?","Job search and applications","Networking"\n'
        '"p8d2w5n0z6r1","Ana Silva","ana.silva@example.org","30","Career change","",'
        '"Networking"\n'
        '"a4f7j1s9h2e5","Ben Okafor","ben.okafor@example.org","41","",'
        '"Job search and applications",""\n',
    )
    report = run_import(cli, workspace, path, "--role", "mentee")
    stored = by_email(store_file)
    assert stored["ana.silva@example.org"]["goals"] == ["Career change", "Networking"]
    assert stored["ben.okafor@example.org"]["goals"] == ["Job search and applications"]
    assert mapping_of(report)["What would you like to work on?"] == "goals (choice)"
    assert report["warnings"][0] == (
        "columns 'What would you like to work on?', 'Job search and applications', "
        "'Networking' read as one multi-select question: goals"
    )
