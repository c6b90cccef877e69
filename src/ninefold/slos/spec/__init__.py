"""Specs in: the formats Ninefold reads (OpenSLO v1 and v1alpha, Sloth), one loader, the checks of
queries and durations, and the schema of budget policies."""
