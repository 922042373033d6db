"""Files of the governance app (project documents), under `<ZHENGWU_DATA_DIR>/media/governance/`."""

from __future__ import annotations

from zhengwu.core.files import MediaDirectory

_files = MediaDirectory("governance")
store = _files.store
read = _files.read
