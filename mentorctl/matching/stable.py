"""Stable and greedy matching: deferred acceptance over lists that grow on demand, and the
greedy pass (the baseline).

Mentees and mentors are indices in their seeded order, so "the lower index wins" is the
tie-break; scores are integer units.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mentorctl.matching.score import UNITS, Profile

if TYPE_CHECKING:
    import numpy as np

    from mentorctl.matching.candidates import Edges


CLOSED = 2**62  # the floor of a mentor without slots: nobody gets in
More = Callable[[list[int], list[int]], dict[int, tuple[list[int], list[int], bool]]]
# Mentors added to a list that ran out, at most, before it may run out again.
GROW_BY = 64


def solve_stable(
    mentors: list[list[int]],
    units: list[list[int]],
    remaining: list[int],
    n: int,
    more: More | None = None,
    incomplete: set[int] | None = None,
) -> list[int]:
    """Mentee-proposing deferred acceptance with mentor capacities (hospitals/residents).

    ``mentors[i]`` lists mentee i's acceptable mentors best first, ``units[i]`` the scores
    of those pairs. A mentor prefers higher units, then the lower mentee index. Returns each
    mentee's mentor or -1: the mentee-optimal stable matching, whatever the proposal order.

    Lists may be cut (the best candidates only): mentees in ``incomplete`` who run out are
    gathered, and ``more(mentees, floors)`` gives the next part of their lists, best first,
    but only the mentors who would accept them now (``floors[j]``: the key a proposal to j
    must beat, -1 while j has a free slot), and whether that was the end of the list. Floors
    only rise, so a mentor who would refuse now refuses for good, and the result is exactly
    that of the full lists.
    """
    mate = [-1] * n
    nxt = [0] * n
    held: list[list[tuple[int, int]]] = [[] for _ in remaining]
    # The key a proposal must beat: -1 while a mentor has a free slot, then its worst held.
    floor = [-1 if cap > 0 else CLOSED for cap in remaining]
    free = [i for i in range(n - 1, -1, -1) if mentors[i] or (incomplete and i in incomplete)]
    waiting = set(incomplete or ())
    push, replace = heapq.heappush, heapq.heapreplace
    while True:
        ran_out: list[int] = []
        while free:
            i = free.pop()
            js, us = mentors[i], units[i]
            k, end, low = nxt[i], len(js), n - 1 - i
            while k < end:
                j = js[k]
                key = us[k] * n + low
                k += 1
                if key <= floor[j]:
                    continue
                heap = held[j]
                mate[i] = j
                if len(heap) < remaining[j]:
                    push(heap, (key, i))
                    if len(heap) == remaining[j]:
                        floor[j] = heap[0][0]
                else:
                    loser = replace(heap, (key, i))[1]
                    floor[j] = heap[0][0]
                    mate[loser] = -1
                    free.append(loser)
                break
            nxt[i] = k
            if mate[i] < 0 and i in waiting:
                ran_out.append(i)
        if not ran_out or more is None:
            return mate
        extra = more(sorted(ran_out), floor)
        for i in ran_out:
            js, us, finished = extra.get(i, ([], [], True))
            if finished:
                waiting.discard(i)
            mentors[i] = mentors[i] + js
            units[i] = units[i] + us
            free.append(i)


def preference_lists(edges: Edges, n: int) -> tuple[list[list[int]], list[list[int]]]:
    """Per mentee, the candidate mentors best first and their units (edges are sorted so)."""
    import numpy as np

    bounds = np.searchsorted(edges.mentee, np.arange(n + 1)).tolist()
    js = edges.mentor.tolist()
    us = edges.units.tolist()
    return (
        [js[bounds[i] : bounds[i + 1]] for i in range(n)],
        [us[bounds[i] : bounds[i + 1]] for i in range(n)],
    )


def solve_greedy(edges: Edges, remaining: np.ndarray, n: int) -> np.ndarray:
    """Best pair first (units, then lower mentee, then lower mentor), if both still free."""
    import numpy as np

    m = int(edges.mentor.max()) + 1 if len(edges.mentor) else 1
    order = np.argsort(((UNITS - edges.units) * n + edges.mentee) * m + edges.mentor)
    left = remaining.astype(np.int64).tolist()
    mate = [-1] * n
    for i, j in zip(edges.mentee[order].tolist(), edges.mentor[order].tolist(), strict=True):
        if mate[i] < 0 and left[j] > 0:
            mate[i] = j
            left[j] -= 1
    return np.array(mate, dtype=np.int64)


def run_simple(
    method: str,
    edges: Any,
    remaining: Any,
    n: int,
    scorer: Any,
    open_mask: Any,
    min_units: int,
    ranked_choices: Mapping[str, Sequence[str]] | None,
    mentees: Sequence[Profile],
    mentor_at: dict[str, int],
) -> Any:
    """The stable or greedy assignment: each mentee's mentor index, or -1.

    On pruned programs both run as deferred acceptance over each mentee's best candidates,
    reaching further (scoring that mentee again) only when the list runs out: the result is
    that of the full lists. Greedy is then computed the same way: with one score per pair
    and one tie rule on both sides, the stable matching is unique and is the greedy one.
    """
    import numpy as np

    pruned = edges.threshold_key is not None and bool((edges.threshold_key >= 0).any())
    if method == "greedy" and not pruned:
        return solve_greedy(edges, remaining, n)
    m = len(open_mask)
    incomplete: set[int] = set()
    if pruned:
        # Keep each mentee's list a true prefix of its preferences: the candidates above
        # its threshold (the mentors' own lists may add lower ones out of order).
        key = edges.units * m + (m - 1 - edges.mentor)
        limit = edges.threshold_key[edges.mentee]
        edges = dataclasses.replace(
            edges,
            mentee=edges.mentee[key > limit],
            mentor=edges.mentor[key > limit],
            units=edges.units[key > limit],
        )
        incomplete = set(np.nonzero(edges.threshold_key >= 0)[0].tolist())
    js, us = preference_lists(edges, n)
    if method == "stable":
        for i, p in enumerate(mentees):
            chosen = (ranked_choices or {}).get(p.id)
            if not chosen:
                continue
            units, _, allowed = scorer.score(np.array([i]))
            first: list[int] = []
            for mentor_id in chosen:
                j = mentor_at.get(str(mentor_id))
                ok = j is not None and allowed[0, j] and units[0, j] >= min_units and open_mask[j]
                if ok and j not in first:
                    first.append(j)
            rest = [(j, u) for j, u in zip(js[i], us[i], strict=True) if j not in first]
            js[i] = first + [j for j, _ in rest]
            us[i] = [int(units[0, j]) for j in first] + [u for _, u in rest]

    # Each cut list's limit: the highest key (units * m + m - 1 - mentor) not yet listed.
    limit = edges.threshold_key.copy() if pruned else None

    def more(rows: list[int], floors: list[int]) -> dict[int, tuple[list[int], list[int], bool]]:
        floor = np.array(floors, dtype=np.int64)
        out: dict[int, tuple[list[int], list[int], bool]] = {}
        cols = np.arange(m, dtype=np.int64)
        step = scorer.block_rows()
        for start in range(0, len(rows), step):
            block = np.array(rows[start : start + step])
            units, _, allowed = scorer.score(block)
            wide = units.astype(np.int64)
            mine = wide * m + (m - 1 - cols)[None, :]
            theirs = wide * n + (n - 1 - block)[:, None]
            ok = allowed & (units >= min_units) & open_mask[None, :]
            ok &= (mine <= limit[block][:, None]) & (theirs > floor[None, :])
            for r, i in enumerate(block.tolist()):
                found = np.nonzero(ok[r])[0]
                found = found[np.argsort(-mine[r, found])]
                listed = set(js[i])
                picked = [j for j in found.tolist() if j not in listed]
                finished = len(picked) <= GROW_BY
                picked = picked[:GROW_BY]
                if not finished:
                    limit[i] = mine[r, picked[-1]] - 1
                out[i] = (picked, [int(units[r, j]) for j in picked], finished)
        return out

    mate = solve_stable(js, us, remaining.tolist(), n, more if incomplete else None, incomplete)
    return np.array(mate, dtype=np.int64)
