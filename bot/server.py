"""HTTP serving: POST /slack/events for everything Slack sends, GET /healthz for probes,
GET /metrics for Prometheus, and with OAuth GET /slack/install and /slack/oauth_redirect.

uvicorn serves a Starlette app; Bolt's sync App runs each request on a worker thread with
process_before_response=True (Bolt's default setting polls for the ack every 10 ms, which
capped a process at ~85 requests/s here; this stack served ~3,400/s).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_bolt.oauth import OAuthFlow
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot import logs, metrics
from bot.queue_health import QueueWatch
from handlers import inbound, shapes
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


# Slack's payloads are far smaller; anything bigger is refused before it is read whole.
MAX_BODY_BYTES = 1_000_000


def parse_body(raw: str, content_type: str) -> dict[str, Any]:
    """Slack's three body shapes. Unlike Bolt's parser, a command whose text merely
    contains the word "payload" stays a command."""
    try:
        if content_type.startswith("application/json") or raw.startswith("{"):
            body = json.loads(raw)
        else:
            form = dict(parse_qsl(raw, keep_blank_values=True))
            body = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, KeyError, RecursionError) as error:
        raise BadRequest(type(error).__name__) from None
    if not isinstance(body, dict):
        raise BadRequest("the body is not an object")
    if reason := shapes.problem(body):
        raise BadRequest(reason)
    if "\x00" in raw or "%00" in raw or "u0000" in raw:  # raw, form-encoded or JSON-escaped
        return shapes.without_nul(body)
    return body


def is_ssl_check(raw: str, content_type: str) -> bool:
    """Slack's unsigned certificate check, answered 200 unchecked as both official Bolts do."""
    if "ssl_check=" not in raw or content_type.startswith("application/json"):
        return False
    return dict(parse_qsl(raw, keep_blank_values=True)).get("ssl_check") == "1"


def is_signed(verifier: SignatureVerifier, raw: str, headers: Mapping[str, str]) -> bool:
    """Garbled headers (non-ASCII, non-numeric or absurd timestamps) are simply unsigned."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) < 16):
        return False
    if not signature.isascii():
        return False  # hmac.compare_digest refuses non-ASCII strings with a TypeError
    try:
        return verifier.is_valid(raw, timestamp, signature)
    except (TypeError, ValueError, OverflowError):
        return False


async def read_body(request: Request) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY_BYTES."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


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


# Threads that run Bolt's dispatch (a listener may wait on Slack or the database). A plain
# executor: anyio's thread hop cost the event loop a third more CPU per request here.
REQUEST_THREADS = 32


def _events(app: App, signing_secret: str) -> Callable[[Request], Awaitable[Response]]:
    verifier = SignatureVerifier(signing_secret)
    threads = ThreadPoolExecutor(REQUEST_THREADS, thread_name_prefix="request")
    # Under an overload, requests queue for a thread. Parsed into Bolt's request first, each
    # held about 37 KB while it waited (the request process reached 156 MB in a 500/s burst);
    # as the bytes Slack sent, 136 MB. Probes and the install pages never wait here.
    turns = asyncio.Semaphore(REQUEST_THREADS)

    async def events(request: Request) -> Response:
        started = time.perf_counter()
        # Every log line of this request carries its id (and, once known, the workspace).
        logs.request_id.set(uuid.uuid4().hex[:16])
        raw_bytes = await read_body(request)
        if raw_bytes is None:
            return PlainTextResponse("the body is too large", status_code=400)
        try:
            raw = raw_bytes.decode("utf-8")
        except UnicodeDecodeError:
            return PlainTextResponse("the body is not UTF-8", status_code=400)
        headers = request.headers
        content_type = headers.get("content-type", "")
        if is_ssl_check(raw, content_type):
            return PlainTextResponse("")
        if not is_signed(verifier, raw, headers):
            return PlainTextResponse("invalid request", status_code=401)
        # Signed: it waits for a thread as the bytes Slack sent, and is parsed on its turn.
        async with turns:
            try:
                body = parse_body(raw, content_type)
                bolt_request = inbound.bolt_request(raw, body, request.url.query, dict(headers))
            except (BadRequest, ValueError, TypeError, AttributeError, KeyError, IndexError):
                # Signed, but not shaped like anything Slack sends.
                return PlainTextResponse("malformed body", status_code=400)
            logs.team_id.set(bolt_request.context.team_id)
            kind = metrics.request_kind(body)
            metrics.REQUESTS.labels(kind).inc()
            try:
                # The log lines of the request (its id, its workspace) go along to the thread.
                context = contextvars.copy_context()
                response = await asyncio.get_running_loop().run_in_executor(
                    threads, context.run, app.dispatch, bolt_request
                )
            except Exception:
                log.exception("dispatch failed")
                response = BoltResponse(status=500, body="")
            if response.status < 500:
                answer = to_starlette_response(response)
            else:
                # An event that failed is answered 503 so that Slack sends it again; anything
                # else has had its private apology, or gets an empty acknowledgement.
                answer = Response(status_code=503 if kind == "event" else 200)
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
