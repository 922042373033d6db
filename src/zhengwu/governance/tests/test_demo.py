"""`zhengwu demo` adds about forty systems with a year of measured use; the monthly scan (run by
the demo, not marked by hand) finds exactly three zombie candidates."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from zhengwu.core import workdays
from zhengwu.exchange import demo as exchange_demo
from zhengwu.exchange.sharing.models import AccessLog
from zhengwu.governance import evaluation_selectors, selectors
from zhengwu.governance.demo import UNLINKED_CLIENT
from zhengwu.governance.models import InformationSystem, SystemApiClient, ZombieCase, ZombieRule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def test_demo_inventory_and_its_three_zombies() -> None:
    out = StringIO()
    call_command("demo", enterprises=20, stdout=out)
    assert "信息系统清单：" in out.getvalue()
    assert 38 <= InformationSystem.objects.count() <= 45
    cases = {c.system.name: c.rules for c in ZombieCase.objects.select_related("system")}
    assert cases == {
        "体育场馆预约系统（旧版）": [ZombieRule.IDLE],
        "统计数据采集旧平台": [ZombieRule.FEW_USERS],
        "林业有害生物测报系统": [ZombieRule.NO_OM],
    }
    police = SystemApiClient.objects.select_related("system").get(api_client__name=exchange_demo.CLIENT_NAME)
    assert police.system.name == "人口信息管理系统"
    assert not SystemApiClient.objects.filter(api_client__name=UNLINKED_CLIENT).exists()
    market = InformationSystem.objects.get(name="市场主体登记系统")
    usage = selectors.usage_of([market])[market.pk]
    assert all(n > 0 for n in usage.calls[:-1]) and usage.last_call is not None
    calls = AccessLog.objects.count()
    # the back-dated calls (last year's and this year's) are in time order before any call made
    # now, as in a live log: the oldest months start the chain and can be dropped after retention
    times = list(AccessLog.objects.order_by("seq").values_list("at", flat=True))
    assert times == sorted(times) and times[0].year == workdays.today().year - 1
    # the published evaluation is the previous calendar year's, with real, differing figures
    run = evaluation_selectors.latest_published()
    assert run is not None
    last_year = workdays.today().year - 1
    assert (run.period_start, run.period_end) == (date(last_year, 1, 1), date(last_year, 12, 31))
    ranking = evaluation_selectors.ranking(run)
    totals = [r.total for r in ranking]
    assert len(set(totals)) >= 10 and max(totals) < 100  # no department full marks everywhere
    used = run.scores.filter(indicator__measure="sharing.calls_used", numerator__gt=0)
    assert used.values("numerator").distinct().count() >= 3  # several systems, several figures
    late = run.scores.filter(indicator__measure="services.applications_on_time", value__lt=1)
    assert late.exists()
    # last year's calls do not make the system the projects demo registers today look idle
    assert not ZombieCase.objects.filter(system__name="人口户籍业务系统").exists()

    call_command("demo", enterprises=20, stdout=StringIO())
    assert ZombieCase.objects.count() == 3
    assert AccessLog.objects.count() == calls
