"""Several workspaces install the app over OAuth; each is served and posted to with its
own token, kept encrypted, and gone once the app is uninstalled."""

from __future__ import annotations

import json
import time

from conftest import LIA_CHANNEL, MKT_CHANNEL, Served
from fake_slack import FakeSlack
from installing import (
    L1,
    M1,
    event,
    in_workspace,
    install,
    oauth,
    ready,
    set_up,
    text_at_rest,
)
from slack_requests import Reply, SlackSender, fresh
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table, select

from bot.sandbox import signed_requests as slack
from handlers import ids
from storage.enums import Action, DeliveryStatus
from storage.models import (
    AuditEntry,
    Delivery,
    Question,
    Workspace,
    slack_bots,
    slack_installations,
    slack_oauth_states,
)

__all__ = ["oauth"]


def shared(text: str) -> object:
    return lambda call: text in json.dumps(call.body.get("blocks", []))


def test_a_workspace_installs_over_http_and_its_token_is_unreadable_at_rest(
    oauth: Served, fake: FakeSlack
) -> None:
    token = install(oauth, fake, "team=T1,user=U_INSTALLER")

    [access] = fake.calls("oauth.v2.access")
    assert access.body["code"] == "team=T1,user=U_INSTALLER"
    assert token.startswith("xoxb-T1-")
    with oauth.runtime.db.engine.connect() as connection:
        [bot] = connection.execute(select(slack_bots)).all()
    assert (bot.team_id, bot.enterprise_id, bot.bot_user_id) == ("T1", None, "UBOT")
    assert token not in text_at_rest(oauth)

    sender = in_workspace(oauth, "T1")
    set_up(sender)
    sender.command("/share", "Ortho mailers go out Sept 9", M1, MKT_CHANNEL)
    [post] = fake.wait_for("chat.postMessage", where=shared("Ortho mailers"))
    assert post.token == token
    assert token not in text_at_rest(oauth)


def test_two_workspaces_each_use_their_own_token(oauth: Served, fake: FakeSlack) -> None:
    senders = {team: ready(oauth, fake, team) for team in ("T1", "T2")}
    tokens = {team: token for team, (token, _) in senders.items()}
    assert tokens["T1"] != tokens["T2"]
    for team, (_, sender) in senders.items():
        reply = sender.command("/share", f"News from {team}", M1, MKT_CHANNEL)
        assert "on its way" in reply.text

    for team, token in tokens.items():
        [post] = fake.wait_for("chat.postMessage", where=shared(f"News from {team}"))
        assert post.token == token
    # Listener calls too: /share without text opens its form with the asking workspace's.
    for team, token in tokens.items():
        senders[team][1].command("/share", "", M1, MKT_CHANNEL, trigger_id=f"trigger:{M1}:{team}")
        [opened] = fake.wait_for("views.open", where=lambda c, t=team: t in c.body["trigger_id"])
        assert opened.token == token


def test_an_unknown_workspace_is_told_to_reinstall_without_an_error(
    oauth: Served, fake: FakeSlack
) -> None:
    install(oauth, fake, "team=T1")
    stranger = in_workspace(oauth, "T9")

    reply = stranger.command(
        "/share", "hello", M1, MKT_CHANNEL, response_url=fake.response_url("r")
    )

    assert reply.status == 200
    [told] = fake.wait_for("response_url")
    assert "reinstall" in told.body["text"].lower()
    assert oauth.rows(Delivery) == []


def org_command(sender: SlackSender, text: str, user: str, channel: str) -> Reply:
    """A command from a workspace of an org the app is installed in org-wide."""
    form = slack.command_form(
        "/liaison" if text.split()[0] in ("setup", "join") else "/ask",
        text,
        user,
        channel,
        "chan-" + channel.lower(),
        response_url="http://127.0.0.1:9/unused",
        trigger_id=fresh("trig"),
        team_id=sender.team_id,
    )
    form += "&enterprise_id=E1&enterprise_name=Org&is_enterprise_install=true"
    return sender.raw(form, slack.FORM)


def test_an_org_wide_install_serves_a_command_and_a_click_with_no_team(
    oauth: Served, fake: FakeSlack
) -> None:
    token = install(oauth, fake, "enterprise=E1")
    sender = in_workspace(oauth, "T7")  # a workspace of the org
    for text, user, channel in [
        ("setup marketing", "U_ADMIN", MKT_CHANNEL),
        ("setup liaison", "U_ADMIN", LIA_CHANNEL),
        ("join marketing", M1, MKT_CHANNEL),
        ("join liaison", L1, LIA_CHANNEL),
        ("Which practices split referrals?", M1, MKT_CHANNEL),
    ]:
        reply = org_command(sender, text, user, channel)
        assert reply.status == 200 and "went wrong" not in reply.text, reply

    [post] = fake.wait_for("chat.postMessage", where=shared("Which practices"))
    assert post.token == token
    [question] = oauth.rows(Question)
    # The click, as Slack sends it from an org-wide install: "team" is null.
    payload = slack.block_actions(
        L1,
        {"action_id": ids.ANSWER, "block_id": "b", "value": str(question.id), "type": "button"},
        channel=LIA_CHANNEL,
        channel_name="chan-c_lia",
        message={"ts": post.body.get("ts", "1.1"), "text": ""},
        response_url="http://127.0.0.1:9/unused",
        trigger_id=fresh("trig"),
        team_id="T7",
    )
    payload.update(team=None, enterprise={"id": "E1", "name": "Org"}, is_enterprise_install=True)
    reply = sender.raw(slack.interaction_form(payload), slack.FORM)

    assert reply.status == 200
    [opened] = fake.wait_for("views.open")
    assert opened.token == token
    [workspace] = oauth.rows(Workspace)
    assert (workspace.id, workspace.enterprise_id) == ("T7", "E1")

    # The org uninstalls: its install goes, and so does the queue of its workspaces.
    oauth.runtime.worker.stop()
    org_command(sender, "Who covers the north?", M1, MKT_CHANNEL)
    event(sender, {"type": "app_uninstalled", "event_ts": "1.2"}, "EvU9", org_wide="E1")
    with oauth.runtime.db.engine.connect() as connection:
        assert connection.execute(select(slack_bots)).all() == []
    [queued] = [r for r in oauth.rows(Delivery) if "north" in json.dumps(r.payload)]
    assert (queued.status, queued.last_error) == (DeliveryStatus.FAILED, "app_uninstalled")


