from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    """`zhengwu demo` keeps the demo API client's token in DATA_DIR: a test's own, not ./var."""
    settings.DATA_DIR = tmp_path
