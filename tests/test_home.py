"""App Home, "my queue", driven as Slack drives it: app_home_opened events and button clicks
over signed HTTP; what the app published is read from the fake Slack's views.publish calls."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from conftest import ADMIN, LIA_CHANNEL, MKT_CHANNEL, SECRET, Served, typed, wait_until
from fake_slack import FakeSlack
from slack_sdk.models.views import View
from sqlalchemy import select

from bot.sandbox.signed_requests import FORM, app_home_opened, interaction_form, view_actions
from bot.sandbox.slack import SlackStandIn
from handlers import ids
from storage.enums import DeliveryKind, DeliveryStatus, GoalLevel, GoalStatus, ItemKind
from storage.models import Delivery, Item
from storage.policy.permissions import Actor
from storage.views import Draft, GoalDraft

M1, M2, L1, L2 = "U_M1", "U_M2", "U_L1", "U_L2"
NOBODY = "U_NEW"


def published(fake: FakeSlack, user: str, since: int = 0) -> list[dict[str, Any]]:
    views = []
    for call in fake.calls("views.publish")[since:]:
        if call.body.get("user_id") == user:
            view = call.body["view"]
            views.append(json.loads(view) if isinstance(view, str) else view)
    return views


def latest(fake: FakeSlack, user: str, since: int = 0) -> dict[str, Any]:
    return wait_until(lambda: (published(fake, user, since) or [None])[-1])


def texts(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"])


def buttons(view: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for block in view["blocks"]:
        elements = block.get("elements", []) if block["type"] == "actions" else []
        if block.get("accessory"):
            elements = [block["accessory"]]
        found += [(e["action_id"], e["value"]) for e in elements if e.get("type") == "button"]
    return found


def open_home(app: Served, fake: FakeSlack, user: str) -> dict[str, Any]:
    before = len(fake.calls("views.publish"))
    event = app_home_opened(user, "D" + user[2:])
    assert app.slack.event(event, event_id=f"Ev-{user}-{before}").status == 200
    return latest(fake, user, before)


def ask(app: Served, user: str, text: str, channel: str = MKT_CHANNEL) -> int:
    assert app.slack.command("/ask", text, user, channel).status == 200
    return max(item.id for item in app.rows(Item))


def test_home_for_a_liaison_a_marketer_and_someone_in_no_team(
    teams: Served, fake: FakeSlack
) -> None:
    question = ask(teams, M1, "Which cardiology practices split referrals?")
    assert (
        teams.slack.command("/offer", "Talking points for the ortho launch", L1, LIA_CHANNEL).status
        == 200
    )
    offer = max(item.id for item in teams.rows(Item))
    assert teams.slack.command("/offer", "A target list of PCPs", M2, MKT_CHANNEL).status == 200
    offer_to_liaisons = max(item.id for item in teams.rows(Item))

    liaison = open_home(teams, fake, L2)
    assert liaison["type"] == "home"
    assert (ids.ANSWER, str(question)) in buttons(liaison)
    assert (ids.ACCEPT, str(offer_to_liaisons)) in buttons(liaison)
    assert (ids.DECLINE, str(offer_to_liaisons)) in buttons(liaison)
    assert "Which cardiology practices split referrals?" in texts(liaison)
    assert (ids.CLOSE, str(question)) not in buttons(liaison)

    marketer = open_home(teams, fake, M1)
    assert (ids.CLOSE, str(question)) in buttons(marketer)  # my open question
    assert (ids.ACCEPT, str(offer)) in buttons(marketer)  # an offer to my team
    assert (ids.ANSWER, str(question)) not in buttons(marketer)
    offerer = open_home(teams, fake, L1)
    assert (ids.WITHDRAW, str(offer)) in buttons(offerer)

    stranger = open_home(teams, fake, NOBODY)
    assert buttons(stranger) == []
    assert "/liaison join marketing" in texts(stranger)


def test_the_home_is_republished_after_each_change_that_touches_its_owner(
    teams: Served, fake: FakeSlack
) -> None:
    assert (
        teams.slack.command("/offer", "Collateral for the spine event", M1, MKT_CHANNEL).status
        == 200
    )
    offer = max(item.id for item in teams.rows(Item))
    assert (ids.ACCEPT, str(offer)) in buttons(open_home(teams, fake, L1))
    marketer = open_home(teams, fake, M1)
    assert (ids.WITHDRAW, str(offer)) in buttons(marketer)

    before = len(fake.calls("views.publish"))
    button = {"action_id": ids.ACCEPT, "block_id": "b", "value": str(offer), "type": "button"}
    home = fake.workspace.home_of(L1) or {}
    click = interaction_form(view_actions(L1, button, home, f"trigger:{L1}:9"))
    assert teams.slack.raw(click, FORM).status == 200
    mine = latest(fake, L1, before)
    assert (ids.DELIVER, str(offer)) in buttons(mine)
    assert (ids.ACCEPT, str(offer)) not in buttons(mine)
    # The offerer's Home loses its Withdraw; someone who never opened the Home gets none.
    assert (ids.WITHDRAW, str(offer)) not in buttons(latest(fake, M1, before))
    assert published(fake, "U_L3", before) == []
    # What happened is said in a small modal, not by replacing the Home.
    wait_until(lambda: fake.calls("views.open"))
    assert not fake.calls("views.update")

    # Joining a team is a change too: the newcomer's Home becomes their team's queue.
    assert "/liaison join" in texts(open_home(teams, fake, NOBODY))
    before = len(fake.calls("views.publish"))
    assert teams.slack.command("/liaison", "join marketing", NOBODY, MKT_CHANNEL).status == 200
    assert "My open questions" in texts(latest(fake, NOBODY, before))


def test_a_newer_home_replaces_the_ones_still_waiting(teams: Served) -> None:
    services, now = teams.runtime.services, datetime(2026, 12, 7, 15, tzinfo=UTC)
    teams.runtime.worker.stop()  # nothing goes out: the queue is inspected as it is
    for _ in range(3):
        services.home.opened("T0001", L1, now)
    services.items.post(Actor("T0001", M1), Draft(ItemKind.QUESTION, typed("Any news?")), now)
    with teams.runtime.db.unit_of_work() as uow:
        homes = uow.session.scalars(
            select(Delivery).where(Delivery.kind == DeliveryKind.HOME, Delivery.channel == L1)
        ).all()
    assert [h.status for h in homes] == [DeliveryStatus.PENDING]
    # The marker draws the Home when it is sent: with the question asked after it was queued.
    assert "Any news?" in json.dumps(services.home.view("T0001", L1))


def test_block_kit_limits_with_500_open_items(teams: Served, fake: FakeSlack) -> None:
    services, now = teams.runtime.services, datetime(2026, 12, 7, 15, tzinfo=UTC)
    for n in range(250):
        services.items.post(
            Actor("T0001", M1), Draft(ItemKind.QUESTION, typed(f"Q{n} " + "x" * 900)), now
        )
        services.items.post(
            Actor("T0001", M1), Draft(ItemKind.OFFER, typed(f"O{n} " + "y" * 900)), now
        )
    view = open_home(teams, fake, L1)
    assert len(view["blocks"]) <= 100
    assert View(**view).to_dict()["blocks"] == view["blocks"]  # Block Kit's own checks
    assert "and 242 more" in texts(view)  # 250 questions, 8 shown
    marketer = open_home(teams, fake, M1)
    assert len(marketer["blocks"]) <= 100
    assert texts(marketer).count("and 242 more") == 2  # my questions, my offers


def message_shortcut(user: str, channel: str, message: dict[str, Any]) -> dict[str, Any]:
    """A message shortcut, as Slack sends it (type message_action; api.slack.com/reference/
    interaction-payloads/shortcuts)."""
    return {
        "type": "message_action",
        "token": "dummy-verification-token",
        "action_ts": "1700000100.000000",
        "team": {"id": "T0001", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0001"},
        "channel": {"id": channel, "name": "chan-" + channel.lower()},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": ids.ASK_ABOUT,
        "trigger_id": f"trigger:{user}:7",
        "message_ts": message["ts"],
        "message": message,
        "response_url": "http://127.0.0.1:9/unused",
    }


def test_the_message_shortcut_opens_the_ask_form_quoting_the_message(
    teams: Served, fake: FakeSlack
) -> None:
    said = {
        "type": "message",
        "user": M2,
        "ts": "1700000050.000300",
        "text": "Mailers go out Sept 9 &amp; Dr. Lee's office wants 40 copies\nCall 555-0100",
        "team": "T0001",
    }
    shortcut = message_shortcut(L1, MKT_CHANNEL, said)
    assert teams.slack.raw(interaction_form(shortcut), FORM).status == 200
    modal = wait_until(lambda: fake.workspace.modal_for(L1))
    assert modal["callback_id"] == f"{ids.COMPOSE}:ask"
    text_input = next(b for b in modal["blocks"] if b["block_id"] == ids.TEXT_BLOCK)["element"]
    initial = text_input["initial_value"]
    link = f"/archives/{MKT_CHANNEL}/p1700000050000300"
    assert link in initial
    assert "> Mailers go out Sept 9 & Dr. Lee's office wants 40 copies\n> Call 555-0100" in initial
    permalinks = fake.calls("chat.getPermalink")
    assert permalinks[-1].body["message_ts"] == "1700000050.000300"
    # Nothing is stored until the form is sent.
    assert teams.rows(Item) == []


def test_the_sandbox_opens_the_home_and_clicks_in_it(teams: Served, fake: FakeSlack) -> None:
    standin = SlackStandIn(fake.workspace, teams.url, SECRET, fake.api_url)
    assert teams.slack.command("/offer", "Event support for the spine night", M1).status == 200
    offer = max(item.id for item in teams.rows(Item))
    standin.home_opened(L1)
    home = wait_until(lambda: fake.workspace.home_of(L1))
    assert (ids.ACCEPT, str(offer)) in buttons(home)
    accept = {"action_id": ids.ACCEPT, "block_id": "b", "value": str(offer), "type": "button"}
    standin.home_click(L1, accept)
    wait_until(lambda: (ids.DELIVER, str(offer)) in buttons(fake.workspace.home_of(L1) or home))


def test_a_team_goal_redraws_its_team_s_homes(teams: Served, fake: FakeSlack) -> None:
    services, now = teams.runtime.services, datetime.now(UTC)  # the app's own clock
    open_home(teams, fake, L2)
    open_home(teams, fake, M1)
    admin = Actor("T0001", ADMIN, app_admin=True)
    top = GoalDraft(typed("Grow ortho referrals 10%"), GoalLevel.CORPORATE)
    parent = services.goals.create(admin, top, now)
    before = len(fake.calls("views.publish"))
    draft = GoalDraft(typed("Visit 40 ortho offices"), GoalLevel.TEAM, parent_id=parent.id)
    goal = services.goals.create(Actor("T0001", L1), draft, now)
    assert "Visit 40 ortho offices" in texts(latest(fake, L2, before))
    before = len(fake.calls("views.publish"))
    at_risk = replace(draft, status=GoalStatus.AT_RISK)
    services.goals.edit(Actor("T0001", L1), goal.id, at_risk, now)
    assert "at risk" in texts(latest(fake, L2, before))
    assert published(fake, M1, before) == []  # not Marketing's goal
