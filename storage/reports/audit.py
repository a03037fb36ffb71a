"""The audit trail as CSV: who did what, to what, when, in which workspace. No text column."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TextIO, TypeVarTuple

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import InstrumentedAttribute

from storage.enums import Action
from storage.models import AuditEntry
from storage.policy.permissions import Actor
from storage.uow import Database

COLUMNS = ("at", "workspace", "actor", "action", "object_type", "object_id", "detail")
BATCH = 1000


Columns = TypeVarTuple("Columns")


def in_pages(
    db: Database, query: Select[*Columns], key: InstrumentedAttribute[int], batch: int
) -> Iterator[Sequence[Row[*Columns]]]:
    """The rows of `query` (ordered by `key`, limited to `batch`) a page at a time, each read
    in its own transaction: years of rows never sit in memory at once."""
    after = 0
    while True:
        with db.unit_of_work() as uow:
            page = uow.session.execute(query.where(key > after)).all()
        yield page
        if len(page) < batch:
            return
        first: object = next(iter(page[-1]))  # the row's entity, which `key` belongs to
        after = getattr(first, key.key)


def record_export(
    db: Database, what: str, rows: Counter[str], workspaces: Sequence[str], now: datetime
) -> None:
    """Audit an export in each workspace it covered (named or found), with its row count."""
    with db.unit_of_work() as uow:
        for workspace in sorted(set(rows) | set(workspaces)):
            detail = {"rows": rows[workspace]}
            entry = uow.act(Actor.app(workspace), Action.EXPORT, None, now, detail=detail)
            entry.object_type = what


class AuditExport:
    def __init__(self, db: Database) -> None:
        self._db = db

    def write_csv(
        self,
        out: TextIO,
        now: datetime,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        workspaces: Sequence[str] = (),
    ) -> int:
        """Write the rows in [since, until) as CSV; how many were written. The export itself
        is recorded in each workspace it covers."""
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        rows: Counter[str] = Counter()
        for entry in self._entries(since, until, workspaces):
            writer.writerow(
                (
                    entry.at.isoformat(),
                    entry.workspace_id,
                    entry.actor_id,
                    str(entry.action),
                    entry.object_type,
                    "" if entry.object_id is None else entry.object_id,
                    json.dumps(entry.detail, sort_keys=True) if entry.detail else "",
                )
            )
            rows[entry.workspace_id] += 1
        record_export(self._db, "audit_log", rows, workspaces, now)
        return rows.total()

    def _entries(
        self, since: datetime | None, until: datetime | None, workspaces: Sequence[str]
    ) -> Iterator[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.id).limit(BATCH)
        if since is not None:
            query = query.where(AuditEntry.at >= since)
        if until is not None:
            query = query.where(AuditEntry.at < until)
        if workspaces:
            query = query.where(AuditEntry.workspace_id.in_(workspaces))
        for page in in_pages(self._db, query, AuditEntry.id, BATCH):
            yield from (entry for (entry,) in page)
