"""`liaison-bridge sandbox`: the app as production runs it, against a Slack in memory."""

from __future__ import annotations

import logging
import secrets
import tempfile
from pathlib import Path

import uvicorn

from bot.runtime import Runtime
from bot.sandbox.clock import SandboxClock
from bot.sandbox.people import seeded
from bot.sandbox.slack import SlackStandIn
from bot.sandbox.web import create_page
from bot.sandbox.workspace import Workspace
from bot.server import listening_socket
from bot.settings import Settings

DATABASE_FILE = "sandbox.db"


def _fresh_database(folder: Path) -> Path:
    """The workspace lives in memory, so the database must start as empty as it does."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DATABASE_FILE
    for stale in (
        path,
        path.with_name(DATABASE_FILE + "-wal"),
        path.with_name(DATABASE_FILE + "-shm"),
    ):
        stale.unlink(missing_ok=True)
    return path


def _url_host(host: str) -> str:
    """How a browser on this machine reaches a server bound to `host`."""
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def serve(folder: Path | None, host: str, port: int) -> None:
    where = folder or Path(tempfile.mkdtemp(prefix="liaison-bridge-sandbox-"))
    database = _fresh_database(where)
    page_socket = listening_socket(host, port)
    base_url = f"http://{_url_host(host)}:{page_socket.getsockname()[1]}"
    app_socket = listening_socket("127.0.0.1", 0)
    app_url = f"http://127.0.0.1:{app_socket.getsockname()[1]}"
    secret = secrets.token_hex(16)
    clock = SandboxClock()
    settings = Settings(
        slack_bot_token="xoxb-sandbox",
        slack_signing_secret=secret,
        slack_api_url=base_url + "/api/",
        database_url=f"sqlite:///{database}",
        host="127.0.0.1",
        port=app_socket.getsockname()[1],
        slack_api_timeout=5,
        delivery_workers=4,
    )
    # The ticker's every-minute run lines would drown the URL printed below.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    runtime = Runtime(settings, clock=clock)
    try:
        runtime.serve_in_background(app_socket)
        runtime.links.learn(base_url)  # what auth.test answers: the page opens permalinks
        runtime.ticker.start()
        workspace = seeded(Workspace(clock=clock.epoch, permalink_base=base_url))
        page = create_page(SlackStandIn(workspace, app_url, secret, base_url), runtime, clock)
        print(f"Liaison Bridge sandbox: open {base_url}/  (database {database})", flush=True)
        config = uvicorn.Config(
            page, log_level="warning", access_log=False, timeout_graceful_shutdown=2
        )
        uvicorn.Server(config).run(sockets=[page_socket])
    finally:
        runtime.stop()
