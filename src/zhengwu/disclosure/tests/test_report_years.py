"""A year's annual report is public only once the year has ended (docs/rules.md §4, Arts. 49–50)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from zhengwu.accounts.models import Department
from zhengwu.core import workdays
from zhengwu.core.errors import ApplicationError
from zhengwu.disclosure import reports

pytestmark = pytest.mark.django_db


def test_this_years_report_is_not_public_before_the_year_ends(market_dept: Department) -> None:
    this_year = workdays.today().year
    for url in (
        f"/disclosure/reports/{market_dept.pk}/{this_year}/",
        f"/disclosure/reports/{market_dept.pk}/{this_year}.xlsx",
    ):
        response = Client().get(url)
        assert response.status_code == 404, url
    assert "年度结束后" in Client().get(f"/disclosure/reports/{market_dept.pk}/{this_year}/").content.decode()
    assert Client().get(f"/disclosure/reports/{market_dept.pk}/{this_year - 1}/").status_code == 200
    assert f"{this_year} 年度" not in Client().get("/disclosure/reports/").content.decode()


def test_the_rule_by_date() -> None:
    with pytest.raises(ApplicationError) as caught:
        reports.check_public(2026, date(2026, 12, 7))
    assert caught.value.code == "disclosure.report_not_due" and "2027 年 1 月 1 日" in caught.value.message
    reports.check_public(2026, date(2027, 1, 1))
    assert reports.public_years(date(2026, 12, 7)) == [2025, 2024, 2023]
