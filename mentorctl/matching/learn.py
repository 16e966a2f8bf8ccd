"""Criteria weights suggested from the program's own outcomes (``pair --suggest-weights``).

Data: every finished pair of the program, all rounds: a success when it ``completed`` and its
people did not mostly answer "no" to the fit question, nor give an average progress below
:data:`LOW_PROGRESS` (of 5); a failure when it ``lapsed`` or was ``not_fit``. Pairs ended by
an admin are left out (why they ended is not the match's doing, as far as we know), and so are
pairs saved without the part of a criterion (a criterion added later).

Model: a logistic regression of success on the pair's score parts (each 0..1, as saved with
the pair), fitted by Newton's method with a light ridge penalty (:data:`RIDGE`, which keeps
the estimates finite when a part separates the outcomes on few pairs). ``exp(coefficient)``
is the odds ratio of success between a part of 0 and a part of 1; its 95 % interval comes
from the curvature of the likelihood (Wald). A small numpy fit does this exactly; scikit-learn
gives no intervals and statsmodels would bring pandas and patsy along for one regression.

Suggestion: a criterion whose interval clearly excludes "no effect" gets its weight times
the odds ratio (kept within a tenth and ten times the current weight); the others keep their
weight, marked "no clear effect". Under :data:`FEW_PAIRS` finished pairs the suggestion is
marked weak. Nothing is written: the admin copies the printed lines into program.yaml.

The last round: its mentees are matched again against the program's mentors (those of its
pairs and every other one not withdrawn, each with their whole capacity) under the current and
the suggested weights, every pair of another round still excluded, and the two sets of pairs
compared (and the suggested ones with the pairs saved).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mentorctl.programs.program import Program

SUCCESS = frozenset({"completed"})
FAILURE = frozenset({"lapsed", "not_fit"})
FEW_PAIRS = 30
LOW_PROGRESS = 2.5
RIDGE = 0.5
Z95 = 1.959964
MAX_FACTOR = 10.0


@dataclass
class Finished:
    pair: str
    success: bool
    parts: dict[str, float]  # criterion name -> part value


@dataclass
class CriterionRow:
    name: str
    kind: str
    current: float
    suggested: float
    odds_ratio: float | None  # None: the part never varied, nothing to learn
    low: float | None
    high: float | None
    clear: bool


@dataclass
class Suggestion:
    pairs: int
    successes: int
    failures: int
    left_out: int
    weak: bool
    rows: list[CriterionRow]
    yaml: str
    last_round: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        import dataclasses

        return dataclasses.asdict(self)


# -- outcomes ---------------------------------------------------------------------------


def _yes(value: Any) -> bool | None:
    text = str(value).strip().casefold() if value is not None else ""
    return True if text in ("yes", "y", "true") else False if text in ("no", "n", "false") else None


def finished_pairs(
    pairs: Iterable[Mapping[str, Any]], answers: Iterable[Mapping[str, Any]]
) -> tuple[list[Finished], int]:
    """The finished pairs with their outcome, and how many finished pairs were left out."""
    fits: dict[str, list[bool]] = {}
    progress: dict[str, list[float]] = {}
    for a in answers:
        values = a.get("answers") or {}
        key = str(a.get("pair"))
        fit = _yes(values.get("fit"))
        if fit is not None:
            fits.setdefault(key, []).append(fit)
        with contextlib.suppress(KeyError, TypeError, ValueError):
            progress.setdefault(key, []).append(float(values["progress"]))
    out, left_out = [], 0
    for pair in pairs:
        status = pair.get("status")
        if status not in SUCCESS and status not in FAILURE:
            left_out += status == "ended"
            continue
        parts = {
            str(p.get("name")): float(p["value"])
            for p in pair.get("parts") or ()
            if isinstance(p, Mapping) and isinstance(p.get("value"), int | float)
        }
        pid = str(pair.get("id"))
        said = fits.get(pid, [])
        steps = progress.get(pid, [])
        good = status in SUCCESS
        if said and sum(said) < len(said) / 2:
            good = False
        if steps and sum(steps) / len(steps) < LOW_PROGRESS:
            good = False
        out.append(Finished(pid, good, parts))
    return out, left_out


# -- the model --------------------------------------------------------------------------


def fit_logistic(x: Any, y: Any, ridge: float = RIDGE) -> tuple[Any, Any]:
    """Coefficients (intercept first) and their standard errors, by Newton's method on the
    penalised log-likelihood (the intercept is not penalised)."""
    import numpy as np

    design = np.column_stack([np.ones(len(y)), x])
    k = design.shape[1]
    penalty = np.full(k, ridge)
    penalty[0] = 0.0
    beta = np.zeros(k)
    hessian = np.eye(k)
    for _ in range(100):
        p = 1 / (1 + np.exp(-design @ beta))
        w = p * (1 - p)
        gradient = design.T @ (y - p) - penalty * beta
        hessian = (design * w[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-9:
            break
    p = 1 / (1 + np.exp(-design @ beta))
    w = p * (1 - p)
    hessian = (design * w[:, None]).T @ design + np.diag(penalty)
    errors = np.sqrt(np.diag(np.linalg.inv(hessian)))
    return beta, errors


def suggest(
    criteria: Sequence[Mapping[str, Any]],
    finished: Sequence[Finished],
    left_out: int = 0,
) -> Suggestion:
    """Suggested weights for ``criteria`` (program.yaml's, validated) from ``finished``."""
    import numpy as np

    from mentorctl.matching.score import read_criteria

    crit = read_criteria({"criteria": list(criteria)})
    names = [c.name for c in crit.items]
    usable = [f for f in finished if all(n in f.parts for n in names)]
    left_out += len(finished) - len(usable)
    y = np.array([f.success for f in usable], dtype=np.float64)
    x = np.array([[f.parts[n] for n in names] for f in usable], dtype=np.float64).reshape(
        len(usable), len(names)
    )
    varied = [j for j in range(len(names)) if len(usable) and np.ptp(x[:, j]) > 1e-9]
    rows: list[CriterionRow] = []
    notes: list[str] = []
    fitted: dict[int, tuple[float, float]] = {}
    if len(usable) >= 2 and 0 < y.sum() < len(y) and varied:
        beta, errors = fit_logistic(x[:, varied], y)
        fitted = {j: (float(beta[k + 1]), float(errors[k + 1])) for k, j in enumerate(varied)}
    elif usable:
        notes.append("every finished pair had the same outcome: nothing to learn from yet")
    for j, c in enumerate(crit.items):
        if j not in fitted:
            rows.append(CriterionRow(c.name, c.kind, c.weight, c.weight, None, None, None, False))
            continue
        b, se = fitted[j]
        low, high = b - Z95 * se, b + Z95 * se
        clear = low > 0 or high < 0
        factor = min(MAX_FACTOR, max(1 / MAX_FACTOR, math.exp(b))) if clear else 1.0
        rows.append(
            CriterionRow(
                c.name, c.kind, c.weight, _round_weight(c.weight * factor),
                round(math.exp(b), 3), round(math.exp(low), 3), round(math.exp(high), 3), clear,
            )
        )  # fmt: skip
    for j in range(len(names)):
        if usable and j not in varied:
            notes.append(f"'{names[j]}' had the same part in every finished pair: kept")
    successes = int(y.sum())
    weak = len(usable) < FEW_PAIRS
    if weak:
        notes.insert(
            0,
            f"weak: only {len(usable)} finished pair(s) to learn from (at least {FEW_PAIRS} "
            "give a suggestion worth acting on)",
        )
    return Suggestion(
        pairs=len(usable), successes=successes, failures=len(usable) - successes,
        left_out=left_out, weak=weak, rows=rows,
        yaml=criteria_yaml(criteria, {r.name: r.suggested for r in rows}), notes=notes,
    )  # fmt: skip


def _round_weight(value: float) -> float:
    """Two significant digits: a weight an admin can read and copy."""
    if value <= 0:
        return 0.01
    digits = max(0, 1 - math.floor(math.log10(value)))
    return max(0.01, round(value, digits))


def with_weights(
    criteria: Sequence[Mapping[str, Any]], weights: Mapping[str, float]
) -> list[dict[str, Any]]:
    from mentorctl.matching.score import read_criteria

    names = [c.name for c in read_criteria({"criteria": list(criteria)}).items]
    out = []
    for name, raw in zip(names, criteria, strict=True):
        item = {k: v for k, v in raw.items() if v is not None and _shown(raw, k)}
        weight = float(weights.get(name, raw["weight"]))
        item["weight"] = int(weight) if weight.is_integer() else weight
        out.append(item)
    return out


def _shown(raw: Mapping[str, Any], key: str) -> bool:
    """Keys that mean something for the criterion's kind (validation fills in the rest)."""
    if key == "max_hours":
        return raw.get("kind") == "timezone"
    if key == "scale":
        return raw.get("mode") == "distance"
    return True


def criteria_yaml(criteria: Sequence[Mapping[str, Any]], weights: Mapping[str, float]) -> str:
    import yaml

    return yaml.safe_dump(
        {"matching": {"criteria": with_weights(criteria, weights)}},
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
    )


# -- the last round again ------------------------------------------------------------------


def last_round_change(
    people: Sequence[Mapping[str, Any]],
    pairs: Sequence[Mapping[str, Any]],
    config: Mapping[str, Any],
    weights: Mapping[str, float],
    *,
    duration_weeks: int,
    today: dt.date,
    seed: int = 0,
) -> dict[str, Any] | None:
    """The last round's people matched again under the current and the suggested weights."""
    from mentorctl.history.program_rounds import numbered
    from mentorctl.matching.match import match

    if not pairs:
        return None
    rounds = numbered(pairs, duration_weeks)
    last = max(rounds.values())
    mine = [p for p in pairs if rounds.get(str(p.get("id"))) == last]
    earlier = [(str(p["mentee"]), str(p["mentor"]), "completed") for p in pairs if p not in mine]
    mentee_ids = {str(p["mentee"]) for p in mine}
    mentor_ids = {str(p["mentor"]) for p in mine}
    # The round's mentees, against the program's mentors (those of the round's pairs, and
    # every other one not withdrawn), each with their whole capacity.
    for p in people:
        if p.get("role") in ("mentor", "both") and p.get("status") not in ("withdrawn", None):
            mentor_ids.add(str(p.get("id")))
    by_id = {str(p.get("id")): p for p in people}
    chosen = []
    for pid in sorted(mentee_ids | mentor_ids):
        if pid not in by_id:
            continue
        doc = dict(by_id[pid], status="active")
        if pid in mentee_ids and pid not in mentor_ids:
            doc["role"] = "mentee"
        elif pid in mentor_ids and pid not in mentee_ids:
            doc["role"] = "mentor"
        chosen.append(doc)
    suggested = copy.deepcopy(dict(config))
    suggested["criteria"] = with_weights(config["criteria"], weights)

    def run(conf: Mapping[str, Any]) -> set[tuple[str, str]]:
        result = match(chosen, conf, today=today, existing=earlier, seed=seed)
        return {(p.mentee_id, p.mentor_id) for p in result.pairs}

    now, then = run(config), run(suggested)
    stored = {(str(p["mentee"]), str(p["mentor"])) for p in mine}
    return {
        "round": last,
        "pairs": len(mine),
        "matched_now": len(now),
        "matched_suggested": len(then),
        "differ": len(then - now),
        "differ_from_saved": len(then - stored),
    }


# -- from the store ---------------------------------------------------------------------


def from_store(program: Program, store_path: Path, *, today: dt.date, seed: int = 0) -> Suggestion:
    """Read the program's pairs, answers and people, and suggest weights."""
    from mentorctl.store.db import Store

    with Store.reading(store_path) as store:
        people = list(store.documents("people").values())
        pairs = list(store.documents("pairs").values())
        answers = list(store.documents("answers").values())
    config = program.data["matching"]
    finished, left_out = finished_pairs(pairs, answers)
    out = suggest(config["criteria"], finished, left_out)
    weights = {r.name: r.suggested for r in out.rows}
    out.last_round = last_round_change(
        people, pairs, config, weights, duration_weeks=program.duration_weeks, today=today,
        seed=seed,
    )  # fmt: skip
    return out
