"""What storage needs from the outside world, without knowing Slack.

The use cases write the messages they cause in the same transaction as the change, so they
ask a Renderer (implemented by the Slack layer) to turn plain data into a message payload.
"""

from __future__ import annotations

from typing import Any, Protocol

from storage.views import AnswerView, OfferView, QuestionView, UpdateView

Payload = dict[str, Any]


class Renderer(Protocol):
    def plan_update(self, update: UpdateView) -> Payload: ...

    def question(self, question: QuestionView) -> Payload: ...

    def answer_reply(self, question: QuestionView, answer: AnswerView) -> Payload: ...

    def answer_dm(self, question: QuestionView, answer: AnswerView) -> Payload: ...

    def offer(self, offer: OfferView) -> Payload: ...

    def offer_accepted_dm(self, offer: OfferView) -> Payload: ...
