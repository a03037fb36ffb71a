"""Who is in the sandbox's workspace, and its channels, from the first start."""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.workspace import Workspace


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    title: str
    role: str  # marketer, liaison, admin or guest


PEOPLE = (
    Person("UDANA", "Dana Whitfield", "Marketing director", "marketer"),
    Person("URAJ", "Raj Patel", "Marketing coordinator", "marketer"),
    Person("USAM", "Sam Okafor", "Head of physician relations", "liaison"),
    Person("ULENA", "Lena Brooks", "Physician liaison", "liaison"),
    Person("UALEX", "Alex Chen", "Workspace admin", "admin"),
    Person("UCASEY", "Casey Morgan", "Guest from the ad agency", "guest"),
)

CHANNELS = {
    "CMARKETING": "marketing",
    "CLIAISONS": "physician-liaisons",
    "CGENERAL": "general",
}


def seeded(workspace: Workspace) -> Workspace:
    workspace.channels.update(CHANNELS)
    for person in PEOPLE:
        workspace.names[person.id] = person.name
        if person.role == "admin":
            workspace.admins.add(person.id)
        if person.role == "guest":
            workspace.guests.add(person.id)
    workspace.names["UBOT"] = "Liaison Bridge"
    return workspace
