"""A data directory of its own, driven through the real `zhengwu` commands (the backup and replica drills)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

PASSPHRASE = "演练口令-correct horse battery"

SEED = """
from datetime import date
from zhengwu.accounts.models import User
from zhengwu.core.actors import Actor
from zhengwu.supervision.services import workday_override_set
workday_override_set(actor=Actor.platform(), day=date(2030, {month}, 1), is_workday=False, reason="演练{month}")
User.objects.create_user(username="u{month}", password="x-Long-Passw0rd!", kind="citizen", real_name="演练{month}",
                         id_number="11010519800101001{check}", phone="1380013800{month}")
"""
READ_BACK = """
from zhengwu.accounts.models import User
print(User.objects.get(username="u1").id_number)
"""


def zw(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "zhengwu.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(f"zhengwu {' '.join(args)} → {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def environment(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHENGWU_", "DATABASE_URL", "REDIS_URL"))}
    env.update(ZHENGWU_DATA_DIR=str(data_dir), ZHENGWU_BACKUP_PASSPHRASE=PASSPHRASE)
    env["DATABASE_URL"] = database_url or f"sqlite:///{data_dir}/zhengwu.sqlite3"
    return env


def sqlite_tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        # Sorted rows, not rowid order: some tables are WITHOUT ROWID or full-text indexes.
        tables = {name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}  # noqa: S608
    db.close()
    return tables


def seeded(env: dict[str, str], month: int) -> None:
    zw(env, "shell", "-c", SEED.format(month=month, check={1: "6", 2: "4", 3: "2"}[month]))
