"""网上投诉: a citizen files, the supervisor forwards and concludes, the department answers."""

from __future__ import annotations

import pytest
from django.test import Client

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import person_client, staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.supervision import casechecks, oversight, selectors
from zhengwu.supervision.models import Complaint, Timer


def file(citizen: User, department: Department) -> Complaint:
    # Case numbers are checked by the app holding the case (eservices tests cover those); here the
    # complaint names the item only.
    return oversight.complaint_create(
        actor=Actor.person(citizen),
        department=department,
        item="食品经营许可",
        content="窗口超期20天未办结，多次催问无答复。",
    )


@pytest.mark.django_db
def test_complaint_flow_with_timers(
    citizen: User, supervisor: User, market_clerk: User, market_dept: Department
) -> None:
    complaint = file(citizen, market_dept)
    assert complaint.number.startswith(f"TS{workdays.today():%Y%m%d}") and complaint.state == Complaint.State.SUBMITTED
    timer = selectors.timer_for(complaint, oversight.COMPLAINT_TIMER)
    assert timer is not None and timer.limit == 10 and timer.is_live
    assert timer.deadline == workdays.add_workdays(workdays.today(), 10)
    assert file(citizen, market_dept).number.endswith("0002")

    oversight.complaint_forward(actor=Actor.person(supervisor), complaint=complaint, note="请核查并于5个工作日内答复。")
    answer_timer = selectors.timer_for(complaint, oversight.COMPLAINT_ANSWER_TIMER)
    assert answer_timer is not None and answer_timer.department == market_dept and answer_timer.limit == 5
    oversight.complaint_answer(
        actor=Actor.person(market_clerk), complaint=complaint, answer="经核查，已于今日办结并致歉。"
    )
    answer_timer.refresh_from_db()
    assert answer_timer.state == Timer.State.FINISHED
    oversight.complaint_conclude(
        actor=Actor.person(supervisor),
        complaint=complaint,
        finding=Complaint.Finding.UPHELD,
        result="投诉属实，已责令整改并通报。",
    )
    complaint.refresh_from_db()
    timer.refresh_from_db()
    assert complaint.state == Complaint.State.CONCLUDED and timer.state == Timer.State.FINISHED
    assert timer.finished_on_time is True
    actions = set(AuditEvent.objects.filter(target_id=str(complaint.pk)).values_list("action", flat=True))
    assert {
        "supervision.complaint.create",
        "supervision.complaint.forward",
        "supervision.complaint.answer",
        "supervision.complaint.conclude",
    } <= actions
    with pytest.raises(ApplicationError) as error:
        oversight.complaint_conclude(
            actor=Actor.person(supervisor), complaint=complaint, finding="upheld", result="再次"
        )
    assert error.value.code == "supervision.complaint_wrong_state"


@pytest.mark.django_db
def test_concluding_a_forwarded_complaint_cancels_the_department_clock(
    citizen: User, supervisor: User, market_dept: Department
) -> None:
    complaint = file(citizen, market_dept)
    oversight.complaint_forward(actor=Actor.person(supervisor), complaint=complaint, note="请核查")
    oversight.complaint_conclude(
        actor=Actor.person(supervisor), complaint=complaint, finding="not_upheld", result="经调阅记录，不属实。"
    )
    answer_timer = selectors.timer_for(complaint, oversight.COMPLAINT_ANSWER_TIMER)
    assert answer_timer is not None and answer_timer.state == Timer.State.CANCELLED


@pytest.mark.django_db
def test_complaint_refusals_change_nothing(
    citizen: User, outsider: User, supervisor: User, market_clerk: User, police_clerk: User,
    egov: User, market_dept: Department,
) -> None:  # fmt: skip
    for actor in (Actor.person(market_clerk), Actor.person(supervisor), Actor.anonymous()):  # staff: not on the portal
        with pytest.raises(ApplicationError):
            oversight.complaint_create(actor=actor, department=market_dept, item="食品经营许可", content="慢")
    for kwargs in (
        {"content": ""},
        {"content": "慢", "item": "", "case_number": ""},
        {"content": "x" * 4001, "item": "a"},
    ):
        with pytest.raises(ApplicationError) as error:
            oversight.complaint_create(
                actor=Actor.person(citizen), department=market_dept, **{"item": "许可", **kwargs}
            )
        assert error.value.code == "supervision.complaint_invalid"
    with pytest.raises(ApplicationError):
        oversight.complaint_create(actor=Actor.person(citizen), department=None, item="许可", content="慢")
    assert not Complaint.objects.exists() and not Timer.objects.exists()

    complaint = file(citizen, market_dept)
    for person in (market_clerk, police_clerk, egov, citizen, outsider):
        with pytest.raises(ApplicationError) as error:
            oversight.complaint_forward(actor=Actor.person(person), complaint=complaint, note="转")
        assert error.value.code == "core.permission_denied"
        with pytest.raises(ApplicationError):
            oversight.complaint_conclude(actor=Actor.person(person), complaint=complaint, finding="upheld", result="结")
    with pytest.raises(ApplicationError):  # not forwarded yet: the department may not answer
        oversight.complaint_answer(actor=Actor.person(market_clerk), complaint=complaint, answer="答")
    oversight.complaint_forward(actor=Actor.person(supervisor), complaint=complaint, note="转")
    for person in (police_clerk, supervisor, citizen, outsider):
        with pytest.raises(ApplicationError) as error:
            oversight.complaint_answer(actor=Actor.person(person), complaint=complaint, answer="答")
        assert error.value.code == "core.permission_denied"
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.FORWARDED and complaint.answer == ""


