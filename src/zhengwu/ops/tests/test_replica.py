"""The remote copy (异地备份) drill on SQLite: `zhengwu serve` replicates with Litestream to a
directory standing in for the remote site; a write reaches it; the remote site rebuilds the
database from it and serves the same data (the promotion)."""

from __future__ import annotations

import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zhengwu.ops.tests.drill import READ_BACK, environment, seeded, sqlite_tables, zw


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def replica_has(env: dict[str, str], remote: Path, tmp_path: Path, users: int, timeout: float = 60) -> float:
    """Seconds until a database rebuilt from the replica holds `users` users."""
    started = time.monotonic()
    attempt = 0
    while time.monotonic() - started < timeout:
        attempt += 1
        target = tmp_path / f"probe{attempt}.sqlite3"
        restored = zw(env, "replica", "restore", "--to", str(target), "--from", f"file://{remote}", check=False)
        if restored.returncode == 0:
            with sqlite3.connect(target) as db:
                if db.execute("SELECT count(*) FROM accounts_user").fetchone()[0] >= users:
                    return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"the replica did not reach {users} users within {timeout} s")


def test_serve_replicates_and_the_remote_site_takes_over(tmp_path: Path) -> None:
    site_dir, remote = tmp_path / "site", tmp_path / "remote"
    env = environment(site_dir)
    zw(env, "migrate", "--noinput", "-v", "0")
    seeded(env, 1)
    env.update(ZHENGWU_REPLICA_URL=f"file://{remote}", ZHENGWU_REPLICA_SYNC_SECONDS="1")
    assert f"url: file://{remote}" in zw(env, "replica", "config").stdout

    serve = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "zhengwu.cli", "serve", "--no-worker", "--port", str(free_port()), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        replica_has(env, remote, tmp_path, users=1)
        seeded(env, 2)  # a write while serving
        lag = replica_has(env, remote, tmp_path, users=2)
        print(f"recovery point: the write was in the replica after {lag:.1f} s")
    finally:
        serve.send_signal(signal.SIGTERM)
        output, _ = serve.communicate(timeout=60)
    assert serve.returncode == 0, output
    assert "litestream" in output

    # The remote site: keys from the backup (here: copied), the database from the replica.
    dr_dir = tmp_path / "dr"
    dr_dir.mkdir()
    for key in ("data_key", "secret_key"):
        shutil.copy(site_dir / key, dr_dir / key)
    dr = environment(dr_dir)
    zw(dr, "replica", "restore", "--to", str(dr_dir / "zhengwu.sqlite3"), "--from", f"file://{remote}")
    assert zw(dr, "check").returncode == 0
    assert "审计日志完整" in zw(dr, "audit", "verify").stdout
    assert zw(dr, "shell", "-c", READ_BACK).stdout.strip().splitlines()[-1] == "110105198001010016"
    site, restored = sqlite_tables(site_dir / "zhengwu.sqlite3"), sqlite_tables(dr_dir / "zhengwu.sqlite3")
    differing = sorted(t for t in site if site[t] != restored.get(t) and not t.startswith("audit_"))
    assert differing == []  # the audit log differs only by the `audit verify` run recorded at the remote site


def test_a_bad_replica_url_stops_serve_with_a_message(tmp_path: Path) -> None:
    env = environment(tmp_path / "site")
    env["ZHENGWU_REPLICA_URL"] = "ftp://example/zhengwu"
    result = zw(env, "serve", "--port", str(free_port()), check=False)
    assert result.returncode != 0 and "协议 ftp 不受支持" in result.stderr


def test_restore_refuses_an_existing_file(tmp_path: Path) -> None:
    env = environment(tmp_path / "site")
    (tmp_path / "exists.sqlite3").write_bytes(b"")
    result = zw(
        env, "replica", "restore", "--to", str(tmp_path / "exists.sqlite3"), "--from", "file:///nowhere", check=False
    )
    assert result.returncode != 0 and "已存在" in result.stderr


@pytest.fixture(autouse=True)
def _litestream_installed() -> None:
    from zhengwu.core.replica import binary

    binary()  # a missing binary is an install failure, not a skip
