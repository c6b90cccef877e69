"""Backtests: the alerting policies replayed over a history of counts, scored against incidents."""
