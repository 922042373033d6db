"""Many nodes, proven: two app nodes and two Huey workers on one PostgreSQL database and one Redis.

The platform is driven only as a province drives it: through HTTP (the portal and workbench forms
with CSRF and logged-in sessions, staff with password + TOTP; the exchange API with a Bearer
token) and through `zhengwu` commands. Nothing of the apps is imported, so the test holds
whatever the apps' services look like inside.

Set-up: a database of its own (`zw_nodes_<random>`, dropped at the end), `migrate` and
`demo --enterprises 200`; node A and node B (`zhengwu serve --no-worker --workers 1`), each with its
own data directory holding the SAME `data_key` and `secret_key`; worker 1 (`run_huey`, the one
that schedules the periodic tasks) and worker 2 (`run_huey --no-periodic`) on a Huey queue of the
test's own (`nodes_settings.py`). All traffic goes to 127.0.0.1; every loop is bounded in count
and time; every process is stopped in a `finally`.

Concurrent writes through both nodes: letters (市长信箱) and disclosure requests by citizens,
keyed lookups with the demo API token (each one an access-log entry, sealed by the worker),
claims of the same case task by two clerks of one department on different nodes, publications
(通知公告) by clerks, an upsert load by the data officer, and test jobs enqueued on Huey.

Checks: `zhengwu audit verify` (audit chain and access-log chain); letter, request, publication
and case numbers unique; each claimed task has one winner and one claim event; every Huey job ran
exactly once, periodic ticks included (one per minute over both workers); no access-log row stays
unsealed; a publication made through one node is on the home page served (from its page cache)
by the other node within seconds.

Runs in the PostgreSQL pass of `make test` (`DATABASE_URL=postgres://…`, Redis on 127.0.0.1:6379);
skipped elsewhere. About three minutes on a busy 2-core machine, most of it `migrate` and `demo`.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import hmac
import http.cookiejar
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest

HOST = "127.0.0.1"
PG_PORT, REDIS_PORT = 5432, 6379
PG_ADMIN = f"postgres://postgres@{HOST}:{PG_PORT}/postgres"
PASSWORD = "Zhengwu@2026demo"  # the demo's published password (README)
PURPOSE = "案件协查"  # the demo grant's purpose (README, "Data sharing")
LEGAL = "102001/001"  # 法人单位基本信息, granted to 省公安厅's demo client
PER_NODE = 20  # letters and lookups through each node
REQUESTS_PER_NODE = 5  # disclosure requests through each node
PUBLICATIONS_PER_NODE = 3
JOBS = 40  # test jobs on the Huey queue
CLAIM_DEPARTMENTS = ("zjt", "yjt")  # 住建厅, 应急管理厅: the demo leaves their parallel-review tasks live
START_TIMEOUT = 120.0
HTTP_TIMEOUT = 60.0
# A periodic sealing tick scheduled (by the worker that schedules): its minute, its job id.
TICK = (
    r"\[(\d{4}-\d\d-\d\d \d\d:\d\d):\d\d,\d+\] INFO:huey\.consumer\.Scheduler:.*?"
    r"periodic task zhengwu\.exchange\.(?:sharing\.)?tasks\.access_log_seal: ([0-9a-f-]{36})"
)
WINNER = "SELECT u.username FROM eservices_casetask t JOIN accounts_user u ON u.id = t.claimed_by_id WHERE t.id = %s"
CLAIM_EVENTS = (
    "SELECT count(*) FROM audit_auditevent WHERE action = 'eservices.task_claim' AND target_id = %s "
    "AND outcome = 'success'"
)


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2):
            return True
    except OSError:
        return False


def _skip_reason() -> str | None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "runs in the PostgreSQL pass (DATABASE_URL=postgres://…, as `make unit-pg`)"
    if not _reachable(PG_PORT):
        return f"PostgreSQL not reachable on {HOST}:{PG_PORT}"
    if not _reachable(REDIS_PORT):
        return f"Redis not reachable on {HOST}:{REDIS_PORT}"
    return None


pytestmark = [pytest.mark.redis, pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))]


# --- a small HTTP client: cookies, CSRF, no redirects followed -----------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Session:
    """One browser: its own cookies, talking to one node."""

    def __init__(self, base: str) -> None:
        assert base.startswith(f"http://{HOST}:")  # traffic to this machine only
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )

    def request(
        self, method: str, path: str, data: dict[str, str] | bytes | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        sent = dict(headers or {})
        body: bytes | None = None
        if isinstance(data, dict):
            body = urllib.parse.urlencode(data).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif data is not None:
            body = data
        if body is not None:
            sent["Referer"] = self.base + path
        request = urllib.request.Request(self.base + path, data=body, headers=sent, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=HTTP_TIMEOUT) as response:
                return Answer(response.status, _lower(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, _lower(error.headers), error.read().decode())

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, data: dict[str, str], page: str | None = None) -> Answer:
        """GET the form (for its CSRF token), then POST it."""
        form = self.get(page or path)
        assert form.status == 200, f"GET {page or path} → {form.status}"
        return self.request("POST", path, {"csrfmiddlewaretoken": csrf(form.text), **data})

    def post_multipart(self, path: str, fields: dict[str, str], name: str, filename: str, content: bytes) -> Answer:
        form = self.get(path)
        assert form.status == 200, f"GET {path} → {form.status}"
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in {"csrfmiddlewaretoken": csrf(form.text), **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, b"".join(parts), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


def _lower(headers: Any) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), what an authenticator app shows."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def login(base: str, username: str) -> Session:
    """Password; for staff also the TOTP enrolment of first login (the secret is shown beside the QR code)."""
    session = Session(base)
    answer = session.post_form("/accounts/login/", {"username": username, "password": PASSWORD})
    assert answer.status == 302, f"{username}: login → {answer.status}"
    if answer.location.startswith("/accounts/otp/enrol/"):
        page = session.get(answer.location)
        secret = re.search(r"\b([A-Z2-7]{32})\b", page.text)
        assert secret, f"{username}: no TOTP secret on the enrolment page"
        done = session.request(
            "POST", answer.location, {"csrfmiddlewaretoken": csrf(page.text), "token": totp(secret.group(1))}
        )
        assert done.status == 302 and not done.location.startswith("/accounts/"), f"{username}: TOTP enrolment failed"
    return session


# --- the site: database, data directories, processes ---------------------------------------------


@dataclass
class Site:
    root: Path
    database_url: str
    queue: str
    nodes: list[str] = field(default_factory=list)
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def env(self, data_dir: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHENGWU_", "DATABASE_URL", "REDIS_URL"))}
        env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=f"redis://{HOST}:{REDIS_PORT}/0",
            ZHENGWU_DATA_DIR=str(data_dir),
            ZHENGWU_TEST_QUEUE=self.queue,
            ZHENGWU_PAGE_CACHE_SECONDS="30",
            DJANGO_SETTINGS_MODULE="zhengwu.tests.nodes_settings",
        )
        return env

    def zw(self, *args: str, data_dir: Path | None = None, timeout: float = 600) -> str:
        result = subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "-m", "zhengwu.cli", *args],
            env=self.env(data_dir or self.root / "a"),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, (
            f"zhengwu {' '.join(args)} → {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
        return result.stdout

    def start(self, name: str, data_dir: Path, *args: str) -> None:
        log = (self.root / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "zhengwu.cli", *args],
            env=self.env(data_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: granian's workers stop with it
        )
        self.processes.append((name, process))

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for _, process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for _, process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def sql(url: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
        cursor = connection.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_healthy(site: Site, base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        with contextlib.suppress(OSError, AssertionError):
            if Session(base).get("/healthz").status == 200:
                return
        for name, process in site.processes:
            assert process.poll() is None, f"{name} exited ({process.returncode}):\n{site.log(name)[-3000:]}"
        assert time.monotonic() < deadline, f"{base} not healthy within {START_TIMEOUT:.0f} s"
        time.sleep(0.5)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    name = f"zw_nodes_{secrets.token_hex(4)}"
    queue = f"zhengwunodes{secrets.token_hex(4)}"  # letters and digits: Huey keys its Redis data by it as is
    sql(PG_ADMIN, f'CREATE DATABASE "{name}"')
    site = Site(root=tmp_path, database_url=f"postgres://postgres@{HOST}:{PG_PORT}/{name}", queue=queue)
    try:
        yield site
    finally:
        site.stop_all()
        for log in sorted(tmp_path.glob("*.log")):  # shown by pytest when the test failed
            text = log.read_text(errors="replace")
            for start in [m.start() for m in re.finditer("Traceback", text)][:3]:
                print(f"--- {log.name}:\n{text[start : start + 4000]}")
        sql(PG_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        import redis

        client = redis.Redis(host=HOST, port=REDIS_PORT, db=0)
        for key in list(client.scan_iter(match=f"huey.*{queue}*", count=1000))[:10_000]:
            client.delete(key)
        client.close()


# --- what the citizens, clerks and systems do ----------------------------------------------------


def write_letters(base: str, citizen: str, count: int) -> list[str]:
    session = login(base, citizen)
    numbers = []
    for n in range(count):
        answer = session.post_form(
            "/participation/letters/write/",
            {
                "channel": "mayor",
                "kind": "suggest",
                "title": f"两节点测试来信 {citizen} {n}",
                "content": f"建议在社区增设便民服务点（{citizen} 第 {n} 封，经 {base}）。",
                "writer_address": "长春市朝阳区人民大街 1 号",
            },
        )
        assert answer.status == 302 and answer.location.endswith("/letters/receipt/"), f"letter → {answer.status}"
        receipt = session.get(answer.location)
        found = re.search(r"XJ\d{14}", receipt.text)
        assert found, "no letter number on the receipt"
        numbers.append(found.group(0))
    return numbers


def file_requests(base: str, citizen: str, count: int) -> int:
    session = login(base, citizen)
    page = session.get("/disclosure/requests/new/").text
    department = re.search(r'<select name="department"[^>]*>.*?<option value="(\d+)"', page, re.S)
    delivery = re.search(r'<select name="delivery"[^>]*>.*?<option value="([^"]+)"', page, re.S)
    assert department and delivery, "the request form has no departments or delivery choices"
    for n in range(count):
        answer = session.post_form(
            "/disclosure/requests/new/",
            {
                "department": department.group(1),
                "applicant_kind": "citizen",
                "applicant_name": f"申请人{citizen}",
                "phone": "13900000000",
                "description": f"2026 年度食品安全抽检结果（{citizen} 第 {n} 件）",
                "delivery": delivery.group(1),
            },
        )
        assert answer.status == 302 and re.search(r"/disclosure/requests/\d+/$", answer.location), (
            f"request → {answer.status}"
        )
    return count


def lookups(base: str, token: str, keys: list[str]) -> list[int]:
    session = Session(base)
    headers = {"Authorization": f"Bearer {token}", "X-Purpose": urllib.parse.quote(PURPOSE)}
    return [session.get(f"/api/v1/exchange/{LEGAL}/records/{key}", headers=headers).status for key in keys]


def live_tasks(session: Session) -> list[int]:
    """The live tasks on a clerk's to-do list (工作台 → 待办任务)."""
    page = session.get("/workbench/eservices/tasks/").text
    return sorted({int(pk) for pk in re.findall(r"/workbench/eservices/tasks/(\d+)/", page)})


