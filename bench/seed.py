"""Fast, realistic seed data written straight to the tables (bulk inserts)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from storage.enums import DeliveryKind, DeliveryStatus, ItemKind, State
from storage.migrate import upgrade
from storage.models import Answer, Delivery, Member, Offer, Question, Team, Update, Workspace
from storage.uow import Database

WORDS = [
    "ortho",
    "cardiology",
    "referral",
    "PCP",
    "splitter",
    "leakage",
    "mailer",
    "campaign",
    "target",
    "list",
    "office",
    "visit",
    "access",
    "continuity",
    "spine",
    "oncology",
    "women's",
    "health",
    "drop-off",
    "lunch",
    "event",
    "talking",
    "points",
]


def text(rng: random.Random, words: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def open_db(url: str) -> Database:
    db = Database.from_url(url)
    upgrade(db.engine)
    return db


def person(workspace_id: str, team_key: str, n: int) -> str:
    """A member's user id, unique across workspaces as Slack's are (a bench that reused ids
    would have their direct messages share one channel, and one rate limit, in the fake)."""
    return f"U{workspace_id[1:]}{'M' if team_key == 'marketing' else 'L'}{n}"


def workspace(
    db: Database, workspace_id: str, created: datetime, members: int = 3, **schedule: Any
) -> dict[str, int]:
    """A workspace with both teams, their channels and members; the team ids by key."""
    with db.unit_of_work() as uow:
        s = uow.session
        s.add(Workspace(id=workspace_id, created_at=created, **schedule))
        s.flush()
        teams = {}
        for key, name in (("marketing", "Marketing"), ("liaison", "Physician Liaisons")):
            team = Team(
                workspace_id=workspace_id,
                key=key,
                name=name,
                channel_id=f"C{workspace_id}{key[:3].upper()}",
            )
            s.add(team)
            s.flush()
            teams[key] = team.id
            s.add_all(
                Member(
                    workspace_id=workspace_id,
                    user_id=person(workspace_id, key, n),
                    team_id=team.id,
                    joined_at=created,
                )
                for n in range(1, members + 1)
            )
        return teams


def seeded_ts(n: int) -> str:
    """The Slack ts of the n-th seeded post of a channel."""
    return f"{1700000000 + n}.000100"


def _sent_posts(
    db: Database, workspace_id: str, channel: str, count: int, at: datetime
) -> list[int]:
    row = {
        "workspace_id": workspace_id,
        "kind": DeliveryKind.POST,
        "channel": channel,
        "payload": {"text": "seeded"},
        "status": DeliveryStatus.SENT,
        "attempts": 1,
        "next_attempt_at": at,
        "created_at": at,
        "sent_at": at,
        "result_channel": channel,
    }
    with db.unit_of_work() as uow:
        ids = uow.session.scalars(
            insert(Delivery).returning(Delivery.id, sort_by_parameter_order=True),
            [{**row, "result_ts": seeded_ts(n)} for n in range(count)],
        )
        return list(ids)


def open_offers(db: Database, workspace_id: str, teams: dict[str, int], count: int) -> list[int]:
    """Offers from the liaisons to marketing, posted and waiting for Accept."""
    now = datetime.now(UTC)
    posts = _sent_posts(db, workspace_id, f"C{workspace_id}MAR", count, now)
    with db.unit_of_work() as uow:
        return list(
            uow.session.scalars(
                insert(Offer).returning(Offer.id, sort_by_parameter_order=True),
                [
                    {
                        "workspace_id": workspace_id,
                        "from_team_id": teams["liaison"],
                        "to_team_id": teams["marketing"],
                        "kind": ItemKind.OFFER,
                        "author_id": person(workspace_id, "liaison", 1),
                        "text": f"Seeded offer {n}",
                        "status": State.OFFERED,
                        "created_at": now,
                        "delivery_id": post,
                    }
                    for n, post in enumerate(posts)
                ],
            )
        )


def history(
    db: Database, workspace_id: str, teams: dict[str, int], rows: int, end: datetime, seed: int
) -> None:
    """About `rows` rows of plan updates, questions, answers and offers over the last year."""
    rng = random.Random(seed)
    quarter = rows // 4
    span = timedelta(days=365).total_seconds()
    keys = ("marketing", "liaison")

    def when() -> datetime:
        return end - timedelta(seconds=rng.random() * span)

    def pair() -> tuple[int, int]:
        key = rng.choice(keys)
        return teams[key], teams[keys[1 - keys.index(key)]]

    posts = _sent_posts(db, workspace_id, f"C{workspace_id}LIA", quarter, end)
    with db.unit_of_work() as uow:
        s = uow.session
        s.execute(
            insert(Update),
            [
                {
                    "workspace_id": workspace_id,
                    "kind": ItemKind.UPDATE,
                    "from_team_id": source,
                    "to_team_id": target,
                    "author_id": person(workspace_id, "marketing", 1),
                    "text": text(rng),
                    "status": State.SHARED,
                    "created_at": when(),
                }
                for source, target in (pair() for _ in range(quarter))
            ],
        )
        questions = []
        for post in posts:
            asked = when()
            source, target = pair()
            answered = rng.random() < 0.8
            status = State.ANSWERED if answered else rng.choice([State.OPEN, State.CLOSED])
            questions.append(
                {
                    "workspace_id": workspace_id,
                    "kind": ItemKind.QUESTION,
                    "from_team_id": source,
                    "to_team_id": target,
                    "author_id": person(workspace_id, "marketing", 1),
                    "text": text(rng),
                    "status": status,
                    "created_at": asked,
                    "last_asked_at": asked,
                    "answered_at": asked + timedelta(hours=rng.random() * 72) if answered else None,
                    "delivery_id": post,
                }
            )
        ids = list(
            s.scalars(
                insert(Question).returning(Question.id, sort_by_parameter_order=True), questions
            )
        )
        s.execute(
            insert(Answer),
            [
                {
                    "workspace_id": workspace_id,
                    "question_id": qid,
                    "author_id": person(workspace_id, "liaison", 1),
                    "text": text(rng),
                    "source": "modal",
                    "created_at": q["answered_at"],
                }
                for qid, q in zip(ids, questions, strict=True)
                if q["answered_at"]
            ],
        )
        offers = []
        for _ in range(quarter):
            made = when()
            source, target = pair()
            status = rng.choice([State.OFFERED, State.ACCEPTED, State.ACCEPTED, State.WITHDRAWN])
            accepted, withdrawn = status == State.ACCEPTED, status == State.WITHDRAWN
            offers.append(
                {
                    "workspace_id": workspace_id,
                    "kind": ItemKind.OFFER,
                    "from_team_id": source,
                    "to_team_id": target,
                    "author_id": person(workspace_id, "liaison", 1),
                    "text": text(rng),
                    "status": status,
                    "created_at": made,
                    "accepted_by": person(workspace_id, "marketing", 1) if accepted else None,
                    "accepted_at": made + timedelta(hours=5) if accepted else None,
                    "withdrawn_at": made + timedelta(hours=5) if withdrawn else None,
                }
            )
        s.execute(insert(Offer), offers)


def team_ids(db: Database, workspace_id: str) -> dict[str, int]:
    with db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(Team.key, Team.id).where(Team.workspace_id == workspace_id)
        )
        return {key: team_id for key, team_id in rows}
