"""Weights suggested from outcomes: a planted effect is found, few pairs are called weak, the
fit agrees with an independent optimiser, and ``pair --suggest-weights`` changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from helpers import PROGRAM
from matching_support import CONFIG

from mentorctl.matching import learn

CRITERIA = CONFIG["criteria"]  # topics 5, industry 2, time zone 1, languages 1


def _generated(count: int, seed: int, language_effect: float = 2.0) -> list[dict[str, Any]]:
    """Finished pairs whose score parts are random; sharing a language multiplies the chance
    of completing by ``language_effect``; no other part changes it."""
    rng = np.random.default_rng(seed)
    pairs = []
    for k in range(count):
        parts = {
            "topics": float(rng.choice([0.0, 0.5, 1.0])),
            "industry": float(rng.integers(0, 2)),
            "time zone": float(rng.uniform()),
            "languages": float(rng.integers(0, 2)),
        }
        chance = 0.3 * (language_effect if parts["languages"] else 1.0)
        pairs.append(
            {
                "id": f"M{k + 1}",
                "status": "completed" if rng.uniform() < chance else "lapsed",
                "parts": [
                    {"kind": "x", "name": n, "value": v, "weight": 1} for n, v in parts.items()
                ],
            }
        )
    return pairs


def test_a_planted_language_effect_is_found_and_the_rest_stay_flat() -> None:
    finished, left_out = learn.finished_pairs(_generated(400, seed=7), [])
    found = learn.suggest(CRITERIA, finished, left_out)
    rows = {r.name: r for r in found.rows}
    assert found.pairs == 400 and not found.weak
    language = rows["languages"]
    # Completion 0.3 -> 0.6: odds ratio (0.6/0.4) / (0.3/0.7) = 3.5.
    assert language.clear and 2.0 < language.odds_ratio < 6.0
    assert language.low > 1.0
    assert language.suggested >= 2 * language.current
    for name in ("topics", "industry", "time zone"):
        row = rows[name]
        assert row.low < 1.0 < row.high, name
        assert row.suggested == row.current, name
    copied = yaml.safe_load(found.yaml)["matching"]["criteria"]
    assert [c["weight"] for c in copied] == [5, 2, 1, language.suggested]
    assert copied[1] == {"kind": "extra", "field": "industry", "mode": "same", "weight": 2}


def test_no_effect_planted_changes_no_weight() -> None:
    finished, _ = learn.finished_pairs(_generated(400, seed=11, language_effect=1.0), [])
    found = learn.suggest(CRITERIA, finished)
    assert [r.suggested for r in found.rows] == [r.current for r in found.rows]


def test_few_pairs_are_called_weak() -> None:
    finished, _ = learn.finished_pairs(_generated(20, seed=3), [])
    found = learn.suggest(CRITERIA, finished)
    assert found.weak and found.notes[0].startswith("weak: only 20 finished pair(s)")


def test_fit_and_progress_answers_and_admin_endings() -> None:
    pairs = [
        {"id": "M1", "status": "completed", "parts": []},
        {"id": "M2", "status": "completed", "parts": []},
        {"id": "M3", "status": "completed", "parts": []},
        {"id": "M4", "status": "not_fit", "parts": []},
        {"id": "M5", "status": "ended", "parts": []},
        {"id": "M6", "status": "active", "parts": []},
    ]
    answers = [
        {"pair": "M2", "week": 1, "answers": {"fit": "no"}},
        {"pair": "M2", "week": 1, "answers": {"fit": "no"}},
        {"pair": "M3", "week": 2, "answers": {"progress": 1}},
        {"pair": "M1", "week": 1, "answers": {"fit": "yes", "progress": "4"}},
    ]
    finished, left_out = learn.finished_pairs(pairs, answers)
    assert {f.pair: f.success for f in finished} == {
        "M1": True, "M2": False, "M3": False, "M4": False,
    }  # fmt: skip
    assert left_out == 1


def test_the_fit_matches_an_independent_optimiser() -> None:
    from scipy.optimize import minimize

    rng = np.random.default_rng(5)
    x = rng.uniform(size=(200, 3))
    y = (rng.uniform(size=200) < 1 / (1 + np.exp(-(x @ [2.0, -1.0, 0.0] - 0.5)))).astype(float)
    beta, errors = learn.fit_logistic(x, y)

    def loss(b: np.ndarray) -> float:
        z = b[0] + x @ b[1:]
        return float(np.sum(np.logaddexp(0, z) - y * z) + learn.RIDGE / 2 * np.sum(b[1:] ** 2))

    other = minimize(loss, np.zeros(4), method="BFGS", options={"gtol": 1e-10})
    assert beta == pytest.approx(other.x, abs=1e-4)
    assert np.all(errors > 0)


# -- the command ----------------------------------------------------------------------------


def _finish_pairs(store_file: Path, statuses: dict[int, str]) -> None:
    from mentorctl.store.db import Store

    with Store.writing(store_file) as store:
        docs = store.documents("pairs")
        changes = {}
        for n, key in enumerate(sorted(docs, key=int)):
            if n in statuses:
                changes[int(key)] = {"status": statuses[n]}
        store.update_many("pairs", changes)


def test_the_command_prints_weights_to_copy_and_changes_nothing(workspace: Path, cli) -> None:
    sample = Path(__file__).resolve().parent.parent / "sample_programs" / "career-circle"
    result = cli("import-signups", sample / "signups.csv", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    result = cli("pair", "--commit", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    store_file = workspace / PROGRAM / "data" / "store.json"
    _finish_pairs(store_file, {n: "completed" if n % 3 else "lapsed" for n in range(20)})
    program_yaml = workspace / PROGRAM / "program.yaml"
    before = program_yaml.read_bytes(), store_file.read_bytes()

    result = cli("pair", "--suggest-weights", "-w", workspace, "--today", "2026-06-01")
    assert result.exit_code == 0, result.output
    assert "Learned from 20 finished pair(s)" in result.stdout
    assert "weak: only 20 finished pair(s)" in result.stderr
    assert "Round 1 again (30 pairs saved)" in result.stdout
    # Too few pairs: the figures are shown, no lines are offered to copy.
    assert "matching:" not in result.stdout and "no weights are offered" in result.stderr
    assert (program_yaml.read_bytes(), store_file.read_bytes()) == before

    result = cli("pair", "--suggest-weights", "--json", "-w", workspace, "--today", "2026-06-01")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["pairs"] == 20 and data["weak"] is True
    assert data["last_round"]["round"] == 1 and data["last_round"]["differ"] >= 0
    assert [r["name"] for r in data["rows"]] == ["topics", "industry", "time zone", "languages"]

    result = cli("pair", "--suggest-weights", "--commit", "-w", workspace)
    assert result.exit_code != 0 and "choose one action" in result.output


def test_the_last_round_is_matched_again_under_the_suggested_weights() -> None:
    from matching_support import TODAY, person

    from mentorctl.matching.match import match

    people = [
        person("P1", goals=["a"], extra={"industry": "x"}),
        person("M1", "mentor", expertise=["a"], capacity=1),
        person("M2", "mentor", expertise=["b"], capacity=1, extra={"industry": "x"}),
        person("P0", goals=["a"], languages=["Finnish"]),
        person("M0", "mentor", expertise=["a"], capacity=1, languages=["Finnish"]),
    ]
    conf = dict(CONFIG, rules={"shared_language": True, "different_organisation": False})
    now = match(people[:3], conf, today=TODAY).pairs
    assert [(p.mentee_id, p.mentor_id) for p in now] == [("P1", "M1")]
    pairs = [
        # Round 1, long over; then round 2, whose people are matched again.
        {"id": "M1", "mentee": "P0", "mentor": "M0", "status": "completed", "round": 1,
         "created": "2025-01-01T00:00:00"},
        {"id": "M2", "mentee": "P1", "mentor": "M1", "status": "active", "round": 2,
         "created": "2026-03-01T00:00:00"},
    ]  # fmt: skip
    change = learn.last_round_change(
        people, pairs, conf, {"industry": 20}, duration_weeks=8, today=TODAY
    )
    assert change == {
        "round": 2, "pairs": 1, "matched_now": 1, "matched_suggested": 1,
        "differ": 1, "differ_from_saved": 1,
    }  # fmt: skip
    same = learn.last_round_change(people, pairs, conf, {}, duration_weeks=8, today=TODAY)
    assert same["differ"] == 0 and same["differ_from_saved"] == 0
