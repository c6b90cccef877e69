"""The durable job queue and the worker that runs every domain's background jobs."""

from ninefold.domain import Command, Domain

DOMAIN = Domain(
    name="worker",
    package=__name__,
    commands=(
        Command(
            "worker",
            "ninefold.worker.cli:app",
            "Run due jobs until stopped (SIGTERM or Ctrl-C); `serve` also runs one in-process.",
        ),
        Command(
            "self-rules",
            "ninefold.worker.self_rules_cli:app",
            "Prometheus alert rules for Ninefold itself: down, no worker, pages late or failing.",
        ),
    ),
    tables="ninefold.worker.tables",
    collector="ninefold.worker.metrics:collector",
)
