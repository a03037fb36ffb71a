"""`liaison-bridge deliveries list [--pending | --failed | --suspended]` and
`deliveries retry ID`: what is stuck in the queue of Slack calls, and sending a failed one
again. Never the payload's text."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.errors import EXIT_USAGE, OperatorError

if TYPE_CHECKING:
    from storage.deliveries import DeliveryLine
    from storage.uow import Database

COLUMNS = ("id", "workspace", "kind", "channel", "attempts", "status", "created", "next attempt")


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    database: Callable[[], Database],
) -> None:
    """Add `deliveries` to the command line; `database` opens the configured, migrated one."""
    deliveries = commands.add_parser("deliveries", help="the queue of Slack calls")
    sub = deliveries.add_subparsers(dest="deliveries_command", required=True)
    listing = sub.add_parser("list", help="pending and failed deliveries (never their text)")
    which = listing.add_mutually_exclusive_group()
    which.add_argument("--pending", action="store_true", help="only those still to be sent")
    which.add_argument("--failed", action="store_true", help="only those given up")
    which.add_argument(
        "--suspended",
        action="store_true",
        help="only those held while Slack refuses their workspace's token (reinstall to resume)",
    )
    listing.set_defaults(func=lambda args: _list(database, args))
    retry = sub.add_parser("retry", help="send a failed delivery again, now")
    retry.add_argument("id", type=int, help="the delivery's id, from `deliveries list`")
    retry.set_defaults(func=lambda args: _retry(database, args))


def _list(database: Callable[[], Database], args: argparse.Namespace) -> int:
    from storage.deliveries import Deliveries, Listing

    listing = (
        Listing.FAILED
        if args.failed
        else Listing.SUSPENDED
        if args.suspended
        else Listing.PENDING
        if args.pending
        else Listing.STUCK
    )
    db = database()
    try:
        lines = Deliveries(db).list(listing)
    finally:
        db.dispose()
    print("\t".join(COLUMNS) + "\tlast error")
    for line in lines:
        print("\t".join(_cells(line)))
    print(f"{len(lines)} deliver{'y' if len(lines) == 1 else 'ies'} {listing}.")
    return 0


def _cells(line: DeliveryLine) -> list[str]:
    def when(at: datetime | None) -> str:
        return at.isoformat(timespec="seconds") if at else "-"

    return [
        str(line.id),
        line.workspace_id,
        line.kind,
        line.channel,
        str(line.attempts),
        line.status,
        when(line.created_at),
        when(line.next_attempt_at),
        line.last_error or "-",
    ]


def _retry(database: Callable[[], Database], args: argparse.Namespace) -> int:
    from storage.deliveries import Deliveries, NotRetryable

    db = database()
    try:
        Deliveries(db).retry(args.id, datetime.now(UTC))
    except NotRetryable as refused:
        raise OperatorError(EXIT_USAGE, f"{refused} Only a failed delivery is retried.") from None
    finally:
        db.dispose()
    print(f"Delivery {args.id} is pending again and goes out with the next pass of the worker.")
    return 0
