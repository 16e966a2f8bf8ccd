"""Candidate pairs for large programs: each mentee's best mentors, each mentor's best mentees.

Every mentee is scored against every mentor once, block by block (never the whole matrix);
what is kept is enough to solve on (:class:`Edges`) and to prove afterwards that nothing left
out would have done better (thresholds, the mentors' deeper lists, and on programs small
enough the whole score table as int16).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mentorctl.matching.blocks import BlockScorer
from mentorctl.matching.score import UNITS

if TYPE_CHECKING:
    import numpy as np

Progress = Callable[[int, int], None]
# Each mentor's best mentees that join the candidates (so nobody's slots go unused because
# no mentee ranks them high), and how deep each mentor's list goes for the proof.
PER_MENTOR = 20
MENTOR_DEPTH = 120
# Up to this many mentee x mentor cells, the whole score table is kept for the proof.
TABLE_CELLS = 40_000_000


@dataclass
class Edges:
    """Candidate pairs (mentee, mentor, units), sorted by mentee, then best first."""

    mentee: np.ndarray
    mentor: np.ndarray
    units: np.ndarray
    # Best units among the acceptable open mentors left out for each mentee; -1 when none was.
    threshold: np.ndarray
    # Over every mentor, open or not, for the unmatched reasons:
    language_any: np.ndarray  # some mentor passes the language rule
    allowed_any: np.ndarray  # some mentor passes every hard rule
    best_allowed: np.ndarray  # best units among those (-1: none)
    acceptable: np.ndarray  # how many mentors pass every rule and the minimum score
    acceptable_open: np.ndarray  # how many of those had a free slot before the run
    pruned: bool = False
    # Units of every acceptable open pair (-1 elsewhere) when small enough to keep.
    table: np.ndarray | None = None
    # Best units among the mentees left out of each mentor's deep list; -1 when none was.
    mentor_threshold: np.ndarray | None = None
    # Each mentor's deep list (mentee, mentor, units): checked by the proof, not solved.
    deep: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    # The key (units * mentors + mentors - 1 - mentor) of each mentee's best pair left out
    # of its own best ``k``; -1 when none was. Pairs with a higher key are all candidates.
    threshold_key: np.ndarray | None = None
    # Which mentees are also mentors, and which mentors also mentees ("both" people).
    mentee_both: np.ndarray | None = None
    mentor_both: np.ndarray | None = None

    def add(self, mentee: np.ndarray, mentor: np.ndarray, units: np.ndarray) -> None:
        import numpy as np

        self.mentee = np.concatenate([self.mentee, mentee])
        self.mentor = np.concatenate([self.mentor, mentor])
        self.units = np.concatenate([self.units, units])
        self.sort()

    def sort(self) -> None:
        import numpy as np

        m = int(self.mentor.max()) + 1 if len(self.mentor) else 1
        # One int64 key (mentee, best units first, lower mentor): one argsort, no lexsort.
        key = (self.mentee * (UNITS + 1) + (UNITS - self.units)) * m + self.mentor
        order = np.argsort(key)
        self.mentee, self.mentor, self.units = (
            self.mentee[order],
            self.mentor[order],
            self.units[order],
        )

    def without(self, pairs: Iterable[tuple[int, int]]) -> Edges:
        """A copy whose candidate pairs leave out ``pairs`` (the rest is shared)."""
        import numpy as np

        keep = np.ones(len(self.mentee), dtype=bool)
        for i, j in pairs:
            keep &= ~((self.mentee == i) & (self.mentor == j))
        return dataclasses.replace(
            self, mentee=self.mentee[keep], mentor=self.mentor[keep], units=self.units[keep]
        )


class _MentorLists:
    """Each mentor's best ``depth`` mentees, and the best one left out, gathered block by block.

    A key (units * n + n - 1 - mentee: higher units first, then the lower mentee) enters only
    if it beats the mentor's current (depth + 1)-th best, so after the first blocks few do;
    the pending ones are merged by one sort from time to time.
    """

    def __init__(self, n: int, m: int, depth: int) -> None:
        import numpy as np

        self.n, self.m, self.depth = n, m, depth
        self.floor = np.full(m, -1, dtype=np.int64)
        self.cols: list[np.ndarray] = []
        self.keys: list[np.ndarray] = []
        self.pending = 0

    def offer(self, rows: np.ndarray, units: np.ndarray) -> None:
        """Offer a block of rows (ascending, after every earlier block); ``units`` is -1 where
        the pair is not usable. A later mentee with equal units never beats an earlier one,
        so comparing units with the floor's units is the same as comparing keys."""
        import numpy as np

        r, c = np.nonzero(units > (self.floor // self.n)[None, :])
        self.cols.append(c)
        self.keys.append(units[r, c] * self.n + (self.n - 1 - rows[r]))
        self.pending += len(c)
        if self.pending > 2 * self.m * (self.depth + 1):
            self._merge()

    def _merge(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import numpy as np

        cols = np.concatenate(self.cols) if self.cols else np.zeros(0, dtype=np.int64)
        keys = np.concatenate(self.keys) if self.keys else np.zeros(0, dtype=np.int64)
        # One plain sort of (mentor, best key first) packed in an int64: keys < 2**32 here.
        packed = np.sort(cols.astype(np.int64) << 32 | (0xFFFFFFFF - keys))
        cols = packed >> 32
        keys = 0xFFFFFFFF - (packed & 0xFFFFFFFF)
        rank = np.arange(len(cols)) - np.searchsorted(cols, np.arange(self.m))[cols]
        kept = rank <= self.depth
        cols, keys, rank = cols[kept], keys[kept], rank[kept]
        self.floor[:] = -1
        last = rank == self.depth
        self.floor[cols[last]] = keys[last]
        self.cols, self.keys, self.pending = [cols], [keys], len(cols)
        return cols, keys, rank

    def result(self, top: int) -> tuple[np.ndarray, ...]:
        """(mentee, mentor, units, in the top ``top``) of every list, and each mentor's
        threshold (units of the best mentee left out; -1 when none was)."""
        import numpy as np

        cols, keys, rank = self._merge()
        listed = rank < self.depth
        threshold = np.full(self.m, -1, dtype=np.int64)
        threshold[cols[~listed]] = keys[~listed] // self.n
        cols, keys, rank = cols[listed], keys[listed], rank[listed]
        mentee = self.n - 1 - keys % self.n
        return mentee, cols.astype(np.int64), keys // self.n, rank < top, threshold


def candidate_edges(
    scorer: BlockScorer,
    open_mask: np.ndarray,
    min_units: int,
    k: int | None,
    progress: Progress | None = None,
) -> Edges:
    """Score every mentee against every mentor, block by block.

    Keeps, among acceptable pairs with an open mentor, each mentee's best ``k`` mentors and
    each mentor's best :data:`PER_MENTOR` mentees (so no mentor is left out because nobody
    ranks them high), or every acceptable pair when ``k`` is None. For the optimality proof
    it also keeps each mentor's best :data:`MENTOR_DEPTH` mentees (checked, not solved) and
    both sides' thresholds, and on programs small enough the whole table of scores (int16).
    """
    import numpy as np

    n, m = scorer.n, scorer.m
    cols = np.arange(m, dtype=np.int64)
    # A mentee's key for a mentor: higher units first, then the lower mentor index.
    tie = (m - 1 - cols)[None, :]
    parts_i, parts_j, parts_u = [], [], []
    threshold = np.full(n, -1, dtype=np.int64)
    threshold_key = np.full(n, -1, dtype=np.int64)
    language_any = np.zeros(n, dtype=bool)
    allowed_any = np.zeros(n, dtype=bool)
    best_allowed = np.full(n, -1, dtype=np.int64)
    acceptable_count = np.zeros(n, dtype=np.int64)
    acceptable_open = np.zeros(n, dtype=np.int64)
    step = scorer.block_rows()
    keep = m if k is None else min(k, m)
    pruning = keep < m
    table = np.full((n, m), -1, dtype=np.int16) if pruning and n * m <= TABLE_CELLS else None
    lists = _MentorLists(n, m, MENTOR_DEPTH) if pruning else None
    for start in range(0, n, step):
        rows = np.arange(start, min(n, start + step))
        units, lang_ok, allowed = scorer.score(rows)
        acceptable = allowed & (units >= min_units)
        language_any[rows] = lang_ok.any(axis=1)
        allowed_any[rows] = allowed.any(axis=1)
        best_allowed[rows] = np.where(allowed, units, -1).max(axis=1, initial=-1)
        acceptable_count[rows] = acceptable.sum(axis=1)
        usable = acceptable & open_mask[None, :]
        acceptable_open[rows] = usable.sum(axis=1)
        wide = np.where(usable, units, -1).astype(np.int64)
        if table is not None:
            table[rows] = wide
        if lists is not None:
            # Keys are distinct within a row (unusable ones negative and distinct too), so
            # "greater than the row's (keep+1)-th largest" is exactly the best ``keep``; a
            # value-only partition is several times faster than argpartition here.
            key = wide * m + tie
            kth = m - keep - 1
            left_out = np.partition(key, kth, axis=1)[:, kth]
            threshold[rows] = np.where(left_out >= 0, left_out // m, -1)
            threshold_key[rows] = np.maximum(left_out, -1)
            r, c = np.nonzero(key > np.maximum(left_out, -1)[:, None])
            lists.offer(rows, wide)
        else:
            r, c = np.nonzero(usable)
        parts_i.append(rows[r])
        parts_j.append(c)
        parts_u.append(wide[r, c])
        if progress is not None:
            progress(int(rows[-1]) + 1, n)
    deep = None
    mentor_threshold = np.full(m, -1, dtype=np.int64)
    if lists is not None:
        di, dj, du, top, mentor_threshold = lists.result(PER_MENTOR)
        parts_i.append(di[top])
        parts_j.append(dj[top])
        parts_u.append(du[top])
        deep = (di, dj, du)
    mentee = np.concatenate(parts_i) if parts_i else np.zeros(0, dtype=np.int64)
    mentor = np.concatenate(parts_j) if parts_j else np.zeros(0, dtype=np.int64)
    units_all = np.concatenate(parts_u) if parts_u else np.zeros(0, dtype=np.int64)
    if pruning and len(mentee):
        _, first = np.unique(mentee * m + mentor, return_index=True)
        mentee, mentor, units_all = mentee[first], mentor[first], units_all[first]
    edges = Edges(
        mentee=mentee.astype(np.int64),
        mentor=mentor.astype(np.int64),
        units=units_all.astype(np.int64),
        threshold=threshold,
        language_any=language_any,
        allowed_any=allowed_any,
        best_allowed=best_allowed,
        acceptable=acceptable_count,
        acceptable_open=acceptable_open,
        pruned=bool((threshold >= 0).any() or (mentor_threshold >= 0).any()),
        table=table,
        mentor_threshold=mentor_threshold,
        deep=deep,
        threshold_key=threshold_key,
    )
    edges.sort()
    return edges
