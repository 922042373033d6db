"""The letter cycle (docs/rules.md §6) as supervision timers, its refusals, masking and duplicates."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.participation import rules, selectors, services
from zhengwu.participation.models import Letter
from zhengwu.participation.tests.conftest import acting, submit
from zhengwu.supervision.models import Timer
from zhengwu.supervision.selectors import timer_for

pytestmark = pytest.mark.django_db


def _timer(letter: Letter, kind: str) -> Timer:
    timer = timer_for(letter, kind)
    assert timer is not None, kind
    return timer


def test_submission_starts_a_24_hour_receipt_clock_and_keeps_personal_data_encrypted(
    letter: Letter, office_dept: Department
) -> None:
    receipt = _timer(letter, rules.RECEIPT)
    assert receipt.unit == Timer.Unit.MINUTE and receipt.limit == 24 * 60
    assert receipt.department == office_dept and receipt.is_live
    assert letter.number.startswith("XJ") and letter.writer_name == "张三"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT writer_phone, writer_id_number, writer_address FROM participation_letter WHERE id = %s", [letter.pk]
        )
        raw = cursor.fetchone()
    assert all(value.startswith("sm4g2:") for value in raw)
    assert "13800138000" not in str(raw)


def test_full_cycle_runs_every_stage_timer(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department, citizen: User
) -> None:
    services.letter_accept(actor=Actor.person(egov), letter=letter)
    assert _timer(letter, rules.RECEIPT).state == Timer.State.FINISHED
    assert _timer(letter, rules.DISPATCH).is_live
    services.letter_dispatch(actor=Actor.person(egov), letter=letter, department=market_dept, note="请查处")
    assert _timer(letter, rules.DISPATCH).state == Timer.State.FINISHED
    handling = _timer(letter, rules.HANDLING)
    sign = _timer(letter, rules.SIGN)
    today = workdays.today()
    assert handling.department == market_dept and handling.limit == 5
    assert handling.deadline == workdays.add_workdays(today, 5)
    assert sign.limit == 2 and sign.deadline == workdays.add_workdays(today, 2)
    services.letter_sign(actor=Actor.person(market_clerk), letter=letter)
    assert _timer(letter, rules.SIGN).state == Timer.State.FINISHED
    services.letter_reply(actor=Actor.person(market_clerk), letter=letter, reply="经查，张三反映属实，已责令整改。")
    assert _timer(letter, rules.HANDLING).finished_on_time is True
    assert _timer(letter, rules.COMPLETION).is_live
    services.letter_complete(actor=Actor.person(egov), letter=letter, publish=True)
    assert letter.state == Letter.State.COMPLETED
    assert _timer(letter, rules.CALLBACK).is_live and _timer(letter, rules.RATING).department == market_dept
    services.letter_callback(actor=Actor.person(egov), letter=letter, note="来信人表示满意")
    services.letter_rate(actor=Actor.person(citizen), letter=letter, rating="5", comment="处理及时")
    assert _timer(letter, rules.CALLBACK).state == Timer.State.FINISHED
    assert _timer(letter, rules.RATING).state == Timer.State.FINISHED
    assert [e.action for e in letter.events.all()] == [
        "submit",
        "accept",
        "dispatch",
        "sign",
        "reply",
        "complete",
        "publish",
        "callback",
        "rate",
    ]
    with pytest.raises(ApplicationError) as error:
        services.letter_rate(actor=Actor.person(citizen), letter=letter, rating="1")
    assert error.value.code == "participation.already_rated"


def _dispatched(letter: Letter, egov: User, department: Department) -> Letter:
    return services.letter_dispatch(actor=Actor.person(egov), letter=letter, department=department)


def test_handling_deadline_skips_weekends_and_statutory_holidays(
    letter: Letter, egov: User, market_dept: Department
) -> None:
    # Dispatched on Tuesday 2025-09-30, the last working day before National Day (Oct 1–8 are
    # holidays; Saturday Oct 11 is a 调休 working day).
    _dispatched(letter, egov, market_dept)
    handling = _timer(letter, rules.HANDLING)
    handling.start_date = date(2025, 9, 30)
    handling.started_at = datetime(2025, 9, 30, 9, tzinfo=workdays.CHINA_TZ)
    handling.recompute_schedule()
    handling.save()
    # Oct 9 (Thu) 1, Oct 10 (Fri) 2, Oct 11 (Sat, 调休上班) 3, Oct 13 (Mon) 4, Oct 14 (Tue) 5.
    assert handling.deadline == date(2025, 10, 14)
    # The misroute window of 2 working days started the same day ends on Oct 10, not Oct 2.
    sign = _timer(letter, rules.SIGN)
    sign.start_date = date(2025, 9, 30)
    sign.started_at = handling.started_at
    sign.recompute_schedule()
    sign.save()
    assert sign.deadline == date(2025, 10, 10)
    assert sign.light(date(2025, 10, 8)) != "red" and sign.light(date(2025, 10, 11)) == "red"


def test_extension_once_at_most_ten_working_days_approved_by_the_office(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department
) -> None:
    _dispatched(letter, egov, market_dept)
    before = _timer(letter, rules.HANDLING).deadline
    with pytest.raises(ApplicationError) as too_long:
        services.letter_extension_request(actor=Actor.person(market_clerk), letter=letter, days=11, reason="需现场核查")
    assert too_long.value.code == "participation.invalid_extension"
    services.letter_extension_request(actor=Actor.person(market_clerk), letter=letter, days=10, reason="需现场核查")
    assert _timer(letter, rules.HANDLING).deadline == before  # not before approval
    with pytest.raises(ApplicationError) as twice:
        services.letter_extension_request(actor=Actor.person(market_clerk), letter=letter, days=3, reason="再延")
    assert twice.value.code == "participation.already_extended"
    with pytest.raises(ApplicationError):  # the department cannot approve its own extension
        services.letter_extension_decide(actor=Actor.person(market_clerk), letter=letter, approve=True)
    services.letter_extension_decide(actor=Actor.person(egov), letter=letter, approve=True)
    timer = _timer(letter, rules.HANDLING)
    assert timer.extension_count == 1
    assert timer.deadline == workdays.add_workdays(timer.start_date, 15)
    with pytest.raises(ApplicationError) as again:
        services.letter_extension_request(actor=Actor.person(market_clerk), letter=letter, days=1, reason="还要延")
    assert again.value.code == "participation.already_extended"


def test_misrouted_letter_returns_within_two_working_days_then_is_redispatched(
    letter: Letter, egov: User, police_clerk: User, police_dept: Department, market_dept: Department
) -> None:
    _dispatched(letter, egov, police_dept)
    services.letter_return(actor=Actor.person(police_clerk), letter=letter, reason="属市场监管职责")
    assert letter.state == Letter.State.ACCEPTED and letter.department is None and letter.return_count == 1
    assert _timer(letter, rules.HANDLING).state == Timer.State.CANCELLED
    assert _timer(letter, rules.DISPATCH).is_live
    _dispatched(letter, egov, market_dept)
    assert _timer(letter, rules.HANDLING).department == market_dept


def test_letter_deadlines_of_rules_6_come_from_the_settings(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department, settings: Any
) -> None:
    """ZHENGWU_LETTER_HANDLING_DAYS / _EXTENSION_DAYS / _RETURN_DAYS replace the defaults 5 / 10 / 2."""
    settings.ZHENGWU_LETTER_HANDLING_DAYS = 7
    settings.ZHENGWU_LETTER_EXTENSION_DAYS = 4
    settings.ZHENGWU_LETTER_RETURN_DAYS = 3
    _dispatched(letter, egov, market_dept)
    handling = _timer(letter, rules.HANDLING)
    assert handling.limit == 7 and handling.deadline == workdays.add_workdays(handling.start_date, 7)
    assert _timer(letter, rules.SIGN).limit == 3
    with pytest.raises(ApplicationError) as too_long:
        services.letter_extension_request(actor=Actor.person(market_clerk), letter=letter, days=5, reason="需现场核查")
    assert too_long.value.code == "participation.invalid_extension" and "1 至 4 个工作日" in too_long.value.message
    services.letter_extension_request(actor=Actor.person(market_clerk), letter=letter, days=4, reason="需现场核查")


def test_a_bad_letter_deadline_setting_stops_startup(tmp_path: Path) -> None:
    environ = {**os.environ, "ZHENGWU_DATA_DIR": str(tmp_path / "data"), "ZHENGWU_LETTER_RETURN_DAYS": "0"}
    result = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).with_name("zhengwu")), "help"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2 and "配置错误" in result.stderr and "ZHENGWU_LETTER_RETURN_DAYS" in result.stderr


def test_return_after_two_working_days_is_refused(
    letter: Letter, egov: User, police_clerk: User, police_dept: Department
) -> None:
    _dispatched(letter, egov, police_dept)
    sign = _timer(letter, rules.SIGN)
    sign.start_date = workdays.add_workdays(workdays.today(), -3)
    sign.recompute_schedule()
    sign.save()
    with pytest.raises(ApplicationError) as error:
        services.letter_return(actor=Actor.person(police_clerk), letter=letter, reason="不属本部门")
    assert error.value.code == "participation.return_too_late"
    letter.refresh_from_db()
    assert letter.state == Letter.State.DISPATCHED and letter.department == police_dept


def test_signed_letter_cannot_be_returned(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department
) -> None:
    _dispatched(letter, egov, market_dept)
    services.letter_sign(actor=Actor.person(market_clerk), letter=letter)
    with pytest.raises(ApplicationError) as error:
        services.letter_return(actor=Actor.person(market_clerk), letter=letter, reason="错派")
    assert error.value.code == "participation.wrong_state"


def test_reopen_gives_a_new_handling_period(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department
) -> None:
    _dispatched(letter, egov, market_dept)
    services.letter_reply(actor=Actor.person(market_clerk), letter=letter, reply="已处理")
    services.letter_reopen(actor=Actor.person(egov), letter=letter, reason="答复未说明处理结果")
    assert letter.state == Letter.State.HANDLING and letter.reopen_count == 1
    assert _timer(letter, rules.HANDLING).is_live
    assert _timer(letter, rules.COMPLETION).state == Timer.State.CANCELLED


def test_refusal_matrix_changes_nothing(
    letter: Letter,
    egov: User,
    market_clerk: User,
    police_clerk: User,
    market_dept: Department,
    outsider: User,
    citizen: User,
    supervisor: User,
) -> None:
    # Before dispatch: only the office may accept or dispatch.
    for person in (market_clerk, police_clerk, outsider, citizen, supervisor, None):
        with pytest.raises(ApplicationError) as error:
            services.letter_dispatch(actor=acting(person), letter=letter, department=market_dept)
        assert error.value.code == "core.permission_denied"
    letter.refresh_from_db()
    assert letter.state == Letter.State.SUBMITTED
    _dispatched(letter, egov, market_dept)
    # After dispatch: only the market clerk may sign, reply, return.
    for person in (police_clerk, outsider, citizen, egov, supervisor):
        with pytest.raises(ApplicationError):
            services.letter_reply(actor=acting(person), letter=letter, reply="越权答复")
        with pytest.raises(ApplicationError):
            services.letter_return(actor=acting(person), letter=letter, reason="越权退回")
    letter.refresh_from_db()
    assert letter.state == Letter.State.DISPATCHED and letter.reply == ""
    assert AuditEvent.objects.filter(action="participation.letter.reply", outcome="denied").count() == 5
    services.letter_reply(actor=Actor.person(market_clerk), letter=letter, reply="已处理")
    services.letter_complete(actor=Actor.person(egov), letter=letter)
    # Only the writer rates; another citizen with a wrong code is refused.
    with pytest.raises(ApplicationError):
        services.letter_rate(actor=Actor.person(outsider), letter=letter, rating="1")
    with pytest.raises(ApplicationError):
        services.letter_rate(actor=Actor.person(outsider), letter=letter, rating="1", code="WRONG1")
    letter.refresh_from_db()
    assert letter.rating == ""


def test_staff_visibility(
    letter: Letter, egov: User, market_clerk: User, police_clerk: User, market_dept: Department
) -> None:
    assert list(selectors.letters_for_staff(egov)) == [letter]
    assert list(selectors.letters_for_staff(market_clerk)) == []
    _dispatched(letter, egov, market_dept)
    assert list(selectors.letters_for_staff(market_clerk)) == [letter]
    assert list(selectors.letters_for_staff(police_clerk)) == []
    assert not selectors.staff_may_view(Actor.person(police_clerk), letter)


def test_two_offices_dispatch_at_once_only_one_wins(
    letter: Letter, egov: User, market_dept: Department, police_dept: Department
) -> None:
    stale = Letter.objects.get(pk=letter.pk)
    services.letter_dispatch(actor=Actor.person(egov), letter=letter, department=market_dept)
    with pytest.raises(ApplicationError) as error:
        services.letter_dispatch(actor=Actor.person(egov), letter=stale, department=police_dept)
    assert error.value.code == "participation.wrong_state"
    letter.refresh_from_db()
    assert letter.department == market_dept


def test_published_reply_is_masked_and_needs_consent(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department, citizen: User
) -> None:
    _dispatched(letter, egov, market_dept)
    services.letter_reply(
        actor=Actor.person(market_clerk),
        letter=letter,
        reply="张三您好：已联系您（13800138000，身份证11010519491231002X），将到朝阳区幸福路8号现场核查。",
    )
    services.letter_complete(actor=Actor.person(egov), letter=letter, publish=True)
    assert letter.is_public
    for text in (letter.public_title, letter.public_content, letter.public_reply):
        assert "13800138000" not in text and "11010519491231002X" not in text
        assert "张三" not in text and "幸福路8号" not in text
    assert "138****8000" in letter.public_reply and "张*" in letter.public_reply
    assert "1****************X" in letter.public_reply and "［地址已隐去］" in letter.public_reply
    # Without consent, nothing is published.
    other, _ = submit(Actor.person(citizen), consent_publish=False)
    _dispatched(other, egov, market_dept)
    services.letter_reply(actor=Actor.person(market_clerk), letter=other, reply="答复")
    with pytest.raises(ApplicationError) as error:
        services.letter_complete(actor=Actor.person(egov), letter=other, publish=True)
    assert error.value.code == "participation.no_consent"
    other.refresh_from_db()
    assert other.published_at is None and other.state == Letter.State.REPLIED


def test_duplicate_detection_finds_a_near_duplicate_and_not_an_unrelated_letter(letter: Letter, outsider: User) -> None:
    unrelated, _ = submit(
        Actor.person(outsider), title="咨询社保卡补办", content="社保卡丢失后如何补办？需要带身份证吗？"
    )
    found = selectors.similar_letters(
        title="楼下餐馆油烟扰民", content="小区楼下的餐馆油烟直排，晚上噪声很大，请市场监管部门尽快查处。"
    )
    numbers = [s.letter.number for s in found]
    assert letter.number in numbers
    assert unrelated.number not in numbers


def test_a_short_letter_finds_both_earlier_letters_about_the_same_restaurant(
    citizen: User, outsider: User, egov: User
) -> None:
    """The demo's two letters about 饭店油烟扰民 (one says 餐馆, one says 饭店) and a new short one."""
    long, _ = submit(
        Actor.person(citizen), title="小区门口餐馆油烟扰民",
        content="我住在长春市朝阳区幸福小区，楼下餐馆油烟直排，夜间噪声大，影响居民休息，请市场监管部门查处。",
    )  # fmt: skip
    other, _ = submit(
        Actor.person(outsider), title="楼下饭店油烟直排扰民",
        content="我们小区楼下饭店油烟直排，晚上噪声也大，希望市场监管部门尽快查处。",
    )  # fmt: skip
    unrelated, _ = submit(Actor.person(outsider), title="咨询社保卡补办", content="社保卡丢失后如何补办？")
    new, _ = submit(Actor.person(citizen), title="饭店油烟扰民", content="楼下饭店油烟很大，晚上没法睡觉。")
    numbers = [
        s.letter.number for s in selectors.similar_letters(title=new.title, content=new.content, exclude_pk=new.pk)
    ]
    assert set(numbers) == {long.number, other.number} and unrelated.number not in numbers
    page = staff_client(egov).get(f"/workbench/participation/letters/{new.pk}/").content.decode()
    assert long.number in page and other.number in page and "未发现相似来信" not in page


