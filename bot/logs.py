"""Log set-up: text for people, or one JSON object per line for log collectors.

Each request's log lines carry its request id and workspace, set by the HTTP endpoint in
context variables. No message text or token is ever logged: the app's log calls carry ids
and counts only, and Bolt's request logging is kept at WARNING.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
team_id: ContextVar[str | None] = ContextVar("team_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET = ("slack_bolt", "liaison_bridge.bolt", "alembic", "apscheduler")


class RequestContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.team_id = team_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "team_id"):
            if value := getattr(record, key, None):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line)


def configure(level: str, form: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestContext())
    handler.setFormatter(JsonFormatter() if form == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # Libraries' INFO lines are noise here (APScheduler logs two a minute), and Bolt's may
    # quote what users wrote.
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    # slack_sdk logs every failed call at ERROR, and raises it too: we say once what it means.
    logging.getLogger("slack_sdk").setLevel(logging.CRITICAL)
