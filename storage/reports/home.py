"""A person's queue for their App Home, read for many people at once in a fixed number of
queries: the lists each team shares are read once per team, and every list is capped in SQL
(a window function) with its full count beside it."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, null, select
from sqlalchemy.orm import Session

from storage.enums import GoalLevel, State
from storage.goals import goal_views
from storage.models import Member, Offer, Question, Team
from storage.views import GoalView

CAP = 8  # entries per list; the rest are counted ("and N more")


@dataclass(frozen=True)
class Entry:
    id: int
    text: str
    author_id: str
    from_team: str
    created_at: datetime
    needed_by: date | None = None


@dataclass(frozen=True)
class Listing:
    entries: tuple[Entry, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.entries)


@dataclass(frozen=True)
class HomeView:
    """What waits on one person and their team; `team_name` None for a person in no team."""

    user_id: str
    team_name: str | None = None
    other_team: str | None = None
    waiting: Listing = field(default_factory=Listing)  # questions to my team, unanswered
    asked: Listing = field(default_factory=Listing)  # my open questions
    offered_to_us: Listing = field(default_factory=Listing)  # offers to my team, not yet taken
    my_offers: Listing = field(default_factory=Listing)  # my offers nobody took yet
    accepted: Listing = field(default_factory=Listing)  # offers I accepted, to deliver
    goals: tuple[GoalView, ...] = ()  # my team's goals


def homes(session: Session, workspace_id: str, users: Collection[str]) -> list[HomeView]:
    """The Home of each of `users`, in a fixed number of queries however many they are."""
    teams = {
        t.id: t for t in session.scalars(select(Team).where(Team.workspace_id == workspace_id))
    }
    names = {team_id: team.name for team_id, team in teams.items()}
    rows = session.execute(
        select(Member.user_id, Member.team_id).where(
            Member.workspace_id == workspace_id, Member.user_id.in_(users)
        )
    )
    team_of: dict[str, int] = {user: team for user, team in rows}
    mine = set(team_of.values())
    open_question = (Question.workspace_id == workspace_id, Question.status == State.OPEN)
    open_offer = (Offer.workspace_id == workspace_id, Offer.status == State.OFFERED)
    waiting = _capped(session, Question, Question.to_team_id, names, mine, *open_question)
    asked = _capped(session, Question, Question.author_id, names, users, *open_question)
    offered = _capped(session, Offer, Offer.to_team_id, names, mine, *open_offer)
    my_offers = _capped(session, Offer, Offer.author_id, names, users, *open_offer)
    accepted = _capped(
        session,
        Offer,
        Offer.accepted_by,
        names,
        users,
        Offer.workspace_id == workspace_id,
        Offer.status == State.ACCEPTED,
    )
    goals = (
        [g for g in goal_views(session, workspace_id) if g.level == GoalLevel.TEAM] if mine else []
    )
    views = []
    for user in users:
        team_id = team_of.get(user)
        if team_id is None:
            views.append(HomeView(user))
            continue
        team = teams[team_id]
        other = next((t.name for t in teams.values() if t.id != team_id), None)
        views.append(
            HomeView(
                user,
                team.name,
                other,
                waiting.get(team_id, Listing()),
                asked.get(user, Listing()),
                offered.get(team_id, Listing()),
                my_offers.get(user, Listing()),
                accepted.get(user, Listing()),
                tuple(g for g in goals if g.team_key == team.key),
            )
        )
    return views


def _capped(
    session: Session,
    model: type[Question] | type[Offer],
    key: Any,
    names: dict[int, str],
    keys: Iterable[Any],
    *where: ColumnElement[bool],
) -> dict[Any, Listing]:
    """Oldest first (a queue), at most CAP per key, with each key's full count."""
    wanted = list(keys)
    if not wanted:
        return {}
    order = (model.created_at, model.id)
    inner = (
        select(
            key.label("key"),
            model.id,
            model.text,
            model.author_id,
            model.from_team_id,
            model.created_at,
            (Question.needed_by if model is Question else null()).label("needed_by"),
            func.row_number().over(partition_by=key, order_by=order).label("rank"),
            func.count().over(partition_by=key).label("total"),
        )
        .where(key.in_(wanted), *where)
        .subquery()
    )
    rows = session.execute(select(inner).where(inner.c.rank <= CAP).order_by(inner.c.rank))
    entries: dict[Any, list[Entry]] = {}
    totals: dict[Any, int] = {}
    for row in rows:
        entries.setdefault(row.key, []).append(
            Entry(
                row.id,
                row.text,
                row.author_id,
                names.get(row.from_team_id, ""),
                row.created_at,
                row.needed_by,
            )
        )
        totals[row.key] = row.total
    return {k: Listing(tuple(v), totals[k]) for k, v in entries.items()}
