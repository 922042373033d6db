"""Backup and restore of one zhengwu installation (docs/deployment.md, "Backup and restore").

A backup is a directory:

    manifest.json      what is in it: every file with its size and SM3 digest, the database vendor,
                       the data key's fingerprint, the audit chain's head; an SM3-HMAC under a key
                       derived from the operator's passphrase seals it
    keys.enc           the keys (data key and keyring, Django secret, platform signing keys), SM4-GCM under a key
                       derived from the passphrase (scrypt)
    database.sqlite3   SQLite: a consistent copy made with SQLite's online backup API while serving
    database.pgdump    PostgreSQL: `pg_dump --format=custom` (one snapshot transaction)
    huey.sqlite3       the job queue, when it is SqliteHuey (RedisHuey keeps its own persistence)
    files/media/…      uploaded files;  files/witness/… the audit anchors written outside the database

Why our own few hundred lines rather than django-dbbackup: the database part *is* the maintained
tools (SQLite's backup API, pg_dump/pg_restore); what dbbackup would add — file naming, storage
back-ends, GPG encryption — is not what a 等保 backup needs here: the keys must travel with the
data but encrypted with national algorithms (SM4/SM3, no GPG binary), the manifest must prove
every file, and the witness anchors must come along so `audit verify` passes after a restore.
Continuous copies to a remote site are a replication tool's work (Litestream, PostgreSQL
streaming replication), not a backup's: see docs/deployment.md.

A backup is written into `<dir>.partial` and renamed when complete, so a crash half-way never
leaves something that looks like a good backup.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connections
from django.utils import timezone

from zhengwu.core.crypto import (
    CURRENT_FILE,
    FIRST_FILE,
    constant_time_equal,
    data_keyring,
    forget_keyring,
    keyring_dir,
    sm3_hmac_hex,
    sm4_decrypt,
    sm4_encrypt,
)
from zhengwu.core.env import write_private
from zhengwu.core.errors import ApplicationError
from zhengwu.core.keys import fingerprint
from zhengwu.core.rotation import MARKER, pending_rotation
from zhengwu.ops.errors import OpsError

FORMAT = "zhengwu-backup/1"
MANIFEST = "manifest.json"
KEYS = "keys.enc"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
MIN_PASSPHRASE = 12
KEY_FILES = ("platform_key",)  # keys kept as files in the data dir besides data_key and secret_key
KEY_DIRS = ("platform_keys",)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: datetime
    vendor: str
    files: int
    bytes: int


def quiet(_: str) -> None:
    pass


def _error(message: str, field: str = "backup") -> ApplicationError:
    return ApplicationError(OpsError.BACKUP_FAILED, message, {field: message})


# --- the passphrase ---------------------------------------------------------------------------


def _derive(passphrase: str, salt: bytes) -> tuple[bytes, bytes]:
    """(SM4 key, SM3-HMAC key) from the operator's passphrase."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise ApplicationError(
            OpsError.WEAK_PASSPHRASE,
            f"备份口令至少 {MIN_PASSPHRASE} 个字符（现有 {len(passphrase)} 个）。",
            {"passphrase": f"至少 {MIN_PASSPHRASE} 个字符"},
        )
    material = Scrypt(salt=salt, length=48, **SCRYPT).derive(passphrase.encode("utf-8"))
    return material[:16], material[16:]


