"""The PHI detector against its generated corpus: recall per kind, false blocks per look-alike.

A positive is caught for its kind when a finding of that kind overlaps the identifier; for
recall overall, a finding of any kind overlapping it counts (the message is refused either
way). A negative is a false block when the scan finds anything at all in it.

    .venv/bin/python -m pytest tests/test_phi_corpus.py -q -s    # prints the tables
"""

from __future__ import annotations

from collections import Counter

import pytest
from phi_corpus import Sample, corpus

from storage.phi import Finding, Kind, scan

STRICT = {Kind.SSN, Kind.MRN, Kind.DOB, Kind.HEALTH_PLAN}


def _overlaps(finding: Finding, sample: Sample) -> bool:
    return finding.start < sample.end and sample.start < finding.end


@pytest.fixture(scope="module")
def measured() -> dict[str, Counter[str]]:
    positives, negatives = corpus()
    counts: dict[str, Counter[str]] = {
        "total": Counter(), "kind": Counter(), "any": Counter(), "neg": Counter(), "fp": Counter()
    }  # fmt: skip
    for sample in positives:
        assert sample.kind is not None
        findings = scan(sample.text)
        key = sample.kind.name
        counts["total"][key] += 1
        counts["kind"][key] += any(f.kind is sample.kind and _overlaps(f, sample) for f in findings)
        counts["any"][key] += any(_overlaps(f, sample) for f in findings)
    for sample in negatives:
        assert sample.lookalike is not None
        counts["neg"][sample.lookalike] += 1
        counts["fp"][sample.lookalike] += bool(scan(sample.text))
    _report(counts)
    return counts


def _report(counts: dict[str, Counter[str]]) -> None:
    print("\nrecall per kind (expected kind / any kind)")
    for key, total in sorted(counts["total"].items()):
        print(
            f"  {key:<12} {counts['kind'][key] / total:6.3f} "
            f"{counts['any'][key] / total:6.3f}  n={total}"
        )
    print("false blocks per look-alike")
    for key, total in sorted(counts["neg"].items()):
        print(f"  {key:<22} {counts['fp'][key] / total:6.3f}  n={total}")
    positives, negatives = sum(counts["total"].values()), sum(counts["neg"].values())
    print(f"overall recall {sum(counts['any'].values()) / positives:.3f} of {positives}; "
          f"false blocks {sum(counts['fp'].values()) / negatives:.3f} of {negatives}")  # fmt: skip


def test_corpus_size_and_coverage() -> None:
    positives, negatives = corpus()
    assert len(positives) >= 600 and len(negatives) >= 600
    per_kind = Counter(s.kind for s in positives)
    assert set(per_kind) == set(Kind)
    assert min(per_kind.values()) >= 30
    assert all(per_kind[k] >= 50 for k in STRICT)
    for sample in positives:
        assert sample.end > sample.start, sample


def test_recall_overall(measured: dict[str, Counter[str]]) -> None:
    assert sum(measured["any"].values()) / sum(measured["total"].values()) >= 0.95


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.name)
def test_recall_per_kind(measured: dict[str, Counter[str]], kind: Kind) -> None:
    recall = measured["kind"][kind.name] / measured["total"][kind.name]
    assert recall >= (0.98 if kind in STRICT else 0.90)


def test_false_blocks_overall(measured: dict[str, Counter[str]]) -> None:
    assert sum(measured["fp"].values()) / sum(measured["neg"].values()) <= 0.02


def test_false_blocks_per_lookalike(measured: dict[str, Counter[str]]) -> None:
    rates = {k: measured["fp"][k] / n for k, n in measured["neg"].items()}
    assert all(rate <= 0.05 for rate in rates.values()), rates
