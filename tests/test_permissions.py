"""The permissions matrix, cell by cell: every role × every action, through the use cases."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import typed

from handlers.messages import SlackRenderer
from storage.enums import Action, GoalLevel, GoalStatus, ItemKind, Role
from storage.errors import NotAllowed, NotInTeam, Refused
from storage.policy.permissions import MATRIX, Actor, allowed
from storage.reports.stats import Period
from storage.services import Services
from storage.uow import Database
from storage.views import Draft, GoalDraft
from storage.workspaces import Schedule

WS = "T1"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
CLOSED = date(2026, 12, 24)  # a workspace's own closed day
# The admins who set the teams up; then the people whose roles the grid is about.
SETUP_ADMIN = Actor(WS, "U_SETUP", app_admin=True)
AUTHOR, SENDER, RECEIVER = "U_AUTHOR", "U_SENDER", "U_RECEIVER"
ROLES: dict[Role, Actor] = {
    Role.WORKSPACE_ADMIN: Actor(WS, "U_WSADMIN", workspace_admin=True),
    Role.APP_ADMIN: Actor(WS, "U_APPADMIN", app_admin=True),
    Role.SENDING_TEAM: Actor(WS, SENDER),
    Role.RECEIVING_TEAM: Actor(WS, RECEIVER),
    Role.AUTHOR: Actor(WS, AUTHOR),
    Role.NO_TEAM: Actor(WS, "U_NOBODY"),
    Role.GUEST: Actor(WS, "U_GUEST", guest=True),
    Role.SYSTEM: Actor.app(WS),
}

# What a hospital's compliance review signs off: Y may, . may not. Written out by hand, so
# that a change to the matrix shows here as a change to the grid.
GRID = """
            ws_admin app_admin sending receiving author no_team guest system
setup          Y        Y         .        .        .       .      .      .
settings       Y        Y         .        .        .       .      .      .
add_closed_day Y        Y         .        .        .       .      .      .
remove_closed_day Y     Y         .        .        .       .      .      .
join           Y        Y         Y        Y        Y       Y      .      .
leave          .        .         Y        Y        Y       .      .      .
share          .        .         Y        Y        Y       .      .      .
ask            .        .         Y        Y        Y       .      .      .
offer          .        .         Y        Y        Y       .      .      .
answer         .        .         .        Y        .       .      .      .
close          .        .         .        .        Y       .      .      .
accept         .        .         .        Y        .       .      .      .
decline        .        .         .        Y        .       .      .      .
deliver        .        .         .        Y        Y       .      .      .
withdraw       .        .         .        .        Y       .      .      .
snooze         .        .         .        Y        .       .      .      .
keep_asking    .        .         .        .        Y       .      .      .
export         Y        Y         .        .        .       .      .      Y
purge          Y        Y         .        .        .       .      .      Y
service_lines  Y        Y         .        .        .       .      .      .
corporate_goal Y        Y         .        .        .       .      .      .
team_goal      .        .         Y        .        Y       .      .      .
search         .        .         Y        Y        Y       .      .      .
stats          .        .         Y        Y        Y       .      .      .
"""
COLUMNS = {
    "ws_admin": Role.WORKSPACE_ADMIN,
    "app_admin": Role.APP_ADMIN,
    "sending": Role.SENDING_TEAM,
    "receiving": Role.RECEIVING_TEAM,
    "author": Role.AUTHOR,
    "no_team": Role.NO_TEAM,
    "guest": Role.GUEST,
    "system": Role.SYSTEM,
}


def expected() -> dict[tuple[Role, Action], bool]:
    header, *rows = [line.split() for line in GRID.strip().splitlines()]
    return {
        (COLUMNS[column], Action(row[0])): mark == "Y"
        for row in rows
        for column, mark in zip(header, row[1:], strict=True)
    }


@pytest.fixture
def world(db: Database) -> Services:
    services = Services.build(db, SlackRenderer())
    teams = services.teams
    teams.set_channel(SETUP_ADMIN, "marketing", "C_MKT", NOW)
    teams.set_channel(SETUP_ADMIN, "liaison", "C_LIA", NOW)
    for user in (AUTHOR, SENDER):
        teams.join(Actor(WS, user), "marketing", NOW)
    teams.join(Actor(WS, RECEIVER), "liaison", NOW)
    return services


def _item(services: Services, kind: ItemKind) -> int:
    return services.items.post(Actor(WS, AUTHOR), Draft(kind, typed("A target list")), NOW).item_id


def _accepted_offer(services: Services) -> int:
    offer = _item(services, ItemKind.OFFER)
    services.items.accept(Actor(WS, RECEIVER), offer, NOW)
    return offer


Attempt = Callable[[Services, Actor], object]
ATTEMPTS: dict[Action, Attempt] = {
    Action.SETUP: lambda s, a: s.teams.set_channel(a, "marketing", "C_NEW", NOW),
    Action.SETTINGS: lambda s, a: s.schedules.update(a, Schedule(max_reasks=4), NOW),
    Action.ADD_CLOSED_DAY: lambda s, a: s.schedules.close_day(a, CLOSED, None, NOW),
    Action.REMOVE_CLOSED_DAY: lambda s, a: s.schedules.reopen_day(a, _closed(s), NOW),
    Action.JOIN: lambda s, a: s.teams.join(a, "liaison", NOW),
    Action.LEAVE: lambda s, a: s.teams.leave(a, NOW),
    Action.SHARE: lambda s, a: s.items.post(a, Draft(ItemKind.UPDATE, typed("Mailers out")), NOW),
    Action.ASK: lambda s, a: s.items.post(
        a, Draft(ItemKind.QUESTION, typed("Which offices?")), NOW
    ),
    Action.OFFER: lambda s, a: s.items.post(a, Draft(ItemKind.OFFER, typed("A target list")), NOW),
    Action.ANSWER: lambda s, a: s.items.answer(
        a, _item(s, ItemKind.QUESTION), typed("Lakeside"), NOW
    ),
    Action.CLOSE: lambda s, a: s.items.close(a, _item(s, ItemKind.QUESTION), NOW),
    Action.ACCEPT: lambda s, a: s.items.accept(a, _item(s, ItemKind.OFFER), NOW),
    Action.DECLINE: lambda s, a: s.items.decline(a, _item(s, ItemKind.OFFER), None, NOW),
    Action.DELIVER: lambda s, a: s.items.deliver(a, _accepted_offer(s), None, NOW),
    Action.WITHDRAW: lambda s, a: s.items.withdraw(a, _item(s, ItemKind.OFFER), NOW),
    Action.SNOOZE: lambda s, a: s.items.snooze(a, _item(s, ItemKind.QUESTION), NOW),
    Action.KEEP_ASKING: lambda s, a: s.items.keep_asking(a, _item(s, ItemKind.QUESTION), NOW),
    # Export and purge have no Slack entry point yet: the operator's command line acts as the
    # app itself. The matrix still decides, through the same check every use case makes.
    Action.EXPORT: lambda s, a: _permit(s, a, Action.EXPORT),
    Action.PURGE: lambda s, a: _permit(s, a, Action.PURGE),
    Action.SERVICE_LINES: lambda s, a: s.service_lines.add(a, typed(f"ENT {a.user_id}"), NOW),
    Action.CORPORATE_GOAL: lambda s, a: s.goals.create(
        a, GoalDraft(typed("Grow ortho referrals"), GoalLevel.CORPORATE), NOW
    ),
    Action.TEAM_GOAL: lambda s, a: _edit_marketing_goal(s, a),
    Action.SEARCH: lambda s, a: s.search.search(a, "target", NOW),
    Action.STATS: lambda s, a: s.stats.report(a, Period.QUARTER, NOW),
}


def _closed(services: Services) -> date:
    services.schedules.close_day(SETUP_ADMIN, CLOSED, None, NOW)
    return CLOSED


def _edit_marketing_goal(services: Services, actor: Actor) -> object:
    """Marketing's team goal, changed by `actor`: its own team may, no one else."""
    top = GoalDraft(typed("Grow ortho referrals"), GoalLevel.CORPORATE)
    parent = services.goals.create(SETUP_ADMIN, top, NOW).id
    draft = GoalDraft(typed("Visit 40 ortho offices"), GoalLevel.TEAM, parent_id=parent)
    goal = services.goals.create(Actor(WS, AUTHOR), draft, NOW).id
    return services.goals.edit(actor, goal, replace(draft, status=GoalStatus.AT_RISK), NOW)


