"""Where a keyed lookup's CPU goes under wrk, process by process, beside the bare view (issue 21).

`bench/query_bench.py` says how many calls a second each server answers; this says what each call
cost the machine and who spent it. It starts `zhengwu serve` on a work directory of query_bench's
(1,000,000 rows: run query_bench once with `--workdir` first), then, round after round, runs wrk
against the bare view (`/bench/bare/{key}`) and against the keyed lookup with the benchmark's
token and purpose, the lookup with query_bench's sealer beside it (every second, at the consumer's
priority). Around each measured run it reads the CPU time of every process of the server's tree
(`/proc/<pid>/stat`: the granian workers, the Huey consumer) and of the sealer, and the machine's
idle time (`/proc/stat`), and prints per server:

    lookup c8: 2090 req/s, p99 15.4 ms, 0 non-2xx; idle 6.5 %; µs a call: granian 682 (sys 72), huey 0, sealer 129

CPU per call is the process's CPU seconds over the run divided by the calls answered; "sys" is the
kernel's share of the server's processes. wrk's own CPU is not counted (the idle share is the
machine's: it counts wrk's as busy). With `--py-spy PATH` (py-spy in a venv of its own: it is not
a dependency of the project), one granian worker is also sampled for 7 s of each run (`--nonblocking`,
200 Hz; threads waiting on a lock are sampled too, idle threads are not) and the samples are
written as collapsed stacks to `<workdir>/py-spy-<server>-r<round>.txt`. `--src DIR` runs another
tree's `src` (a `git archive` of an older commit, for before/after pairs).

    .venv/bin/python bench/query_bench.py --rows 1000000 --workdir /tmp/qb1m --repeat 1 --duration 2s
    .venv/bin/python bench/cpu_per_call.py --workdir /tmp/qb1m --connections 8 --rounds 2
    .venv/bin/python bench/cpu_per_call.py --workdir /tmp/qb1m --src /tmp/before/src --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from query_bench import BENCH, CONSUMER_NICE, LUA, PURPOSE, ROOT, SEALER, _wrk_field

# Every command this script runs is its own (ps, wrk, py-spy, zhengwu) with arguments it builds.
start = subprocess.Popen
run = subprocess.run

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(root: int) -> dict[int, str]:
    """The processes under `root` (itself included), each named granian, huey or python."""
    ps = ["/usr/bin/ps", "-e", "-o", "pid=,ppid="]
    out = run(ps, capture_output=True, text=True, check=True).stdout
    children: dict[int, list[int]] = {}
    for line in out.split("\n"):
        if line.strip():
            pid, ppid = map(int, line.split())
            children.setdefault(ppid, []).append(pid)
    found: dict[int, str] = {}
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        found[pid] = "huey" if b"run_huey" in argv else "granian" if b"granian" in argv else "python"
        stack += children.get(pid, [])
    return found


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(user + system, system) CPU seconds of a process; zeros once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    user, system = int(fields[11]), int(fields[12])
    return (user + system) / CLOCK_TICKS, system / CLOCK_TICKS


def machine_ticks() -> tuple[int, int]:
    """(all, idle + iowait) ticks of the machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return sum(values), values[3] + values[4]


def workers(tree: dict[int, str]) -> list[int]:
    """granian's worker processes: granian processes whose parent is granian too."""
    granian = {pid for pid, name in tree.items() if name == "granian"}
    parents = {pid: int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) for pid in granian}
    return sorted(pid for pid in granian if parents[pid] in granian)


def wrk_argv(
    base: str, prefix: str, headers: dict[str, str], workdir: Path, connections: int, duration: str
) -> list[str]:
    argv = [
        "wrk",
        "--latency",
        "-t2",
        f"-c{connections}",
        "-d",
        duration,
        "--timeout",
        "10s",
        "-s",
        str(workdir / "keys.lua"),
    ]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    return [*argv, base, "--", str(workdir / "keys.txt"), prefix, ""]


