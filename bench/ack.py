"""Ack path: signed /share, /ask and Accept requests against the app as `run` serves it,
beside two bare Bolt baselines on the same stack, on SQLite and PostgreSQL.

    python -m bench.ack [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench import fanout
from bench import requests as slack
from bench.common import FakeSlack, Server, databases, free_port, save, start, start_app, table
from bench.load import Closed, Open, Outcome, apart
from bench.seed import open_db, open_offers, person, seeded_ts, workspace
from bot.sandbox.workspace import Message
from handlers import ids

RATES = (50, 200, 500)
FANOUT_RATE = 50  # requests/s while Monday's digests go out


WORKSPACES = 200  # a hospital system's load comes from many teams, not one channel


def store_and_ack(port: int, fake: FakeSlack, offers: list[tuple[str, int]]) -> AckMix:
    return AckMix(port, fake.response_url("bench"), tuple(offers))


@dataclass(frozen=True)
class AckMix:
    """The n-th request of the mix: a /share, an /ask, or an Accept of a fresh offer."""

    port: int
    url: str  # where an Accept's private reply goes
    offers: tuple[tuple[str, int], ...]

    def __call__(self, n: int) -> bytes:
        team = f"T{n % WORKSPACES:04d}"
        user = person(team, "marketing", n % 3 + 1)
        match n % 3:
            case 0:
                return slack.command(self.port, "/share", f"Update {n}: mailers", user, "C", team)
            case 1:
                return slack.command(
                    self.port, "/ask", f"Question {n}: who first?", user, "C", team
                )
            case _:
                team, offer = self.offers[n // 3]
                user = person(team, "marketing", n % 3 + 1)
                return slack.click(self.port, ids.ACCEPT, str(offer), user, self.url, team)


@dataclass(frozen=True)
class Shares:
    """The baselines' requests: /share from one person."""

    port: int

    def __call__(self, n: int) -> bytes:
        return slack.command(self.port, "/share", f"u {n}", "U0001M1", "C")


def seed_offers(url: str, fake: FakeSlack, needed: int) -> list[tuple[str, int]]:
    """The ack mix's workspaces, with `needed` open offers to accept, interleaved."""
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
    db.dispose()
    return [pair for batch in zip(*per_workspace, strict=False) for pair in batch]


