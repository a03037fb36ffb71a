"""The schedule end to end: DST weeks, Block Kit limits at scale, exactly once across
processes and crashes, and the `jobs run` / `digest preview` command line."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import typed, wait_until
from fake_slack import Call, FakeSlack
from hypothesis import example, given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from sqlalchemy import func, insert, select, update

from handlers.messages import SlackRenderer
from storage.calendar import Calendar, latest_digest_time
from storage.enums import DeliveryKind, DeliveryStatus, ItemKind, State
from storage.models import Delivery, Digest, Offer, Question, ServiceLine, Team, Update
from storage.policy.permissions import Actor
from storage.services import Services
from storage.uow import Database
from storage.views import Draft

WS = "T0001"
NY = ZoneInfo("America/New_York")
MKT, LIA = "C_MKT", "C_LIA"
START = datetime(2026, 11, 16, 13, 0, tzinfo=UTC)  # Monday 08:00 in New York
DUE = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # the next Monday, 09:00 in New York
TICK = timedelta(minutes=15)
QUEUED = re.compile(r": (\d+) new post\(s\) queued\.")
ADMIN = Actor(WS, "U_ADMIN", app_admin=True)
UPDATE, QUESTION, OFFER = ItemKind.UPDATE, ItemKind.QUESTION, ItemKind.OFFER


def new_item(services: Services, user: str, kind: ItemKind, text: str, when: datetime) -> int:
    return services.items.post(Actor(WS, user), Draft(kind, typed(text)), when).item_id


def build(db: Database, created: datetime) -> Services:
    services = Services.build(db, SlackRenderer())
    services.teams.set_channel(ADMIN, "marketing", MKT, created)
    services.teams.set_channel(ADMIN, "liaison", LIA, created)
    for user in ("U_M1", "U_M2"):
        services.teams.join(Actor(WS, user), "marketing", created)
    for user in ("U_L1", "U_L2"):
        services.teams.join(Actor(WS, user), "liaison", created)
    return services


def seed_week(services: Services, start: datetime) -> None:
    """A week's activity both ways, from `start` on."""
    s = services

    def hours(n: int) -> datetime:
        return start + timedelta(hours=n)

    new_item(s, "U_L1", UPDATE, "North territory visits up 12%", hours(2))
    new_item(s, "U_M1", UPDATE, "Mailer to PCPs next week", hours(3))
    new_item(s, "U_M1", QUESTION, "Which cardiology groups first?", hours(4))
    answered = new_item(s, "U_M2", QUESTION, "Who owns the spine list?", hours(5))
    s.items.answer(Actor(WS, "U_L1"), answered, typed("Dana does"), hours(9))
    new_item(s, "U_L1", QUESTION, "When do the mailers land?", hours(6))
    new_item(s, "U_L2", OFFER, "Talking points for the heart fair", hours(7))


def digests(db: Database) -> list[Digest]:
    with db.unit_of_work() as uow:
        return list(uow.session.scalars(select(Digest).order_by(Digest.id)))


def digest_messages(db: Database) -> list[tuple[Delivery, list[Delivery]]]:
    """Each digest's parent post and its thread replies, as queued."""
    with db.unit_of_work() as uow:
        found = []
        for digest in uow.session.scalars(select(Digest).order_by(Digest.id)):
            parent = uow.session.get_one(Delivery, digest.delivery_id)
            thread = uow.session.scalars(
                select(Delivery).where(Delivery.ref_id == parent.id).order_by(Delivery.id)
            ).all()
            found.append((parent, list(thread)))
        return found


