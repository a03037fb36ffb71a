"""Fuzzing the endpoint as an attacker or a broken proxy would: 1,000 requests with tampered
signatures, timestamps or bodies, and 300 signed but malformed payloads. None may get a 5xx
or leave a traceback in the logs; garbled headers get 401, malformed bodies 400 (or, for a
well-formed request of no use to the app, 200 with nothing done)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import http.client
import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from conftest import LIA_CHANNEL, MARKETING, MKT_CHANNEL, SECRET, Served
from fake_slack import FakeSlack
from slack_requests import fresh

from bot.sandbox import signed_requests as slack
from bot.server import MAX_BODY_BYTES
from handlers import ids

M1 = MARKETING[0]
Json = dict[str, Any]


def post(app: Served, body: bytes, headers: list[tuple[str, bytes]]) -> int:
    """POST with header values as raw bytes: non-ASCII ones reach the server as sent."""
    url = urlsplit(app.slack.url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    try:
        connection.putrequest("POST", url.path)
        for name, value in [("Content-Length", str(len(body)).encode()), *headers]:
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def signed(body: bytes, content_type: str, timestamp: int | None = None) -> list[tuple[str, bytes]]:
    """Slack's v0 signature over the raw bytes (some bodies here are not even UTF-8)."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(SECRET.encode(), b"v0:%d:%s" % (ts, body), hashlib.sha256).hexdigest()
    return [
        ("Content-Type", content_type.encode()),
        ("X-Slack-Request-Timestamp", str(ts).encode()),
        ("X-Slack-Signature", f"v0={digest}".encode()),
    ]


def templates(respond_to: str) -> list[tuple[Json, str]]:
    """Valid requests of every kind the app takes, as Slack sends them."""
    command = dict(
        token="t",
        team_id="T0001",
        channel_id=MKT_CHANNEL,
        user_id=M1,
        command="/share",
        text="Mailers land Monday",
        trigger_id=fresh("trig"),
        response_url=respond_to,
    )
    click = slack.block_actions(
        M1,
        {"action_id": ids.ACCEPT, "block_id": "b", "value": "1", "type": "button"},
        channel=MKT_CHANNEL,
        channel_name="marketing",
        message={"ts": "1.1", "text": ""},
        response_url=respond_to,
        trigger_id=fresh("trig"),
        team_id="T0001",
    )
    view = {"id": "V1", "type": "modal", "callback_id": ids.ANSWER_MODAL, "private_metadata": "1"}
    state = {ids.TEXT_BLOCK: {ids.TEXT_INPUT: {"type": "plain_text_input", "value": "Yes"}}}
    submission = slack.view_submission(M1, view, state, trigger_id=fresh("t"), team_id="T0001")
    event = json.loads(
        slack.event_envelope(
            slack.message_event(M1, LIA_CHANNEL, "hi", "1.2", "1.1", "T0001"), fresh("Ev"), "T0001"
        )
    )
    return [(command, "command"), (click, "payload"), (submission, "payload"), (event, "json")]


def encode(value: Json, how: str) -> tuple[bytes, str]:
    if how == "command":
        return urlencode(value).encode(), slack.FORM
    if how == "payload":
        return slack.interaction_form(value).encode(), slack.FORM
    return json.dumps(value).encode(), slack.JSON


JUNK: list[Any] = [None, 0, -1, 3.5, True, "", "x", [], {}, [None], {"": None}, "\x00", "é" * 9]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, inner in items:
        found.append((*prefix, key))
        if isinstance(inner, dict | list):
            found.extend(paths(inner, (*prefix, key)))
    return found


def mutated(value: Json, rng: random.Random) -> Json:
    """The request with one to three fields replaced by a value of the wrong type."""
    value = copy.deepcopy(value)
    for _ in range(rng.randint(1, 3)):
        where = rng.choice(paths(value))
        parent: Any = value
        for key in where[:-1]:
            parent = parent[key]
        parent[where[-1]] = rng.choice(JUNK)
        if not paths(value):
            break
    return value


def nested(depth: int) -> str:
    return '{"type": "event_callback", "event": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


