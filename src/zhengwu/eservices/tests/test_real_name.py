"""Registration checks a person against 公安厅's 人口基础信息 base and never writes to it (一数一源,
docs/rules.md §5); an unverified account may not apply for a service; a taken ID number is not
revealed to someone without the phone's SMS code (no account enumeration)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from zhengwu.accounts import services as accounts
from zhengwu.accounts import sms
from zhengwu.accounts.errors import AccountsError
from zhengwu.accounts.models import Department, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import PASSWORD
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.disclosure import services as disclosure
from zhengwu.eservices import services
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import ServiceItem
from zhengwu.eservices.tests.conftest import CITIZEN_ID, GOOD_FORM, upload
from zhengwu.exchange.sharing import fetch
from zhengwu.exchange.sharing.models import AccessLog
from zhengwu.exchange.sharing.selectors import reads_of_citizen
from zhengwu.exchange.store import tables as store
from zhengwu.participation import services as participation

pytestmark = pytest.mark.django_db

VISITOR = Actor.anonymous(ip="192.0.2.20")
UNKNOWN_ID = "110101199003074514"  # valid, not in the base


def _code(phone: str) -> str:
    sms.outbox.clear()
    accounts.phone_code_send(actor=VISITOR, phone=phone)
    return sms.outbox[-1][1].split("验证码是 ")[1][:6]


def _register(username: str, name: str, id_number: str, phone: str, code: str | None = None) -> User:
    return accounts.citizen_register(
        actor=VISITOR,
        username=username,
        real_name=name,
        id_number=id_number,
        phone=phone,
        phone_code=code if code is not None else _code(phone),
        password=PASSWORD,
    )


def test_a_person_the_base_knows_is_verified_by_a_logged_read(bases: dict[str, Any]) -> None:
    person = bases["person"]
    before = store.count_records(person)
    user = _register("zhangsan01", "张三", CITIZEN_ID, "13900002001")
    assert user.identity_verified
    assert store.count_records(person) == before
    entry = AccessLog.objects.order_by("-seq").first()
    assert entry is not None and entry.consumer_label == fetch.PLATFORM_LABEL
    assert entry.purpose == fetch.IDENTITY_PURPOSE and entry.item_codes == ["name"]
    assert CITIZEN_ID not in str(entry.keys)  # masked
    # The person sees the check among the uses of their data.
    assert any(read.department == fetch.PLATFORM_LABEL for read in reads_of_citizen(user))


@pytest.mark.parametrize(
    ("name", "id_number"),
    [("<script>alert(1)</script>", UNKNOWN_ID), ("李四", UNKNOWN_ID), ("<script>alert(1)</script>", CITIZEN_ID)],
)
def test_registration_never_writes_to_the_base(bases: dict[str, Any], name: str, id_number: str) -> None:
    person = bases["person"]
    before = store.count_records(person)
    user = _register("someone01", name, id_number, "13900002002")
    assert not user.identity_verified  # unknown, or known under another name
    assert store.count_records(person) == before
    assert store.get_record(person, UNKNOWN_ID) is None
    assert store.get_record(person, CITIZEN_ID)["name"] == "张三"  # type: ignore[index]


def test_without_a_published_base_nobody_is_verified() -> None:
    assert not _register("nobase01", "张三", CITIZEN_ID, "13900002003").identity_verified


def test_an_unverified_citizen_cannot_apply_for_a_service(item: ServiceItem, bases: dict[str, Any]) -> None:
    user = _register("unverified01", "王二", UNKNOWN_ID, "13900002004")
    design = item.materials.get(name="建设工程设计方案")
    error, event = refused_write(
        lambda: services.application_submit(
            actor=Actor.person(user), item=item, data=GOOD_FORM, files={design.pk: upload()}
        ),
        apps=["eservices"],
        code=EservicesError.IDENTITY_UNVERIFIED,
    )
    assert "实名核验" in error.message and error.status == 403
    assert event.action == "eservices.application_submit"


def test_an_unverified_citizen_writes_letters_files_requests_and_answers_surveys(
    bases: dict[str, Any], market_clerk: User, market_dept: Department, egov: User
) -> None:
    """The issue's line: a person unknown to the base may write letters, file disclosure requests and
    answer surveys, only the services that need real-name identity are refused."""
    user = _register("unverified02", "王二", UNKNOWN_ID, "13900002006")
    assert not user.identity_verified
    actor = Actor.person(user)
    letter, _ = participation.letter_submit(
        actor=actor, channel="mayor", kind="complain", title="路灯不亮", content="幸福路路灯坏了。"
    )
    assert letter.writer_id == user.pk
    request = disclosure.request_submit_online(
        actor=actor, department=market_dept, description="请公开2026年食品抽检结果。"
    )
    assert request.applicant_id == user.pk
    today = workdays.today()
    survey = participation.survey_create(
        actor=Actor.person(market_clerk),
        title="政务服务满意度调查",
        intro="",
        questions="单选：您是否使用过网上办事？ | 经常 | 从未",
        opens_on=today,
        closes_on=today + timedelta(days=7),
    )
    survey = participation.survey_open(actor=Actor.person(market_clerk), survey=survey)
    question = survey.questions.get()
    response = participation.survey_answer(actor=actor, survey=survey, answers={question.pk: "0"})
    assert response.survey_id == survey.pk


def test_a_verified_citizen_still_applies(item: ServiceItem, bases: dict[str, Any]) -> None:
    user = _register("zhangsan02", "张三", CITIZEN_ID, "13900002005")
    design = item.materials.get(name="建设工程设计方案")
    application = services.application_submit(
        actor=Actor.person(user), item=item, data=GOOD_FORM, files={design.pk: upload()}
    )
    assert application.applicant_id == user.pk


def _refusal(username: str, id_number: str, phone: str, code: str) -> tuple[str, str, dict[str, str], int]:
    with pytest.raises(ApplicationError) as caught:
        _register(username, "某人", id_number, phone, code)
    error = caught.value
    return str(error.code), error.message, dict(error.fields), error.status


def test_a_taken_id_number_with_a_wrong_code_answers_as_a_new_one(citizen: User) -> None:
    real = _code("13900002006")
    wrong = "000000" if real != "000000" else "111111"
    taken = _refusal("newcomer01", CITIZEN_ID, "13900002006", wrong)  # the cast's 张三 holds it
    fresh = _refusal("newcomer02", UNKNOWN_ID, "13900002006", wrong)
    assert taken == fresh
    assert taken[0] == AccountsError.WRONG_CODE and "已注册" not in taken[1]
    # A taken username with a wrong code: the same answer again.
    assert _refusal(citizen.username, UNKNOWN_ID, "13900002006", wrong) == fresh


def test_a_taken_id_number_with_the_right_code_is_told(citizen: User) -> None:
    code, _, fields, _ = _refusal("newcomer03", CITIZEN_ID, "13900002007", _code("13900002007"))
    assert code == AccountsError.ID_REGISTERED and fields == {"id_number": "已注册"}
