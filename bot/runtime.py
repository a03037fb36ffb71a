"""Everything `liaison-bridge run` starts, assembled once, started and stopped together."""

from __future__ import annotations

import logging
import signal
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import cached_property, partial
from typing import Any

import uvicorn
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient
from starlette.applications import Starlette

from bot.app import create_app, make_client
from bot.deliverer import DeliveryProcess
from bot.delivery import DeliveryWorker, SlackSender, utcnow
from bot.errors import EXIT_SLACK, OperatorError, port_error
from bot.heap import settle
from bot.installs import InstallationStore, StoredAuthorize, WorkspaceClients, cipher
from bot.metrics import PHI_BLOCKS
from bot.queue_health import QueueWatch
from bot.scheduler import TICK_SECONDS, Ticker
from bot.server import create_asgi, listening_socket
from bot.settings import Settings
from bot.slack_link import OK, SlackLink
from bot.suspension import Suspender
from handlers.messages import SlackRenderer
from handlers.permalinks import Permalinks
from storage.migrate import upgrade
from storage.services import Services
from storage.uow import Database

log = logging.getLogger(__name__)


class Runtime:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        background: bool = False,
    ) -> None:
        """`background`: a process that only delivers and ticks; its writes let requests'
        go first."""
        self.settings = settings
        self.db = Database.from_url(settings.database_url, background=background)
        upgrade(self.db.engine)
        self.links = Permalinks()  # the workspace's address, once auth.test has answered
        self.services = Services.build(
            self.db,
            SlackRenderer(self.links),
            mrn_pattern=settings.mrn_pattern,
            on_block=lambda kind: PHI_BLOCKS.labels(kind.name.lower()).inc(),
        )
        installs = self.services.installs
        self.queue = QueueWatch(
            self.services.outbox, timedelta(seconds=settings.queue_stale_seconds), clock
        )
        self.client = make_client(settings, settings.slack_bot_token)
        # Single token: fixed and restarted, the workspace's deliveries resume once Slack
        # takes it.
        self.slack = SlackLink(
            self.client,
            settings.slack_bot_token,
            lambda: installs.resume(None, clock()),
            self.links,
        )
        self.store: InstallationStore | None = None
        clients: Callable[[str], WebClient] = self._single_client
        installer: Callable[[str], str | None] = _nobody
        authorize: Callable[..., AuthorizeResult] | Authorize = self.slack.authorizer()
        fix = "SLACK_BOT_TOKEN is fixed and the app restarted"
        if settings.oauth:
            self.store = InstallationStore(
                settings.slack_client_id or "",
                self.db.engine,
                cipher(settings.token_encryption_key or ""),
                installs,
                clock,
            )
            by_workspace = WorkspaceClients(partial(make_client, settings), self.store, installs)
            clients, installer = by_workspace, by_workspace.installer
            authorize = StoredAuthorize(self.store, installs, clock)
            fix = "the app is reinstalled to it"
        suspend = Suspender(installs, clients, installer, settings.admins, fix, clock)
        self.worker = DeliveryWorker(
            self.services.outbox,
            SlackSender(clients, suspend, self.services.home.view),
            senders=settings.delivery_workers,
            clock=clock,
            # Longer than any one send (a DM is two calls), so a live send is never re-claimed.
            lease=timedelta(seconds=4 * settings.slack_api_timeout + 10),
            watch=self.queue.check,
        )
        self.db.on_queued = self.worker.wake
        self.ticker = Ticker(self.services, clock, settings.retention_days)
        self._clock = clock
        self._authorize = authorize
        self.background = ThreadPoolExecutor(max_workers=4, thread_name_prefix="respond")
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @cached_property
    def bolt(self) -> App:
        """Built only where Slack's requests are served (not in the delivery process)."""
        return create_app(
            self.settings,
            self.services,
            make_client(self.settings, None),
            self._clock,
            self.background,
            self._authorize,
            self.store,
        )

    @cached_property
    def asgi(self) -> Starlette:
        return create_asgi(
            # In Socket Mode there is no signing secret: nothing may come in over HTTP.
            None if self.settings.socket_mode else self.bolt,
            self.settings.slack_signing_secret,
            self.db,
            self.services.outbox,
            lambda: self.slack.state,
            self.queue,
            self.bolt.oauth_flow,
        )

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.ticker.stop()
        self.slack.stop()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self.worker.stop()
        self.background.shutdown(wait=True)
        self.db.dispose()

    def serve_forever(self, delivery: DeliveryProcess | None = None) -> None:
        """Serve until interrupted (Ctrl-C or SIGTERM), then stop everything.

        HTTP mode serves Slack's requests, /healthz and /metrics on HOST:PORT; Socket Mode
        takes Slack's requests over its connection and serves only /healthz and /metrics.
        With `delivery`, that child process sends the queue and runs the scheduled passes;
        without, this process does.
        """
        host, port = self.settings.host, self.settings.port
        try:
            sock = listening_socket(host, port)
        except OSError as error:
            raise port_error(error, host, port) from None
        self._check_slack()
        handler = self._socket_mode() if self.settings.socket_mode else None
        if delivery is not None:
            self.db.on_queued = delivery.wake
            delivery.start()
        else:
            self.start()
            if self.settings.scheduler_enabled:
                self.ticker.start()
        # uvicorn shuts down on SIGINT/SIGTERM, then raises the signal again for the handler it
        # found: make that a no-op, so we stop in order (the last answers recorded) and exit 0
        # instead of dying by SIGTERM or printing a KeyboardInterrupt traceback.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: None)
        try:
            config = uvicorn.Config(self.asgi, log_level="warning", access_log=False)
            settle()  # with the app built (above): it is kept for good
            log.info("serving on %s:%s%s", host, port, " (Socket Mode)" if handler else "")
            uvicorn.Server(config).run(sockets=[sock])
        finally:
            if handler is not None:
                handler.close()  # type: ignore[no-untyped-call]
            if delivery is not None:
                delivery.stop()
            self.stop()

    def _socket_mode(self) -> Any:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        app_token = self.settings.slack_app_token or ""
        if not self.settings.oauth and self.slack.state != OK:
            raise OperatorError(EXIT_SLACK, "Socket Mode needs Slack, which is unreachable.")
        self.slack.check_app_token(app_token)
        handler = SocketModeHandler(self.bolt, app_token)  # type: ignore[no-untyped-call]
        handler.connect()  # type: ignore[no-untyped-call]
        return handler

    def _single_client(self, _workspace_id: str) -> WebClient:
        return self.client

    def _check_slack(self) -> None:
        """Single token: Slack must take it. (OAuth installs' tokens are each checked by
        their own calls: a refused one suspends only its workspace.)"""
        if not self.settings.oauth:
            self.slack.start()

    def tick_forever(self) -> None:
        """Only the scheduled passes and the delivery of what they queue; no Slack requests."""
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        self.deliver_until(stop, ticking=True)

    def deliver_until(self, stop: threading.Event, *, ticking: bool | None = None) -> None:
        """Deliver, and tick if `ticking` (default: SCHEDULER_ENABLED), until `stop` is set."""
        self._check_slack()  # as in serve_forever: a rejected token stops us, Slack away not
        self.start()
        if self.settings.scheduler_enabled if ticking is None else ticking:
            self.ticker.start()
            log.info("ticking every %ss", TICK_SECONDS)
        settle()
        stop.wait()
        self.stop()

    def serve_in_background(self, sock: socket.socket) -> None:
        """Serve on an already bound socket from a thread (tests and benchmarks)."""
        self.start()
        config = uvicorn.Config(self.asgi, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the server did not start")
            threading.Event().wait(0.01)


def _nobody(_workspace_id: str) -> str | None:
    """A single token's workspace has no installer on record."""
    return None
