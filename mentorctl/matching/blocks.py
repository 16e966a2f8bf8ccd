"""Scoring many pairs at once: blocks of mentees against mentors, vectorised with NumPy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from mentorctl.matching.score import BLOCK_CELLS, UNITS, Criteria, Profile, zone_part

if TYPE_CHECKING:
    import numpy as np


class BlockScorer:
    """Scores blocks of mentees against every mentor at once, with the hard rules as masks.

    ``exclude`` maps a mentee's index to the mentor indices it may never be paired with
    (blocks, earlier pairs), ``selves`` a "both" person's mentee index to their own mentor
    index: few per mentee, so they are applied as sparse masks. A self-pair counts as sharing
    no language either, so "no mentor shares a language" never counts the person themselves.
    """

    def __init__(
        self,
        crit: Criteria,
        mentees: list[Profile],
        mentors: list[Profile],
        exclude: Mapping[int, Iterable[int]],
        selves: Mapping[int, int],
    ) -> None:
        import numpy as np

        self.crit = crit
        self.n = len(mentees)
        self.m = len(mentors)
        self.exclude = {i: np.fromiter(js, dtype=np.int64) for i, js in exclude.items() if js}
        self.selves = dict(selves)
        self._features: list[tuple[str, Any]] = []
        for index, c in enumerate(crit.items):
            if c.kind == "topics":
                goals = [p.goals for p in mentees]
                g, e = _incidence(goals, [p.expertise for p in mentors])
                # No goals: 0 shared / 1 gives the 0.0 that explain() gives.
                sizes = np.array([max(1, len(x)) for x in goals], dtype=np.float64)
                self._features.append(("topics", (g, e, sizes)))
            elif c.kind == "languages":
                self._features.append(("languages", None))
            elif c.kind == "timezone":
                table, za, zb = _zone_table(mentees, mentors, c.max_hours)
                self._features.append(("timezone", (c.weight * table, za, zb)))
            elif c.mode == "same":
                codes: dict[str, int] = {}
                a = [p.extras[index] for p in mentees]
                b = [p.extras[index] for p in mentors]
                ca = np.array([codes.setdefault(x, len(codes)) if x else -1 for x in a], np.int64)
                cb = np.array([codes.setdefault(x, len(codes)) if x else -1 for x in b], np.int64)
                self._features.append(("same", (ca, cb)))
            elif c.mode == "overlap":
                a = [p.extras[index] or {} for p in mentees]
                b = [p.extras[index] or {} for p in mentors]
                g, e = _incidence(a, b)
                sa = np.array([len(x) for x in a], dtype=np.float64)
                sb = np.array([len(x) for x in b], dtype=np.float64)
                self._features.append(("overlap", (g, e, sa, sb)))
            else:
                va = np.array(
                    [np.nan if x is None else x for x in (p.extras[index] for p in mentees)]
                )
                vb = np.array(
                    [np.nan if x is None else x for x in (p.extras[index] for p in mentors)]
                )
                self._features.append(("distance", (va, vb, c.scale)))
        la, lb = _incidence([p.languages for p in mentees], [p.languages for p in mentors])
        self._languages = (
            la,
            lb,
            np.array([not p.languages for p in mentees], dtype=bool),
            np.array([not p.languages for p in mentors], dtype=bool),
        )
        codes = {}
        self._org_a = np.array(
            [
                codes.setdefault(p.organisation, len(codes)) if p.organisation else -1
                for p in mentees
            ]
        )
        self._org_b = np.array(
            [
                codes.setdefault(p.organisation, len(codes)) if p.organisation else -2
                for p in mentors
            ]
        )

    def block_rows(self) -> int:
        return max(1, BLOCK_CELLS // max(1, self.m))

    def score(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(units int32, language rule passes, every hard rule passes) for ``rows`` x mentors."""
        import numpy as np

        crit = self.crit
        shape = (len(rows), self.m)
        la, lb, a_none, b_none = self._languages
        shared_lang = _counts(la, lb, rows) > 0
        # Same operations, in the same order, as ``explain``: w * part summed in criteria
        # order, so the floats and the units are identical to the one-pair path. In place,
        # since these blocks are the hot loop of a large run.
        total = np.zeros(shape)
        for c, (kind, data) in zip(crit.items, self._features, strict=True):
            if kind == "topics":
                g, e, sizes = data
                part = np.divide(_counts(g, e, rows), sizes[rows][:, None])
                part *= c.weight
                total += part
            elif kind == "languages":
                np.add(total, c.weight, out=total, where=shared_lang)
            elif kind == "timezone":
                weighted, za, zb = data
                total += np.take(weighted[za[rows]], zb, axis=1)
            elif kind == "same":
                ca, cb = data
                a = ca[rows][:, None]
                np.add(total, c.weight, out=total, where=(a == cb[None, :]) & (a >= 0))
            elif kind == "overlap":
                g, e, sa, sb = data
                inter = _counts(g, e, rows).astype(np.float64)
                union = sa[rows][:, None] + sb[None, :] - inter
                part = np.divide(inter, union, out=np.zeros(shape), where=union > 0)
                part *= c.weight
                total += part
            else:
                va, vb, scale = data
                diff = np.abs(va[rows][:, None] - vb[None, :])
                part = 1 - np.minimum(diff, scale) / scale
                part[np.isnan(part)] = 0.0
                part *= c.weight
                total += part
        total /= crit.total_weight
        total *= UNITS
        total += 0.5
        units = np.floor(total, out=total).astype(np.int32)
        if crit.shared_language:
            lang_ok = shared_lang | a_none[rows][:, None] | b_none[None, :]
        else:
            lang_ok = np.ones(shape, dtype=bool)
        allowed = lang_ok.copy()
        if crit.different_organisation:
            allowed &= self._org_a[rows][:, None] != self._org_b[None, :]
        if self.exclude or self.selves:
            for r, i in enumerate(rows.tolist()):
                js = self.exclude.get(i)
                if js is not None:
                    allowed[r, js] = False
                j = self.selves.get(i)
                if j is not None:
                    allowed[r, j] = False
                    lang_ok[r, j] = False
        return units, lang_ok, allowed


