"""The audit export: CSV of who did what and when, filtered by time and workspace, no text."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import typed

from handlers.messages import SlackRenderer
from storage.enums import ItemKind
from storage.migrate import upgrade
from storage.policy.permissions import Actor
from storage.reports.audit import COLUMNS
from storage.services import Services
from storage.uow import Database
from storage.views import Draft

DAY1 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=7)
SECRET = "Lakeside Ortho sends 14 referrals a month"


def two_teams(services: Services, ws: str, when: datetime) -> Actor:
    """Both teams set up, with one member each (U_M1, U_L1); the admin who set them up."""
    admin = Actor(ws, "U_ADMIN", app_admin=True)
    services.teams.set_channel(admin, "marketing", "C_MKT", when)
    services.teams.set_channel(admin, "liaison", "C_LIA", when)
    services.teams.join(Actor(ws, "U_M1"), "marketing", when)
    services.teams.join(Actor(ws, "U_L1"), "liaison", when)
    return admin


def _world(services: Services, ws: str, when: datetime) -> None:
    two_teams(services, ws, when)
    offer = services.items.post(Actor(ws, "U_L1"), Draft(ItemKind.OFFER, typed(SECRET), True), when)
    services.items.post(Actor(ws, "U_M1"), Draft(ItemKind.UPDATE, typed(SECRET)), when)
    services.items.decline(Actor(ws, "U_M1"), offer.item_id, typed(SECRET), when)


def _export(services: Services, **filters: object) -> list[dict[str, str]]:
    out = io.StringIO()
    services.audit.write_csv(out, DAY2 + timedelta(days=1), **filters)  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_the_export_has_no_text_and_filters_by_time_and_workspace(db: Database) -> None:
    services = Services.build(db, SlackRenderer())
    _world(services, "T1", DAY1)
    _world(services, "T2", DAY2)

    out = io.StringIO()
    services.audit.write_csv(out, DAY2)
    raw = out.getvalue()
    header = raw.splitlines()[0].split(",")
    assert tuple(header) == COLUMNS and "text" not in header
    assert SECRET not in raw and "Lakeside" not in raw
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert len(rows) == 2 * 7
    offers = [r for r in rows if r["action"] == "offer"]
    assert all('"of_value": true' in r["detail"] for r in offers)  # the compliance flag

    assert {r["workspace"] for r in _export(services, workspaces=["T2"])} == {"T2"}
    early = _export(services, until=DAY2)
    assert {r["workspace"] for r in early} == {"T1"}
    late = _export(services, since=DAY2)
    # The earlier exports are in the trail too, one row per workspace they covered.
    assert {r["action"] for r in late} >= {"setup", "join", "offer", "share", "decline", "export"}


def test_audit_export_on_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bridge.db'}"
    db = Database.from_url(url)
    upgrade(db.engine)
    _world(Services.build(db, SlackRenderer()), "T1", DAY1)
    db.dispose()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "audit", "export", *args],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=60,
        )

    done = run("--since", "2026-11-01", "--workspace", "T1")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 7 and SECRET not in done.stdout
    assert "7 audit row(s) exported." in done.stderr
    bad = run("--since", "last tuesday")
    assert bad.returncode == 2 and "--since" in bad.stderr and "Traceback" not in bad.stderr
