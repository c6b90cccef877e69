"""The `ninefold` command run in-process, as `python -m ninefold` runs it, for a fraction of the
cost of a new interpreter (importing Ninefold takes about a second).

`ninefold.cli.main` itself is called, with `sys.argv`, the environment, the working directory and
the standard streams set up as for a process: the exit code, stdout and stderr come back as
`subprocess.run` gives them, domain errors included (`main` turns them into `error: ...` and an
exit code). Tests that prove the entry point itself keep running `python -m ninefold` for real.

The command reads `now` from `clock`, the system's unless a test hands it its own
(tests/support/clock.py): a test that sets or compares times passes its clock.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from ninefold.cli import main
from ninefold.clock import Clock, system_clock

# Loggers whose level `ninefold.observability.configure_logging` sets; restored after each run.
_TUNED_LOGGERS = ("alembic", "httpx")


@dataclass(frozen=True)
class Completed:
    """What `subprocess.run(..., capture_output=True, text=True)` gives, for the same argv."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def ninefold(
    *args: str | Path,
    env: Mapping[str, str | None] | None = None,
    cwd: Path | None = None,
    clock: Clock = system_clock,
) -> Completed:
    """Run `ninefold ARGS` in this process. `env` holds changes to the environment (None
    unsets a variable), as `{**os.environ, **env}` would for a child process."""
    argv = [str(a) for a in args]
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in _TUNED_LOGGERS}
    old_argv, old_cwd = sys.argv, Path.cwd()
    code: int | str | None = 0
    with CliRunner().isolation(env=env) as (stdout, stderr, _):
        sys.argv = ["ninefold", *argv]
        if cwd is not None:
            os.chdir(cwd)
        try:
            main(clock)
        except SystemExit as exit_:
            code = exit_.code
        finally:
            sys.argv = old_argv
            os.chdir(old_cwd)
            sys.stdout.flush()
            sys.stderr.flush()
            # The command sends its logs to the stderr above, closed once this block ends.
            root.handlers[:], root.level = handlers, level
            for name, value in levels.items():
                logging.getLogger(name).setLevel(value)
        out, err = stdout.getvalue().decode(), stderr.getvalue().decode()
    if isinstance(code, str):  # sys.exit("message"): printed on stderr, exit status 1
        err, code = err + code + "\n", 1
    return Completed(argv, 0 if code is None else code, out, err)
