"""The two teams of a workspace, their members and home channels."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Table, and_, bindparam, select
from sqlalchemy.orm import Session

from storage.claims import insert_ignore
from storage.enums import Action
from storage.errors import NoChannel, NotInTeam, UnknownTeam
from storage.models import Member, Team, Workspace
from storage.policy.permissions import Actor
from storage.servicelines import seed_service_lines
from storage.uow import Database, UnitOfWork, contacts
from storage.views import TeamView

TEAM_NAMES = {"marketing": "Marketing", "liaison": "Physician Liaisons"}
ALIASES = {"liaisons": "liaison", "physician-liaisons": "liaison", "mkt": "marketing"}


def team_key(text: str) -> str:
    key = text.strip().lower()
    key = ALIASES.get(key, key)
    if key not in TEAM_NAMES:
        raise UnknownTeam(text.strip())
    return key


def ensure_workspace(session: Session, workspace_id: str, now: datetime) -> None:
    """Every workspace starts with the same two teams and service lines, made on first use."""
    if session.get(Workspace, workspace_id) is not None:
        return
    # Two first requests from a new workspace may race: the first insert wins, quietly.
    insert_ignore(session, Workspace, id=workspace_id, created_at=now)
    for key, name in TEAM_NAMES.items():
        insert_ignore(session, Team, workspace_id=workspace_id, key=key, name=name)
    seed_service_lines(session, workspace_id, now)


def member_team(session: Session, workspace_id: str, user_id: str) -> Team:
    team = session.scalar(
        select(Team)
        .join(Member, Member.team_id == Team.id)
        .where(Member.workspace_id == workspace_id, Member.user_id == user_id)
    )
    if team is None:
        raise NotInTeam(user_id)
    return team


def home_channel(session: Session, workspace_id: str, team: Team | TeamRow) -> str:
    if team.channel_id is None:
        raise NoChannel(team.key, team.name, contacts(session, workspace_id))
    return team.channel_id


def _team(session: Session, workspace_id: str, key: str) -> Team:
    return session.scalars(
        select(Team).where(Team.workspace_id == workspace_id, Team.key == key)
    ).one()


class TeamService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def set_channel(self, actor: Actor, key: str, channel_id: str, now: datetime) -> TeamView:
        with self._db.unit_of_work() as uow:
            uow.permit(actor, Action.SETUP, None)  # hints on the command are for admins only
            ensure_workspace(uow.session, actor.workspace_id, now)
            team = _team(uow.session, actor.workspace_id, team_key(key))
            uow.act(actor, Action.SETUP, team, now)
            team.channel_id = channel_id
            return TeamView(team.key, team.name, team.channel_id)

    def join(self, actor: Actor, key: str, now: datetime) -> TeamView:
        workspace_id, user_id = actor.workspace_id, actor.user_id
        with self._db.unit_of_work() as uow:
            uow.permit(actor, Action.JOIN, None)
            ensure_workspace(uow.session, workspace_id, now)
            team = _team(uow.session, workspace_id, team_key(key))
            uow.act(actor, Action.JOIN, team, now)
            member = uow.session.scalar(
                select(Member).where(Member.workspace_id == workspace_id, Member.user_id == user_id)
            )
            if member is None:
                uow.session.add(
                    Member(
                        workspace_id=workspace_id, user_id=user_id, team_id=team.id, joined_at=now
                    )
                )
            else:
                member.team_id = team.id
            return TeamView(team.key, team.name, team.channel_id)

    def leave(self, actor: Actor, now: datetime) -> TeamView:
        with self._db.unit_of_work() as uow:
            team = member_team(uow.session, actor.workspace_id, actor.user_id)
            uow.act(actor, Action.LEAVE, team, now)
            member = uow.session.scalars(
                select(Member).where(
                    Member.workspace_id == actor.workspace_id, Member.user_id == actor.user_id
                )
            ).one()
            uow.session.delete(member)
            return TeamView(team.key, team.name, team.channel_id)

    def overview(self, workspace_id: str, now: datetime) -> list[TeamView]:
        with self._db.unit_of_work() as uow:
            ensure_workspace(uow.session, workspace_id, now)
            teams = uow.session.scalars(
                select(Team).where(Team.workspace_id == workspace_id).order_by(Team.key)
            ).all()
            rows = uow.session.execute(
                select(Member.team_id, Member.user_id)
                .where(Member.workspace_id == workspace_id)
                .order_by(Member.joined_at)
            ).all()
            return [
                TeamView(t.key, t.name, t.channel_id, tuple(u for tid, u in rows if tid == t.id))
                for t in teams
            ]


class TeamRow(NamedTuple):
    id: int
    key: str
    name: str
    channel_id: str | None
    mine: bool  # the author is a member


_TEAMS, _MEMBERS = cast(Table, Team.__table__), cast(Table, Member.__table__)
_ROUTE = (
    select(
        _TEAMS.c.id,
        _TEAMS.c.key,
        _TEAMS.c.name,
        _TEAMS.c.channel_id,
        _MEMBERS.c.id.is_not(None).label("mine"),
    )
    .outerjoin(
        _MEMBERS,
        and_(_MEMBERS.c.team_id == _TEAMS.c.id, _MEMBERS.c.user_id == bindparam("user_id")),
    )
    .where(_TEAMS.c.workspace_id == bindparam("workspace_id"))
)


def route(
    uow: UnitOfWork, workspace_id: str, user_id: str
) -> tuple[TeamRow | None, TeamRow | None]:
    """The author's team and the team they address (None for what the workspace lacks: an
    author in neither team, a workspace never set up): one statement, prepared once."""
    params = {"workspace_id": workspace_id, "user_id": user_id}
    rows = [TeamRow(*row) for row in uow.connection.execute(_ROUTE, params)]
    mine = next((row for row in rows if row.mine), None)
    return mine, next((row for row in rows if row is not mine), None)