def measure(server: str, args: argparse.Namespace, env: dict[str, str], serve_pid: int, round_: int) -> str:
    setup = json.loads((args.workdir / "setup.json").read_text())
    base = f"http://127.0.0.1:{args.port}"
    if server == "bare":
        prefix, headers = "/bench/bare/", {}
    else:
        prefix = f"/api/v1/exchange/{setup['resource']}/records/"
        headers = {"Authorization": f"Bearer {setup['token']}", "X-Purpose": quote(PURPOSE)}
    zhengwu = str(Path(sys.executable).parent / "zhengwu")
    sealer = None
    if server == "lookup":
        sealer = start(
            [zhengwu, "shell", "--no-imports", "-c", SEALER], env=env, preexec_fn=lambda: os.nice(CONSUMER_NICE)
        )
    try:
        run(wrk_argv(base, prefix, headers, args.workdir, args.connections, "2s"), capture_output=True, check=True)
        tree = process_tree(serve_pid)
        before = {pid: cpu_seconds(pid) for pid in tree}
        sealer_before = cpu_seconds(sealer.pid)[0] if sealer else 0.0
        ticks_before = machine_ticks()
        wrk = start(
            wrk_argv(base, prefix, headers, args.workdir, args.connections, args.duration),
            stdout=subprocess.PIPE,
            text=True,
        )
        if args.py_spy:
            time.sleep(0.5)
            out = args.workdir / f"py-spy-{server}-r{round_}.txt"
            spy = [args.py_spy, "record", "-p", str(workers(tree)[0]), "-d", "7", "-r", "200", "--nonblocking"]
            run([*spy, "-f", "raw", "-o", str(out)], capture_output=True, check=False)
        report, _ = wrk.communicate()
        after = {pid: cpu_seconds(pid) for pid in tree}
        sealer_cpu = cpu_seconds(sealer.pid)[0] - sealer_before if sealer else 0.0
        ticks_after = machine_ticks()
    finally:
        if sealer:
            sealer.send_signal(signal.SIGTERM)
            sealer.wait(timeout=120)
    calls = int(_wrk_field(r"(\d+) requests in", report))
    rps = float(_wrk_field(r"Requests/sec:\s+([\d.]+)", report))
    p99 = _wrk_field(r"\n\s+99%\s+(\S+)", report)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    by_name: dict[str, float] = {"granian": 0.0, "huey": 0.0}
    system = 0.0
    for pid, name in tree.items():
        by_name[name] = by_name.get(name, 0.0) + after[pid][0] - before[pid][0]
        system += after[pid][1] - before[pid][1]
    idle = (ticks_after[1] - ticks_before[1]) / max(1, ticks_after[0] - ticks_before[0])
    per_call = ", ".join(f"{name} {1e6 * seconds / calls:.0f}" for name, seconds in by_name.items() if name != "python")
    return (
        f"{server} c{args.connections}: {rps:.0f} req/s, p99 {p99}, {int(bad[1]) if bad else 0} non-2xx; "
        f"idle {100 * idle:.1f} %; µs a call: {per_call} (sys {1e6 * system / calls:.0f}), "
        f"sealer {1e6 * sealer_cpu / calls:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True, help="a work directory of bench/query_bench.py (SQLite)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--servers", default="bare,lookup")
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument("--workers", type=int, default=2, help="web workers of zhengwu serve")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the tree to run (default: this one)")
    parser.add_argument("--py-spy", help="path of a py-spy binary: sample one worker during each run")
    args = parser.parse_args()
    setup = json.loads((args.workdir / "setup.json").read_text())
    # wrk's script, as query_bench writes it: a work directory set up by profile_reads has none,
    # and wrk without it asks for "/" on every call (the home page: 200s, nothing measured).
    (args.workdir / "keys.lua").write_text(LUA)
    env = {
        **os.environ,
        "ZHENGWU_DATA_DIR": str(args.workdir / "data"),
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(args.src)]),
        "BENCH_RESOURCE_CODE": setup["resource"],
    }
    env.pop("DATABASE_URL", None)
    zhengwu = str(Path(sys.executable).parent / "zhengwu")
    serve = start(
        [zhengwu, "serve", "--host", "127.0.0.1", "--port", str(args.port), "--workers", str(args.workers)],
        env=env,
        stdout=(args.workdir / "cpu_per_call-serve.log").open("wb"),
        stderr=subprocess.STDOUT,
        process_group=0,
    )
    try:
        deadline = time.time() + 120
        while True:
            try:
                key = (args.workdir / "keys.txt").read_text().split()[0]
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/bench/bare/{key}", timeout=5).read()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        print(
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, src {args.src}, {args.workers} workers",
            flush=True,
        )
        for round_ in range(1, args.rounds + 1):
            for server in args.servers.split(","):
                print(measure(server, args, env, serve.pid, round_), flush=True)
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=60)


if __name__ == "__main__":
    main()
