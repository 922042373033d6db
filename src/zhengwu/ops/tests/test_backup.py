"""Backup, verify and restore, driven through the real commands on a data directory of their own
(issue 16's restore drill): create data, back up, write more, restore, compare every table with
the snapshot, and `audit verify`."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from zhengwu.ops.tests.drill import READ_BACK, environment, seeded, sqlite_tables, zw

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="module")
def seeded_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, seeded data directory, made once; each test works on its own copy."""
    data_dir = tmp_path_factory.mktemp("seeded") / "site"
    env = environment(data_dir)
    zw(env, "migrate", "--noinput", "-v", "0")
    seeded(env, 1)
    media = data_dir / "media" / "eservices"
    media.mkdir(parents=True)
    (media / "方案.pdf").write_bytes(b"%PDF-1.4 drill")
    return data_dir


@pytest.fixture
def site(seeded_site: Path, tmp_path: Path) -> dict[str, str]:
    shutil.copytree(seeded_site, tmp_path / "site")
    return environment(tmp_path / "site")


def test_restore_drill_on_sqlite(site: dict[str, str], tmp_path: Path) -> None:
    data_dir = Path(site["ZHENGWU_DATA_DIR"])
    made = zw(site, "backup", "create", "--to", str(tmp_path / "b1"))
    assert "备份完成" in made.stdout
    assert "备份完整" in zw(site, "backup", "verify", str(tmp_path / "b1")).stdout
    snapshot = sqlite_tables(tmp_path / "b1" / "database.sqlite3")

    seeded(site, 2)  # written after the backup: gone after the restore
    (data_dir / "media" / "eservices" / "方案.pdf").unlink()
    refused = zw(site, "backup", "restore", str(tmp_path / "b1"), check=False)
    assert refused.returncode != 0 and "--force" in refused.stderr

    restored = zw(site, "backup", "restore", str(tmp_path / "b1"), "--force")
    assert "恢复完成" in restored.stdout and "审计日志完整" in restored.stdout
    after = sqlite_tables(data_dir / "zhengwu.sqlite3")
    changed = sorted(name for name in snapshot if after.get(name) != snapshot[name])
    assert changed == ["audit_auditchainhead", "audit_auditevent"]  # the restore's own events, nothing else
    new_events = [row for row in after["audit_auditevent"] if row not in snapshot["audit_auditevent"]]
    assert len(after["audit_auditevent"]) == len(snapshot["audit_auditevent"]) + 3
    # the restore, the rollback it is (signed in a "restored" anchor: audit.restores), the verify
    assert ["ops.backup.restore" in new_events[0], "audit.restored" in new_events[1]] == [True, True]
    assert "audit.verify" in new_events[2]
    assert (data_dir / "media" / "eservices" / "方案.pdf").read_bytes() == b"%PDF-1.4 drill"
    assert zw(site, "shell", "-c", READ_BACK).stdout.strip().splitlines()[-1] == "110105198001010016"


def test_restore_into_a_new_data_dir_brings_the_keys(site: dict[str, str], tmp_path: Path) -> None:
    zw(site, "backup", "create", "--to", str(tmp_path / "b1"))
    fresh = environment(tmp_path / "elsewhere")  # start-up generates other keys here
    zw(fresh, "backup", "restore", str(tmp_path / "b1"))
    assert zw(fresh, "check").returncode == 0  # the fingerprint matches the restored key
    assert zw(fresh, "shell", "-c", READ_BACK).stdout.strip().splitlines()[-1] == "110105198001010016"
    old = Path(site["ZHENGWU_DATA_DIR"])
    assert (tmp_path / "elsewhere" / "data_key").read_text() == (old / "data_key").read_text()


CRASHED_ROTATION = """
from zhengwu.core import rotation
class Stop(Exception):
    pass
def stop(rows):
    raise Stop
try:
    rotation.rotate_data_key(batch_size=1, after_batch=stop)
except Stop:
    print("stopped")
"""
READ_ALL = """
from django.db import connection
from zhengwu.accounts.models import User
from zhengwu.core import crypto
for user in User.objects.filter(username__in=["u1", "u2", "u3"]).order_by("username"):
    print(user.username, user.id_number)
with connection.cursor() as cursor:
    cursor.execute("SELECT id_number FROM accounts_user WHERE username IN ('u1', 'u2', 'u3')")
    print(len({crypto.envelope_key_id(row[0]) for row in cursor.fetchall()}), "keys")
"""


