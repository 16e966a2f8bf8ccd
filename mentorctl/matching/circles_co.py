"""Co-mentors: with ``circles.co_mentors``, a mentor left without a circle may join one as its
second mentor (pure: no I/O).

After the circles are formed (and valued: co-mentors are not part of the objective), each
mentor who leads none of them may join one circle, at most one co-mentor per circle, when
every mentee of the circle is an acceptable pair with them (the hard rules and the minimum
score, as for the circle's own mentor), neither mentor blocked the other, and all members,
both mentors included, still have a common window of at least an hour. Among those, the
co-mentor whose pair scores with the circle's mentees add up highest comes first (then the
earlier circle, then the earlier mentor in the seeded order).
"""

from __future__ import annotations

from collections import defaultdict

from mentorctl.matching.circles import Assignment, Problem, common_window


def co_mentors(problem: Problem, assignment: Assignment) -> dict[int, int]:
    """``{circle (node) index: mentor index of its co-mentor}``."""
    if not problem.settings.co_mentors:
        return {}
    nodes_of: dict[int, list[int]] = defaultdict(list)
    for c, node in enumerate(problem.nodes):
        nodes_of[node.mentor].append(c)
    leading = {problem.nodes[c].mentor for c, members in assignment.items() if members}
    free = [j for j in sorted(nodes_of) if j not in leading]
    options = []
    for c, members in sorted(assignment.items()):
        if not members:
            continue
        lead = problem.mentors[problem.nodes[c].mentor]
        masks = [problem.masks[lead.id], *(problem.masks[problem.mentees[i].id] for i in members)]
        for j in free:
            other = problem.mentors[j]
            node = nodes_of[j][0]
            if frozenset((lead.id, other.id)) in problem.blocked:
                continue
            if any((i, node) not in problem.feasible for i in members):
                continue
            if common_window([*masks, problem.masks[other.id]]) is None:
                continue
            units = sum(problem.feasible[(i, node)] for i in members)
            options.append((-units, c, j))
    chosen: dict[int, int] = {}
    taken: set[int] = set()
    for _, c, j in sorted(options):
        if c not in chosen and j not in taken:
            chosen[c] = j
            taken.add(j)
    return chosen
