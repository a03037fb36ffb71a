"""The fake Slack API must look like Slack to the real slack_sdk client."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fake_slack import FakeSlack
from slack_requests import SlackSender, signed_headers
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

SECRET = "test-signing-secret"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    # slack_sdk annotates timeout as int but passes it straight to urllib, which takes floats.
    return WebClient(token="xoxb-test", base_url=fake.api_url, timeout=0.5)  # type: ignore[arg-type]


def test_post_message_increasing_ts_and_recorded_blocks(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    first = client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="again")
    assert first["channel"] == "C1"
    assert float(second["ts"]) > float(first["ts"])
    calls = fake.wait_for("chat.postMessage", 2)
    assert calls[0].body["blocks"] == blocks
    assert calls[0].failed is None


def test_dm_to_user_answers_with_im_channel(client: WebClient) -> None:
    assert client.chat_postMessage(channel="U1", text="psst")["channel"] == "D1"


def test_user_info_reflects_admins(fake: FakeSlack, client: WebClient) -> None:
    fake.admins.add("UADMIN")
    assert client.users_info(user="UADMIN")["user"]["is_admin"] is True
    assert fake.calls("users.info")[0].body == {"user": "UADMIN"}


def test_rate_limited_on_demand(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", "429", retry_after=7)
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="x")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert fake.rate_limited == 1
    assert [c.failed for c in fake.calls("chat.postMessage", include_failed=True)] == ["429"]
    assert fake.calls("chat.postMessage") == []


def test_per_channel_rate_limit(fake: FakeSlack, client: WebClient) -> None:
    fake.per_channel_rate = 1.0
    client.chat_postMessage(channel="C1", text="first")
    client.chat_postMessage(channel="C2", text="other channel is independent")
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="too soon")
    assert info.value.response.status_code == 429
    assert int(info.value.response.headers["Retry-After"]) >= 1
    assert fake.rate_limited == 1


def test_timeout_then_quick_stop(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", "timeout")
    started = time.monotonic()
    with pytest.raises(OSError):  # socket timeout or a URLError wrapping it
        client.chat_postMessage(channel="C1", text="x")
    assert time.monotonic() - started < 1.5
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 1.0
    assert fake.calls("chat.postMessage", include_failed=True)[0].failed == "timeout"


def test_error_code_on_demand(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", "error:channel_not_found")
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C404", text="x")
    assert info.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C404", text="x")["ok"] is True


def test_response_url_is_recorded_by_name(fake: FakeSlack) -> None:
    resp = WebhookClient(fake.response_url("cmd1")).send(text="done", replace_original=True)
    assert (resp.status_code, resp.body) == (200, "ok")
    (call,) = fake.wait_for("response_url")
    assert call.name == "cmd1"
    assert call.body["text"] == "done"


def test_wait_for_times_out_with_summary(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"auth\.test"):
        fake.wait_for("chat.postMessage", timeout=0.2)


def test_signed_headers_pass_slack_verification() -> None:
    body = "command=%2Fliaise&text=hello"
    now = int(time.time())
    headers = signed_headers(SECRET, body, now)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("other-secret").is_valid_request(body, headers)


def test_sender_sends_what_slack_sends() -> None:
    seen: list[tuple[dict[str, str], str]] = []

    class Echo(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
            seen.append((dict(self.headers.items()), raw))
            bad = self.headers["X-Slack-Signature"] == "v0=forged"
            self.send_response(401 if bad else 200)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sender = SlackSender(f"http://127.0.0.1:{server.server_address[1]}", SECRET)
        assert sender.event({"type": "app_mention"}, retry_num=1).status == 200
        assert sender.command("/liaise", "hi", "U1", signature="v0=forged").status == 401
    finally:
        server.shutdown()
        server.server_close()
    headers, raw = seen[0]
    assert SignatureVerifier(SECRET).is_valid_request(raw, headers)
    assert headers["X-Slack-Retry-Num"] == "1"
    assert json.loads(raw)["event"] == {"type": "app_mention"}
