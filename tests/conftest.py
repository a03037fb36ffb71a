"""Shared fixtures: real databases (SQLite and PostgreSQL), a fake Slack, the app as served."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import pytest
from fake_slack import FakeSlack
from slack_requests import SlackSender
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bot.delivery import utcnow
from bot.runtime import Runtime
from bot.server import listening_socket
from bot.settings import Settings
from storage.db import normalize_url
from storage.guard import Guard, Text
from storage.migrate import upgrade
from storage.models import Base
from storage.policy.permissions import Actor
from storage.ports import Renderer
from storage.uow import Database

T = TypeVar("T")
SECRET = "test-signing-secret"
ADMIN = "U_ADMIN"
MARKETING = ("U_M1", "U_M2")
LIAISONS = tuple(f"U_L{n}" for n in range(1, 13))
MKT_CHANNEL, LIA_CHANNEL = "C_MKT", "C_LIA"


def wait_until(value: Callable[[], T | None], timeout: float = 10.0) -> T:
    """Wait for background work (the delivery worker) to produce a value."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while (result := value()) is None or result is False:
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app's background work")
        pause.wait(0.02)
    return result


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        return normalize_url(url)
    if os.environ.get("CI") == "true":
        pytest.fail("TEST_DATABASE_URL must be set in CI: PostgreSQL tests may not be skipped")
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A fresh, empty database of each kind; PostgreSQL gets a schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = _postgres_url()
    if base is None:
        pytest.skip("set TEST_DATABASE_URL to run the PostgreSQL tests")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.from_url(db_url)
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


def settings_for(fake: FakeSlack, db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test",
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.api_url,
        "database_url": db_url,
        "admins": frozenset({ADMIN}),
        "slack_api_timeout": 1,
        "delivery_workers": 2,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Served:
    runtime: Runtime
    slack: SlackSender
    url: str

    def rows(self, model: type[Base]) -> list[Any]:
        with self.runtime.db.unit_of_work() as uow:
            return list(uow.session.scalars(select(model)).all())


def serve(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Served:
    runtime = Runtime(settings, clock=clock)
    sock = listening_socket("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    runtime.serve_in_background(sock)
    return Served(runtime, SlackSender(url, SECRET), url)


@pytest.fixture
def app(fake: FakeSlack, db_url: str) -> Iterator[Served]:
    served = serve(settings_for(fake, db_url))
    yield served
    served.runtime.stop()


def set_up(
    app: Served, marketing: tuple[str, ...] = MARKETING, liaisons: tuple[str, ...] = LIAISONS
) -> Served:
    """Both teams with home channels and members, as an admin and the users would set it up."""
    for command, user, channel in [
        ("setup marketing", ADMIN, MKT_CHANNEL),
        ("setup liaison", ADMIN, LIA_CHANNEL),
        *[("join marketing", u, MKT_CHANNEL) for u in marketing],
        *[("join liaison", u, LIA_CHANNEL) for u in liaisons],
    ]:
        reply = app.slack.command("/liaison", command, user, channel)
        assert reply.status == 200, reply
    return app


@pytest.fixture
def teams(app: Served) -> Served:
    return set_up(app)


_GUARD = Guard(cast(Database, None), cast(Renderer, None))


def typed(raw: str) -> Text:
    """Clean text as the PHI guard passes it, for tests that call the use cases directly
    (a text with nothing to report never reaches the guard's database)."""
    return _GUARD.screen(Actor.app("T0"), raw, datetime.now(UTC))
