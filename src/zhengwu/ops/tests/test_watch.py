"""The operations watch: readings against thresholds, alerts once per bad spell, the page, /healthz."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from zhengwu.accounts import sms
from zhengwu.accounts.models import User
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.ops import services, watch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_dirs(settings: Any, tmp_path: Path) -> None:
    settings.ZHENGWU_BACKUP_DIR = tmp_path / "backups"
    settings.ZHENGWU_AUDIT_WITNESS = tmp_path / "witness"
    settings.ZHENGWU_REPLICA_URL = ""
    watch._cached = (0.0, [])


def by_name() -> dict[str, watch.Reading]:
    return {r.name: r for r in watch.readings()}


def test_no_backup_and_no_anchor_are_bad_an_unconfigured_replica_is_unknown() -> None:
    readings = by_name()
    assert readings["backup"].status == watch.BAD and readings["backup"].value == "没有完整的备份"
    assert readings["anchor"].status == watch.BAD
    assert readings["replica"].status == watch.UNKNOWN
    assert readings["stuck_jobs"].status == watch.OK
    assert readings["disk"].status == watch.OK


def test_thresholds_decide(settings: Any, tmp_path: Path) -> None:
    witness = tmp_path / "witness"
    witness.mkdir()
    anchor = witness / "anchors-2026-12.jsonl"
    anchor.write_text("{}\n")
    assert by_name()["anchor"].status == watch.OK
    old = time.time() - 31 * 60
    os.utime(anchor, (old, old))
    assert by_name()["anchor"].status == watch.BAD
    settings.ZHENGWU_WATCH_ANCHOR_MINUTES = 40
    assert by_name()["anchor"].status == watch.OK
    settings.ZHENGWU_WATCH_DISK_FREE_PERCENT = 99
    assert by_name()["disk"].status in (watch.BAD, watch.OK)  # a nearly empty disk would still pass


def test_alerts_go_out_once_per_bad_spell_and_recoveries_are_recorded(
    sys_admin: User, tmp_path: Path, settings: Any
) -> None:
    sys_admin.phone = "13900139000"
    sys_admin.save()
    first = services.watch_alert(actor=Actor.platform())
    assert "backup" in first and "anchor" in first
    assert any("最近一次备份" in text for _, text in sms.outbox)
    assert AuditEvent.objects.filter(action="ops.watch.alert").count() == len(first)
    sms.outbox.clear()
    assert services.watch_alert(actor=Actor.platform()) == []  # still bad: no second alert
    assert sms.outbox == []
    (tmp_path / "witness").mkdir()
    (tmp_path / "witness" / "anchors.jsonl").write_text("{}\n")
    services.watch_alert(actor=Actor.platform())
    assert AuditEvent.objects.filter(action="ops.watch.recovered", details__check="anchor").count() == 1


def test_only_the_platform_runs_the_alerts(sys_admin: User) -> None:
    with pytest.raises(ApplicationError):
        services.watch_alert(actor=Actor.person(sys_admin))


def test_the_page_is_the_system_administrators(sys_admin: User, market_clerk: User, audit_admin: User) -> None:
    response = staff_client(sys_admin).get("/workbench/ops/")
    assert response.status_code == 200
    assert "最近一次备份" in response.content.decode() and "还没有备份" in response.content.decode()
    assert '<th scope="col">当前状态始于</th>' in response.content.decode()  # it said only "自"
    assert staff_client(market_clerk).get("/workbench/ops/").status_code == 403
    assert staff_client(audit_admin).get("/workbench/ops/").status_code == 403
    assert Client().get("/workbench/ops/").status_code == 302


def test_healthz_shows_the_watch_without_failing_the_node() -> None:
    body = Client().get("/healthz").json()
    assert body["watch"]["status"] == "attention"
    assert body["watch"]["backup"]["status"] == "bad"
