"""Where the shared real-data sets are: `../shared/datasets/` beside the repository (or above
a clone made deeper), or `NINEFOLD_DATASETS`. They are read from there, never copied here."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dataset(name: str) -> Path:
    """The folder of a shared dataset; a missing one fails the test that needs it, saying
    where it was looked for."""
    given = os.environ.get("NINEFOLD_DATASETS")
    places = [Path(given)] if given else [p / "shared" / "datasets" for p in ROOT.parents]
    for place in places:
        if (place / name).is_dir():
            return place / name
    looked = ", ".join(str(p) for p in places[:3])
    raise FileNotFoundError(f"dataset {name!r} not found in {looked} (set NINEFOLD_DATASETS)")
