"""Runbooks: Markdown files with front matter in the configuration directory, checked, kept
in the database by `ninefold apply`, shown next to the alerts they cover, and tested."""

from ninefold.domain import Command, Domain, Folder, NavEntry

DOMAIN = Domain(
    name="runbooks",
    package=__name__,
    api=("ninefold.runbooks.api:router",),
    pages=("ninefold.runbooks.web:router",),
    web_setup="ninefold.runbooks.web:setup",
    nav=(NavEntry("Runbooks", "/runbooks", order=44),),
    commands=(
        Command(
            "runbook",
            "ninefold.runbooks.cli:app",
            "Runbooks: list, show, record a test, coverage of the paging alerts.",
        ),
    ),
    tables="ninefold.runbooks.tables",
    folders=(
        Folder(
            "runbooks",
            "ninefold.runbooks.folder:read_folder",
            "ninefold.runbooks.sections:RUNBOOKS",
        ),
    ),
)
