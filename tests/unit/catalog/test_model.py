"""The dependency graph: reverse, reachable, find_cycles and topological_order.

Graphs map a service to what it needs: `{"web": ["api"]}` reads "web depends on api".
"""

from __future__ import annotations

from graphlib import CycleError
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ninefold.catalog.model import find_cycles, reachable, reverse, topological_order

Graph = dict[str, list[str]]

SHOP: Graph = {
    "web": ["gateway"],
    "gateway": ["cart", "checkout"],
    "cart": ["redis", "inventory"],
    "checkout": ["cart", "payments", "inventory", "postgres"],
    "payments": ["postgres"],
    "inventory": ["postgres"],
    "redis": [],
    "postgres": [],
}


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        pytest.param({}, {}, id="an empty graph has no edges to turn around"),
        pytest.param(
            {"web": ["api"], "api": ["db"], "db": []},
            {"web": [], "api": ["web"], "db": ["api"]},
            id="a chain turns around",
        ),
        pytest.param(
            {"web": ["db"], "api": ["db"]},
            {"web": [], "api": [], "db": ["api", "web"]},
            id="a service only depended on appears, its dependents sorted",
        ),
        pytest.param({"a": ["a"]}, {"a": ["a"]}, id="a self-dependency stays a self-dependency"),
    ],
)
def test_reverse(graph: Graph, expected: Graph) -> None:
    assert reverse(graph) == expected


@pytest.mark.parametrize(
    ("graph", "start", "expected"),
    [
        pytest.param(
            {"web": ["api"], "api": ["db"]},
            "web",
            {"api": 1, "db": 2},
            id="a chain counts one edge per step",
        ),
        pytest.param(
            {"web": ["api", "db"], "api": ["db"]},
            "web",
            {"api": 1, "db": 1},
            id="a direct dependency keeps depth 1 when also reachable further away",
        ),
        pytest.param(
            {"a": ["b"], "b": ["c"], "c": ["a"]},
            "a",
            {"b": 1, "c": 2},
            id="a cycle back to the start ends the walk without listing the start",
        ),
        pytest.param({"a": ["a"]}, "a", {}, id="a self-dependency reaches nothing else"),
        pytest.param({"web": ["api"]}, "db", {}, id="an unknown service reaches nothing"),
        pytest.param({"web": ["api"]}, "api", {}, id="a leaf reaches nothing"),
        pytest.param(
            SHOP,
            "cart",
            {"redis": 1, "inventory": 1, "postgres": 2},
            id="the shop: what the cart needs",
        ),
        pytest.param(
            reverse(SHOP),
            "cart",
            {"gateway": 1, "checkout": 1, "web": 2},
            id="the shop: what needs the cart (its blast radius)",
        ),
    ],
)
def test_reachable(graph: Graph, start: str, expected: dict[str, int]) -> None:
    assert reachable(graph, start) == expected


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        pytest.param({}, [], id="an empty graph has no cycle"),
        pytest.param(SHOP, [], id="the shop has no cycle"),
        pytest.param(
            {"a": ["b"], "b": ["c"], "c": ["a"]},
            [["a", "b", "c", "a"]],
            id="a triangle is one cycle",
        ),
        pytest.param(
            {"c": ["a"], "b": ["c"], "a": ["b"]},
            [["a", "b", "c", "a"]],
            id="a cycle starts at its alphabetically first member",
        ),
        pytest.param({"d": ["d"]}, [["d", "d"]], id="a self-dependency is a cycle"),
        pytest.param(
            {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["d"], "e": ["a"]},
            [["a", "b", "c", "a"], ["d", "d"]],
            id="one cycle per component, a tail leading into one is not a cycle",
        ),
        pytest.param(
            {"a": ["b", "x"], "b": ["c"], "c": ["a"], "x": ["y"], "y": ["a"]},
            [["a", "b", "c", "a"]],
            id="two loops through one service are one component, reported once",
        ),
        pytest.param(
            {"a": ["b", "z"], "b": ["c"], "c": ["d"], "d": ["a"], "z": ["a"]},
            [["a", "z", "a"]],
            id="the shortest way round the component is reported",
        ),
        pytest.param(
            {"a": ["b"], "b": ["a", "ghost"]},
            [["a", "b", "a"]],
            id="a dependency missing from the keys is a leaf",
        ),
    ],
)
def test_find_cycles(graph: Graph, expected: list[list[str]]) -> None:
    assert find_cycles(graph) == expected


def test_find_cycles_handles_long_chains_without_recursion() -> None:
    size = 20_000
    graph = {f"s{i:05d}": [f"s{i + 1:05d}"] for i in range(size)}
    assert find_cycles(graph) == []
    graph[f"s{size:05d}"] = ["s00000"]
    (cycle,) = find_cycles(graph)
    assert len(cycle) == size + 2
    assert cycle[0] == cycle[-1] == "s00000"


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        pytest.param({}, [], id="an empty graph has an empty order"),
        pytest.param(
            {"web": ["api"], "api": ["db"], "db": []},
            ["db", "api", "web"],
            id="a chain comes out dependency first",
        ),
        pytest.param(
            {"web": ["api"], "api": ["db"]},
            ["db", "api", "web"],
            id="a dependency missing from the keys is still ordered",
        ),
    ],
)
def test_topological_order(graph: Graph, expected: list[str]) -> None:
    assert topological_order(graph) == expected


