"""Digest and re-ask at scale: 100,000 rows of history over 50 workspaces; the time to
build one team's digest and to make one re-ask pass, and how many SQL statements each takes.

    python -m bench.digest [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from bench.common import databases, save, table
from bench.seed import history, open_db, workspace
from handlers.messages import SlackRenderer
from storage.services import Services

WORKSPACES = 50
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday, 09:00 in New York


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run on `engine` inside the block."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def timed(runs: int, action: Callable[[], object]) -> tuple[float, float]:
    """Median and best time of `runs` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run on 5,000 rows")
    args = parser.parse_args(argv)
    rows_total = 5_000 if args.quick else 100_000
    runs = 5 if args.quick else 30
    results: dict[str, Any] = {"rows": rows_total, "workspaces": WORKSPACES, "runs": {}}
    lines = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-digest-"))
    for label, url in databases(tmp, "digest"):
        db = open_db(url)
        began = time.perf_counter()
        for n in range(WORKSPACES):
            ws = f"T{n:04d}"
            teams = workspace(db, ws, NOW - timedelta(days=400))
            history(db, ws, teams, rows_total // WORKSPACES, NOW, seed=n)
        seeded = time.perf_counter() - began
        services = Services.build(db, SlackRenderer())

        build = partial(services.digests.preview, "T0007", "marketing", NOW)
        build()  # warm caches, as a running app has them
        with counting(db.engine) as statements:
            view = services.digests.preview("T0007", "marketing", NOW)
        digest_median, digest_best = timed(runs, build)

        # The re-ask pass posts (so it runs once): open questions older than 3 business days.
        with counting(db.engine) as reask_statements:
            began = time.perf_counter()
            queued = services.reasks.run_due(NOW)
            reask_ms = (time.perf_counter() - began) * 1000
        results["runs"][label] = {
            "seed_seconds": seeded,
            "digest_ms_median": digest_median,
            "digest_ms_best": digest_best,
            "digest_statements": len(statements),
            "digest_items": {
                "updates": view.updates.total,
                "waiting": view.waiting.total,
                "asked": view.asked.total,
                "offers": view.offers.total,
            },
            "reask_pass_ms": reask_ms,
            "reask_posts": len(queued),
            "reask_statements": len(reask_statements),
            "reask_statements_per_post": len(reask_statements) / max(1, len(queued)),
        }
        r = results["runs"][label]
        lines.append(
            [
                label,
                r["digest_ms_median"],
                r["digest_ms_best"],
                r["digest_statements"],
                r["reask_pass_ms"],
                r["reask_posts"],
                r["reask_statements"],
            ]
        )
        db.dispose()
    print(f"{rows_total:,} rows of history over {WORKSPACES} workspaces")
    print(
        table(
            [
                "db",
                "digest ms (median)",
                "best",
                "statements",
                "re-ask pass ms",
                "re-asks",
                "statements",
            ],
            lines,
        )
    )
    print(f"written: {save('digest-quick' if args.quick else 'digest', results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
