"""Habit 2, offer to work with them: offers of help, taken by the other team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.claims import owned
from storage.errors import AlreadyAccepted, NoLongerOpen, NotYours, OwnOffer, WrongTeam
from storage.models import Delivery, Offer, Team
from storage.ports import Renderer
from storage.questions import team_names
from storage.teams import member_team, route
from storage.uow import Database
from storage.views import OfferView, Posted


def offer_view_of(offer: Offer, names: dict[int, str]) -> OfferView:
    return OfferView(
        id=offer.id,
        offerer_id=offer.offerer_id,
        from_team=names[offer.from_team_id],
        to_team=names[offer.to_team_id],
        text=offer.text,
        status=offer.status,
        created_at=offer.created_at,
        accepted_by=offer.accepted_by,
        accepted_at=offer.accepted_at,
        withdrawn_at=offer.withdrawn_at,
    )


def offer_view(session: Session, offer: Offer) -> OfferView:
    return offer_view_of(offer, team_names(session, offer.from_team_id, offer.to_team_id))


class OfferService:
    def __init__(self, db: Database, render: Renderer) -> None:
        self._db = db
        self._render = render

    def offer(self, workspace_id: str, user_id: str, text: str, now: datetime) -> Posted:
        with self._db.unit_of_work() as uow:
            team, other, channel = route(uow.session, workspace_id, user_id)
            offer = Offer(
                workspace_id=workspace_id,
                from_team_id=team.id,
                to_team_id=other.id,
                offerer_id=user_id,
                text=text,
                status="offered",
                created_at=now,
            )
            uow.session.add(offer)
            uow.session.flush()
            view = offer_view_of(offer, {team.id: team.name, other.id: other.name})
            post = uow.queue(
                workspace_id, "post", channel, self._render.offer(view), now, notify=user_id
            )
            offer.delivery_id = post.id
            uow.audit(workspace_id, user_id, "offer.make", "offer", offer.id, now)
            return Posted(channel, other.name, offer.id)

    def accept(self, workspace_id: str, offer_id: int, user_id: str, now: datetime) -> OfferView:
        with self._db.unit_of_work() as uow:
            offer = owned(uow.session, Offer, workspace_id, offer_id, "offer")
            if offer.offerer_id == user_id:
                raise OwnOffer()
            if member_team(uow.session, workspace_id, user_id).id != offer.to_team_id:
                raise WrongTeam(uow.session.get_one(Team, offer.to_team_id).name)
            # The database decides who wins when many click at once: only one UPDATE matches.
            won = uow.session.execute(
                update(Offer)
                .where(Offer.id == offer.id, Offer.status == "offered")
                .values(status="accepted", accepted_by=user_id, accepted_at=now)
                .execution_options(synchronize_session=False)
            )
            uow.session.refresh(offer)
            if won.rowcount != 1:  # type: ignore[attr-defined]
                _refuse_not_open(offer)
            view = offer_view(uow.session, offer)
            post = uow.session.get_one(Delivery, offer.delivery_id)
            uow.queue(workspace_id, "update", post.channel, self._render.offer(view), now, ref=post)
            dm = self._render.offer_accepted_dm(view)
            uow.queue(workspace_id, "dm", offer.offerer_id, dm, now, ref=post)
            uow.audit(workspace_id, user_id, "offer.accept", "offer", offer.id, now)
            return view

    def withdraw(self, workspace_id: str, offer_id: int, user_id: str, now: datetime) -> OfferView:
        with self._db.unit_of_work() as uow:
            offer = owned(uow.session, Offer, workspace_id, offer_id, "offer")
            if offer.offerer_id != user_id:
                raise NotYours(offer.offerer_id)
            won = uow.session.execute(
                update(Offer)
                .where(Offer.id == offer.id, Offer.status == "offered")
                .values(status="withdrawn", withdrawn_at=now)
                .execution_options(synchronize_session=False)
            )
            uow.session.refresh(offer)
            if won.rowcount != 1:  # type: ignore[attr-defined]
                _refuse_not_open(offer)
            view = offer_view(uow.session, offer)
            post = uow.session.get_one(Delivery, offer.delivery_id)
            uow.queue(workspace_id, "update", post.channel, self._render.offer(view), now, ref=post)
            uow.audit(workspace_id, user_id, "offer.withdraw", "offer", offer.id, now)
            return view


def _refuse_not_open(offer: Offer) -> None:
    if offer.status == "accepted" and offer.accepted_by and offer.accepted_at:
        raise AlreadyAccepted(offer.accepted_by, offer.accepted_at)
    raise NoLongerOpen("offer", offer.status)
