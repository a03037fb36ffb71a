"""Why a use case refused. Handlers turn these into a private answer; nothing was changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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


@dataclass
class NotFound(Refused):
    what: str


@dataclass
class WrongTeam(Refused):
    """Only members of `team_name` may do this."""

    team_name: str


@dataclass
class NotYours(Refused):
    """Only the author may close or withdraw."""

    author_id: str


@dataclass
class OwnOffer(Refused):
    pass


@dataclass
class AlreadyAccepted(Refused):
    by: str
    at: datetime


@dataclass
class NoLongerOpen(Refused):
    what: str
    status: str


@dataclass
class InvalidSetting(Refused):
    field: str
    message: str
