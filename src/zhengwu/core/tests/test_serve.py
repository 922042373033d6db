"""`zhengwu serve` runs granian and the Huey consumer together and stops them together.

The end-to-end tests start the real command on a free port in a temporary data directory
(SQLite + SqliteHuey, whatever DATABASE_URL/REDIS_URL the caller exported), poll /healthz,
push a task through the consumer, and check that no process is left behind."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from huey import SqliteHuey

from zhengwu.core.management.commands.serve import (
    CONSUMER_NICE,
    Child,
    Supervisor,
    bind_address,
    build_children,
)
from zhengwu.core.tasks import ping_task

ZHENGWU = Path(sys.executable).with_name("zhengwu")
STARTUP_SECONDS = 30
STOP_SECONDS = 60
# Settings that would point the children at shared servers instead of the temporary directory.
CLEARED = ("DATABASE_URL", "REDIS_URL", "ZHENGWU_HTTPS", "ZHENGWU_ALLOWED_HOSTS", "ZHENGWU_ZONE", "ZHENGWU_DEBUG")


# --- the supervisor on its own ----------------------------------------------------------------


def test_commands_use_this_interpreter() -> None:
    web, worker = build_children(host="127.0.0.1", port=8123, workers=2, worker=True, log_level="INFO")
    assert web.argv[:5] == [sys.executable, "-m", "granian", "--interface", "wsgi"]
    assert web.argv[-1] == "zhengwu.wsgi:application"
    assert web.argv[web.argv.index("--host") + 1] == "127.0.0.1"
    assert web.argv[web.argv.index("--port") + 1] == "8123"
    assert web.argv[web.argv.index("--workers") + 1] == "2"
    assert web.argv[web.argv.index("--log-level") + 1] == "info"
    # The application writes the access lines (zhengwu.wsgi); granian's would double them.
    assert "--no-access-log" in web.argv
    assert "--respawn-failed-workers" in web.argv
    assert worker.argv == [sys.executable, "-m", "zhengwu.cli", "run_huey"]
    # Graceful first: granian finishes requests on SIGTERM, Huey finishes tasks on SIGINT.
    assert (web.stop_signal, worker.stop_signal) == (signal.SIGTERM, signal.SIGINT)


def test_a_node_that_does_not_schedule_runs_queued_jobs_only(settings: Any) -> None:
    settings.ZHENGWU_SCHEDULER = False
    _, worker = build_children(host="127.0.0.1", port=8123, workers=1, worker=True, log_level="INFO")
    assert worker.argv == [sys.executable, "-m", "zhengwu.cli", "run_huey", "--no-periodic"]


def test_every_option_is_one_granian_knows() -> None:
    from granian.cli import cli

    web = build_children(host="::1", port=8123, workers=1, worker=False, log_level="WARNING")[0]
    known = {option for parameter in cli.params for option in (*parameter.opts, *parameter.secondary_opts)}
    assert {arg for arg in web.argv[3:] if arg.startswith("--")} <= known
    assert web.argv[web.argv.index("--host") + 1] == "::1"  # granian takes an IPv6 host bare


def test_no_worker_starts_only_the_web_server() -> None:
    children = build_children(host="0.0.0.0", port=80, workers=1, worker=False, log_level="INFO")  # noqa: S104
    assert [child.name for child in children] == ["granian"]


def test_ipv6_bind_address() -> None:
    assert bind_address("::1", 8000) == "[::1]:8000"
    assert bind_address("[::1]", 8000) == "[::1]:8000"
    assert bind_address("gov.example.cn", 443) == "gov.example.cn:443"


def python_child(name: str, code: str) -> Child:
    return Child(name, [sys.executable, "-c", code], stop_signal=signal.SIGTERM, quick_signal=signal.SIGINT)


def run_supervisor(children: list[Child]) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = Supervisor(children, env=dict(os.environ), log=lines.append).run()
    return code, lines


def test_a_failing_child_stops_the_other_and_the_exit_status_is_non_zero() -> None:
    sleeper = python_child("sleeper", "import time; time.sleep(60)")
    failing = python_child("failing", "import time, sys; time.sleep(0.5); sys.exit(3)")
    started = time.monotonic()
    code, lines = run_supervisor([sleeper, failing])
    assert code == 3
    assert failing.returncode == 3
    assert sleeper.returncode == -signal.SIGTERM
    assert time.monotonic() - started < 10
    assert any("failing" in line and "意外退出" in line for line in lines)


def test_a_child_that_stops_on_its_own_is_a_failure_even_with_status_zero() -> None:
    code, _ = run_supervisor([python_child("sleeper", "import time; time.sleep(60)"), python_child("quits", "pass")])
    assert code == 1


def test_a_signal_is_forwarded_and_a_second_one_stops_at_once(tmp_path: Path) -> None:
    # The child ignores the graceful signal (as a busy worker would for a while) and stops on the quick one.
    ready = tmp_path / "ready"
    stubborn = python_child(
        "stubborn",
        "import pathlib, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"pathlib.Path({str(ready)!r}).touch(); time.sleep(60)",
    )

    def signal_twice() -> None:
        deadline = time.monotonic() + 20
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        # Only once the child ignores SIGTERM: until SIGINT it cannot stop, so neither can the supervisor.
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGINT)

    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    sender = threading.Thread(target=signal_twice)
    sender.start()
    code, lines = run_supervisor([stubborn])
    sender.join()
    assert code == 0  # a requested stop
    assert stubborn.returncode == -signal.SIGINT
    assert any("收到停止信号" in line for line in lines)
    assert any("立即停止" in line for line in lines)
    # The supervisor put the previous handlers back.
    assert {signum: signal.getsignal(signum) for signum in before} == before


# --- the real command -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(data_dir: Path) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if key not in CLEARED}
    environ["ZHENGWU_DATA_DIR"] = str(data_dir)
    return environ


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "data"
    result = subprocess.run(  # noqa: S603
        [str(ZHENGWU), "migrate", "--noinput"],
        env=child_env(path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return path


def process_tree(root: int) -> set[int]:
    """`root` and all its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def child_pid(self, name: str) -> int:
        match = re.search(rf"已启动 {name}（pid=(\d+)）", self.output())
        assert match, self.output()
        return int(match.group(1))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def wait_healthy(self) -> dict[str, object]:
        deadline = time.monotonic() + STARTUP_SECONDS
        last: object = None
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited early:\n{self.output()}"
            try:
                status, body = self.get("/healthz")
            except OSError as error:  # not listening yet
                last = error
            else:
                if status == 200:
                    return dict(json.loads(body))
                last = (status, body[:500])
            time.sleep(0.2)
        pytest.fail(f"/healthz not 200 within {STARTUP_SECONDS} s (last: {last!r}):\n{self.output()}")

    def wait_exit(self) -> int:
        try:
            return self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve did not stop within {STOP_SECONDS} s:\n{self.output()}")


