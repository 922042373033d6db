"""Working days: the State Council arrangements of 2025 and 2026 (from chinese-calendar), an
administrator's override for 2027, the Monday–Friday fallback, and the `workdays` command."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from zhengwu.core import workdays
from zhengwu.core.models import WorkdayOverride
from zhengwu.core.workdays import add_workdays, is_workday, next_workday, workdays_between

D = date


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rolled-back overrides must not outlive their test in the per-process cache."""
    workdays.invalidate_cache()
    yield
    workdays.invalidate_cache()


def override(day: date, working: bool, reason: str = "测试") -> WorkdayOverride:
    row = WorkdayOverride.objects.create(date=day, is_workday=working, reason=reason)
    workdays.invalidate_cache()
    return row


# --- 春节 2025: holiday 01-28..02-04; 调休 Sunday 01-26 and Saturday 02-08 ---------------------


@pytest.mark.django_db
def test_spring_festival_2025_holidays_and_adjusted_working_days() -> None:
    holiday = [D(2025, 1, 28) + timedelta(days=i) for i in range(8)]
    assert holiday[-1] == D(2025, 2, 4)
    assert not any(is_workday(day) for day in holiday)
    assert is_workday(D(2025, 1, 26))  # Sunday, 调休上班
    assert is_workday(D(2025, 2, 8))  # Saturday, 调休上班
    assert not is_workday(D(2025, 1, 25))  # ordinary Saturday
    assert not is_workday(D(2025, 2, 9))  # ordinary Sunday
    assert is_workday(D(2025, 1, 27)) and is_workday(D(2025, 2, 5))


@pytest.mark.django_db
def test_add_workdays_over_spring_festival_2025() -> None:
    start = D(2025, 1, 24)  # Friday
    expected = {
        0: D(2025, 1, 24),
        1: D(2025, 1, 26),  # the 调休 Sunday
        2: D(2025, 1, 27),
        3: D(2025, 2, 5),  # the first day after the holiday
        4: D(2025, 2, 6),
        5: D(2025, 2, 7),
        6: D(2025, 2, 8),  # the 调休 Saturday
        7: D(2025, 2, 10),
    }
    for n, day in expected.items():
        assert add_workdays(start, n) == day, n
        assert workdays_between(start, day) == n
    assert workdays_between(D(2025, 2, 10), start) == -7
    assert next_workday(D(2025, 1, 27)) == D(2025, 2, 5)
    assert next_workday(D(2025, 1, 30)) == D(2025, 2, 5)


@pytest.mark.django_db
def test_day_zero_may_be_a_holiday() -> None:
    assert add_workdays(D(2025, 1, 29), 0) == D(2025, 1, 29)
    assert add_workdays(D(2025, 1, 29), 1) == D(2025, 2, 5)
    assert workdays_between(D(2025, 1, 29), D(2025, 1, 29)) == 0
    assert workdays_between(D(2025, 1, 28), D(2025, 2, 4)) == 0


@pytest.mark.django_db
def test_negative_n_counts_backwards() -> None:
    assert add_workdays(D(2025, 2, 5), -1) == D(2025, 1, 27)
    assert add_workdays(D(2025, 2, 5), -2) == D(2025, 1, 26)
    assert add_workdays(D(2025, 2, 5), -3) == D(2025, 1, 24)


# --- 国庆 2025: holiday 10-01..10-08; 调休 Sunday 09-28 and Saturday 10-11 ----------------------


@pytest.mark.django_db
def test_national_day_2025() -> None:
    assert not any(is_workday(D(2025, 10, day)) for day in range(1, 9))
    assert is_workday(D(2025, 9, 28)) and is_workday(D(2025, 10, 11))
    assert add_workdays(D(2025, 9, 26), 1) == D(2025, 9, 28)
    assert add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert add_workdays(D(2025, 9, 30), 3) == D(2025, 10, 11)
    assert add_workdays(D(2025, 9, 22), 10) == D(2025, 10, 11)
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 8)) == 0
    assert workdays_between(D(2025, 9, 29), D(2025, 10, 10)) == 3


# --- 2026 from the package -------------------------------------------------------------------


