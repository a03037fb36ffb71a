"""The app's first minute as an operator meets it: Slack, the database and the port checked
at start, each problem one line and its own exit code, and /healthz telling what it knows."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ADMIN, MARKETING, MKT_CHANNEL, Served, serve, settings_for, wait_until
from fake_slack import FakeSlack
from test_settings_cli import clean_env

from storage.models import Update


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env(tmp_path: Path, api_url: str, **extra: str) -> dict[str, str]:
    values = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": api_url,
        "SLACK_API_TIMEOUT": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bridge.db'}",
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
    }
    return clean_env(**{**values, **extra})


def liaison_bridge(tmp_path: Path, environ: dict[str, str], *args: str) -> subprocess.Popen[str]:
    script = Path(sys.executable).parent / "liaison-bridge"
    return subprocess.Popen(
        [str(script), *args],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def problem(err: str) -> str:
    """The one line that is not the start-up announcement (INFO) of the database."""
    assert "Traceback" not in err
    [line] = [line for line in err.splitlines() if " INFO " not in line]
    return line


def healthz(url: str) -> tuple[int, dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
        return response.status, json.loads(response.read())


def test_a_rejected_token_stops_run_with_one_line(tmp_path: Path, fake: FakeSlack) -> None:
    fake.fail_next("auth.test", "error:invalid_auth")

    code, out, err = finished(liaison_bridge(tmp_path, env(tmp_path, fake.api_url), "run"))

    assert code == 4
    assert out == ""
    line = problem(err)
    assert line.startswith("liaison-bridge: Slack rejected SLACK_BOT_TOKEN (invalid_auth)")
    assert "xoxb-test" not in err


def test_a_rejected_app_token_stops_socket_mode_with_one_line(
    tmp_path: Path, fake: FakeSlack
) -> None:
    fake.fail_next("apps.connections.open", "error:invalid_auth")
    environ = env(tmp_path, fake.api_url, SLACK_APP_TOKEN="xapp-1-A1-bad")

    code, _, err = finished(liaison_bridge(tmp_path, environ, "run"))

    assert code == 4
    assert problem(err).startswith("liaison-bridge: Slack rejected SLACK_APP_TOKEN")
    assert "xapp-1-A1-bad" not in err


@pytest.fixture
def unreachable_slack(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    environ = env(tmp_path, f"http://127.0.0.1:{free_port()}/api/")
    process = liaison_bridge(tmp_path, environ, "run")
    yield process, f"http://127.0.0.1:{environ['PORT']}"
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_unreachable_slack_still_serves_and_says_so(
    unreachable_slack: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = unreachable_slack

    def answer() -> tuple[int, dict[str, Any]] | None:
        assert process.poll() is None, process.communicate()
        try:
            return healthz(url)
        except OSError:
            return None  # not listening yet

    status, body = wait_until(answer, timeout=30)
    process.send_signal(signal.SIGTERM)
    code, _, err = finished(process)

    assert status == 200
    assert body["ok"] is True and body["slack"] == "unreachable"
    assert code == 0
    assert "Traceback" not in err
    [warning] = [line for line in err.splitlines() if "Slack" in line]
    assert "unreachable" in warning
    assert "unused" not in err  # no warning from Bolt about a token it would not use


def test_while_slack_is_away_commands_are_stored_and_healthz_tells(
    teams: Served, fake: FakeSlack
) -> None:
    fake.fail_next("auth.test", "500")
    teams.runtime.slack.start()  # as `run` does

    reply = teams.slack.command("/share", "Mailers land Monday", MARKETING[0], MKT_CHANNEL)

    assert reply.status == 200
    assert len(teams.rows(Update)) == 1
    status, body = healthz(teams.url)
    assert status == 200
    assert body["ok"] is True and body["slack"] == "unreachable"
    teams.runtime.slack.check()  # the background retry, without waiting for it
    assert healthz(teams.url)[1]["slack"] == "ok"


def test_an_unreachable_database_is_one_line(tmp_path: Path, fake: FakeSlack) -> None:
    url = f"postgresql://postgres:hunter2@127.0.0.1:{free_port()}/bridge"
    for args in (("run",), ("db", "upgrade")):
        environ = env(tmp_path, fake.api_url, DATABASE_URL=url)
        code, _, err = finished(liaison_bridge(tmp_path, environ, *args))

        assert code == 3, args
        line = problem(err)
        assert "DATABASE_URL" in line and "127.0.0.1" in line
        assert "hunter2" not in err


def test_a_database_without_schema_is_one_line(tmp_path: Path, fake: FakeSlack) -> None:
    code, out, err = finished(
        liaison_bridge(tmp_path, env(tmp_path, fake.api_url), "digest", "preview")
    )

    assert code == 3
    assert out == ""
    assert "liaison-bridge db upgrade" in problem(err)


def test_a_port_in_use_is_one_line(tmp_path: Path, fake: FakeSlack) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        code, _, err = finished(
            liaison_bridge(tmp_path, env(tmp_path, fake.api_url, PORT=port), "run")
        )

    assert code == 5
    assert f"port {port}" in problem(err)


def test_socket_mode_serves_only_the_probes(fake: FakeSlack, db_url: str) -> None:
    served = serve(
        settings_for(fake, db_url, slack_app_token="xapp-1-A1-x", slack_signing_secret="")
    )
    try:
        assert healthz(served.url)[0] == 200
        # No signing secret in Socket Mode: nothing may be accepted over HTTP.
        reply = served.slack.command("/share", "hello", ADMIN, MKT_CHANNEL)
        assert reply.status == 404
    finally:
        served.runtime.stop()


def test_version(tmp_path: Path) -> None:
    done = liaison_bridge(tmp_path, clean_env(), "--version")
    code, out, _ = finished(done)

    assert code == 0
    assert out.strip() == "liaison-bridge 0.1.0"


def test_settings_never_show_their_secrets(fake: FakeSlack) -> None:
    settings = settings_for(
        fake,
        "postgresql://bridge:hunter2@db:5432/bridge",
        slack_app_token="xapp-1-A1-secret",
    )

    shown = repr(settings)
    for secret in ("xoxb-test", "test-signing-secret", "xapp-1-A1-secret", "hunter2"):
        assert secret not in shown
    assert "postgresql://bridge:***@db:5432/bridge" in shown


def test_a_rejected_token_stops_the_scheduler_too(tmp_path: Path, fake: FakeSlack) -> None:
    fake.fail_next("auth.test", "error:token_revoked")

    code, _, err = finished(liaison_bridge(tmp_path, env(tmp_path, fake.api_url), "scheduler"))

    assert code == 4
    assert "SLACK_BOT_TOKEN (token_revoked)" in problem(err)
