"""The composition root: the Bolt app wired to the use cases."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from typing import cast

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient

import handlers
from bot.installs import InstallationStore, oauth_settings
from bot.settings import Settings
from handlers.deps import Deps
from storage.services import Services


def make_client(settings: Settings, token: str | None) -> WebClient:
    # Retries are the delivery worker's job; a listener call should fail fast instead.
    return WebClient(
        token=token,
        base_url=settings.slack_api_url or WebClient.BASE_URL,
        timeout=settings.slack_api_timeout,
        retry_handlers=[],
    )


def create_app(
    settings: Settings,
    services: Services,
    client: WebClient,
    clock: Callable[[], datetime],
    background: Executor,
    authorize: Callable[..., AuthorizeResult] | Authorize,
    store: InstallationStore | None = None,
) -> App:
    """`store`: OAuth installs (with `authorize` reading it); None for a single token."""
    # Bolt logs a rejected request's body at INFO; user text must stay out of the logs.
    logger = logging.getLogger("liaison_bridge.bolt")
    app = App(
        # A client without a token and our own authorize: Bolt then never makes an auth.test
        # of its own on a request, so requests are stored while Slack is out of reach.
        client=client,
        # Bolt also takes an Authorize instance (the only kind allowed along with OAuth).
        authorize=cast(Callable[..., AuthorizeResult], authorize),
        signing_secret=settings.slack_signing_secret or None,
        # The ack is the HTTP answer itself: no 10 ms polling for it, no work after it.
        process_before_response=True,
        # Requests no listener takes reach the error handler, which acknowledges them: a
        # 404 would be a failed delivery that Slack retries (and, in Socket Mode, unacked).
        raise_error_for_unhandled_request=True,
        logger=logger,
        oauth_settings=(
            oauth_settings(
                settings.slack_client_id or "",
                settings.slack_client_secret or "",
                store,
                store.engine,
            )
            if store is not None
            else None
        ),
    )
    deps = Deps(
        services=services,
        admins=settings.admins,
        clock=clock,
        background=background,
        tokens=store,
    )
    handlers.register(app, deps)
    return app
