"""The checks across objects of the `resources:` section: the service each names, the file
it reads (relative to the configuration directory), the PromQL of its query."""

from __future__ import annotations

import promql_parser

from ninefold.declared import Bundle, at, dangling_one
from ninefold.sourcefile import Problem


def cross_check(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    problems: list[Problem] = []
    for item in bundle.items["resources"]:
        spec = item.spec
        problems += dangling_one(item, "service", spec.service, known["services"], "service")
        if spec.file is not None and bundle.root is not None:
            path = bundle.root / spec.file
            if not path.is_file():
                problems.append(at(item, ("file",), f"no file {spec.file} in {bundle.root}"))
        if spec.query is not None:
            try:
                promql_parser.parse(spec.query)
            except ValueError as exc:
                problems.append(at(item, ("query",), f"not PromQL: {exc}"))
    return problems
