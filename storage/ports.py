"""What storage needs from the outside world, without knowing Slack.

The use cases write the messages they cause in the same transaction as the change, so they
ask a Renderer (implemented by the Slack layer) to turn plain data into a message payload.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from storage.enums import Action
from storage.views import AnswerView, DigestView, ItemView, OfferView, QuestionView

if TYPE_CHECKING:  # the Home's query reads goals, whose use cases need this module
    from storage.reports.home import HomeView

Payload = dict[str, Any]


class Renderer(Protocol):
    def item(self, item: ItemView) -> Payload:
        """The item's message in the other team's channel, drawn for its current state."""
        ...

    def answer_reply(self, question: QuestionView, answer: AnswerView) -> Payload: ...

    def answer_dm(self, question: QuestionView, answer: AnswerView) -> Payload: ...

    def offer_dm(self, offer: OfferView, action: Action) -> Payload:
        """The private note to the other side when an offer is accepted, declined or
        delivered."""
        ...

    def digest(self, digest: DigestView) -> tuple[Payload, list[Payload]]:
        """The digest's parent message and the replies in its thread."""
        ...

    def reask(
        self, question: QuestionView, round: int, limit: int, now: datetime, *, broadcast: bool
    ) -> Payload: ...

    def escalation_dm(self, question: QuestionView, rounds: int, now: datetime) -> Payload: ...

    def post_failed(
        self, channel_id: str, error: str, text: str | None, contacts: tuple[str, ...]
    ) -> Payload:
        """The private note to an author whose post Slack refused for good: what to do
        (whom to ask: `contacts`), and the item's `text` back."""
        ...

    def working_on_it(self, question: QuestionView, user_id: str, until: datetime) -> Payload: ...

    def guard_notice(self, channel_id: str, kinds: tuple[str, ...], blocked: bool) -> Payload:
        """The private note about a thread reply with patient identifiers: the kinds only."""
        ...

    def home(self, home: HomeView) -> Payload:
        """A person's App Home: the view views.publish shows."""
        ...
