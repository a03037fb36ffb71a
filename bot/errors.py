"""What an operator is told when the app cannot start: one line and an exit code."""

from __future__ import annotations

import errno

from sqlalchemy.exc import DBAPIError

from bot.settings import masked

# Documented in the README; scripts and container supervisors may rely on them.
EXIT_UNDELIVERED = 1  # `jobs run` left posts queued
EXIT_USAGE = 2  # a bad setting or argument
EXIT_DATABASE = 3  # the database cannot be reached or has no schema
EXIT_SLACK = 4  # Slack rejected a token
EXIT_PORT = 5  # the port is taken


class OperatorError(Exception):
    def __init__(self, code: int, line: str) -> None:
        super().__init__(line)
        self.code = code


def database_error(error: DBAPIError, url: str) -> OperatorError:
    # The driver's first line says why (refused, unknown host, bad password); it never
    # carries the password, and our statements' parameters are hidden.
    reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
    return OperatorError(
        EXIT_DATABASE, f"cannot use the database {masked(url)}: {reason}. Check DATABASE_URL."
    )


def not_migrated(url: str) -> OperatorError:
    return OperatorError(
        EXIT_DATABASE,
        f"the database {masked(url)} has no up-to-date schema: run `liaison-bridge db upgrade` "
        "(is DATABASE_URL the one the app uses?).",
    )


def port_error(error: OSError, host: str, port: int) -> OperatorError:
    if error.errno == errno.EADDRINUSE:
        return OperatorError(
            EXIT_PORT, f"port {port} on {host} is in use: stop what holds it or set PORT."
        )
    return OperatorError(
        EXIT_USAGE, f"cannot listen on {host}:{port} ({error.strerror}): check HOST and PORT."
    )
