"""`/liaison`: home channels, joining and leaving teams, the overview and help."""

from __future__ import annotations

from conftest import ADMIN, LIA_CHANNEL, LIAISONS, MARKETING, MKT_CHANNEL, Served
from fake_slack import Call, FakeSlack
from slack_requests import Reply

from storage.enums import Action
from storage.models import AuditEntry, Member, Team, Update

M1, M2 = MARKETING
L1 = LIAISONS[0]
NEWBIE = "U_NEW"
NOT_ADMIN = "Only workspace admins and owners, and the app's admins can set up the teams' channels."
COULD_NOT_CHECK = (
    "Slack didn't answer when Liaison Bridge checked your account, so nothing was changed. "
    "Please try again in a minute."
)


def liaison(app: Served, text: str, user: str, channel: str = MKT_CHANNEL) -> Reply:
    reply = app.slack.command("/liaison", text, user, channel)
    assert reply.status == 200, reply
    assert "in_channel" not in reply.body  # every answer is private
    return reply


def channels(app: Served) -> dict[str, str | None]:
    return {team.key: team.channel_id for team in app.rows(Team)}


def membership(app: Served) -> dict[str, str]:
    keys = {team.id: team.key for team in app.rows(Team)}
    return {member.user_id: keys[member.team_id] for member in app.rows(Member)}


def setups(app: Served) -> list[str]:
    return [entry.actor_id for entry in app.rows(AuditEntry) if entry.action == Action.SETUP]


def users_info(fake: FakeSlack, user: str) -> list[Call]:
    return [c for c in fake.calls("users.info", include_failed=True) if c.body.get("user") == user]


# -- setup ------------------------------------------------------------------------------------


def test_setup_by_a_liaison_admin_sets_the_channel(app: Served, fake: FakeSlack) -> None:
    reply = liaison(app, "setup marketing", ADMIN, "C_HOME")

    assert "This channel is now the home of Marketing" in reply.text
    assert "/invite @Liaison Bridge" in reply.text
    assert channels(app) == {"marketing": "C_HOME", "liaison": None}
    assert setups(app) == [ADMIN]
    assert fake.calls("users.info", include_failed=True) == []  # LIAISON_ADMINS need no lookup

    # Run again elsewhere, it moves the home; aliases and capitals work.
    reply = liaison(app, "SETUP Liaisons", ADMIN, "C_FIELD")
    assert "home of Physician Liaisons" in reply.text
    liaison(app, "setup MKT", ADMIN, "C_HOME2")
    assert channels(app) == {"marketing": "C_HOME2", "liaison": "C_FIELD"}


def test_setup_by_a_workspace_admin_or_owner_works(app: Served, fake: FakeSlack) -> None:
    fake.admins.add("U_WSADMIN")
    fake.owners.add("U_OWNER")

    reply = liaison(app, "setup liaison", "U_WSADMIN", LIA_CHANNEL)
    assert "home of Physician Liaisons" in reply.text
    reply = liaison(app, "setup marketing", "U_OWNER", MKT_CHANNEL)
    assert "home of Marketing" in reply.text

    assert channels(app) == {"marketing": MKT_CHANNEL, "liaison": LIA_CHANNEL}
    assert len(users_info(fake, "U_WSADMIN")) == 1
    assert len(users_info(fake, "U_OWNER")) == 1
    assert sorted(setups(app)) == ["U_OWNER", "U_WSADMIN"]


def test_setup_by_anyone_else_is_refused_and_changes_nothing(
    teams: Served, fake: FakeSlack
) -> None:
    before = channels(teams)

    for text in ["setup marketing", "setup liaison", "setup"]:
        reply = liaison(teams, text, M1, "C_ELSEWHERE")
        assert reply.text.startswith(NOT_ADMIN), text

    assert channels(teams) == before == {"marketing": MKT_CHANNEL, "liaison": LIA_CHANNEL}
    assert setups(teams) == [ADMIN, ADMIN]  # only the fixture's two
    # Slack was asked once, when M1 joined; its answer (no admin) is kept for a minute.
    assert len(users_info(fake, M1)) == 1


def test_setup_when_slack_cannot_say_who_is_admin(teams: Served, fake: FakeSlack) -> None:
    # An admin in truth whom the app has not looked up yet, but Slack's answer never arrives.
    fake.admins.add(NEWBIE)
    fake.fail_next("users.info", "error:user_not_found")
    reply = liaison(teams, "setup marketing", NEWBIE, "C_ELSEWHERE")
    assert reply.text == COULD_NOT_CHECK  # in words: never Slack's error code

    for mode in ["500", "429", "timeout"]:  # Slack down, rate limited, or too slow
        fake.fail_next("users.info", mode)
        reply = liaison(teams, "setup marketing", NEWBIE, "C_ELSEWHERE")
        assert reply.text == COULD_NOT_CHECK, mode

    assert channels(teams) == {"marketing": MKT_CHANNEL, "liaison": LIA_CHANNEL}
    assert setups(teams) == [ADMIN, ADMIN]

    # Once Slack answers again, the same admin gets through.
    assert "home of Marketing" in liaison(teams, "setup marketing", NEWBIE, "C_ELSEWHERE").text
    assert channels(teams)["marketing"] == "C_ELSEWHERE"


