"""Every item as CSV, for the hospital's own reporting: its text, structure, state and dates.

Unlike the audit export this carries the text (what people shared, asked and offered; the
PHI guard saw it on the way in). The export is audited in each workspace it covers.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any, TextIO

from sqlalchemy import select

from storage.models import Delivery, Goal, Item, Offer, Question, ServiceLine, Team
from storage.reports.audit import in_pages, record_export
from storage.stored_text import as_typed
from storage.uow import Database, UnitOfWork

COLUMNS = (
    "id",
    "workspace",
    "kind",
    "state",
    "from_team",
    "to_team",
    "author",
    "text",
    "service_line",
    "goal",
    "offer_type",
    "of_value",
    "link",
    "created_at",
    "needed_by",
    "answered_at",
    "closed_at",
    "accepted_at",
    "accepted_by",
    "declined_at",
    "delivered_at",
    "withdrawn_at",
    "slack_channel",
    "slack_ts",
)
BATCH = 500
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection):
# such text is written with a leading apostrophe, which spreadsheets show as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _typed(text: str | None) -> str | None:
    """A spreadsheet shows text as typed, not in Slack's escaped form."""
    return None if text is None else as_typed(text)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


class ItemExport:
    def __init__(self, db: Database) -> None:
        self._db = db

    def write_csv(
        self,
        out: TextIO,
        now: datetime,
        *,
        since: datetime | None = None,
        workspaces: Sequence[str] = (),
    ) -> int:
        """Items created at or after `since`, oldest first; how many were written."""
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        rows: Counter[str] = Counter()
        for item, names, channel, ts in self._items(since, workspaces):
            question = item if isinstance(item, Question) else None
            offer = item if isinstance(item, Offer) else None
            values = {
                "id": item.id,
                "workspace": item.workspace_id,
                "kind": str(item.kind),
                "state": str(item.status),
                "from_team": names.get(("team", item.from_team_id)),
                "to_team": names.get(("team", item.to_team_id)),
                "author": item.author_id,
                "text": _typed(item.text),
                "service_line": _typed(names.get(("line", item.service_line_id))),
                "goal": _typed(names.get(("goal", item.goal_id))),
                "link": item.link,
                "created_at": item.created_at,
                "slack_channel": channel,
                "slack_ts": ts,
            }
            if question is not None:
                values |= {
                    "needed_by": question.needed_by,
                    "answered_at": question.answered_at,
                    "closed_at": question.closed_at,
                }
            if offer is not None:
                values |= {
                    "offer_type": offer.offer_type and str(offer.offer_type),
                    "of_value": offer.of_value,
                    "accepted_at": offer.accepted_at,
                    "accepted_by": offer.accepted_by,
                    "declined_at": offer.declined_at,
                    "delivered_at": offer.delivered_at,
                    "withdrawn_at": offer.withdrawn_at,
                }
            writer.writerow([_cell(values.get(column)) for column in COLUMNS])
            rows[item.workspace_id] += 1
        record_export(self._db, "items", rows, workspaces, now)
        return rows.total()

    def _items(
        self, since: datetime | None, workspaces: Sequence[str]
    ) -> Iterator[tuple[Item, dict[tuple[str, int | None], str], str | None, str | None]]:
        query = (
            select(Item, Delivery.result_channel, Delivery.result_ts)
            .outerjoin(Delivery, Delivery.id == Item.delivery_id)
            .order_by(Item.id)
            .limit(BATCH)
        )
        if since is not None:
            query = query.where(Item.created_at >= since)
        if workspaces:
            query = query.where(Item.workspace_id.in_(workspaces))
        for page in in_pages(self._db, query, Item.id, BATCH):
            with self._db.unit_of_work() as uow:
                names = _names(uow, {item.workspace_id for item, _, _ in page})
            yield from ((item, names, channel, ts) for item, channel, ts in page)


def _names(uow: UnitOfWork, workspaces: set[str]) -> dict[tuple[str, int | None], str]:
    """Team, service line and goal names of these workspaces, by (what, id)."""
    names: dict[tuple[str, int | None], str] = {}
    for what, model, column in (
        ("team", Team, Team.name),
        ("line", ServiceLine, ServiceLine.name),
        ("goal", Goal, Goal.title),
    ):
        rows = uow.session.execute(
            select(model.id, column).where(model.workspace_id.in_(workspaces))
        )
        names |= {(what, row_id): name for row_id, name in rows}
    return names
