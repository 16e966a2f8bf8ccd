"""Issue #12, files and store: temp files, symlinked folders, --out targets, permissions,
program names, the lock, empty or foreign stores, and one-line errors instead of tracebacks."""

from __future__ import annotations

import grp
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import PROGRAM, people, write_csv
from messages_fixtures import (  # noqa: F401  (fixtures)
    SMALL,
    edit_program,
    paired_fixture,
)

from mentorctl import csvout, fileio
from mentorctl.mail.delivery import Journal, JournalError, Outbox
from mentorctl.store.migrations import SCHEMA_VERSION

ONE_PERSON = "Email,Name,Role,Age\nzoe@example.org,Zoe Mentee,Mentee,30\n"


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("mentorctl: error: "), stderr
    return lines[0]


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# -- 11: temporary files are created exclusively, never through a planted name --------------


def test_outbox_never_writes_through_a_symlink_planted_at_a_temp_name(tmp_path: Path) -> None:
    program_dir = tmp_path / "prog"
    outbox = program_dir / "outbox"
    fileio.ensure_private_dir(outbox)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    # The name the outbox used to write to before renaming.
    (outbox / ".M1-intro.eml.tmp").symlink_to(victim)
    written = Outbox(program_dir).write("outbox/M1-intro.eml", b"Subject: hi\r\n\r\nbody\r\n")
    assert victim.read_text() == "precious"
    assert written.read_bytes() == b"Subject: hi\r\n\r\nbody\r\n"
    assert _mode(written) == 0o600
    leftovers = sorted(p.name for p in outbox.iterdir())
    assert leftovers == [".M1-intro.eml.tmp", "M1-intro.eml"]


def test_temp_files_get_unpredictable_names_and_mode_0600_whatever_the_umask(
    tmp_path: Path,
) -> None:
    old = os.umask(0)
    try:
        first, first_path = fileio.create_temp(tmp_path, "store.json")
        second, second_path = fileio.create_temp(tmp_path, "store.json")
    finally:
        os.umask(old)
    os.close(first)
    os.close(second)
    assert first_path != second_path
    for path in (first_path, second_path):
        assert path.name.startswith(".store.json.") and path.name.endswith(".tmp")
        assert len(path.name) == len(".store.json.") + 16 + len(".tmp")
        assert _mode(path) == 0o600