@pytest.mark.django_db
def test_spring_festival_2026_from_the_package() -> None:
    # 2026: holiday 02-15..02-23, 调休 Saturdays 02-14 and 02-28.
    assert is_workday(D(2026, 2, 14)) and is_workday(D(2026, 2, 28))
    assert not any(is_workday(D(2026, 2, day)) for day in range(15, 24))
    assert add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert workdays.workday_source(D(2026, 2, 16)) == (False, "chinese_calendar", "春节")
    assert workdays.workday_source(D(2026, 2, 14)) == (True, "chinese_calendar", "春节")


@pytest.mark.django_db
def test_round_trip_over_two_years() -> None:
    start = D(2025, 1, 1)
    for offset in range(0, 700, 17):
        day = start + timedelta(days=offset)
        for n in (0, 1, 5, 20):
            assert workdays_between(day, add_workdays(day, n)) == n


# --- overrides (2027 and local closures) ------------------------------------------------------


@pytest.mark.django_db
def test_override_for_2027_wins_and_is_cached_per_year(django_assert_num_queries: Any, caplog: Any) -> None:
    override(D(2027, 2, 8), False, "2027年春节假期")  # a Monday
    override(D(2027, 2, 20), True, "春节调休上班")  # a Saturday
    with django_assert_num_queries(1):  # one query for the whole of 2027
        assert not is_workday(D(2027, 2, 8))
        assert is_workday(D(2027, 2, 20))
        assert is_workday(D(2027, 2, 9))  # no override: Monday–Friday
        assert add_workdays(D(2027, 2, 5), 1) == D(2027, 2, 9)
        assert add_workdays(D(2027, 2, 19), 1) == D(2027, 2, 20)
    assert workdays.workday_source(D(2027, 2, 8)) == (False, "override", "2027年春节假期")


@pytest.mark.django_db
def test_override_beats_chinese_calendar_and_cache_needs_invalidation() -> None:
    monday = D(2025, 10, 13)
    assert is_workday(monday)
    WorkdayOverride.objects.create(date=monday, is_workday=False, reason="台风停工")
    assert is_workday(monday)  # cached until invalidated
    workdays.invalidate_cache()
    assert not is_workday(monday)
    assert add_workdays(D(2025, 10, 11), 1) == D(2025, 10, 14)


@pytest.mark.django_db
def test_cache_expires_so_other_processes_see_changes(settings: Any) -> None:
    settings.WORKDAY_CACHE_SECONDS = 0
    monday = D(2025, 10, 13)
    assert is_workday(monday)
    WorkdayOverride.objects.create(date=monday, is_workday=False, reason="台风停工")
    assert not is_workday(monday)


# --- the fallback ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_fallback_year_is_monday_to_friday_and_warns_once(caplog: Any) -> None:
    caplog.set_level(logging.WARNING, logger="zhengwu.core.workdays")
    assert is_workday(D(2030, 1, 1))  # a Tuesday: no data, so a working day
    assert not is_workday(D(2030, 1, 5))  # Saturday
    assert add_workdays(D(2030, 1, 4), 1) == D(2030, 1, 7)
    assert workdays_between(D(2030, 1, 1), D(2030, 1, 31)) == 22
    warnings = [r for r in caplog.records if "2030" in r.getMessage()]
    assert len(warnings) == 1
    assert workdays.workday_source(D(2030, 1, 1)) == (True, "fallback", "")
    assert is_workday(D(2003, 6, 2)) and not is_workday(D(2003, 6, 1))  # before the package, too


@pytest.mark.django_db
def test_span_across_covered_and_fallback_years() -> None:
    # 2026-12-31 is a Thursday; 2027 has no data and no override here.
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert add_workdays(D(2026, 12, 31), 2) == D(2027, 1, 4)


def test_today_is_beijing_time() -> None:
    utc = ZoneInfo("UTC")
    assert workdays.today(datetime(2025, 1, 1, 16, 30, tzinfo=utc)) == D(2025, 1, 2)
    assert workdays.today(datetime(2025, 1, 1, 15, 59, tzinfo=utc)) == D(2025, 1, 1)


@pytest.mark.django_db
def test_datetimes_are_taken_as_their_beijing_day() -> None:
    moment = datetime(2025, 1, 25, 17, 0, tzinfo=ZoneInfo("UTC"))  # Sunday 26th 01:00 in Beijing
    assert is_workday(moment)


