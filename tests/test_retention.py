"""Retention: old texts become a marker everywhere; rows, states, figures and audit stay."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import typed
from sqlalchemy import select, text

from handlers.messages import SlackRenderer
from handlers.plaintext import as_text
from storage.enums import Action, ItemKind, State
from storage.migrate import upgrade
from storage.models import AuditEntry, Base, Item, Offer
from storage.policy.permissions import Actor
from storage.retention import MARKER
from storage.services import Services
from storage.uow import Database
from storage.views import Draft

WS = "T1"
OLD = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
ADMIN, M1, L1 = Actor(WS, "U_ADMIN", app_admin=True), Actor(WS, "U_M1"), Actor(WS, "U_L1")
SECRETS = (
    "Ortho mailers go to the Lakeside offices",
    "Which cardiology groups split referrals",
    "Dr. Okafor's group sends to St. Mary's",
    "A target list of splitter PCPs",
    "We covered the north last month",
    "https://drive.example.org/secret-list",
    "https://docs.example.org/ortho-plan",
)


def _fill(services: Services, when: datetime, tag: str = "") -> None:
    items = services.items
    plan = Draft(ItemKind.UPDATE, typed(SECRETS[0] + tag), link=typed(SECRETS[6] + tag))
    items.post(M1, plan, when)
    question = items.post(M1, Draft(ItemKind.QUESTION, typed(SECRETS[1] + tag)), when).item_id
    items.answer(L1, question, typed(SECRETS[2] + tag), when)
    offer = items.post(L1, Draft(ItemKind.OFFER, typed(SECRETS[3] + tag)), when).item_id
    declined = items.post(L1, Draft(ItemKind.OFFER, typed("Talking points" + tag)), when).item_id
    items.decline(M1, declined, typed(SECRETS[4] + tag), when)
    items.accept(M1, offer, when)
    items.deliver(L1, offer, typed(SECRETS[5] + tag), when)


@pytest.fixture
def services(db: Database) -> Services:
    services = Services.build(db, SlackRenderer())
    services.teams.set_channel(ADMIN, "marketing", "C_MKT", OLD)
    services.teams.set_channel(ADMIN, "liaison", "C_LIA", OLD)
    services.teams.join(M1, "marketing", OLD)
    services.teams.join(L1, "liaison", OLD)
    return services


def _every_text(db: Database) -> str:
    """Every text and JSON column of every table, as one string to search."""
    found: list[str] = []
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c.name for c in table.columns if c.type.python_type in (str, dict)]
            for column in columns:
                for (value,) in connection.execute(text(f'SELECT "{column}" FROM {table.name}')):
                    found.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(found)


def test_purge_removes_every_old_text_from_every_table(services: Services, db: Database) -> None:
    _fill(services, OLD)
    _fill(services, NOW - timedelta(days=2), tag="-recent")  # links take no spaces
    assert all(secret in _every_text(db) for secret in SECRETS)

    dry = services.retention.purge(30, NOW, dry_run=True)
    assert dry.total > 0 and all(secret in _every_text(db) for secret in SECRETS)

    purged = services.retention.purge(30, NOW)
    assert purged.counts == dry.counts
    everything = _every_text(db)
    for secret in SECRETS:
        assert everything.count(secret) == everything.count(secret + "-recent"), secret
    assert MARKER in everything
    # Rows, states and the audit trail stay; a second pass has nothing left to do.
    with db.unit_of_work() as uow:
        items = list(uow.session.scalars(select(Item)))
        assert len(items) == 8
        assert {i.status for i in items} >= {State.SHARED, State.ANSWERED, State.DELIVERED}
        offers = list(uow.session.scalars(select(Offer).where(Offer.created_at == OLD)))
        assert all(o.delivered_link in (None, MARKER) for o in offers)
        purges = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == Action.PURGE)
        ).all()
        assert [p.detail for p in purges] == [{"days": 30, "texts": purged.total}]
    assert services.retention.purge(30, NOW).total == 0


def test_the_digest_still_renders_after_a_purge(services: Services) -> None:
    _fill(services, NOW - timedelta(days=40))
    services.retention.purge(30, NOW)
    view = services.digests.preview(WS, "marketing", NOW - timedelta(days=37))
    parent, thread = SlackRenderer().digest(view)
    shown = "\n".join(as_text(p) for p in [parent, *thread])
    assert MARKER in shown and SECRETS[0] not in shown


def _cli(tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tmp,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_line_purges_and_says_what_it_did(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bridge.db'}"
    db = Database.from_url(url)
    upgrade(db.engine)
    services = Services.build(db, SlackRenderer())
    services.teams.set_channel(ADMIN, "marketing", "C_MKT", OLD)
    services.teams.set_channel(ADMIN, "liaison", "C_LIA", OLD)
    services.teams.join(M1, "marketing", OLD)
    services.teams.join(L1, "liaison", OLD)
    _fill(services, OLD)
    db.dispose()

    off = _cli(tmp_path, "retention", "purge", DATABASE_URL=url)
    assert off.returncode == 2 and "RETENTION_DAYS" in off.stderr
    dry = _cli(tmp_path, "retention", "purge", "--dry-run", DATABASE_URL=url, RETENTION_DAYS="30")
    assert dry.returncode == 0, dry.stderr
    assert "would be replaced" in dry.stdout and "item texts: 4" in dry.stdout
    done = _cli(tmp_path, "retention", "purge", DATABASE_URL=url, RETENTION_DAYS="30")
    assert done.returncode == 0 and "item texts: 4" in done.stdout
    exported = _cli(tmp_path, "audit", "export", DATABASE_URL=url)
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert "purge" in {row["action"] for row in rows}
