"""`/liaison search` and `/liaison stats` over signed HTTP: private answers, links to the
messages, workspaces kept apart, and business-hours figures on a history seeded at
injected times (expected values worked out by hand in the comments)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import (
    Served,
    serve,
    set_up,
    settings_for,
    typed,
    wait_until,
)
from fake_slack import FakeSlack
from slack_requests import SlackSender

from storage.calendar import Calendar
from storage.enums import Action, ItemKind
from storage.models import AuditEntry, Delivery, Item
from storage.policy.permissions import Actor
from storage.reports.stats import percentile
from storage.views import Draft

NOW = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)  # Monday 11:00 in New York
M1, L1 = "U_M1", "U_L1"
WS, OTHER_WS = "T0001", "T0002"
NY = ZoneInfo("America/New_York")


@pytest.fixture
def bridge(fake: FakeSlack, db_url: str) -> Iterator[Served]:
    # Time starts at NOW and runs on, so that delivery's pacing lets posts go out.
    start = time.monotonic()
    app = serve(
        settings_for(fake, db_url), clock=lambda: NOW + timedelta(seconds=time.monotonic() - start)
    )
    try:
        set_up(app, (M1,), (L1,))
        yield app
    finally:
        app.runtime.stop()


def ny(day: int, hour: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=NY).astimezone(UTC)


def post(app: Served, user: str, kind: ItemKind, text: str, at: datetime, ws: str = WS) -> int:
    return app.runtime.services.items.post(Actor(ws, user), Draft(kind, typed(text)), at).item_id


def search(app: Served, fake: FakeSlack, words: str, user: str = M1, name: str = "s") -> Any:
    reply = app.slack.command(
        "/liaison", f"search {words}", user, response_url=fake.response_url(name)
    )
    assert reply.status == 200
    call = wait_until(lambda: next((c for c in fake.calls("response_url") if c.name == name), None))
    return call.body


def test_search_is_private_newest_first_with_links_and_one_workspace_only(
    bridge: Served, fake: FakeSlack
) -> None:
    first = post(bridge, M1, ItemKind.QUESTION, "Who covers the ORTHO mailer list?", ny(1, 10))
    second = post(bridge, L1, ItemKind.OFFER, "Ortho talking points for the mailer", ny(2, 10))
    post(bridge, L1, ItemKind.UPDATE, "Cardiology event moved", ny(3, 10))
    bridge.runtime.services.items.answer(
        Actor(WS, L1), first, typed("Dana's group, by the way"), ny(1, 11)
    )
    # The same words in another workspace stay there.
    other = SlackSender(bridge.url, "test-signing-secret", team_id=OTHER_WS)
    set_up(Served(bridge.runtime, other, bridge.url), (M1,), (L1,))
    post(bridge, M1, ItemKind.QUESTION, "ortho mailer elsewhere", ny(4, 10), ws=OTHER_WS)
    wait_until(lambda: all(d.result_ts for d in bridge.rows(Delivery) if d.kind == "post"))

    answer = search(bridge, fake, "mailer ortho")
    assert answer["response_type"] == "ephemeral"
    shown = json.dumps(answer["blocks"])
    assert shown.index("Ortho talking points") < shown.index("Who covers the ORTHO")
    assert "elsewhere" not in shown and "Cardiology" not in shown
    assert "2 matches for" in shown
    messages = {d.id: d for d in bridge.rows(Delivery)}
    items = {i.id: i for i in bridge.rows(Item)}
    for item_id in (first, second):
        sent = messages[items[item_id].delivery_id]
        assert f"/archives/{sent.result_channel}/p{sent.result_ts.replace('.', '')}" in shown
    # An answer's words find its question; case does not matter.
    assert "Who covers" in json.dumps(search(bridge, fake, "DANA", name="s2")["blocks"])
    assert "Nothing matches" in search(bridge, fake, "ortho nothing-like-this", name="s3")["text"]
    # No words: how to search, and nothing else.
    assert "/liaison search" in bridge.slack.command("/liaison", "search", M1).text


def test_search_caps_its_list(bridge: Served, fake: FakeSlack) -> None:
    for n in range(13):
        post(bridge, M1, ItemKind.UPDATE, f"Spine update {n}", ny(1, 9) + timedelta(minutes=n))
    shown = json.dumps(search(bridge, fake, "spine")["blocks"])
    assert "Spine update 12" in shown and "Spine update 2\\n" not in shown
    assert "and 3 more" in shown


def test_business_hours_between_counts_only_open_hours_on_business_days() -> None:
    between = Calendar(NY).business_hours_between
    assert between(ny(4, 16), ny(7, 10)) == timedelta(hours=2)  # Fri→Mon
    assert between(ny(1, 8), ny(2, 11)) == timedelta(hours=10)
    assert between(ny(5, 10), ny(5, 11)) == timedelta(0)  # Saturday
    assert between(ny(2, 11), ny(1, 8)) == timedelta(0)  # backwards
    closed = Calendar(NY, frozenset({date(2026, 12, 1)})).business_hours_between
    assert closed(ny(1, 8), ny(2, 11)) == timedelta(hours=2)
    # Thanksgiving is no business day.
    assert between(ny(25, 16, 11), ny(27, 10, 11)) == timedelta(hours=2)
    # Daylight saving ends on Nov 1, 2026: a business day is still 8 hours.
    assert between(ny(30, 9, 10), ny(2, 17, 11)) == timedelta(hours=16)
    assert percentile([2.0, 2.5, 10.0], 0.9) == 10.0
    assert percentile([], 0.9) is None


def test_stats_per_team_in_business_hours(bridge: Served) -> None:
    items = bridge.runtime.services.items
    marketing, liaison = Actor(WS, M1), Actor(WS, L1)

    def answered(asker: Actor, answerer: Actor, asked: datetime, at: datetime | None) -> None:
        question = post(bridge, asker.user_id, ItemKind.QUESTION, "A question", asked)
        if at is not None:
            items.answer(answerer, question, typed("An answer"), at)

    # Marketing asks: 2.5 h; Fri 16:00 → Mon 10:00 is 2 h; Tue 08:00 → Wed 11:00 is 10 h;
    # one unanswered; one 49 days ago (1 h), outside 30 days.
    answered(marketing, liaison, ny(30, 10, 11), ny(30, 12, 11) + timedelta(minutes=30))
    answered(marketing, liaison, ny(4, 16), ny(7, 10))
    answered(marketing, liaison, ny(1, 8), ny(2, 11))
    answered(marketing, liaison, ny(3, 9), None)
    answered(marketing, liaison, ny(19, 10, 10), ny(19, 11, 10))
    # The liaisons ask on a Saturday and get an answer within the hour: 0 business hours.
    answered(liaison, marketing, ny(5, 10), ny(5, 11))
    taken = post(bridge, L1, ItemKind.OFFER, "Target list", ny(1, 10))
    post(bridge, L1, ItemKind.OFFER, "Talking points", ny(2, 10))
    post(bridge, M1, ItemKind.OFFER, "Leave-behinds", ny(2, 10))
    items.accept(marketing, taken, ny(1, 12))
    items.deliver(liaison, taken, None, ny(3, 12))

    reply = bridge.slack.command("/liaison", "stats", M1)
    assert reply.status == 200
    marketing_column, liaison_column = (f["text"] for f in reply.json()["blocks"][1]["fields"])
    # Median of 2, 2.5 and 10 is 2.5; the 90th percentile (nearest rank, 3 of 3) is 10.
    assert "Questions asked: 4" in marketing_column
    assert "Answered: `▓▓▓▓▓▓▓▓░░` 3 of 4" in marketing_column
    assert "median: 2.5 h" in marketing_column and "percentile: 10.0 h" in marketing_column
    assert (
        "Offers made: 1" in marketing_column and "Accepted: `░░░░░░░░░░` 0 of 1" in marketing_column
    )
    assert "median: 0.0 h" in liaison_column
    assert "Offers made: 2" in liaison_column
    assert "Accepted: `▓▓▓▓▓░░░░░` 1 of 2" in liaison_column
    assert "Delivered: `▓▓▓▓▓░░░░░` 1 of 2" in liaison_column

    # 90 days takes the October question in: median of 1, 2, 2.5 and 10 is 2.25.
    ninety = bridge.slack.command("/liaison", "stats 90d", L1).json()["blocks"][1]["fields"][0]
    assert "Questions asked: 5" in ninety["text"] and "median: 2.2 h" in ninety["text"]
    assert "This quarter" in bridge.slack.command("/liaison", "stats quarter", L1).text
    assert "30d" in bridge.slack.command("/liaison", "stats yesterday", L1).text


def test_a_result_slack_cannot_link_opens_its_channel(bridge: Served, fake: FakeSlack) -> None:
    post(bridge, M1, ItemKind.UPDATE, "Spine mailer is out", ny(1, 9))
    wait_until(lambda: all(d.result_ts for d in bridge.rows(Delivery)))
    [sent] = [d for d in bridge.rows(Delivery) if d.kind == "post"]
    fake.fail_next("chat.getPermalink", "error:message_not_found")
    [block] = [b for b in search(bridge, fake, "spine")["blocks"] if b["type"] == "section"]
    # The channel's link, with its "&" escaped as in any other mrkdwn link.
    link = f"https://slack.com/app_redirect?team={WS}&amp;channel={sent.result_channel}"
    assert f"<{link}|Open in Slack>" in block["text"]["text"]


def test_search_and_stats_are_for_the_teams_members_only(bridge: Served, fake: FakeSlack) -> None:
    post(bridge, M1, ItemKind.UPDATE, "Ortho mailer list is ready", ny(1, 10))
    guest, outsider = "U_GUEST", "U_NOBODY"
    # A single-channel guest reads what it is shown, nothing more: guests can't join a team,
    # so to search and figures they are outside every team, like anyone who hasn't joined.
    fake.guests.add(guest)
    for who in (guest, outsider):
        for text in ("search ortho", "stats"):
            reply = bridge.slack.command("/liaison", text, who)
            assert reply.status == 200
            assert "Ortho mailer" not in reply.text and "→" not in reply.text, (who, text)
            assert reply.text.startswith("You're not in a team yet."), (who, text)
    assert not [c for c in fake.calls("response_url") if "Ortho" in json.dumps(c.body)]
    # Each read by a member is audited, with counts only: never the words.
    assert search(bridge, fake, "ortho", user=L1)["response_type"] == "ephemeral"
    audited = [a for a in bridge.rows(AuditEntry) if a.action == Action.SEARCH]
    assert [(a.actor_id, a.detail) for a in audited] == [(L1, {"words": 1, "results": 1})]