def test_setup_needs_a_known_team(app: Served) -> None:
    reply = liaison(app, "setup", ADMIN)
    assert reply.text == "Which team? `marketing` or `liaison`, e.g. `/liaison join marketing`."
    reply = liaison(app, "setup sales", ADMIN)
    assert reply.text == "There is no team “sales”. The teams are `marketing` and `liaison`."
    assert all(channel is None for channel in channels(app).values())
    assert setups(app) == []


# -- join and leave -------------------------------------------------------------------------


def test_join_puts_the_user_in_a_team_and_join_again_switches(
    teams: Served, fake: FakeSlack
) -> None:
    reply = liaison(teams, "join marketing", NEWBIE)
    assert reply.text == f"You're in Marketing now. Its channel is <#{MKT_CHANNEL}>."
    assert membership(teams)[NEWBIE] == "marketing"

    reply = liaison(teams, "join Physician-Liaisons", NEWBIE)
    assert reply.text == f"You're in Physician Liaisons now. Its channel is <#{LIA_CHANNEL}>."
    assert membership(teams)[NEWBIE] == "liaison"
    assert [m.user_id for m in teams.rows(Member)].count(NEWBIE) == 1

    # Now a liaison, their update goes to Marketing.
    share = teams.slack.command("/share", "Visited 4 practices", NEWBIE, LIA_CHANNEL)
    assert "on its way to Marketing" in share.text
    [post] = fake.wait_for("chat.postMessage")
    assert post.body["channel"] == MKT_CHANNEL
    assert "Plan update from Physician Liaisons" in post.body["text"]


def test_join_a_team_without_a_channel_yet(app: Served) -> None:
    reply = liaison(app, "join liaison", L1)
    assert reply.text == "You're in Physician Liaisons now."
    assert membership(app) == {L1: "liaison"}


def test_join_without_a_team_or_with_an_unknown_one_says_which_teams_exist(app: Served) -> None:
    for text in ["join", "join   "]:
        reply = liaison(app, text, NEWBIE)
        assert reply.text == "Which team? `marketing` or `liaison`, e.g. `/liaison join marketing`."

    reply = liaison(app, "join sales", NEWBIE)
    assert reply.text == "There is no team “sales”. The teams are `marketing` and `liaison`."

    # The name is cut, and a broadcast in it echoed as plain words, never as one.
    reply = liaison(app, "join <!channel> " + "x" * 100, NEWBIE)
    assert "<!channel>" not in reply.text
    assert "There is no team “@channel xxx" in reply.text
    assert "x" * 50 not in reply.text

    assert app.rows(Member) == []


def test_leave_takes_the_user_out_of_their_team(teams: Served, fake: FakeSlack) -> None:
    reply = liaison(teams, "leave", M1)
    assert reply.text.startswith("You left Marketing.")
    assert "/liaison join marketing" in reply.text
    assert M1 not in membership(teams)
    assert membership(teams)[M2] == "marketing"

    share = teams.slack.command("/share", "After leaving", M1, MKT_CHANNEL)
    assert "You're not in a team yet" in share.text
    assert teams.rows(Update) == []

    reply = liaison(teams, "leave", M1)
    assert reply.text.startswith("You're not in a team yet.")
    assert "/liaison join marketing" in reply.text
    assert fake.calls("chat.postMessage") == []


# -- overview and help ------------------------------------------------------------------------


def test_teams_lists_both_teams_their_channels_and_members(teams: Served) -> None:
    lines = liaison(teams, "teams", NEWBIE).text.split("\n")

    assert len(lines) == 2
    [liaisons] = [line for line in lines if line.startswith("*Physician Liaisons* (`liaison`)")]
    [marketing] = [line for line in lines if line.startswith("*Marketing* (`marketing`)")]
    assert f"<#{LIA_CHANNEL}>" in liaisons and f"<#{MKT_CHANNEL}>" in marketing
    assert all(f"<@{u}>" in liaisons for u in LIAISONS)
    assert all(f"<@{u}>" in marketing for u in MARKETING)
    assert not any(f"<@{u}>" in marketing for u in LIAISONS)
    assert not any(f"<@{u}>" in liaisons for u in MARKETING)


def test_teams_before_any_setup(app: Served) -> None:
    reply = liaison(app, "teams", NEWBIE)
    assert sorted(reply.text.split("\n")) == [
        "*Marketing* (`marketing`), no channel yet: nobody yet",
        "*Physician Liaisons* (`liaison`), no channel yet: nobody yet",
    ]


def test_help_and_unknown_subcommands_explain_the_commands(app: Served, fake: FakeSlack) -> None:
    answers = [liaison(app, text, NEWBIE).text for text in ["help", "", "HELP", "frobnicate now"]]

    assert len(set(answers)) == 1
    [help_text] = set(answers)
    for command in ["/share", "/ask", "/offer"]:
        assert f"e.g. `{command} " in help_text, command
    for sub in ["join marketing", "leave", "teams", "setup marketing", "help"]:
        assert f"/liaison {sub}" in help_text, sub
    assert "without text opens a form" in help_text
    assert app.rows(Member) == []
    assert fake.calls("chat.postMessage") == []
