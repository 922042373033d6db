"""Demo data of the disclosure app, loaded by `zhengwu demo` after accounts, catalog and base records."""

from __future__ import annotations

from collections.abc import Callable


def load_demo(*, say: Callable[[str], object]) -> str:
    """Load (idempotently) and return a one-line summary for the demo command's report."""
    return ""
