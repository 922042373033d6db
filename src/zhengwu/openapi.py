"""Write the committed OpenAPI file: `python -m zhengwu.openapi docs/openapi.json`.

A test compares the file with what the code generates, so the two cannot drift apart.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def generate() -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    import django

    django.setup()
    from zhengwu.api import api

    return api.get_openapi_schema()


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/openapi.json")
    target.write_text(render(generate()), encoding="utf-8")
    print(f"已写入 {target}")


if __name__ == "__main__":
    main()
