"""Settings for bench/portal_pages_bench.py: the project's settings plus the bare page view."""

from zhengwu.settings import *  # noqa: F403

ROOT_URLCONF = "portal_bench_urls"
