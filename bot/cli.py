"""`liaison-bridge run | db upgrade | manifest`."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from dotenv import load_dotenv

from bot.settings import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings(os.environ)
    except SettingsError as error:
        print(f"liaison-bridge: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _run(_: argparse.Namespace) -> int:
    settings = _settings()
    from bot.runtime import Runtime

    Runtime(settings).serve_forever()
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


def _database_url() -> str:
    # Migrating needs only the database, not the Slack tokens.
    from bot.settings import DEFAULT_DATABASE_URL

    return os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL


def _manifest(args: argparse.Namespace) -> int:
    from bot.manifest import manifest_yaml

    socket_mode = args.socket_mode or bool(os.environ.get("SLACK_APP_TOKEN", "").strip())
    print(manifest_yaml(args.url or os.environ.get("PUBLIC_URL"), socket_mode=socket_mode), end="")
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
    manifest = commands.add_parser("manifest", help="print the Slack app manifest (YAML)")
    manifest.add_argument(
        "--url", help="public base URL of this app, e.g. https://bridge.example.org"
    )
    manifest.add_argument(
        "--socket-mode", action="store_true", help="for Socket Mode (no public URL)"
    )
    manifest.set_defaults(func=_manifest)
    return root


def main(argv: list[str] | None = None) -> int:
    load_dotenv(os.path.join(os.getcwd(), ".env"))
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    logging.getLogger("liaison_bridge.bolt").setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
