"""The sandbox's in-memory Slack and its clock, without a browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.sandbox.clock import SandboxClock, next_digest, next_reask
from bot.sandbox.people import seeded
from bot.sandbox.workspace import Workspace
from storage.calendar import Calendar
from storage.workspaces import Schedule

TUESDAY = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 in New York


def test_threads_edits_and_history_as_slack_keeps_them() -> None:
    slack = seeded(Workspace(clock=lambda: TUESDAY.timestamp()))
    parent = slack.answer("chat.postMessage", {"channel": "CMARKETING", "text": "offer"})
    reply = slack.answer(
        "chat.postMessage",
        {
            "channel": "CMARKETING",
            "text": "again",
            "thread_ts": parent["ts"],
            "reply_broadcast": True,
        },
    )
    assert float(reply["ts"]) > float(parent["ts"])
    edited = slack.answer(
        "chat.update", {"channel": "CMARKETING", "ts": parent["ts"], "text": "taken"}
    )
    found = slack.find("CMARKETING", parent["ts"])
    assert edited["ok"] and found is not None and found.edited
    missing = slack.answer("chat.update", {"channel": "CMARKETING", "ts": "1.2", "text": "x"})
    assert missing == {"ok": False, "error": "message_not_found"}
    history = slack.answer("conversations.history", {"channel": "CMARKETING"})["messages"]
    assert [m["text"] for m in history] == ["again", "taken"]  # newest first; the broadcast too
    thread = slack.answer("conversations.replies", {"channel": "CMARKETING", "ts": parent["ts"]})
    assert [m["text"] for m in thread["messages"]] == ["taken", "again"]


def test_people_modals_and_app_home() -> None:
    slack = seeded(Workspace())
    assert slack.answer("users.info", {"user": "UALEX"})["user"]["is_admin"] is True
    guest = slack.answer("users.info", {"user": "UCASEY"})["user"]
    assert (guest["is_admin"], guest["is_restricted"]) == (False, True)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Ask"}, "blocks": []}
    opened = slack.answer("views.open", {"trigger_id": "trigger:UDANA:7", "view": view})["view"]
    assert slack.modal_for("UDANA") == opened and slack.modal_for("URAJ") is None
    home = {"type": "home", "blocks": []}
    slack.answer("views.publish", {"user_id": "UDANA", "view": home})
    slack.answer("views.publish", {"user_id": "UDANA", "view": home})
    assert [v["kind"] for v in slack.views.values()] == ["modal", "home"]


def test_the_clock_skips_forward_only_and_finds_the_next_passes() -> None:
    clock = SandboxClock()
    later = clock() + timedelta(days=3)
    assert clock.skip_to(later) >= later
    assert clock.skip_to(later - timedelta(days=1)) >= later
    schedule = Schedule()  # Mondays 09:00, New York; re-ask after 3 business days
    assert next_digest(TUESDAY, schedule) == datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    calendar = Calendar(schedule.zone)
    assert next_reask(TUESDAY, schedule, calendar) == datetime(2026, 12, 4, 15, 1, tzinfo=UTC)
    # Asked on a Friday evening: three business days from Monday's opening.
    friday_evening = datetime(2026, 12, 18, 23, 30, tzinfo=UTC)
    assert next_reask(friday_evening, schedule, calendar) == datetime(
        2026, 12, 24, 14, 1, tzinfo=UTC
    )
    # A minute before closing: the minute after falls at closing, so the next opening.
    closing = datetime(2026, 12, 1, 21, 59, 30, tzinfo=UTC)  # Tuesday 16:59:30
    assert next_reask(closing, schedule, calendar) == datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
