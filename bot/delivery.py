"""The worker that sends queued Slack calls, retrying until Slack has them.

429s wait for Retry-After; 5xx, timeouts and connection errors back off exponentially.
A row is sent at least once: if the process dies between Slack's answer and our record of
it, the lease runs out and the call is made again.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.metrics import DELIVERIES
from handlers.messages import with_link
from storage.enums import DeliveryKind
from storage.outbox import Fail, Job, Outbox, Outcome, Retry, Sent

log = logging.getLogger(__name__)

# Retrying cannot help these; the message is dropped from the queue and logged.
PERMANENT = frozenset(
    {
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_arguments",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "user_not_found",
        "cannot_dm_bot",
        "restricted_action",
    }
)
# Might be a channel that was just created elsewhere; give it a few tries.
FAIL_AFTER_FEW = frozenset({"channel_not_found"})
FEW = 3
# The workspace must reinstall or fix the token: wait long, but keep the message.
SUSPENDED = frozenset(
    {"account_inactive", "token_revoked", "invalid_auth", "missing_scope", "not_authed"}
)
SUSPENDED_WAIT = timedelta(minutes=15)
UNKNOWN_LIMIT = 10  # attempts before an unexpected error gives up
MAX_BACKOFF = 600.0
CHANNEL_PACE = timedelta(seconds=1)  # Slack: about one message per second per channel
NO_PACE = timedelta(0)
BATCH = 4  # rows run_once claims and records at once when many are due
OUTCOMES: dict[type, str] = {Sent: "sent", Retry: "retry", Fail: "failed"}


def utcnow() -> datetime:
    return datetime.now(UTC)


def backoff(attempts: int, base: float = 1.0) -> timedelta:
    seconds = min(MAX_BACKOFF, base * 2 ** max(0, attempts - 1))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


class SlackSender:
    """Makes the Slack call a queued row stands for; returns the message's channel and ts."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def send(self, job: Job) -> tuple[str | None, str | None]:
        payload = dict(job.payload)
        client = self._client
        if job.kind == DeliveryKind.HOME:  # not a channel post: no message, no ts
            client.views_publish(user_id=job.channel, view=payload)
            return None, None
        if job.kind == DeliveryKind.EDIT:
            reply = client.chat_update(
                channel=job.ref_channel or job.channel, ts=job.ref_ts or "", **payload
            )
        else:
            channel = job.channel
            if job.kind == DeliveryKind.THREAD:
                channel = job.ref_channel or channel
                payload["thread_ts"] = job.ref_ts
            elif job.kind == DeliveryKind.DM and job.ref_channel and job.ref_ts:
                # The link is a convenience: a deleted message must not cost the DM.
                with contextlib.suppress(SlackApiError):
                    link = client.chat_getPermalink(channel=job.ref_channel, message_ts=job.ref_ts)
                    payload = with_link(payload, str(link["permalink"]))
            reply = client.chat_postMessage(
                channel=channel, unfurl_links=False, unfurl_media=False, **payload
            )
        return reply.get("channel"), reply.get("ts")


def _retry_after(error: SlackApiError) -> float:
    headers = {k.lower(): v for k, v in (error.response.headers or {}).items()}
    value = headers.get("retry-after", "1")
    if isinstance(value, list):
        value = value[0]
    try:
        return max(1.0, float(value))
    except ValueError:
        return 1.0


