"""The inventory's workbench pages: who sees what, registering and linking, Excel in and out, the
overview, and the review pages (docs/rules.md §11)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import staff_client
from zhengwu.core.actors import Actor
from zhengwu.governance import excel
from zhengwu.governance.models import InformationSystem, SystemApiClient, ZombieCase
from zhengwu.governance.services import zombie_scan
from zhengwu.governance.tests.conftest import make_client, register

pytestmark = pytest.mark.django_db

FORM = {
    "name": "网上审批系统",
    "deployments": "1",
    "functions": "行政许可网上受理",
    "users_scope": "全厅审批处室",
    "usage_frequency": "daily",
    "contact_name": "冯工",
    "contact_phone": "0431-88880001",
    "network_zone": "extranet",
    "funding_source": "fiscal",
    "om_cost_yearly": "12.5",
    "mlps_level": "2",
    "mlps_filing_number": "22010099001-00002",
    "should_connect": "on",
    "state": "running",
}


def test_officer_registers_through_the_form_and_links_a_client(systems_officer: User, market_dept: Department) -> None:
    client = make_client(market_dept, "网上审批接口")
    web = staff_client(systems_officer)
    response = web.post("/workbench/governance/systems/new/", FORM)
    system = InformationSystem.objects.get(name="网上审批系统")
    assert response.status_code == 302 and response["Location"].endswith(f"/systems/{system.pk}/")
    page = web.get(f"/workbench/governance/systems/{system.pk}/").content.decode()
    assert "网上审批接口" in page and "关联" in page
    web.post(f"/workbench/governance/systems/{system.pk}/link/", {"api_client": client.pk})
    assert SystemApiClient.objects.get(system=system).api_client == client


def test_form_errors_name_the_field(systems_officer: User) -> None:
    response = staff_client(systems_officer).post(
        "/workbench/governance/systems/new/", {**FORM, "mlps_filing_number": ""}
    )
    assert response.status_code == 200
    assert "等级保护第二级及以上的系统应填写公安机关备案编号" in response.content.decode()
    assert not InformationSystem.objects.exists()


def test_list_shows_own_department_only_and_the_office_all(
    systems_officer: User, police_officer: User, egov: User, police_systems: User
) -> None:
    register(systems_officer)
    register(police_systems, name="人口信息管理系统")
    mine = staff_client(systems_officer).get("/workbench/governance/systems/").content.decode()
    assert "市场主体登记系统" in mine and "人口信息管理系统" not in mine
    everything = staff_client(egov).get("/workbench/governance/systems/").content.decode()
    assert "市场主体登记系统" in everything and "人口信息管理系统" in everything
    assert 'data-chart="sparkline"' in everything
    assert staff_client(police_officer).get("/workbench/governance/systems/").status_code == 403


def test_another_departments_officer_gets_404(systems_officer: User, police_systems: User) -> None:
    system = register(systems_officer)
    assert staff_client(police_systems).get(f"/workbench/governance/systems/{system.pk}/").status_code == 404


def _workbook(rows: list[list[object]], headers: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = excel.SHEET
    sheet.append(headers or excel.HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(**overrides: object) -> list[object]:
    values = dict(zip(excel.HEADERS, excel.EXAMPLE, strict=True))
    values.update({k: v for k, v in overrides.items()})
    return [values[h] for h in excel.HEADERS]


def test_template_downloads_with_the_seed_fields_first(systems_officer: User) -> None:
    response = staff_client(systems_officer).get("/workbench/governance/systems/import/template/")
    book = load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in book[excel.SHEET][1]]
    assert headers[:8] == [
        "数量（部署套数）",
        "名称",
        "功能",
        "使用范围",
        "使用频度",
        "审批部门",
        "审批时间",
        "经费来源",
    ]


def test_import_registers_every_row(systems_officer: User) -> None:
    content = _workbook([_row(), _row(**{"名称": "综合执法系统"})])
    upload = io.BytesIO(content)
    upload.name = "清单.xlsx"
    response = staff_client(systems_officer).post("/workbench/governance/systems/import/", {"file": upload})
    assert response.status_code == 302
    assert set(InformationSystem.objects.values_list("name", flat=True)) == {"市场主体登记系统", "综合执法系统"}
    assert AuditEvent.objects.filter(action="governance.system.register", outcome="success").count() == 2
    assert AuditEvent.objects.filter(action="governance.system.import", outcome="success").count() == 1


def test_import_reports_each_bad_row_and_writes_nothing(systems_officer: User) -> None:
    content = _workbook(
        [
            _row(),
            _row(**{"名称": "甲系统", "网络区域": "局域网"}),
            _row(**{"名称": "乙系统", "年度运维费用（万元）": "很多", "审批时间": "去年"}),
            _row(**{"名称": "甲系统"}),
            _row(**{"名称": "丙系统", "等级保护级别": "第三级", "等保备案编号": None}),
        ]
    )
    upload = io.BytesIO(content)
    upload.name = "清单.xlsx"
    response = staff_client(systems_officer).post("/workbench/governance/systems/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert not InformationSystem.objects.exists()
    for text in (
        "<td>3</td><td>网络区域</td><td>应为以下之一：内网、外网、互联网（现为“局域网”）。</td>",
        "<td>4</td><td>审批时间</td>",
        "<td>4</td><td>年度运维费用（万元）</td><td>应为数字，单位万元（现为“很多”）。</td>",
        "<td>5</td><td>名称</td><td>与第 3 行重名。</td>",
        "<td>6</td><td>等保备案编号</td><td>等级保护第二级及以上的系统应填写公安机关备案编号。</td>",
    ):
        assert text in page, text
    refusal = AuditEvent.objects.get(action="governance.system.import")
    assert refusal.outcome != "success"


def test_import_without_the_template_columns(systems_officer: User) -> None:
    upload = io.BytesIO(_workbook([["x"]], headers=["名称"]))
    upload.name = "x.xlsx"
    page = staff_client(systems_officer).post("/workbench/governance/systems/import/", {"file": upload})
    assert "缺少此列" in page.content.decode()


def test_export_has_the_measured_columns(systems_officer: User) -> None:
    register(systems_officer)
    response = staff_client(systems_officer).get("/workbench/governance/systems/export/")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book[excel.SHEET].iter_rows(values_only=True))
    assert rows[0][:5] == ("所属部门", "近12个月调用次数", "最近调用", "最近登录", "僵尸系统核查")
    assert rows[1][0] == "吉林省市场监督管理厅" and "市场主体登记系统" in rows[1]


def test_overview_for_the_office(systems_officer: User, egov: User) -> None:
    system = register(systems_officer, om_cost_yearly="0")
    InformationSystem.objects.filter(pk=system.pk).update(created_at=timezone.now() - timedelta(days=400))
    zombie_scan(actor=Actor.platform())
    page = staff_client(egov).get("/workbench/governance/systems/overview/").content.decode()
    assert 'data-chart="inventoryDepartments"' in page and "僵尸系统核查中" in page
    assert "市场主体登记系统" in page  # unconnected: should connect, no API client
    assert staff_client(systems_officer).get("/workbench/governance/systems/overview/").status_code == 403


def test_review_pages_take_the_steps(systems_officer: User, egov: User) -> None:
    system = register(systems_officer, om_cost_yearly="0")
    into = register(systems_officer, name="一体化平台")
    case = zombie_scan(actor=Actor.platform())[0]
    office, officer = staff_client(egov), staff_client(systems_officer)
    assert "市场主体登记系统" in office.get("/workbench/governance/zombies/").content.decode()
    assert officer.get(f"/workbench/governance/zombies/{case.pk}/").status_code == 404  # not confirmed yet
    office.post(f"/workbench/governance/zombies/{case.pk}/confirm/", {"note": "请自查"})
    officer.post(f"/workbench/governance/zombies/{case.pk}/self_check/", {"answer": "可并入一体化平台"})
    office.post(
        f"/workbench/governance/zombies/{case.pk}/decide/",
        {"decision": "consolidate", "into": into.pk, "opinion": "同意整合"},
    )
    case.refresh_from_db()
    system.refresh_from_db()
    assert case.state == ZombieCase.State.CONSOLIDATED and system.consolidated_into == into
