"""The documentation in docs/ cannot drift from the code.

- docs/configuration-reference.md is exactly what `ninefold docs config-reference` prints;
- every CLI command and option is in docs/cli.md, every API route in docs/api.md, every
  setting's environment variable in docs/settings.md;
- relative links between the docs point at files that exist;
- the examples run. A fenced block of language `console` is a shell session: lines starting
  with `$ ` are commands, the lines after one are output it must print (`...` stands for any
  text; whitespace and line wrapping are ignored). Each page runs its blocks in order, in a
  fresh directory holding copies of examples/ and docs/, with NINEFOLD_DATA_DIR pointing into
  it. `ninefold ...` commands run in-process; `curl ... http://127.0.0.1:8480/...` commands go
  to the app in-process (a JSON output shown must be a subset of the response: keys left out
  and list items past the last one shown are not checked); `export NAME=value` sets a
  variable (a value with `...` is a placeholder for the reader and is skipped). Nothing else
  may appear in a `console` block: commands that are shown but not run (the README's scripts,
  `serve`) go in `sh` blocks. The token that `ninefold token create` prints becomes `$TOKEN`.
  A block opened as ```` ```console exit=1 ```` expects every command in it to exit 1;
  otherwise each must exit 0.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from rich.console import Console
from typer.testing import CliRunner

from ninefold.app import create_app
from ninefold.cli import COMMANDS, load_command
from ninefold.cli import app as cli_app
from ninefold.config.reference import COMMAND as REFERENCE_COMMAND
from ninefold.config.reference import nested_models
from ninefold.config.reference import render as render_reference
from ninefold.config.sections import SCHEMAS
from ninefold.errors import NinefoldError
from ninefold.settings import Settings

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
BASE_URL = "http://127.0.0.1:8480"
NOT_RUN_HERE = {"serve", "demo"}  # they serve until stopped
TOKEN_LINE = re.compile(r"^nf_[\w-]{20,}$", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")


# --- generated and enumerated docs -----------------------------------------------------


def test_configuration_reference_is_what_the_generator_prints() -> None:
    written = (DOCS / "configuration-reference.md").read_text(encoding="utf-8")
    assert written == render_reference(), (
        f"docs/configuration-reference.md is stale; run "
        f"`{REFERENCE_COMMAND} > docs/configuration-reference.md`"
    )


def test_every_configuration_field_has_a_description() -> None:
    """The reference takes its descriptions from the schemas: an empty one is a hole in it."""
    models = [*SCHEMAS.values(), *nested_models()]
    missing = [
        f"{model.__name__}.{name}"
        for model in models
        for name, info in model.model_fields.items()
        if not info.description
    ]
    assert not missing, f"fields without a description (Field(description=...)): {missing}"


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command of the Click tree Typer builds (Typer vendors Click: duck typing here).
    The domains' top-level commands load only to run (`cli.LazyGroup`): loaded here."""
    yield path, command
    if not hasattr(command, "list_commands"):
        return
    context = command.context_class(command)
    for name in sorted(command.list_commands(context)):
        lazy = not path and name in COMMANDS
        sub = load_command(COMMANDS[name]) if lazy else command.get_command(context, name)
        yield from _commands(sub, (*path, name))


def _sections(markdown: str) -> dict[str, str]:
    """Heading text -> the text under it, up to the next heading (code blocks have none)."""
    sections: dict[str, str] = {"": ""}
    heading, fenced = "", False
    for line in markdown.splitlines():
        fenced ^= line.startswith("```")
        if line.startswith("#") and not fenced:
            heading = line.lstrip("#").strip()
            sections[heading] = ""
        else:
            sections[heading] += line + "\n"
    return sections


