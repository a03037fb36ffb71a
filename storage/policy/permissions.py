"""Who may do what: the roles × actions matrix, checked in one place for every write.

An actor's roles come from two places. The database knows teams and authorship. Slack knows
who is a workspace admin or a guest, and the handler asks Slack only for the facts that the
action at hand needs (`Rule.needs`), so most requests never wait on Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.enums import Action, Role

SYSTEM_ID = "system"  # the actor id of scheduled passes, delivery and the command line


class Fact(StrEnum):
    """What only Slack can tell about a user."""

    ADMIN = "admin"  # users.info is_admin / is_owner
    GUEST = "guest"  # users.info is_restricted / is_ultra_restricted


@dataclass(frozen=True)
class Actor:
    workspace_id: str
    user_id: str
    app_admin: bool = False  # listed in LIAISON_ADMINS
    workspace_admin: bool = False
    guest: bool = False
    system: bool = False

    @classmethod
    def app(cls, workspace_id: str) -> Actor:
        return cls(workspace_id, SYSTEM_ID, system=True)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    needs: frozenset[Fact] = frozenset()


def _rule(*roles: Role, needs: tuple[Fact, ...] = ()) -> Rule:
    return Rule(frozenset(roles), frozenset(needs))


ADMINS = (Role.WORKSPACE_ADMIN, Role.APP_ADMIN)
# For actions on no item, SENDING_TEAM means "a member of a team": the one they send from.
MATRIX: dict[Action, Rule] = {
    Action.SETUP: _rule(*ADMINS, needs=(Fact.ADMIN,)),
    Action.SETTINGS: _rule(*ADMINS, needs=(Fact.ADMIN,)),
    Action.ADD_CLOSED_DAY: _rule(*ADMINS, needs=(Fact.ADMIN,)),
    Action.REMOVE_CLOSED_DAY: _rule(*ADMINS, needs=(Fact.ADMIN,)),
    # Guests (outside contractors, agencies) read what they are shown but take no part.
    Action.JOIN: _rule(Role.NO_TEAM, Role.SENDING_TEAM, needs=(Fact.GUEST,)),
    Action.LEAVE: _rule(Role.SENDING_TEAM),
    Action.SHARE: _rule(Role.SENDING_TEAM),
    Action.ASK: _rule(Role.SENDING_TEAM),
    Action.OFFER: _rule(Role.SENDING_TEAM),
    Action.ANSWER: _rule(Role.RECEIVING_TEAM),
    Action.CLOSE: _rule(Role.AUTHOR),
    Action.ACCEPT: _rule(Role.RECEIVING_TEAM),
    Action.DECLINE: _rule(Role.RECEIVING_TEAM),
    # The offerer delivers; the team that accepted may confirm it arrived.
    Action.DELIVER: _rule(Role.AUTHOR, Role.RECEIVING_TEAM),
    Action.WITHDRAW: _rule(Role.AUTHOR),
    Action.SNOOZE: _rule(Role.RECEIVING_TEAM),
    Action.KEEP_ASKING: _rule(Role.AUTHOR),
    Action.EXPORT: _rule(*ADMINS, Role.SYSTEM, needs=(Fact.ADMIN,)),
    Action.PURGE: _rule(*ADMINS, Role.SYSTEM, needs=(Fact.ADMIN,)),
    # Reading across the workspace is for its teams' members: guests, who never are, can't.
    Action.SEARCH: _rule(Role.SENDING_TEAM),
    Action.STATS: _rule(Role.SENDING_TEAM),
    Action.SERVICE_LINES: _rule(*ADMINS, needs=(Fact.ADMIN,)),
    Action.CORPORATE_GOAL: _rule(*ADMINS, needs=(Fact.ADMIN,)),
    # On a goal, SENDING_TEAM means "a member of the team that owns it".
    Action.TEAM_GOAL: _rule(Role.SENDING_TEAM),
    Action.DIGEST: _rule(Role.SYSTEM),
    Action.REASK: _rule(Role.SYSTEM),
    Action.ESCALATE: _rule(Role.SYSTEM),
    Action.GIVE_UP: _rule(Role.SYSTEM),
    Action.RETRY: _rule(Role.SYSTEM),
    # Not permissions but records: whoever sent the text, the guard's finding is audited.
    Action.PHI_BLOCK: _rule(*Role),
    Action.PHI_WARN: _rule(*Role),
}


def needs(action: Action) -> frozenset[Fact]:
    return MATRIX[action].needs


@dataclass(frozen=True)
class Standing:
    """Where the actor stands towards the target: their team and the item's sides."""

    team_id: int | None
    from_team_id: int | None = None
    to_team_id: int | None = None
    author_id: str | None = None


def roles_of(actor: Actor, standing: Standing) -> frozenset[Role]:
    roles: set[Role] = set()
    if actor.system:
        roles.add(Role.SYSTEM)
    if actor.workspace_admin:
        roles.add(Role.WORKSPACE_ADMIN)
    if actor.app_admin:
        roles.add(Role.APP_ADMIN)
    if actor.guest:
        roles.add(Role.GUEST)
    team = standing.team_id
    if team is None:
        if not actor.system:
            roles.add(Role.NO_TEAM)
    elif standing.from_team_id is None or team == standing.from_team_id:
        roles.add(Role.SENDING_TEAM)
    elif team == standing.to_team_id:
        roles.add(Role.RECEIVING_TEAM)
    if standing.author_id is not None and standing.author_id == actor.user_id:
        roles.add(Role.AUTHOR)
    return frozenset(roles)


def allowed(action: Action, roles: frozenset[Role]) -> bool:
    rule = MATRIX[action]
    if Role.GUEST in roles and Role.GUEST not in rule.roles:
        return False
    return bool(roles & rule.roles)
