"""`/liaison search`: a workspace's items whose text (or a question's answers) holds every
word, newest first. The words are matched and forgotten: never stored, audited or logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select

from storage.enums import Action, ItemKind, State
from storage.models import Answer, Delivery, Item, Team
from storage.policy.permissions import Actor
from storage.uow import Database

SEARCH_CAP = 10  # results shown; the rest are counted
MAX_WORDS = 8


@dataclass(frozen=True)
class Found:
    id: int
    kind: ItemKind
    text: str
    author_id: str
    from_team: str
    to_team: str
    status: State
    created_at: datetime
    channel: str | None  # where its message is, once Slack has it
    ts: str | None


@dataclass(frozen=True)
class Results:
    words: tuple[str, ...]
    found: tuple[Found, ...]
    total: int


def words_of(text: str) -> tuple[str, ...]:
    """Distinct words, lower-cased, at most MAX_WORDS."""
    return tuple(dict.fromkeys(text.lower().split()))[:MAX_WORDS]


class SearchService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def search(self, actor: Actor, text: str, now: datetime) -> Results:
        """Only a team's members search (audited: how many words and results, never them)."""
        workspace_id = actor.workspace_id
        words = words_of(text)
        if not words:
            return Results(words, (), 0)
        # lower() on both sides: PostgreSQL folds every letter, SQLite ASCII letters only.
        matches = [
            or_(
                func.lower(Item.text).contains(word, autoescape=True),
                exists().where(
                    Answer.question_id == Item.id,
                    func.lower(Answer.text).contains(word, autoescape=True),
                ),
            )
            for word in words
        ]
        query = (
            select(
                Item.id,
                Item.kind,
                Item.text,
                Item.author_id,
                Item.from_team_id,
                Item.to_team_id,
                Item.status,
                Item.created_at,
                Delivery.result_channel,
                Delivery.result_ts,
                func.count().over().label("total"),
            )
            .outerjoin(Delivery, Delivery.id == Item.delivery_id)
            .where(Item.workspace_id == workspace_id, *matches)
            .order_by(Item.created_at.desc(), Item.id.desc())
            .limit(SEARCH_CAP)
        )
        with self._db.unit_of_work() as uow:
            entry = uow.act(actor, Action.SEARCH, None, now)
            rows = uow.session.execute(query).all()
            entry.detail = {"words": len(words), "results": rows[0].total if rows else 0}
            names = dict(
                uow.session.execute(
                    select(Team.id, Team.name).where(Team.workspace_id == workspace_id)
                ).all()
            )
        found = tuple(
            Found(
                row.id,
                ItemKind(row.kind),
                row.text,
                row.author_id,
                names.get(row.from_team_id, ""),
                names.get(row.to_team_id, ""),
                State(row.status),
                row.created_at,
                row.result_channel,
                row.result_ts,
            )
            for row in rows
        )
        return Results(words, found, rows[0].total if rows else 0)
