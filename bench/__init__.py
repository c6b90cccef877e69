"""Benchmarks of the SLO engine; run them all with `scripts/bench` (see docs/benchmarks.md)."""
