"""What an operator watches: JSON log lines and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import signal
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import MARKETING, MKT_CHANNEL, SECRET, Served, wait_until
from fake_slack import FakeSlack
from prometheus_client.parser import text_string_to_metric_families
from slack_requests import SlackSender
from test_schedule_e2e import DUE, START, build, seed_week
from test_startup import env, finished, healthz, liaison_bridge

from bot.scheduler import Ticker
from storage.uow import Database

SECRET_TEXT = "Zebra campaign 4711"


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
        assert response.status == 200
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_count_a_command_and_read_the_queue(teams: Served) -> None:
    before = scrape(teams.url)

    reply = teams.slack.command("/share", "Mailers land Monday", MARKETING[0], MKT_CHANNEL)
    assert reply.status == 200
    after = scrape(teams.url)

    command = (("kind", "command"),)
    assert after[("liaison_requests_total", command)] == (
        before.get(("liaison_requests_total", command), 0) + 1
    )
    assert after[("liaison_ack_seconds_count", command)] == (
        before.get(("liaison_ack_seconds_count", command), 0) + 1
    )
    assert ("liaison_outbox_pending", ()) in after
    assert after[("liaison_outbox_failed", ())] == 0
    wait_until(lambda: scrape(teams.url).get(("liaison_deliveries_total", (("outcome", "sent"),))))
    with urllib.request.urlopen(f"{teams.url}/metrics", timeout=10) as response:
        assert "# TYPE phi_blocks_total counter" in response.read().decode()


def test_json_logs_carry_the_request_and_workspace_but_no_text_or_token(
    tmp_path: Path, fake: FakeSlack
) -> None:
    environ = env(tmp_path, fake.api_url, LOG_FORMAT="json", LOG_LEVEL="DEBUG")
    environ["SLACK_SIGNING_SECRET"] = SECRET
    process = liaison_bridge(tmp_path, environ, "run")
    url = f"http://127.0.0.1:{environ['PORT']}"
    try:

        def up() -> bool:
            assert process.poll() is None
            try:
                return healthz(url)[0] == 200
            except OSError:
                return False

        wait_until(up, timeout=30)
        sender = SlackSender(url, SECRET)
        reply = sender.command("/ask", SECRET_TEXT, MARKETING[0], MKT_CHANNEL)
        assert reply.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        code, _, err = finished(process)

    assert code == 0
    lines = [json.loads(line) for line in err.splitlines()]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    [answered] = [line for line in lines if line["message"].startswith("command answered")]
    assert answered["team_id"] == "T0001"
    assert len(answered["request_id"]) == 16
    assert "Zebra" not in err and "xoxb-test" not in err and SECRET not in err


def test_the_ticker_logs_only_passes_that_did_something(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    services = build(db, START)
    seed_week(services, START)
    caplog.set_level(logging.INFO, logger="bot.scheduler")

    Ticker(services, lambda: START + timedelta(minutes=30)).tick()  # nothing due yet
    assert caplog.records == []

    Ticker(services, lambda: DUE).tick()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("digest pass queued ")  # one line per pass that queued posts
    assert all(" pass queued " in line for line in lines) and len(lines) <= 2