def _incidence(a: list[dict[str, str]], b: list[dict[str, str]]) -> tuple[Any, Any]:
    """0/1 matrices over the values both sides use: (len(a) x V) CSR and (V x len(b)) dense.

    Values only one side uses can never be shared, so they are left out of the vocabulary.
    Counts come from a float32 product of 0/1 entries: exact integers.
    """
    import numpy as np
    import scipy.sparse as sp

    used_b = set().union(*[x.keys() for x in b]) if b else set()
    vocab: dict[str, int] = {}
    for x in a:
        for key in x:
            if key in used_b and key not in vocab:
                vocab[key] = len(vocab)
    rows, cols = [], []
    for i, x in enumerate(a):
        for key in x:
            col = vocab.get(key)
            if col is not None:
                rows.append(i)
                cols.append(col)
    size = max(1, len(vocab))
    left = sp.csr_array((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(a), size))
    right = np.zeros((size, len(b)), dtype=np.float32)
    for j, x in enumerate(b):
        for key in x:
            col = vocab.get(key)
            if col is not None:
                right[col, j] = 1.0
    return left, right


def _counts(left: Any, right: Any, rows: np.ndarray) -> np.ndarray:
    return left[rows] @ right


def _zone_table(
    mentees: list[Profile], mentors: list[Profile], max_hours: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Part values for every pair of distinct offsets (the last index: unknown), and indices."""
    import numpy as np

    offsets = sorted({p.offset for p in (*mentees, *mentors) if p.offset is not None})
    index = {o: k for k, o in enumerate(offsets)}
    values: list[float | None] = [*offsets, None]
    table = np.array([[zone_part(x, y, max_hours) for y in values] for x in values])
    unknown = len(offsets)
    za = np.array(
        [index.get(p.offset, unknown) if p.offset is not None else unknown for p in mentees]
    )
    zb = np.array(
        [index.get(p.offset, unknown) if p.offset is not None else unknown for p in mentors]
    )
    return table, za.astype(np.int64), zb.astype(np.int64)
