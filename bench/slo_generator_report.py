"""Runs inside slo-generator's own virtual environment (bench/.venv-slo-generator), never in
Ninefold's: computes the SLO report through slo-generator's Python API and prints the report
of each error budget policy step as JSON.

Usage: bench/.venv-slo-generator/bin/python bench/slo_generator_report.py SLO CONFIG TIMESTAMP
"""

from __future__ import annotations

import json
import sys

from slo_generator.compute import compute
from slo_generator.utils import load_config


def main() -> None:
    slo_path, config_path, timestamp = sys.argv[1:]
    slo = load_config(slo_path, kind="ServiceLevelObjective")
    config = load_config(config_path)
    reports = compute(slo, config, timestamp=float(timestamp))
    json.dump(reports, sys.stdout, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