# --- the `workdays` command -----------------------------------------------------------------


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "holidays.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.django_db
def test_load_writes_all_rows(tmp_path: Path, capsys: Any) -> None:
    path = _csv(
        tmp_path,
        "\ufeffdate,is_workday,reason\n2027-02-08,否,2027年春节假期\n2027-02-20,是,春节调休上班\n\n2027-10-01,0,国庆节\n",
    )
    call_command("workdays", "load", str(path))
    rows = {(o.date, o.is_workday, o.reason) for o in WorkdayOverride.objects.all()}
    assert rows == {
        (D(2027, 2, 8), False, "2027年春节假期"),
        (D(2027, 2, 20), True, "春节调休上班"),
        (D(2027, 10, 1), False, "国庆节"),
    }
    assert not is_workday(D(2027, 2, 8))
    assert "已导入 3 条" in capsys.readouterr().out


@pytest.mark.django_db
def test_load_reads_gbk_from_excel(tmp_path: Path) -> None:
    path = _csv(tmp_path, "date,is_workday,reason\r\n2027-02-08,休,春节\r\n", encoding="gbk")
    call_command("workdays", "load", str(path))
    assert WorkdayOverride.objects.get().reason == "春节"


@pytest.mark.django_db
def test_load_is_all_or_nothing_with_line_numbers(tmp_path: Path) -> None:
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, reason="元旦")
    path = _csv(
        tmp_path,
        "date,is_workday,reason\n"
        "2027-02-08,否,春节\n"  # line 2: fine
        "2027-02-30,否,春节\n"  # line 3: no such day
        "2027-02-09,也许,春节\n"  # line 4: not yes/no
        "2027-02-10,否,\n"  # line 5: no reason
        "2027-02-08,是,调休\n",  # line 6: repeats line 2
    )
    with pytest.raises(CommandError) as caught:
        call_command("workdays", "load", str(path))
    message = str(caught.value)
    assert "第 3 行" in message and "2027-02-30" in message
    assert "第 4 行" in message and "也许" in message
    assert "第 5 行" in message and "缺少原因" in message
    assert "第 6 行" in message and "与第 2 行重复" in message
    assert "第 2 行" not in message.replace("与第 2 行", "")
    assert list(WorkdayOverride.objects.values_list("date", flat=True)) == [D(2027, 1, 1)]


@pytest.mark.django_db
def test_load_rejects_a_wrong_header_and_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="第 1 行：表头"):
        call_command("workdays", "load", str(_csv(tmp_path, "日期,上班,原因\n2027-02-08,否,春节\n")))
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("workdays", "load", str(tmp_path / "none.csv"))
    assert not WorkdayOverride.objects.exists()


@pytest.mark.django_db
def test_load_as_a_named_administrator(tmp_path: Path, sys_admin: Any, market_clerk: Any) -> None:
    path = _csv(tmp_path, "date,is_workday,reason\n2027-02-08,否,春节\n")
    with pytest.raises(CommandError, match="只有系统管理员"):
        call_command("workdays", "load", str(path), "--actor", market_clerk.username)
    with pytest.raises(CommandError, match="不存在"):
        call_command("workdays", "load", str(path), "--actor", "nobody")
    assert not WorkdayOverride.objects.exists()
    call_command("workdays", "load", str(path), "--actor", sys_admin.username)
    assert WorkdayOverride.objects.get().created_by == sys_admin


@pytest.mark.django_db
def test_show_lists_holidays_and_adjusted_days(capsys: Any) -> None:
    call_command("workdays", "show", "2025")
    out = capsys.readouterr().out
    assert "2025 年：工作日 248 天" in out
    assert "2025-01-26 周日 上班  春节（国务院安排）" in out
    assert "2025-01-28 周二 休息  春节（国务院安排）" in out
    assert "2025-10-11 周六 上班  国庆节（国务院安排）" in out
    assert "2025-01-25" not in out  # an ordinary weekend is not listed


@pytest.mark.django_db
def test_show_warns_for_a_year_without_data(capsys: Any) -> None:
    override(D(2030, 2, 4), False, "春节")
    call_command("workdays", "show", "2030")
    out = capsys.readouterr().out
    assert "尚未完整导入" in out
    assert "2030-02-04 周一 休息  春节（管理员调整）" in out
