"""Portal pages benchmark: the home page and a publication page beside a bare Django view of the
same size, in the same run (target: each page ≥ 0.5× the bare view's req/s).

    .venv/bin/python bench/portal_pages_bench.py                       # demo data, SQLite
    .venv/bin/python bench/portal_pages_bench.py --duration 10s --repeat 3 --enterprises 2000

Needs `wrk` (apt-get install -y wrk). Reuses the server and wrk helpers of `query_bench.py`.

1. A fresh ZHENGWU_DATA_DIR: migrate and `zhengwu demo` (departments, the base catalog with its
   records, and whatever the domain apps' demos publish).
2. One `zhengwu serve --workers W` (granian + Huey) with `portal_bench_settings`
   (`portal_bench_urls`: the project's URLs plus `/bench/bare-page/<name>`).
3. Each page is fetched once; its bytes are saved, and the bare view answers with exactly those
   bytes (same size, same content type, same middleware stack; no query, no template).
4. For each page and its bare twin, R rounds of each in turn: warm-up, then `wrk --latency -t2
   -cC -dD` on the one URL; the median run (by req/s) is reported with p50/p99, the ratio page ÷ bare, the machine
   and the load average (wrk runs on the same, shared machine).

The publication page is a disclosure publication when the disclosure app offers one
(`disclosure.selectors.latest_publications`), else the portal's open-data page of the catalog
resource 法人单位基本信息 (`/opendata/<code>/`) — the script says which it measured. The catalog
app's resource page (`/catalog/resource/<code>/`) is measured too, for information. All three are
served as shipped: from the public page cache for visitors without a session
(ZHENGWU_PAGE_CACHE_SECONDS, default 30; portal/cache.py), which wrk's requests are.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from query_bench import (  # noqa: E402 - bench/ is put on the path above
    LUA,
    log,
    machine,
    measure,
    port_free,
    start,
    stop,
    summary,
    wait_http,
)

TARGET = 0.5
FIND_PAGES = """
from zhengwu.catalog.models import Resource
from zhengwu.disclosure import selectors as d
r = Resource.objects.filter(name="法人单位基本信息", state="published", open_to_public=True).first()
read = getattr(d, "latest_publications", None)
hits = read(limit=1) if read else []
page = hits[0].url if hits else f"/opendata/{r.code}/"
print("disclosure" if hits else "opendata", page, f"/catalog/resource/{r.code}/")
"""


def zhengwu(args: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    binary = str(Path(sys.executable).parent / "zhengwu")
    return subprocess.run([binary, *args], env=env, text=True, check=True, capture_output=True, timeout=timeout)  # noqa: S603


def page_dir(workdir: Path, name: str, path: str) -> Path:
    """A directory with keys.lua/keys.txt so that query_bench.measure requests exactly `path`."""
    target = workdir / name
    target.mkdir(parents=True, exist_ok=True)
    (target / "keys.lua").write_text(LUA)
    (target / "keys.txt").write_text(path + "\n")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", default="10s", help="each measured wrk run (default 10s)")
    parser.add_argument("--warmup", default="3s")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (page, then its bare twin)")
    parser.add_argument("--workers", type=int, default=2, help="web workers of zhengwu serve")
    parser.add_argument("--port", type=int, default=18941)
    parser.add_argument("--enterprises", type=int, default=2000, help="法人 records of the demo")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    if not port_free(args.port):
        sys.exit(f"port {args.port} is in use on 127.0.0.1: choose another with --port")
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zhengwu-portal-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    pages_dir = workdir / "pages"
    pages_dir.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "ZHENGWU_DATA_DIR": str(workdir / "data"),
        "DJANGO_SETTINGS_MODULE": "portal_bench_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        "BENCH_PAGES_DIR": str(pages_dir),
    }
    env.pop("DATABASE_URL", None)
    log(f"workdir {workdir}")
    if not (workdir / "data").exists():
        started = time.perf_counter()
        zhengwu(["migrate", "--noinput"], env)
        zhengwu(["demo", "--enterprises", str(args.enterprises)], env, timeout=1800)
        log(f"migrate + demo: {time.perf_counter() - started:.1f} s")
    source, publication, catalog_page = zhengwu(["shell", "--no-imports", "-c", FIND_PAGES], env).stdout.split()
    pages = {"home": "/", "publication": publication}
    pages["catalog"] = catalog_page
    log(f"pages: {pages} (publication page from {source})")

    base = f"http://127.0.0.1:{args.port}"
    serve = [str(Path(sys.executable).parent / "zhengwu"), "serve", "--host", "127.0.0.1", "--port", str(args.port),
             "--workers", str(args.workers)]  # fmt: skip
    load_before = os.getloadavg()
    results: dict[str, dict[str, float]] = {}
    sizes: dict[str, int] = {}
    server = start(serve, env, workdir / "serve.log")
    try:
        for name, path in pages.items():
            status, body = wait_http(base + path, {})
            assert status == 200, (path, status, body[:500])
            (pages_dir / f"{name}.html").write_bytes(body)
            sizes[name] = len(body)
            bare_path = f"/bench/bare-page/{name}"
            status, bare_body = wait_http(base + bare_path, {})
            assert status == 200 and len(bare_body) == len(body), (status, len(bare_body), len(body))
            log(f"{name}: {path} {len(body):,} bytes")
            runs: dict[str, list[dict[str, Any]]] = {name: [], f"{name}-bare": []}
            for round_ in range(1, args.repeat + 1):  # page and bare view in turn
                for label, url in ((name, path), (f"{name}-bare", bare_path)):
                    runs[label].append(
                        measure(f"{label}, round {round_}", base, "", "", {}, args, page_dir(workdir, label, url))
                    )
            results.update({label: summary(label_runs) for label, label_runs in runs.items()})
    finally:
        stop(server)
    load_after = os.getloadavg()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607

    (workdir / "results.json").write_text(json.dumps({"pages": pages, "source": source, "results": results}, indent=2))
    print()
    peak = max(r["load_max"] for r in results.values())
    print(f"Machine: {machine()}; load average before {load_before[0]:.2f}, after {load_after[0]:.2f}, "
          f"max 1-min load during runs {peak:.2f}; `uptime`: {uptime}")  # fmt: skip
    print(f"SQLite, demo data; wrk -t{args.threads} -c{args.connections} -d{args.duration}; median of "
          f"{args.repeat} rounds; zhengwu serve (granian, {args.workers} workers); publication page "
          f"= {source} page {pages['publication']}")  # fmt: skip
    print()
    print("| page | path | bytes | req/s | p50 ms | p99 ms | non-2xx | bare req/s | page ÷ bare |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    verdicts = []
    for name, path in pages.items():
        page, bare = results[name], results[f"{name}-bare"]
        ratio = page["rps_median"] / bare["rps_median"]
        verdicts.append(f"- {name}: {ratio:.2f}× the bare view (target ≥ {TARGET}×) — "
                        f"{'met' if ratio >= TARGET else 'NOT met'}")  # fmt: skip
        print(f"| {name} | `{path}` | {sizes[name]:,} | {page['rps_median']:,.0f} | {page['p50_median']:.2f} "
              f"| {page['p99_median']:.2f} | {int(page['non2xx_total'])} | {bare['rps_median']:,.0f} "
              f"| {ratio:.2f}× |")  # fmt: skip
    print()
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
