"""Updates, questions and offers: one `items` table with what every item has.

Questions and offers add their own columns in tables of their own (joined-table
inheritance): what is common (search, export, retention, figures, permissions) reads one
table, and each kind's columns stay typed and NOT NULL where they must be, instead of a wide
table of columns that are empty for two kinds out of three. Updates add nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import Boolean, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.enums import ItemKind, OfferType, State
from storage.models.base import USER, WS, Base, EnumText


class Item(Base):
    __tablename__ = "items"
    __table_args__: tuple[Index, ...] = (
        Index("ix_items_open", "workspace_id", "to_team_id", "kind", "status"),
        Index("ix_items_team_time", "workspace_id", "from_team_id", "created_at"),
        Index("ix_items_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    kind: Mapped[ItemKind] = mapped_column(EnumText(ItemKind, 10))
    author_id: Mapped[str] = mapped_column(USER)
    from_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    to_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[State] = mapped_column(EnumText(State, 12))
    created_at: Mapped[datetime]
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"), index=True)
    # Optional structure: what the item is about, and (updates and offers) a web link.
    service_line_id: Mapped[int | None] = mapped_column(ForeignKey("service_lines.id"))
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id"))
    link: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_abstract": True}


class Update(Item):
    __mapper_args__ = {"polymorphic_identity": ItemKind.UPDATE, "polymorphic_load": "inline"}


class Question(Item):
    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_reask", "last_asked_at"),)

    id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Re-asking: when it was last put to the team, how many reminders went out (the last
    # round may be the private note to the asker), how many the asker allows, and a pause.
    last_asked_at: Mapped[datetime]
    reask_round: Mapped[int] = mapped_column(default=0, server_default="0")
    reask_limit: Mapped[int | None]
    snoozed_until: Mapped[datetime | None]
    # The asker's deadline, a day in the workspace's timezone: no reminder after it.
    needed_by: Mapped[date | None]

    __mapper_args__ = {"polymorphic_identity": ItemKind.QUESTION, "polymorphic_load": "inline"}


class Offer(Item):
    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    # Something of value to a referral source (Stark Law, Anti-Kickback Statute): flagged by
    # the offerer so that compliance-minded readers see it wherever the offer shows.
    of_value: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    accepted_by: Mapped[str | None] = mapped_column(USER)
    accepted_at: Mapped[datetime | None]
    declined_by: Mapped[str | None] = mapped_column(USER)
    declined_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    delivered_by: Mapped[str | None] = mapped_column(USER)
    delivered_at: Mapped[datetime | None]
    delivered_link: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None]
    offer_type: Mapped[OfferType | None] = mapped_column(EnumText(OfferType, 20))

    __mapper_args__ = {"polymorphic_identity": ItemKind.OFFER, "polymorphic_load": "inline"}


# Each kind's class, and its own table for the kinds that have one: what the write path's
# prepared statements read and write.
KINDS: dict[ItemKind, type[Item]] = {
    ItemKind.UPDATE: Update,
    ItemKind.QUESTION: Question,
    ItemKind.OFFER: Offer,
}
OWN_TABLES: dict[ItemKind, Table] = {
    ItemKind.QUESTION: cast(Table, Question.__table__),
    ItemKind.OFFER: cast(Table, Offer.__table__),
}


class Answer(Base):
    __tablename__ = "answers"
    # A thread reply is recorded once, however often Slack delivers its event.
    __table_args__ = (UniqueConstraint("question_id", "slack_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WS, ForeignKey("workspaces.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    author_id: Mapped[str] = mapped_column(USER)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