def test_after_an_uninstall_no_call_uses_the_token_and_the_queue_is_cancelled(
    oauth: Served, fake: FakeSlack
) -> None:
    token, sender = ready(oauth, fake, "T1")
    other, elsewhere = ready(oauth, fake, "T2")
    oauth.runtime.worker.stop()  # posts stay queued
    for n in range(3):
        sender.command("/share", f"Queued {n}", M1, MKT_CHANNEL)
    elsewhere.command("/share", "Other workspace", M1, MKT_CHANNEL)

    event(sender, {"type": "app_uninstalled", "event_ts": "1700000000.1"}, "EvU1")
    started = time.time()
    oauth.runtime.worker.start()

    [post] = fake.wait_for("chat.postMessage", where=shared("Other workspace"))
    assert post.token == other
    cancelled = [r for r in oauth.rows(Delivery) if r.workspace_id == "T1" and r.status != "sent"]
    assert len(cancelled) == 3
    assert {(r.status, r.last_error) for r in cancelled} == {
        (DeliveryStatus.FAILED, "app_uninstalled")
    }
    audited = [a for a in oauth.rows(AuditEntry) if a.action == Action.GIVE_UP]
    assert sorted(a.object_id for a in audited) == sorted(r.id for r in cancelled)
    assert {a.actor_id for a in audited} == {"system"}
    with oauth.runtime.db.engine.connect() as connection:
        assert [b.team_id for b in connection.execute(select(slack_bots))] == ["T2"]
    # Then T1 asks again: it is told to reinstall, and its old token is never used.
    sender.command("/share", "After", M1, MKT_CHANNEL, response_url=fake.response_url("r"))
    assert [c for c in fake.calls() if c.token == token and c.at >= started] == []


def test_revoked_bot_tokens_go_and_a_user_token_revocation_leaves_the_bot(
    oauth: Served, fake: FakeSlack
) -> None:
    token, sender = ready(oauth, fake, "T1", "team=T1,user=U_INSTALLER")

    revoked = {"type": "tokens_revoked", "tokens": {"oauth": ["U_INSTALLER"], "bot": []}}
    event(sender, revoked, "EvR1")
    reply = sender.command("/share", "Still here", M1, MKT_CHANNEL)
    assert "on its way" in reply.text
    fake.wait_for("chat.postMessage", where=shared("Still here"))

    oauth.runtime.worker.stop()
    sender.command("/share", "Never sent", M1, MKT_CHANNEL)
    event(sender, {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}, "EvR2")
    with oauth.runtime.db.engine.connect() as connection:
        assert connection.execute(select(slack_bots)).all() == []
    [never] = [r for r in oauth.rows(Delivery) if "Never sent" in json.dumps(r.payload)]
    assert (never.status, never.last_error) == (DeliveryStatus.FAILED, "tokens_revoked")
    started = time.time()
    oauth.runtime.worker.start()
    reply = sender.command(
        "/share", "Refused", M1, MKT_CHANNEL, response_url=fake.response_url("r")
    )
    assert reply.status == 200
    [told] = fake.wait_for("response_url")
    assert "reinstall" in told.body["text"].lower()
    assert [c for c in fake.calls() if c.token == token and c.at >= started] == []


def test_our_install_tables_are_slack_sdks_column_for_column() -> None:
    def shape(table: Table) -> object:
        columns = [(c.name, repr(c.type), c.nullable, c.primary_key) for c in table.c]
        indexes = {(i.name, tuple(c.name for c in i.columns)) for i in table.indexes}
        return columns, indexes

    theirs = MetaData()
    store, states = SQLAlchemyInstallationStore, SQLAlchemyOAuthStateStore
    pairs = [
        (slack_installations, store.build_installations_table(theirs, "slack_installations")),
        (slack_bots, store.build_bots_table(theirs, "slack_bots")),
        (slack_oauth_states, states.build_oauth_states_table(theirs, "slack_oauth_states")),
    ]
    for ours, slack_sdks in pairs:
        assert shape(ours) == shape(slack_sdks)