# -- daylight saving time ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("monday", "nine_local"),
    [
        (date(2026, 3, 9), datetime(2026, 3, 9, 13, 0, tzinfo=UTC)),  # after spring forward
        (date(2026, 11, 2), datetime(2026, 11, 2, 14, 0, tzinfo=UTC)),  # after fall back
    ],
)
def test_a_dst_week_gets_one_digest_per_team_at_nine_local(
    db: Database, monday: date, nine_local: datetime
) -> None:
    services = build(db, datetime(2026, 1, 5, 12, 0, tzinfo=UTC))
    # The week before went out on time, so the ticks below owe exactly this week's digest.
    week_before = datetime.combine(monday - timedelta(days=7), time(9, 0), NY)
    assert len(services.digests.run_due(week_before)) == 2
    before = {d.id for d in digests(db)}

    tick = datetime.combine(monday - timedelta(days=2), time(0, 0), NY).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=5), time(23, 45), NY)
    ticks_with_posts: list[datetime] = []
    while tick <= end:
        if services.digests.run_due(tick):
            ticks_with_posts.append(tick)
        tick += TICK

    assert ticks_with_posts == [nine_local]
    new = [d for d in digests(db) if d.id not in before]
    assert len(new) == 2 and len({d.team_id for d in new}) == 2
    assert {d.week for d in new} == {monday.isoformat()}
    assert {d.created_at for d in new} == {nine_local}
    assert {d.period_end for d in new} == {nine_local}


ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Phoenix",
    "Pacific/Honolulu",
]
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31, 23, 59, 59)
).map(lambda naive: naive.replace(tzinfo=UTC))


@settings(max_examples=300, deadline=None)
@given(
    moment=instants,
    zone_name=st.sampled_from(ZONES),
    days=st.integers(min_value=0, max_value=30),
    weekday=st.integers(min_value=0, max_value=6),
)
# Just before 09:00 on the Monday after fall back: the latest digest is 7 days + 59 min ago.
@example(datetime(2026, 11, 2, 13, 59, tzinfo=UTC), "America/New_York", 0, 0)
# 01:30 for the second time (EST) on the fall-back Sunday; just after the spring-forward jump.
@example(datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "America/New_York", 0, 6)
@example(datetime(2026, 3, 8, 8, 30, tzinfo=UTC), "America/Chicago", 5, 6)
def test_business_days_and_the_digest_instant_hold_in_every_zone(
    moment: datetime, zone_name: str, days: int, weekday: int
) -> None:
    zone = ZoneInfo(zone_name)
    calendar = Calendar(zone, frozenset({date(2026, 12, 24)}))

    later = calendar.add_business_days(moment, days)
    local, later_local = moment.astimezone(zone), later.astimezone(zone)
    if days:
        assert later_local.weekday() < 5, later_local
        assert calendar.is_business_day(later_local.date()), later_local
        assert later > moment
    assert later_local.time() == local.time()  # the same wall-clock time
    skipped = range(1, (later_local.date() - local.date()).days + 1)
    business = sum(calendar.is_business_day(local.date() + timedelta(days=n)) for n in skipped)
    assert business == days
    # Counted from the first business-hours moment: the result is a business-hours moment.
    due = calendar.after(moment, days)
    assert due >= moment and calendar.is_open(due)
    assert calendar.next_open(moment) <= due

    nine = time(9, 0)
    latest = latest_digest_time(moment, weekday, nine, zone)
    latest_local = latest.astimezone(zone)
    assert latest <= moment
    assert latest_local.weekday() == weekday
    assert latest_local.time() == nine
    # "Within the last 7 days" on the wall clock. In absolute time a week that crosses a
    # DST change is 7 days ± 1 hour, so the bound there is 7 days + 1 hour.
    assert local.replace(tzinfo=None) - latest_local.replace(tzinfo=None) < timedelta(days=7)
    assert latest > moment - timedelta(days=7, hours=1)
    following = datetime.combine(latest_local.date() + timedelta(days=7), nine, zone)
    assert following > moment  # nothing later was due: it is the latest


# -- Block Kit limits at scale --------------------------------------------------------------