@pytest.mark.django_db
def test_portal_form_and_my_complaints(
    citizen: User, outsider: User, market_dept: Department, market_clerk: User
) -> None:
    client = person_client(citizen)
    form = client.get("/supervision/complaints/new/")
    assert form.status_code == 200 and "被投诉单位" in form.content.decode()
    bad = client.post("/supervision/complaints/new/", {"department": market_dept.pk, "content": "慢"})
    assert bad.status_code == 200 and "至少" in bad.content.decode() and not Complaint.objects.exists()
    response = client.post(
        "/supervision/complaints/new/",
        {"department": market_dept.pk, "case_number": "", "item": "食品经营许可", "content": "超期未办结"},
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supervision/complaints/{complaint.number}/"
    assert complaint.number in client.get("/supervision/complaints/").content.decode()
    assert "超期未办结" in client.get(f"/supervision/complaints/{complaint.number}/").content.decode()
    assert person_client(outsider).get(f"/supervision/complaints/{complaint.number}/").status_code == 404
    assert complaint.number not in person_client(outsider).get("/supervision/complaints/").content.decode()
    assert Client().get("/supervision/complaints/new/").status_code == 302
    assert staff_client(market_clerk).get("/supervision/complaints/new/").status_code == 404


@pytest.mark.django_db
def test_workbench_complaint_pages(
    citizen: User, supervisor: User, market_clerk: User, police_clerk: User, market_dept: Department
) -> None:
    complaint = file(citizen, market_dept)
    boss = staff_client(supervisor)
    assert complaint.number in boss.get("/workbench/supervision/complaints/").content.decode()
    # the department sees the complaint only once it is forwarded to it
    clerk = staff_client(market_clerk)
    assert clerk.get(f"/workbench/supervision/complaints/{complaint.pk}/").status_code == 404
    assert (
        boss.post(f"/workbench/supervision/complaints/{complaint.pk}/forward/", {"note": "请核查"}).status_code == 302
    )
    assert clerk.get(f"/workbench/supervision/complaints/{complaint.pk}/").status_code == 200
    assert staff_client(police_clerk).get(f"/workbench/supervision/complaints/{complaint.pk}/").status_code == 404
    assert (
        staff_client(police_clerk)
        .post(f"/workbench/supervision/complaints/{complaint.pk}/answer/", {"answer": "答"})
        .status_code
        == 404
    )
    assert (
        clerk.post(f"/workbench/supervision/complaints/{complaint.pk}/answer/", {"answer": "已核查办结"}).status_code
        == 302
    )
    assert (
        clerk.post(
            f"/workbench/supervision/complaints/{complaint.pk}/conclude/", {"finding": "upheld", "result": "x"}
        ).status_code
        == 403
    )
    bad = boss.post(f"/workbench/supervision/complaints/{complaint.pk}/conclude/", {"finding": "bogus", "result": ""})
    assert bad.status_code == 200
    done = boss.post(
        f"/workbench/supervision/complaints/{complaint.pk}/conclude/",
        {"finding": "partly", "result": "部分属实，已整改。"},
    )
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.CONCLUDED
    assert (
        "部分属实，已整改。"
        in person_client(citizen).get(f"/supervision/complaints/{complaint.number}/").content.decode()
    )
    assert person_client(citizen).get("/workbench/supervision/complaints/").status_code == 403


@pytest.mark.django_db
def test_a_case_number_must_name_one_of_the_complainants_own_cases(
    citizen: User, outsider: User, market_dept: Department, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registry in isolation: a stand-in for the app that holds the cases."""
    for name in casechecks.registered_checkers():
        monkeypatch.delitem(casechecks._checkers, name)
    kept = oversight.complaint_create(
        actor=Actor.person(citizen), department=market_dept, case_number=" sp001 ", content="慢"
    )
    assert kept.case_number == "sp001"  # no app knows case numbers: kept as typed

    def cases_of_zhang(complainant: User, number: str) -> str | None:
        return "SP001" if complainant == citizen and number.upper() == "SP001" else None

    casechecks.register_case_checker("tests", cases_of_zhang)
    assert (
        oversight.complaint_create(
            actor=Actor.person(citizen), department=market_dept, case_number="sp001", content="慢"
        ).case_number
        == "SP001"
    )
    successes = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.SUCCESS)
    before = (Complaint.objects.count(), Timer.objects.count(), successes.count())
    for who, number in ((citizen, "SP999"), (outsider, "SP001")):
        with pytest.raises(ApplicationError) as error:
            oversight.complaint_create(
                actor=Actor.person(who), department=market_dept, case_number=number, content="慢"
            )
        assert error.value.code == "supervision.complaint_unknown_case"
        assert "不存在或不是您本人申请的办件" in error.value.message and "case_number" in error.value.fields
    assert (Complaint.objects.count(), Timer.objects.count(), successes.count()) == before
    assert AuditEvent.objects.filter(action="supervision.complaint.create", outcome="failure").count() == 2
