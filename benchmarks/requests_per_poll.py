"""API requests per poll, per platform: an unchanged account and a changed one.

Each connector runs against its platform's scripted, documented responses (the contract
cases in tests/support/connector_cases), so the counts are the real connectors' requests:

    .venv/bin/python benchmarks/requests_per_poll.py
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import connector_cases  # noqa: E402


def main() -> None:
    print(
        f"{'platform':<10} {'streams':>7} {'changed: requests':>18} {'units':>6} "
        f"{'unchanged: requests':>20} {'units':>6}"
    )
    for info in sorted(pkgutil.iter_modules(connector_cases.__path__), key=lambda m: m.name):
        case = importlib.import_module(f"tests.support.connector_cases.{info.name}").case()
        full = case.fetch("full")
        again = case.fetch("unchanged", full.cursor)
        print(
            f"{info.name:<10} {case.streams:>7} {full.requests:>18} {full.quota_units:>6} "
            f"{again.requests:>20} {again.quota_units:>6}"
        )


if __name__ == "__main__":
    main()
