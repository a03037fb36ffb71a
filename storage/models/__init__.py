"""The tables, by what they hold."""

from storage.models.audit import AuditEntry
from storage.models.base import Base, EnumText, UTCDateTime
from storage.models.delivery import Delivery
from storage.models.items import Answer, Item, Offer, Question, Update
from storage.models.rhythm import Digest, Reask
from storage.models.workspace import ClosedDay, Member, Team, Workspace

__all__ = [
    "Answer",
    "AuditEntry",
    "Base",
    "ClosedDay",
    "Delivery",
    "Digest",
    "EnumText",
    "Item",
    "Member",
    "Offer",
    "Question",
    "Reask",
    "Team",
    "UTCDateTime",
    "Update",
    "Workspace",
]
