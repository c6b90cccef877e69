"""SLOs and error budgets: specs in several formats -> one model -> Prometheus rules."""
