"""The tables, by what they hold."""

from storage.models.audit import AuditEntry
from storage.models.base import Base, EnumText, UTCDateTime
from storage.models.delivery import Delivery
from storage.models.items import Answer, Item, Offer, Question, Update
from storage.models.rhythm import Digest, Reask
from storage.models.structure import Goal, ServiceLine
from storage.models.workspace import Member, Team, Workspace

__all__ = [
    "Answer",
    "AuditEntry",
    "Base",
    "Delivery",
    "Digest",
    "EnumText",
    "Goal",
    "Item",
    "Member",
    "Offer",
    "Question",
    "Reask",
    "ServiceLine",
    "Team",
    "UTCDateTime",
    "Update",
    "Workspace",
]