def test_tracking_by_number_and_code(citizen: User, egov: User) -> None:
    created, code = submit(Actor.person(citizen))
    assert selectors.letter_by_code(created.number, code) == created
    assert selectors.letter_by_code(created.number, code.lower()) == created
    assert selectors.letter_by_code(created.number, "AAAAAA") is None
    assert selectors.letter_by_code("XJ000", code) is None


def test_bad_input_writes_nothing(citizen: User, egov: User, market_clerk: User) -> None:
    for bad in (
        {"title": ""},
        {"kind": "x"},
        {"channel": "y"},
        {"writer_phone": "12345"},
        {"writer_id_number": "110105194912310021"},
    ):
        with pytest.raises(ApplicationError):
            submit(Actor.person(citizen), **bad)
    with pytest.raises(ApplicationError):  # staff do not write letters as themselves
        submit(Actor.person(market_clerk))
    assert Letter.objects.count() == 0
    assert Timer.objects.count() == 0


def test_todo_items_show_each_side_its_work(
    letter: Letter, egov: User, market_clerk: User, police_clerk: User, market_dept: Department
) -> None:
    assert [i.title for i in selectors.todo_items(egov)] == [f"{letter.number} {letter.title}（待受理）"]
    assert selectors.todo_items(egov)[0].light in ("green", "yellow")
    _dispatched(letter, egov, market_dept)
    assert selectors.todo_items(egov) == []
    items = selectors.todo_items(market_clerk)
    assert len(items) == 1 and items[0].deadline is not None
    assert selectors.todo_items(police_clerk) == []