def malformed(rng: random.Random, respond_to: str) -> tuple[bytes, str]:
    kind = rng.randrange(10)
    if kind == 0:
        return nested(rng.choice([70, 500, 5_000, 100_000])).encode(), slack.JSON
    if kind == 1:
        return ("[" * rng.choice([100, 10_000, 200_000])).encode(), slack.JSON
    if kind == 2:
        huge = {"type": "event_callback", "pad": "x" * (MAX_BODY_BYTES + rng.randrange(99))}
        return json.dumps(huge).encode(), slack.JSON
    if kind == 3:
        return rng.choice(
            [b"{", b"[1, 2]", b'"x"', b"null", b"\xff\xfe", b"payload=%7B"]
        ), slack.JSON
    if kind == 4:
        payload = rng.choice(["[]", "{", "null", '"x"', "7", '{"type": null}'])
        return urlencode({"payload": payload}).encode(), slack.FORM
    value, how = rng.choice(templates(respond_to))
    return encode(mutated(value, rng), how)


def tampered(rng: random.Random, respond_to: str) -> tuple[bytes, list[tuple[str, bytes]]]:
    value, how = rng.choice(templates(respond_to))
    body, content_type = encode(value, how)
    headers = dict(signed(body, content_type))
    signature, timestamp = headers["X-Slack-Signature"], headers["X-Slack-Request-Timestamp"]
    match rng.randrange(8):
        case 0:  # non-ASCII or garbled signature
            signature = rng.choice(
                [b"v0=" + "é".encode("latin-1") * 64, "v0=ÿ".encode("latin-1"), b"\xff" * 70]
            )
        case 1:  # a signature one character off, or of another scheme
            flipped = signature[:-1] + (b"0" if signature[-1:] != b"0" else b"1")
            signature = rng.choice([flipped, b"v1=" + signature[3:], b"", b"v0="])
        case 2:  # timestamps that are not plain numbers
            timestamp = rng.choice(
                ["١٢٣٤٥".encode(), "²³".encode("latin-1"), b"1e10", b"-5", b" 1", b"12.5", b"0x10"]
            )
        case 3:  # absurd, stale or future timestamps, the signature made for them
            ts = rng.choice([0, 10**40, int(time.time()) - 600, int(time.time()) + 900])
            resigned = dict(signed(body, content_type, ts % (10**18)))
            signature = resigned["X-Slack-Signature"]
            timestamp = str(ts).encode()
        case 4:  # the body changed after signing
            at = rng.randrange(len(body))
            body = body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]
        case 5:  # headers missing
            signature = b""
            timestamp = rng.choice([b"", timestamp])
        case 6:  # a very long signature
            signature = b"v0=" + b"a" * rng.choice([65, 10_000])
        case _:  # a timestamp valid, a signature from another secret
            signature = b"v0=" + b"%064x" % rng.getrandbits(256)
    headers["X-Slack-Signature"], headers["X-Slack-Request-Timestamp"] = signature, timestamp
    return body, list(headers.items())


@pytest.fixture
def quiet(caplog: pytest.LogCaptureFixture) -> Callable[[], list[logging.LogRecord]]:
    caplog.set_level(logging.INFO)
    return lambda: [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_tampered_requests_are_refused_401(
    teams: Served, fake: FakeSlack, quiet: Callable[[], list[logging.LogRecord]]
) -> None:
    rng, respond_to = random.Random(20261207), fake.response_url("fuzz")
    statuses = [post(teams, *tampered(rng, respond_to)) for _ in range(1000)]

    assert {status for status in statuses} == {401}
    assert quiet() == []


def test_malformed_payloads_never_get_a_5xx(
    teams: Served, fake: FakeSlack, quiet: Callable[[], list[logging.LogRecord]]
) -> None:
    rng, respond_to = random.Random(7), fake.response_url("fuzz")
    statuses = []
    for _ in range(300):
        body, content_type = malformed(rng, respond_to)
        statuses.append(post(teams, body, signed(body, content_type)))

    assert set(statuses) <= {200, 400}, sorted(set(statuses))
    assert statuses.count(400) > 150  # most are refused outright
    assert quiet() == []
