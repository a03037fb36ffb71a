"""Each state of an item looks different in Slack, and shows only the buttons that fit it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from handlers import ids
from handlers.messages import item
from storage.enums import State
from storage.views import AnswerView, OfferView, QuestionView

T = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _question(status: State, answered: bool) -> QuestionView:
    answers = (AnswerView("U_L1", "Lakeside", T),) if answered else ()
    return QuestionView(
        1, "U_M1", "Marketing", "Physician Liaisons", "Which offices?", status, T, answers, T
    )


def _offer(status: State, **extra: object) -> OfferView:
    return OfferView(
        2, "U_L1", "Physician Liaisons", "Marketing", "A target list", status, T, **extra
    )  # type: ignore[arg-type]


def _shown(payload: dict[str, object]) -> tuple[str, list[str]]:
    blocks = payload["blocks"]
    assert isinstance(blocks, list)
    buttons = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    return json.dumps(blocks), buttons


def test_question_states() -> None:
    waiting, buttons = _shown(item(_question(State.OPEN, False)))
    assert "Waiting for an answer" in waiting and buttons == [ids.ANSWER]
    answered, buttons = _shown(item(_question(State.ANSWERED, True)))
    assert ":white_check_mark: Answered by <@U_L1>" in answered and buttons == [ids.ANSWER]
    closed, buttons = _shown(item(_question(State.CLOSED, False)))
    assert "Closed without an answer" in closed and ":white_check_mark:" not in closed
    assert buttons == []
    done, buttons = _shown(item(_question(State.CLOSED, True)))
    assert ":white_check_mark: Answered by" in done and "closed by the asker" in done
    assert buttons == []


def test_offer_states_each_look_different() -> None:
    looks = {
        State.OFFERED: _offer(State.OFFERED),
        State.ACCEPTED: _offer(
            State.ACCEPTED, accepted_by="U_M1", accepted_at=T, moved_by="U_M1", moved_at=T
        ),
        State.DECLINED: _offer(
            State.DECLINED,
            declined_by="U_M1",
            declined_at=T,
            decline_reason="Done already",
            moved_by="U_M1",
            moved_at=T,
        ),
        State.DELIVERED: _offer(
            State.DELIVERED,
            accepted_by="U_M1",
            accepted_at=T,
            delivered_by="U_L1",
            delivered_at=T,
            delivered_link="https://drive.example.org/list",
            moved_by="U_L1",
            moved_at=T,
        ),
        State.WITHDRAWN: _offer(State.WITHDRAWN, withdrawn_at=T, moved_by="U_L1", moved_at=T),
    }
    shown = {state: _shown(item(view)) for state, view in looks.items()}
    assert len({text for text, _ in shown.values()}) == len(looks)
    assert shown[State.OFFERED][1] == [ids.ACCEPT, ids.DECLINE]
    assert shown[State.ACCEPTED][1] == [ids.DELIVER]
    for state in (State.DECLINED, State.DELIVERED, State.WITHDRAWN):
        assert shown[state][1] == []
    assert "Withdrawn offer of help" in shown[State.WITHDRAWN][0]
    assert "Withdrawn by <@U_L1>" in shown[State.WITHDRAWN][0]
    assert ":white_check_mark: Accepted by <@U_M1>" in shown[State.ACCEPTED][0]
    assert "Declined by <@U_M1>" in shown[State.DECLINED][0]
    assert "Delivered, marked by <@U_L1>" in shown[State.DELIVERED][0]
    assert ":handshake:" not in shown[State.WITHDRAWN][0]
    assert "Declined offer of help" in shown[State.DECLINED][0]
    assert "Done already" in shown[State.DECLINED][0]
    assert "|What was delivered>" in shown[State.DELIVERED][0]
    # Withdraw and Close are never in the other team's channel.
    for _, buttons in shown.values():
        assert ids.WITHDRAW not in buttons and ids.CLOSE not in buttons
