"""Corporate goals, and team goals that serve them: listed for everyone, edited by those
the permissions matrix names (admins for corporate goals, the owning team for its own)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.claims import owned
from storage.enums import Action, GoalLevel
from storage.errors import InvalidSetting, NotInTeam
from storage.models import Goal, ServiceLine, Team
from storage.policy.permissions import Actor
from storage.structure import active_lines, check_line
from storage.teams import ensure_workspace
from storage.uow import Database, UnitOfWork
from storage.views import Choices, GoalDraft, GoalView, Tag

TITLE_LIMIT, TARGET_LIMIT, PERIOD_LIMIT = 200, 500, 40
ACTION = {GoalLevel.CORPORATE: Action.CORPORATE_GOAL, GoalLevel.TEAM: Action.TEAM_GOAL}


def goal_views(session: Session, workspace_id: str) -> tuple[GoalView, ...]:
    """Every goal of the workspace: each corporate goal followed by its team goals."""
    goals = session.scalars(
        select(Goal).where(Goal.workspace_id == workspace_id).order_by(Goal.id)
    ).all()
    teams = {
        t.id: t for t in session.scalars(select(Team).where(Team.workspace_id == workspace_id))
    }
    rows = session.execute(
        select(ServiceLine.id, ServiceLine.name).where(ServiceLine.workspace_id == workspace_id)
    )
    lines = {line_id: name for line_id, name in rows}
    titles = {goal.id: goal.title for goal in goals}

    def view(goal: Goal) -> GoalView:
        team = teams.get(goal.team_id) if goal.team_id is not None else None
        line = goal.service_line_id
        return GoalView(
            id=goal.id,
            title=goal.title,
            level=goal.level,
            status=goal.status,
            parent=Tag(goal.parent_id, titles[goal.parent_id]) if goal.parent_id else None,
            team_key=team.key if team else None,
            team_name=team.name if team else None,
            service_line=Tag(line, lines[line]) if line is not None else None,
            target=goal.target,
            period=goal.period,
            updated_at=goal.updated_at,
        )

    ordered: list[GoalView] = []
    for top in (g for g in goals if g.level == GoalLevel.CORPORATE):
        ordered.append(view(top))
        ordered += [view(g) for g in goals if g.parent_id == top.id]
    return tuple(ordered)


def _one(session: Session, goal: Goal) -> GoalView:
    return next(v for v in goal_views(session, goal.workspace_id) if v.id == goal.id)


class GoalService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def choices(self, workspace_id: str, now: datetime) -> Choices:
        """What the forms offer: the active service lines and every goal."""
        with self._db.unit_of_work() as uow:
            ensure_workspace(uow.session, workspace_id, now)
            session = uow.session
            return Choices(active_lines(session, workspace_id), goal_views(session, workspace_id))

    def action_on(self, workspace_id: str, goal_id: int) -> Action:
        """What editing this goal is, by its level: so only the facts that rule needs are
        asked of Slack (a team goal's own team needs none)."""
        with self._db.unit_of_work() as uow:
            return ACTION[owned(uow.session, Goal, workspace_id, goal_id, "goal").level]

    def can_edit(self, actor: Actor, goal_id: int) -> GoalView:
        """The goal, if the actor may edit it (checked before its form opens)."""
        with self._db.unit_of_work() as uow:
            goal = owned(uow.session, Goal, actor.workspace_id, goal_id, "goal")
            uow.permit(actor, ACTION[goal.level], goal)
            return _one(uow.session, goal)

    def create(self, actor: Actor, draft: GoalDraft, now: datetime) -> GoalView:
        with self._db.unit_of_work() as uow:
            entry = uow.act(actor, ACTION[draft.level], None, now)
            ensure_workspace(uow.session, actor.workspace_id, now)
            team_id = None
            if draft.level == GoalLevel.TEAM:
                team_id = uow.team_of(actor.workspace_id, actor.user_id)
                if team_id is None:
                    raise NotInTeam(actor.user_id)
            goal = Goal(
                workspace_id=actor.workspace_id,
                level=draft.level,
                team_id=team_id,
                created_by=actor.user_id,
                created_at=now,
            )
            self._fill(uow, goal, draft, now)
            uow.session.add(goal)
            uow.session.flush()
            entry.object_id = goal.id
            return _one(uow.session, goal)

    def edit(self, actor: Actor, goal_id: int, draft: GoalDraft, now: datetime) -> GoalView:
        with self._db.unit_of_work() as uow:
            goal = owned(uow.session, Goal, actor.workspace_id, goal_id, "goal")
            uow.act(actor, ACTION[goal.level], goal, now, detail={"status": str(draft.status)})
            self._fill(uow, goal, draft, now)
            uow.session.flush()
            return _one(uow.session, goal)

    @staticmethod
    def _fill(uow: UnitOfWork, goal: Goal, draft: GoalDraft, now: datetime) -> None:
        """Check what the form says against the workspace, then write it onto the goal."""
        title = " ".join(draft.title.value.split())
        if not title:
            raise InvalidSetting("title", "Give the goal a title.")
        if len(title) > TITLE_LIMIT:
            raise InvalidSetting("title", f"Keep the title under {TITLE_LIMIT} characters.")
        target = draft.target.value.strip() if draft.target else None
        if target and len(target) > TARGET_LIMIT:
            raise InvalidSetting("target", f"Keep the target under {TARGET_LIMIT} characters.")
        period = draft.period.value.strip() if draft.period else None
        if period and len(period) > PERIOD_LIMIT:
            raise InvalidSetting("period", f"Keep the period under {PERIOD_LIMIT} characters.")
        session, ws = uow.session, goal.workspace_id
        if goal.level == GoalLevel.TEAM:
            parent = session.get(Goal, draft.parent_id) if draft.parent_id else None
            if parent is None or parent.workspace_id != ws or parent.level != GoalLevel.CORPORATE:
                raise InvalidSetting("parent", "Choose the corporate goal this team goal serves.")
            goal.parent_id = parent.id
        if draft.service_line_id != goal.service_line_id:  # an archived line may stay on
            goal.service_line_id = check_line(session, ws, draft.service_line_id)
        goal.title = title
        goal.target = target or None
        goal.period = period or None
        goal.status = draft.status
        goal.updated_at = now
