"""Runtime settings, read from NINEFOLD_* environment variables.

Built by the entry point (CLI or test), never at import time, so that tests and several
servers in one process can each carry their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting Ninefold reads; each one is documented in docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="NINEFOLD_", extra="ignore")

    data_dir: Path = Field(
        default=Path(".ninefold"),
        description="Directory for the SQLite database and other local state.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database. Unset: SQLite file `ninefold.db` in the data "
            "directory. PostgreSQL: `postgresql+psycopg://user@host:5432/dbname`."
        ),
    )
    config_dir: Path = Field(
        default=Path("ninefold"),
        description="Configuration directory read by `check` and `apply` when none is given.",
    )
    host: str = Field(default="127.0.0.1", description="Address `serve` listens on.")
    port: int = Field(default=8480, description="Port `serve` listens on.")
    max_body_bytes: int = Field(
        default=1_048_576,
        description="Largest request body accepted, in bytes; larger bodies get 413.",
    )
    max_change_body_bytes: int = Field(
        default=8 * 1_048_576,
        description="Largest body `POST /api/v1/changes` accepts: a change may carry 10,000 "
        "commits.",
    )
    session_hours: int = Field(default=12, description="Lifetime of a web login session.")
    cookie_secure: bool = Field(
        default=False,
        description="Mark the session cookie Secure; turn on behind HTTPS.",
    )
    login_max_failures: int = Field(
        default=5,
        description="Failed logins per user name and client address before logins are refused.",
    )
    login_window_minutes: int = Field(
        default=15,
        description="Window over which failed logins are counted.",
    )
    prometheus_url: str = Field(
        default="http://127.0.0.1:9090",
        description="Prometheus that `slo status` queries when given no --prometheus.",
    )
    slo_source: Literal["prometheus", "sample"] = Field(
        default="prometheus",
        description="Where the SLO pages read SLI counts: `prometheus` (`prometheus_url`), or "
        "`sample`, made-up history for trying Ninefold out (`ninefold demo` sets it).",
    )
    run_worker: bool = Field(
        default=True,
        description="`serve` starts worker processes beside itself for the background jobs "
        "(escalations, notifications); turn off when separate `ninefold worker` processes run "
        "them.",
    )
    worker_processes: int = Field(
        default=2,
        ge=1,
        le=64,
        description="How many worker processes `serve` starts when `run_worker` is on.",
    )
    public_url: str = Field(
        default="",
        description="Address people reach this server at, for the links in notifications "
        "(e.g. https://ninefold.example.com); empty means http://HOST:PORT.",
    )
    smtp_host: str = Field(default="", description="SMTP server for email notifications.")
    smtp_port: int = Field(default=25, description="Port of the SMTP server.")
    smtp_sender: str = Field(
        default="ninefold@localhost", description="From address of notification emails."
    )
    smtp_username: str | None = Field(default=None, description="SMTP login, if it needs one.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection to TLS.")
    log_format: Literal["text", "json"] = Field(default="text", description="Log line format.")

    def resolved_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ninefold.db').resolve()}"
