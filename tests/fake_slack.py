"""A small in-process stand-in for Slack's Web API and response_url webhooks.

Point slack_sdk's ``WebClient(base_url=fake.api_url)`` at it; every request is
recorded as a :class:`Call` so tests can assert on what the app sent. The answers come from
the sandbox's in-memory workspace (bot/sandbox/workspace.py), so tests and the sandbox
speak one dialect of Slack; this adds the recording, failures on demand (also at random,
and "posted_timeout": Slack takes the call but the answer never arrives), an outage
(connections refused) and rate limits.
"""

from __future__ import annotations

import json
import math
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.arguments import parse_api_body
from bot.sandbox.workspace import Workspace

_FAIL_MODES = ("429", "500", "timeout", "posted_timeout")


@dataclass(frozen=True)
class Call:
    method: str
    body: dict[str, Any]
    at: float
    raw: str = ""
    failed: str | None = None
    # Set only for response_url calls: the NAME in /response/NAME.
    name: str | None = None
    token: str | None = None  # the bearer token the call was made with


@dataclass(frozen=True)
class _Failure:
    mode: str
    retry_after: int


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Held "timeout" requests must not make stop() wait for them.
    block_on_close = False

    def __init__(self, fake: FakeSlack, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (timed out, or its process stopped) is not the fake's error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def send(
        self, status: int, body: str, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


class FakeSlack:
    def __init__(self) -> None:
        self.workspace = Workspace()
        # Who users.info reports as a workspace admin or owner.
        self.admins: set[str] = self.workspace.admins
        self.owners: set[str] = self.workspace.owners
        self.guests: set[str] = self.workspace.guests  # is_restricted in users.info
        self.latency: float = 0.0
        self.answer_delay: float = 0.0  # after the call took effect, before the answer
        self.per_channel_rate: float | None = None
        self.hold_seconds: float = 2.0
        self.rate_limited: int = 0
        # Tokens Slack no longer takes, and the error it answers calls made with them.
        self.refused: dict[str, str] = {}
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._last_post: dict[str, float] = {}
        # When each chat.postMessage took effect, by the channel it landed in.
        self.post_times: dict[str, list[float]] = {}
        self._chaos: tuple[float, random.Random, int] | None = None
        self._port = 0
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------
    def start(self, port: int = 0) -> FakeSlack:
        """Serve on `port` (0: any free one); again on the same port after `stop()` is Slack
        coming back."""
        self._stopping.clear()
        self._server = _Server(self, port or self._port)
        self._port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        # Wake held and delayed requests first so shutdown is quick.
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # -- test controls -------------------------------------------------------
    def fail_next(self, method: str, mode: str, times: int = 1, retry_after: int = 1) -> None:
        if mode not in _FAIL_MODES and not mode.startswith("error:"):
            raise ValueError(f"unknown failure mode {mode!r}")
        with self._cond:
            self._failures.setdefault(method, []).extend([_Failure(mode, retry_after)] * times)

    def chaos(self, rate: float, retry_after: int = 1, seed: int = 7) -> None:
        """Fail this share of Web API calls at random: 429, 500 or posted_timeout."""
        with self._cond:
            self._chaos = (rate, random.Random(seed), retry_after) if rate else None

    def go_down(self) -> None:
        """Slack unreachable: connections are refused until come_back()."""
        self.stop()

    def come_back(self) -> None:
        self.start()

    def delivered(self) -> Counter[int]:
        """How many messages in the workspace carry each delivery id (in their metadata)."""
        with self.workspace.lock:
            payloads = [(m.metadata or {}).get("event_payload") for m in self.workspace.messages]
        return Counter(p["delivery_id"] for p in payloads if isinstance(p, dict))

    def reset(self) -> None:
        with self._cond:
            self._calls.clear()
            self._failures.clear()
            self._last_post.clear()
            self.rate_limited = 0

    def calls(self, method: str | None = None, *, include_failed: bool = False) -> list[Call]:
        with self._cond:
            return [
                c
                for c in self._calls
                if (method is None or c.method == method) and (include_failed or c.failed is None)
            ]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        def matching() -> list[Call]:
            return [
                c
                for c in self._calls
                if c.method == method and c.failed is None and (where is None or where(c))
            ]

        with self._cond:
            if self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                return matching()
            got = len(matching())
            seen = "\n".join(
                f"  {c.method}{f'[{c.name}]' if c.name else ''}"
                f"{f' FAILED {c.failed}' if c.failed else ''}: "
                f"{json.dumps(c.body, default=str)[:200]}"
                for c in self._calls
            )
        raise AssertionError(
            f"waited {timeout}s for {count} successful {method!r} call(s), got {got}; "
            f"recorded:\n{seen or '  (nothing)'}"
        )

    # -- request handling ----------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def _handle(self, req: _Handler) -> None:
        url = urlsplit(req.path)
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length).decode("utf-8", "replace") if length else ""
        if url.path.startswith("/api/"):
            method, name = url.path[len("/api/") :], None
        elif url.path.startswith("/response/"):
            method, name = "response_url", url.path[len("/response/") :]
        else:
            req.send(404, "not found", "text/plain")
            return
        try:
            body = parse_api_body(raw, req.headers.get("Content-Type", ""), url.query)
        except ValueError:
            body = {}
        now = time.time()

        with self._cond:
            queued = self._failures.get(method)
            failure = queued.pop(0) if queued else None
            token = _bearer(req.headers.get("Authorization", ""))
            if failure is None and name is None and method != "oauth.v2.access":
                failure = self._auth_check(token)
            if failure is None and self._chaos and method != "response_url":
                rate, dice, retry_after = self._chaos
                if dice.random() < rate:
                    failure = _Failure(dice.choice(("429", "500", "posted_timeout")), retry_after)
            if failure is None:
                failure = self._rate_check(method, body, now)
            if failure is not None and failure.mode == "429":
                self.rate_limited += 1
        self._record(Call(method, body, now, raw, failure.mode if failure else None, name, token))

        if failure is not None and failure.mode == "posted_timeout":
            self._answer(method, body, now)  # Slack took it; the answer is lost
        if failure is not None and failure.mode in ("timeout", "posted_timeout"):
            # Hold the connection, then drop it without an answer.
            self._stopping.wait(self.hold_seconds)
            req.close_connection = True
            return
        if self.latency and self._stopping.wait(self.latency):
            return
        if failure is None:
            if method == "response_url":
                req.send(200, "ok", "text/plain")
                return
            answer = json.dumps(self._answer(method, body, now))
            if self.answer_delay and self._stopping.wait(self.answer_delay):
                return
            req.send(200, answer, "application/json")
        elif failure.mode == "429":
            req.send(
                429,
                json.dumps({"ok": False, "error": "ratelimited"}),
                "application/json",
                {"Retry-After": str(failure.retry_after)},
            )
        elif failure.mode == "500":
            req.send(500, "internal error", "text/plain")
        else:
            error = failure.mode.split(":", 1)[1]
            req.send(200, json.dumps({"ok": False, "error": error}), "application/json")

    def _auth_check(self, token: str | None) -> _Failure | None:
        # Called with the lock held: Slack's answer to a missing or refused token.
        if token is None:
            return _Failure("error:not_authed", 0)
        if token in self.refused:
            return _Failure("error:" + self.refused[token], 0)
        return None

    def _answer(self, method: str, body: dict[str, Any], now: float) -> dict[str, Any]:
        answer = self.workspace.answer(method, body)
        if method == "chat.postMessage" and answer.get("ok"):
            with self._cond:
                self.post_times.setdefault(str(answer["channel"]), []).append(now)
        return answer

    def _rate_check(self, method: str, body: dict[str, Any], now: float) -> _Failure | None:
        # Called with the lock held; a simple minimum-interval limiter per channel.
        if self.per_channel_rate is None or method not in ("chat.postMessage", "chat.update"):
            return None
        channel = str(body.get("channel", ""))
        interval = 1.0 / self.per_channel_rate
        last = self._last_post.get(channel)
        if last is not None and now - last < interval:
            return _Failure("429", max(1, math.ceil(interval - (now - last))))
        self._last_post[channel] = now
        return None


def _bearer(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    return token if scheme == "Bearer" and token else None
