"""What a CI job's environment says about the change it records: the run's id (so a retried
job records one change), its address, and who started it. Pure: it reads the mapping it is
given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class CiRun:
    external_id: str | None = None
    url: str = ""
    author: str = ""


def ci_run(env: Mapping[str, str], service: str, environment: str) -> CiRun:
    """GitHub Actions and GitLab CI; elsewhere nothing (pass --external-id yourself).

    The id names the run, not the attempt: re-running a job records nothing new. It names the
    service and environment too, so one job may record several."""
    suffix = f"{service}:{environment}"
    if env.get("GITHUB_ACTIONS") == "true" and env.get("GITHUB_RUN_ID"):
        repo = env.get("GITHUB_REPOSITORY", "")
        run = env["GITHUB_RUN_ID"]
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        return CiRun(
            external_id=f"github:{repo}:run:{run}:{env.get('GITHUB_JOB', '')}:{suffix}",
            url=f"{server}/{repo}/actions/runs/{run}" if repo else "",
            author=env.get("GITHUB_ACTOR", ""),
        )
    if env.get("GITLAB_CI") == "true" and env.get("CI_PIPELINE_ID"):
        project = env.get("CI_PROJECT_PATH", "")
        pipeline = env["CI_PIPELINE_ID"]
        return CiRun(
            external_id=f"gitlab:{project}:pipeline:{pipeline}:{env.get('CI_JOB_NAME', '')}:"
            f"{suffix}",
            url=env.get("CI_PIPELINE_URL", ""),
            author=env.get("GITLAB_USER_LOGIN", ""),
        )
    return CiRun()
