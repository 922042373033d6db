"""`zhengwu audit verify | export | purge`."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from zhengwu.audit.exports import HEADER
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import clock, disable_triggers, make_events, raw

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class TestVerify:
    def test_intact_log_exits_zero_and_says_so(self) -> None:
        make_events(4)
        out, _ = _run("verify")  # returns normally: exit status 0
        assert "审计日志完整：共校验 4 条" in out
        event = AuditEvent.objects.get(action="audit.verify")
        assert (event.outcome, event.details["checked"]) == ("success", 4)

    def test_empty_log_is_intact(self) -> None:
        out, _ = _run("verify", "--batch-size", "1")
        assert "共校验 0 条" in out

    def test_tampered_log_exits_one_and_names_the_event(self) -> None:
        make_events(5)
        disable_triggers()
        raw("UPDATE audit_auditevent SET outcome = 'failure' WHERE seq = 3")
        err = io.StringIO()
        with pytest.raises(SystemExit) as exited:
            call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
        assert exited.value.code == 1
        assert "审计日志在第 3 条处被篡改" in err.getvalue()
        assert "被修改" in err.getvalue()
        failed = AuditEvent.objects.get(action="audit.verify")
        assert (failed.outcome, failed.details["first_bad_seq"]) == ("failure", 3)

    def test_a_deleted_event_exits_one(self) -> None:
        make_events(5)
        disable_triggers()
        raw("DELETE FROM audit_auditevent WHERE seq = 2")
        with pytest.raises(SystemExit) as exited:
            _run("verify", "--batch-size", "2")
        assert exited.value.code == 1

    def test_a_subcommand_is_required(self) -> None:
        with pytest.raises(CommandError):
            call_command("audit")


def _at(day: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(day + " 12:00"))


@pytest.fixture
def three_days() -> None:
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
        with clock(_at(day)):
            make_events(2, target_label=f"{day} 的对象")


class TestExport:
    def test_csv_has_bom_header_and_the_selected_days(self, tmp_path: Path, three_days: None) -> None:
        target = tmp_path / "audit.csv"
        out, _ = _run(
            "export", "--format", "csv", "--output", str(target), "--since", "2026-03-02", "--until", "2026-03-02"
        )
        assert "已导出 2 条" in out
        data = target.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == HEADER
        assert [r[0] for r in rows[1:]] == ["3", "4"]
        assert all(r[13] == "2026-03-02 的对象" for r in rows[1:])
        export = AuditEvent.objects.get(action="audit.export")
        assert export.details == {
            "since": "2026-03-02",
            "until": "2026-03-02",
            "format": "csv",
            "through_seq": 6,
            "rows": 2,
        }
        assert export.actor_kind == "system"

    def test_xlsx_holds_everything_by_default(self, tmp_path: Path, three_days: None) -> None:
        target = tmp_path / "audit.xlsx"
        _run("export", "--format", "xlsx", "--output", str(target))
        sheet = load_workbook(target, read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == HEADER
        assert [r[0] for r in rows[1:]] == [1, 2, 3, 4, 5, 6]

    def test_bad_arguments_are_refused(self, tmp_path: Path) -> None:
        with pytest.raises(CommandError):
            _run("export", "--output", str(tmp_path / "x.csv"), "--since", "yesterday")
        with pytest.raises(CommandError):
            _run("export", "--output", str(tmp_path / "x.csv"), "--since", "2026-03-02", "--until", "2026-03-01")
        with pytest.raises(CommandError):
            _run("export", "--format", "pdf", "--output", str(tmp_path / "x.pdf"))
        with pytest.raises(CommandError):
            _run("export", "--output", str(tmp_path / "missing-dir" / "x.csv"))
        assert not AuditEvent.objects.filter(action="audit.export").exists()


class TestPurge:
    def test_purge_outside_retention(self) -> None:
        with clock(timezone.now() - timedelta(days=400)):
            make_events(2)
        make_events(1)
        before = (timezone.localdate() - timedelta(days=200)).isoformat()
        out, _ = _run("purge", "--before", before)
        assert "已清理 2 条" in out
        out, _ = _run("verify")
        assert "审计日志完整" in out

    def test_purge_within_retention_is_refused(self) -> None:
        make_events(1)
        with pytest.raises(CommandError, match="至少保存 180 天"):
            _run("purge", "--before", timezone.localdate().isoformat())
        assert AuditEvent.objects.count() == 2  # nothing deleted; the refusal recorded
        refusal = AuditEvent.objects.get(action="audit.purge")
        assert (refusal.outcome, refusal.actor_kind) == (AuditEvent.Outcome.FAILURE, AuditEvent.ActorKind.SYSTEM)