def claim_all(session: Session, tasks: list[int], barriers: dict[int, threading.Barrier]) -> list[int]:
    """Claim each task at the same moment as the other clerk (a barrier per task)."""
    statuses = []
    for task in tasks:
        page = session.get(f"/workbench/eservices/tasks/{task}/")
        token = csrf(page.text)
        barriers[task].wait(timeout=60)
        answer = session.request("POST", f"/workbench/eservices/tasks/{task}/claim/", {"csrfmiddlewaretoken": token})
        statuses.append(answer.status)
    return statuses


def publish(session: Session, title: str) -> int:
    answer = session.post_form(
        "/workbench/disclosure/publications/new/",
        {
            "title": title,
            "category": "notice",
            "date_written": date.today().isoformat(),
            "validity": "valid",
            "body": f"{title}。特此公告。",
        },
    )
    made = re.search(r"/workbench/disclosure/publications/(\d+)/$", answer.location)
    assert answer.status == 302 and made, f"publication → {answer.status}"
    pk = int(made.group(1))
    page = session.get(f"/workbench/disclosure/publications/{pk}/")
    done = session.request(
        "POST", f"/workbench/disclosure/publications/{pk}/publish/", {"csrfmiddlewaretoken": csrf(page.text)}
    )
    assert done.status == 302
    return pk


