"""`liaison-bridge run | scheduler | jobs run | digest preview | db upgrade | manifest |
audit export | export | retention purge | deliveries list/retry | sandbox`.

Whatever stops a command is one line on stderr and an exit code (bot/errors.py), never a
traceback: operators read these first.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from dotenv import load_dotenv
from sqlalchemy.exc import DBAPIError

from bot import cli_deliveries, exports, logs
from bot.errors import (
    EXIT_DATABASE,
    EXIT_UNDELIVERED,
    EXIT_USAGE,
    OperatorError,
    database_error,
    not_migrated,
)
from bot.settings import (
    SECRETS,
    Settings,
    SettingsError,
    database_url,
    load_settings,
    log_format,
    make_database_folder,
    masked,
)

if TYPE_CHECKING:
    from storage.services import Services
    from storage.uow import Database

T = TypeVar("T")
log = logging.getLogger("liaison_bridge")


def _checked(read: Callable[[Mapping[str, str]], T]) -> T:
    """Settings read from the environment, or one line on stderr naming what is wrong."""
    try:
        return read(os.environ)
    except SettingsError as error:
        raise OperatorError(EXIT_USAGE, str(error)) from None


def _settings() -> Settings:
    settings = _checked(load_settings)
    # From here on the tokens live in Settings only: libraries that would read them from the
    # environment (Bolt does, then warns that it ignores them) and child processes don't.
    for name in SECRETS:
        os.environ.pop(name.upper(), None)
    _open(settings.database_url)
    return settings


def _database_url() -> str:
    """For commands that need only the database, not the Slack tokens."""
    return _checked(database_url)


def _open(url: str) -> None:
    """Say which database this command uses: a wrong folder or .env shows at once."""
    try:
        make_database_folder(url)
    except OSError as error:
        raise OperatorError(
            EXIT_DATABASE, f"cannot create the folder of {masked(url)}: {error.strerror}."
        ) from None
    log.info("database %s", masked(url))


def _run(_: argparse.Namespace) -> int:
    settings = _settings()
    from bot.deliverer import DeliveryProcess, counted_together

    with counted_together():
        from bot.runtime import Runtime

        level = logging.getLevelName(logging.getLogger().level)
        delivery = DeliveryProcess(settings, level, _checked(log_format))
        Runtime(settings).serve_forever(delivery)
    return 0


def _scheduler(_: argparse.Namespace) -> int:
    settings = _settings()
    from bot.runtime import Runtime

    Runtime(settings, background=True).tick_forever()
    return 0


def _instant(text: str | None, flag: str = "--at") -> datetime:
    """An ISO-8601 date or time from the command line (UTC if it names no zone); now if
    none was given."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise OperatorError(EXIT_USAGE, f"{flag} must be an ISO-8601 time, not {text!r}.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _jobs_run(args: argparse.Namespace) -> int:
    at = _instant(args.at)
    settings = _settings()
    from bot.delivery import utcnow
    from bot.runtime import Runtime
    from bot.scheduler import run_job

    # The pass happens at --at; delivery runs on the real clock, like the app's, so its
    # leases mean the same thing to a running app that delivers from the same tables.
    runtime = Runtime(settings)
    try:
        runtime.slack.check()  # a refused token would only show as posts that never go out
        queued = run_job(runtime.services, args.job, at)
        # Queued "at --at", they would wait for that instant (and hold up their channels).
        runtime.services.outbox.due_now(queued, utcnow())
        left = runtime.worker.drain(queued, timeout=args.timeout)
    finally:
        runtime.stop()
    print(f"{args.job} at {at.isoformat()}: {len(queued)} new post(s) queued.")
    if left:
        print(f"{left} post(s) are still queued; a running app will send them.", file=sys.stderr)
        return EXIT_UNDELIVERED
    return 0


def _services() -> tuple[Services, Database]:
    """The use cases over the configured database, for commands that need no Slack."""
    from handlers.messages import SlackRenderer
    from storage.migrate import is_current
    from storage.services import Services
    from storage.uow import Database

    url = _database_url()
    db = Database.from_url(url)
    try:
        if not is_current(db.engine):
            raise not_migrated(url)
    except BaseException:
        db.dispose()
        raise
    return Services.build(db, SlackRenderer()), db


def _digest_preview(args: argparse.Namespace) -> int:
    from handlers.messages import SlackRenderer
    from handlers.plaintext import as_text

    services, db = _services()
    try:
        workspaces = services.schedules.workspaces()
        workspace = args.workspace or (workspaces[0] if len(workspaces) == 1 else None)
        if workspace not in workspaces:
            known = ", ".join(workspaces) or "none yet"
            raise OperatorError(EXIT_USAGE, f"name a workspace with --workspace ({known}).")
        now = datetime.now(UTC)
        for team in [args.team] if args.team else ["marketing", "liaison"]:
            parent, thread = SlackRenderer().digest(services.digests.preview(workspace, team, now))
            print(f"=== {team} ===")
            print("\n\n".join(as_text(part) for part in [parent, *thread]))
            print()
    finally:
        db.dispose()
    return 0


def _audit_export(args: argparse.Namespace) -> int:
    since = _instant(args.since, "--since") if args.since else None
    until = _instant(args.until, "--until") if args.until else None
    services, db = _services()
    try:
        count = services.audit.write_csv(
            sys.stdout, datetime.now(UTC), since=since, until=until, workspaces=args.workspace
        )
    finally:
        db.dispose()
    print(f"{count} audit row(s) exported.", file=sys.stderr)
    return 0


