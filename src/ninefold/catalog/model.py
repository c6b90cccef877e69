"""The dependency graph of services: pure functions over `{service: [what it needs]}`."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from graphlib import TopologicalSorter

Graph = Mapping[str, Sequence[str]]


def reverse(graph: Graph) -> dict[str, list[str]]:
    """Who needs each service: the edges of `graph` turned around."""
    out: dict[str, list[str]] = {name: [] for name in graph}
    for name, needs in graph.items():
        for dep in needs:
            out.setdefault(dep, []).append(name)
    return {name: sorted(needers) for name, needers in out.items()}


def reachable(graph: Graph, start: str) -> dict[str, int]:
    """Every service reachable from `start`, with its shortest distance in edges.

    Example: with web -> api -> db and web -> db, `reachable(g, "web")` is
    `{"api": 1, "db": 1}`: db is a direct dependency, so its depth is 1, not 2.
    Breadth-first, so each service gets its shortest depth and cycles end the walk.
    """
    depth: dict[str, int] = {}
    queue = deque([(start, 0)])
    while queue:
        name, d = queue.popleft()
        for nxt in graph.get(name, ()):
            if nxt != start and nxt not in depth:
                depth[nxt] = d + 1
                queue.append((nxt, d + 1))
    return depth


def find_cycles(graph: Graph) -> list[list[str]]:
    """One cycle per strongly connected component, as a path that returns to its start.

    Example: with a -> b -> c -> a and d -> d, returns `[["a", "b", "c", "a"], ["d", "d"]]`.
    Each cycle starts at its alphabetically first member, so the output is deterministic.
    """
    cycles = []
    for component in _strongly_connected(graph):
        members = set(component)
        start = min(component)
        if len(component) == 1 and start not in graph.get(start, ()):
            continue
        cycles.append(_walk_cycle(graph, start, members))
    return sorted(cycles)


def topological_order(graph: Graph) -> list[str]:
    """Dependencies before dependents; the graph must have no cycle."""
    sorter = TopologicalSorter({name: sorted(needs) for name, needs in graph.items()})
    return list(sorter.static_order())


def _walk_cycle(graph: Graph, start: str, members: set[str]) -> list[str]:
    """Shortest path from `start` back to itself inside one component."""
    parents: dict[str, str] = {}
    queue = deque([start])
    while queue:
        name = queue.popleft()
        for nxt in sorted(graph.get(name, ())):
            if nxt not in members:
                continue
            if nxt == start:
                path = [name]
                while path[-1] != start:
                    path.append(parents[path[-1]])
                return [*reversed(path), start]
            if nxt not in parents:
                parents[nxt] = name
                queue.append(nxt)
    return [start, start]


def _strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's algorithm, iterative so that long chains do not hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components
