"""Plain data the use cases return and the message builders read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TeamView:
    key: str
    name: str
    channel_id: str | None
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdateView:
    id: int
    author_id: str
    team_name: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class AnswerView:
    author_id: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class QuestionView:
    id: int
    asker_id: str
    from_team: str
    to_team: str
    text: str
    status: str
    created_at: datetime
    answers: tuple[AnswerView, ...] = ()
    closed_at: datetime | None = None


@dataclass(frozen=True)
class OfferView:
    id: int
    offerer_id: str
    from_team: str
    to_team: str
    text: str
    status: str
    created_at: datetime
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    withdrawn_at: datetime | None = None


@dataclass(frozen=True)
class Posted:
    """What a use case queued for Slack: the channel it goes to and the item it created."""

    channel_id: str
    team: str
    item_id: int
