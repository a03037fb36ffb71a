"""The weekly digest: content for a seeded week, exactly once per team and week."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from conftest import LIA_CHANNEL, MKT_CHANNEL, Served, typed, wait_until
from fake_slack import FakeSlack
from slack_sdk import WebClient
from sqlalchemy import select

from handlers import ids
from handlers.digest import NO_SERVICE_LINE, figures_line
from handlers.messages import SlackRenderer
from handlers.permalinks import Permalinks
from handlers.plaintext import as_text
from storage.enums import DeliveryKind, ItemKind, State
from storage.models import Delivery, Digest, Item, Question, ServiceLine, Workspace
from storage.policy.permissions import Actor
from storage.services import Services
from storage.uow import Database
from storage.views import DigestView, Draft, Figures, Listing, QuestionView
from storage.workspaces import Schedule

dumps = partial(json.dumps, ensure_ascii=False)
WS = "T0001"
START = datetime(2026, 11, 16, 13, 0, tzinfo=UTC)  # Monday 08:00 in New York
DUE = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # the next Monday, 09:00 in New York
ADMIN = Actor(WS, "U_ADMIN", app_admin=True)
BASE = "https://acme.slack.com"
NEEDED_BY = date(2026, 11, 26)
UPDATE, QUESTION, OFFER = ItemKind.UPDATE, ItemKind.QUESTION, ItemKind.OFFER


def as_user(user: str) -> Actor:
    return Actor(WS, user)


def setup(services: Services) -> Services:
    services.teams.set_channel(ADMIN, "marketing", "C_MKT", START)
    services.teams.set_channel(ADMIN, "liaison", "C_LIA", START)
    for user in ("U_M1", "U_M2"):
        services.teams.join(as_user(user), "marketing", START)
    for user in ("U_L1", "U_L2"):
        services.teams.join(as_user(user), "liaison", START)
    return services


@pytest.fixture
def services(db: Database) -> Services:
    return setup(Services.build(db, SlackRenderer(Permalinks(BASE + "/"))))


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def post(
    services: Services,
    user: str,
    kind: ItemKind,
    text: str,
    when: datetime,
    line: int | None = None,
    needed_by: date | None = None,
) -> int:
    draft = Draft(kind, typed(text), service_line_id=line, needed_by=needed_by)
    return services.items.post(as_user(user), draft, when).item_id


def line_id(db: Database, name: str) -> int:
    with db.unit_of_work() as uow:
        return uow.session.scalars(
            select(ServiceLine.id).where(ServiceLine.workspace_id == WS, ServiceLine.name == name)
        ).one()


def seed_week(services: Services, db: Database) -> dict[str, int]:
    s = services
    cardio, ortho = line_id(db, "Cardiology"), line_id(db, "Orthopedics")
    north = post(s, "U_L1", UPDATE, "North territory visits up 12%", at(2), line=cardio)
    drop_offs = post(s, "U_L2", UPDATE, "Ortho drop-offs done", at(30))
    post(s, "U_M1", UPDATE, "Mailer to PCPs next week", at(31))  # Marketing's own
    old = post(s, "U_M1", QUESTION, "Which cardiology groups first?", at(3))
    answered = post(s, "U_M2", QUESTION, "Who owns the spine list?", at(4))
    s.items.answer(as_user("U_L1"), answered, typed("Dana does"), at(10))
    theirs = post(s, "U_L1", QUESTION, "When do the mailers land?", at(5), line=ortho)
    needed = post(s, "U_L2", QUESTION, "Can we get 40 brochures?", at(9), needed_by=NEEDED_BY)
    open_offer = post(s, "U_L2", OFFER, "Talking points for the heart fair", at(6), line=cardio)
    taken = post(s, "U_M1", OFFER, "A target list of splitters", at(7))
    s.items.accept(as_user("U_L2"), taken, at(8))
    return {
        "north": north,
        "drop_offs": drop_offs,
        "old": old,
        "theirs": theirs,
        "needed": needed,
        "open_offer": open_offer,
        "taken": taken,
    }


def sent(db: Database) -> dict[int, str]:
    """Every queued post as Slack answered it: its channel and ts, as the worker records them.
    The items' permalinks, by item id."""
    links: dict[int, str] = {}
    with db.unit_of_work() as uow:
        for item in uow.session.scalars(select(Item)):
            row = uow.session.get_one(Delivery, item.delivery_id)
            row.result_channel, row.result_ts = row.channel, f"17{row.id:08d}.000200"
            links[item.id] = f"{BASE}/archives/{row.channel}/p17{row.id:08d}000200"
    return links


