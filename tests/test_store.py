"""The store: permissions, atomic and batched writes, locking, migrations, shape checks."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson
import pytest
from helpers import PROGRAM, read_store, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl import fileio
from mentorctl.errors import StoreError, StoreLockedError
from mentorctl.store import migrations
from mentorctl.store.db import Store, serialise_documents


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_store_is_private(store_file: Path) -> None:
    assert mode(store_file) == 0o600
    assert mode(store_file.parent) == 0o700
    assert mode(store_file.with_name("store.json.lock")) == 0o600


def test_store_stays_private_after_writes(tmp_path: Path) -> None:
    path = tmp_path / "data" / "store.json"
    with Store.writing(path, create=True) as store:
        store.table("notes").insert({"key": "a"})
    os.chmod(path, 0o644)  # a careless copy; the next write puts it right
    with Store.writing(path) as store:
        store.table("notes").insert({"key": "b"})
    assert mode(path) == 0o600


def test_new_store_records_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with Store.writing(path, create=True):
        pass
    data = read_store(path)
    assert data["_meta"]["1"]["schema_version"] == migrations.SCHEMA_VERSION


def test_exception_inside_a_command_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with Store.writing(path, create=True) as store:
        store.table("notes").insert({"key": "kept"})
    before = path.read_bytes()
    with pytest.raises(RuntimeError), Store.writing(path) as store:
        store.table("notes").insert({"key": "lost"})
        raise RuntimeError("boom")
    assert path.read_bytes() == before


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with Store.writing(path, create=True):
        pass
    before = path.read_bytes()
    with Store.writing(path, dry_run=True) as store:
        store.table("notes").insert({"key": "x"})
    assert path.read_bytes() == before


def test_a_command_writes_the_file_once(
    workspace: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "".join(f"p{i}@example.org,Person {i},Mentee,30\n" for i in range(200))
    csv_file = write_csv(workspace / "s.csv", "Email,Name,Role,Age\n" + rows)
    writes: list[Path] = []
    real = fileio.atomic_write_chunks

    def counting(path: Path, chunks: Iterable[bytes], mode: int = 0o600) -> None:
        writes.append(path)
        real(path, chunks, mode)

    monkeypatch.setattr("mentorctl.store.db.atomic_write_chunks", counting)
    result = cli("import-signups", csv_file, "-w", workspace)
    assert result.exit_code == 0, result.output
    assert [p.name for p in writes] == ["store.json"]
    assert len(read_store(workspace / PROGRAM / "data" / "store.json")["people"]) == 200


def test_unversioned_store_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    legacy = {"people": {"1": {"id": "P7", "email": " Ana@Example.org "}}}
    path.write_text(json.dumps(legacy))
    with Store.writing(path) as store:
        assert store.migrated == [
            "create_meta",
            "normalise_emails",
            "person_history",
            "unicode_domains",
            "forgotten_traces",
        ]
        assert store.next_id("person", "P") == "P8"
    data = read_store(path)
    assert data["_meta"]["1"]["schema_version"] == migrations.SCHEMA_VERSION
    assert data["people"]["1"]["email"] == "ana@example.org"


def test_person_stamps_become_a_dated_history(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    person = {
        "id": "P3",
        "email": "a@example.org",
        "created": "2026-03-01T09:00:00+00:00",
        "signed_up": "2026-04-02T09:00:00+00:00",
        "paused_on": "2026-03-10",
        "paused_until": "2026-03-24",
        "withdrawn": "2026-05-01T09:00:00+00:00",
        "withdraw_reason": "moved",
    }
    meta = {"schema_version": 2, "counters": {"person": 3}}
    path.write_text(json.dumps({"_meta": {"1": meta}, "people": {"1": person}}))
    with Store.writing(path) as store:
        assert store.migrated == ["person_history", "unicode_domains", "forgotten_traces"]
    history = read_store(path)["people"]["1"]["history"]
    assert history == [
        {"at": "2026-03-10", "event": "paused", "until": "2026-03-24"},
        {"at": "2026-04-02T09:00:00+00:00", "event": "signed_up"},
        {"at": "2026-05-01T09:00:00+00:00", "event": "withdrawn", "reason": "moved"},
    ]


def test_reading_does_not_migrate_the_file(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text(json.dumps({"people": {}}))
    before = path.read_bytes()
    with Store.reading(path) as store:
        assert store.schema_version == migrations.SCHEMA_VERSION
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not an object of tables"),
        ('{"people": [1]}', "table 'people' is not an object of documents"),
        ('{"people": {"x": {}}}', "malformed document 'x'"),
        ('{"people": {"1": "text"}}', "malformed document '1'"),
    ],
)
def test_store_edited_into_a_bad_shape_is_refused(
    store_file: Path, workspace: Path, cli, content: str, message: str
) -> None:
    store_file.write_text(content)
    csv_file = write_csv(workspace / "s.csv", "Email,Name,Role,Age\na@example.org,A,Mentee,30\n")
    result = cli("import-signups", csv_file, "-w", workspace)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "store.json" in result.stderr
    assert store_file.read_text() == content


def test_missing_store_is_reported(tmp_path: Path) -> None:
    with (
        pytest.raises(StoreError, match="no store here yet"),
        Store.reading(tmp_path / "none.json"),
    ):
        pass


def test_killed_writer_leaves_no_temp_files_behind(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with Store.writing(path, create=True):
        pass
    (tmp_path / ".store.json.abc123.tmp").write_text("half")
    with Store.writing(path):
        pass
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["store.json", "store.json.checked", "store.json.lock"]


HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from mentorctl.store.db import Store
    with Store.writing(Path(sys.argv[1]), create=True) as store:
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
        store.table("notes").insert({"key": "holder"})
    """
)


