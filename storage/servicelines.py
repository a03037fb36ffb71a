"""The service lines every workspace starts with, and the key that makes a name unique."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.claims import insert_ignore
from storage.models import ServiceLine

SERVICE_LINES = (
    "Orthopedics",
    "Cardiology",
    "Oncology",
    "Neurosciences",
    "Spine",
    "Women's health",
    "Primary care",
    "Emergency",
    "Imaging",
    "Surgery",
)
NAME_LIMIT = 80


def line_key(name: str) -> str:
    """Names differ only in case and spacing are the same service line."""
    return " ".join(name.split()).lower()


def seed_service_lines(session: Session, workspace_id: str, now: datetime) -> None:
    for name in SERVICE_LINES:
        insert_ignore(
            session,
            ServiceLine,
            workspace_id=workspace_id,
            key=line_key(name),
            name=name,
            created_at=now,
        )
