"""Settings for bench/query_bench.py: the project's settings plus the bare comparison view."""

from zhengwu.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