def test_topological_order_of_the_shop_puts_needs_first() -> None:
    order = topological_order(SHOP)
    assert sorted(order) == sorted(SHOP)
    assert_dependencies_first(SHOP, order)


def test_topological_order_refuses_a_cycle() -> None:
    with pytest.raises(CycleError):
        topological_order({"a": ["b"], "b": ["a"]})


# --- properties -------------------------------------------------------------------------

NAMES = [f"svc{i}" for i in range(12)]


@st.composite
def dags(draw: st.DrawFn) -> Graph:
    """A random DAG: each service depends only on services before it in a shuffled order."""
    names = draw(st.permutations(NAMES))[: draw(st.integers(1, len(NAMES)))]
    graph: Graph = {}
    for index, name in enumerate(names):
        earlier = names[:index]
        graph[name] = draw(st.lists(st.sampled_from(earlier), unique=True)) if earlier else []
    return graph


@st.composite
def digraphs(draw: st.DrawFn) -> Graph:
    """Any graph, cycles and self-dependencies included."""
    names = NAMES[: draw(st.integers(1, len(NAMES)))]
    return {name: draw(st.lists(st.sampled_from(names), unique=True)) for name in names}


def assert_dependencies_first(graph: Graph, order: list[str]) -> None:
    position = {name: index for index, name in enumerate(order)}
    for name, needs in graph.items():
        for dep in needs:
            assert position[dep] < position[name], f"{dep} must come before {name}"


def shortest_distances(graph: Graph, start: str) -> dict[str, int]:
    """Reference: Bellman-Ford style relaxation, independent of the BFS under test."""
    nodes = set(graph) | {d for needs in graph.values() for d in needs}
    dist = {start: 0}
    for _ in range(len(nodes)):
        for name, needs in graph.items():
            if name in dist:
                for dep in needs:
                    if dep not in dist or dist[name] + 1 < dist[dep]:
                        dist[dep] = dist[name] + 1
    return {name: d for name, d in dist.items() if name != start}


def closure(graph: Graph) -> dict[str, set[str]]:
    """Reference: who reaches whom in one or more steps."""
    reach = {name: set(needs) for name, needs in graph.items()}
    changed = True
    while changed:
        changed = False
        for reached in reach.values():
            extra = set().union(*(reach.get(d, set()) for d in reached)) - reached
            if extra:
                reached.update(extra)
                changed = True
    return reach


@given(dags())
def test_a_dag_has_no_cycle_and_orders_dependencies_first(graph: Graph) -> None:
    assert find_cycles(graph) == []
    order = topological_order(graph)
    assert sorted(order) == sorted(graph)
    assert_dependencies_first(graph, order)


@given(dags(), st.data())
def test_a_back_edge_makes_a_reported_cycle(graph: Graph, data: st.DataObject) -> None:
    with_deps = sorted(name for name, needs in graph.items() if needs)
    if not with_deps:
        graph = {"a": ["b"], "b": []}
        with_deps = ["a"]
    dependent = data.draw(st.sampled_from(with_deps))
    dependency = data.draw(st.sampled_from(sorted(reachable(graph, dependent))))
    cyclic = {**graph, dependency: [*graph[dependency], dependent]}

    cycles = find_cycles(cyclic)
    assert len(cycles) == 1
    (cycle,) = cycles
    assert {dependent, dependency} <= set(cycle)
    assert_is_a_cycle_of(cyclic, cycle)
    with pytest.raises(CycleError):
        topological_order(cyclic)


@given(digraphs())
def test_every_reported_cycle_is_real_and_each_component_is_reported_once(
    graph: Graph,
) -> None:
    reach = closure(graph)
    on_a_cycle = {name for name in graph if name in reach[name]}
    cycles = find_cycles(graph)
    for cycle in cycles:
        assert_is_a_cycle_of(graph, cycle)
    reported = [set(cycle) for cycle in cycles]
    # Two cycles never share a service: each comes from its own strongly connected component.
    assert sum(len(members) for members in reported) == len(set().union(*reported))
    components = {
        frozenset(other for other in on_a_cycle if other in reach[name] and name in reach[other])
        for name in on_a_cycle
    }
    assert len(cycles) == len(components)
    for cycle, members in zip(cycles, reported, strict=True):
        component = next(c for c in components if members <= c)
        assert cycle[0] == min(component)
    assert cycles == sorted(cycles)


@given(digraphs(), st.data())
def test_reachable_depth_is_the_shortest_path(graph: Graph, data: st.DataObject) -> None:
    start = data.draw(st.sampled_from(sorted(graph)))
    assert reachable(graph, start) == shortest_distances(graph, start)


@given(digraphs())
def test_reverse_turns_every_edge_around(graph: Graph) -> None:
    turned = reverse(graph)
    edges = {(name, dep) for name, needs in graph.items() for dep in needs}
    assert {(dep, name) for name, needers in turned.items() for dep in needers} == edges
    assert reverse(turned) == {name: sorted(needs) for name, needs in graph.items()}


def assert_is_a_cycle_of(graph: Graph, cycle: list[str]) -> None:
    assert len(cycle) >= 2
    assert cycle[0] == cycle[-1]
    assert len(set(cycle[:-1])) == len(cycle) - 1, "a cycle visits each service once"
    for name, nxt in pairwise(cycle):
        assert nxt in graph[name], f"{name} -> {nxt} is not an edge"
