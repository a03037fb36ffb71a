"""What the benchmarks share: servers in subprocesses, the fake Slack, resource readings."""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "tests"))  # the fake Slack Web API lives with the tests

from fake_slack import FakeSlack  # noqa: E402

SECRET = "bench-signing-secret"
TEAM = "T0001"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or os.environ.get("BENCH_DATABASE_URL")


def fresh_postgres(base: str, schema: str) -> str:
    """A new empty schema on the PostgreSQL server; the URL that uses it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from storage.db import normalize_url

    base = normalize_url(base)
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def databases(tmp: Path, name: str) -> list[tuple[str, str]]:
    """(label, URL) for SQLite and, when configured, PostgreSQL: fresh and empty."""
    sqlite = tmp / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
    found = [("sqlite", f"sqlite:///{sqlite}")]
    base = postgres_url()
    if base:
        found.append(("postgresql", fresh_postgres(base, f"bench_{name}")))
    return found


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def pids(self) -> list[int]:
        """The server and its children (`run` delivers from a child process)."""
        found = [self.process.pid]
        for pid in found:
            for task in _listed(f"/proc/{pid}/task"):
                children = _read(f"/proc/{pid}/task/{task}/children")
                found += [int(child) for child in children.split()]
        return found

    def cpu_seconds(self, *, children: bool = True) -> float:
        return sum(_cpu(pid) for pid in (self.pids() if children else [self.process.pid]))

    def peak_rss_mb(self) -> float:
        """The largest peak resident set among the processes (each has its own target)."""
        return max(map(_peak_rss_mb, self.pids()), default=0.0)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:  # gone in the meantime
        return ""


def _listed(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _cpu(pid: int) -> float:
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _peak_rss_mb(pid: int) -> float:
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start(argv: Sequence[str], env: dict[str, str], port: int) -> Server:
    """Start a server process and wait until it answers on /healthz (or any HTTP at all)."""
    process = subprocess.Popen(
        list(argv), env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{argv} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()
            return Server(process, url)
        except urllib.error.HTTPError:
            return Server(process, url)  # up, just no health route
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{argv} did not start")


def app_env(db_url: str, fake: FakeSlack, port: int, **extra: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": db_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def start_app(db_url: str, fake: FakeSlack, **extra: str) -> Server:
    """The app exactly as `liaison-bridge run` serves it in production."""
    port = free_port()
    return start(
        [sys.executable, "-m", "bot.cli", "run"], app_env(db_url, fake, port, **extra), port
    )


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if value >= 10 else f"{value:.2f}"
    return str(value)


def save(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **result}, indent=2, default=str))
    return path