def _anchor(heading: str) -> str:
    """The id GitHub gives a heading: `ninefold db upgrade` -> ninefold-db-upgrade."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _word(word: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


OWN_OPTIONS = {"--help", "--install-completion", "--show-completion"}
"""Options Typer gives every command (completion: on a command loaded on its own)."""


def test_every_cli_command_and_option_is_in_cli_md() -> None:
    sections = _sections((DOCS / "cli.md").read_text(encoding="utf-8"))
    missing = []
    for path, command in _commands(typer.main.get_command(cli_app)):
        if hasattr(command, "list_commands") and path:
            continue  # a group is documented by its commands
        title = " ".join(("ninefold", *path))
        section = sections.get(f"`{title}`")
        if section is None:
            missing.append(f"a heading `{title}`")
            continue
        example = rf"^(\$ )?(\w+=\S+ )*{re.escape(title)}\b"
        if path and not re.search(example, section, re.MULTILINE):
            missing.append(f"an example of `{title}`")
        for param in command.params:
            if param.param_type_name == "option":
                names = [o for o in param.opts if o.startswith("--")] or param.opts
                if not set(names) & OWN_OPTIONS and not any(_word(n, section) for n in names):
                    missing.append(f"`{title}` option {names[0]}")
            elif not _word(str(param.name).upper(), section):
                missing.append(f"`{title}` argument {str(param.name).upper()}")
    assert not missing, "docs/cli.md lacks " + ", ".join(missing)


def _routes(tmp_path: Path) -> set[str]:
    app = create_app(Settings(data_dir=tmp_path))
    routes = {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    for route in app.routes:  # the routes left out of the schema: /openapi.json, /docs
        methods = getattr(route, "methods", None) or set()
        routes |= {f"{m} {route.path}" for m in methods if m != "HEAD"}
    return routes


def test_every_api_route_is_in_api_md(tmp_path: Path) -> None:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    missing = sorted(route for route in _routes(tmp_path) if f"`{route}`" not in text)
    assert not missing, f"docs/api.md lacks {missing}"


def test_every_setting_is_in_settings_md() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    prefix = Settings.model_config.get("env_prefix", "")
    missing = [
        f"{prefix}{name.upper()}"
        for name in Settings.model_fields
        if f"`{prefix}{name.upper()}`" not in text
    ]
    assert not missing, f"docs/settings.md lacks {missing}"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_links_between_docs_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if "://" in target or target.startswith("mailto:"):
            continue
        file, _, anchor = target.partition("#")
        linked = page.parent / file if file else page
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md":
            headings = _sections(linked.read_text(encoding="utf-8"))
            if anchor not in {_anchor(h) for h in headings}:
                broken.append(target)
    assert not broken, f"{page.name} has links to missing files or headings: {broken}"


# --- examples that run ------------------------------------------------------------------


@dataclass
class Example:
    page: str
    line: int
    command: str
    expected: list[str] = field(default_factory=list)
    exit_code: int = 0

    def where(self) -> str:
        return f"{self.page}:{self.line}: $ {self.command}"


def examples(page: Path) -> list[Example]:
    found: list[Example] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    exit_code: int | None = None
    for number, line in enumerate(lines, 1):
        if exit_code is None:
            info = line.strip().removeprefix("```")
            if line.strip().startswith("```") and info.split()[:1] == ["console"]:
                exit_code = int(dict(a.split("=", 1) for a in info.split()[1:]).get("exit", 0))
            continue
        if line.strip() == "```":
            exit_code = None
        elif line.startswith("$ "):
            found.append(Example(page.name, number, line[2:], exit_code=exit_code))
        elif found and found[-1].command.endswith("\\"):
            found[-1].command = found[-1].command[:-1] + " " + line.strip()
        elif found and line.strip():
            found[-1].expected.append(line)
    return found


RUNNABLE = [p for p in PAGES if examples(p)]


def _expand(command: str) -> str:
    """$NAME and ${NAME} from the environment, except inside single quotes, as a shell does."""
    parts = re.split(r"('[^']*')", command)
    return "".join(
        part
        if part.startswith("'")
        else re.sub(r"\$\{?(\w+)\}?", lambda m: os.environ.get(m.group(1), ""), part)
        for part in parts
    )


@dataclass
class Session:
    """One page's shell: its environment and, once curl is used, its server."""

    monkeypatch: pytest.MonkeyPatch
    client: TestClient | None = None

    def run(self, example: Example) -> tuple[int, str, Any]:
        argv = shlex.split(_expand(example.command))
        if argv[:1] == ["export"]:
            for assignment in argv[1:]:
                name, _, value = assignment.partition("=")
                if "..." not in value:  # `export TOKEN=nf_...`: the reader fills it in
                    self.monkeypatch.setenv(name, value)
            return 0, "", None
        with pytest.MonkeyPatch.context() as for_this_command:
            while argv and re.fullmatch(r"\w+=.*", argv[0]):
                name, _, value = argv.pop(0).partition("=")
                for_this_command.setenv(name, value)
            if argv[:1] == ["ninefold"]:
                return self.ninefold(example, argv[1:])
            if argv[:1] == ["curl"]:
                return self.curl(example, argv[1:])
        pytest.fail(f"{example.where()}: only ninefold, curl and export run in `console` blocks")

    def ninefold(self, example: Example, args: list[str]) -> tuple[int, str, Any]:
        if args[:1] and args[0] in NOT_RUN_HERE:
            pytest.fail(f"{example.where()}: `{args[0]}` does not return; show it in a sh block")
        target = None
        if ">" in args:
            at = args.index(">")
            args, target = args[:at], args[at + 1]
        if set(args) & {"|", "&&", "||", ";", "<", ">>"}:
            pytest.fail(f"{example.where()}: shell syntax beyond `>` is not supported")
        handlers, level = logging.getLogger().handlers[:], logging.getLogger().level
        try:
            result = CliRunner().invoke(cli_app, args, catch_exceptions=True)
        finally:
            logging.getLogger().handlers[:], logging.getLogger().level = handlers, level
        output, code = ANSI.sub("", result.output), result.exit_code
        if isinstance(result.exception, NinefoldError):  # as `ninefold.cli.main` reports it
            output += f"error: {result.exception.message}\n"
            code = result.exception.exit_code
        elif result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        if target is not None:
            Path(target).write_text(ANSI.sub("", result.stdout), encoding="utf-8")
            output = result.stderr
        tokens = TOKEN_LINE.findall(output)
        if tokens:
            self.monkeypatch.setenv("TOKEN", tokens[-1])
        return code, output, None

    def curl(self, example: Example, args: list[str]) -> tuple[int, str, Any]:
        method, url, body, include = None, None, None, False
        headers: dict[str, str] = {}
        given = iter(args)
        for arg in given:
            if arg in ("-s", "-S", "-sS", "--silent", "--show-error"):
                continue
            if arg in ("-i", "--include"):
                include = True
            elif arg in ("-X", "--request"):
                method = next(given)
            elif arg in ("-H", "--header"):
                key, _, value = next(given).partition(":")
                headers[key.strip()] = value.strip()
            elif arg in ("-d", "--data", "--data-raw"):
                body = next(given)
                headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            elif arg == "--json":
                body = next(given)
                headers.setdefault("Content-Type", "application/json")
                headers.setdefault("Accept", "application/json")
            elif arg.startswith("-") or url is not None:
                pytest.fail(f"{example.where()}: curl option {arg!r} is not supported here")
            else:
                url = arg
        if url is None or not url.startswith(BASE_URL):
            pytest.fail(f"{example.where()}: curl examples call {BASE_URL}")
        if self.client is None:
            self.client = TestClient(create_app(Settings()), base_url=BASE_URL)
        response = self.client.request(
            method or ("POST" if body is not None else "GET"),
            url.removeprefix(BASE_URL),
            headers=headers,
            content=body,
        )
        output = response.text
        if include:
            head = [f"HTTP/1.1 {response.status_code} {HTTPStatus(response.status_code).phrase}"]
            head += [f"{k}: {v}" for k, v in response.headers.items()]
            output = "\n".join(head) + "\n\n" + output
        elif not example.expected and response.status_code >= 400:
            pytest.fail(f"{example.where()}: got {response.status_code}: {response.text}")
        return 0, output, None if include else response