def check_message(payload: dict[str, Any]) -> None:
    """Slack's limits for one message, and slack_sdk's own validation of every block."""
    blocks = payload["blocks"]
    assert 0 < len(blocks) <= 50
    assert 0 < len(payload["text"]) <= 4000
    for raw in blocks:
        parsed = Block.parse(raw)
        assert isinstance(parsed, Block), raw
        parsed.to_dict()  # raises SlackObjectFormationError past a limit
        kind = raw["type"]
        if kind == "section":
            assert "text" in raw or "fields" in raw
            if "text" in raw:
                assert len(raw["text"]["text"]) <= 3000
            assert len(raw.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in raw.get("fields", []))
        elif kind == "header":
            assert len(raw["text"]["text"]) <= 150
        elif kind == "context":
            assert len(raw["elements"]) <= 10
        elif kind == "actions":
            assert len(raw["elements"]) <= 25


def long_text(n: int, size: int = 5000) -> str:
    """Text whose escaping grows it (&, <, >), with an emoji and a would-be @channel."""
    chunk = f"#{n} R&D <b>ortho</b> & spine 🚑 <!channel> "
    return (chunk * (size // len(chunk) + 1))[:size]


def test_digests_stay_inside_block_kit_limits_at_scale(db: Database) -> None:
    build(db, START)
    at = START + timedelta(hours=1)
    with db.unit_of_work() as uow:
        s = uow.session
        team = {t.key: t.id for t in s.scalars(select(Team))}
        mkt, lia = team["marketing"], team["liaison"]
        lines = list(s.scalars(select(ServiceLine.id).where(ServiceLine.workspace_id == WS)))
        lines.append(None)  # and items without a service line

        def line(n: int) -> int | None:
            return lines[n % len(lines)]

        s.execute(
            insert(Question),
            [
                dict(
                    workspace_id=WS,
                    kind=QUESTION,
                    from_team_id=mkt,
                    to_team_id=lia,
                    author_id="U_M1",
                    text=long_text(n),
                    service_line_id=line(n),
                    status=State.OPEN,
                    created_at=at + timedelta(seconds=n),
                    last_asked_at=at + timedelta(seconds=n),
                    reask_round=0,
                )
                for n in range(500)
            ],
        )
        s.execute(
            insert(Offer),
            [
                dict(
                    workspace_id=WS,
                    kind=OFFER,
                    from_team_id=lia,
                    to_team_id=mkt,
                    author_id="U_L1",
                    text=long_text(n),
                    service_line_id=line(n),
                    status=State.OFFERED,
                    created_at=at + timedelta(seconds=n),
                )
                for n in range(500)
            ],
        )
        s.execute(
            insert(Update),
            [
                dict(
                    workspace_id=WS,
                    kind=UPDATE,
                    from_team_id=lia,
                    to_team_id=mkt,
                    author_id="U_L2",
                    text=long_text(n),
                    service_line_id=line(n),
                    status=State.SHARED,
                    created_at=at + timedelta(seconds=n),
                )
                for n in range(300)
            ],
        )

    assert Services.build(db, SlackRenderer()).digests.run_due(DUE)

    messages = digest_messages(db)
    assert len(messages) == 2
    checked = 0
    for parent, thread in messages:
        for row in [parent, *thread]:
            check_message(row.payload)
            assert "<!channel>" not in str(row.payload)
            checked += 1
    # Marketing's three lists (updates, its open questions, offers) grouped by service line
    # are more than 50 blocks: two replies. Liaisons' one list (the questions waiting): one.
    assert {parent.channel: len(thread) for parent, thread in messages} == {MKT: 2, LIA: 1}
    assert checked == 2 + 2 + 1
    texts = str([r.payload for _, thread in messages for r in thread])
    assert "…and 485 more." in texts and "…and 285 more." in texts
    for parent, thread in messages:
        blocks = [b for r in thread for b in r.payload["blocks"]]
        shown = [b["text"]["text"] for b in blocks if b["type"] == "section"]
        items = [t for t in shown if t.startswith("#")]
        # Every item shown once, whole (a list shows 15), none cut between two replies.
        assert len(items) == len(set(items)) == {MKT: 3 * 15, LIA: 15}[parent.channel]
        for reply in thread:  # no reply ends on a heading whose items are in the next
            last = reply.payload["blocks"][-1]
            assert last["type"] != "header" and not last.get("text", {}).get("text", "").startswith(
                ":hospital:"
            )


def test_reask_and_escalation_of_a_5000_character_question_fit(db: Database) -> None:
    services = build(db, START)
    question = new_item(services, "U_M1", QUESTION, long_text(1), START)
    # Mondays at 09:00 in New York, when business hours open.
    rounds = [START + timedelta(days=d, hours=1) for d in (7, 14, 21)]
    queued = [i for moment in rounds for i in services.reasks.run_due(moment)]
    services.items.snooze(Actor(WS, "U_L1"), question, rounds[0] + timedelta(hours=1))

    with db.unit_of_work() as uow:
        rows = uow.session.scalars(select(Delivery).order_by(Delivery.id)).all()
    kinds = Counter(r.kind for r in rows if r.id in queued)
    assert kinds == {DeliveryKind.THREAD: 2, DeliveryKind.DM: 1}
    [reask, last, _] = [r for r in rows if r.id in queued]
    assert "reply_broadcast" not in reask.payload  # in the thread only
    assert "reminder 1 of 2" in str(reask.payload["blocks"])
    assert last.payload["reply_broadcast"] is True  # the last round reaches the channel
    for row in rows:
        check_message(row.payload)
    assert "…" in reask.payload["blocks"][0]["text"]["text"]


# -- several processes, and a crash ---------------------------------------------------------


def cli_env(fake: FakeSlack, db_url: str, home: Path) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": db_url,
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(home)),
        "SLACK_API_TIMEOUT": "1",
    }


