"""The outbox on both databases: claiming, leases, retries, refs, failure cascades, races."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from conftest import typed
from sqlalchemy import select

from handlers.messages import SlackRenderer
from storage.enums import DeliveryKind, ItemKind, State
from storage.errors import NoLongerOpen
from storage.models import Delivery, Offer
from storage.outbox import Fail, Job, Outbox, Retry, Sent
from storage.policy.permissions import Actor
from storage.services import Services
from storage.teams import ensure_workspace
from storage.uow import Database
from storage.views import Draft, OfferView

WS = "T0001"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
SECOND = timedelta(seconds=1)


@pytest.fixture
def outbox(db: Database) -> Outbox:
    with db.unit_of_work() as uow:
        ensure_workspace(uow.session, WS, NOW)
    return Outbox(db, SlackRenderer())


def queue(
    db: Database, channel: str, kind: DeliveryKind = DeliveryKind.POST, ref: int | None = None
) -> int:
    with db.unit_of_work() as uow:
        return uow.queue(WS, kind, channel, {"text": f"{kind} to {channel}"}, NOW, ref=ref)


def claim(outbox: Outbox, now: datetime = NOW) -> Job | None:
    jobs = outbox.claim_many(now, LEASE, 1)
    return jobs[0] if jobs else None


def claimed_id(outbox: Outbox, now: datetime = NOW) -> int | None:
    job = claim(outbox, now)
    return None if job is None else job.id


def rows(db: Database) -> dict[int, Delivery]:
    with db.unit_of_work() as uow:
        return {d.id: d for d in uow.session.scalars(select(Delivery))}


def test_one_row_per_channel_at_a_time_in_id_order(db: Database, outbox: Outbox) -> None:
    a1, a2, b1, a3 = (queue(db, c) for c in ["C_A", "C_A", "C_B", "C_A"])

    first = claim(outbox)
    assert first is not None
    assert (first.id, first.channel, first.kind, first.attempts) == (a1, "C_A", "post", 1)
    assert first.payload == {"text": "post to C_A"}
    assert (first.ref_channel, first.ref_ts) == (None, None)
    # C_A has a row in flight; C_B does not wait for it.
    assert claimed_id(outbox) == b1
    assert claim(outbox) is None

    outbox.settle([Sent(a1, "C_A", "1700000000.000101")], NOW)
    assert claimed_id(outbox) == a2
    assert claim(outbox) is None
    outbox.settle([Sent(b1, "C_B", "1700000000.000102")], NOW)
    assert claim(outbox) is None  # a3 still waits for a2
    outbox.settle([Sent(a2, "C_A", "1700000000.000103")], NOW)
    assert claimed_id(outbox) == a3


def test_after_a_send_the_channel_waits_its_pace_and_only_that_channel(
    db: Database, outbox: Outbox
) -> None:
    a1, a2, b1 = (queue(db, c) for c in ["C_A", "C_A", "C_B"])
    assert claimed_id(outbox) == a1
    outbox.settle([Sent(a1, "C_A", "1700000000.000101", SECOND)], NOW)

    assert claimed_id(outbox) == b1
    assert claim(outbox, NOW + SECOND / 2) is None
    assert claimed_id(outbox, NOW + SECOND) == a2


def test_a_leased_row_is_not_claimed_again_until_its_lease_runs_out(
    db: Database, outbox: Outbox
) -> None:
    row = queue(db, "C_A")

    assert claimed_id(outbox) == row
    assert claim(outbox) is None
    assert claim(outbox, NOW + LEASE - SECOND) is None
    again = claim(outbox, NOW + LEASE + SECOND)
    assert again is not None and (again.id, again.attempts) == (row, 2)
    assert claim(outbox, NOW + LEASE + 2 * SECOND) is None


def test_retry_hides_a_row_until_its_time_and_holds_back_its_channel(
    db: Database, outbox: Outbox
) -> None:
    a1, a2, b1 = queue(db, "C_A"), queue(db, "C_A"), queue(db, "C_B")
    assert claimed_id(outbox) == a1
    at = NOW + timedelta(seconds=30)
    outbox.settle([Retry(a1, "ratelimited", at)], at)

    assert rows(db)[a1].last_error == "ratelimited"
    assert rows(db)[a1].lease_until is None
    # The waiting row keeps its place: a2 may not overtake it; C_B goes ahead.
    assert claimed_id(outbox, NOW + SECOND) == b1
    assert claim(outbox, at - SECOND) is None
    job = claim(outbox, at)
    assert job is not None and (job.id, job.attempts) == (a1, 2)
    outbox.settle([Sent(a1, "C_A", "1700000000.000101")], at)
    assert claimed_id(outbox, at) == a2
    assert rows(db)[a1].last_error is None


def test_a_row_with_a_ref_waits_until_the_ref_is_sent(db: Database, outbox: Outbox) -> None:
    post = queue(db, "C_A")
    dm = queue(db, "U_1", DeliveryKind.DM, ref=post)
    thread = queue(db, "C_A", DeliveryKind.THREAD, ref=post)
    update = queue(db, "C_A", DeliveryKind.EDIT, ref=post)

    assert claimed_id(outbox) == post
    assert claim(outbox) is None  # the DM's channel is free, but its message is not out yet
    outbox.settle([Retry(post, "http_500", NOW + SECOND)], NOW + SECOND)
    assert claim(outbox) is None
    assert claimed_id(outbox, NOW + SECOND) == post
    outbox.settle([Sent(post, "C_A_REAL", "1700000000.000101")], NOW + SECOND)

    later = NOW + 2 * SECOND
    first, second = claim(outbox, later), claim(outbox, later)
    assert first is not None and second is not None
    assert {first.id, second.id} == {dm, thread}
    for job in (first, second):
        assert (job.ref_channel, job.ref_ts) == ("C_A_REAL", "1700000000.000101")
    assert claim(outbox, later) is None  # the update waits for the thread reply
    outbox.settle([Sent(thread, "C_A_REAL", "1700000000.000102")], later)
    last = claim(outbox, later)
    assert last is not None and last.id == update
    assert (last.kind, last.ref_channel, last.ref_ts) == (
        DeliveryKind.EDIT,
        "C_A_REAL",
        "1700000000.000101",
    )


def test_fail_cascades_to_dependents_and_their_dependents_but_not_dms(
    db: Database, outbox: Outbox
) -> None:
    post = queue(db, "C_A")
    update = queue(db, "C_A", DeliveryKind.EDIT, ref=post)
    thread = queue(db, "C_A", DeliveryKind.THREAD, ref=post)
    grandchild = queue(db, "C_A", DeliveryKind.EDIT, ref=thread)
    dm = queue(db, "U_1", DeliveryKind.DM, ref=post)  # only links to the post
    unrelated = queue(db, "C_A")
    other = queue(db, "C_B")
    assert outbox.pending() == 7

    assert claimed_id(outbox) == post
    outbox.settle([Fail(post, "not_in_channel")], NOW)

    after = rows(db)
    assert (after[post].status, after[post].last_error) == ("failed", "not_in_channel")
    assert after[post].lease_until is None
    for dependent in (update, thread, grandchild):
        assert after[dependent].status == "failed"
        assert after[dependent].last_error == "the message it needs was not sent"
        assert after[dependent].attempts == 0
    assert after[unrelated].status == after[other].status == after[dm].status == "pending"
    assert outbox.pending() == 3
    # The channel is free again for rows that did not need the failed one, and the DM goes
    # without its link.
    claimed = [claim(outbox) for _ in range(3)]
    assert {job.id for job in claimed if job} == {unrelated, other, dm}
    [dm_job] = [job for job in claimed if job and job.id == dm]
    assert (dm_job.ref_channel, dm_job.ref_ts) == (None, None)
    assert claim(outbox) is None


def test_a_row_queued_after_its_ref_failed_does_not_block_its_channel(
    db: Database, outbox: Outbox
) -> None:
    post = queue(db, "C_A")
    assert claimed_id(outbox) == post
    outbox.settle([Fail(post, "not_in_channel")], NOW)
    # e.g. an answer submitted for a question whose post Slack refused
    late_update = queue(db, "C_A", DeliveryKind.EDIT, ref=post)
    next_post = queue(db, "C_A")

    assert claimed_id(outbox) == next_post
    assert rows(db)[late_update].status == "failed"
    assert outbox.pending() == 1  # only next_post, claimed and on its way


def test_pending_counts_rows_not_yet_sent_or_failed(db: Database, outbox: Outbox) -> None:
    assert outbox.pending() == 0
    a, b, c = queue(db, "C_A"), queue(db, "C_B"), queue(db, "C_C")
    assert outbox.pending() == 3
    assert claimed_id(outbox) == a
    assert outbox.pending() == 3  # claimed is still pending
    outbox.settle([Retry(a, "http_500", NOW + SECOND)], NOW + SECOND)
    assert outbox.pending() == 3
    outbox.settle([Sent(b, "C_B", "1700000000.000101")], NOW)
    assert outbox.pending() == 2
    outbox.settle([Fail(c, "is_archived")], NOW)
    assert outbox.pending() == 1


def test_concurrent_claimers_never_get_the_same_row(db: Database, outbox: Outbox) -> None:
    queued = [queue(db, f"C_{n:02d}") for n in range(50)]
    threads, start = 8, threading.Barrier(8)
    got: list[list[int]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def claimer(mine: list[int]) -> None:
        try:
            start.wait(timeout=10)
            while (job := claim(outbox)) is not None:
                mine.append(job.id)
        except BaseException as error:  # surfaced below; a thread's exception is otherwise lost
            errors.append(error)

    workers = [threading.Thread(target=claimer, args=(mine,)) for mine in got]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)

    assert errors == []
    assert not any(worker.is_alive() for worker in workers)
    claimed = [row for mine in got for row in mine]
    assert len(claimed) == len(set(claimed)), "a row was claimed twice"
    # A claimer that lost every race may stop early; whatever is left is still claimable once.
    leftover = []
    while (job := claim(outbox)) is not None:
        leftover.append(job.id)
    assert sorted(claimed + leftover) == queued
    assert len(claimed) > len(leftover)
    assert {row.attempts for row in rows(db).values()} == {1}


def test_twelve_simultaneous_accepts_of_one_offer_give_exactly_one(db: Database) -> None:
    services = Services.build(db, SlackRenderer())
    liaisons = [f"U_L{n}" for n in range(1, 13)]
    admin = Actor(WS, "U_ADMIN", app_admin=True)
    services.teams.set_channel(admin, "marketing", "C_MKT", NOW)
    services.teams.set_channel(admin, "liaison", "C_LIA", NOW)
    services.teams.join(Actor(WS, "U_M1"), "marketing", NOW)
    for user in liaisons:
        services.teams.join(Actor(WS, user), "liaison", NOW)
    draft = Draft(ItemKind.OFFER, typed("Event support for the heart fair"))
    posted = services.items.post(Actor(WS, "U_M1"), draft, NOW)

    start = threading.Barrier(len(liaisons))
    won: dict[str, OfferView] = {}
    refused: dict[str, NoLongerOpen] = {}
    other: list[BaseException] = []

    def accept(user: str) -> None:
        try:
            start.wait(timeout=10)
            won[user] = services.items.accept(Actor(WS, user), posted.item_id, NOW + SECOND)
        except NoLongerOpen as error:
            refused[user] = error
        except BaseException as error:
            other.append(error)

    workers = [threading.Thread(target=accept, args=(user,)) for user in liaisons]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)

    assert other == []
    assert len(won) == 1 and len(refused) == len(liaisons) - 1
    [(winner, view)] = won.items()
    assert (view.status, view.accepted_by) == ("accepted", winner)
    assert {(error.status, error.by) for error in refused.values()} == {(State.ACCEPTED, winner)}
    with db.unit_of_work() as uow:
        offer = uow.session.get_one(Offer, posted.item_id)
        assert (offer.status, offer.accepted_by) == ("accepted", winner)
        caused = uow.session.scalars(
            select(Delivery).where(Delivery.ref_id == offer.delivery_id)
        ).all()
    assert sorted(d.kind for d in caused) == [DeliveryKind.DM, DeliveryKind.EDIT]
    [dm] = [d for d in caused if d.kind == DeliveryKind.DM]
    assert dm.channel == "U_M1"


def test_a_batch_claim_takes_each_channels_head_and_no_more(db: Database, outbox: Outbox) -> None:
    a1, a2, b1, c1, c2 = (queue(db, c) for c in ["C_A", "C_A", "C_B", "C_C", "C_C"])

    assert [job.id for job in outbox.claim_many(NOW, LEASE, 2)] == [a1, b1]
    assert [job.id for job in outbox.claim_many(NOW, LEASE, 8)] == [c1]
    assert outbox.claim_many(NOW, LEASE, 8) == []
    waiting = rows(db)
    assert [(waiting[r].status, waiting[r].lease_until) for r in (a2, c2)] == [
        ("pending", None)
    ] * 2


def test_a_claimed_row_is_unsure_until_slack_surely_did_not_take_it(
    db: Database, outbox: Outbox
) -> None:
    post, edit = queue(db, "C_A"), queue(db, "C_B", DeliveryKind.EDIT)
    jobs = outbox.claim_many(NOW, LEASE, 2)
    assert [(j.id, j.check_since) for j in jobs] == [(post, None), (edit, None)]
    assert rows(db)[post].unsure_since == NOW
    assert rows(db)[edit].unsure_since is None  # an edit made twice does no harm

    # A timeout: Slack may have it, so the next claim looks for it first.
    outbox.settle([Retry(post, "timeout", NOW + SECOND, unsure=True)], NOW)
    again = claim(outbox, NOW + 2 * SECOND)
    assert again is not None and (again.id, again.check_since) == (post, NOW)
    # A 429 after the check found nothing: surely not taken, so no check next time.
    outbox.settle([Retry(post, "ratelimited", NOW + 3 * SECOND)], NOW + 2 * SECOND)
    assert rows(db)[post].unsure_since is None
    last = claim(outbox, NOW + 3 * SECOND)
    assert last is not None and last.check_since is None
    # A row killed mid-call: its lease runs out and its next claim checks.
    late = claim(outbox, NOW + 3 * SECOND + LEASE + SECOND)
    assert late is not None and late.check_since == NOW + 3 * SECOND
    outbox.settle([Sent(post, "C_A", "1700000000.000101")], NOW + LEASE)
    assert rows(db)[post].unsure_since is None


def test_a_post_queued_after_its_channels_last_send_still_waits_its_pace(
    db: Database, outbox: Outbox
) -> None:
    first = queue(db, "C_A")
    assert claimed_id(outbox) == first
    outbox.settle([Sent(first, "C_A", "1700000000.000101", SECOND)], NOW)

    later = queue(db, "C_A")  # the channel had nothing pending when it was sent
    other = queue(db, "C_B")
    assert claimed_id(outbox, NOW + SECOND / 2) == other
    assert claim(outbox, NOW + SECOND / 2) is None
    assert claimed_id(outbox, NOW + SECOND) == later


def test_a_workspace_back_from_an_outage_has_its_backed_off_rows_due_at_once(
    db: Database, outbox: Outbox
) -> None:
    down, limited, waiting = queue(db, "C_A"), queue(db, "C_B"), queue(db, "C_C")
    outbox.claim_many(NOW, LEASE, 3)
    later = NOW + timedelta(seconds=60)
    outbox.settle(
        [
            Retry(down, "http_503", later, unsure=True),
            Retry(limited, "ratelimited", later),
            Retry(waiting, "connection_refused", later),
        ],
        NOW,
    )
    assert outbox.oldest_pending() == NOW

    assert outbox.due_again(WS, {"http_503", "connection_refused"}, NOW + SECOND) == 2
    claimed = {job.id: job for job in outbox.claim_many(NOW + SECOND, LEASE, 3)}
    assert sorted(claimed) == [down, waiting]  # Retry-After is still honoured
    assert claimed[down].check_since == NOW and claimed[waiting].check_since is None


def test_an_unsure_dm_knows_the_dm_channel_slack_gave_an_earlier_dm(
    db: Database, outbox: Outbox
) -> None:
    first = queue(db, "U_1", DeliveryKind.DM)
    assert claimed_id(outbox) == first
    outbox.settle([Sent(first, "D_1", "1700000000.000101")], NOW)
    second, stranger = queue(db, "U_1", DeliveryKind.DM), queue(db, "U_2", DeliveryKind.DM)
    outbox.claim_many(NOW + SECOND, LEASE, 2)
    outbox.settle(
        [Retry(second, "timeout", NOW, unsure=True), Retry(stranger, "timeout", NOW, unsure=True)],
        NOW + SECOND,
    )

    jobs = {job.id: job for job in outbox.claim_many(NOW + 2 * SECOND, LEASE, 2)}
    assert jobs[second].dm_channel == "D_1" and jobs[second].check_since is not None
    assert jobs[stranger].dm_channel is None


def test_an_edit_neither_waits_for_nor_sets_the_pace(db: Database, outbox: Outbox) -> None:
    post = queue(db, "C_A")
    assert claimed_id(outbox) == post
    outbox.settle([Sent(post, "C_A", "1700000000.000101", SECOND)], NOW)
    edit = queue(db, "C_A", DeliveryKind.EDIT, ref=post)
    assert claimed_id(outbox, NOW + SECOND / 2) == edit
