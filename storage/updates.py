"""Habit 1, share information: plan updates posted to the other team."""

from __future__ import annotations

from datetime import datetime

from storage.models import PlanUpdate
from storage.ports import Renderer
from storage.teams import route
from storage.uow import Database
from storage.views import Posted, UpdateView


class UpdateService:
    def __init__(self, db: Database, render: Renderer) -> None:
        self._db = db
        self._render = render

    def share(self, workspace_id: str, user_id: str, text: str, now: datetime) -> Posted:
        with self._db.unit_of_work() as uow:
            team, other, channel = route(uow.session, workspace_id, user_id)
            update = PlanUpdate(
                workspace_id=workspace_id,
                team_id=team.id,
                author_id=user_id,
                text=text,
                created_at=now,
            )
            uow.session.add(update)
            uow.session.flush()
            view = UpdateView(update.id, user_id, team.name, text, now)
            post = uow.queue(
                workspace_id, "post", channel, self._render.plan_update(view), now, notify=user_id
            )
            update.delivery_id = post.id
            uow.audit(workspace_id, user_id, "update.share", "plan_update", update.id, now)
            return Posted(channel, other.name, update.id)