def test_second_writer_waits_then_fails_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.json"
    with Store.writing(path, create=True):
        pass
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), "5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        monkeypatch.setenv("MENTORCTL_LOCK_TIMEOUT", "0.3")
        started = time.monotonic()
        with (
            pytest.raises(StoreLockedError, match="another mentorctl command is writing"),
            Store.writing(path),
        ):
            pass
        assert time.monotonic() - started >= 0.3
    finally:
        holder.kill()
        holder.wait()


def test_second_writer_proceeds_when_the_first_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.json"
    with Store.writing(path, create=True):
        pass
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), "0.5"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    monkeypatch.setenv("MENTORCTL_LOCK_TIMEOUT", "20")
    with Store.writing(path) as store:
        store.table("notes").insert({"key": "second"})
    assert holder.wait() == 0
    keys = sorted(d["key"] for d in read_store(path)["notes"].values())
    assert keys == ["holder", "second"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(docs=st.lists(st.dictionaries(st.text(), json_values, max_size=5), max_size=8))
def test_documents_round_trip(tmp_path_factory: pytest.TempPathFactory, docs: list[dict]) -> None:
    path = tmp_path_factory.mktemp("rt") / "store.json"
    with Store.writing(path, create=True) as store:
        store.table("things").insert_multiple(docs)
    with Store.reading(path) as store:
        assert [dict(d) for d in store.table("things").all()] == docs


def test_a_large_store_is_written_in_pieces_as_one_document(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    many = [{"n": n, "name": f"Person {n}", "tags": ["a", n % 7]} for n in range(25_000)]
    with Store.writing(path, create=True) as store:
        store.insert_many("notes", many)
        store.table("links").insert({"mentor": "P1", "mentee": "P2"})
        store.table("empty").truncate()
        expected = orjson.dumps(store._storage.data)
    assert path.read_bytes() == expected
    with Store.reading(path) as store:
        assert list(store.documents("notes").values()) == many


def test_a_write_that_fails_midway_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_bytes(b'{"old": {}}')

    def pieces() -> Iterator[bytes]:
        yield b'{"new": '
        raise RuntimeError("no more")

    with pytest.raises(RuntimeError):
        fileio.atomic_write_chunks(path, pieces())
    assert path.read_bytes() == b'{"old": {}}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.json"]


def test_documents_serialised_elsewhere_are_stored_like_any_other(tmp_path: Path) -> None:
    plain, sent = tmp_path / "plain.json", tmp_path / "sent.json"
    docs = [{"id": f"P{n}", "email": f"p{n}@example.org", "tags": ["a"]} for n in range(25_000)]
    with Store.writing(plain, create=True) as store:
        store.insert_many("people", [dict(doc) for doc in docs])
        store.insert_many("people", [{"id": "late"}])
    with Store.writing(sent, create=True) as store:
        first = store.next_doc_id("people")
        store.insert_serialised("people", serialise_documents(docs, first))
        # Documents added afterwards take the ids after the serialised ones.
        assert store.insert_many("people", [{"id": "late"}]) == [25_001]
    assert sent.read_bytes() == plain.read_bytes()


def test_serialised_documents_read_as_dicts(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with Store.writing(path, create=True) as store:
        docs = serialise_documents([{"n": n} for n in range(3)], store.next_doc_id("t"))
        store.insert_serialised("t", docs)
        assert store.table("t").get(doc_id=2) == {"n": 1}  # through TinyDB
        store.update_many("t", {3: {"n": 30}})
        assert store.documents("t") == {"1": {"n": 0}, "2": {"n": 1}, "3": {"n": 30}}
        with pytest.raises(ValueError, match="not empty"):
            store.insert_serialised("t", serialise_documents([{"n": 9}], 4))
    assert read_store(path)["t"] == {"1": {"n": 0}, "2": {"n": 1}, "3": {"n": 30}}


# -- the store's own tables, checked like its records ----------------------------------------

SIX_PEOPLE = """\
Email,Name,Role,Age,Goals,Expertise,Capacity
ana@example.org,Ana,mentee,30,Networking,,
ben@example.org,Ben,mentee,30,Networking,,
cai@example.org,Cai,mentee,30,Networking,,
dora@example.org,Dora,mentor,50,,Networking,2
eli@example.org,Eli,mentor,50,,Networking,2
fay@example.org,Fay,mentor,50,,Networking,2
"""


def _paired(workspace: Path, cli) -> Path:
    """A program with six people and three saved pairs (M1-M3); its store."""
    export = write_csv(workspace / "s.csv", SIX_PEOPLE)
    assert cli("import-signups", export, "-w", workspace).exit_code == 0
    result = cli("pair", "--commit", "-w", workspace)
    assert result.exit_code == 0, result.output
    return workspace / PROGRAM / "data" / "store.json"


def _edit(path: Path, change) -> bytes:
    data = json.loads(path.read_bytes())
    change(data)
    path.write_text(json.dumps(data))
    return path.read_bytes()


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def _drop_meta(data: dict) -> None:
    del data["_meta"]


def _drop_version(data: dict) -> None:
    del data["_meta"]["1"]["schema_version"]


def _empty_meta(data: dict) -> None:
    data["_meta"] = {}


def _counter_text(data: dict) -> None:
    data["_meta"]["1"]["counters"]["pair"] = "three"


def _counters_list(data: dict) -> None:
    data["_meta"]["1"]["counters"] = ["person", 6]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_drop_meta, "table '_meta', document 1: is missing from a store that holds pairs"),
        (_empty_meta, "table '_meta', document 1: is missing"),
        (_drop_version, "table '_meta', document 1, field 'schema_version': is missing"),
        (_counter_text, "table '_meta', document 1, field 'counters.pair': is not a whole number"),
        (_counters_list, "table '_meta', document 1, field 'counters': is not an object"),
    ],
)
@pytest.mark.parametrize("command", [["pair", "--commit"], ["pairs"], ["report"]])
def test_a_store_whose_meta_cannot_be_trusted_is_refused(
    workspace: Path, cli, change, message: str, command: list[str]
) -> None:
    store = _paired(workspace, cli)
    before = _edit(store, change)
    result = cli(*command, "-w", workspace)
    assert result.exit_code == 1, result.output
    line = _one_line(result.stderr)
    assert "store.json" in line and message in line
    assert store.read_bytes() == before, "never migrated as a store of schema version 0"


