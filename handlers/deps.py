"""What the listeners need, handed over by the app's composition root."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from handlers.facts import FactCache
from storage.services import Services

if TYPE_CHECKING:
    from handlers.installs import Tokens


@dataclass(frozen=True)
class Deps:
    services: Services
    admins: frozenset[str]
    clock: Callable[[], datetime]
    # Private follow-ups to clicks go out here, so the click is acknowledged without waiting.
    background: Executor
    facts: FactCache = field(default_factory=FactCache)
    tokens: Tokens | None = None  # OAuth installs' tokens; None with a single token
