"""The PHI guard: the only door through which user text enters storage.

Every text a person sends (commands, form fields, thread replies, decline reasons, links)
goes through `Guard.screen`, which returns the `Text` the use cases take. Under strict
typing a new entry point cannot skip it: there is no other way to make a `Text`.

What a workspace's policy does with a finding:
- block (the default): nothing is stored, queued or posted; the caller is told the kinds and
  the cue words, never the value, and gets the text back with each identifier replaced by
  its kind;
- warn: the text goes through, and the author is warned privately.
Either way one audit row records the kinds, the rules and the length: never the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from storage.enums import Action, DeliveryKind, GuardPolicy
from storage.errors import Refused
from storage.models import Workspace
from storage.phi import Finding, Kind, redact, scan
from storage.policy.permissions import Actor
from storage.ports import Renderer
from storage.uow import Database

_SEAL = object()  # only the guard has it, so only the guard makes a Text


@dataclass(frozen=True)
class Text:
    """User text that passed the guard. `warned` names what a warn policy let through."""

    value: str
    warned: tuple[Kind, ...] = ()
    _seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._seal is not _SEAL:
            raise TypeError("Text comes only from Guard.screen")


@dataclass
class PhiBlocked(Refused):
    """Patient identifiers found; nothing was stored. No value in here, only what it was."""

    kinds: tuple[Kind, ...]
    cues: tuple[str, ...]
    redacted: str  # the text with each identifier replaced by [its kind]


def _kinds(findings: tuple[Finding, ...]) -> tuple[Kind, ...]:
    return tuple(dict.fromkeys(f.kind for f in findings))


class Guard:
    def __init__(
        self,
        db: Database,
        render: Renderer,
        mrn_pattern: re.Pattern[str] | None = None,
        on_block: Callable[[Kind], None] = lambda _: None,
    ) -> None:
        self._db = db
        self._render = render
        self._mrn = mrn_pattern
        self._on_block = on_block

    def screen(self, actor: Actor, raw: str, now: datetime, *, where: str = "text") -> Text:
        findings = scan(raw, mrn_pattern=self._mrn)
        if not findings:
            return Text(raw, _seal=_SEAL)
        kinds = _kinds(findings)
        cues = tuple(dict.fromkeys(f.cue for f in findings if f.cue))
        with self._db.unit_of_work() as uow:
            workspace = uow.session.get(Workspace, actor.workspace_id)
            policy = GuardPolicy(workspace.phi_policy) if workspace else GuardPolicy.BLOCK
            action = Action.PHI_BLOCK if policy == GuardPolicy.BLOCK else Action.PHI_WARN
            detail = {
                "kinds": [str(k) for k in kinds],
                "rules": sorted({f.rule for f in findings}),
                "length": len(raw),
                "field": where,
            }
            uow.act(actor, action, None, now, detail=detail)
        if policy == GuardPolicy.WARN:
            return Text(raw, kinds, _seal=_SEAL)
        for kind in kinds:
            self._on_block(kind)
        raise PhiBlocked(kinds, cues, redact(raw, findings))

    def notice(
        self, actor: Actor, channel_id: str, kinds: tuple[Kind, ...], now: datetime
    ) -> None:
        """Tell the author privately about a thread reply the guard stopped or let by with a
        warning. The reply is in Slack already and only they (or an admin) can delete it."""
        with self._db.unit_of_work() as uow:
            workspace = uow.session.get(Workspace, actor.workspace_id)
            blocked = workspace is None or workspace.phi_policy == GuardPolicy.BLOCK
            labels = tuple(str(kind) for kind in kinds)
            note = self._render.guard_notice(channel_id, labels, blocked)
            uow.queue(actor.workspace_id, DeliveryKind.DM, actor.user_id, note, now)

    def redacted(self, raw: str) -> str:
        """The text with any identifier replaced by its kind: safe to hand back to Slack."""
        return redact(raw, scan(raw, mrn_pattern=self._mrn))
