"""The remote copy drill on PostgreSQL: streaming replication to a standby, then its promotion.

Two clusters of its own on this machine (initdb in a temporary directory, run as the `postgres`
user): the primary stands for the province's data centre, the standby for the remote site. The
platform is migrated and written to on the primary; the standby follows by streaming replication;
it is promoted and the platform runs on it with the same data."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from zhengwu.ops.tests.drill import READ_BACK, environment, seeded, zw

BIN = Path("/usr/lib/postgresql/15/bin")


def _available() -> bool:
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return os.geteuid() == 0 and (BIN / "initdb").exists() and shutil.which("runuser") is not None


pytestmark = pytest.mark.skipif(not _available(), reason="needs PostgreSQL 15's server binaries, root and runuser")


def as_postgres(*argv: str) -> str:
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    result = subprocess.run(  # noqa: S603 - fixed binaries and our own temporary paths
        [runuser, "-u", "postgres", "--", *argv], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"{argv[0]}: {result.stdout}\n{result.stderr}"
    return result.stdout


def psql(port: int, sql: str, database: str = "postgres") -> str:
    return as_postgres(
        str(BIN.parent / "bin" / "psql") if (BIN / "psql").exists() else "psql",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-U",
        "postgres",
        "-d",
        database,
        "-Atc",
        sql,
    ).strip()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def clusters() -> Iterator[tuple[int, int, Path]]:
    # Not under pytest's tmp_path: the postgres user cannot enter root's private directories.
    root = Path(tempfile.mkdtemp(prefix="zw-replica-drill-"))
    root.chmod(0o755)
    shutil.chown(root, "postgres", "postgres")
    primary = root / "primary"
    p_port, s_port = free_port(), free_port()
    as_postgres(
        str(BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"
    )
    with (primary / "pg_hba.conf").open("a") as hba:
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    options = f"-p {p_port} -k {root} -c listen_addresses=127.0.0.1"
    as_postgres(str(BIN / "pg_ctl"), "-D", str(primary), "-o", options, "-l", str(root / "primary.log"), "-w", "start")
    started = [primary]
    try:
        psql(p_port, "CREATE DATABASE zhengwu")
        yield p_port, s_port, root
    finally:
        for data in [*started, root / "standby"]:
            if (data / "postmaster.pid").exists():
                as_postgres(str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_standby_follows_and_takes_over(clusters: tuple[int, int, Path], tmp_path: Path) -> None:
    p_port, s_port, root = clusters
    site = environment(tmp_path / "site", f"postgres://postgres@127.0.0.1:{p_port}/zhengwu")
    zw(site, "migrate", "--noinput", "-v", "0")
    seeded(site, 1)

    standby = root / "standby"
    as_postgres(
        str(BIN / "pg_basebackup"),
        "-h",
        "127.0.0.1",
        "-p",
        str(p_port),
        "-U",
        "postgres",
        "-D",
        str(standby),
        "-R",
        "-X",
        "stream",
        "--checkpoint=fast",
    )
    options = f"-p {s_port} -k {root} -c listen_addresses=127.0.0.1"
    as_postgres(str(BIN / "pg_ctl"), "-D", str(standby), "-o", options, "-l", str(root / "standby.log"), "-w", "start")
    assert psql(s_port, "SELECT pg_is_in_recovery()") == "t"

    seeded(site, 2)  # written on the primary after the standby was made
    written = time.monotonic()
    while psql(s_port, "SELECT count(*) FROM accounts_user", "zhengwu") != "2":
        assert time.monotonic() - written < 30, "the standby did not receive the write within 30 s"
        time.sleep(0.05)
    lag = time.monotonic() - written
    print(f"recovery point: the write was on the standby after {lag * 1000:.0f} ms")

    # The primary is lost; the remote site promotes its standby and serves from it.
    as_postgres(str(BIN / "pg_ctl"), "-D", str(root / "primary"), "-m", "immediate", "-w", "stop")
    lost = time.monotonic()
    as_postgres(str(BIN / "pg_ctl"), "-D", str(standby), "-w", "promote")
    remote = {**site, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{s_port}/zhengwu"}
    assert zw(remote, "check").returncode == 0  # the same data key: the site's keys travel by backup
    print(f"recovery time: the standby served again {time.monotonic() - lost:.1f} s after the primary was lost")
    assert "审计日志完整" in zw(remote, "audit", "verify").stdout
    assert zw(remote, "shell", "-c", READ_BACK).stdout.strip().splitlines()[-1] == "110105198001010016"
    seeded(remote, 3)  # and it takes writes
    assert psql(s_port, "SELECT count(*) FROM accounts_user", "zhengwu") == "3"