def publish_all(session: Session, titles: list[str]) -> list[int]:
    return [publish(session, title) for title in titles]


def on_page(session: Session, path: str, text: str) -> bool:
    return text in session.get(path).text


def upsert_load(base: str, records: list[dict[str, Any]]) -> str:
    """The data officer uploads an upsert file (workbench → 数据加载) through one node."""
    session = login(base, "scjgt.data")
    listing = session.get("/workbench/exchange/data/").text
    upload = None
    for row in re.findall(r"<tr.*?</tr>", listing, re.S):
        if LEGAL in row:
            upload = re.search(r"/workbench/exchange/data/upload/(\d+)/", row)
            break
    assert upload, "the data officer's page has no upload link for the 法人 resource"
    out = io.StringIO()
    columns = [k for k in records[0] if not k.startswith("_")]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)
    answer = session.post_multipart(
        upload.group(0), {"mode": "upsert"}, "file", "nodes.csv", out.getvalue().encode("utf-8")
    )
    assert answer.status == 302 and "/jobs/" in answer.location, f"upload → {answer.status}: {answer.text[-500:]}"
    return answer.location


def run_concurrently(work: list[tuple[str, Callable[[], Any]]]) -> dict[str, list[Any]]:
    """Every client in a thread of its own, all at once; their results by kind."""
    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        futures = [(kind, pool.submit(job)) for kind, job in work]
        results: dict[str, list[Any]] = {}
        for kind, future in futures:
            results.setdefault(kind, []).append(future.result(timeout=600))
        return results


