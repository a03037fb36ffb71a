"""Rows by key: claiming a unique key once, and fetching a workspace's own item."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.errors import NotFound

T = TypeVar("T")


def insert_ignore(session: Session, model: Any, **values: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new row's id, or None if taken."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing().returning(model.id)
    return session.scalar(statement)


def owned(session: Session, model: type[T], workspace_id: str, item_id: int, what: str) -> T:
    """The item with this id, if it belongs to this workspace (ids in buttons are untrusted)."""
    item = session.get(model, item_id)
    if item is None or getattr(item, "workspace_id", None) != workspace_id:
        raise NotFound(what)
    return item