def test_public_search_finds_only_published_letters(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department
) -> None:
    assert selectors.public_search("油烟") == []
    _dispatched(letter, egov, market_dept)
    services.letter_reply(actor=Actor.person(market_clerk), letter=letter, reply="已责令餐馆安装油烟净化设施。")
    services.letter_complete(actor=Actor.person(egov), letter=letter, publish=True)
    hits = selectors.public_search("油烟")
    assert [h.kind_label for h in hits] == ["来信选登"]
    assert selectors.public_search("张三") == []  # the writer's name is masked in public


def test_receipt_overdue_after_24_hours(citizen: User, egov: User) -> None:
    created, _ = submit(Actor.person(citizen))
    timer = _timer(created, rules.RECEIPT)
    assert timer.deadline_at == timer.started_at + timezone.timedelta(minutes=1440)
    assert timer.light(now=timer.started_at + timezone.timedelta(hours=25)) == "red"


def test_unrated_letters_lapse_after_the_rating_period(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department, citizen: User
) -> None:
    _dispatched(letter, egov, market_dept)
    services.letter_reply(actor=Actor.person(market_clerk), letter=letter, reply="已处理")
    services.letter_complete(actor=Actor.person(egov), letter=letter)
    rating = _timer(letter, rules.RATING)
    assert (
        services.letter_ratings_lapse(actor=Actor.platform(), today=rating.deadline) == 0
    )  # the last day still counts
    assert (
        services.letter_ratings_lapse(actor=Actor.platform(), today=rating.deadline + timezone.timedelta(days=1)) == 1
    )
    assert _timer(letter, rules.RATING).state == Timer.State.CANCELLED
    assert letter.events.filter(action="rating_lapse").exists()
    with pytest.raises(ApplicationError):
        services.letter_rate(actor=Actor.person(citizen), letter=letter, rating="4")


def test_a_bad_rating_after_the_call_back_asks_for_another_call_back(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department, citizen: User
) -> None:
    _dispatched(letter, egov, market_dept)
    services.letter_reply(actor=Actor.person(market_clerk), letter=letter, reply="已处理")
    services.letter_complete(actor=Actor.person(egov), letter=letter)
    services.letter_callback(actor=Actor.person(egov), letter=letter, note="已电话回访")
    services.letter_rate(actor=Actor.person(citizen), letter=letter, rating="1", comment="油烟依旧")
    assert letter.state == Letter.State.COMPLETED and letter.is_bad_rating
    assert _timer(letter, rules.CALLBACK).is_live
    services.letter_callback(actor=Actor.person(egov), letter=letter, note="差评回访：已再次督促整改")
    assert letter.state == Letter.State.VISITED
