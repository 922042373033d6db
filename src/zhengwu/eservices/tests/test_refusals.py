"""A refused write of 网上办事 is in the audit log (denied or failure, with its code) and changes
nothing else: every table's row count and the record itself stay as they were (Saleor style)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.core.actors import Actor
from zhengwu.eservices import services
from zhengwu.eservices.models import Application, CaseTask, Rectification, ServiceItem
from zhengwu.eservices.tests.conftest import GOOD_FORM, upload

pytestmark = pytest.mark.django_db

DENIED, FAILURE = AuditEvent.Outcome.DENIED, AuditEvent.Outcome.FAILURE


def _refused(call: Callable[[], Any], row: Any, action: str, outcome: str, code: str) -> AuditEvent:
    """Run `call`, expect the refusal `code`; nothing but one audit event of `outcome` is written."""
    apps = ["eservices", "supervision", "audit", "exchange", "certificates"]
    rows = [row] if row is not None else []
    return refused_write(call, apps=apps, rows=rows, action=action, outcome=outcome, code=code)[1]


def _submit(citizen: User, item: ServiceItem) -> Application:
    design = item.materials.get(name="建设工程设计方案")
    return services.application_submit(
        actor=Actor.person(citizen), item=item, data=GOOD_FORM, files={design.pk: upload()}
    )


def test_refused_application_writes_are_audited_and_change_nothing(
    citizen: User, outsider: User, item: ServiceItem, market_clerk: User, police_clerk: User
) -> None:
    application = _submit(citizen, item)
    event = _refused(
        lambda: services.application_accept(actor=Actor.person(police_clerk, ip="10.1.2.3"), application=application),
        application,
        "eservices.application_accept",
        DENIED,
        "core.permission_denied",
    )
    assert (event.actor, event.ip, event.target_id) == (police_clerk, "10.1.2.3", str(application.pk))
    _refused(
        lambda: services.application_refuse(actor=Actor.person(market_clerk), application=application, reason=" "),
        application,
        "eservices.application_refuse",
        FAILURE,
        "eservices.reason_required",
    )
    _refused(
        lambda: services.application_withdraw(actor=Actor.person(outsider), application=application),
        application,
        "eservices.application_withdraw",
        DENIED,
        "core.permission_denied",
    )
    _refused(
        lambda: services.application_withdraw(actor=Actor.platform(), application=application),
        application,
        "eservices.application_withdraw",
        DENIED,
        "core.permission_denied",
    )
    _refused(
        lambda: services.application_decide(actor=Actor.person(market_clerk), application=application, approve=True),
        application,
        "eservices.application_decide",
        FAILURE,
        "eservices.wrong_state",
    )
    _refused(
        lambda: services.rating_create(
            actor=Actor.person(citizen), application=application, data=services.RatingData(5, 5, 5, 5, 5, 5)
        ),
        application,
        "eservices.rating_create",
        FAILURE,
        "eservices.wrong_state",
    )


def test_a_refused_submission_names_the_item_and_the_anonymous_visitor(item: ServiceItem, police_clerk: User) -> None:
    design = item.materials.get(name="建设工程设计方案")
    for actor in (Actor.anonymous(ip="192.0.2.9"), Actor.person(police_clerk)):
        event = _refused(
            lambda actor=actor: services.application_submit(
                actor=actor, item=item, data=GOOD_FORM, files={design.pk: upload()}
            ),
            item,
            "eservices.application_submit",
            DENIED,
            "core.permission_denied",
        )
        assert event.target_type == "eservices.serviceitem" and event.target_id == str(item.pk)
    assert event.actor == police_clerk


def test_refused_task_writes_are_audited_and_change_nothing(
    citizen: User, item: ServiceItem, market_clerk: User, market_clerk2: User, market_dept: Department
) -> None:
    application = _submit(citizen, item)
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    task = application.tasks.get(department=market_dept)
    services.task_claim(actor=Actor.person(market_clerk), task=task)
    _refused(
        lambda: services.task_complete(actor=Actor.person(market_clerk2), task=task, approve=True, opinion=""),
        task,
        "eservices.task_complete",
        FAILURE,
        "eservices.task_claimed",
    )
    _refused(
        lambda: services.task_claim(actor=Actor.platform(), task=task),
        task,
        "eservices.task_claim",
        DENIED,
        "core.permission_denied",
    )
    _refused(
        lambda: services.task_special_end(actor=Actor.person(market_clerk), task=task),
        task,
        "eservices.task_special_end",
        FAILURE,
        "eservices.wrong_state",
    )
    assert task.state == CaseTask.State.OPEN


def test_refused_item_and_rectification_writes_are_audited_and_change_nothing(
    citizen: User, item: ServiceItem, market_clerk: User, police_clerk: User, egov: User
) -> None:
    _refused(
        lambda: services.item_withdraw(actor=Actor.person(police_clerk), item=item, reason="停办"),
        item,
        "eservices.item_withdraw",
        DENIED,
        "core.permission_denied",
    )
    _refused(
        lambda: services.item_publish(actor=Actor.person(egov), item=item),
        item,
        "eservices.item_publish",
        FAILURE,
        "eservices.wrong_state",
    )
    application = _submit(citizen, item)
    services.application_refuse(actor=Actor.person(market_clerk), application=application, reason="材料不全")
    services.rating_create(
        actor=Actor.person(citizen), application=application, data=services.RatingData(1, 1, 1, 1, 1, 1, "太慢")
    )
    rectification = Rectification.objects.get()
    _refused(
        lambda: services.rectification_decide_appeal(
            actor=Actor.person(market_clerk), rectification=rectification, upheld=True, comment="属实"
        ),
        rectification,
        "eservices.rectification_decide_appeal",
        DENIED,
        "core.permission_denied",
    )
    _refused(
        lambda: services.rectification_complete(
            actor=Actor.person(police_clerk), rectification=rectification, response="已回访"
        ),
        rectification,
        "eservices.rectification_complete",
        DENIED,
        "core.permission_denied",
    )
