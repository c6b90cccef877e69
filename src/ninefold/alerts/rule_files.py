"""The configuration directory's `rules/` folder: the Prometheus rule files of alerts that are
not generated from SLOs, kept where Ninefold can see their names and their `runbook_url`
annotations (the runbooks domain checks both). Read with line numbers; only the shape
Prometheus loads (`groups:` of `rules:`) is accepted, and `promtool check rules` stays the
judge of the expressions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ninefold.declared import Bundle
from ninefold.sourcefile import Problem, display_path, parse_yaml, read_source


@dataclass(frozen=True)
class AlertRule:
    name: str
    file: str
    line: int
    runbook_url: str | None
    runbook_url_line: int


def read_folder(folder: Path, bundle: Bundle) -> list[AlertRule]:
    found: list[AlertRule] = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in {".yaml", ".yml"}):
        if path.is_file():
            found += read_file(path, folder, bundle.problems)
    return found


def read_file(path: Path, root: Path, problems: list[Problem]) -> list[AlertRule]:
    name = display_path(path)
    text = read_source(path, name, root)
    if isinstance(text, Problem):
        problems.append(text)
        return []
    node, problem = parse_yaml(text, name)
    if problem is not None:
        problems.append(problem)
        return []
    groups = node.get("groups") if isinstance(node, CommentedMap) else None
    if not isinstance(groups, CommentedSeq):
        problems.append(Problem(name, 1, "groups", "a rule file holds groups: [{name, rules}]"))
        return []
    found = []
    for g, group in enumerate(groups):
        rules = group.get("rules") if isinstance(group, CommentedMap) else None
        if not isinstance(rules, CommentedSeq):
            line = groups.lc.item(g)[0] + 1
            problems.append(Problem(name, line, f"groups[{g}].rules", "must be a list of rules"))
            continue
        for r, rule in enumerate(rules):
            if isinstance(rule, CommentedMap) and isinstance(rule.get("alert"), str):
                found.append(_alert(rule, name, rules.lc.item(r)[0] + 1))
    return found


def _alert(rule: CommentedMap, file: str, line: int) -> AlertRule:
    annotations = rule.get("annotations")
    url, url_line = None, line
    if isinstance(annotations, CommentedMap) and "runbook_url" in annotations:
        url = str(annotations["runbook_url"] or "")
        url_line = annotations.lc.key("runbook_url")[0] + 1
    return AlertRule(str(rule["alert"]), file, line, url, url_line)
