"""A small HTTP/1.1 load generator on asyncio: open loop at a fixed rate, or closed loop.

Open-loop latency is measured from each request's scheduled start, so a stalled server
cannot hide its queueing (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # seconds
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def record(self, latency: float, status: int) -> None:
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def summary(self) -> dict[str, float | int | dict[int, int]]:
        return {
            "requests": len(self.latencies),
            "throughput": len(self.latencies) / self.elapsed if self.elapsed else 0.0,
            "p50_ms": self.percentile(50),
            "p99_ms": self.percentile(99),
            "max_ms": max(self.latencies, default=0.0) * 1000,
            "mean_ms": statistics.fmean(self.latencies) * 1000 if self.latencies else 0.0,
            "non_2xx": sum(n for s, n in self.statuses.items() if not 200 <= s < 300),
            "statuses": self.statuses,
        }


# uvicorn closes a keep-alive connection idle for 5 s; a client that reused one could meet
# the close instead of an answer (the app's fault in no way), so it dials anew before then.
STALE_AFTER = 4.0


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.used = 0.0  # when its last answer came (the event loop's clock)

    async def send(self, raw: bytes) -> int:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length:
            await self.reader.readexactly(length)
        return status


async def _connect(host: str, port: int) -> Connection:
    reader, writer = await asyncio.open_connection(host, port)
    return Connection(reader, writer)


async def open_loop(
    host: str, port: int, requests: Sequence[bytes], rate: float, timeout: float = 30.0
) -> Outcome:
    outcome = Outcome()
    idle: list[Connection] = []
    tasks: list[asyncio.Task[None]] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05

    async def one(raw: bytes, scheduled: float) -> None:
        while idle and loop.time() - idle[0].used > STALE_AFTER:
            idle.pop(0).writer.close()
        connection = idle.pop() if idle else await _connect(host, port)
        try:
            status = await asyncio.wait_for(connection.send(raw), timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            outcome.record(loop.time() - scheduled, 599)
            connection.writer.close()
            return
        outcome.record(loop.time() - scheduled, status)
        connection.used = loop.time()
        idle.append(connection)

    for n, raw in enumerate(requests):
        scheduled = start + n / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(raw, scheduled)))
    await asyncio.gather(*tasks)
    outcome.elapsed = loop.time() - start
    for connection in idle:
        connection.writer.close()
    return outcome


async def closed_loop(
    host: str, port: int, make: Callable[[int], bytes], concurrency: int, seconds: float
) -> Outcome:
    outcome = Outcome()
    counter = iter(range(10**9))
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        connection = await _connect(host, port)
        while time.monotonic() < deadline:
            began = time.monotonic()
            status = await connection.send(make(next(counter)))
            outcome.record(time.monotonic() - began, status)
        connection.writer.close()

    began = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    outcome.elapsed = time.monotonic() - began
    return outcome


@dataclass(frozen=True)
class Open:
    requests: Sequence[bytes]
    rate: float


@dataclass(frozen=True)
class Closed:
    make: Callable[[int], bytes]  # picklable: it is called in the load's own process
    concurrency: int
    seconds: float
    first: int = 0  # the number of the first request made


_apart: ProcessPoolExecutor | None = None


def apart(port: int, load: Open | Closed) -> Outcome:
    """Run the load from a process of its own.

    The fake Slack Web API answers the app's posts from threads of the bench's process. A
    load generator sharing their interpreter lock sent requests late whenever posts came in,
    and an open loop counts lateness as latency: at 200 requests/s that was most of the p99.
    """
    global _apart
    if _apart is None:
        _apart = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    return _apart.submit(_run, port, load).result()


def _run(port: int, load: Open | Closed) -> Outcome:
    if isinstance(load, Open):
        return asyncio.run(open_loop("127.0.0.1", port, load.requests, load.rate))
    make, first = load.make, load.first
    return asyncio.run(
        closed_loop("127.0.0.1", port, lambda n: make(first + n), load.concurrency, load.seconds)
    )
