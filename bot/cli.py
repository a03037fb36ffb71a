"""The `liaison-bridge` command line: run, scheduler, jobs, digest, db, manifest, sandbox."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from dotenv import load_dotenv

from bot.settings import Settings, SettingsError, database_url, load_settings

T = TypeVar("T")


def _checked(read: Callable[[Mapping[str, str]], T]) -> T:
    """Settings read from the environment, or one line on stderr naming what is wrong."""
    try:
        return read(os.environ)
    except SettingsError as error:
        print(f"liaison-bridge: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _settings() -> Settings:
    return _checked(load_settings)


def _database_url() -> str:
    """For commands that need only the database, not the Slack tokens."""
    return _checked(database_url)


def _run(_: argparse.Namespace) -> int:
    settings = _settings()
    from bot.runtime import Runtime

    Runtime(settings).serve_forever()
    return 0


def _scheduler(_: argparse.Namespace) -> int:
    settings = _settings()
    from bot.runtime import Runtime

    Runtime(settings).tick_forever()
    return 0


def _instant(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        print(f"liaison-bridge: --at must be an ISO-8601 time, not {text!r}.", file=sys.stderr)
        raise SystemExit(2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _jobs_run(args: argparse.Namespace) -> int:
    at = _instant(args.at)
    settings = _settings()
    from bot.runtime import Runtime
    from bot.scheduler import run_job

    # The pass happens at --at; delivery runs on the real clock, like the app's, so its
    # leases mean the same thing to a running app that delivers from the same tables.
    runtime = Runtime(settings)
    try:
        queued = run_job(runtime.services, args.job, at)
        left = runtime.worker.drain(queued, timeout=args.timeout)
    finally:
        runtime.stop()
    print(f"{args.job} at {at.isoformat()}: {len(queued)} new post(s) queued.")
    if left:
        print(f"{left} post(s) are still queued; a running app will send them.", file=sys.stderr)
        return 1
    return 0


def _digest_preview(args: argparse.Namespace) -> int:
    from handlers.messages import SlackRenderer
    from handlers.plaintext import as_text
    from storage.services import Services
    from storage.uow import Database

    db = Database.from_url(_database_url())
    try:
        services = Services.build(db, SlackRenderer())
        workspaces = services.schedules.workspaces()
        workspace = args.workspace or (workspaces[0] if len(workspaces) == 1 else None)
        if workspace not in workspaces:
            known = ", ".join(workspaces) or "none yet"
            print(f"liaison-bridge: name a workspace with --workspace ({known}).", file=sys.stderr)
            return 2
        now = datetime.now(UTC)
        for team in [args.team] if args.team else ["marketing", "liaison"]:
            parent, thread = SlackRenderer.digest(services.digests.preview(workspace, team, now))
            print(f"=== {team} ===")
            print("\n\n".join(as_text(part) for part in [parent, *thread]))
            print()
    finally:
        db.dispose()
    return 0


def _db_upgrade(_: argparse.Namespace) -> int:
    from storage.db import make_engine
    from storage.migrate import upgrade

    url = _database_url()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    print("The database schema is up to date.")
    return 0


def _manifest(args: argparse.Namespace) -> int:
    from bot.manifest import manifest_yaml

    socket_mode = args.socket_mode or bool(os.environ.get("SLACK_APP_TOKEN", "").strip())
    print(manifest_yaml(args.url, socket_mode=socket_mode), end="")
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
    level = os.environ.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        print(
            f"liaison-bridge: LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}.",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    logging.getLogger("liaison_bridge.bolt").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
