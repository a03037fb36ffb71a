"""The collector's settings for a serving process."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot import heap


@pytest.fixture
def restored() -> Iterator[None]:
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("restored")
def test_what_the_process_holds_at_start_is_no_longer_walked_by_each_collection() -> None:
    kept = [{"n": n} for n in range(1000)]  # built at start-up and held for good
    heap.settle()
    assert gc.get_freeze_count() >= len(kept)
    walked = {id(o) for generation in range(3) for o in gc.get_objects(generation)}
    assert not any(id(k) in walked for k in kept)


@pytest.mark.usefixtures("restored")
def test_cycles_made_after_start_are_still_collected() -> None:
    heap.settle()

    class Node:
        other: object = None

    a, b = Node(), Node()
    a.other, b.other = b, a
    del a, b
    assert gc.collect() >= 2