class DeliveryWorker:
    """One dispatcher thread claims due rows (never more than there are free senders) and
    hands them to a pool of sender threads, so slow Slack calls overlap; answers are
    recorded in batches. Any number of workers may run, in any number of processes."""

    def __init__(
        self,
        outbox: Outbox,
        sender: SlackSender,
        *,
        senders: int = 16,
        clock: Callable[[], datetime] = utcnow,
        poll: float = 1.0,
        lease: timedelta = timedelta(minutes=2),
    ) -> None:
        self._outbox = outbox
        self._sender = sender
        self._senders = senders
        self._clock = clock
        self._poll = poll
        self._lease = lease
        self._stop = threading.Event()
        self._wake = threading.Condition()
        self._dispatcher: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._dispatcher = threading.Thread(target=self._dispatch, name="delivery", daemon=True)
        self._dispatcher.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.wake()
        if self._dispatcher is not None:
            self._dispatcher.join(timeout)
            self._dispatcher = None

    def wake(self) -> None:
        """Something was queued: look now instead of at the next poll."""
        with self._wake:
            self._wake.notify()

    def run_once(self) -> bool:
        """Claim a few due rows (each the head of its channel), send them one after another
        and record the answers; False when nothing was due."""
        jobs = self._outbox.claim_many(self._clock(), self._lease, BATCH)
        if not jobs:
            return False
        self._outbox.settle([self._attempt(job) for job in jobs], self._clock())
        return True

    def drain(self, ids: list[int], timeout: float) -> int:
        """Send until these rows are done (sent or given up) or `timeout` seconds pass.

        Rows already waiting when the drain starts count as its own, so a run after a crash
        delivers what the crashed run had queued. Returns how many are still pending.
        """
        deadline = time.monotonic() + timeout
        ids = sorted({*ids, *self._outbox.pending_ids()})
        while time.monotonic() < deadline:
            if self.run_once():
                continue
            left, due = self._outbox.unfinished(ids)
            if not left:
                return 0
            wait = (due - self._clock()).total_seconds() if due else self._poll
            self._stop.wait(min(max(wait, 0.05), self._poll, deadline - time.monotonic()))
        return self._outbox.unfinished(ids)[0]

    def _dispatch(self) -> None:
        inflight: set[Future[Outcome]] = set()
        answers: list[Outcome] = []  # kept until recorded, even if recording fails once
        with ThreadPoolExecutor(self._senders, thread_name_prefix="delivery-send") as pool:
            while not self._stop.is_set():
                try:
                    free = self._senders - len(inflight)
                    jobs = self._outbox.claim_many(self._clock(), self._lease, free) if free else []
                    inflight |= {pool.submit(self._attempt, job) for job in jobs}
                    if not inflight and not answers:
                        with self._wake:
                            self._wake.wait(self._poll)
                        continue
                    if inflight:
                        done, inflight = wait(inflight, self._poll, FIRST_COMPLETED)
                        # Record every answer already in, in one transaction.
                        done |= {f for f in inflight if f.done()}
                        inflight -= done
                        answers += [f.result() for f in done]
                    self._settle(answers)
                except Exception:  # the database may be briefly away; keep delivering
                    log.exception("delivery pass failed")
                    self._stop.wait(self._poll)
            # Stopping: let the calls under way finish and record them, so they are not
            # made again by whoever claims them after their lease.
            answers += [f.result() for f in wait(inflight).done]
            self._settle(answers)

    def _settle(self, answers: list[Outcome]) -> None:
        if answers:
            self._outbox.settle(answers, self._clock())
            answers.clear()

    def _attempt(self, job: Job) -> Outcome:
        outcome = self._send(job)
        DELIVERIES.labels(OUTCOMES[type(outcome)]).inc()
        return outcome

    def _send(self, job: Job) -> Outcome:
        try:
            channel, ts = self._sender.send(job)
        except SlackApiError as error:
            return self._api_error(job, error)
        except (OSError, TimeoutError) as error:  # timeouts, refused and reset connections
            return self._retry(job, type(error).__name__, backoff(job.attempts))
        except Exception as error:
            log.exception("unexpected error sending delivery %s", job.id)
            return self._retry_or_fail(job, type(error).__name__)
        # Only messages count against a channel's pace; a Home published is none.
        return Sent(job.id, channel, ts, CHANNEL_PACE if job.kind != DeliveryKind.HOME else NO_PACE)

    def _api_error(self, job: Job, error: SlackApiError) -> Outcome:
        status = error.response.status_code
        code = str(error.response.get("error", "") or f"http_{status}")
        if status == 429:
            return self._retry(job, "ratelimited", timedelta(seconds=_retry_after(error)))
        if status >= 500:
            return self._retry(job, f"http_{status}", backoff(job.attempts))
        if code in PERMANENT or (code in FAIL_AFTER_FEW and job.attempts >= FEW):
            log.warning("delivery %s to %s failed for good: %s", job.id, job.channel, code)
            return Fail(job.id, code)
        if code in SUSPENDED:
            log.error("Slack refused the token (%s): reinstall or fix SLACK_BOT_TOKEN", code)
            return self._retry(job, code, SUSPENDED_WAIT)
        if code in FAIL_AFTER_FEW or code in ("internal_error", "fatal_error", "ratelimited"):
            return self._retry(job, code, backoff(job.attempts))
        return self._retry_or_fail(job, code)

    def _retry_or_fail(self, job: Job, code: str) -> Outcome:
        if job.attempts >= UNKNOWN_LIMIT:
            log.warning("delivery %s gave up after %s attempts: %s", job.id, job.attempts, code)
            return Fail(job.id, code)
        return self._retry(job, code, backoff(job.attempts))

    def _retry(self, job: Job, reason: str, wait: timedelta) -> Outcome:
        seconds = wait.total_seconds()
        log.info("delivery %s to %s: retry in %.1fs (%s)", job.id, job.channel, seconds, reason)
        return Retry(job.id, reason, self._clock() + wait)
