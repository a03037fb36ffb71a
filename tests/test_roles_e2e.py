"""Roles as Slack tells them: admins, guests, and refusals that name whom to ask."""

from __future__ import annotations

from conftest import ADMIN, LIA_CHANNEL, MARKETING, MKT_CHANNEL, Served
from fake_slack import FakeSlack

from storage.enums import Action
from storage.models import AuditEntry, Member

GUEST = "U_GUEST"


def test_a_guest_cannot_join_and_is_told_whom_to_ask(teams: Served, fake: FakeSlack) -> None:
    fake.guests.add(GUEST)
    reply = teams.slack.command("/liaison", "join marketing", GUEST, MKT_CHANNEL)
    assert reply.status == 200
    assert "Guest accounts can't take part" in reply.text
    assert f"<@{ADMIN}>" in reply.text  # the admin who set the teams up
    assert GUEST not in {m.user_id for m in teams.rows(Member)}


def test_only_the_join_asks_slack_and_the_answer_is_kept_briefly(
    app: Served, fake: FakeSlack
) -> None:
    user = "U_NEWCOMER"
    app.slack.command("/liaison", "join marketing", user, MKT_CHANNEL)
    app.slack.command("/liaison", "join liaison", user, LIA_CHANNEL)
    app.slack.command("/liaison", "teams", user, LIA_CHANNEL)
    assert len([c for c in fake.calls("users.info") if c.body.get("user") == user]) == 1


def test_a_workspace_admin_may_set_up_and_others_hear_whom_to_ask(
    teams: Served, fake: FakeSlack
) -> None:
    member = MARKETING[0]
    refused = teams.slack.command("/liaison", "setup liaison", member, "C_OTHER")
    assert "Only workspace admins and owners" in refused.text
    assert f"<@{ADMIN}>" in refused.text and "LIAISON_ADMINS" not in refused.text
    fake.owners.add("U_OWNER")
    done = teams.slack.command("/liaison", "setup liaison", "U_OWNER", "C_OTHER")
    assert "now the home of Physician Liaisons" in done.text
    setups = [a for a in teams.rows(AuditEntry) if a.action == Action.SETUP]
    assert [a.actor_id for a in setups] == [ADMIN, ADMIN, "U_OWNER"]
