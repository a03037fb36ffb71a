"""Prometheus metrics, served at GET /metrics.

Counters live in the process's default registry, or, under `run`, in files that its request
and delivery processes share (prometheus_client's multiprocess mode); the queue's gauges
are read from the database at scrape time, so every replica reports the same shared queue.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from bot.deliverer import METRICS_DIR
from storage.outbox import Outbox

REQUESTS = Counter(
    "liaison_requests", "Signed requests from Slack, by kind (command/action/view/event)", ["kind"]
)
ACK_SECONDS = Histogram(
    "liaison_ack_seconds",
    "Seconds from a request's arrival to its answer (Slack allows 3)",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)
DELIVERIES = Counter(
    "liaison_deliveries", "Queued Slack calls made, by outcome (sent/retry/failed)", ["outcome"]
)
SCHEDULED_POSTS = Counter(
    "liaison_scheduled_posts",
    "Posts queued by the scheduled passes: one per re-ask; a digest and its thread replies",
    ["job"],
)
PHI_BLOCKS = Counter(
    "phi_blocks", "Messages kept out of Slack for looking like patient information", ["kind"]
)


def request_kind(body: dict[str, Any]) -> str:
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind in ("block_actions", "block_suggestion", "interactive_message"):
        return "action"
    if kind in ("view_submission", "view_closed"):
        return "view"
    if kind in ("event_callback", "url_verification", "app_rate_limited"):
        return "event"
    return "other"


class QueueGauges(Collector):
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "liaison_outbox_pending", "Slack calls queued, not yet made", self._outbox.pending()
        )
        yield GaugeMetricFamily(
            "liaison_outbox_failed", "Slack calls given up for good", self._outbox.failed()
        )


def exposition(outbox: Outbox) -> bytes:
    """The text Prometheus scrapes: the counters, then the shared queue."""
    counters = REGISTRY
    if os.environ.get(METRICS_DIR):  # `run`: this process's and its delivery child's
        counters = CollectorRegistry()
        multiprocess.MultiProcessCollector(counters)  # type: ignore[no-untyped-call]
    queue = CollectorRegistry(auto_describe=False)
    queue.register(QueueGauges(outbox))
    return generate_latest(counters) + generate_latest(queue)
