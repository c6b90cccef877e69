"""Where counts come from: Prometheus, event files (DuckDB), sample history; and the status
report of SLOs from a source."""