@pytest.fixture
def server(data_dir: Path, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [str(ZHENGWU), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=child_env(data_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log)
    try:
        yield server
    finally:
        if process.poll() is None:  # a failed test: do not leave servers running
            tree = process_tree(process.pid)
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                for pid in tree:
                    if alive(pid):
                        os.kill(pid, signal.SIGKILL)
                process.wait()


def test_serve_answers_runs_tasks_and_stops_on_sigterm(server: Server, data_dir: Path) -> None:
    health = server.wait_healthy()
    assert health["status"] == "ok"
    assert health["queue"]["status"] == "ok", health  # type: ignore[index]
    assert health["queue"]["backend"] == "SqliteHuey"  # type: ignore[index]

    # The consumer started beside the web server takes a task off the queue and stores its result.
    huey = SqliteHuey("zhengwu", filename=str(data_dir / "huey.sqlite3"))
    ping = huey.task()(ping_task)
    assert ping("由 serve 的 consumer 执行").get(blocking=True, timeout=20) == "由 serve 的 consumer 执行"
    huey.storage.close()

    # A read of the machine API (refused: no token) is in the exchange access log, not in the access lines.
    assert server.get("/api/v1/exchange/101001/001/records/11010519491231002X")[0] == 401

    web, consumer = server.child_pid("granian"), server.child_pid("huey")
    assert os.getpriority(os.PRIO_PROCESS, consumer) - os.getpriority(os.PRIO_PROCESS, web) == CONSUMER_NICE
    tree = process_tree(server.process.pid)
    assert {web, consumer} < tree
    assert len(tree) >= 4  # serve, granian's main process, a granian worker, the consumer

    server.process.send_signal(signal.SIGTERM)
    assert server.wait_exit() == 0, server.output()
    assert not [pid for pid in tree if alive(pid)], server.output()

    output = server.output()
    assert '"GET /healthz HTTP/1.1" 200' in output  # the access log goes to stdout
    assert '"GET /api/v1/exchange/' not in output  # (Django still warns of the 401)
    assert "Unauthorized: /api/v1/exchange/" in output
    assert "收到停止信号" in output


def test_serve_stops_when_the_consumer_dies(server: Server) -> None:
    server.wait_healthy()
    consumer = server.child_pid("huey")
    tree = process_tree(server.process.pid)

    os.kill(consumer, signal.SIGKILL)
    code = server.wait_exit()

    assert code != 0, server.output()
    assert not [pid for pid in tree if alive(pid)], server.output()
    assert "huey" in server.output()
    assert "意外退出" in server.output()


def recording(statuses: list[str]) -> Any:
    """A WSGI start_response that keeps the statuses it is given."""

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        statuses.append(status)
        return lambda data: None

    return start_response


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.mark.django_db
def test_access_lines_for_everything_but_the_machine_api_reads() -> None:
    from zhengwu.wsgi import access_line, access_logger, application

    def environ(method: str, path: str, query: str = "") -> dict[str, object]:
        return {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "10.1.2.3",
            "HTTP_USER_AGENT": "curl/8",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": io.StringIO(),
        }

    requests = [
        ("GET", "/api/v1/exchange/101001/001/records/k", ""),
        ("GET", "/api/v1/exchange/101001/001/changes", ""),
        ("POST", "/api/v1/exchange/101001/001/records:upsert", ""),
        ("GET", "/api/v1/catalog/resources", "q=%E6%88%B7%E7%B1%8D"),
        ("GET", "/healthz", ""),
    ]
    statuses: list[str] = []
    handler = Lines()
    access_logger.addHandler(handler)
    # As Django's test client does: the request signals would close the test transaction's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        for method, path, query in requests:
            b"".join(application(environ(method, path, query), recording(statuses)))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        access_logger.removeHandler(handler)
    lines = handler.lines
    assert len(statuses) == 5
    assert [line.split('"')[1] for line in lines] == [
        "POST /api/v1/exchange/101001/001/records:upsert HTTP/1.1",
        "GET /api/v1/catalog/resources?q=%E6%88%B7%E7%B1%8D HTTP/1.1",
        "GET /healthz HTTP/1.1",
    ]
    status, length = lines[-1].split('"')[2].split()
    assert status == statuses[-1].split()[0] == "200"
    assert lines[-1].startswith("10.1.2.3 - - [")
    assert lines[-1].endswith('"-" "curl/8" ' + lines[-1].rsplit(" ", 1)[1]) and lines[-1].endswith("ms")
    assert int(length) > 0

    # A path is written as the client sent it (PATH_INFO holds its bytes as latin-1).
    path = "/政务/a b".encode().decode("latin-1")
    line = access_line({**environ("GET", path), "HTTP_REFERER": "http://x/"}, "404", "-", 1.25)
    assert '"GET /%E6%94%BF%E5%8A%A1/a%20b HTTP/1.1" 404 - "http://x/" "curl/8" 1.2ms' in line


def test_the_process_environment_does_not_reach_request_meta(monkeypatch: pytest.MonkeyPatch) -> None:
    from zhengwu.wsgi import Application

    monkeypatch.setenv("ZHENGWU_TEST_DATABASE_URL", "postgres://zhengwu:secret@db/zhengwu")
    monkeypatch.setenv("CONTENT_TYPE", "text/x-from-the-environment")
    app = Application()
    seen: dict[str, object] = {}

    def site(environ: dict[str, object], start_response: Any) -> list[bytes]:
        seen.update(environ)
        start_response("204 No Content", [])
        return []

    app.site = site  # type: ignore[assignment]
    # As granian builds it: a copy of the process environment, the request's keys over it.
    environ: dict[str, Any] = {**os.environ, "REQUEST_METHOD": "POST", "PATH_INFO": "/"}
    environ |= {"CONTENT_TYPE": "application/json", "HTTP_X_PURPOSE": "z", "wsgi.input": io.BytesIO()}
    app(environ, recording([]))
    assert "ZHENGWU_TEST_DATABASE_URL" not in seen
    assert "PATH" not in seen and "HOME" not in seen
    assert seen["CONTENT_TYPE"] == "application/json"  # the request's own keys stay
    assert seen["HTTP_X_PURPOSE"] == "z" and seen["REQUEST_METHOD"] == "POST"
