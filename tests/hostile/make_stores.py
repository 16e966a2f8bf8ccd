"""Write the hand-edited stores of this folder (``store_edited_*.json``).

A small program is run for two weeks with mentorctl itself (six people, three pairs,
introductions, a check-in, an answer, a block, a concern, a pause and a withdrawal); each
store is then that program's store with one record edited by hand into a type mentorctl
does not write. Run it again after changing the schema:
``python tests/hostile/make_stores.py``.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from mentorctl.cli.app import app

HERE = Path(__file__).resolve().parent
SIGNUPS = """\
Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Industry
ana@example.org,Ana Lima,mentee,29,"Getting promoted, Networking",,"English, Portuguese",Europe/Lisbon,,Energy
ben@example.org,Ben Okafor,mentee,34,Moving into management,,English,Africa/Lagos,,Finance
cai@example.org,Cai Wen,mentee,26,"Career change, Networking",,"English, Mandarin",Asia/Shanghai,,Technology
dora@example.org,Dora Novak,mentor,51,,"Getting promoted, Moving into management",English,Europe/Berlin,2,Energy
eli@example.org,Eli Stone,mentor,45,,"Career change, Networking","English, Mandarin",Asia/Singapore,1,Technology
fay@example.org,Fay Moreau,mentor,39,,"Networking, Getting promoted","English, French",Europe/Paris,2,Finance
"""

Tables = dict[str, dict[str, dict[str, Any]]]


def _run(*args: str, today: str) -> None:
    result = CliRunner().invoke(app, [*args, "--today", today] if today else list(args))
    if result.exit_code != 0:
        raise SystemExit(f"mentorctl {' '.join(args)}: {result.output}")


def base_store() -> Tables:
    """The store of a small program two weeks in, as mentorctl wrote it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        os.environ["MENTORCTL_TODAY"] = "2026-03-02"
        _run("init-program", "Test Program", "--template", "career", "--dir", str(root), today="")
        os.environ["MENTORCTL_WORKSPACE"] = str(root)
        export = Path(tmp) / "signups.csv"
        export.write_text(SIGNUPS, encoding="utf-8")
        _run("import-signups", str(export), today="2026-03-02")
        _run("pair", "--commit", today="2026-03-02")
        _run("introduce", today="2026-03-02")
        _run("checkin", today="2026-03-09")
        _run("checkin", "--record", "M1", "--person", "P1", "-a", "met=yes", today="2026-03-09")
        os.environ["MENTORCTL_TODAY"] = "2026-03-09"
        _run("block", "P2", "P6", "--reason", "asked not to", today="")
        _run("concern", "M2", "--reason", "missed meetings", "--from", "P2", today="")
        _run("pause", "P3", "--until", "2026-04-01", today="2026-03-09")
        _run("withdraw", "P5", "--reason", "moving", today="2026-03-09")
        store = root / "test-program" / "data" / "store.json"
        return json.loads(store.read_text(encoding="utf-8"))


def _first(data: Tables, table: str) -> dict[str, Any]:
    return next(iter(data[table].values()))


def _mentor(data: Tables) -> dict[str, Any]:
    return next(p for p in data["people"].values() if p["role"] == "mentor")


def _without(doc: dict[str, Any], field: str) -> None:
    del doc[field]


EDITS: dict[str, Callable[[Tables], None]] = {
    "capacity_text": lambda d: _mentor(d).update(capacity="two"),
    "score_text": lambda d: _first(d, "pairs").update(score="high"),
    "goals_number": lambda d: _first(d, "people").update(goals=3),
    "extra_list": lambda d: _first(d, "people").update(extra=["industry", "Energy"]),
    "history_null": lambda d: _first(d, "people").update(history=None),
    "block_without_person": lambda d: _without(_first(d, "blocks"), "person"),
    "pair_mentor_number": lambda d: _first(d, "pairs").update(mentor=4),
    "delivery_list": lambda d: _first(d, "messages").update(delivery=["P1", "sent"]),
    "answers_text": lambda d: _first(d, "answers").update(answers="met: yes"),
    "week_text": lambda d: _first(d, "answers").update(week="two"),
    "concern_pairs_list": lambda d: _first(d, "concerns").update(pairs=["M2"]),
    "age_text": lambda d: _first(d, "people").update(age="thirty"),
    "languages_numbers": lambda d: _first(d, "people").update(languages=[1, 2]),
    "pair_history_entry_text": lambda d: _first(d, "pairs")["history"].append("ended"),
}


def main() -> None:
    base = base_store()
    for old in HERE.glob("store_edited_*.json"):
        old.unlink()
    for name, edit in EDITS.items():
        data = copy.deepcopy(base)
        edit(data)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        (HERE / f"store_edited_{name}.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
