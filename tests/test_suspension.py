"""A workspace whose token Slack refuses stops being delivered to as a whole: it is logged
and its people told once, nothing is retried row by row, and a reinstall resumes it."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ADMIN, MKT_CHANNEL, Served, serve, settings_for, wait_until
from fake_slack import FakeSlack
from installing import M1, install, oauth, ready

from storage.enums import DeliveryKind, DeliveryStatus
from storage.models import Delivery, Workspace
from storage.teams import ensure_workspace

__all__ = ["oauth"]
REFUSED = "Slack refused workspace"


def shares(fake: FakeSlack, token: str | None = None) -> list[str]:
    return [
        json.dumps(c.body.get("blocks"))
        for c in fake.calls("chat.postMessage", include_failed=True)
        if "Shared " in json.dumps(c.body.get("blocks")) and token in (None, c.token)
    ]


def nothing_claimable(app: Served) -> bool:
    later = datetime.now(UTC) + timedelta(hours=1)
    return app.runtime.services.outbox.claim_many(later, timedelta(seconds=1), 10) == []


def workspace(app: Served, team: str) -> Workspace:
    return next(w for w in app.rows(Workspace) if w.id == team)


def test_a_refused_token_suspends_the_workspace_once_and_a_reinstall_resumes_it(
    oauth: Served, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    token, sender = ready(oauth, fake, "T1")
    fake.refused[token] = "invalid_auth"
    caplog.set_level(logging.ERROR, logger="bot.suspension")

    for n in range(5):
        sender.command("/share", f"Shared {n}", M1, MKT_CHANNEL)
    wait_until(lambda: workspace(oauth, "T1").suspended_at)
    # The rows claimed before the suspension was recorded each made one call; no more:
    # even an hour on, none of the workspace's rows may be claimed.
    wait_until(lambda: not [r for r in oauth.rows(Delivery) if r.lease_until], timeout=10)
    assert nothing_claimable(oauth)
    tried = len(shares(fake, token))
    assert 1 <= tried <= oauth.runtime.settings.delivery_workers
    assert workspace(oauth, "T1").suspended_error == "invalid_auth"
    pending = [r for r in oauth.rows(Delivery) if r.status == DeliveryStatus.PENDING]
    assert len(pending) == 5
    refusals = [r for r in caplog.records if REFUSED in r.getMessage()]
    assert len(refusals) == 1 and "T1" in refusals[0].getMessage()
    # A revoked token reaches no one: no notice is tried.
    assert [c for c in fake.calls("chat.postMessage") if c.body.get("channel") == ADMIN] == []

    fresh = install(oauth, fake, "team=T1")

    assert wait_until(lambda: len(shares(fake, fresh)) == 5 or None)
    assert workspace(oauth, "T1").suspended_at is None
    assert len(shares(fake, token)) == tried


def test_a_missing_scope_suspends_and_tells_the_installer_and_admins_once(
    oauth: Served, fake: FakeSlack
) -> None:
    token, sender = ready(oauth, fake, "T1", "team=T1,user=U_INSTALLER")
    other, elsewhere = ready(oauth, fake, "T2")
    fake.fail_next("chat.postMessage", "error:missing_scope")

    sender.command("/share", "Shared first", M1, MKT_CHANNEL)
    wait_until(lambda: workspace(oauth, "T1").suspended_at)
    sender.command("/share", "Shared second", M1, MKT_CHANNEL)
    elsewhere.command("/share", "Shared elsewhere", M1, MKT_CHANNEL)

    fake.wait_for("chat.postMessage", where=lambda c: c.token == other and "Shared " in c.raw)
    notices = wait_until(
        lambda: (
            [c for c in fake.calls("chat.postMessage") if "missing a permission" in c.raw] or None
        )
    )
    assert sorted(c.body["channel"] for c in notices) == sorted(["U_INSTALLER", ADMIN])
    assert {c.token for c in notices} == {token}
    assert shares(fake, token) == [shares(fake, token)[0]]  # only the refused first try

    install(oauth, fake, "team=T1")
    assert wait_until(lambda: len(shares(fake)) == 4 or None)
    notices_after = [c for c in fake.calls("chat.postMessage") if "missing a permission" in c.raw]
    assert len(notices_after) == 2


def test_single_token_resumes_when_slack_takes_the_token_at_start(
    fake: FakeSlack, db_url: str
) -> None:
    app = serve(settings_for(fake, db_url))
    try:
        now = datetime.now(UTC)
        with app.runtime.db.unit_of_work() as uow:
            ensure_workspace(uow.session, "T0001", now)
        installs = app.runtime.services.installs
        assert installs.suspend("T0001", "token_revoked", now) is not None
        assert installs.suspend("T0001", "token_revoked", now) is None  # told once
        with app.runtime.db.unit_of_work() as uow:
            uow.queue("T0001", DeliveryKind.POST, "C_LIA", {"text": "waiting"}, now)
        assert nothing_claimable(app)

        assert app.runtime.slack.check()  # the operator fixed SLACK_BOT_TOKEN and restarted

        [post] = fake.wait_for("chat.postMessage")
        assert post.body["text"] == "waiting" and post.token == "xoxb-test"
        assert workspace(app, "T0001").suspended_at is None
    finally:
        app.runtime.stop()
