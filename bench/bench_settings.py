"""Settings for bench/query_bench.py: the project's settings plus the bare comparison view."""

import os

from zhengwu.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"

# BENCH_WAL_KEEP=1: the server's connections never checkpoint, so that its WAL keeps every frame
# a run wrote for bench/wal_frames.py to count (SQLite only; the WAL grows meanwhile).
if os.environ.get("BENCH_WAL_KEEP") and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] += " PRAGMA wal_autocheckpoint=0;"  # noqa: F405
