"""The container image's health check and the compose file's order of things."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import Served

ROOT = Path(__file__).parent.parent


def healthcheck_command() -> list[str]:
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert found, "the Dockerfile has no HEALTHCHECK in exec form"
    return list(json.loads(found.group(1)))


def test_the_image_health_check_passes_on_a_healthy_app(app: Served) -> None:
    command = healthcheck_command()
    assert command[0] == "python"  # the slim image has no curl
    port = app.url.rsplit(":", 1)[1]

    healthy = subprocess.run(
        [sys.executable, *command[1:]], env={**os.environ, "PORT": port}, timeout=30
    )
    app.runtime.stop()
    stopped = subprocess.run(
        [sys.executable, *command[1:]],
        env={**os.environ, "PORT": port},
        capture_output=True,
        timeout=30,
    )

    assert healthy.returncode == 0
    assert stopped.returncode != 0


def test_compose_migrates_before_the_app_starts() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["app"]["command"] == ["run"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    url = services["app"]["environment"]["DATABASE_URL"]
    assert url == services["migrate"]["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql://") and "@db:5432/" in url
