from __future__ import annotations

from collections.abc import Iterator

import pytest

from zhengwu.core import workdays


@pytest.fixture(autouse=True)
def _fresh_workday_cache() -> Iterator[None]:
    """Overrides written in a (rolled back) test must not outlive it in the per-process cache."""
    workdays.invalidate_cache()
    yield
    workdays.invalidate_cache()
