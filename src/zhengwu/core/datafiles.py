"""Data files that ship beside an app's code, in its `data/` directory (packaged with the wheel).

Records that are data, not code — the demo's service items, publications, letters, certificate
types, catalog resources — are kept there as JSON and read by the app's loader through
`read_json`, so a module holds the logic once and the records stay readable as records.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def read_json(package: str, name: str) -> Any:
    """The JSON document `data/<name>` of `package` (e.g. `read_json("zhengwu.eservices", "demo_items.json")`)."""
    return json.loads((resources.files(package) / "data" / name).read_text(encoding="utf-8"))
