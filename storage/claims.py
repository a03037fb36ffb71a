"""Claiming a unique key: the database decides, once, across threads and processes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: Any, **values: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new row's id, or None if taken."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing().returning(model.id)
    return session.scalar(statement)
