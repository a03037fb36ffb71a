"""Log set-up. No message text or token is ever logged: the app's log calls carry ids and
counts only, and Bolt's request logging is kept at WARNING."""

from __future__ import annotations

import logging

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET = ("slack_bolt", "liaison_bridge.bolt", "alembic", "apscheduler")


def configure(level: str) -> None:
    logging.basicConfig(level=level, format=TEXT_FORMAT)
    # Libraries' INFO lines are noise here (APScheduler logs two a minute), and Bolt's may
    # quote what users wrote.
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    # slack_sdk logs every failed call at ERROR, and raises it too: we say once what it means.
    logging.getLogger("slack_sdk").setLevel(logging.CRITICAL)
