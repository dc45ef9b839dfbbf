"""Stage 5: display groups. Links are the output; groups only arrange them for reading.

The rule (docs/projections.md): assertions are visited in recorded order; an assertion not yet
in a group becomes the **anchor** of a new group, and every later assertion not yet in a group
that is *directly linked to the anchor* joins it. Nothing joins by a chain (A~B, B~C never puts
C with A unless C~A), and a group's id is its anchor's, so appending sources only adds members
to existing groups or makes new ones: an existing group keeps its id and members.

Analyst decisions: ``link`` bundles the two assertions (they always share a group, whichever
is visited first); ``unlink`` removes the link and splits the group the two were in, by the same
anchor rule applied to that group's members only, so a split never pulls in another group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence


def union_find(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def display_groups(
    order: Sequence[str], links: Iterable[tuple[str, str]], analyst_links: Iterable[tuple[str, str]],
    unlinked: set[frozenset[str]],
) -> list[list[str]]:
    """Groups of ``order`` (recorded order) from accepted links, analyst links and unlinks."""
    position = {x: k for k, x in enumerate(order)}
    adjacency: dict[str, set[str]] = defaultdict(set)
    for a, b in links:
        adjacency[a].add(b)
        adjacency[b].add(a)
    analyst = [(a, b) for a, b in analyst_links if a in position and b in position]
    for a, b in analyst:
        adjacency[a].add(b)
        adjacency[b].add(a)
    bundles = union_find(analyst)
    base = _anchor(order, adjacency, bundles, position)
    if not unlinked:
        return base
    out: list[list[str]] = []
    for group in base:
        inside = set(group)
        if not any(p <= inside for p in unlinked):
            out.append(group)
            continue
        local = {x: {y for y in adjacency.get(x, ()) if y in inside and frozenset((x, y)) not in unlinked} for x in group}
        local_bundles = union_find((a, b) for a, b in analyst if a in inside and b in inside and frozenset((a, b)) not in unlinked)
        sub_order = sorted(group, key=position.__getitem__)
        out.extend(_anchor(sub_order, local, local_bundles, position))
    return out


def _anchor(order, adjacency, bundles, position) -> list[list[str]]:
    members_of: dict[str, list[str]] = defaultdict(list)
    for x in order:
        if x in bundles:
            members_of[bundles[x]].append(x)
    assigned: set[str] = set()
    out: list[list[str]] = []
    for x in order:
        if x in assigned:
            continue
        group = [x]
        assigned.add(x)
        if x in bundles:
            for y in members_of[bundles[x]]:
                if y not in assigned:
                    group.append(y)
                    assigned.add(y)
        for y in sorted(adjacency.get(x, ()), key=lambda y: position.get(y, -1)):
            if y not in assigned and position.get(y, -1) > position[x]:
                group.append(y)
                assigned.add(y)
        out.append(group)
    return out