def _pair_ids(path: Path) -> list[str]:
    return [p["id"] for p in read_store(path)["pairs"].values()]


@pytest.mark.parametrize("behind", [None, 0, 1])
def test_counters_behind_the_ids_in_use_are_raised_never_reused(
    workspace: Path, cli, behind: int | None
) -> None:
    store = _paired(workspace, cli)
    assert sorted(_pair_ids(store)) == ["M1", "M2", "M3"]

    def set_behind(data: dict) -> None:
        counters = data["_meta"]["1"]["counters"]
        if behind is None:
            del counters["pair"]
        else:
            counters["pair"] = behind
        counters["person"] = 2

    _edit(store, set_behind)
    result = cli("withdraw", "P1", "-w", workspace)  # ends M-something: a pair is free again
    assert result.exit_code == 0, result.output
    newcomer = "Email,Name,Role,Age,Goals\ngus@example.org,Gus,mentee,30,Networking\n"
    newcomers = write_csv(workspace / "n.csv", newcomer)
    assert cli("import-signups", newcomers, "-w", workspace).exit_code == 0
    result = cli("pair", "--commit", "-w", workspace)
    assert result.exit_code == 0, result.output
    data = read_store(store)
    ids = _pair_ids(store)
    assert len(ids) == len(set(ids)) == 4, ids
    assert "M4" in ids
    assert [p["id"] for p in data["people"].values()][-1] == "P7"
    assert data["_meta"]["1"]["counters"]["pair"] == 4
    assert cli("pairs", "-w", workspace).exit_code == 0


def test_a_people_only_store_without_meta_is_a_legacy_store_and_is_migrated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.json"
    legacy = {"people": {"1": {"id": "P7", "email": "a@example.org"}}, "pairs": {}}
    path.write_text(json.dumps(legacy))
    with Store.writing(path) as store:
        assert store.migrated[0] == "create_meta"
        assert store.next_id("pair", "M") == "M1"
        assert store.next_id("person", "P") == "P8"
