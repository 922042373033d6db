"""`zhengwu serve`: the web server (granian) and the task consumer (Huey) together.

One command for a one-machine install (`make run`). It starts two children with the same
interpreter, watches them and stops both when either one stops:

* `python -m granian --interface wsgi zhengwu.wsgi:application` — worker processes, each with a
  few threads running the WSGI application; the access lines are the application's own
  (`zhengwu.wsgi`, logger `zhengwu.access`, on stdout);
* `python -m zhengwu.cli run_huey` — the Huey consumer (skipped with `--no-worker`, e.g. when
  dedicated worker machines run `zhengwu run_huey` against Redis).

Why granian rather than gunicorn: its HTTP layer is compiled (Rust), and on two cores gunicorn's
gthread workers alone cost 115–190 µs of CPU per request before any Django code runs, as much
as the query API's own work (docs/benchmarks.md, "Keyed lookup"). Request bodies are streamed to
the application, as gunicorn did (an upload of hundreds of MB is not held in memory).

SIGINT/SIGTERM to `serve` asks both children to stop gracefully (granian: SIGTERM, Huey: SIGINT,
each finishing the request or task in hand); a second signal stops them at once. The exit status
is 0 after a requested stop and non-zero when a child stopped on its own or failed.
Collecting static files and migrating are not done here (`make run` does both).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core.errors import ApplicationError

# Threads per web worker process: a slow request (an Excel export) holds one, the others answer.
THREADS_PER_WORKER = 4
# The consumer's background work (sealing the access log, webhooks, reminders) yields the CPU
# to answering requests: with equal priority the minute's sealing pushed the query API's p99
# up (docs/benchmarks.md).
CONSUMER_NICE = 5
# How long children get to finish what they are doing before they are killed.
STOP_TIMEOUT_SECONDS = 40
WEB_GRACEFUL_TIMEOUT = 30
POLL_SECONDS = 0.1


@dataclass
class Child:
    name: str
    argv: list[str]
    stop_signal: signal.Signals  # graceful
    quick_signal: signal.Signals  # sent on a second request
    nice: int = 0  # added to the process's niceness (lower CPU priority)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    returncode: int | None = None


def bind_address(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6 literal
    return f"{host}:{port}"


def build_children(
    *, host: str, port: int, workers: int, worker: bool, log_level: str, replicate: bool = False
) -> list[Child]:
    python = sys.executable
    children = [
        Child(
            name="granian",
            argv=[
                python,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--host",
                host.removeprefix("[").removesuffix("]"),
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--blocking-threads",
                str(THREADS_PER_WORKER),
                # A worker that dies is started again (gunicorn's arbiter did the same).
                "--respawn-failed-workers",
                "--workers-kill-timeout",
                str(WEB_GRACEFUL_TIMEOUT),
                # The application writes the access lines itself (zhengwu.wsgi): none for the
                # machine API's reads, each of which is in the exchange access log.
                "--no-access-log",
                "--log-level",
                log_level.lower(),
                "zhengwu.wsgi:application",
            ],
            stop_signal=signal.SIGTERM,
            quick_signal=signal.SIGINT,
        )
    ]
    if worker:
        children.append(
            Child(
                name="huey",
                # One scheduler per site: the other nodes' workers take queued jobs only.
                argv=[
                    python,
                    "-m",
                    "zhengwu.cli",
                    "run_huey",
                    *([] if settings.ZHENGWU_SCHEDULER else ["--no-periodic"]),
                ],
                stop_signal=signal.SIGINT,
                quick_signal=signal.SIGTERM,
                nice=CONSUMER_NICE,
            )
        )
    if replicate:
        from zhengwu.core.replica import replicate_argv

        # Litestream copies every commit to the remote replica; on SIGTERM it syncs once more.
        children.append(
            Child(name="litestream", argv=replicate_argv(), stop_signal=signal.SIGTERM, quick_signal=signal.SIGINT)
        )
    return children


def _die_with_parent_hook() -> Callable[[], None] | None:
    """On Linux, make each child receive SIGTERM if `serve` itself is killed (SIGKILL, OOM)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return hook


def _child_setup(hook: Callable[[], None] | None, nice: int) -> Callable[[], None] | None:
    if not nice:
        return hook

    def setup() -> None:
        if hook is not None:
            hook()
        os.nice(nice)

    return setup


