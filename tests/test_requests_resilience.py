"""Requests survive what happens to the app's neighbours: PostgreSQL dropping every
connection under traffic, and Slack out of reach when the app starts."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from conftest import (
    LIA_CHANNEL,
    LIAISONS,
    MARKETING,
    MKT_CHANNEL,
    Served,
    serve,
    set_up,
    settings_for,
    wait_until,
)
from fake_slack import FakeSlack
from slack_requests import Reply
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from handlers import replies
from storage.enums import DeliveryStatus
from storage.models import Delivery, Item, Update

M1 = MARKETING[0]
L1 = LIAISONS[0]
COMMANDS = 40


@pytest.fixture
def named_app(fake: FakeSlack, db_url: str) -> Iterator[Served]:
    """The app as served, its PostgreSQL connections named so the test can terminate them
    (and only them: other databases' and other tests' sessions stay untouched)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no server connections to terminate")
    named = make_url(db_url).update_query_dict({"application_name": f"lb-{uuid.uuid4().hex[:8]}"})
    served = serve(settings_for(fake, named.render_as_string(hide_password=False)))
    yield served
    served.runtime.stop()


def terminate_backends(admin: Connection, name: str) -> int:
    killed = admin.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = :name "
            "AND pid <> pg_backend_pid()"
        ),
        {"name": name},
    ).all()
    admin.commit()  # the next round reads pg_stat_activity afresh
    return len(killed)


def test_terminated_postgresql_backends_cost_no_request(named_app: Served, db_url: str) -> None:
    teams = set_up(named_app)
    name = str(teams.runtime.db.engine.url.query["application_name"])
    answers: list[Reply] = []

    def traffic() -> None:
        for n in range(COMMANDS):
            answers.append(teams.slack.command("/share", f"Update {n}", M1, MKT_CHANNEL))

    sender = threading.Thread(target=traffic)
    sender.start()
    killed = 0
    admin = create_engine(make_url(db_url).set(drivername="postgresql+psycopg"))
    with admin.connect() as connection:
        for _ in range(8):  # terminate every connection of the app eight times, mid-traffic
            # Counted from the end of the last round: a request hit by one round has had
            # its one retry before the next round starts (two kills within one request
            # would be beyond a retry once).
            due = len(answers) + COMMANDS // 20
            wait_until(lambda due=due: len(answers) >= due or not sender.is_alive())
            assert sender.is_alive(), "the traffic ended before the eighth round"
            killed += terminate_backends(connection, name)
    admin.dispose()
    sender.join(60)

    assert killed >= 8
    assert [a.status for a in answers] == [200] * COMMANDS
    assert [a for a in answers if replies.TROUBLE in a.text] == []
    assert all("on its way" in a.text for a in answers), [a.text for a in answers]
    assert sorted(u.text for u in teams.rows(Update)) == sorted(
        f"Update {n}" for n in range(COMMANDS)
    )

    def all_sent() -> bool:
        rows = teams.rows(Delivery)
        return len(rows) == COMMANDS and all(d.status == DeliveryStatus.SENT for d in rows)

    wait_until(all_sent, timeout=60)


def test_a_cold_start_with_slack_down_stores_every_command_and_delivers_later(
    teams: Served, fake: FakeSlack, db_url: str
) -> None:
    settings = settings_for(fake, db_url)
    port = fake.port
    teams.runtime.stop()  # the app that set the teams up is gone
    fake.stop()  # and Slack is out of reach when the app starts again
    cold = serve(settings)
    try:
        cold.runtime.slack.start()  # as `run` does: one check, then serve anyway
        assert cold.runtime.slack.state == "unreachable"
        sent = [
            *(cold.slack.command("/share", f"Share {n}", M1, MKT_CHANNEL) for n in range(3)),
            *(cold.slack.command("/ask", f"Ask {n}?", M1, MKT_CHANNEL) for n in range(3)),
            *(cold.slack.command("/offer", f"Offer {n}", L1, LIA_CHANNEL) for n in range(3)),
        ]
        assert [r.status for r in sent] == [200] * 9
        assert all("on its way" in r.text for r in sent), [r.text for r in sent]
        assert len(cold.rows(Item)) == 9

        fake.start(port)  # Slack is back
        posts = fake.wait_for(
            "chat.postMessage",
            count=9,
            timeout=60,
            where=lambda c: c.body.get("channel") in (LIA_CHANNEL, MKT_CHANNEL),
        )
        texts = [str(p.body.get("blocks")) for p in posts]
        for word in [f"{kind} {n}" for kind in ("Share", "Ask", "Offer") for n in range(3)]:
            assert len([t for t in texts if word in t]) == 1, word
        # No request needed Slack to be authorized: nothing asked auth.test on its way.
        assert fake.calls("auth.test") == []
    finally:
        cold.runtime.stop()
