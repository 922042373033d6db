"""A database restored without its data key is refused at start-up and reported by /healthz (issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from zhengwu.core import keys
from zhengwu.core.models import KeyFingerprint

pytestmark = pytest.mark.django_db


def test_migrate_records_the_fingerprint_of_the_key_in_use() -> None:
    # The test database was made by migrate, which records the fingerprint.
    assert keys.stored_fingerprint() == keys.data_key_fingerprint()
    assert keys.data_key_status() == "ok"
    assert keys.check_data_key() == []


def test_another_key_is_refused_and_reported(settings: Any) -> None:
    stored = keys.stored_fingerprint()
    settings.ZHENGWU_DATA_KEY = bytes(range(32))
    assert keys.data_key_status() == "mismatch"
    [error] = keys.check_data_key()
    assert error.id == "core.E001"
    assert f"指纹为 {stored}" in error.msg and "恢复数据时必须同时恢复备份中的密钥" in error.msg
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["keys"] == {"status": "error", "data_key": "mismatch"}


def test_a_fingerprint_reveals_nothing_of_the_key() -> None:
    key = bytes(range(32))
    assert keys.fingerprint(key) not in key.hex()
    assert len(keys.fingerprint(key)) == 32
    assert keys.fingerprint(key) != keys.fingerprint(bytes(32))


def test_an_unmigrated_database_is_not_a_mismatch() -> None:
    KeyFingerprint.objects.all().delete()
    assert keys.data_key_status() == "unrecorded"
    assert keys.check_data_key() == []
    call_command("migrate", verbosity=0)  # post_migrate records it again
    assert keys.data_key_status() == "ok"


@pytest.mark.django_db(transaction=True)
def test_a_command_started_with_the_wrong_key_stops_with_the_message(tmp_path: Path) -> None:
    env = {**os.environ, "ZHENGWU_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    env.pop("ZHENGWU_DATA_KEY", None)
    run = [sys.executable, "-m", "zhengwu.cli"]
    subprocess.run(  # noqa: S603 - our own command
        [*run, "migrate", "--noinput", "-v", "0"], env=env, check=True, capture_output=True
    )
    (tmp_path / "data_key").write_text("ab" * 32)  # as if the data dir was restored without its key
    result = subprocess.run([*run, "check"], env=env, capture_output=True, text=True)  # noqa: S603
    assert result.returncode != 0
    assert "core.E001" in result.stderr and "数据密钥与数据库不匹配" in result.stderr