class Supervisor:
    def __init__(self, children: list[Child], *, env: dict[str, str], log: Callable[[str], None]) -> None:
        self.children = children
        self.env = env
        self.log = log
        self.signals_received = 0
        self.failed: Child | None = None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signals_received += 1

    def _send(self, child: Child, signum: signal.Signals) -> None:
        if child.process is not None and child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(signum)

    def run(self) -> int:
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {signum: signal.signal(signum, self._on_signal) for signum in handled}
        try:
            return self._run()
        finally:
            for child in self.children:  # never leave a child behind, whatever happened above
                if child.process is not None and child.process.poll() is None:
                    child.process.kill()
                    child.process.wait()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _run(self) -> int:
        hook = _die_with_parent_hook()
        for child in self.children:
            # Own process group: a Ctrl-C in the terminal reaches only `serve`, which forwards
            # exactly one signal (a second SIGINT would cut Huey's graceful shutdown short).
            child.process = subprocess.Popen(  # noqa: S603
                child.argv, env=self.env, process_group=0, preexec_fn=_child_setup(hook, child.nice)
            )
            self.log(f"已启动 {child.name}（pid={child.process.pid}）")

        stopping_since: float | None = None
        quick_sent = killed = False
        while True:
            if self.signals_received and stopping_since is None:
                self.log("收到停止信号，正在停止 (stopping gracefully)…")
                stopping_since = self._stop_all(quick=False)
            if self.signals_received > 1 and not quick_sent:
                self.log("再次收到停止信号，立即停止 (stopping now)…")
                self._stop_all(quick=True)
                quick_sent = True

            for child in self.children:
                assert child.process is not None
                if child.returncode is None and (code := child.process.poll()) is not None:
                    child.returncode = code
                    if stopping_since is None:
                        self.failed = child
                        self.log(f"{child.name}（pid={child.process.pid}）意外退出，退出码 {code}；正在停止其余进程")
                        stopping_since = self._stop_all(quick=False)

            if all(child.returncode is not None for child in self.children):
                break
            if stopping_since is not None and not killed and time.monotonic() - stopping_since > STOP_TIMEOUT_SECONDS:
                self.log(f"{STOP_TIMEOUT_SECONDS} 秒内未停止，强制结束 (killing)")
                for child in self.children:
                    self._send(child, signal.SIGKILL)
                killed = True
            time.sleep(POLL_SECONDS)

        self.log("已停止：" + "，".join(f"{child.name} 退出码 {child.returncode}" for child in self.children))
        return self.exit_code(killed=killed)

    def _stop_all(self, *, quick: bool) -> float:
        for child in self.children:
            self._send(child, child.quick_signal if quick else child.stop_signal)
        return time.monotonic()

    def exit_code(self, *, killed: bool) -> int:
        if self.failed is not None:
            code = self.failed.returncode or 0
            return code if code > 0 else 1
        stopped_by_us = {0, -signal.SIGTERM, -signal.SIGINT}
        if killed or any(child.returncode not in stopped_by_us for child in self.children):
            return 1
        return 0


class Command(BaseCommand):
    help = "启动网站 (granian) 和后台任务 (Huey consumer)：Run the web server and the task consumer together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="监听地址 (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="监听端口 (default 8000)")
        parser.add_argument(
            "--workers", type=int, default=None, help="web worker processes (default ZHENGWU_WEB_WORKERS)"
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="不启动 Huey consumer (when workers run elsewhere)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port: int = options["port"]
        workers: int = options["workers"] or settings.WEB_WORKERS
        if not 0 < port < 65536:
            raise CommandError(f"--port 应为 1 到 65535 之间的整数：{port}")
        if not 0 < workers <= 64:
            raise CommandError(f"--workers 应为 1 到 64 之间的整数：{workers}")

        try:
            children = build_children(
                host=options["host"],
                port=port,
                workers=workers,
                worker=not options["no_worker"],
                log_level=settings.LOG_LEVEL,
                replicate=bool(settings.ZHENGWU_REPLICA_URL),
            )
        except ApplicationError as error:  # a replica that cannot be started: say why, start nothing
            raise CommandError(error.message) from None
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "zhengwu.settings"),
            # The children must see the same data directory even if they resolve "./var" elsewhere.
            "ZHENGWU_DATA_DIR": str(settings.DATA_DIR),
            "PYTHONUNBUFFERED": "1",
        }
        self.log(f"http://{bind_address(options['host'], port)}/ ，{workers} 个 worker，区域 {settings.ZHENGWU_ZONE}")
        code = Supervisor(children, env=env, log=self.log).run()
        if code:
            raise SystemExit(code)

    def log(self, message: str) -> None:
        self.stdout.write(f"zhengwu serve: {message}")
        self.stdout.flush()
