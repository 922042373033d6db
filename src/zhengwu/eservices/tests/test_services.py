"""The service layer of 网上办事: the whole flow, deadlines across holidays and pauses, refusals,
concurrency, once-only fetch and ratings."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, time
from typing import Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.eservices import selectors, services
from zhengwu.eservices.models import (
    Application,
    ApplicationMaterial,
    CaseTask,
    Notification,
    Rating,
    Rectification,
    ServiceItem,
)
from zhengwu.eservices.tests.conftest import GOOD_FORM, PDF, PNG, make_item, upload
from zhengwu.exchange.sharing.models import AccessLog
from zhengwu.supervision import scorecards
from zhengwu.supervision.models import Timer
from zhengwu.supervision.selectors import timer_for

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=workdays.CHINA_TZ)


def submit(citizen: User, item: ServiceItem, when: datetime | None = None, **form: Any) -> Application:
    design = item.materials.get(name="建设工程设计方案")
    return services.application_submit(
        actor=Actor.person(citizen), item=item, data={**GOOD_FORM, **form}, files={design.pk: upload()}, when=when
    )


def snapshot(application: Application) -> dict[str, Any]:
    application.refresh_from_db()
    return {
        "app": model_to_dict(application),
        "tasks": list(application.tasks.values()),
        "timers": list(Timer.objects.values("id", "state", "deadline", "paused_workdays")),
        "materials": application.materials.count(),
    }


def _task(application: Application, department: Department) -> CaseTask:
    return application.tasks.get(department=department)


# --- the whole flow --------------------------------------------------------------------------


def test_full_flow_with_parallel_stage_and_once_only_fetch(
    citizen: User,
    item: ServiceItem,
    market_clerk: User,
    nature_clerk: User,
    housing_clerk: User,
    nature_dept: Department,
    housing_dept: Department,
    market_dept: Department,
) -> None:
    application = submit(citizen, item)
    assert application.number.startswith(f"{workdays.today().year}-SCJG-")
    assert len(application.verify_code) == 6
    assert application.state == Application.State.SUBMITTED
    # The name came from the 人口 base, not from the applicant; the ID proof was fetched.
    assert application.data["applicant_name"] == "张三"
    assert application.data["area"] == "1200.5"
    fetched = application.materials.get(fetched=True)
    assert fetched.material.name == "申请人身份证明"
    assert fetched.fetched_data["name"] == "张三"
    uploaded = application.materials.get(fetched=False)
    assert uploaded.sm3 and len(uploaded.sm3) == 64 and bytes(uploaded.content) == PDF
    # The read is in the exchange access log, with the purpose and the citizen's blind index.
    log = AccessLog.objects.filter(consumer=market_dept, resource__code=services.PERSON_BASE).latest("seq")
    assert "建设工程规划许可证核发" in log.purpose and log.outcome == AccessLog.Outcome.OK
    assert citizen.id_number_index in log.key_indexes
    timer = timer_for(application, services.TIMER_APPLICATION)
    assert timer is not None and timer.limit == 10 and timer.state == Timer.State.RUNNING

    services.application_accept(actor=Actor.person(market_clerk), application=application)
    application.refresh_from_db()
    assert application.state == Application.State.PROCESSING and application.current_stage == 1
    first = _task(application, market_dept)
    services.task_complete(actor=Actor.person(market_clerk), task=first, approve=True, opinion="规划条件相符")
    application.refresh_from_db()
    assert application.current_stage == 2
    assert set(application.tasks.filter(state=CaseTask.State.OPEN).values_list("department", flat=True)) == {
        nature_dept.pk,
        housing_dept.pk,
    }
    # Each parallel task has its own clock.
    for dept in (nature_dept, housing_dept):
        task_timer = timer_for(_task(application, dept), services.TIMER_TASK)
        assert task_timer is not None and task_timer.limit == 3 and task_timer.is_live
    services.task_complete(
        actor=Actor.person(nature_clerk), task=_task(application, nature_dept), approve=True, opinion=""
    )
    application.refresh_from_db()
    assert application.state == Application.State.PROCESSING  # 住建厅 still reviewing
    services.task_complete(
        actor=Actor.person(housing_clerk), task=_task(application, housing_dept), approve=True, opinion="同意"
    )
    application.refresh_from_db()
    assert application.state == Application.State.DECIDING
    services.application_decide(actor=Actor.person(market_clerk), application=application, approve=True)
    application.refresh_from_db()
    assert application.state == Application.State.APPROVED and application.decided_at is not None
    timer = timer_for(application, services.TIMER_APPLICATION)
    assert timer is not None and timer.state == Timer.State.FINISHED and timer.finished_on_time
    kinds = list(selectors.timeline(application).values_list("kind", flat=True))
    assert kinds[:3] == ["submit", "accept", "stage"] and kinds[-1] == "decide"
    assert Notification.objects.filter(user=citizen, application=application).count() >= 3
    assert AuditEvent.objects.filter(action="eservices.application_decide").exists()

    rating = services.rating_create(
        actor=Actor.person(citizen),
        application=application,
        data=services.RatingData(level=5, overall=5, efficiency=5, guide_accuracy=4, convenience=5, usability=5),
    )
    assert not rating.is_bad and not Rectification.objects.exists()
    with pytest.raises(ApplicationError) as error:
        services.rating_create(
            actor=Actor.person(citizen),
            application=application,
            data=services.RatingData(level=1, overall=1, efficiency=1, guide_accuracy=1, convenience=1, usability=1),
        )
    assert error.value.code == "eservices.already_rated"


def test_an_enterprise_gets_its_registration_from_the_legal_base(
    company: User, market_dept: Department, nature_dept: Department, housing_dept: Department, bases: Any
) -> None:
    item = services.item_create(
        actor=Actor.platform(),
        department=market_dept,
        data=__import__("zhengwu.eservices.tests.conftest", fromlist=["item_data"]).item_data(
            audience="legal", impl_code="X-LEGAL-1", name="食品经营许可"
        ),
        materials=[services.MaterialSpec(name="营业执照", source="base", base_resource_code=services.LEGAL_BASE)],
        fields=[services.FieldSpec(code="org_name", label="经营者名称", required=True, prefill="legal:org_name")],
        stages=[services.StageSpec(name="审查", tasks=[services.TaskSpec(market_dept, "审查", 5)])],
    )
    item = services.item_publish(actor=Actor.platform(), item=item)
    application = services.application_submit(actor=Actor.person(company), item=item, data={"org_name": "假冒名称"})
    assert application.data["org_name"] == "长春市春城食品有限公司"  # base data wins over what was typed
    assert application.materials.get().fetched
    assert application.applicant_name == "长春市春城食品有限公司"


def test_without_base_record_the_material_must_be_uploaded(outsider: User, item: ServiceItem) -> None:
    outsider.id_number = "11010519491231002X"[:-1] + "X"  # same number, but the base has it: use another
    outsider.id_number = ""
    outsider.save()
    with pytest.raises(ApplicationError) as error:
        submit(outsider, item, applicant_name="路人")
    assert error.value.code == "eservices.material_missing"
    assert "申请人身份证明" in error.value.message
    assert not Application.objects.exists() and not ApplicationMaterial.objects.exists()
    assert not Timer.objects.exists()


# --- deadlines -------------------------------------------------------------------------------


def test_deadline_counts_working_days_across_the_national_day_holiday(citizen: User, item: ServiceItem) -> None:
    # 2026-09-30 (Wed) is day 0; Oct 1–7 are holidays, Oct 10 (Sat) is a 调休 working day.
    application = submit(citizen, item, when=at(date(2026, 9, 30)))
    timer = timer_for(application, services.TIMER_APPLICATION)
    assert timer is not None
    # 10 working days: Oct 8, 9, 10, 12, 13, 14, 15, 16, 19, 20.
    assert timer.deadline == date(2026, 10, 20)
    assert application.number.startswith("2026-SCJG-")


def test_correction_pauses_the_clock_until_the_applicant_answers(
    citizen: User, item: ServiceItem, market_clerk: User
) -> None:
    application = submit(citizen, item, when=at(date(2026, 9, 28)))  # Monday
    before = timer_for(application, services.TIMER_APPLICATION)
    assert before is not None and before.deadline == date(2026, 10, 16)
    services.application_request_correction(
        actor=Actor.person(market_clerk),
        application=application,
        items=["建设工程设计方案缺少总平面图", "建筑面积与方案不一致"],
        when=at(date(2026, 9, 29)),
    )
    application.refresh_from_db()
    assert application.state == Application.State.CORRECTION
    assert application.corrections == ["建设工程设计方案缺少总平面图", "建筑面积与方案不一致"]
    paused = timer_for(application, services.TIMER_APPLICATION)
    assert paused is not None and paused.state == Timer.State.PAUSED
    design = item.materials.get(name="建设工程设计方案")
    services.application_correct(
        actor=Actor.person(citizen),
        application=application,
        data={"area": "1180"},
        files={design.pk: upload("方案-修订.png", PNG)},
        when=at(date(2026, 10, 9)),  # Sept 30, Oct 8, Oct 9: three working days paused
    )
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED
    assert application.data["area"] == "1180" and application.data["applicant_name"] == "张三"
    resumed = timer_for(application, services.TIMER_APPLICATION)
    assert resumed is not None and resumed.state == Timer.State.RUNNING
    assert resumed.paused_workdays == workdays.workdays_between(date(2026, 9, 29), date(2026, 10, 9)) == 3
    assert resumed.deadline == workdays.add_workdays(date(2026, 10, 16), 3) == date(2026, 10, 21)
    # The replaced file stays on record but is no longer current.
    assert application.materials.filter(material=design).count() == 2
    assert application.materials.get(material=design, current=True).file_name == "方案-修订.png"


def test_special_procedure_pauses_the_case_and_the_task(
    citizen: User, item: ServiceItem, market_clerk: User, market_dept: Department
) -> None:
    application = submit(citizen, item, when=at(date(2026, 11, 2)))  # Monday
    services.application_accept(
        actor=Actor.person(market_clerk), application=application, when=at(date(2026, 11, 2), 11)
    )
    task = _task(application, market_dept)
    services.task_special_start(
        actor=Actor.person(market_clerk), task=task, reason="专家评审", when=at(date(2026, 11, 3))
    )
    assert timer_for(application, services.TIMER_APPLICATION).state == Timer.State.PAUSED  # type: ignore[union-attr]
    assert timer_for(task, services.TIMER_TASK).state == Timer.State.PAUSED  # type: ignore[union-attr]
    with pytest.raises(ApplicationError):  # no decision on a task while its special procedure runs
        services.task_complete(actor=Actor.person(market_clerk), task=task, approve=True, opinion="")
    services.task_special_end(actor=Actor.person(market_clerk), task=task, when=at(date(2026, 11, 10)))
    case_timer = timer_for(application, services.TIMER_APPLICATION)
    task_timer = timer_for(task, services.TIMER_TASK)
    assert case_timer is not None and task_timer is not None
    assert case_timer.state == task_timer.state == Timer.State.RUNNING
    assert case_timer.paused_workdays == task_timer.paused_workdays == 5
    assert case_timer.deadline == workdays.add_workdays(date(2026, 11, 2), 10 + 5)
    assert task_timer.deadline == workdays.add_workdays(date(2026, 11, 2), 5 + 5)


def test_an_objection_ends_the_review_and_only_a_denial_can_follow(
    citizen: User,
    item: ServiceItem,
    market_clerk: User,
    nature_clerk: User,
    market_dept: Department,
    nature_dept: Department,
    housing_dept: Department,
) -> None:
    application = submit(citizen, item)
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    services.task_complete(
        actor=Actor.person(market_clerk), task=_task(application, market_dept), approve=True, opinion=""
    )
    with pytest.raises(ApplicationError) as error:
        services.task_complete(
            actor=Actor.person(nature_clerk), task=_task(application, nature_dept), approve=False, opinion=" "
        )
    assert error.value.code == "eservices.reason_required"
    services.task_complete(
        actor=Actor.person(nature_clerk), task=_task(application, nature_dept), approve=False, opinion="占用基本农田"
    )
    application.refresh_from_db()
    assert application.state == Application.State.DECIDING
    housing = _task(application, housing_dept)
    assert housing.state == CaseTask.State.CANCELLED
    assert timer_for(housing, services.TIMER_TASK).state == Timer.State.CANCELLED  # type: ignore[union-attr]
    with pytest.raises(ApplicationError):
        services.application_decide(actor=Actor.person(market_clerk), application=application, approve=True)
    with pytest.raises(ApplicationError):
        services.application_decide(actor=Actor.person(market_clerk), application=application, approve=False, reason="")
    services.application_decide(
        actor=Actor.person(market_clerk), application=application, approve=False, reason="用地不符合规划"
    )
    application.refresh_from_db()
    assert application.state == Application.State.DENIED and application.decision_reason == "用地不符合规划"


def test_refusal_and_withdrawal(citizen: User, item: ServiceItem, market_clerk: User, market_dept: Department) -> None:
    refused = submit(citizen, item)
    with pytest.raises(ApplicationError):
        services.application_refuse(actor=Actor.person(market_clerk), application=refused, reason="")
    services.application_refuse(actor=Actor.person(market_clerk), application=refused, reason="不属于本机关职权范围")
    refused.refresh_from_db()
    assert refused.state == Application.State.REFUSED
    assert timer_for(refused, services.TIMER_APPLICATION).state == Timer.State.FINISHED  # type: ignore[union-attr]

    withdrawn = submit(citizen, item)
    services.application_accept(actor=Actor.person(market_clerk), application=withdrawn)
    services.application_withdraw(actor=Actor.person(citizen), application=withdrawn, reason="项目暂缓")
    withdrawn.refresh_from_db()
    assert withdrawn.state == Application.State.WITHDRAWN
    assert _task(withdrawn, market_dept).state == CaseTask.State.CANCELLED
    assert not Timer.objects.filter(state__in=Timer.LIVE_STATES).exists()
    with pytest.raises(ApplicationError) as error:
        services.application_withdraw(actor=Actor.person(citizen), application=withdrawn)
    assert error.value.code == "eservices.wrong_state"


# --- refusals change nothing -----------------------------------------------------------------


def test_people_without_the_right_are_refused_and_nothing_changes(
    citizen: User,
    outsider: User,
    item: ServiceItem,
    market_clerk: User,
    police_clerk: User,
    nature_clerk: User,
    market_dept: Department,
) -> None:
    application = submit(citizen, item)
    before = snapshot(application)
    for actor in (outsider, police_clerk, nature_clerk, citizen):
        for call in (
            lambda a: services.application_accept(actor=Actor.person(a), application=application),
            lambda a: services.application_refuse(actor=Actor.person(a), application=application, reason="x"),
            lambda a: services.application_request_correction(
                actor=Actor.person(a), application=application, items=["x"]
            ),
        ):
            with pytest.raises(ApplicationError) as error:
                call(actor)
            assert error.value.code == "core.permission_denied"
    for actor in (outsider, market_clerk, police_clerk):
        with pytest.raises(ApplicationError) as error:
            services.application_withdraw(actor=Actor.person(actor), application=application)
        assert error.value.code == "core.permission_denied"
    assert snapshot(application) == before

    services.application_accept(actor=Actor.person(market_clerk), application=application)
    task = _task(application, market_dept)
    before = snapshot(application)
    for actor in (outsider, police_clerk, nature_clerk, citizen):
        with pytest.raises(ApplicationError):
            services.task_complete(actor=Actor.person(actor), task=task, approve=True, opinion="")
        with pytest.raises(ApplicationError):
            services.task_special_start(actor=Actor.person(actor), task=task, reason="专家评审")
    assert snapshot(application) == before


def test_bad_input_changes_nothing(citizen: User, item: ServiceItem, police_clerk: User) -> None:
    design = item.materials.get(name="建设工程设计方案")
    cases: list[tuple[dict[str, Any], dict[int, Any], str]] = [
        ({"project": "", "area": "abc"}, {design.pk: upload()}, "eservices.invalid_form"),
        ({**GOOD_FORM, "use": "工业"}, {design.pk: upload()}, "eservices.invalid_form"),
        (GOOD_FORM, {}, "eservices.material_missing"),
        (GOOD_FORM, {design.pk: upload("方案.exe", b"MZ...")}, "eservices.invalid_file"),
        (GOOD_FORM, {design.pk: upload("方案.pdf", b"not a pdf")}, "eservices.invalid_file"),
        (GOOD_FORM, {design.pk: upload("方案.pdf", b"")}, "eservices.invalid_file"),
        (
            GOOD_FORM,
            {design.pk: upload("方案.pdf", b"%PDF-" + b"0" * services.MAX_FILE_BYTES)},
            "eservices.invalid_file",
        ),
        (GOOD_FORM, {design.pk: upload(), 999999: upload()}, "eservices.invalid_input"),
    ]
    logs = AccessLog.objects.count()
    for data, files, code in cases:
        with pytest.raises(ApplicationError) as error:
            services.application_submit(actor=Actor.person(citizen), item=item, data=data, files=files)
        assert error.value.code == code, (data, error.value)
    assert error.value.status == 400
    assert not Application.objects.exists() and not ApplicationMaterial.objects.exists()
    assert not Timer.objects.exists() and not Notification.objects.exists()
    assert AccessLog.objects.count() == logs
    with pytest.raises(ApplicationError) as error:
        services.application_submit(
            actor=Actor.person(police_clerk), item=item, data=GOOD_FORM, files={design.pk: upload()}
        )
    assert error.value.code == "core.permission_denied"


def test_an_unpublished_item_takes_no_applications(
    citizen: User, market_dept: Department, nature_dept: Department, housing_dept: Department, bases: Any
) -> None:
    draft = make_item(market_dept, nature_dept, housing_dept, publish=False)
    with pytest.raises(ApplicationError) as error:
        submit(citizen, draft)
    assert error.value.code == "eservices.item_not_published"


# --- concurrency -----------------------------------------------------------------------------


def test_two_clerks_with_the_same_page_open_only_one_accepts(
    citizen: User, item: ServiceItem, market_clerk: User, market_clerk2: User
) -> None:
    application = submit(citizen, item)
    stale = Application.objects.get(pk=application.pk)  # the second clerk's copy, loaded before
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    with pytest.raises(ApplicationError) as error:
        services.application_request_correction(actor=Actor.person(market_clerk2), application=stale, items=["补正"])
    assert error.value.code == "eservices.wrong_state" and "待受理" not in error.value.message
    assert "审批中" in error.value.message
    assert CaseTask.objects.filter(application=application).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clerks_acting_at_the_same_moment_exactly_one_succeeds(
    citizen: User, item: ServiceItem, market_clerk: User, market_clerk2: User, market_dept: Department
) -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite test database has no cross-connection write locks; run with a file DB")
    application = submit(citizen, item)
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    task = _task(application, market_dept)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(actor: User, approve: bool) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.task_complete(actor=Actor.person(actor), task=task, approve=approve, opinion="意见")
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=act, args=(market_clerk, True)),
        threading.Thread(target=act, args=(market_clerk2, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["eservices.wrong_state", "ok"]
    assert CaseTask.objects.get(pk=task.pk).state in (CaseTask.State.APPROVED, CaseTask.State.REJECTED)


# --- 认领 (claiming a task) -------------------------------------------------------------------


def test_a_clerk_of_the_department_claims_a_task_and_only_they_act_on_it(
    citizen: User,
    item: ServiceItem,
    market_clerk: User,
    market_clerk2: User,
    police_clerk: User,
    supervisor: User,
    market_dept: Department,
) -> None:
    application = submit(citizen, item)
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    task = _task(application, market_dept)
    stale = CaseTask.objects.get(pk=task.pk)  # 钱科员's copy, loaded before the claim

    for outsider_staff in (police_clerk, supervisor):  # another department; not a clerk at all
        with pytest.raises(ApplicationError) as error:
            services.task_claim(actor=Actor.person(outsider_staff), task=task)
        assert error.value.code == "core.permission_denied"
    assert CaseTask.objects.get(pk=task.pk).claimed_by is None

    claimed = services.task_claim(actor=Actor.person(market_clerk), task=task)
    assert claimed.claimed_by == market_clerk and claimed.claimed_at is not None
    event = AuditEvent.objects.get(action="eservices.task_claim", outcome=AuditEvent.Outcome.SUCCESS)
    assert event.actor == market_clerk and event.target_id == str(task.pk)
    # The two refused claims before it are in the log too.
    refused = AuditEvent.objects.filter(action="eservices.task_claim", outcome=AuditEvent.Outcome.DENIED)
    assert sorted(e.actor.username for e in refused) == sorted([police_clerk.username, supervisor.username])

    with pytest.raises(ApplicationError) as error:  # the second clerk, with the page loaded before
        services.task_claim(actor=Actor.person(market_clerk2), task=stale)
    assert error.value.code == "eservices.task_claimed" and "市场监管局王科员" in error.value.message
    with pytest.raises(ApplicationError) as error:
        services.task_claim(actor=Actor.person(market_clerk), task=task)
    assert error.value.code == "eservices.task_claimed" and "已由您认领" in error.value.message
    assert CaseTask.objects.get(pk=task.pk).claimed_by == market_clerk

    # Someone else's claim: 钱科员 may neither decide nor start a special procedure.
    with pytest.raises(ApplicationError) as error:
        services.task_complete(actor=Actor.person(market_clerk2), task=task, approve=True, opinion="同意")
    assert error.value.code == "eservices.task_claimed"
    assert "已由市场监管局王科员认领，只有认领人可以办理" in error.value.message
    with pytest.raises(ApplicationError) as error:
        services.task_special_start(actor=Actor.person(market_clerk2), task=task, reason="专家评审")
    assert error.value.code == "eservices.task_claimed"
    assert CaseTask.objects.get(pk=task.pk).state == CaseTask.State.OPEN
    refusals = AuditEvent.objects.filter(action__in=["eservices.task_complete", "eservices.task_special_start"])
    assert [e.outcome for e in refusals] == [AuditEvent.Outcome.FAILURE] * 2  # refused, and recorded as such

    services.task_complete(actor=Actor.person(market_clerk), task=task, approve=True, opinion="同意")
    assert CaseTask.objects.get(pk=task.pk).state == CaseTask.State.APPROVED
    CaseTask.objects.filter(pk=task.pk).update(claimed_by=None, claimed_at=None)
    with pytest.raises(ApplicationError) as error:  # a finished task can no longer be claimed
        services.task_claim(actor=Actor.person(market_clerk2), task=task)
    assert error.value.code == "eservices.wrong_state"


def test_the_todo_list_offers_to_claim_and_then_names_the_claimer(
    citizen: User, item: ServiceItem, market_clerk: User, market_clerk2: User, market_dept: Department
) -> None:
    application = submit(citizen, item)
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    task = _task(application, market_dept)
    (todo,) = selectors.todo_items(market_clerk2)
    assert todo.claimed_by == "" and todo.claim_url == f"/workbench/eservices/tasks/{task.pk}/claim/"
    services.task_claim(actor=Actor.person(market_clerk), task=task)
    (todo,) = selectors.todo_items(market_clerk2)
    assert todo.claimed_by == "市场监管局王科员" and todo.claim_url == ""


@pytest.mark.django_db(transaction=True)
def test_two_clerks_claiming_at_the_same_moment_exactly_one_gets_the_task(
    citizen: User, item: ServiceItem, market_clerk: User, market_clerk2: User, market_dept: Department
) -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite test database has no cross-connection write locks; run with a file DB")
    application = submit(citizen, item)
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    task = _task(application, market_dept)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def claim(actor: User) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.task_claim(actor=Actor.person(actor), task=task)
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=claim, args=(clerk,)) for clerk in (market_clerk, market_clerk2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["eservices.task_claimed", "ok"]
    assert CaseTask.objects.get(pk=task.pk).claimed_by_id in (market_clerk.pk, market_clerk2.pk)
    claims = AuditEvent.objects.filter(action="eservices.task_claim")
    assert sorted(claims.values_list("outcome", flat=True)) == ["failure", "success"]


# --- lookup ----------------------------------------------------------------------------------


def test_lookup_by_number_and_code(citizen: User, item: ServiceItem) -> None:
    from django.core.cache import cache

    cache.clear()
    application = submit(citizen, item)
    found = selectors.lookup(application.number, application.verify_code.lower(), client="1.2.3.4")
    assert found.state == "待受理" and found.events
    for number, code in ((application.number, "ZZZZZZ"), ("2026-SCJG-999999", application.verify_code), ("", "")):
        with pytest.raises(ApplicationError) as error:
            selectors.lookup(number, code, client="1.2.3.4")
        assert error.value.code == "eservices.lookup_failed"
    for _ in range(7):
        try:
            selectors.lookup(application.number, "WRONG1", client="1.2.3.4")
        except ApplicationError as error:
            last = error.code
    assert last == "eservices.rate_limited"
    cache.clear()


# --- ratings ---------------------------------------------------------------------------------


def _finished(citizen: User, item: ServiceItem, clerk: User) -> Application:
    application = submit(citizen, item)
    services.application_refuse(actor=Actor.person(clerk), application=application, reason="材料不符合法定形式")
    application.refresh_from_db()
    return application


def test_a_bad_rating_opens_a_rectification_with_a_15_day_clock_and_an_appeal_route(
    citizen: User,
    item: ServiceItem,
    market_clerk: User,
    police_clerk: User,
    supervisor: User,
    market_dept: Department,
) -> None:
    application = _finished(citizen, item, market_clerk)
    bad = services.RatingData(level=1, overall=1, efficiency=2, guide_accuracy=3, convenience=1, usability=2)
    with pytest.raises(ApplicationError) as error:
        services.rating_create(actor=Actor.person(citizen), application=application, data=bad)
    assert error.value.code == "eservices.reason_required"
    bad.comment = "窗口态度差，材料要求前后不一"
    rating = services.rating_create(actor=Actor.person(citizen), application=application, data=bad)
    rect = Rectification.objects.get(rating=rating)
    timer = timer_for(rect, services.TIMER_RECTIFICATION)
    assert timer is not None and timer.limit == 15 and timer.department == market_dept
    assert [s.bad for s in selectors.rating_stats(date(2000, 1, 1), date(2100, 1, 1))] == [1]
    with pytest.raises(ApplicationError):
        services.rectification_appeal(actor=Actor.person(police_clerk), rectification=rect, reason="与本部门无关")
    with pytest.raises(ApplicationError):
        services.rectification_decide_appeal(
            actor=Actor.person(market_clerk), rectification=rect, upheld=True, comment="x"
        )
    services.rectification_appeal(
        actor=Actor.person(market_clerk), rectification=rect, reason="申请人提交的材料系伪造，评价不实"
    )
    assert timer_for(rect, services.TIMER_RECTIFICATION).state == Timer.State.PAUSED  # type: ignore[union-attr]
    services.rectification_decide_appeal(
        actor=Actor.person(supervisor), rectification=rect, upheld=False, comment="证据不足"
    )
    rect.refresh_from_db()
    assert rect.state == Rectification.State.OPEN
    services.rectification_complete(
        actor=Actor.person(market_clerk), rectification=rect, response="已电话回访，统一了材料清单"
    )
    rect.refresh_from_db()
    assert rect.state == Rectification.State.DONE
    assert timer_for(rect, services.TIMER_RECTIFICATION).state == Timer.State.FINISHED  # type: ignore[union-attr]


def test_an_upheld_appeal_takes_the_rating_out_of_the_statistics(
    citizen: User, item: ServiceItem, market_clerk: User, supervisor: User
) -> None:
    application = _finished(citizen, item, market_clerk)
    rating = services.rating_create(
        actor=Actor.person(citizen),
        application=application,
        data=services.RatingData(2, 2, 2, 2, 2, 2, comment="不满意"),
    )
    rect = rating.rectification
    services.rectification_appeal(actor=Actor.person(market_clerk), rectification=rect, reason="恶意差评")
    services.rectification_decide_appeal(
        actor=Actor.person(supervisor), rectification=rect, upheld=True, comment="属实"
    )
    assert Rating.objects.get(pk=rating.pk).excluded
    assert selectors.rating_stats(date(2000, 1, 1), date(2100, 1, 1)) == []


def test_only_the_applicant_rates_and_only_after_the_end(
    citizen: User, outsider: User, item: ServiceItem, market_clerk: User
) -> None:
    good = services.RatingData(5, 5, 5, 5, 5, 5)
    open_case = submit(citizen, item)
    with pytest.raises(ApplicationError) as error:
        services.rating_create(actor=Actor.person(citizen), application=open_case, data=good)
    assert error.value.code == "eservices.wrong_state"
    done = _finished(citizen, item, market_clerk)
    for actor in (outsider, market_clerk):
        with pytest.raises(ApplicationError) as error:
            services.rating_create(actor=Actor.person(actor), application=done, data=good)
        assert error.value.code == "core.permission_denied"
    with pytest.raises(ApplicationError):
        services.rating_create(
            actor=Actor.person(citizen), application=done, data=services.RatingData(6, 5, 5, 5, 5, 5)
        )
    assert not Rating.objects.exists()


def test_scorecard_figures_count_the_visits_each_item_needs(
    citizen: User,
    item: ServiceItem,
    market_clerk: User,
    market_dept: Department,
    nature_dept: Department,
    housing_dept: Department,
) -> None:
    # 全程网办 (0 visits) and an item whose guide asks the applicant to come twice (到办事现场次数 2).
    twice = make_item(
        market_dept, nature_dept, housing_dept, impl_code="11220000013544357T4XK00202", case_prefix="SCJX", visits=2
    )
    online_case = _finished(citizen, item, market_clerk)
    visit_cases = [_finished(citizen, twice, market_clerk) for _ in range(2)]
    assert online_case.visits == 0 and [a.visits for a in visit_cases] == [2, 2]
    services.rating_create(
        actor=Actor.person(citizen), application=online_case, data=services.RatingData(4, 4, 4, 4, 4, 4)
    )
    today = workdays.today()
    figures = selectors.scorecard_figures(today.replace(day=1), today)[market_dept.pk]
    assert figures["satisfaction"] == 1.0
    assert figures["online_share"] == pytest.approx(1 / 3)  # one of three finished cases fully online
    assert figures["visits_avg"] == pytest.approx(4 / 3)  # (0 + 2 + 2) visits over three cases
    # The department scorecard of supervision gets the same figures through the registry.
    merged = scorecards.collect_figures(today.replace(day=1), today)[market_dept.pk]
    assert merged["online_share"] == pytest.approx(1 / 3) and merged["visits_avg"] == pytest.approx(4 / 3)
    # An open case does not count yet: only finished ones do.
    submit(citizen, twice)
    assert selectors.scorecard_figures(today.replace(day=1), today)[market_dept.pk] == figures


# --- items and search ------------------------------------------------------------------------


def test_item_rules(market_dept: Department, nature_dept: Department, market_clerk: User, police_clerk: User) -> None:
    from zhengwu.eservices.tests.conftest import item_data

    stages = [services.StageSpec(name="审查", tasks=[services.TaskSpec(market_dept, "审查", 5)])]
    bad = [
        (item_data(case_prefix="scjg"), stages),
        (item_data(promised_limit=30), stages),
        (item_data(charged=True), stages),
        (item_data(), []),
        (item_data(), [services.StageSpec(name="审查", tasks=[services.TaskSpec(market_dept, "审查", 50)])]),
    ]
    for data, flow in bad:
        with pytest.raises(ApplicationError):
            services.item_create(actor=Actor.person(market_clerk), department=market_dept, data=data, stages=flow)
    with pytest.raises(ApplicationError) as error:
        services.item_create(actor=Actor.person(police_clerk), department=market_dept, data=item_data(), stages=stages)
    assert error.value.code == "core.permission_denied"
    assert not ServiceItem.objects.exists()
    created = services.item_create(
        actor=Actor.person(market_clerk), department=market_dept, data=item_data(), stages=stages
    )
    assert created.state == ServiceItem.State.DRAFT


def test_public_search_finds_published_guides_only(item: ServiceItem, market_clerk: User) -> None:
    hits = selectors.public_search("规划许可")
    assert [h.title for h in hits] == ["建设工程规划许可证核发"]
    assert hits[0].url.endswith(f"/services/items/{item.pk}/")
    assert selectors.public_search("") == []
    services.item_withdraw(actor=Actor.person(market_clerk), item=item, reason="事项调整")
    assert selectors.public_search("规划许可") == []


def test_todo_items_for_window_and_tasks(
    citizen: User, item: ServiceItem, market_clerk: User, nature_clerk: User, police_clerk: User
) -> None:
    application = submit(citizen, item)
    todo = selectors.todo_items(market_clerk)
    assert [t.kind_label for t in todo] == ["办件受理"] and todo[0].light == "green"
    assert selectors.todo_items(police_clerk) == []
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    assert [t.kind_label for t in selectors.todo_items(market_clerk)] == ["办件审批"]
    assert selectors.todo_items(nature_clerk) == []


# --- 电子证照 --------------------------------------------------------------------------------


def test_approval_issues_the_certificate_and_a_held_certificate_is_fetched_not_uploaded(
    company: User, market_dept: Department, market_clerk: User, bases: Any, tmp_path: Any
) -> None:
    from zhengwu.certificates import selectors as certificate_selectors
    from zhengwu.certificates.demo import TYPE_CODES, ensure_types
    from zhengwu.eservices.tests.conftest import item_data

    ensure_types()
    planning = TYPE_CODES["建设工程规划许可证"]
    item = services.item_create(
        actor=Actor.platform(),
        department=market_dept,
        data=item_data(audience="legal", impl_code="X-PLAN-1"),
        materials=[services.MaterialSpec(name="营业执照", source="base", base_resource_code=services.LEGAL_BASE)],
        fields=[
            services.FieldSpec(code="project_name", label="建设项目名称", required=True),
            services.FieldSpec(code="location", label="建设位置", required=True),
            services.FieldSpec(code="scale", label="建设规模", required=True),
        ],
        stages=[services.StageSpec(name="审查", tasks=[services.TaskSpec(market_dept, "审查", 5)])],
        results=[services.ResultSpec(name="建设工程规划许可证", kind="certificate", certificate_type_code=planning)],
    )
    item = services.item_publish(actor=Actor.platform(), item=item)
    form = {"project_name": "某某科技研发楼", "location": "长春市南关区某路2号", "scale": "地上 6 层，8000 平方米"}
    application = services.application_submit(actor=Actor.person(company), item=item, data=form)
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    services.task_complete(actor=Actor.person(market_clerk), task=application.tasks.get(), approve=True, opinion="")
    services.application_decide(actor=Actor.person(market_clerk), application=application, approve=True)
    application.refresh_from_db()
    assert application.certificate_identifier.startswith("1.2.156.3005.2.")
    held = certificate_selectors.certificates_held_by(credit_code=company.enterprise_credit_code, type_code=planning)
    certificate = held.get()
    assert certificate.identifier == application.certificate_identifier
    assert certificate.data["project_name"] == "某某科技研发楼" and application.number.replace("-", "") in str(
        certificate.data["license_no"]
    )
    assert certificate_selectors.verify(certificate.identifier).status == "valid"

    # A later item asks for that certificate as a material: it is fetched from the 电子证照 base.
    later = services.item_create(
        actor=Actor.platform(),
        department=market_dept,
        data=item_data(audience="legal", impl_code="X-PLAN-2", name="建设工程竣工规划核实"),
        materials=[
            services.MaterialSpec(name="建设工程规划许可证", source="certificate", certificate_type_code=planning)
        ],
        stages=[services.StageSpec(name="核实", tasks=[services.TaskSpec(market_dept, "核实", 5)])],
    )
    later = services.item_publish(actor=Actor.platform(), item=later)
    second = services.application_submit(actor=Actor.person(company), item=later, data={})
    material = second.materials.get()
    assert material.fetched and certificate.identifier in material.fetched_from
    assert material.trust_level == "A"  # a certificate signed by its issuing agency
    # ... through the exchange: the read is in the access log, under the handling department.
    from zhengwu.certificates.base_resource import base_record, base_resource
    from zhengwu.exchange.sharing import access_log
    from zhengwu.exchange.store.ingest import ingest_file
    from zhengwu.exchange.store.models import LoadJob

    access_log.seal_pending()
    reads = [e for e in AccessLog.objects.order_by("-seq")[:20] if certificate.identifier in e.keys]
    assert reads and reads[0].consumer_id == market_dept.pk and reads[0].outcome == AccessLog.Outcome.OK

    # The base is the authority: when it shows the certificate 注销, it is not reused.
    revoked = {**base_record(certificate), "status": "注销"}
    path = tmp_path / "revoked.json"
    path.write_text(json.dumps([revoked], ensure_ascii=False), encoding="utf-8")
    base = base_resource()
    assert base is not None
    assert ingest_file(
        actor=Actor.platform(), resource=base, path=path, mode=LoadJob.Mode.UPSERT, file_name="revoked.json"
    ).ok
    with pytest.raises(ApplicationError):
        services.application_submit(actor=Actor.person(company), item=later, data={})


def test_notifications_in_site_sms_and_email(
    citizen: User, item: ServiceItem, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    from zhengwu.accounts import sms

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    citizen.email = "zhangsan@example.cn"
    citizen.save()
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(citizen, item)
    note = Notification.objects.get(user=citizen)
    assert application.number in note.text and application.verify_code in note.text
    assert sms.outbox == [("13800138000", note.text)]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhangsan@example.cn"]
    assert application.number in mail.outbox[0].body
