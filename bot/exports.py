"""`liaison-bridge export --since DATE --format csv [--workspace T…]`: every item, with its
text, for the hospital's own reporting (the audit export is the one without text)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.services import Services
    from storage.uow import Database


def register(
    commands: Any,
    services: Callable[[], tuple[Services, Database]],
    instant: Callable[[str | None, str], datetime],
) -> None:
    """Add the command to the CLI's subcommands; `services` and `instant` are the CLI's own."""

    def export(args: argparse.Namespace) -> int:
        since = instant(args.since, "--since") if args.since else None
        found, db = services()
        try:
            count = found.export.write_csv(
                sys.stdout, datetime.now(UTC), since=since, workspaces=args.workspace
            )
        finally:
            db.dispose()
        print(f"{count} item(s) exported.", file=sys.stderr)
        return 0

    parser = commands.add_parser("export", help="write every item, with its text, as CSV")
    parser.add_argument("--since", help="items created from this date or time (ISO-8601)")
    parser.add_argument("--format", choices=["csv"], default="csv", help="csv (the default)")
    parser.add_argument(
        "--workspace", nargs="+", action="extend", default=[], help="only these workspace ids"
    )
    parser.set_defaults(func=export)
