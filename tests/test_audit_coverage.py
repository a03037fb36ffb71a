"""Audit by construction: every action and every use case leaves exactly one audit row."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import typed
from sqlalchemy import func, select

from handlers.messages import SlackRenderer
from storage.deliveries import Deliveries
from storage.enums import Action, GoalLevel, GoalStatus, GuardPolicy, ItemKind
from storage.guard import PhiBlocked
from storage.models import AuditEntry, Delivery, Workspace
from storage.outbox import Fail
from storage.policy.permissions import Actor
from storage.reports.stats import Period
from storage.services import Services
from storage.uow import Database
from storage.views import Draft, GoalDraft
from storage.workspaces import Schedule

WS = "T1"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday
ADMIN, M1, L1 = Actor(WS, "U_ADMIN", app_admin=True), Actor(WS, "U_M1"), Actor(WS, "U_L1")


@pytest.fixture
def services(db: Database) -> Services:
    services = Services.build(db, SlackRenderer())
    services.teams.set_channel(ADMIN, "marketing", "C_MKT", NOW)
    services.teams.set_channel(ADMIN, "liaison", "C_LIA", NOW)
    services.teams.join(M1, "marketing", NOW)
    services.teams.join(L1, "liaison", NOW)
    return services


def _rows(services: Services) -> list[AuditEntry]:
    with services.items._db.unit_of_work() as uow:
        return list(uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _post(services: Services, kind: ItemKind) -> int:
    return services.items.post(M1, Draft(kind, typed("Which offices?")), NOW).item_id


def _given_up(services: Services) -> object:
    _post(services, ItemKind.UPDATE)
    return _give_up(services)


def _retry(services: Services) -> object:
    with services.items._db.unit_of_work() as uow:
        failed = uow.session.scalars(select(Delivery.id).where(Delivery.status == "failed"))
        [job] = failed.all()
    return Deliveries(services.items._db).retry(job, NOW)


def _accepted(services: Services) -> int:
    offer = _post(services, ItemKind.OFFER)
    services.items.accept(L1, offer, NOW)
    return offer


def _give_up(services: Services) -> object:
    with services.items._db.unit_of_work() as uow:
        row = uow.session.scalars(select(Delivery).order_by(Delivery.id.desc())).first()
        assert row is not None
        job = row.id
    return services.outbox.settle([Fail(job, "not_in_channel")], NOW)


def _reasked(services: Services, rounds: int) -> None:
    _post(services, ItemKind.QUESTION)
    for week in range(1, rounds + 1):
        services.reasks.run_due(NOW + timedelta(days=7 * week))


def _posted_question(services: Services) -> None:
    _post(services, ItemKind.QUESTION)
    with services.items._db.unit_of_work() as uow:
        post = uow.session.scalars(select(Delivery).order_by(Delivery.id.desc())).first()
        assert post is not None
        post.result_channel, post.result_ts = "C_LIA", "1.5"


TOP = GoalDraft(typed("Grow ortho referrals 10%"), GoalLevel.CORPORATE)


def _corporate(services: Services) -> object:
    return services.goals.create(ADMIN, TOP, NOW)


def _goal(services: Services) -> int:
    """The newest goal."""
    return max(goal.id for goal in services.goals.choices(WS, NOW).goals)


def _under(services: Services) -> GoalDraft:
    corporate = min(goal.id for goal in services.goals.choices(WS, NOW).goals)
    return GoalDraft(typed("Visit 40 ortho offices"), GoalLevel.TEAM, parent_id=corporate)


def _team_goal(services: Services) -> object:
    return services.goals.create(M1, _under(services), NOW)


# Each use case, as set up as it needs to be; the action its one audit row must carry.
CASES: list[tuple[str, Action, Callable[[Services], object], Callable[[Services], object]]] = [
    (
        "setup",
        Action.SETUP,
        lambda s: None,
        lambda s: s.teams.set_channel(ADMIN, "liaison", "C2", NOW),
    ),
    (
        "settings",
        Action.SETTINGS,
        lambda s: None,
        lambda s: s.schedules.update(ADMIN, Schedule(), NOW),
    ),
    (
        "add a closed day",
        Action.ADD_CLOSED_DAY,
        lambda s: None,
        lambda s: s.schedules.close_day(ADMIN, date(2026, 12, 24), None, NOW),
    ),
    (
        "remove a closed day",
        Action.REMOVE_CLOSED_DAY,
        lambda s: s.schedules.close_day(ADMIN, date(2026, 12, 24), None, NOW),
        lambda s: s.schedules.reopen_day(ADMIN, date(2026, 12, 24), NOW),
    ),
    (
        "join",
        Action.JOIN,
        lambda s: None,
        lambda s: s.teams.join(Actor(WS, "U_NEW"), "liaison", NOW),
    ),
    ("leave", Action.LEAVE, lambda s: None, lambda s: s.teams.leave(L1, NOW)),
    ("share", Action.SHARE, lambda s: None, lambda s: _post(s, ItemKind.UPDATE)),
    ("ask", Action.ASK, lambda s: None, lambda s: _post(s, ItemKind.QUESTION)),
    ("offer", Action.OFFER, lambda s: None, lambda s: _post(s, ItemKind.OFFER)),
    (
        "answer in the form",
        Action.ANSWER,
        lambda s: _post(s, ItemKind.QUESTION),
        lambda s: s.items.answer(L1, _last(s), typed("Lakeside"), NOW),
    ),
    (
        "answer in the thread",
        Action.ANSWER,
        _posted_question,
        lambda s: s.items.answer_from_thread(L1, _last(s), typed("Lakeside"), "1.6", NOW),
    ),
    (
        "close",
        Action.CLOSE,
        lambda s: _post(s, ItemKind.QUESTION),
        lambda s: s.items.close(M1, _last(s), NOW),
    ),
    (
        "snooze",
        Action.SNOOZE,
        lambda s: _post(s, ItemKind.QUESTION),
        lambda s: s.items.snooze(L1, _last(s), NOW),
    ),
    (
        "keep asking",
        Action.KEEP_ASKING,
        lambda s: _post(s, ItemKind.QUESTION),
        lambda s: s.items.keep_asking(M1, _last(s), NOW),
    ),
    (
        "accept",
        Action.ACCEPT,
        lambda s: _post(s, ItemKind.OFFER),
        lambda s: s.items.accept(L1, _last(s), NOW),
    ),
    (
        "decline",
        Action.DECLINE,
        lambda s: _post(s, ItemKind.OFFER),
        lambda s: s.items.decline(L1, _last(s), typed("Covered"), NOW),
    ),
    (
        "deliver",
        Action.DELIVER,
        _accepted,
        lambda s: s.items.deliver(M1, _last(s), typed("https://drive.example.org/list"), NOW),
    ),
    (
        "withdraw",
        Action.WITHDRAW,
        lambda s: _post(s, ItemKind.OFFER),
        lambda s: s.items.withdraw(M1, _last(s), NOW),
    ),
    ("digest", Action.DIGEST, lambda s: None, lambda s: _digest_of_one_team(s)),
    (
        "re-ask",
        Action.REASK,
        lambda s: _reasked(s, 0),
        lambda s: s.reasks.run_due(NOW + timedelta(days=7)),
    ),
    (
        "escalate",
        Action.ESCALATE,
        lambda s: _reasked(s, 2),
        lambda s: s.reasks.run_due(NOW + timedelta(days=28)),
    ),
    ("give up a post", Action.GIVE_UP, lambda s: _post(s, ItemKind.UPDATE), _give_up),
    ("retry a failed post", Action.RETRY, _given_up, _retry),
    (
        "export",
        Action.EXPORT,
        lambda s: None,
        lambda s: s.audit.write_csv(io.StringIO(), NOW, workspaces=[WS]),
    ),
    (
        "purge",
        Action.PURGE,
        lambda s: _post(s, ItemKind.UPDATE),
        lambda s: s.retention.purge(30, NOW + timedelta(days=31)),
    ),
    (
        "add a service line",
        Action.SERVICE_LINES,
        lambda s: None,
        lambda s: s.service_lines.add(ADMIN, typed("ENT"), NOW),
    ),
    (
        "archive a service line",
        Action.SERVICE_LINES,
        lambda s: None,
        lambda s: s.service_lines.remove(ADMIN, "Imaging", NOW),
    ),
    ("add a corporate goal", Action.CORPORATE_GOAL, lambda s: None, _corporate),
    (
        "edit a corporate goal",
        Action.CORPORATE_GOAL,
        _corporate,
        lambda s: s.goals.edit(ADMIN, _goal(s), replace(TOP, status=GoalStatus.OFF_TRACK), NOW),
    ),
    ("add a team goal", Action.TEAM_GOAL, _corporate, _team_goal),
    (
        "edit a team goal",
        Action.TEAM_GOAL,
        lambda s: (_corporate(s), _team_goal(s)),
        lambda s: s.goals.edit(M1, _goal(s), replace(_under(s), status=GoalStatus.AT_RISK), NOW),
    ),
    (
        "search",
        Action.SEARCH,
        lambda s: _post(s, ItemKind.UPDATE),
        lambda s: s.search.search(L1, "offices", NOW),
    ),
    ("stats", Action.STATS, lambda s: None, lambda s: s.stats.report(M1, Period.DAYS_90, NOW)),
    ("guard blocks", Action.PHI_BLOCK, lambda s: None, lambda s: _screen(s, GuardPolicy.BLOCK)),
    ("guard warns", Action.PHI_WARN, lambda s: None, lambda s: _screen(s, GuardPolicy.WARN)),
]


def _screen(services: Services, policy: GuardPolicy) -> object:
    with services.items._db.unit_of_work() as uow:
        uow.session.get_one(Workspace, WS).phi_policy = policy
    try:
        return services.guard.screen(M1, "Pt Ann Lee, MRN 12345678, seen Tuesday", NOW)
    except PhiBlocked as blocked:
        return blocked


def _last(services: Services) -> int:
    with services.items._db.unit_of_work() as uow:
        return int(
            uow.session.scalar(
                select(func.max(AuditEntry.object_id)).where(
                    AuditEntry.object_type.in_(("question", "offer", "update"))
                )
            )
            or 0
        )


def _digest_of_one_team(services: Services) -> object:
    with services.items._db.unit_of_work() as uow:
        from storage.models import Team

        liaison = uow.session.scalars(select(Team).where(Team.key == "liaison")).one()
        liaison.channel_id = None  # only Marketing's digest is due
    return services.digests.run_due(NOW + timedelta(days=6))


def test_every_action_has_a_case() -> None:
    assert {action for _, action, _, _ in CASES} == set(Action)


@pytest.mark.parametrize("case", CASES, ids=[name for name, *_ in CASES])
def test_each_use_case_leaves_exactly_one_audit_row(
    services: Services,
    case: tuple[str, Action, Callable[[Services], object], Callable[[Services], object]],
) -> None:
    _, action, prepare, run = case
    prepare(services)
    before = len(_rows(services))
    run(services)
    added = _rows(services)[before:]
    assert [entry.action for entry in added] == [action]
    [entry] = added
    assert entry.workspace_id == WS and entry.actor_id and entry.at is not None
