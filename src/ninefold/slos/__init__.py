"""SLOs and error budgets: specs in several formats -> one model -> Prometheus rules, status,
backtests and the release gate."""

from ninefold.domain import Command, Domain, Folder, NavEntry, Section

DOMAIN = Domain(
    name="slos",
    package=__name__,
    pages=("ninefold.slos.web:router",),
    web_setup="ninefold.slos.web:setup",
    nav=(NavEntry("SLOs", "/slos", order=30),),
    commands=(
        Command("slo", "ninefold.slos.cli:app", "SLOs and error budgets."),
        Command(
            "gate",
            "ninefold.slos.cli.gate:app",
            "Gate a release on error budgets and freezes: exit 0 allow, 1 deny, 2 error.",
        ),
    ),
    tables="ninefold.slos.tables",
    # Read from the configuration directory where they are used (`gate` in CI, the server's
    # SLO pages), like the SLO specs of `slos/`: see docs/architecture.md.
    sections=(
        Section(
            "budget_policies", "ninefold.slos.gate.schemas:BudgetPolicySpec", read_from_files=True
        ),
    ),
    folders=(Folder("slos", "ninefold.slos.spec.loader:read_folder"),),
    checks="ninefold.slos.checks:cross_check",
)