def _retention_purge(args: argparse.Namespace) -> int:
    from bot.settings import retention_days

    days = _checked(retention_days)
    if days is None:
        raise OperatorError(
            EXIT_USAGE,
            "RETENTION_DAYS is not set: set it to the number of days texts are kept "
            "(see .env.example).",
        )
    services, db = _services()
    try:
        purge = services.retention.purge(days, datetime.now(UTC), dry_run=args.dry_run)
    finally:
        db.dispose()
    verb = "would be replaced" if args.dry_run else "replaced"
    print(f"Texts older than {days} days (before {purge.cutoff.isoformat()}), {verb}:")
    for name, count in purge.counts.items():
        print(f"  {name}: {count}")
    return 0


def _db_upgrade(_: argparse.Namespace) -> int:
    from storage.db import make_engine
    from storage.migrate import upgrade

    url = _database_url()
    _open(url)
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    print("The database schema is up to date.")
    return 0


def _manifest(args: argparse.Namespace) -> int:
    from bot.manifest import ManifestError, manifest_yaml, public_base

    socket_mode = args.socket_mode or bool(os.environ.get("SLACK_APP_TOKEN", "").strip())
    try:
        base = public_base(args.url, socket_mode=socket_mode)
    except ManifestError as error:
        raise OperatorError(EXIT_USAGE, str(error)) from None
    oauth = bool(os.environ.get("SLACK_CLIENT_ID", "").strip())
    print(manifest_yaml(base, oauth=oauth), end="")
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    # Needs no .env and no Slack values: the sandbox brings its own Slack.
    from bot.sandbox.run import serve

    serve(args.dir, args.host, args.port)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="liaison-bridge",
        description="Marketing and physician liaisons, working as one team in Slack.",
    )
    root.add_argument(
        "--version", action="version", version=f"%(prog)s {version('liaison-bridge')}"
    )
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="serve Slack requests (HTTP, or Socket Mode with SLACK_APP_TOKEN)"
    )
    run.set_defaults(func=_run)
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply the schema migrations").set_defaults(
        func=_db_upgrade
    )
    scheduler = commands.add_parser("scheduler", help="run only the scheduled passes")
    scheduler.set_defaults(func=_scheduler)
    jobs = commands.add_parser("jobs", help="scheduled jobs")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    run_once = jobs_commands.add_parser("run", help="one pass of a job, then deliver its posts")
    run_once.add_argument("job", choices=["digest", "reask"])
    run_once.add_argument("--at", help="the instant of the pass, ISO-8601 (default: now)")
    run_once.add_argument(
        "--timeout", type=float, default=300, help="seconds to wait for delivery (default 300)"
    )
    run_once.set_defaults(func=_jobs_run)
    digest = commands.add_parser("digest", help="the weekly digest")
    digest_commands = digest.add_subparsers(dest="digest_command", required=True)
    preview = digest_commands.add_parser("preview", help="print the next digest without posting")
    preview.add_argument("--team", choices=["marketing", "liaison"])
    preview.add_argument("--workspace", help="Slack workspace id (needed if there are several)")
    preview.set_defaults(func=_digest_preview)
    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    export = audit_commands.add_parser("export", help="write the audit trail as CSV to stdout")
    export.add_argument("--since", help="from this date or time (ISO-8601, UTC if no zone)")
    export.add_argument("--until", help="up to this date or time, excluded")
    export.add_argument(
        "--workspace", nargs="+", action="extend", default=[], help="only these workspace ids"
    )
    export.set_defaults(func=_audit_export)
    exports.register(commands, _services, _instant)
    retention = commands.add_parser("retention", help="removing old texts (RETENTION_DAYS)")
    retention_commands = retention.add_subparsers(dest="retention_command", required=True)
    purge = retention_commands.add_parser(
        "purge", help="replace texts older than RETENTION_DAYS with a marker"
    )
    purge.add_argument("--dry-run", action="store_true", help="count, change nothing")
    purge.set_defaults(func=_retention_purge)
    cli_deliveries.register(commands, lambda: _services()[1])
    manifest = commands.add_parser("manifest", help="print the Slack app manifest (YAML)")
    manifest.add_argument(
        "--url", help="public base URL of this app, e.g. https://bridge.example.org"
    )
    manifest.add_argument(
        "--socket-mode", action="store_true", help="for Socket Mode (no public URL)"
    )
    manifest.set_defaults(func=_manifest)
    sandbox = commands.add_parser(
        "sandbox", help="try the whole app in a browser, against a Slack stand-in"
    )
    sandbox.add_argument(
        "--dir", type=Path, help="folder for the sandbox's database (default: a temporary one)"
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="where the page listens")
    sandbox.add_argument("--port", type=int, default=3001, help="the page's port (default 3001)")
    sandbox.set_defaults(func=_sandbox)
    return root


def main(argv: list[str] | None = None) -> int:
    load_dotenv(os.path.join(os.getcwd(), ".env"))
    args = parser().parse_args(argv)  # usage errors: argparse's own message, exit 2
    try:
        level = os.environ.get("LOG_LEVEL", "").strip().upper() or "INFO"
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise OperatorError(
                EXIT_USAGE, f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}."
            )
        logs.configure(level, _checked(log_format))
        try:
            return int(args.func(args))
        except DBAPIError as error:
            raise database_error(error, _database_url()) from None
    except OperatorError as error:
        print(f"liaison-bridge: {error}", file=sys.stderr)
        return error.code


if __name__ == "__main__":
    sys.exit(main())
