"""The worker that sends queued Slack calls, retrying until Slack has them.

429s wait for Retry-After; 5xx, timeouts and connection errors back off exponentially, up
to MAX_BACKOFF, and the first success in a workspace makes its backed-off rows due at once.
A row is sent exactly once: when Slack may have taken a call whose answer we never had (a
timeout, a dropped connection, a 5xx, a process killed mid-call), the next attempt first
looks for the message in Slack (bot/delivery_check.py).
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.delivery_check import Unverifiable, find_posted, metadata
from bot.metrics import DELIVERIES
from handlers.messages import with_link
from storage.enums import REPEATABLE, DeliveryKind
from storage.outbox import Fail, Job, Outbox, Outcome, Retry, Sent
from storage.ports import Payload

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
# The workspace must reinstall or fix the token: its deliveries wait (the workspace is
# suspended, so its other rows are not tried one by one), the messages are kept.
SUSPENDED = frozenset(
    {"account_inactive", "token_revoked", "invalid_auth", "missing_scope", "not_authed"}
)
SUSPENDED_WAIT = timedelta(minutes=15)
UNKNOWN_LIMIT = 10  # attempts before an unexpected error gives up
# Short, so a channel is not idle for minutes after Slack is back; the first success in a
# workspace also makes its rows waiting on these errors due at once (Outbox.due_again).
MAX_BACKOFF = 10.0
TRANSIENT = frozenset(
    {"timeout", "connection_error", "connection_refused", "internal_error", "fatal_error"}
    | {f"http_{status}" for status in range(500, 505)}
)
# A call that may be in Slack where it cannot be looked for (a first DM to someone, a channel
# the app cannot read) is not made again: failed with this, for an admin to retry.
UNVERIFIABLE = "outcome_unknown"
CHANNEL_PACE = timedelta(seconds=1)  # Slack: about one message per second per channel
BATCH = 4  # rows run_once claims and records at once when many are due
# The dispatcher's shortest turn: a post waits at most this long for its transaction, and
# a busy queue costs one transaction per turn instead of two per post.
TURN = 0.01
WATCH_EVERY = 10.0  # seconds between looks at the queue's age
OUTCOMES: dict[type, str] = {Sent: "sent", Retry: "retry", Fail: "failed"}


def utcnow() -> datetime:
    return datetime.now(UTC)


def backoff(attempts: int, base: float = 1.0) -> timedelta:
    seconds = min(MAX_BACKOFF, base * 2 ** max(0, attempts - 1))
    # Never sooner than the pace: Slack may have posted the call that failed.
    return max(CHANNEL_PACE, timedelta(seconds=seconds * random.uniform(0.8, 1.2)))


class SlackSender:
    """Makes the Slack call a queued row stands for, with its workspace's own client;
    returns the message's channel and ts."""

    def __init__(
        self,
        clients: Callable[[str], WebClient],
        refused: Callable[[str, str], None],
        home: Callable[[str, str], Payload],
    ) -> None:
        self._clients = clients
        # Told when Slack refuses a workspace's token, to suspend its deliveries.
        self.refused = refused
        self._home = home  # a person's App Home as it is now, drawn when its marker is sent

    def send(self, job: Job) -> tuple[str | None, str | None]:
        payload = dict(job.payload)
        client = self._clients(job.workspace_id)
        if job.kind == DeliveryKind.HOME:  # not a channel post: no message, no ts
            view = self._home(job.workspace_id, job.channel)
            client.views_publish(user_id=job.channel, view=view)
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
                payload = self._linked(client, job.ref_channel, job.ref_ts, payload)
            reply = client.chat_postMessage(
                channel=channel,
                unfurl_links=False,
                unfurl_media=False,
                metadata=metadata(job),
                **payload,
            )
        return reply.get("channel"), reply.get("ts")

    def find(self, job: Job) -> tuple[str, str] | None:
        """The message an earlier, unsure attempt of this row put in Slack, if any."""
        return find_posted(self._clients(job.workspace_id), job)

    def _linked(
        self, client: WebClient, channel: str, ts: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """The DM with a link to its message. The link is a convenience: a deleted message
        must not cost the DM; a rate limit delays it (its Retry-After is kept)."""
        try:
            link = client.chat_getPermalink(channel=channel, message_ts=ts)
        except SlackApiError as error:
            if error.response.status_code == 429:
                raise
            return payload
        return with_link(payload, str(link["permalink"]))


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
        watch: Callable[[], object] | None = None,
    ) -> None:
        self._outbox = outbox
        self._sender = sender
        self._senders = senders
        self._clock = clock
        self._poll = poll
        self._lease = lease
        self._watch = watch  # looked at every WATCH_EVERY seconds: it logs a stale queue
        self._stop = threading.Event()
        self._wake = threading.Condition()
        # Workspaces whose last answer was a success; the first success after a transient
        # failure (or after start) makes that workspace's backed-off rows due at once.
        self._healthy: set[str] = set()
        self._recovered: set[str] = set()
        self._health_lock = threading.Lock()
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
        self._settle([self._attempt(job) for job in jobs])
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
        watched = last_turn = time.monotonic()
        with ThreadPoolExecutor(self._senders, thread_name_prefix="delivery-send") as pool:
            while not self._stop.is_set():
                try:
                    if self._watch and time.monotonic() - watched >= WATCH_EVERY:
                        watched = time.monotonic()
                        self._watch()
                    free = self._senders - len(inflight)
                    if free or answers:
                        # Record the answers in, and claim what the free senders can take:
                        # one transaction, at most one each TURN, so that a busy queue is
                        # recorded and claimed in batches.
                        if self._stop.wait(max(0.0, last_turn + TURN - time.monotonic())):
                            break
                        last_turn = time.monotonic()
                        done = {f for f in inflight if f.done()}
                        inflight -= done
                        answers += [f.result() for f in done]
                        free = self._senders - len(inflight)
                        now = self._clock()
                        jobs = self._outbox.claim_many(now, self._lease, free, answers)
                        self._recorded(answers, now)
                        inflight |= {pool.submit(self._attempt, job) for job in jobs}
                    if not inflight:
                        with self._wake:
                            self._wake.wait(self._poll)
                        continue
                    done, inflight = wait(inflight, self._poll, FIRST_COMPLETED)
                    done |= {f for f in inflight if f.done()}
                    inflight -= done
                    answers += [f.result() for f in done]
                except Exception:  # the database may be briefly away; keep delivering
                    log.exception("delivery pass failed")
                    self._stop.wait(self._poll)
            # Stopping: let the calls under way finish and record them, so they are not
            # made again by whoever claims them after their lease.
            answers += [f.result() for f in wait(inflight).done]
            self._settle(answers)

    def _settle(self, answers: list[Outcome]) -> None:
        if answers:
            now = self._clock()
            self._outbox.settle(answers, now)
            self._recorded(answers, now)

    def _recorded(self, answers: list[Outcome], now: datetime) -> None:
        """The answers are in the database: forget them, and make the rows of workspaces
        that have just recovered due at once."""
        if answers:
            answers.clear()
            with self._health_lock:
                recovered, self._recovered = self._recovered, set()
            for workspace_id in recovered:
                self._outbox.due_again(workspace_id, TRANSIENT, now)

    def _attempt(self, job: Job) -> Outcome:
        outcome = self._send(job)
        DELIVERIES.labels(OUTCOMES[type(outcome)]).inc()
        with self._health_lock:
            if isinstance(outcome, Sent) and job.workspace_id not in self._healthy:
                self._healthy.add(job.workspace_id)
                self._recovered.add(job.workspace_id)
            elif isinstance(outcome, Retry) and outcome.error in TRANSIENT:
                self._healthy.discard(job.workspace_id)
        return outcome

    def _send(self, job: Job) -> Outcome:
        # Until the check has found nothing, an earlier attempt may be in Slack.
        unsure = job.check_since is not None
        try:
            if unsure:
                found = self._sender.find(job)
                if found is not None:
                    log.info("delivery %s was already in Slack: recorded, not resent", job.id)
                    return Sent(job.id, *found, _pace(job))
                unsure = False
            channel, ts = self._sender.send(job)
        except Unverifiable:
            log.warning(
                "delivery %s may be in Slack, where it cannot be looked for: not resent", job.id
            )
            return Fail(job.id, UNVERIFIABLE)
        except SlackApiError as error:
            return self._api_error(job, error, unsure)
        except (OSError, TimeoutError) as error:  # timeouts, refused and reset connections
            if _never_sent(error):
                return self._retry(job, "connection_refused", backoff(job.attempts), unsure)
            reason = "timeout" if _timed_out(error) else "connection_error"
            return self._retry(job, reason, backoff(job.attempts), True)
        except Exception as error:
            log.exception("unexpected error sending delivery %s", job.id)
            return self._retry_or_fail(job, type(error).__name__, True)
        return Sent(job.id, channel, ts, _pace(job))

    def _api_error(self, job: Job, error: SlackApiError, unsure: bool) -> Outcome:
        """`unsure`: an earlier attempt may be in Slack (this error came before the check)."""
        status = error.response.status_code
        code = str(error.response.get("error", "") or f"http_{status}")
        if status == 429:
            wait = timedelta(seconds=_retry_after(error))
            return self._retry(job, "ratelimited", wait, unsure)
        if status >= 500:  # Slack may have posted it before failing
            return self._retry(job, f"http_{status}", backoff(job.attempts), True)
        if code in PERMANENT or (code in FAIL_AFTER_FEW and job.attempts >= FEW):
            log.warning("delivery %s to %s failed for good: %s", job.id, job.channel, code)
            return Fail(job.id, code)
        if code in SUSPENDED:
            self._sender.refused(job.workspace_id, code)
            return self._retry(job, code, SUSPENDED_WAIT, unsure)
        if code in ("internal_error", "fatal_error"):  # Slack may have posted it
            return self._retry(job, code, backoff(job.attempts), True)
        if code in FAIL_AFTER_FEW or code == "ratelimited":
            return self._retry(job, code, backoff(job.attempts), unsure)
        return self._retry_or_fail(job, code, unsure)

    def _retry_or_fail(self, job: Job, code: str, unsure: bool) -> Outcome:
        if job.attempts >= UNKNOWN_LIMIT:
            log.warning("delivery %s gave up after %s attempts: %s", job.id, job.attempts, code)
            return Fail(job.id, code)
        return self._retry(job, code, backoff(job.attempts), unsure)

    def _retry(self, job: Job, reason: str, wait: timedelta, unsure: bool) -> Outcome:
        seconds = wait.total_seconds()
        log.info("delivery %s to %s: retry in %.1fs (%s)", job.id, job.channel, seconds, reason)
        return Retry(job.id, reason, self._clock() + wait, unsure)


def _pace(job: Job) -> timedelta:
    """How long the channel then waits: an edit or a Home adds no message to it."""
    return timedelta(0) if job.kind in REPEATABLE else CHANNEL_PACE


def _never_sent(error: BaseException) -> bool:
    """Refused or unresolved before a byte went out: Slack surely did not take the call."""
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


def _timed_out(error: BaseException) -> bool:
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, TimeoutError)