def _permit(services: Services, actor: Actor, action: Action) -> None:
    with services.items._db.unit_of_work() as uow:
        uow.permit(actor, action, None)


def test_the_grid_names_every_role_and_every_action_people_take() -> None:
    cells = expected()
    assert {role for role, _ in cells} == set(Role)
    assert {action for _, action in cells} == set(ATTEMPTS)


@pytest.mark.parametrize("action", list(ATTEMPTS), ids=str)
def test_each_role_may_take_exactly_the_actions_the_grid_allows(
    world: Services, action: Action
) -> None:
    cells = expected()
    for role, actor in ROLES.items():
        if role == Role.SYSTEM and action not in (Action.EXPORT, Action.PURGE):
            continue  # the app itself never joins, posts or clicks
        try:
            ATTEMPTS[action](world, actor)
        except (NotAllowed, NotInTeam):
            assert not cells[role, action], f"{role} was refused {action}"
        except Refused as other:  # pragma: no cover - a refusal of another kind is a bug
            raise AssertionError(f"{role} {action}: {other!r}") from other
        else:
            assert cells[role, action], f"{role} was allowed {action}"


def test_a_guest_is_refused_even_with_a_team_role() -> None:
    roles = frozenset({Role.GUEST, Role.RECEIVING_TEAM})
    records = {Action.PHI_BLOCK, Action.PHI_WARN}  # the guard's findings are audited for all
    assert not any(allowed(action, roles) for action in set(MATRIX) - records)


def test_a_refusal_names_who_can_act(world: Services) -> None:
    question = _item(world, ItemKind.QUESTION)
    with pytest.raises(NotAllowed) as refused:
        world.items.close(Actor(WS, RECEIVER), question, NOW)
    assert refused.value.author_id == AUTHOR
    assert refused.value.admins == (SETUP_ADMIN.user_id,)
    offer = _item(world, ItemKind.OFFER)
    with pytest.raises(NotAllowed) as refused:
        world.items.accept(Actor(WS, SENDER), offer, NOW)
    assert refused.value.team_name == "Physician Liaisons"


def test_a_refused_action_changes_nothing_and_leaves_no_audit_row(world: Services) -> None:
    out = io.StringIO()
    before = world.audit.write_csv(out, NOW - timedelta(days=1))
    with pytest.raises(NotAllowed):
        world.teams.set_channel(Actor(WS, SENDER), "liaison", "C_EVIL", NOW)
    assert world.teams.overview(WS, NOW)[0].channel_id == "C_LIA"
    after = world.audit.write_csv(io.StringIO(), NOW - timedelta(days=1))
    assert after == before + 1  # only the first export's own row was added