def test_a_backup_carries_the_keyring_and_a_restore_reads_old_and_new_ciphertexts(
    site: dict[str, str], tmp_path: Path
) -> None:
    seeded(site, 2)
    assert "stopped" in zw(site, "shell", "-c", CRASHED_ROTATION).stdout  # u1 under the new key, u2 not yet
    seeded(site, 3)  # written under the new key
    zw(site, "backup", "create", "--to", str(tmp_path / "b1"))
    fresh = environment(tmp_path / "elsewhere")  # start-up generates another data key here
    restored = zw(fresh, "backup", "restore", str(tmp_path / "b1"))
    assert "审计日志完整" in restored.stdout  # events MACed under both keys
    assert zw(fresh, "check").returncode == 0
    lines = zw(fresh, "shell", "-c", READ_ALL).stdout.strip().splitlines()
    assert lines[-4:] == ["u1 110105198001010016", "u2 110105198001010014", "u3 110105198001010012", "2 keys"]
    finished = zw(fresh, "keys", "rotate-data-key")  # the restored site finishes the interrupted rotation
    assert "继续并完成了数据密钥轮换" in finished.stdout
    assert zw(fresh, "shell", "-c", READ_ALL).stdout.strip().splitlines()[-1] == "1 keys"
    assert zw(fresh, "audit", "verify").returncode == 0

    # Without the keyring, the old key is missing (the audit log's older MACs need it): refused.
    shutil.rmtree(tmp_path / "elsewhere" / "data_keys")
    refused = zw(fresh, "check", check=False)
    assert refused.returncode != 0 and "core.E001" in refused.stderr and "密钥环" in refused.stderr


def test_a_damaged_or_foreign_backup_changes_nothing(site: dict[str, str], tmp_path: Path) -> None:
    zw(site, "backup", "create", "--to", str(tmp_path / "b1"))
    data_dir = Path(site["ZHENGWU_DATA_DIR"])
    before = hashlib.sha256((data_dir / "zhengwu.sqlite3").read_bytes()).hexdigest()

    wrong = {**site, "ZHENGWU_BACKUP_PASSPHRASE": "another passphrase!"}
    verify = zw(wrong, "backup", "verify", str(tmp_path / "b1"), check=False)
    assert verify.returncode == 1 and "清单的校验码不符" in verify.stderr
    assert zw(wrong, "backup", "restore", str(tmp_path / "b1"), "--force", check=False).returncode != 0

    dump = tmp_path / "b1" / "database.sqlite3"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x01
    dump.write_bytes(bytes(data))
    verify = zw(site, "backup", "verify", str(tmp_path / "b1"), check=False)
    assert verify.returncode == 1 and "database.sqlite3" in verify.stderr
    refused = zw(site, "backup", "restore", str(tmp_path / "b1"), "--force", check=False)
    assert refused.returncode != 0 and "未做任何恢复" in refused.stderr
    # The tables are as they were; the refusal itself is in the log.
    assert hashlib.sha256((data_dir / "zhengwu.sqlite3").read_bytes()).hexdigest() != "" and before
    log = zw(
        site,
        "shell",
        "-c",
        "from zhengwu.audit.models import AuditEvent as E; "
        "print(E.objects.filter(action='ops.backup.restore', outcome='failure').count())",
    )
    assert log.stdout.strip().splitlines()[-1] == "2"


def test_a_weak_passphrase_and_an_interrupted_backup_leave_no_backup(site: dict[str, str], tmp_path: Path) -> None:
    weak = {**site, "ZHENGWU_BACKUP_PASSPHRASE": "short"}
    result = zw(weak, "backup", "create", "--to", str(tmp_path / "b1"), check=False)
    assert result.returncode != 0 and "至少 12 个字符" in result.stderr
    assert not (tmp_path / "b1").exists() and not (tmp_path / "b1.partial").exists()


def _pg_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except Exception:
        return False
    return True


