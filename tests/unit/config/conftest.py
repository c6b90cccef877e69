from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The config directory, also the working directory, so problems name files as `x.yaml`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
