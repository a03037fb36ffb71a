"""Plain data the use cases return and the message builders read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Generic, TypeVar

from storage.enums import GoalLevel, GoalStatus, ItemKind, OfferType, State

if TYPE_CHECKING:
    from storage.guard import Text

T = TypeVar("T")


@dataclass(frozen=True)
class TeamView:
    key: str
    name: str
    channel_id: str | None
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tag:
    """What an item is tagged with: a service line or a goal, by id (to group on) and name."""

    id: int
    name: str


@dataclass(frozen=True)
class ServiceLineView:
    id: int
    name: str
    archived: bool = False


@dataclass(frozen=True)
class GoalView:
    id: int
    title: str
    level: GoalLevel
    status: GoalStatus
    parent: Tag | None = None  # a team goal's corporate goal
    team_key: str | None = None  # a team goal's owning team
    team_name: str | None = None
    service_line: Tag | None = None
    target: str | None = None
    period: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Choices:
    """What an author may tag an item with in their workspace: the active service lines and
    the goals (corporate goals first, each followed by its team goals)."""

    service_lines: tuple[ServiceLineView, ...]
    goals: tuple[GoalView, ...]


@dataclass(frozen=True)
class MessageRef:
    """Where Slack put an item's message: its channel and timestamp."""

    channel: str
    ts: str


@dataclass(frozen=True)
class UpdateView:
    id: int
    author_id: str
    team_name: str
    text: str
    created_at: datetime
    kind: ItemKind = ItemKind.UPDATE
    service_line: Tag | None = None
    goal: Tag | None = None
    link: str | None = None
    message: MessageRef | None = None  # once Slack has posted it


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
    status: State
    created_at: datetime
    answers: tuple[AnswerView, ...] = ()
    closed_at: datetime | None = None
    kind: ItemKind = ItemKind.QUESTION
    service_line: Tag | None = None
    goal: Tag | None = None
    needed_by: date | None = None  # a day in the workspace's timezone
    message: MessageRef | None = None  # once Slack has posted it


@dataclass(frozen=True)
class OfferView:
    id: int
    offerer_id: str
    from_team: str
    to_team: str
    text: str
    status: State
    created_at: datetime
    of_value: bool = False
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    declined_by: str | None = None
    declined_at: datetime | None = None
    decline_reason: str | None = None
    delivered_by: str | None = None
    delivered_at: datetime | None = None
    delivered_link: str | None = None
    withdrawn_at: datetime | None = None
    moved_by: str | None = None  # who took it to its current state, and when
    moved_at: datetime | None = None
    kind: ItemKind = ItemKind.OFFER
    service_line: Tag | None = None
    goal: Tag | None = None
    link: str | None = None
    offer_type: OfferType | None = None
    message: MessageRef | None = None  # once Slack has posted it


ItemView = UpdateView | QuestionView | OfferView


@dataclass(frozen=True)
class Draft:
    """What an author wants to post: the text (as the PHI guard passed it), for offers the
    compliance flag, and the optional structure the forms ask for. Ids are checked against
    the author's workspace when the item is posted."""

    kind: ItemKind
    text: Text
    of_value: bool = False
    service_line_id: int | None = None
    goal_id: int | None = None
    needed_by: date | None = None  # questions only
    link: Text | None = None  # updates and offers only
    offer_type: OfferType | None = None  # offers only


@dataclass(frozen=True)
class GoalDraft:
    """A goal as its form was filled in; the level counts only when the goal is new (a team
    goal belongs to its author's team)."""

    title: Text
    level: GoalLevel
    status: GoalStatus = GoalStatus.ON_TRACK
    parent_id: int | None = None
    service_line_id: int | None = None
    target: Text | None = None
    period: Text | None = None


@dataclass(frozen=True)
class Posted:
    """What a use case queued for Slack: the channel it goes to and the item it created."""

    channel_id: str
    team: str
    item_id: int
    kind: ItemKind
    item: ItemView | None = None  # what was posted, for the author's confirmation


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The first few items of a list, and how many there are in all."""

    items: tuple[T, ...]
    total: int


@dataclass(frozen=True)
class Figures:
    """What went on between the two teams in a digest's period, both ways."""

    asked: int
    answered: int
    median_answer: timedelta | None
    offers_made: int
    offers_accepted: int


@dataclass(frozen=True)
class DigestView:
    team: str
    other: str
    period_start: datetime
    period_end: datetime
    updates: Listing[UpdateView]  # what the other team shared
    waiting: Listing[QuestionView]  # open questions to this team, oldest first
    asked: Listing[QuestionView]  # this team's open questions to the other
    offers: Listing[OfferView]  # open offers to this team
    accepted: Listing[OfferView]  # offers accepted in the period, either way
    figures: Figures
    workspace_id: str  # for links to the items' messages
    # Of all the questions waiting on this team: how many have a needed-by date, the soonest.
    needed_by_count: int = 0
    soonest_needed_by: date | None = None

    @property
    def quiet(self) -> bool:
        listings = (self.updates, self.waiting, self.asked, self.offers, self.accepted)
        f = self.figures
        busy = f.asked or f.answered or f.offers_made
        return not busy and all(listing.total == 0 for listing in listings)
