"""Why a use case refused. Handlers turn these into a private answer; nothing was changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.enums import Action, Role, State


class Refused(Exception):
    """Base of every refusal a user can cause."""


@dataclass
class NotInTeam(Refused):
    user_id: str


@dataclass
class UnknownTeam(Refused):
    key: str


@dataclass
class NoChannel(Refused):
    team_key: str
    team_name: str
    admins: tuple[str, ...] = ()  # who set the teams up: whom to ask


@dataclass
class NotFound(Refused):
    what: str


@dataclass
class NotAllowed(Refused):
    """The matrix says no. `who` are the roles that may; the names say who they are here."""

    action: Action
    who: frozenset[Role]
    guest: bool = False
    author_id: str | None = None
    team_name: str | None = None
    admins: tuple[str, ...] = ()


@dataclass
class NoLongerOpen(Refused):
    """The item has moved on: its state now, and who moved it there and when, if known."""

    what: str
    status: State
    by: str | None = None
    at: datetime | None = None


@dataclass
class InvalidSetting(Refused):
    field: str
    message: str


@dataclass
class ValueUnflagged(Refused):
    """An offer whose words suggest something of value to a referral source, not flagged."""

    words: tuple[str, ...]