def start_cli(fake: FakeSlack, db_url: str, cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=cli_env(fake, db_url, cwd),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_cli(fake: FakeSlack, db_url: str, cwd: Path, *args: str) -> tuple[int, str, str]:
    process = start_cli(fake, db_url, cwd, *args)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def queued_count(out: str) -> int:
    """N in the run's summary line, "<job> at <instant>: N new post(s) queued."."""
    found = QUEUED.search(out)
    assert found, out
    return int(found.group(1))


def top_level(calls: list[Call]) -> list[Call]:
    return [c for c in calls if "thread_ts" not in c.body]


def digest_parents(calls: list[Call], channel: str) -> list[Call]:
    return [
        c
        for c in top_level(calls)
        if c.body.get("channel") == channel and str(c.body.get("text")).startswith("Weekly digest")
    ]


def assert_parents_arrived_once(db: Database, calls: list[Call]) -> None:
    """One digest parent per team channel, as queued, and no thread reply twice."""
    messages = digest_messages(db)
    assert {parent.channel for parent, _ in messages} == {MKT, LIA}
    for parent, _ in messages:
        assert parent.status == DeliveryStatus.SENT and parent.result_ts
        [arrived] = digest_parents(calls, parent.channel)
        assert arrived.body["blocks"] == parent.payload["blocks"]
    replies = Counter(
        (c.body["channel"], c.body["thread_ts"], c.body["text"])
        for c in calls
        if "thread_ts" in c.body
    )
    assert all(n == 1 for n in replies.values()), replies


def assert_each_digest_arrived_once(db: Database, calls: list[Call]) -> None:
    """One parent per team channel; its thread replies, each once, under that parent."""
    assert_parents_arrived_once(db, calls)
    for parent, thread in digest_messages(db):
        replies = [
            c.body["text"]
            for c in calls
            if c.body.get("thread_ts") == parent.result_ts
            and c.body.get("channel") == parent.channel
        ]
        assert thread and Counter(replies) == Counter(r.payload["text"] for r in thread)


# Several processes claiming at once is a PostgreSQL deployment; SQLite serves one process.
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_four_processes_at_once_post_each_digest_exactly_once(
    db: Database, db_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    seed_week(build(db, START), START)

    processes = [
        start_cli(fake, db_url, tmp_path, "jobs", "run", "digest", "--at", DUE.isoformat())
        for _ in range(4)
    ]
    results = [(p.communicate(timeout=60), p.returncode) for p in processes]

    for (_, err), code in results:
        assert code == 0, err
    queued = [queued_count(out) for (out, _), _ in results]
    digest_rows = sum(1 + len(thread) for _, thread in digest_messages(db))
    assert sum(queued) == digest_rows  # one process claimed each team; the others none
    assert len(digests(db)) == 2
    posts = fake.calls("chat.postMessage")
    assert_each_digest_arrived_once(db, posts)
    # Everything else queued (the week's own posts) also went out once each.
    with db.unit_of_work() as uow:
        rows = uow.session.scalars(select(Delivery)).all()
    assert {r.status for r in rows} == {DeliveryStatus.SENT}
    posted = (DeliveryKind.POST, DeliveryKind.THREAD, DeliveryKind.DM)
    assert len(posts) == sum(r.kind in posted for r in rows)
    assert len(fake.calls("chat.update")) == sum(r.kind == DeliveryKind.EDIT for r in rows)


def crash_then_rerun(
    db: Database, db_url: str, fake: FakeSlack, cwd: Path
) -> tuple[list[Call], str]:
    """`jobs run digest --at DUE` killed during its first post (held by Slack), then
    `jobs run digest` 10 minutes later; the calls that arrived, and the second run's output."""
    seed_week(build(db, START), START)
    with db.unit_of_work() as uow:  # the app had delivered the week's own posts
        uow.session.execute(
            update(Delivery).values(
                status=DeliveryStatus.SENT, result_channel=Delivery.channel, sent_at=START
            )
        )
    fake.hold_seconds = 60
    fake.fail_next("chat.postMessage", "timeout", times=1)

    crashed = start_cli(fake, db_url, cwd, "jobs", "run", "digest", "--at", DUE.isoformat())
    try:  # until Slack holds the first post (or the run ends, which would be wrong)
        wait_until(
            lambda: (
                fake.calls("chat.postMessage", include_failed=True) or crashed.poll() is not None
            ),
            timeout=30,
        )
    finally:
        crashed.send_signal(signal.SIGKILL)
        _, err = crashed.communicate(timeout=30)
    assert crashed.returncode == -signal.SIGKILL, err
    held = fake.calls("chat.postMessage", include_failed=True)
    assert held[0].failed == "timeout"
    assert str(held[0].body["text"]).startswith("Weekly digest")
    assert len(digests(db)) == 2  # claimed, and queued, before the first post

    before = fake.calls("chat.postMessage", include_failed=True)
    fake.reset()
    fake.hold_seconds = 0.1
    assert fake.calls(include_failed=True) == []

    later = DUE + timedelta(minutes=10)  # past the crashed run's 2-minute lease
    code, out, err = run_cli(fake, db_url, cwd, "jobs", "run", "digest", "--at", later.isoformat())

    assert code == 0, err
    after = fake.calls("chat.postMessage", include_failed=True)
    assert all(c.failed is None for c in after)  # nothing held any more
    return [c for c in before + after if c.failed is None], out


def test_a_run_killed_mid_post_is_finished_by_the_next_run_once(
    db: Database, db_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    arrived, out = crash_then_rerun(db, db_url, fake, tmp_path)

    assert queued_count(out) == 0  # nothing claimed twice
    assert_parents_arrived_once(db, arrived)
    assert len(digests(db)) == 2


def test_the_next_run_also_sends_the_killed_runs_thread_replies(
    db: Database, db_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    arrived, _ = crash_then_rerun(db, db_url, fake, tmp_path)

    assert_each_digest_arrived_once(db, arrived)
    with db.unit_of_work() as uow:
        assert set(uow.session.scalars(select(Delivery.status))) == {DeliveryStatus.SENT}


# -- the command line -----------------------------------------------------------------------

ASKED = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York
THURSDAY = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)  # 3 business days later


def test_jobs_run_reask_posts_one_reminder_in_the_thread(
    db: Database, db_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    services = build(db, ASKED - timedelta(days=1))
    question = new_item(services, "U_M1", QUESTION, "Which offices raised access issues?", ASKED)

    code, out, err = run_cli(
        fake, db_url, tmp_path, "jobs", "run", "reask", "--at", THURSDAY.isoformat()
    )

    assert code == 0, err
    assert "reask at 2026-11-19T15:00:00+00:00: 1 new post(s) queued." in out
    with db.unit_of_work() as uow:
        asked = uow.session.get_one(Question, question)
        post = uow.session.get_one(Delivery, asked.delivery_id)
    [original] = top_level(fake.calls("chat.postMessage"))
    assert original.body["channel"] == LIA and post.result_ts
    [reminder] = [c for c in fake.calls("chat.postMessage") if "thread_ts" in c.body]
    assert reminder.body["thread_ts"] == post.result_ts
    assert reminder.body["channel"] == LIA
    assert "reply_broadcast" not in reminder.body  # only the last round is broadcast
    assert "reminder 1 of 2" in str(reminder.body["blocks"])

    code, out, err = run_cli(
        fake, db_url, tmp_path, "jobs", "run", "reask", "--at", THURSDAY.isoformat()
    )

    assert code == 0, err
    assert "0 new post(s) queued." in out
    assert len(fake.calls("chat.postMessage")) == 2


def test_digest_preview_prints_readable_text_and_posts_nothing(
    db: Database, db_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    # The preview runs at the real "now"; seed the past few hours.
    now = datetime.now(UTC)
    services = build(db, now - timedelta(days=2))
    new_item(
        services, "U_L1", UPDATE, "Ortho & spine visits <north> done", now - timedelta(hours=3)
    )
    new_item(services, "U_L2", QUESTION, "When do the mailers land?", now - timedelta(hours=2))
    with db.unit_of_work() as uow:
        queued_before = uow.session.scalar(select(func.count()).select_from(Delivery))

    code, out, err = run_cli(fake, db_url, tmp_path, "digest", "preview", "--team", "marketing")

    assert code == 0, err
    assert "=== marketing ===" in out and "=== liaison ===" not in out
    assert "Weekly digest for Marketing" in out
    assert "Ortho & spine visits <north> done" in out  # unescaped for a terminal
    assert "When do the mailers land?\n_from @U_L2, open today_ [Answer]" in out
    assert "@U_L1" in out and "<@" not in out and "<!date" not in out
    assert fake.calls(include_failed=True) == []
    assert digests(db) == []
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Delivery)) == queued_before


def test_jobs_run_with_a_bad_at_exits_2_naming_it(
    db_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    code, out, err = run_cli(fake, db_url, tmp_path, "jobs", "run", "digest", "--at", "not-a-date")

    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert err.rstrip().splitlines()[-1] == (
        "liaison-bridge: --at must be an ISO-8601 time, not 'not-a-date'."
    )
    assert fake.calls(include_failed=True) == []


def test_a_bad_at_is_the_only_line_on_stderr(tmp_path: Path, fake: FakeSlack) -> None:
    code, _, err = run_cli(
        fake, f"sqlite:///{tmp_path / 'x.db'}", tmp_path, "jobs", "run", "digest", "--at", "x"
    )

    assert code == 2
    [line] = err.strip().splitlines()
    assert line == "liaison-bridge: --at must be an ISO-8601 time, not 'x'."