def during_fanout(url: str, fake: FakeSlack, workspaces: int, seconds: float) -> dict[str, Any]:
    """Acks at FANOUT_RATE while the digests of `workspaces` more workspaces, all due at
    start, go out (bench/fanout.py's run: Slack answers after 200 ms, 1 message/s/channel)."""
    offers = seed_offers(url, fake, int(FANOUT_RATE * seconds) // 3 + 100)
    db = open_db(url)
    fanout.seed(db, workspaces, datetime.now(UTC))
    fake.reset()
    fake.latency, fake.per_channel_rate = 0.2, 1.0
    began = time.monotonic()
    app = start_app(url, fake)  # the ticker's first pass queues every digest
    try:
        # Measure once the fan-out is under way, not while its digests are being queued.
        while not fake.calls("chat.postMessage") and time.monotonic() - began < 120:
            time.sleep(0.05)
        make = store_and_ack(_port(app), fake, offers)
        batch = [make(n) for n in range(int(FANOUT_RATE * seconds))]
        acks = cpu_measured(
            app,
            lambda: apart(_port(app), Open(batch, FANOUT_RATE)),
            len(batch),
        )
        finished = fanout.wait_for_delivery(db, began, timeout=600)
        rss = app.peak_rss_mb()
    finally:
        app.stop()
        fake.latency, fake.per_channel_rate = 0.0, None
        db.dispose()
    ids = {f"T{n:05d}" for n in range(workspaces)}
    digests = Counter(
        c.body["channel"]
        for c in fake.calls("chat.postMessage")
        if "thread_ts" not in c.body and c.body["channel"][1:-3] in ids
    )
    return {
        "acks": acks,
        "digests": len(digests),
        "exactly_once": len(digests) == 2 * workspaces and set(digests.values()) == {1},
        "seconds_to_last_post": finished,
        "rate_limited_429": fake.rate_limited,
        "peak_rss_mb": rss,
    }


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

    def measured(label: str, go: Callable[[], Outcome], requests: int | None = None) -> None:
        found[label] = cpu_measured(server, go, requests)
        # A level the app could not keep up with leaves a backlog (requests the load
        # generator gave up on, posts to send); the next level starts once it is worked off.
        found[label]["seconds_to_quiet"] = quiet(server)

    for rate in rates:
        batch = [make(counter + n) for n in range(int(rate * seconds))]
        counter += len(batch)
        measured(f"open {rate}/s", partial(apart, port, Open(batch, rate)), len(batch))
    measured("saturated", partial(apart, port, Closed(make, concurrency, seconds, counter)))
    found["peak_rss_mb"] = server.peak_rss_mb()
    return found


def quiet(server: Server, timeout: float = 300.0) -> float:
    """Wait until the server's processes use under a tenth of a core; how long it took."""
    began = time.monotonic()
    used = server.cpu_seconds()
    while time.monotonic() - began < timeout:
        time.sleep(0.5)
        now = server.cpu_seconds()
        if now - used < 0.05:
            break
        used = now
    return time.monotonic() - began


def cpu_measured(
    server: Server, go: Callable[[], Outcome], requests: int | None = None
) -> dict[str, Any]:
    """The load's latencies, and the CPU it cost per request: all of the app's processes,
    and the request process alone (`run` delivers from a child)."""
    total, own = server.cpu_seconds(), server.cpu_seconds(children=False)
    outcome = go()
    summary: dict[str, Any] = dict(outcome.summary())
    count = max(1, requests if requests is not None else len(outcome.latencies))
    summary["cpu_ms_per_request"] = (server.cpu_seconds() - total) * 1000 / count
    summary["server_cpu_ms_per_request"] = (server.cpu_seconds(children=False) - own) * 1000 / count
    return summary


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
        fresh = dict(databases(tmp, "ack_fanout"))
        for label, url in databases(tmp, "ack"):
            per_db: dict[str, Any] = {}
            needed = int(sum(rates) * seconds + 3000 * seconds) // 3 + 100
            offers = seed_offers(url, fake, needed)
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
                    per_db[f"bolt_{mode}"] = run(
                        baseline, Shares(port), seconds, rates, concurrency
                    )
                finally:
                    baseline.stop()
            ours = per_db["app"]["saturated"]["throughput"]
            for mode in ("ack", "insert"):
                base = per_db[f"bolt_{mode}"]["saturated"]["throughput"]
                per_db[f"ratio_to_bolt_{mode}"] = ours / base if base else 0.0
            # A fresh database of its own: 1,000 more workspaces, all due at once.
            per_db["during_fanout"] = during_fanout(
                fresh[label], fake, 50 if args.quick else 1000, seconds * 3
            )
            results["runs"][label] = per_db
            during = per_db["during_fanout"]
            for server in ("app", "bolt_ack", "bolt_insert"):
                rows += [
                    _row(label, server, level, s)
                    for level, s in per_db[server].items()
                    if isinstance(s, dict)
                ]
            rows.append(_row(label, "app", f"fan-out, open {FANOUT_RATE}/s", during["acks"]))
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
                "server process",
            ],
            rows,
        )
    )
    for label, per_db in results["runs"].items():
        print(
            f"{label}: saturated throughput = {per_db['ratio_to_bolt_ack']:.0%} of bare Bolt ack, "
            f"{per_db['ratio_to_bolt_insert']:.0%} of Bolt ack-after-insert; "
            f"app peak RSS {per_db['app']['peak_rss_mb']:.0f} MB (largest process)"
        )
        during = per_db["during_fanout"]
        print(
            f"{label}: fan-out under the acks: {during['digests']} digests, exactly once: "
            f"{during['exactly_once']}, all sent at {during['seconds_to_last_post'] or 0:.0f} s, "
            f"{during['rate_limited_429']} x 429, peak RSS {during['peak_rss_mb']:.0f} MB"
        )
    print(f"written: {save('ack-quick' if args.quick else 'ack', results)}")
    return 0


def _row(label: str, server: str, level: str, s: dict[str, Any]) -> list[Any]:
    return [
        label,
        server,
        level,
        s["throughput"],
        s["p50_ms"],
        s["p99_ms"],
        s["max_ms"],
        s["non_2xx"],
        s["cpu_ms_per_request"],
        s["server_cpu_ms_per_request"],
    ]


def _port(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


if __name__ == "__main__":
    sys.exit(main())
