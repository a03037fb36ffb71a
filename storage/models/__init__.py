"""The tables, by what they hold."""

from storage.models.audit import AuditEntry
from storage.models.base import Base, EnumText, UTCDateTime
from storage.models.delivery import ChannelPace, Delivery
from storage.models.installs import slack_bots, slack_installations, slack_oauth_states
from storage.models.items import Answer, Item, Offer, Question, Update
from storage.models.receipt import RequestReceipt
from storage.models.rhythm import Digest, Reask
from storage.models.structure import Goal, ServiceLine
from storage.models.workspace import ClosedDay, Member, Team, Workspace

__all__ = [
    "Answer",
    "AuditEntry",
    "Base",
    "ChannelPace",
    "ClosedDay",
    "Delivery",
    "Digest",
    "EnumText",
    "Goal",
    "Item",
    "Member",
    "Offer",
    "Question",
    "Reask",
    "RequestReceipt",
    "ServiceLine",
    "Team",
    "UTCDateTime",
    "Update",
    "Workspace",
    "slack_bots",
    "slack_installations",
    "slack_oauth_states",
]
