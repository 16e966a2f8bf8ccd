"""The workspace's one suppression list: every program's forget writes it, every import of
every program reads it (a program made later included), and the per-program lists older
workspaces kept are read with it and moved into it."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
from pathlib import Path

from helpers import PROGRAM, TODAY, read_store

from mentorctl.store.suppression import SuppressionList

PEOPLE = Path(__file__).parent / "hostile" / "forget" / "people.csv"
SKIPPED = (
    "1 row(s) skipped: the person asked to be forgotten (row 4); if they signed up again on "
    "purpose, run 'mentorctl forget --lift EMAIL'"
)


def _ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def _emails(workspace: Path, slug: str) -> set[str]:
    store = read_store(workspace / slug / "data" / "store.json")
    return {p["email"] for p in store["people"].values()}


def _listed(workspace: Path) -> list[str]:
    return json.loads((workspace / ".mentorctl" / "suppressed.json").read_bytes())["hashes"]


def _files(workspace: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()}


def test_a_forget_in_one_program_keeps_the_person_out_of_a_program_made_later(
    workspace: Path, cli
) -> None:
    _ok(cli("import-signups", PEOPLE, "-w", workspace))
    before = _files(workspace)
    dry = cli("forget", "ann@example.org", "--dry-run", "-w", workspace)
    _ok(dry)
    assert _files(workspace) == before  # no list, no key, no lock: nothing written
    assert not (workspace / ".mentorctl" / "suppressed.json").exists()

    _ok(cli("forget", "ann@example.org", "--yes", "-w", workspace))
    listed = workspace / ".mentorctl" / "suppressed.json"
    assert stat.S_IMODE(listed.stat().st_mode) == 0o600 and len(_listed(workspace)) == 1
    assert b"ann" not in listed.read_bytes().lower()
    made = cli("init-program", "Autumn", "-t", "career", "--dir", workspace, "--today", TODAY)
    _ok(made)
    imported = cli("import-signups", PEOPLE, "-w", workspace, "-p", "autumn")
    _ok(imported)
    assert SKIPPED in " ".join(imported.stderr.split())
    assert "ann@example.org" not in _emails(workspace, "autumn")
    assert _emails(workspace, "autumn") == {"meg@example.org", "raj@example.org", "bo@example.org"}
    assert not list(workspace.glob("*/data/suppressed.json"))  # no program keeps its own

    dry_lift = cli("forget", "ann@example.org", "--lift", "--dry-run", "-w", workspace)
    assert "Would lift" in _ok(dry_lift) and len(_listed(workspace)) == 1
    _ok(cli("forget", "ann@example.org", "--lift", "-w", workspace))
    assert _listed(workspace) == []
    again = cli("import-signups", PEOPLE, "-w", workspace, "-p", "autumn")
    _ok(again)
    assert "skipped" not in again.stderr
    assert "ann@example.org" in _emails(workspace, "autumn")


def _older_list(workspace: Path, slug: str, email: str) -> Path:
    """A program's own list, as earlier versions wrote it."""
    path = workspace / slug / "data" / "suppressed.json"
    SuppressionList(path, workspace / ".mentorctl" / "suppression.key").add(email)
    return path


def test_an_older_per_program_list_is_read_then_moved_into_the_workspaces(
    workspace: Path, cli
) -> None:
    _ok(cli("import-signups", PEOPLE, "-w", workspace))
    _ok(cli("forget", "ann@example.org", "--yes", "-w", workspace))
    (workspace / ".mentorctl" / "suppressed.json").unlink()  # as an older workspace has it
    _ok(cli("init-program", "Autumn", "-t", "career", "--dir", workspace, "--today", TODAY))
    older = _older_list(workspace, PROGRAM, "ann@example.org")
    # read with the workspace's (absent) list: a program that never held Ann skips her
    imported = cli("import-signups", PEOPLE, "-w", workspace, "-p", "autumn")
    assert SKIPPED in " ".join(_ok(imported) and imported.stderr.split())
    assert "ann@example.org" not in _emails(workspace, "autumn")
    assert older.exists()
    # the next write of the list moves it in
    _ok(cli("forget", "bo@example.org", "--yes", "-w", workspace))
    assert not older.exists() and len(_listed(workspace)) == 2
    data = json.loads(_ok(cli("import-signups", PEOPLE, "--json", "-w", workspace, "-p", PROGRAM)))
    assert data["suppressed"] == 2 and data["imported"] == 0
    # lifting one leaves the other
    _ok(cli("forget", "ann@example.org", "--lift", "-w", workspace))
    data = json.loads(_ok(cli("import-signups", PEOPLE, "--json", "-w", workspace, "-p", PROGRAM)))
    assert data["suppressed"] == 1 and data["imported"] == 1


def test_lifting_an_address_only_an_older_list_holds(workspace: Path, cli) -> None:
    _ok(cli("import-signups", PEOPLE, "-w", workspace))
    older = _older_list(workspace, PROGRAM, "zoe@example.org")
    lifted = json.loads(_ok(cli("forget", "zoe@example.org", "--lift", "--json", "-w", workspace)))
    assert lifted == {"lifted": True, "dry_run": False}
    assert not older.exists() and _listed(workspace) == []
    assert not SuppressionList.for_store(workspace / PROGRAM / "data" / "store.json").contains(
        "zoe@example.org"
    )


def test_an_older_list_made_with_another_key_is_refused_by_name(workspace: Path, cli) -> None:
    _ok(cli("import-signups", PEOPLE, "-w", workspace))
    _ok(cli("forget", "ann@example.org", "--yes", "-w", workspace))
    stray = workspace / PROGRAM / "data" / "suppressed.json"
    SuppressionList(stray, workspace / "other.key").add("bo@example.org")
    for command in (["import-signups", str(PEOPLE)], ["forget", "raj@example.org", "--yes"]):
        result = cli(*command, "-w", workspace)
        assert result.exit_code == 1, result.output
        assert str(stray) in result.stderr and "made with another key" in result.stderr
    assert "raj@example.org" in _emails(workspace, PROGRAM)


def _add_many(root: str, start: int) -> None:
    listed = SuppressionList.of_workspace(Path(root))
    for i in range(start, start + 15):
        listed.add(f"person{i}@example.org")


def test_forgets_at_the_same_time_all_stay_listed(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / ".mentorctl").mkdir(parents=True)
    SuppressionList.of_workspace(root).add("first@example.org")  # the key, made once
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_add_many, args=(str(root), n * 100)) for n in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
        assert w.exitcode == 0
    listed = SuppressionList.of_workspace(root)
    assert len(_listed(root)) == 61
    assert all(
        listed.contains(f"person{n * 100 + i}@example.org") for n in range(4) for i in range(15)
    )


def test_the_lock_and_list_are_private(workspace: Path, cli) -> None:
    _ok(cli("import-signups", PEOPLE, "-w", workspace))
    _ok(cli("forget", "ann@example.org", "--yes", "-w", workspace))
    for name in ("suppressed.json", "suppressed.json.lock", "suppression.key"):
        assert stat.S_IMODE(os.stat(workspace / ".mentorctl" / name).st_mode) == 0o600, name