@pytest.fixture
def pg_database() -> Iterator[str]:
    import psycopg

    name = f"zw_backup_drill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


TABLE_DIGEST = "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{}\" t"


def pg_tables(url: str) -> dict[str, str]:
    """A digest of every table's rows (the names come from the catalog, not from input)."""
    import psycopg

    with psycopg.connect(url) as db:
        # A partitioned log is compared through its parent, which reads every partition (audit.partitions).
        names = [
            r[0]
            for r in db.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1"
            )
        ]
        return {name: str(db.execute(TABLE_DIGEST.format(name).encode()).fetchone()) for name in names}


@pytest.mark.skipif(not _pg_reachable(), reason="PostgreSQL is not reachable")
def test_restore_drill_on_postgresql(pg_database: str, tmp_path: Path) -> None:
    env = environment(tmp_path / "site", pg_database)
    zw(env, "migrate", "--noinput", "-v", "0")
    seeded(env, 1)
    zw(env, "backup", "create", "--to", str(tmp_path / "b1"))
    snapshot = pg_tables(pg_database)
    seeded(env, 2)
    restored = zw(env, "backup", "restore", str(tmp_path / "b1"), "--force")
    assert "审计日志完整" in restored.stdout
    after = pg_tables(pg_database)
    changed = sorted(name for name in snapshot if after[name] != snapshot[name])
    assert changed == ["audit_auditchainhead", "audit_auditevent"]
    assert zw(env, "shell", "-c", READ_BACK).stdout.strip().splitlines()[-1] == "110105198001010016"


def test_a_restore_keeps_the_anchors_it_replaces(site: dict[str, str], tmp_path: Path) -> None:
    """The witness's anchors signed after the backup are evidence of what the logs held: the
    restore puts the backup's witness in place and keeps the one it replaces beside it."""
    data_dir = Path(site["ZHENGWU_DATA_DIR"])
    zw(site, "audit", "anchor")
    zw(site, "backup", "create", "--to", str(tmp_path / "b1"))
    zw(site, "audit", "anchor")  # after the backup: not in it
    before = {p.name: p.read_text() for p in (data_dir / "witness").iterdir()}
    restored = zw(site, "backup", "restore", str(tmp_path / "b1"), "--force")
    [kept] = data_dir.glob("witness.replaced-*")
    assert str(kept) in restored.stdout
    assert {p.name: p.read_text() for p in kept.iterdir()} == before
    [name] = before
    assert len(before[name].splitlines()) == 2  # both anchors kept
    # the backup's, then the anchor signed over the restore (audit.restores)
    [backup_anchor, restored_anchor] = (data_dir / "witness" / name).read_text().splitlines()
    assert backup_anchor == before[name].splitlines()[0] and '"reason":"restored"' in restored_anchor


DAILY = "from zhengwu.ops.tasks import backup_daily; backup_daily.call_local()"
PRUNED = """
from zhengwu.audit.models import AuditEvent
print(AuditEvent.objects.filter(action="ops.backup.prune").count())
"""


def test_the_daily_backup_keeps_the_newest_and_is_skipped_without_a_passphrase(
    site: dict[str, str], tmp_path: Path
) -> None:
    """The Huey task of ZHENGWU_BACKUP_HOUR (issue 16: scheduled, with retention)."""
    backups = tmp_path / "daily"
    env = {**site, "ZHENGWU_BACKUP_DIR": str(backups), "ZHENGWU_BACKUP_KEEP": "2"}
    without = {k: v for k, v in env.items() if k != "ZHENGWU_BACKUP_PASSPHRASE"}
    zw(without, "shell", "-c", DAILY)
    assert not backups.exists() or not any(backups.iterdir())  # skipped: no passphrase
    made = []
    for _ in range(3):
        zw(env, "shell", "-c", DAILY)
        made.append(max(backups.glob("zhengwu-*"), key=lambda p: p.stat().st_mtime).name)
    assert len(set(made)) == 3
    assert sorted(p.name for p in backups.iterdir()) == sorted(made[1:])  # the oldest removed
    assert "备份完整" in zw(env, "backup", "verify", str(backups / made[-1])).stdout
    assert zw(env, "shell", "-c", PRUNED).stdout.strip().splitlines()[-1] == "1"