def buttons(dumped: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "button":
                found.append((node["action_id"], node["value"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(dumped))
    return found


def digest_posts(db: Database, channel: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with db.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(Delivery).where(Delivery.channel == channel).order_by(Delivery.id)
        ).all()
        digest_ids = set(uow.session.scalars(select(Digest.delivery_id)))
    [parent] = [r for r in rows if r.id in digest_ids]
    thread = [r.payload for r in rows if r.ref_id == parent.id and r.kind == DeliveryKind.THREAD]
    return parent.payload, thread


def texts(message: dict[str, Any]) -> list[str]:
    """The text of each block, in order (headers and sections alike)."""
    return [b["text"]["text"] for b in message["blocks"] if "text" in b]


def block_with(message: dict[str, Any], words: str) -> str:
    [found] = [t for t in texts(message) if words in t]
    return found


def test_a_seeded_week_says_in_words_what_waits_on_each_team(
    services: Services, db: Database
) -> None:
    seed_week(services, db)
    services.digests.run_due(DUE)

    parent, _ = digest_posts(db, "C_MKT")
    assert parent["text"] == (
        "Weekly digest for Marketing: 2 questions wait on you, 1 offer of help to accept"
    )
    words = as_text(parent)  # header, what waits, the figures line, the hint
    assert words == (
        ":newspaper: Weekly digest for Marketing\n"
        "*2 questions wait on you*: the oldest asked 6 days ago, one needed by Nov 26, 2026.\n"
        "*1 offer of help* for you to accept.\n"
        "Physician Liaisons shared 2 updates.\n"
        "You wait on Physician Liaisons for 1 answer.\n"
        "This week: 4 asked · 1 answered (median 6 h) · 2 offers, 1 accepted\n"
        "The lists are in this thread."
    )
    assert "<!date^" in dumps(parent)  # the needed-by day in each reader's own words

    liaison, _ = digest_posts(db, "C_LIA")
    assert liaison["text"] == "Weekly digest for Physician Liaisons: 1 question waits on you"
    assert as_text(liaison).splitlines()[1:4] == [
        "*1 question waits on you*: asked 6 days ago.",
        "Marketing shared 1 update.",
        "You wait on Marketing for 2 answers.",
    ]
    for message in (parent, liaison):  # no "(s)", no zero count, no "n/a"
        assert not re.search(r"\(s\)|\b0 |n/a", as_text(message)), as_text(message)


def test_zero_parts_are_left_out_of_the_figures_line() -> None:
    start, end = START, START + timedelta(days=7)
    assert figures_line(Figures(1, 0, None, 0, 0), start, end) == "This week: 1 asked"
    assert figures_line(Figures(0, 2, timedelta(minutes=5), 0, 0), start, end) == (
        "This week: 2 answered (median under 1 h)"
    )
    assert figures_line(Figures(0, 0, None, 1, 0), start, end) == "This week: 1 offer"
    assert figures_line(Figures(0, 0, None, 0, 3), start, end) == "This week: 3 offers accepted"
    assert figures_line(Figures(0, 0, None, 0, 0), start, end) is None
    longer = figures_line(Figures(1, 1, timedelta(hours=50), 0, 0), start, end + timedelta(1))
    assert longer is not None and longer.startswith("Since <!date^")
    assert longer.endswith(": 1 asked · 1 answered (median 2.1 days)")


def test_the_lists_are_one_thread_reply_grouped_by_service_line_with_links(
    services: Services, db: Database
) -> None:
    seeded = seed_week(services, db)
    links = sent(db)
    services.digests.run_due(DUE)

    _, thread = digest_posts(db, "C_MKT")
    [lists] = thread  # a normal week: one reply holds every list
    assert lists["text"] == (
        "Questions waiting on you, oldest first · Offers of help for you · "
        "What Physician Liaisons shared · Your open questions to Physician Liaisons · "
        "Offers accepted"
    )
    headings = [t for t in texts(lists) if t.startswith(":hospital:") or "\n" not in t]
    assert headings == [
        "Questions waiting on you, oldest first",
        ":hospital: *Orthopedics*",
        f":hospital: *{NO_SERVICE_LINE}*",  # items without a service line come last
        "Offers of help for you",  # one list, one service line: its group is still named
        ":hospital: *Cardiology*",
        "What Physician Liaisons shared",
        ":hospital: *Cardiology*",
        f":hospital: *{NO_SERVICE_LINE}*",
        "Your open questions to Physician Liaisons",  # no service line at all: no heading
        "Offers accepted",
    ]
    dumped = dumps(lists)
    assert (ids.ANSWER, str(seeded["theirs"])) in buttons(dumped)
    assert (ids.ANSWER, str(seeded["needed"])) in buttons(dumped)
    assert [b for b in buttons(dumped) if b[0] == ids.ACCEPT] == [
        (ids.ACCEPT, str(seeded["open_offer"]))
    ]
    assert "Mailer to PCPs" not in dumped
    for words, item in [
        ("When do the mailers land?", "theirs"),
        ("Can we get 40 brochures?", "needed"),
        ("Talking points for the heart fair", "open_offer"),
        ("Which cardiology groups first?", "old"),
        ("A target list of splitters", "taken"),
        ("North territory visits up 12%", "north"),
        ("Ortho drop-offs done", "drop_offs"),
    ]:
        assert f"<{links[seeded[item]]}|Open>" in block_with(lists, words), words
    assert "needed by <!date^" in block_with(lists, "Can we get 40 brochures?")
    assert links[seeded["north"]].startswith(f"{BASE}/archives/C_MKT/p")  # Marketing's channel
    every_item = [t for t in texts(lists) if "\n" in t]
    assert len(every_item) == 7 and all("|Open>" in t for t in every_item)

    _, [liaison_lists] = digest_posts(db, "C_LIA")
    liaison = dumps(liaison_lists)
    assert "Mailer to PCPs next week" in liaison
    assert f"<{links[seeded['old']]}|Open>" in block_with(
        liaison_lists, "Which cardiology groups first?"
    )


def test_an_item_slack_has_not_posted_yet_has_no_link(services: Services, db: Database) -> None:
    seed_week(services, db)
    services.digests.run_due(DUE)
    _, [lists] = digest_posts(db, "C_MKT")
    assert "|Open>" not in dumps(lists)


def test_without_the_workspace_address_a_link_opens_the_channel(
    db: Database,
) -> None:
    services = Services.build(db, SlackRenderer())  # auth.test has not answered
    setup(services)
    seeded = seed_week(services, db)
    sent(db)
    view = services.digests.preview(WS, "marketing", DUE)
    [lists] = SlackRenderer().digest(view)[1]
    assert "<https://slack.com/app_redirect?team=T0001&amp;channel=C_MKT|Open>" in block_with(
        lists, "When do the mailers land?"
    )
    assert seeded


def test_a_second_pass_for_the_same_week_posts_nothing(services: Services, db: Database) -> None:
    seed_week(services, db)
    first = services.digests.run_due(DUE)
    assert services.digests.run_due(DUE) == []
    assert services.digests.run_due(DUE + timedelta(days=2)) == []
    with db.unit_of_work() as uow:
        assert len(uow.session.scalars(select(Digest)).all()) == 2
    next_week = services.digests.run_due(DUE + timedelta(days=7))
    assert len(next_week) >= 2 and not set(first) & set(next_week)


def test_a_digest_is_drawn_while_a_request_writes(services: Services, db: Database) -> None:
    """A digest is read and drawn from a snapshot, outside the writer lock: on Monday a
    request's transaction never waits for a digest being drawn, nor a digest for it."""
    seed_week(services, db)
    drawn: list[DigestView] = []
    reader = threading.Thread(
        target=lambda: drawn.append(services.digests.preview(WS, "marketing", DUE))
    )
    with db.unit_of_work():  # a request's transaction under way: it holds the writer lock
        reader.start()
        reader.join(10)
        assert drawn, "drawing the digest waited for the writer"
    assert drawn[0].waiting.total == 2  # the liaisons' two open questions to Marketing


def test_the_first_digest_waits_for_the_first_scheduled_time(services: Services) -> None:
    # The workspace started at 08:00 on a Monday: last week's 09:00 was never owed.
    assert services.digests.run_due(at(0.5)) == []
    assert len(services.digests.run_due(at(1))) == 2


def test_a_quiet_week_posts_a_one_line_note(services: Services, db: Database) -> None:
    services.digests.run_due(DUE)
    parent, thread = digest_posts(db, "C_MKT")
    assert thread == []
    [block] = parent["blocks"]
    assert block["text"]["text"].startswith("Quiet week: nothing new between Marketing and")


def test_the_next_digest_covers_only_the_time_since_the_last(
    services: Services, db: Database
) -> None:
    seed_week(services, db)
    services.digests.run_due(DUE)
    post(services, "U_L1", UPDATE, "Week two update", DUE + timedelta(days=1))
    services.digests.run_due(DUE + timedelta(days=7))
    with db.unit_of_work() as uow:
        latest = uow.session.scalars(
            select(Digest).where(Digest.team_id.is_not(None)).order_by(Digest.id.desc())
        ).first()
        assert latest is not None
        assert latest.period_start == DUE
    parents = _all_digest_threads(db, "C_MKT")
    assert "Week two update" in parents[-1]
    assert "North territory" not in parents[-1]


def _all_digest_threads(db: Database, channel: str) -> list[str]:
    with db.unit_of_work() as uow:
        digests = uow.session.scalars(select(Digest).order_by(Digest.id)).all()
        rows = uow.session.scalars(select(Delivery).where(Delivery.channel == channel)).all()
        return [
            dumps([r.payload for r in rows if r.ref_id == d.delivery_id])
            for d in digests
            if any(r.id == d.delivery_id for r in rows)
        ]


def test_moving_the_digest_day_adds_no_extra_digest(services: Services) -> None:
    assert len(services.digests.run_due(DUE)) == 2  # Monday's
    wednesday = DUE + timedelta(days=2)
    services.schedules.update(ADMIN, Schedule(digest_weekday=4), wednesday)

    # "Last Friday" is before Monday's digest: nothing is owed until this Friday.
    assert services.digests.run_due(wednesday) == []
    friday = DUE + timedelta(days=4)
    assert services.digests.run_due(friday - timedelta(minutes=1)) == []
    assert len(services.digests.run_due(friday)) == 2


def test_a_live_digest_links_each_item_as_slack_would(teams: Served, fake: FakeSlack) -> None:
    """End to end: the workspace's address comes from the start-up auth.test, the message's
    channel and ts from Slack's answer to the post; the link is the one Slack gives."""
    assert teams.runtime.slack.check()  # the start-up check `run` makes (auth.test)
    reply = teams.slack.command("/ask", "Which practices first?", "U_L1", LIA_CHANNEL)
    assert reply.status == 200
    fake.wait_for("chat.postMessage", where=lambda c: c.body.get("channel") == MKT_CHANNEL)
    [question] = teams.rows(Question)
    sent = wait_until(
        lambda: next(
            (d for d in teams.rows(Delivery) if d.id == question.delivery_id and d.result_ts),
            None,
        )
    )
    expected = WebClient(token="xoxb-test", base_url=fake.api_url).chat_getPermalink(
        channel=sent.result_channel, message_ts=sent.result_ts
    )["permalink"]

    with teams.runtime.db.unit_of_work() as uow:  # installed over a week ago: a digest is owed
        uow.session.get_one(Workspace, WS).created_at = datetime.now(UTC) - timedelta(days=8)
    assert teams.runtime.services.digests.run_due(datetime.now(UTC))
    [thread] = fake.wait_for(
        "chat.postMessage",
        where=lambda c: c.body.get("channel") == MKT_CHANNEL and "thread_ts" in c.body,
    )
    assert f"<{expected}|Open>" in dumps(thread.body["blocks"])
    assert expected.startswith("https://example.slack.com/archives/")


def waiting_view(ages: list[int], needed: list[date | None]) -> DigestView:
    """A digest with questions waiting, `ages` days old, and nothing else."""
    questions = tuple(
        QuestionView(
            n,
            "U_L1",
            "Physician Liaisons",
            "Marketing",
            f"Q{n}",
            State.OPEN,
            DUE - timedelta(days=a),
            needed_by=d,
        )
        for n, (a, d) in enumerate(zip(ages, needed, strict=True), 1)
    )
    dated = [d for d in needed if d]
    empty: Listing[Any] = Listing((), 0)
    return DigestView(
        "Marketing",
        "Physician Liaisons",
        DUE - timedelta(days=7),
        DUE,
        empty,
        Listing(questions, len(questions)),
        empty,
        empty,
        empty,
        Figures(0, 0, None, 0, 0),
        WS,
        len(dated),
        min(dated, default=None),
    )


@pytest.mark.parametrize(
    ("ages", "needed", "line"),
    [
        ([0], [None], "*1 question waits on you*: asked today."),
        ([1], [NEEDED_BY], "*1 question waits on you*: asked 1 day ago, needed by Nov 26, 2026."),
        ([0, 0], [None, None], "*2 questions wait on you*: all asked today."),
        (
            [9, 2, 1],
            [None, date(2026, 12, 10), NEEDED_BY],
            "*3 questions wait on you*: the oldest asked 9 days ago, "
            "2 with a needed-by date, the soonest Nov 26, 2026.",
        ),
    ],
)
def test_what_waits_is_said_in_words(ages: list[int], needed: list[date | None], line: str) -> None:
    parent, [lists] = SlackRenderer().digest(waiting_view(ages, needed))
    assert as_text(parent).splitlines()[1] == line
    assert len(lists["blocks"]) == 1 + len(ages)  # the title and the items: no group heading