def test_the_smtp_journal_is_never_appended_through_a_symlink(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fileio.ensure_private_dir(data)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (data / "smtp-journal.jsonl").symlink_to(victim)
    journal = Journal(data)
    with pytest.raises(JournalError, match="is a symlink"):
        journal.append({"key": "M1-intro", "person": "P1"})
    journal.close()
    assert victim.read_text() == "precious"


# -- 12: a data/ or outbox/ that is a symlink is refused, other folders are never chmod'ed --


def test_a_data_folder_that_is_a_symlink_is_refused_and_its_target_untouched(
    workspace: Path, cli, tmp_path: Path
) -> None:
    data = workspace / PROGRAM / "data"
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    for item in data.iterdir():
        item.rename(shared / item.name)
    data.rmdir()
    data.symlink_to(shared)
    before = (shared / "store.json").read_bytes()
    result = cli("import-signups", write_csv(tmp_path / "in.csv", ONE_PERSON), "-w", workspace)
    assert result.exit_code == 1, result.output
    line = _one_error_line(result.stderr)
    assert str(data) in line and "symlink" in line
    assert _mode(shared) == 0o1777, "the sticky shared folder keeps its mode"
    assert (shared / "store.json").read_bytes() == before


def test_an_outbox_that_is_a_symlink_is_refused(paired: Path, cli, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    os.chmod(target, 0o1777)
    (paired / PROGRAM / "outbox").symlink_to(target)
    result = cli("introduce", "-w", paired)
    assert result.exit_code == 1, result.output
    assert "outbox: is a symlink" in _one_error_line(result.stderr)
    assert list(target.iterdir()) == []
    assert _mode(target) == 0o1777


def test_an_existing_data_folder_keeps_the_mode_its_owner_gave_it(
    workspace: Path, cli, tmp_path: Path
) -> None:
    data = workspace / PROGRAM / "data"
    os.chmod(data, 0o750)
    result = cli("import-signups", write_csv(tmp_path / "in.csv", ONE_PERSON), "-w", workspace)
    assert result.exit_code == 0, result.output
    assert _mode(data) == 0o750


# -- 13: --out only to a regular or new file, never to the program's own files --------------


def test_report_out_refuses_a_fifo_and_leaves_it(workspace: Path, cli, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = cli("report", "--format", "json", "--out", fifo, "-w", workspace)
    assert result.exit_code == 2, result.output
    assert "is not a regular file" in _one_error_line(result.stderr)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize(
    "target",
    [
        "data/store.json",
        "data/store.json.lock",
        "program.yaml",
        "messages/intro.txt.j2",
        "data/backups/store-x.json",
    ],
)
def test_out_refuses_the_programs_own_files(workspace: Path, cli, target: str) -> None:
    program_dir = workspace / PROGRAM
    (program_dir / "data" / "backups").mkdir(exist_ok=True)
    before = {p: p.read_bytes() for p in program_dir.rglob("*") if p.is_file()}
    for command in (["report", "--format", "json"], ["export-person", "P1"]):
        result = cli(*command, "--out", program_dir / target, "-w", workspace)
        assert result.exit_code == 2, result.output
        assert "one of the program's own files" in _one_error_line(result.stderr)
    after = {p: p.read_bytes() for p in program_dir.rglob("*") if p.is_file()}
    assert after == before


def test_out_still_writes_a_new_file_and_replaces_a_regular_one(
    workspace: Path, cli, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    result = cli("report", "--format", "json", "--out", out, "-w", workspace)
    assert result.exit_code == 0, result.output
    out.write_text("old")
    result = cli("report", "--format", "json", "--out", out, "-w", workspace)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["program"] == "Test Program"


# -- 14: folders keep safe modes under any umask; writable programs are refused --------------


def test_init_program_under_umask_000_makes_no_folder_writable_by_others(
    tmp_path: Path, cli
) -> None:
    root = tmp_path / "new" / "ws"
    old = os.umask(0)
    try:
        result = cli("init-program", "Umask", "--template", "career", "--dir", root)
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    program = root / "umask"
    assert _mode(root) == 0o755
    assert _mode(root / ".mentorctl") == 0o755
    assert _mode(root / ".mentorctl" / "workspace.json") == 0o644
    assert _mode(program) == 0o755
    assert _mode(program / "messages") == 0o755
    assert _mode(program / "data") == 0o700
    assert _mode(program / "program.yaml") == 0o644
    assert _mode(program / "data" / "store.json") == 0o600
    for template in (program / "messages").rglob("*"):  # messages/fr/... beside messages/
        assert _mode(template) == (0o755 if template.is_dir() else 0o644)
    for translation in (program / "translations").iterdir():
        assert _mode(translation) == 0o644
    result = cli("report", "--format", "json", "-w", root)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("relative", "mode", "fixed"),
    [
        ("messages/intro.txt.j2", 0o666, "chmod 644"),
        ("translations/fr.yaml", 0o666, "chmod 644"),
        ("messages/de/weekly.txt.j2", 0o646, "chmod 644"),
        ("program.yaml", 0o646, "chmod 644"),
        ("messages", 0o777, "chmod 755"),
        ("data", 0o707, "chmod 705"),
        (".", 0o757, "chmod 755"),
    ],
)
def test_a_program_others_can_write_to_is_refused(
    workspace: Path, cli, relative: str, mode: int, fixed: str
) -> None:
    path = workspace / PROGRAM / relative
    os.chmod(path, mode)
    result = cli("pair", "-w", workspace)
    assert result.exit_code == 1, result.output
    line = _one_error_line(result.stderr)
    assert "writable by other users" in line
    assert f"{fixed} '{path}'" in line


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's group needs root")
def test_a_template_writable_by_a_shared_group_is_refused(workspace: Path, cli) -> None:
    template = workspace / PROGRAM / "messages" / "intro.txt.j2"
    shared = next(g for g in grp.getgrall() if g.gr_name in ("daemon", "users", "nogroup"))
    os.chown(template, -1, shared.gr_gid)
    os.chmod(template, 0o664)
    result = cli("pair", "-w", workspace)
    assert result.exit_code == 1, result.output
    assert "chmod 644" in _one_error_line(result.stderr)


# -- 15: a program name cannot break out of program.yaml's header comment ----------------


def test_a_program_name_with_line_breaks_sets_no_keys(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    name = "Evil\nslug: other\r\nduration_weeks: 1\u2028x\x00"
    result = cli("init-program", name, "--template", "career", "--dir", root)
    assert result.exit_code == 0, result.output
    text = (root / "evil-slug-other-duration-weeks-1-x" / "program.yaml").read_text()
    assert text.splitlines()[0].startswith("# Evil slug: other duration_weeks: 1 x: mentorship")
    data = yaml.safe_load(text)
    assert data["name"] == "Evil slug: other duration_weeks: 1 x"
    assert data["slug"] == "evil-slug-other-duration-weeks-1-x"
    assert data["duration_weeks"] != 1


# -- 16: deleting the lock file does not let a second writer in ---------------------------

HOLD_LOCK = """
import sys
from pathlib import Path
from mentorctl.store.db import Store
with Store.writing(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_deleting_the_lock_file_while_a_writer_runs_keeps_others_out(
    workspace: Path, tmp_path: Path
) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    csv_file = write_csv(tmp_path / "in.csv", ONE_PERSON)
    env = {**os.environ, "MENTORCTL_LOCK_TIMEOUT": "0.5"}
    import_cmd = [sys.executable, "-m", "mentorctl", "import-signups", str(csv_file)]
    import_cmd += ["-w", str(workspace)]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline() == "locked\n"
        store.with_name("store.json.lock").unlink()
        second = subprocess.run(import_cmd, capture_output=True, text=True, env=env)
        assert second.returncode == 75, second.stderr
        assert "another mentorctl command is writing" in _one_error_line(second.stderr)
        assert people(store) == []
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    third = subprocess.run(import_cmd, capture_output=True, text=True, env=env)
    assert third.returncode == 0, third.stderr
    assert [p["id"] for p in people(store)] == ["P1"]


# -- 17, 18: only a missing store is new; empty, newer or ambiguous stores are refused -----


@pytest.mark.parametrize("content", [b"", b"  \n"])
@pytest.mark.parametrize("command", [["import-signups", "IN"], ["report", "--format", "json"]])
def test_an_empty_store_is_refused_and_left_as_it_is(
    workspace: Path, cli, tmp_path: Path, content: bytes, command: list[str]
) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    store.write_bytes(content)
    csv_file = write_csv(tmp_path / "in.csv", ONE_PERSON)
    args = [csv_file if arg == "IN" else arg for arg in command]
    result = cli(*args, "-w", workspace)
    assert result.exit_code == 1, result.output
    assert "store.json: the store is empty" in _one_error_line(result.stderr)
    assert store.read_bytes() == content


def _edited_store(store: Path, change) -> bytes:
    data = json.loads(store.read_bytes())
    change(data)
    store.write_text(json.dumps(data))
    return store.read_bytes()


def _newer(data: dict) -> None:
    data["_meta"]["1"]["schema_version"] = 99


def _not_a_number(data: dict) -> None:
    data["_meta"]["1"]["schema_version"] = "two"


def _two_people_one_id(data: dict) -> None:
    person = {"id": "P1", "email": "a@example.org", "name": "A", "role": "mentee"}
    data["people"] = {"1": person, "2": {**person, "email": "b@example.org"}}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_newer, f"schema version 99, newer than this mentorctl understands ({SCHEMA_VERSION})"),
        (_not_a_number, "schema_version is not a whole number"),
        (_two_people_one_id, "table 'people' holds two records with the id P1"),
    ],
)
@pytest.mark.parametrize("command", [["pair"], ["report", "--format", "json"]])
def test_a_store_this_mentorctl_cannot_trust_is_refused(
    workspace: Path, cli, change, message: str, command: list[str]
) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    before = _edited_store(store, change)
    result = cli(*command, "-w", workspace)
    assert result.exit_code == 1, result.output
    line = _one_error_line(result.stderr)
    assert "store.json" in line and message in line
    assert "@example" not in line
    assert store.read_bytes() == before


# -- 20: one line instead of a traceback ----------------------------------------------------


def test_export_person_out_to_a_folder_or_a_missing_folder(
    workspace: Path, cli, tmp_path: Path
) -> None:
    cli("import-signups", write_csv(tmp_path / "in.csv", ONE_PERSON), "-w", workspace)
    result = cli("export-person", "P1", "--out", tmp_path, "-w", workspace)
    assert result.exit_code == 2, result.output
    assert "it is a folder" in _one_error_line(result.stderr)
    missing = tmp_path / "nowhere" / "p1.json"
    result = cli("export-person", "P1", "--out", missing, "-w", workspace)
    assert result.exit_code == 2, result.output
    assert f"the folder {missing.parent} does not exist" in _one_error_line(result.stderr)


def test_a_lock_file_that_cannot_be_opened(workspace: Path, cli, tmp_path: Path) -> None:
    lock = workspace / PROGRAM / "data" / "store.json.lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()
    result = cli("import-signups", write_csv(tmp_path / "in.csv", ONE_PERSON), "-w", workspace)
    assert result.exit_code == 1, result.output
    assert "cannot open the store's lock" in _one_error_line(result.stderr)


def test_a_template_that_cannot_be_read(workspace: Path, cli) -> None:
    cli("import-signups", write_csv(workspace / "small.csv", SMALL), "-w", workspace)
    assert cli("pair", "--commit", "-w", workspace).exit_code == 0
    (workspace / PROGRAM / "messages" / "intro.txt.j2").write_bytes(b"Hello \xff\xfe {{ x }}\n")
    result = cli("introduce", "-w", workspace)
    assert result.exit_code == 1, result.output
    line = _one_error_line(result.stderr)
    assert "intro.txt.j2: cannot read the template: not UTF-8 text" in line


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "9" * 5000, "1" + "0" * 400])
def test_unusable_numbers_in_program_yaml(workspace: Path, cli, value: str) -> None:
    path = workspace / PROGRAM / "program.yaml"
    text = path.read_text()
    assert "      weight: 5\n" in text
    path.write_text(text.replace("      weight: 5\n", f"      weight: {value}\n"))
    result = cli("pair", "-w", workspace)
    assert result.exit_code == 1, result.output
    assert "program.yaml" in _one_error_line(result.stderr)


def test_weights_beyond_any_sensible_size_are_refused(workspace: Path, cli) -> None:
    def change(data: dict) -> None:
        data["matching"]["criteria"][0]["weight"] = 10**300

    edit_program(workspace, change)
    result = cli("pair", "-w", workspace)
    assert result.exit_code == 1, result.output
    assert "of at most 1e+12" in _one_error_line(result.stderr)


def test_an_index_that_cannot_be_written_after_the_store_was(
    workspace: Path, cli, tmp_path: Path
) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    # A folder where the index goes: writing it fails as a full disk would, after the commit.
    (store.with_name("import-index.json") / "x").mkdir(parents=True)
    result = cli("import-signups", write_csv(tmp_path / "in.csv", ONE_PERSON), "-w", workspace)
    assert result.exit_code == 0, result.output
    assert "the import index could not be written" in result.output
    assert "the next import rebuilds it" in result.output
    assert [p["id"] for p in people(store)] == ["P1"]
    again = cli("import-signups", tmp_path / "in.csv", "-w", workspace, "--json")
    assert again.exit_code == 0, again.output
    assert [p["id"] for p in people(store)] == ["P1"]


# -- 21: formulas in disguise -------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        *("\uff1d1+1", "\uff0bA1", "\uff0d1", "\uff20SUM(A1)", "  =1", "\u00a0=1", "\u200b+1"),
        *("\ufeff@SUM(A1)", "\u3000\uff1d1", " \u200b\u00a0-1"),
    ],
)
def test_disguised_formulas_get_a_leading_quote(cell: str) -> None:
    assert csvout.neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Ann", "a=b", "  plain", "\u200bname", 12, None, ""])
def test_other_cells_pass_unchanged(cell: object) -> None:
    assert csvout.neutralise(cell) == cell


# -- 19: only regular files are read; rejects are streamed, not held -----------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_import_refuses_a_device(workspace: Path, cli, device: str) -> None:
    result = cli("import-signups", device, "-w", workspace)
    assert result.exit_code == 1, result.output
    assert f"{device}: is not a regular file" in _one_error_line(result.stderr)


def test_import_refuses_a_named_pipe_without_waiting_for_a_writer(
    workspace: Path, cli, tmp_path: Path
) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    result = cli("import-signups", fifo, "-w", workspace)
    assert result.exit_code == 1, result.output
    assert "is not a regular file" in _one_error_line(result.stderr)


def _mostly_rejected(path: Path, rows: int, good: int) -> Path:
    lines = ["Email,Name,Role,Age"]
    for n in range(rows):
        lines.append(f"p{n}@example.org,Person {n},Mentee,{30 if n < good else 'old'}")
    return write_csv(path, "\n".join(lines) + "\n")


def test_many_rejects_are_counted_shown_in_part_and_all_written(
    workspace: Path, cli, tmp_path: Path
) -> None:
    export = _mostly_rejected(tmp_path / "bad.csv", 3000, good=10)
    result = cli("import-signups", export, "-w", workspace, "--json", "--write-rejects")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["imported"], data["rejected"], data["rows"]) == (10, 2990, 3000)
    assert len(data["rejects"]) == 1000
    assert data["rejects"][0] == {"row": 12, "field": "age", "reason": data["rejects"][0]["reason"]}
    with open(tmp_path / "bad.rejects.csv", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert len(lines) == 1 + 2990
    assert lines[1].startswith("12,age,") and lines[1].endswith(
        ",p10@example.org,Person 10,Mentee,old"
    )
    assert lines[-1].startswith("3001,age,")
    table = cli("import-signups", export, "-w", workspace)
    assert "Rejected rows (the first 1000 of 2990)" in table.stdout


MEASURE = """
import resource, sys
from mentorctl.cli.app import app
try:
    app(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)
"""


def _peak_rss_mib(workspace: Path, export: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, "import-signups", str(export), "-w", str(workspace)],
        capture_output=True,
        text=True,
    )
    assert "rejected" in done.stdout, done.stderr
    return int(done.stderr.strip().splitlines()[-1])


def test_memory_grows_with_people_not_with_rejected_rows(workspace: Path, tmp_path: Path) -> None:
    small = _mostly_rejected(tmp_path / "small.csv", 20_000, good=500)
    large = _mostly_rejected(tmp_path / "large.csv", 400_000, good=500)
    base, grown = _peak_rss_mib(workspace, small), _peak_rss_mib(workspace, large)
    # 380,000 more rejected rows (14 MB of CSV): held as rows, they took about 570 MB more.
    assert grown - base < 40, (base, grown)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file away needs root")
def test_a_template_owned_by_another_user_is_refused(workspace: Path, cli) -> None:
    template = workspace / PROGRAM / "messages" / "intro.txt.j2"
    os.chown(template, 65534, -1)
    result = cli("pair", "-w", workspace)
    assert result.exit_code == 1, result.output
    line = _one_error_line(result.stderr)
    assert "intro.txt.j2: belongs to another user" in line and "chown 0" in line


# -- the workspace, .mentorctl/, nested template folders and the suppression key ----------

FORGET_PEOPLE = Path(__file__).parent / "hostile" / "forget" / "people.csv"


@pytest.mark.parametrize(
    ("relative", "mode", "fixed"),
    [
        (".", 0o777, "chmod 755"),
        (".mentorctl", 0o757, "chmod 755"),
        (".mentorctl/workspace.json", 0o666, "chmod 644"),
        ("test-program/messages/partials", 0o777, "chmod 755"),
        ("test-program/messages/partials/deeper", 0o777, "chmod 755"),
        ("test-program/messages/partials/deeper/footer.txt.j2", 0o646, "chmod 644"),
    ],
)
def test_the_workspace_and_every_template_folder_are_checked(
    workspace: Path, cli, relative: str, mode: int, fixed: str
) -> None:
    deeper = workspace / PROGRAM / "messages" / "partials" / "deeper"
    deeper.mkdir(parents=True)
    (deeper / "footer.txt.j2").write_text("See you next week.\n")
    intro = workspace / PROGRAM / "messages" / "intro.txt.j2"
    intro.write_text(intro.read_text() + '{% include "partials/deeper/footer.txt.j2" %}\n')
    assert cli("introduce", "--preview", "-w", workspace).exit_code == 0
    path = (workspace / relative).resolve()
    os.chmod(path, mode)
    for command in (["introduce", "--preview"], ["pair"], ["import-signups", str(FORGET_PEOPLE)]):
        result = cli(*command, "-w", workspace)
        assert result.exit_code == 1, result.output
        line = _one_error_line(result.stderr)
        assert "writable by other users" in line
        assert f"{fixed} '{path}'" in line


def test_a_suppression_key_others_can_replace_is_refused(workspace: Path, cli) -> None:
    assert cli("import-signups", FORGET_PEOPLE, "-w", workspace).exit_code == 0
    assert cli("forget", "ann@example.org", "--yes", "-w", workspace).exit_code == 0
    key = workspace / ".mentorctl" / "suppression.key"
    os.chmod(key, 0o666)
    result = cli("import-signups", FORGET_PEOPLE, "-w", workspace)
    assert result.exit_code == 1, result.output
    assert f"chmod 644 '{key}'" in _one_error_line(result.stderr)


def test_a_suppression_list_made_with_another_key_is_refused(workspace: Path, cli) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    assert cli("import-signups", FORGET_PEOPLE, "-w", workspace).exit_code == 0
    assert cli("forget", "ann@example.org", "--yes", "-w", workspace).exit_code == 0
    key = workspace / ".mentorctl" / "suppression.key"
    key.unlink()
    key.write_bytes(os.urandom(32))
    os.chmod(key, 0o600)
    before = store.read_bytes()
    for command in (
        ["import-signups", str(FORGET_PEOPLE)],
        ["forget", "bo@example.org", "--yes"],
        ["forget", "ann@example.org", "--lift"],
    ):
        result = cli(*command, "-w", workspace)
        assert result.exit_code == 1, (command, result.output)
        line = _one_error_line(result.stderr)
        assert "suppressed.json" in line and "made with another key" in line
        assert store.read_bytes() == before
    assert "ann@example.org" not in {p["email"] for p in people(store)}


def _second_workspace(tmp_path: Path, cli) -> Path:
    other = tmp_path / "other"
    result = cli("init-program", "Elsewhere", "--template", "career", "--dir", other)
    assert result.exit_code == 0, result.output
    assert cli("import-signups", FORGET_PEOPLE, "-w", other).exit_code == 0
    assert cli("forget", "bo@example.org", "--yes", "-w", other).exit_code == 0  # makes its key
    return other


def test_a_program_folder_linked_into_another_workspace_is_refused(
    workspace: Path, cli, tmp_path: Path
) -> None:
    assert cli("import-signups", FORGET_PEOPLE, "-w", workspace).exit_code == 0
    assert cli("forget", "ann@example.org", "--yes", "-w", workspace).exit_code == 0
    other = _second_workspace(tmp_path, cli)
    (other / PROGRAM).symlink_to(workspace / PROGRAM)
    result = cli("import-signups", FORGET_PEOPLE, "-w", other, "-p", PROGRAM)
    assert result.exit_code == 1, result.output
    line = _one_error_line(result.stderr)
    assert f"{other / PROGRAM}" in line and "symlink" in line


def test_a_program_folder_copied_into_another_workspace_keeps_its_forgotten_out(
    workspace: Path, cli, tmp_path: Path
) -> None:
    assert cli("import-signups", FORGET_PEOPLE, "-w", workspace).exit_code == 0
    assert cli("forget", "ann@example.org", "--yes", "-w", workspace).exit_code == 0
    other = _second_workspace(tmp_path, cli)
    shutil.copytree(workspace / PROGRAM, other / PROGRAM, symlinks=True)
    store = other / PROGRAM / "data" / "store.json"
    result = cli("import-signups", FORGET_PEOPLE, "-w", other, "-p", PROGRAM)
    assert result.exit_code == 1, result.output
    assert "made with another key" in _one_error_line(result.stderr)
    assert "ann@example.org" not in {p["email"] for p in people(store)}


def test_the_jinja_floor_is_past_its_sandbox_escapes() -> None:
    """Jinja before 3.1.6 lets a template escape the sandbox (CVE-2024-56201 and
    CVE-2024-56326, fixed in 3.1.5; CVE-2025-27516, fixed in 3.1.6); mentorctl renders
    templates in the sandbox, so it needs 3.1.6 or later."""
    import tomllib

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    floors = [d for d in project["project"]["dependencies"] if d.lower().startswith("jinja2")]
    assert len(floors) == 1
    version = floors[0].split(">=")[1].split(",")[0]
    assert tuple(int(part) for part in version.split(".")) >= (3, 1, 6), floors[0]


@pytest.mark.parametrize("command", [["report", "--format", "json"], ["export-person", "P1"]])
def test_out_writes_a_file_named_at_the_length_limit(
    workspace: Path, cli, tmp_path: Path, command: list[str]
) -> None:
    imported = cli("import-signups", write_csv(tmp_path / "in.csv", ONE_PERSON), "-w", workspace)
    assert imported.exit_code == 0, imported.output
    out = tmp_path / ("r" * 245 + ".json")  # 250 characters: the file system takes up to 255
    result = cli(*command, "--out", out, "-w", workspace)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_temporary_name_is_short_whatever_the_target(tmp_path: Path) -> None:
    fd, path = fileio.create_temp(tmp_path, "é" * 120 + ".json")
    os.close(fd)
    assert len(path.name.encode()) < 128
    assert path.name.startswith(".éé")
    (tmp_path / "store.json").write_text("{}")
    fd, stale = fileio.create_temp(tmp_path, "store.json")
    os.close(fd)
    fileio.remove_stale_temp_files(tmp_path / "store.json")
    assert not stale.exists() and path.exists()
