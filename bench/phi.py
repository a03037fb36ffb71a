"""The PHI detector's cost: scan time per text over the whole generated corpus, and for
messages of 500, 2,000 and 4,000 characters built from it; p50 and p99 per text.

    python -m bench.phi [--quick]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from typing import Any

from bench.common import save, table
from storage.phi import scan

LENGTHS = (500, 2000, 4000)


def timed(texts: list[str], rounds: int) -> list[float]:
    """Per-text milliseconds: each text's best of `rounds` scans (the best filters out the
    other processes sharing the cores)."""
    times = []
    for text in texts:
        best = float("inf")
        for _ in range(rounds):
            began = time.perf_counter()
            scan(text)
            best = min(best, time.perf_counter() - began)
        times.append(best * 1000)
    return times


def long_texts(pool: list[str], length: int, count: int, seed: int) -> list[str]:
    """Messages of `length` characters made of corpus messages, as a long update reads."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < length:
            parts.append(rng.choice(pool))
        out.append(" ".join(parts)[:length])
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one round, a few long texts")
    args = parser.parse_args(argv)
    rounds, count = (1, 10) if args.quick else (5, 100)
    from phi_corpus import corpus  # the tests' corpus; bench.common puts tests/ on the path

    positives, negatives = corpus()
    pool = [s.text for s in positives + negatives]
    for text in pool[:50]:
        scan(text)  # warm the pattern caches, as a running app has them
    sets = {"corpus": pool, **{f"{n} chars": long_texts(pool, n, count, n) for n in LENGTHS}}
    results: dict[str, Any] = {"rounds": rounds, "sets": {}}
    rows = []
    for label, texts in sets.items():
        ms = timed(texts, rounds)
        chars = statistics.mean(len(t) for t in texts)
        result = {
            "texts": len(texts),
            "mean_chars": chars,
            "p50_ms": percentile(ms, 0.50),
            "p99_ms": percentile(ms, 0.99),
            "max_ms": max(ms),
            "us_per_char": statistics.mean(
                m * 1000 / max(1, len(t)) for m, t in zip(ms, texts, strict=True)
            ),
        }
        results["sets"][label] = result
        rows.append([label, len(texts), round(chars), result["p50_ms"], result["p99_ms"],
                     result["max_ms"], result["us_per_char"]])  # fmt: skip
    print(table(["texts", "n", "mean chars", "p50 ms", "p99 ms", "max ms", "µs/char"], rows))
    print(f"written: {save('phi-quick' if args.quick else 'phi', results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