def poll(what: str, check: Callable[[], bool], seconds: float) -> float:
    """Seconds until `check()` held; fails after `seconds`."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"{what}: not within {seconds:.0f} s"
        time.sleep(0.2)
    return time.monotonic() - started


# --- the test --------------------------------------------------------------------------------------


def test_two_nodes_two_workers_one_database(site: Site) -> None:
    a_dir, b_dir = site.root / "a", site.root / "b"
    started = time.monotonic()
    site.zw("migrate", "--noinput", "-v", "0")
    site.zw("demo", "--enterprises", "200")
    print(f"migrate + demo: {time.monotonic() - started:.0f} s")
    b_dir.mkdir()
    for secret in ("data_key", "secret_key", "demo_api_token"):  # the site's keys travel to every node
        shutil.copy2(a_dir / secret, b_dir / secret)
    token = (a_dir / "demo_api_token").read_text().strip()

    ports = free_port(), free_port()
    site.nodes = [f"http://{HOST}:{port}" for port in ports]
    for name, data_dir, port in (("node-a", a_dir, ports[0]), ("node-b", b_dir, ports[1])):
        site.start(name, data_dir, "serve", "--no-worker", "--host", HOST, "--port", str(port), "--workers", "1")
    # One worker schedules the periodic tasks; the other only works (docs/scaling.md).
    site.start("worker-1", a_dir, "run_huey")
    site.start("worker-2", b_dir, "run_huey", "--no-periodic")
    for base in site.nodes:
        wait_healthy(site, base)
    node_a, node_b = site.nodes
    db = site.database_url

    # What the concurrent phase needs: keys to look up, the live tasks, the staff sessions.
    feed = Session(node_a).get(
        f"/api/v1/exchange/{LEGAL}/changes?limit={PER_NODE * 2}",
        headers={"Authorization": f"Bearer {token}", "X-Purpose": urllib.parse.quote(PURPOSE)},
    )
    assert feed.status == 200, feed.text[:300]

    records = json.loads(feed.text)["changes"]
    keys = [r["credit_code"] for r in records]
    assert len(keys) == PER_NODE * 2
    # Two clerks of one department (its .clerk and its .leader, who also has the clerk's role).
    clerks: dict[tuple[str, str], Session] = {}
    for dept in CLAIM_DEPARTMENTS:
        clerks[dept, "a"] = login(node_a, f"{dept}.clerk")
        clerks[dept, "b"] = login(node_b, f"{dept}.leader")
    tasks = {dept: live_tasks(clerks[dept, "a"]) for dept in CLAIM_DEPARTMENTS}
    assert all(tasks.values()), f"the demo left no live tasks to claim: {tasks}"
    barriers = {t: threading.Barrier(2) for ts in tasks.values() for t in ts}
    publishers = {"a": login(node_a, "scjgt.clerk"), "b": login(node_b, "gat.clerk")}
    before = {
        "letters": sql(db, "SELECT count(*) FROM participation_letter")[0][0],
        "requests": sql(db, "SELECT count(*) FROM disclosure_disclosurerequest")[0][0],
        "access": sql(db, "SELECT count(*) FROM exchange_accesslog")[0][0],
    }
    changed = [{**r, "registered_capital": str(int(r["registered_capital"]) + 1)} for r in records[:5]]

    enqueue = (
        "from zhengwu.core.tasks import ping_task\n"
        f"print(' '.join(ping_task('两节点-%d' % n).id for n in range({JOBS})))"
    )
    work: list[tuple[str, Callable[[], Any]]] = []
    for i, base in enumerate(site.nodes):
        citizens = [f"citizen{n:02d}" for n in range(1 + i * 10, 11 + i * 10)]
        work += [("letters", partial(write_letters, base, c, PER_NODE // 10)) for c in citizens]
        work += [("requests", partial(file_requests, base, citizens[0], REQUESTS_PER_NODE))]
        half = keys[i * PER_NODE : (i + 1) * PER_NODE]
        work += [("lookups", partial(lookups, base, token, k)) for k in (half[:10], half[10:])]
    for dept in CLAIM_DEPARTMENTS:
        work += [("claims", partial(claim_all, clerks[dept, side], tasks[dept], barriers)) for side in "ab"]
    for side, session in publishers.items():
        titles = [f"两节点测试公告 {side}{n}" for n in range(PUBLICATIONS_PER_NODE)]
        work.append(("publications", partial(publish_all, session, titles)))
    work.append(("load", partial(upsert_load, node_a, changed)))
    work.append(("jobs", partial(site.zw, "shell", "--no-imports", "-c", enqueue)))
    phase = time.monotonic()
    results = run_concurrently(work)
    print(f"concurrent phase: {len(work)} clients, {time.monotonic() - phase:.1f} s")
    job_ids: list[str] = results["jobs"][0].strip().splitlines()[-1].split()
    letters = [n for numbers in results["letters"] for n in numbers]

    # Numbers: every letter, request, publication and case number once.
    assert len(letters) == PER_NODE * 2 and len(set(letters)) == len(letters)
    assert sql(db, "SELECT count(*) FROM participation_letter")[0][0] == before["letters"] + PER_NODE * 2
    assert (
        sql(db, "SELECT count(*) FROM disclosure_disclosurerequest")[0][0] == before["requests"] + 2 * REQUESTS_PER_NODE
    )
    for table, column in (
        ("participation_letter", "number"),
        ("disclosure_disclosurerequest", "number"),
        ("disclosure_publication", "index_number"),
        ("eservices_application", "number"),
    ):
        query = f"SELECT {column}, count(*) FROM {table} WHERE {column} <> '' GROUP BY 1 HAVING count(*) > 1"  # noqa: S608
        duplicated = sql(db, query)
        assert duplicated == [], f"{table}.{column} not unique: {duplicated}"
    published = sql(
        db, "SELECT count(*) FROM disclosure_publication WHERE title LIKE '两节点测试公告%%' AND index_number <> ''"
    )
    assert published[0][0] == 2 * PUBLICATIONS_PER_NODE

    # Claims: one winner per task, one claim event per task, the loser told who holds it.
    assert all(s == 302 for statuses in results["claims"] for s in statuses), results["claims"]
    for dept, ids in tasks.items():
        for task in ids:
            winner = sql(db, WINNER, (task,))
            assert len(winner) == 1 and winner[0][0] in (f"{dept}.clerk", f"{dept}.leader"), (task, winner)
            events = sql(db, CLAIM_EVENTS, (str(task),))
            assert events[0][0] == 1, f"task {task}: {events[0][0]} successful claim events"

    # Lookups: every one answered; the upsert load is visible through the other node.
    lookup_statuses = Counter(s for statuses in results["lookups"] for s in statuses)
    assert lookup_statuses == {200: PER_NODE * 2}, lookup_statuses
    changed_one = lookups(node_b, token, [changed[0]["credit_code"]])
    assert changed_one == [200]
    capital = json.loads(
        Session(node_b)
        .get(
            f"/api/v1/exchange/{LEGAL}/records/{changed[0]['credit_code']}",
            headers={"Authorization": f"Bearer {token}", "X-Purpose": urllib.parse.quote(PURPOSE)},
        )
        .text
    )["record"]["registered_capital"]
    assert str(capital) == changed[0]["registered_capital"]

    # The public page cache renews on both nodes: a publication through one node is on the
    # other node's home page (served from its cache until the audit head moved) within seconds.
    for writer, reader, side in ((publishers["a"], node_b, "A→B"), (publishers["b"], node_a, "B→A")):
        visitor = Session(reader)
        visitor.get("/")
        assert visitor.get("/").headers.get("x-page-cache") == "hit"  # cached before the write
        title = f"两节点缓存测试 {side} {secrets.token_hex(3)}"
        publish(writer, title)
        seconds = poll(f"{title} on {reader}'s home page", partial(on_page, visitor, "/", title), 10)
        print(f"page cache {side}: the publication was on the other node's home page after {seconds:.2f} s")

    # Huey: every job once, over both workers; sealing leaves nothing staged; one tick per minute.
    assert len(job_ids) == JOBS

    def executed() -> Counter[str]:
        logs = site.log("worker-1") + site.log("worker-2")
        return Counter(re.findall(r"Executing zhengwu\.core\.tasks\.ping_task: ([0-9a-f-]{36})", logs))

    poll("the test jobs", lambda: sum(executed()[j] > 0 for j in job_ids) == JOBS, 60)
    time.sleep(1)
    ran = executed()
    assert all(ran[j] == 1 for j in job_ids), {j: ran[j] for j in job_ids if ran[j] != 1}
    shares = [site.log(worker).count("Executing zhengwu.core.tasks.ping_task") for worker in ("worker-1", "worker-2")]
    print(f"jobs: worker-1 ran {shares[0]}, worker-2 {shares[1]}")
    poll(
        "the access log sealed by the worker",
        lambda: (
            sql(db, "SELECT count(*) FROM exchange_accesslogpending")[0][0] == 0
            and sql(db, "SELECT count(*) FROM exchange_accesslog")[0][0] >= before["access"] + PER_NODE * 2
        ),
        90,
    )
    logs = site.log("worker-1") + site.log("worker-2")
    ticks = re.findall(TICK, logs)
    assert ticks, "no periodic sealing tick was scheduled"
    per_minute = Counter(minute for minute, _ in ticks)
    assert max(per_minute.values()) == 1, f"periodic ticks scheduled more than once a minute: {per_minute}"
    runs = Counter(
        re.findall(r"Executing zhengwu\.exchange\.(?:sharing\.)?tasks\.access_log_seal: ([0-9a-f-]{36})", logs)
    )
    assert all(runs[tick_id] <= 1 for _, tick_id in ticks), runs

    # Both chains verify: the audit log written by both nodes, the access log sealed by the worker.
    verified = site.zw("audit", "verify", data_dir=b_dir)
    assert "审计日志完整" in verified, verified
    for name, process in site.processes:
        assert process.poll() is None, f"{name} died:\n{site.log(name)[-2000:]}"
