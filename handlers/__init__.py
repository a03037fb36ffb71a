"""Slack listeners and the pure Block Kit builders they post."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    actions,
    commands,
    events,
    failures,
    goals,
    installs,
    replays,
    shortcuts,
    views,
)
from handlers.deps import Deps


def register(app: App, deps: Deps) -> None:
    app.use(replays.remember(deps))
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    goals.register(app, deps)
    events.register(app, deps)
    installs.register(app, deps)
    shortcuts.register(app, deps)
    app.error(failures.error_handler(app, deps))
