"""How each kind of item moves: the states an action starts from and the one it ends in."""

from __future__ import annotations

from dataclasses import dataclass

from storage.enums import Action, ItemKind, State


@dataclass(frozen=True)
class Step:
    start: frozenset[State]
    end: State
    redraw: bool = True  # whether the item's message in Slack changes


def _step(*start: State, end: State, redraw: bool = True) -> Step:
    return Step(frozenset(start), end, redraw)


CREATED: dict[ItemKind, tuple[Action, State]] = {
    ItemKind.UPDATE: (Action.SHARE, State.SHARED),
    ItemKind.QUESTION: (Action.ASK, State.OPEN),
    ItemKind.OFFER: (Action.OFFER, State.OFFERED),
}

LIFECYCLE: dict[ItemKind, dict[Action, Step]] = {
    ItemKind.UPDATE: {},
    ItemKind.QUESTION: {
        # More answers may follow the first; a closed question takes none.
        Action.ANSWER: _step(State.OPEN, State.ANSWERED, end=State.ANSWERED),
        Action.CLOSE: _step(State.OPEN, State.ANSWERED, end=State.CLOSED),
        Action.SNOOZE: _step(State.OPEN, end=State.OPEN, redraw=False),
        Action.KEEP_ASKING: _step(State.OPEN, end=State.OPEN, redraw=False),
    },
    ItemKind.OFFER: {
        Action.ACCEPT: _step(State.OFFERED, end=State.ACCEPTED),
        Action.DECLINE: _step(State.OFFERED, end=State.DECLINED),
        Action.DELIVER: _step(State.ACCEPTED, end=State.DELIVERED),
        Action.WITHDRAW: _step(State.OFFERED, end=State.WITHDRAWN),
    },
}
