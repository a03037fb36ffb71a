"""The garbage collector set for a long-running server rather than a script.

A full collection walks every object the process holds: after start-up, about 120,000 of
them (SQLAlchemy's, Bolt's, slack_sdk's, our tables and templates), which took 35 ms here and
landed on whichever acknowledgement was in flight. None of them ever becomes garbage, so
they are set aside once the process has started, and the young generation is collected less
often: a request's objects are nearly all freed by reference counting on the way out, so a
collection every 700 allocations mostly found nothing.
"""

from __future__ import annotations

import gc

# Allocations between collections of the youngest generation, then how many of those make
# the next one collect. Cycles still go: a request's within a few requests, older ones later.
THRESHOLDS = (100_000, 50, 100)


def settle() -> None:
    """Call once the process has built everything it keeps, just before it starts serving."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
