"""
What the benchmark scripts under tests/bench/ share: the end-to-end
harness (tests/e2e) on the import path, run against the release build
unless STOPPVIF_BUILD says otherwise; BENCH_QUICK; the harness's failures
turned into a plain exit (there is no pytest here); percentiles.

Not executable: scripts/bench runs only the executable parts.
"""

import os
import sys
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
os.environ.setdefault("STOPPVIF_BUILD", str(TOP / "build"))
sys.path.insert(0, str(TOP / "tests" / "e2e"))
import conftest  # noqa: E402  (the e2e harness: Daemon, run)

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")


def fail(msg):
    raise SystemExit(f"bench: {msg}")


conftest.pytest.fail = fail     # the harness reports through pytest.fail


def pct(xs, p):
    """The p-th percentile of xs, nearest rank."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]
