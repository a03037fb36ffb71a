"""What storage needs from the outside world, without knowing Slack.

The use cases write the messages they cause in the same transaction as the change, so they
ask a Renderer (implemented by the Slack layer) to turn plain data into a message payload.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from storage.views import AnswerView, DigestView, OfferView, QuestionView, UpdateView

Payload = dict[str, Any]


class Renderer(Protocol):
    def plan_update(self, update: UpdateView) -> Payload: ...

    def question(self, question: QuestionView) -> Payload: ...

    def answer_reply(self, question: QuestionView, answer: AnswerView) -> Payload: ...

    def answer_dm(self, question: QuestionView, answer: AnswerView) -> Payload: ...

    def offer(self, offer: OfferView) -> Payload: ...

    def offer_accepted_dm(self, offer: OfferView) -> Payload: ...

    def digest(self, digest: DigestView) -> tuple[Payload, list[Payload]]:
        """The digest's parent message and the replies in its thread."""
        ...

    def reask(self, question: QuestionView, round: int, limit: int, now: datetime) -> Payload: ...

    def escalation_dm(self, question: QuestionView, rounds: int, now: datetime) -> Payload: ...

    def post_failed(self, channel_id: str, error: str) -> Payload:
        """The private note to an author whose post Slack refused for good."""
        ...

    def working_on_it(self, question: QuestionView, user_id: str, until: datetime) -> Payload: ...