def _manifest_mac(mac_key: bytes, manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "mac"}
    return sm3_hmac_hex(mac_key, json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


# --- what is backed up -------------------------------------------------------------------------


def _database() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def _vendor() -> str:
    return connections["default"].vendor


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    args += ["--username", str(db.get("USER") or "postgres"), "--dbname", str(db["NAME"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise _error(
            f"找不到 {command[0]}：PostgreSQL 的备份与恢复需要安装 PostgreSQL 客户端（Debian：postgresql-client）。"
        )
    # The arguments are our own: the tool's name and the configured database's connection values.
    result = subprocess.run([tool, *command[1:]], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise _error(f"{what}失败：{result.stderr.strip()[-500:]}")


# What `pg_restore --clean` would drop, dropped by us: its --clean drops the constraints and indexes
# of each monthly partition of the logs (audit.partitions) one by one, which PostgreSQL refuses
# ("cannot drop inherited constraint"). Tables (their partitions, indexes, constraints, triggers
# and owned sequences with them), views and functions of the schema go first, in the restore's
# one transaction.
_PG_EMPTY_SCHEMA = """
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
    LOOP
        EXECUTE format('DROP %s IF EXISTS %I CASCADE',
                       CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                       r.relname);
    END LOOP;
    FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind = 'S'  -- those no table owned
    LOOP
        EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', r.relname);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema()
    LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.signature);
    END LOOP;
END
$$;
"""


def _pg_restore(dump: Path) -> None:
    """The dump restored in one transaction over an emptied schema (psql runs pg_restore's SQL)."""
    args, env = _pg_env(_database())
    for tool in ("pg_restore", "psql"):
        if shutil.which(tool) is None:
            raise _error(f"找不到 {tool}：PostgreSQL 的恢复需要安装 PostgreSQL 客户端（Debian：postgresql-client）。")
    script = subprocess.run(  # noqa: S603 - our own arguments
        [str(shutil.which("pg_restore")), "--no-owner", "--file", "-", str(dump)],
        env=env,
        capture_output=True,
        check=False,
    )
    if script.returncode != 0:
        raise _error(f"pg_restore失败：{script.stderr.decode(errors='replace').strip()[-500:]}")
    result = subprocess.run(  # noqa: S603 - our own arguments
        [str(shutil.which("psql")), *args, "--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1"],
        input=_PG_EMPTY_SCHEMA.encode() + script.stdout,
        env=env,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise _error(f"pg_restore失败：{result.stderr.decode(errors='replace').strip()[-500:]}")


def _sqlite_copy(source: Path | str, target: Path | str) -> None:
    """A consistent copy through SQLite's online backup API (readers and writers go on meanwhile)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst, pages=1024)
    # sqlite3's context manager commits but does not close
    src.close()
    dst.close()


def _huey_file() -> Path | None:
    huey = getattr(settings, "HUEY", {})
    if huey.get("huey_class") == "huey.SqliteHuey" and huey.get("filename"):
        return Path(huey["filename"])
    return None


def _file_dirs() -> dict[str, Path]:
    """Directories copied file by file: uploads, the witness anchors, retired platform keys."""
    storage: Any = settings.STORAGES["default"]
    dirs = {"media": Path(storage["OPTIONS"]["location"])}
    dirs["witness"] = Path(getattr(settings, "ZHENGWU_AUDIT_WITNESS", settings.DATA_DIR / "witness"))
    for name in KEY_DIRS:
        dirs[name] = settings.DATA_DIR / name
    return dirs


def _keys() -> dict[str, str]:
    keys = {
        "data_key": settings.ZHENGWU_DATA_KEY.hex(),
        "secret_key": settings.SECRET_KEY,
        "data_keyring": _keyring_text(),
    }
    for name in KEY_FILES:
        path = settings.DATA_DIR / name
        if path.exists():
            keys[name] = path.read_text()
    return keys


def _keyring_text() -> str:
    """The data keyring (every older data key, which rows written before a rotation still need;
    docs/deployment.md, "Rotating the data key") as JSON, encrypted with the other keys."""
    ring = data_keyring()
    return json.dumps(
        {
            "keys": {kid: key.hex() for kid, key in ring.keys.items()},
            "first": ring.first_id,
            "current": ring.current_id,
            "rotating": pending_rotation(),
        }
    )


def _restore_keyring(text: str, directory: Path) -> None:
    """Replace the keyring directory by the backup's (a backup made before keyrings has none:
    its one data key is then the whole ring, and the directory is emptied)."""
    saved = json.loads(text) if text else {"keys": {}, "first": None, "rotating": None}
    if directory.is_dir():
        for path in directory.iterdir():
            if path.is_file() and (path.suffix == ".key" or path.name in (FIRST_FILE, CURRENT_FILE, MARKER)):
                path.unlink()
    for kid, key in saved["keys"].items():
        write_private(directory / f"{kid}.key", key + "\n", replace=True)
    for name, kid in ((FIRST_FILE, saved.get("first")), (CURRENT_FILE, saved.get("current"))):
        if saved["keys"] and kid:
            write_private(directory / name, kid + "\n", replace=True)
    if saved.get("rotating"):
        write_private(directory / MARKER, saved["rotating"] + "\n", replace=True)


def _audit_head() -> dict[str, Any]:
    from zhengwu.audit.models import AuditChainHead

    head = AuditChainHead.objects.filter(pk=1).values("seq", "hash").first()
    return dict(head) if head else {"seq": 0, "hash": ""}


# --- create ------------------------------------------------------------------------------------


def backup_create(*, passphrase: str, to: Path | None = None, progress: Progress = quiet) -> BackupInfo:
    """Write a complete backup and return where; nothing is left at `to` if it fails half-way."""
    salt = os.urandom(16)
    sm4_key, mac_key = _derive(passphrase, salt)
    created_at = timezone.now()
    target = Path(to) if to else default_dir() / f"zhengwu-{timezone.localtime(created_at):%Y%m%d-%H%M%S}"
    if target.exists():
        raise _error(f"备份目录已存在：{target}", "to")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        manifest = _write(partial, sm4_key, salt, progress)
        manifest["created_at"] = created_at.isoformat()
        manifest["mac"] = _manifest_mac(mac_key, manifest)
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    progress(f"备份完成：{target}")
    return info(target)


def _write(directory: Path, sm4_key: bytes, salt: bytes, progress: Progress) -> dict[str, Any]:
    vendor = _vendor()
    head = _audit_head()  # read before the copy: the copy holds at least this much of the chain
    progress(f"数据库（{vendor}）…")
    if vendor == "sqlite":
        _sqlite_copy(_database()["NAME"], directory / "database.sqlite3")
    elif vendor == "postgresql":
        args, env = _pg_env(_database())
        _run(
            ["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(directory / "database.pgdump")],
            env,
            "pg_dump",
        )
    else:
        raise _error(f"不支持备份 {vendor} 数据库。")
    huey = _huey_file()
    if huey is not None and huey.exists():
        progress("任务队列…")
        _sqlite_copy(huey, directory / "huey.sqlite3")
    for name, source in _file_dirs().items():
        if source.is_dir():
            progress(f"文件：{name} …")
            shutil.copytree(source, directory / "files" / name, symlinks=False)
    write_private(
        directory / KEYS,
        sm4_encrypt(sm4_key, json.dumps(_keys()).encode(), associated_data=FORMAT.encode()).hex() + "\n",
    )
    progress("计算摘要…")
    return {
        "format": FORMAT,
        "vendor": vendor,
        "version": _version(),
        "data_key_fingerprint": fingerprint(settings.ZHENGWU_DATA_KEY),
        "audit_head": head,
        "kdf": {"name": "scrypt", "salt": salt.hex(), **SCRYPT},
        "files": _digests(directory),
    }


def _version() -> str:
    from zhengwu.core.health import version

    return version()


def _digests(directory: Path) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.name != MANIFEST):
        files[path.relative_to(directory).as_posix()] = {"size": path.stat().st_size, "sm3": _file_sm3(path)}
    return files


def _file_sm3(path: Path) -> str:
    from cryptography.hazmat.primitives import hashes

    digest = hashes.Hash(hashes.SM3())
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.finalize().hex()


# --- verify ------------------------------------------------------------------------------------


def _manifest(directory: Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise _error(f"{directory} 不是完整的备份：缺少 {MANIFEST}（未完成的备份以 .partial 结尾）。", "dir")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise _error(f"{MANIFEST} 无法解析：{error}", "dir") from None
    if manifest.get("format") != FORMAT:
        raise _error(f"不认识的备份格式：{manifest.get('format')!r}（应为 {FORMAT}）。", "dir")
    return manifest


def backup_verify(directory: Path, *, passphrase: str | None = None) -> list[str]:
    """The problems found (empty when the backup is whole): every file's size and SM3 digest, no
    file missing or added, and — with the passphrase — the manifest's seal and the keys."""
    directory = Path(directory)
    manifest = _manifest(directory)
    problems: list[str] = []
    listed: dict[str, dict[str, Any]] = manifest.get("files", {})
    present = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file() and p.name != MANIFEST}
    for name in sorted(set(listed) - present):
        problems.append(f"缺少文件：{name}")
    for name in sorted(present - set(listed)):
        problems.append(f"清单之外的文件：{name}")
    for name in sorted(set(listed) & present):
        path = directory / name
        if path.stat().st_size != listed[name]["size"] or _file_sm3(path) != listed[name]["sm3"]:
            problems.append(f"文件内容与清单不符（SM3 摘要不同）：{name}")
    if passphrase is not None:
        sm4_key, mac_key = _derive(passphrase, bytes.fromhex(manifest["kdf"]["salt"]))
        if not constant_time_equal(_manifest_mac(mac_key, manifest), str(manifest.get("mac", ""))):
            problems.append("清单的校验码不符：口令错误，或清单被改动。")
        else:
            try:
                _read_keys(directory, sm4_key)
            except ApplicationError as error:
                problems.append(error.message)
    return problems


def _read_keys(directory: Path, sm4_key: bytes) -> dict[str, str]:
    blob = bytes.fromhex((directory / KEYS).read_text().strip())
    try:
        keys: dict[str, str] = json.loads(sm4_decrypt(sm4_key, blob, associated_data=FORMAT.encode()))
    except ApplicationError:
        raise _error("密钥文件无法解密：口令错误或文件被改动。", "passphrase") from None
    return keys


def info(directory: Path) -> BackupInfo:
    manifest = _manifest(directory)
    files = manifest.get("files", {})
    return BackupInfo(
        path=Path(directory),
        created_at=datetime.fromisoformat(manifest["created_at"]),
        vendor=str(manifest["vendor"]),
        files=len(files),
        bytes=sum(int(f["size"]) for f in files.values()),
    )


# --- restore -----------------------------------------------------------------------------------


def backup_restore(directory: Path, *, passphrase: str, progress: Progress = quiet) -> BackupInfo:
    """Restore into this installation (ZHENGWU_DATA_DIR, DATABASE_URL): database, queue, files, keys.

    Checks everything first (digests, the seal, the keys, the database vendor) and changes
    nothing when a check fails. Keys that start-up generated in the data dir are replaced by the
    backup's; a key given in the environment must be the backup's one."""
    directory = Path(directory)
    problems = backup_verify(directory, passphrase=passphrase)
    if problems:
        raise _error("备份校验未通过，未做任何恢复：" + "；".join(problems[:10]), "dir")
    manifest = _manifest(directory)
    sm4_key, _ = _derive(passphrase, bytes.fromhex(manifest["kdf"]["salt"]))
    keys = _read_keys(directory, sm4_key)
    vendor = _vendor()
    if manifest["vendor"] != vendor:
        raise _error(f"备份来自 {manifest['vendor']} 数据库，当前配置的是 {vendor}：请设置相应的 DATABASE_URL。", "dir")
    env_key = os.environ.get("ZHENGWU_DATA_KEY")
    if env_key and env_key.strip().lower() != keys["data_key"]:
        raise _error(
            "环境变量 ZHENGWU_DATA_KEY 与备份中的数据密钥不同：请取消该变量或设为备份中的密钥后再恢复。", "keys"
        )

    progress(f"数据库（{vendor}）…")
    connections.close_all()
    if vendor == "sqlite":
        _sqlite_copy(directory / "database.sqlite3", _database()["NAME"])
    else:
        _pg_restore(directory / "database.pgdump")
    huey = _huey_file()
    if huey is not None and (directory / "huey.sqlite3").exists():
        progress("任务队列…")
        _sqlite_copy(directory / "huey.sqlite3", huey)
    for name, target in _file_dirs().items():
        source = directory / "files" / name
        if source.is_dir():
            progress(f"文件：{name} …")
            if name == "witness" and (kept := _keep_replaced_witness(target)) is not None:
                progress(f"  原见证目录的锚点（可能晚于本备份）已保留在 {kept}")
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)
    progress("密钥…")
    data_dir = settings.DATA_DIR
    write_private(data_dir / "data_key", keys["data_key"] + "\n", replace=True)
    write_private(data_dir / "secret_key", keys["secret_key"] + "\n", replace=True)
    _restore_keyring(keys.get("data_keyring", ""), keyring_dir())
    forget_keyring()
    for name in KEY_FILES:
        if name in keys:
            write_private(data_dir / name, keys[name], replace=True)
    # This process read the keys start-up generated; what it writes next (the restore's own audit
    # event) must be sealed with the restored ones.
    settings.ZHENGWU_DATA_KEY = bytes.fromhex(keys["data_key"])
    settings.SECRET_KEY = keys["secret_key"]
    progress(f"恢复完成：{directory}")
    return info(directory)


def _keep_replaced_witness(witness: Path) -> Path | None:
    """Copy the witness a restore replaces to `<witness>.replaced-YYYYmmdd-HHMMSS` beside it: its
    anchors signed after the backup are evidence of what the logs held before the restore, and a
    restore must not erase them (docs/deployment.md, "Backup and restore"). None: nothing to keep."""
    if not witness.is_dir() or not any(witness.iterdir()):
        return None
    kept = witness.with_name(f"{witness.name}.replaced-{timezone.localtime():%Y%m%d-%H%M%S}")
    shutil.copytree(witness, kept, dirs_exist_ok=True)
    return kept


# --- retention and where backups go --------------------------------------------------------------


def default_dir() -> Path:
    return Path(getattr(settings, "ZHENGWU_BACKUP_DIR", "") or settings.DATA_DIR / "backups")


def backups(directory: Path | None = None) -> list[BackupInfo]:
    """The complete backups in `directory` (default ZHENGWU_BACKUP_DIR), newest first."""
    root = Path(directory) if directory else default_dir()
    found = []
    for path in root.glob("*") if root.is_dir() else []:
        if path.is_dir() and (path / MANIFEST).is_file():
            try:
                found.append(info(path))
            except (ApplicationError, KeyError, ValueError):
                continue
    return sorted(found, key=lambda b: b.created_at, reverse=True)


def prune(keep: int, directory: Path | None = None) -> list[Path]:
    """Remove all but the newest `keep` complete backups (and leftover `.partial` ones older than a day)."""
    root = Path(directory) if directory else default_dir()
    removed = []
    for old in backups(root)[keep:]:
        shutil.rmtree(old.path)
        removed.append(old.path)
    for partial in root.glob("*.partial") if root.is_dir() else []:
        if time.time() - partial.stat().st_mtime > 86400:
            shutil.rmtree(partial, ignore_errors=True)
            removed.append(partial)
    return removed