def _normal(text: str) -> str:
    return " ".join(text.split())


def _pattern(expected: str) -> re.Pattern[str]:
    return re.compile(".*?".join(re.escape(part) for part in _normal(expected).split("...")))


def _json_subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and _json_subset(value, actual[key]) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) <= len(actual)
            and all(_json_subset(e, a) for e, a in zip(expected, actual, strict=False))
        )
    if isinstance(expected, str) and "..." in expected and isinstance(actual, str):
        return _pattern(expected).fullmatch(_normal(actual)) is not None
    return bool(expected == actual)


def _check_output(example: Example, output: str, response: Any) -> None:
    expected = "\n".join(example.expected)
    if response is not None and expected:
        try:
            wanted = json.loads(expected)
        except json.JSONDecodeError:
            pass
        else:
            actual = response.json()
            assert _json_subset(wanted, actual), f"{example.where()}: response was {actual}"
            return
    for line in example.expected:
        assert _pattern(line).search(_normal(output)), (
            f"{example.where()}: expected {line.strip()!r} in the output:\n{output}"
        )


@pytest.mark.parametrize("page", RUNNABLE, ids=[p.name for p in RUNNABLE])
def test_console_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("examples", "docs"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in list(os.environ):
        if name.startswith("NINEFOLD_") or name in ("TOKEN", "FORCE_COLOR"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NINEFOLD_DATA_DIR", str(tmp_path / ".ninefold"))
    monkeypatch.setenv("COLUMNS", "200")
    for module in [m for name, m in sys.modules.items() if name.startswith("ninefold")]:
        for console in [v for v in vars(module).values() if isinstance(v, Console)]:
            # A console made while COLUMNS was set (pytest-xdist sets 80) keeps that width.
            monkeypatch.setattr(console, "_width", None)
    monkeypatch.chdir(tmp_path)
    session = Session(monkeypatch)
    for example in examples(page):
        code, output, response = session.run(example)
        assert code == example.exit_code, (
            f"{example.where()}: exit code {code}, expected {example.exit_code}:\n{output}"
        )
        _check_output(example, output, response)
