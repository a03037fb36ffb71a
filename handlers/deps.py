"""What the listeners need, handed over by the app's composition root."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime

from storage.services import Services


@dataclass(frozen=True)
class Deps:
    services: Services
    admins: frozenset[str]
    clock: Callable[[], datetime]
    # Private follow-ups to clicks go out here, so the click is acknowledged without waiting.
    background: Executor
