"""Delivery (and the scheduled passes) in a child process of `liaison-bridge run`.

Slack calls, their bookkeeping and Monday's digests then never share the request process's
GIL, so acknowledgements stay fast while the queue drains. The parent starts the child,
restarts it if it dies, and wakes it through a pipe after each commit that queued something;
the child polls the queue anyway, so a lost wake-up only costs up to a second. The same pipe
tells the child its parent is gone: a parent killed with -9 takes delivery with it, as it
did when both ran in one process (what was in flight is looked for in Slack next time).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection

from bot.settings import Settings

log = logging.getLogger(__name__)

RESTART_AFTER = 1.0  # seconds before a dead child is started again
STOP_WAIT = 15.0  # seconds a stopping child may take to record its last answers
NICENESS = 10
# prometheus_client's multiprocess mode: each process's counts in files of this directory.
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def counted_together() -> Iterator[None]:
    """/metrics then counts what the delivery child sent and queued, beside the requests.

    Enter before prometheus_client is first imported: it decides where counts live then.
    An operator's own directory is used as it is; otherwise a fresh one lasts the run.
    """
    if os.environ.get(METRICS_DIR):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="liaison-bridge-metrics-") as path:
        os.environ[METRICS_DIR] = path
        try:
            yield
        finally:
            del os.environ[METRICS_DIR]


class DeliveryProcess:
    """The child, supervised from a thread of the parent."""

    def __init__(self, settings: Settings, level: str, form: str) -> None:
        self._args = (settings, level, form)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._writer: Connection | None = None
        self._pipe = threading.Lock()  # a closed pipe's number may be reused: never write to it
        self._supervisor: threading.Thread | None = None

    def start(self) -> None:
        self._supervisor = threading.Thread(target=self._supervise, name="deliverer", daemon=True)
        self._supervisor.start()

    def wake(self) -> None:
        """Never blocks a request: a full pipe already holds a wake-up."""
        with self._pipe:
            if self._writer is not None:
                with suppress(OSError):  # full: a wake-up is already waiting
                    os.write(self._writer.fileno(), b"\0")

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            process = self._process
            if process is not None and process.is_alive():
                os.kill(process.pid or 0, signal.SIGTERM)
        if self._supervisor is not None:
            self._supervisor.join(STOP_WAIT + 5)

    def _supervise(self) -> None:
        context = multiprocessing.get_context("spawn")
        while not self._stopping.is_set():
            reader, writer = context.Pipe(duplex=False)
            os.set_blocking(writer.fileno(), False)
            process = context.Process(
                target=_child, args=(*self._args, reader), name="liaison-bridge-delivery"
            )
            with self._lock:
                if self._stopping.is_set():
                    break
                process.start()
                self._process = process
            reader.close()  # only the child reads; its end is EOF once this process is gone
            with self._pipe:
                self._writer = writer
            log.info("delivery process %s started", process.pid)
            while process.is_alive() and not self._stopping.is_set():
                process.join(0.5)
            if self._stopping.is_set():
                process.join(STOP_WAIT)
                if process.is_alive():
                    process.kill()
                    process.join()
            with self._pipe:
                self._writer = None
                writer.close()
            if not self._stopping.is_set():
                log.error(
                    "delivery process %s exited with %s; restarting", process.pid, process.exitcode
                )
                self._stopping.wait(RESTART_AFTER)


def _child(settings: Settings, level: str, form: str, parent: Connection) -> None:
    from bot import logs
    from bot.errors import OperatorError
    from bot.runtime import Runtime

    logs.configure(level, form)
    # Acknowledgements are what people wait on; a post a few milliseconds later goes
    # unnoticed. On a busy machine this process yields the CPU to the request process.
    os.nice(NICENESS)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which stops us
    try:
        runtime = Runtime(settings, background=True)
    except OperatorError as error:
        log.error("delivery process: %s", error)
        raise SystemExit(error.code) from None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(
        target=_listen, args=(parent, runtime.worker.wake), name="parent", daemon=True
    ).start()
    runtime.deliver_until(stop)


def _listen(parent: Connection, wake: Callable[[], None]) -> None:
    """Wake-ups from the parent; end of file: the parent is gone, so go at once."""
    fd = parent.fileno()
    while True:
        try:
            data = os.read(fd, 4096)
        except InterruptedError:
            continue
        if not data:
            os._exit(1)
        wake()
