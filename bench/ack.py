"""Ack path: signed /share, /ask and Accept requests against the app as `run` serves it,
beside two bare Bolt baselines on the same stack, on SQLite and PostgreSQL.

    python -m bench.ack [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import requests as slack
from bench.common import FakeSlack, Server, databases, free_port, save, start, start_app, table
from bench.load import Outcome, closed_loop, open_loop
from bench.seed import open_db, open_offers, seeded_ts, workspace
from bot.sandbox.workspace import Message
from handlers import ids

RATES = (50, 200, 500)


WORKSPACES = 200  # a hospital system's load comes from many teams, not one channel


def store_and_ack(
    port: int, fake: FakeSlack, offers: list[tuple[str, int]]
) -> Callable[[int], bytes]:
    """The n-th request of the mix: a /share, an /ask, or an Accept of a fresh offer."""
    url = fake.response_url("bench")

    def make(n: int) -> bytes:
        user = f"U_M{n % 3 + 1}"
        team = f"T{n % WORKSPACES:04d}"
        match n % 3:
            case 0:
                return slack.command(port, "/share", f"Update {n}: mailers", user, "C", team)
            case 1:
                return slack.command(port, "/ask", f"Question {n}: who first?", user, "C", team)
            case _:
                team, offer = offers[n // 3]
                return slack.click(port, ids.ACCEPT, str(offer), user, url, team)

    return make


def run(
    server: Server,
    make: Callable[[int], bytes],
    seconds: float,
    rates: tuple[int, ...],
    concurrency: int,
) -> dict[str, Any]:
    port = int(server.url.rsplit(":", 1)[1])
    found: dict[str, Any] = {}
    counter = 0

    def measured(label: str, go: Callable[[], Outcome], requests: int) -> None:
        cpu = server.cpu_seconds()
        outcome = go()
        summary = outcome.summary()
        summary["cpu_ms_per_request"] = (server.cpu_seconds() - cpu) * 1000 / max(1, requests)
        found[label] = summary

    for rate in rates:
        batch = [make(counter + n) for n in range(int(rate * seconds))]
        counter += len(batch)
        measured(
            f"open {rate}/s",
            lambda b=batch, r=rate: asyncio.run(open_loop("127.0.0.1", port, b, r)),
            len(batch),
        )
    start_at = counter

    def saturated() -> Outcome:
        return asyncio.run(
            closed_loop("127.0.0.1", port, lambda n: make(start_at + n), concurrency, seconds)
        )

    cpu = server.cpu_seconds()
    outcome = saturated()
    summary = outcome.summary()
    summary["cpu_ms_per_request"] = (
        (server.cpu_seconds() - cpu) * 1000 / max(1, len(outcome.latencies))
    )
    found["saturated"] = summary
    found["peak_rss_mb"] = server.peak_rss_mb()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    seconds = 1.0 if args.quick else 8.0
    rates = (50, 200) if args.quick else RATES
    concurrency = 8
    results: dict[str, Any] = {"seconds_per_level": seconds, "runs": {}}
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-ack-"))
    fake = FakeSlack().start()
    try:
        for label, url in databases(tmp, "ack"):
            per_db: dict[str, Any] = {}
            needed = int(sum(rates) * seconds + 3000 * seconds) // 3 + 100
            db = open_db(url)
            per_workspace: list[list[tuple[str, int]]] = []
            for w in range(WORKSPACES):
                team = f"T{w:04d}"
                teams = workspace(db, team, datetime.now(UTC), members=3)
                made = open_offers(db, team, teams, needed // WORKSPACES + 1)
                # Slack has these posts, so Accept's edit of them succeeds as it would live.
                for n in range(len(made)):
                    fake.workspace.post(Message(seeded_ts(n), f"C{team}MAR", "UBOT", "seeded"))
                per_workspace.append([(team, offer) for offer in made])
            offers = [pair for batch in zip(*per_workspace, strict=False) for pair in batch]
            db.dispose()
            app = start_app(url, fake, SCHEDULER_ENABLED="false")
            try:
                per_db["app"] = run(
                    app, store_and_ack(_port(app), fake, offers), seconds, rates, concurrency
                )
            finally:
                app.stop()
            for mode in ("ack", "insert"):
                port = free_port()
                baseline = start(
                    [sys.executable, "-m", "bench.baseline", mode, str(port), url, fake.api_url],
                    {},
                    port,
                )
                try:
                    make = lambda n, p=port: slack.command(p, "/share", f"u {n}", "U_M1", "C")  # noqa: E731
                    per_db[f"bolt_{mode}"] = run(baseline, make, seconds, rates, concurrency)
                finally:
                    baseline.stop()
            ours = per_db["app"]["saturated"]["throughput"]
            for mode in ("ack", "insert"):
                base = per_db[f"bolt_{mode}"]["saturated"]["throughput"]
                per_db[f"ratio_to_bolt_{mode}"] = ours / base if base else 0.0
            results["runs"][label] = per_db
            for server in ("app", "bolt_ack", "bolt_insert"):
                for level, s in per_db[server].items():
                    if isinstance(s, dict):
                        rows.append(
                            [
                                label,
                                server,
                                level,
                                s["throughput"],
                                s["p50_ms"],
                                s["p99_ms"],
                                s["max_ms"],
                                s["non_2xx"],
                                s["cpu_ms_per_request"],
                            ]
                        )
    finally:
        fake.stop()
    print(
        table(
            [
                "db",
                "server",
                "load",
                "req/s",
                "p50 ms",
                "p99 ms",
                "max ms",
                "non-2xx",
                "cpu ms/req",
            ],
            rows,
        )
    )
    for label, per_db in results["runs"].items():
        print(
            f"{label}: saturated throughput = {per_db['ratio_to_bolt_ack']:.0%} of bare Bolt ack, "
            f"{per_db['ratio_to_bolt_insert']:.0%} of Bolt ack-after-insert; "
            f"app peak RSS {per_db['app']['peak_rss_mb']:.0f} MB"
        )
    print(f"written: {save('ack-quick' if args.quick else 'ack', results)}")
    return 0


def _port(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


if __name__ == "__main__":
    sys.exit(main())
