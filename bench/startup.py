"""Start-up time: `liaison-bridge --help` against importing the three big libraries.

python -m bench.startup [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import save, table

CLI = str(Path(sys.executable).with_name("liaison-bridge"))
BASELINE = [sys.executable, "-c", "import slack_bolt, sqlalchemy, apscheduler"]


def median_seconds(argv: list[str], runs: int) -> float:
    subprocess.run(argv, check=True, capture_output=True)  # warm the file cache
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 15")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else 15
    ours = median_seconds([CLI, "--help"], runs)
    base = median_seconds(BASELINE, runs)
    result = {"cli_help_ms": ours * 1000, "import_libraries_ms": base * 1000, "ratio": ours / base}
    print(
        table(
            ["liaison-bridge --help ms", "import slack_bolt, sqlalchemy, apscheduler ms", "ratio"],
            [[result["cli_help_ms"], result["import_libraries_ms"], result["ratio"]]],
        )
    )
    print(f"written: {save('startup-quick' if args.quick else 'startup', result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
