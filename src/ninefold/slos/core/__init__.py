"""The pure model of SLOs: specs in one shape, windows, error budgets and burn rates, status,
burn-down, alert policies and the release gate. No database, no network, no clock, no CLI."""
