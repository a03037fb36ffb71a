"""HTTP serving: POST /slack/events for everything Slack sends, GET /healthz for probes,
GET /metrics for Prometheus, and with OAuth GET /slack/install and /slack/oauth_redirect.

uvicorn serves a Starlette app; Bolt's sync App runs each request on a worker thread with
process_before_response=True (Bolt's default setting polls for the ack every 10 ms, which
capped a process at ~85 requests/s here; this stack served ~3,400/s).
"""

from __future__ import annotations

import json
import logging
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_bolt.oauth import OAuthFlow
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot import logs, metrics
from bot.queue_health import QueueWatch
from storage.outbox import Outbox
from storage.uow import Database

log = logging.getLogger(__name__)


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, with Nagle's algorithm off (accepted sockets inherit it).

    uvicorn writes a response's headers and body separately; with Nagle on, the body waits
    for the client's delayed ACK of the headers, which added 40 ms to every answer here.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


class BadRequest(ValueError):
    pass


def parse_body(raw: str, content_type: str) -> dict[str, Any]:
    """Slack's three body shapes. Unlike Bolt's parser, a command whose text merely
    contains the word "payload" stays a command."""
    try:
        if content_type.startswith("application/json") or raw.startswith("{"):
            body = json.loads(raw)
        else:
            form = dict(parse_qsl(raw, keep_blank_values=True))
            body = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, KeyError) as error:
        raise BadRequest(str(error)) from None
    if not isinstance(body, dict):
        raise BadRequest("the body is not an object")
    return body


def create_asgi(
    app: App | None,
    signing_secret: str,
    db: Database,
    outbox: Outbox,
    slack_state: Callable[[], str],
    queue: QueueWatch,
    oauth: OAuthFlow | None = None,
) -> Starlette:
    """`app` None: only the probes (Socket Mode brings Slack's requests another way);
    `oauth`: the install pages, when workspaces install the app over OAuth."""
    routes = [
        Route("/healthz", _healthz(db, outbox, slack_state, queue), methods=["GET"]),
        Route("/metrics", _metrics(outbox), methods=["GET"]),
    ]
    if app is not None:
        routes.append(Route("/slack/events", _events(app, signing_secret), methods=["POST"]))
    if oauth is not None:
        routes += [
            Route(oauth.install_path, _oauth(oauth.handle_installation), methods=["GET"]),
            Route(oauth.redirect_uri_path, _oauth(oauth.handle_callback), methods=["GET"]),
        ]
    return Starlette(routes=routes)


def _oauth(
    step: Callable[[BoltRequest], BoltResponse],
) -> Callable[[Request], Awaitable[Response]]:
    """A step of Bolt's OAuth flow, with the request built as Bolt's Starlette adapter
    builds it (the state cookie travels in the headers)."""

    async def handle(request: Request) -> Response:
        bolt_request = BoltRequest(body="", query=request.url.query, headers=dict(request.headers))
        try:
            response = await run_in_threadpool(step, bolt_request)
        except Exception:
            log.exception("the OAuth %s step failed", request.url.path)
            return PlainTextResponse(
                "The install could not be completed. Please try again.", status_code=500
            )
        return to_starlette_response(response)

    return handle


def _events(app: App, signing_secret: str) -> Callable[[Request], Awaitable[Response]]:
    verifier = SignatureVerifier(signing_secret)

    async def events(request: Request) -> Response:
        started = time.perf_counter()
        # Every log line of this request carries its id (and, once known, the workspace).
        logs.request_id.set(uuid.uuid4().hex[:16])
        raw_bytes = await request.body()
        try:
            raw = raw_bytes.decode("utf-8")
        except UnicodeDecodeError:
            return PlainTextResponse("the body is not UTF-8", status_code=400)
        headers = request.headers
        timestamp = headers.get("x-slack-request-timestamp", "")
        if not timestamp.isdigit() or not verifier.is_valid(
            raw, timestamp, headers.get("x-slack-signature", "")
        ):
            return PlainTextResponse("invalid request", status_code=401)
        try:
            body = parse_body(raw, headers.get("content-type", ""))
            bolt_request = BoltRequest(body=raw, query=request.url.query, headers=dict(headers))
            bolt_request.body = body
            bolt_request.context = build_context(BoltContext(), body)
        except (BadRequest, ValueError, TypeError, AttributeError, KeyError, IndexError):
            # Signed, but not shaped like anything Slack sends.
            return PlainTextResponse("malformed body", status_code=400)
        logs.team_id.set(bolt_request.context.team_id)
        kind = metrics.request_kind(body)
        metrics.REQUESTS.labels(kind).inc()
        try:
            response = await run_in_threadpool(app.dispatch, bolt_request)
        except Exception:
            log.exception("dispatch failed")
            response = BoltResponse(status=500, body="")
        answer = to_starlette_response(response) if response.status < 500 else Response()
        seconds = time.perf_counter() - started
        metrics.ACK_SECONDS.labels(kind).observe(seconds)
        log.debug("%s answered %s in %.1f ms", kind, answer.status_code, seconds * 1000)
        return answer

    return events


def _healthz(
    db: Database, outbox: Outbox, slack_state: Callable[[], str], queue: QueueWatch
) -> Callable[[Request], Awaitable[Response]]:
    async def healthz(_: Request) -> Response:
        def check() -> tuple[int, dict[str, object]]:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return outbox.pending(), queue.check().as_json()

        try:
            pending, state = await run_in_threadpool(check)
        except Exception:
            log.exception("health check failed")
            return JSONResponse({"ok": False, "database": "unreachable"}, status_code=503)
        # Slack out of reach, or a stale queue, is no reason to restart us: we store and
        # queue meanwhile (a stale queue is for an operator to look at).
        return JSONResponse(
            {"ok": True, "pending_deliveries": pending, "slack": slack_state(), **state}
        )

    return healthz


def _metrics(outbox: Outbox) -> Callable[[Request], Awaitable[Response]]:
    async def scrape(_: Request) -> Response:
        try:
            text = await run_in_threadpool(metrics.exposition, outbox)
        except Exception:
            log.exception("metrics scrape failed")
            return PlainTextResponse("the database is unreachable", status_code=503)
        return Response(text, media_type=CONTENT_TYPE_LATEST)

    return scrape
