"""Files of the documents app, under `<ZHENGWU_DATA_DIR>/media/documents/` (paths stored relative)."""

from __future__ import annotations

from zhengwu.core.files import MediaDirectory

_files = MediaDirectory("documents")
root = _files.root
full_path = _files.full_path
store = _files.store
read = _files.read
