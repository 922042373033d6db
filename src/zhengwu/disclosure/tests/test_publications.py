"""Proactive publication: index numbers, the 20-working-day timer, lifecycle, refusals."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.db import connection

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.core.errors import ApplicationError
from zhengwu.disclosure import search_index, services
from zhengwu.disclosure.models import Attachment, IndexSequence, Publication
from zhengwu.disclosure.services import PUBLICATION_TIMER, index_number
from zhengwu.disclosure.tests.conftest import data, draft, published
from zhengwu.supervision.models import Timer
from zhengwu.supervision.selectors import timer_for

pytestmark = pytest.mark.django_db


def test_index_number_format() -> None:
    assert index_number("11220000013544357T", 2017, 1006) == "11220000013544357T/2017-01006"
    assert index_number("11220000013544357T", 2026, 1) == "11220000013544357T/2026-00001"


def test_sequence_counts_per_department_and_year(
    market_clerk: User, police_clerk: User, market_dept: Department, police_dept: Department
) -> None:
    first = published(market_clerk, market_dept)
    second = published(market_clerk, market_dept, title="第二件")
    other_year = published(market_clerk, market_dept, title="去年的文件", date_written=date(2025, 12, 30))
    police = published(police_clerk, police_dept, title="公安厅文件")
    assert first.index_number == "11220000013544357T/2026-00001"
    assert second.index_number == "11220000013544357T/2026-00002"
    assert other_year.index_number == "11220000013544357T/2025-00001"
    assert police.index_number == "11220000013544234R/2026-00001"
    # A withdrawn item keeps its number and the number is never reused.
    services.publication_withdraw(actor=Actor.person(market_clerk), publication=second, reason="内容有误")
    third = published(market_clerk, market_dept, title="第三件")
    assert third.index_number == "11220000013544357T/2026-00003"
    assert IndexSequence.objects.get(department=market_dept, year=2026).last == 3


def test_draft_has_no_index_number_and_is_not_searchable(market_clerk: User, market_dept: Department) -> None:
    item = draft(market_clerk, market_dept)
    assert item.index_number is None
    assert not search_index.is_indexed(item)


@pytest.mark.django_db(transaction=True)
def test_concurrent_publications_get_distinct_numbers(market_clerk: User, market_dept: Department) -> None:
    drafts = [draft(market_clerk, market_dept, title=f"并发发布 {i}") for i in range(6)]
    errors: list[BaseException] = []

    def publish(item: Publication) -> None:
        try:
            for attempt in range(400):
                try:
                    services.publication_publish(actor=Actor.person(market_clerk), publication=item)
                    return
                except Exception as error:  # SQLite's test database: "table is locked" → retry
                    if "locked" not in str(error) or attempt == 399:
                        raise
                    time.sleep(0.02)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(item,)) for item in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Publication.objects.filter(state="published").values_list("index_sequence", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_sequence_row_is_created_once_and_locked(market_clerk: User, market_dept: Department) -> None:
    assert services.next_index_sequence(market_dept, 2030) == 1
    assert services.next_index_sequence(market_dept, 2030) == 2
    assert IndexSequence.objects.filter(department=market_dept, year=2030).count() == 1


def test_publication_timer_runs_from_date_written_until_published(market_clerk: User, market_dept: Department) -> None:
    item = draft(market_clerk, market_dept, date_written=date(2026, 9, 25))
    timer = timer_for(item, PUBLICATION_TIMER)
    assert timer is not None and timer.state == Timer.State.RUNNING
    assert timer.start_date == date(2026, 9, 25)
    # 20 working days after Fri 25 Sep 2026 (day 0): 28–30 Sep are days 1–3; 国庆 1–7 Oct are
    # holidays; 8, 9 Oct and the 调休 Saturday 10 Oct are days 4–6; 12–16 Oct 7–11; 19–23 Oct
    # 12–16; 26–29 Oct 17–20.
    assert timer.deadline == date(2026, 10, 29)
    services.publication_publish(actor=Actor.person(market_clerk), publication=item)
    timer.refresh_from_db()
    assert timer.state == Timer.State.FINISHED
    assert timer.finished_on_time is False  # published today (Nov 2026): late


def test_changing_date_written_restarts_the_timer(market_clerk: User, market_dept: Department) -> None:
    item = draft(market_clerk, market_dept, date_written=date(2026, 9, 25))
    services.publication_update(
        actor=Actor.person(market_clerk), publication=item, data=data(date_written=date(2026, 11, 2))
    )
    timer = timer_for(item, PUBLICATION_TIMER)
    assert timer is not None and timer.is_live and timer.start_date == date(2026, 11, 2)
    assert Timer.objects.filter(kind=PUBLICATION_TIMER, state=Timer.State.CANCELLED).count() == 1


def test_lifecycle_is_audited(market_clerk: User, market_dept: Department) -> None:
    item = published(market_clerk, market_dept)
    services.publication_set_validity(actor=Actor.person(market_clerk), publication=item, validity="repealed")
    services.publication_withdraw(actor=Actor.person(market_clerk), publication=item, reason="已被新文件替代")
    actions = list(
        AuditEvent.objects.filter(action__startswith="disclosure.publication")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "disclosure.publication_create",
        "disclosure.publication_publish",
        "disclosure.publication_set_validity",
        "disclosure.publication_withdraw",
    ]
    assert not search_index.is_indexed(item)


def test_attachment_keeps_sm3_digest(market_clerk: User, market_dept: Department) -> None:
    item = draft(market_clerk, market_dept)
    content = "附件：申请表".encode()
    attachment = services.attachment_add(
        actor=Actor.person(market_clerk), publication=item, name="申请表.docx", content=content
    )
    assert attachment.sm3 == sm3_hex(content) and attachment.size == len(content)


@pytest.mark.parametrize("who", ["outsider", "citizen", "police_clerk", "market_leader_of_police", "sys_admin"])
def test_refusals_change_nothing(
    who: str,
    request: pytest.FixtureRequest,
    market_clerk: User,
    market_dept: Department,
    police_leader: User,
) -> None:
    user = police_leader if who == "market_leader_of_police" else request.getfixturevalue(who)
    actor = Actor.person(user)
    item = draft(market_clerk, market_dept)
    before = (AuditEvent.objects.count(), Timer.objects.count())
    calls = {
        "disclosure.publication_create": lambda: services.publication_create(
            actor=actor, department=market_dept, data=data()
        ),
        "disclosure.publication_update": lambda: services.publication_update(
            actor=actor, publication=item, data=data(title="改")
        ),
        "disclosure.publication_publish": lambda: services.publication_publish(actor=actor, publication=item),
        "disclosure.attachment_add": lambda: services.attachment_add(
            actor=actor, publication=item, name="a.txt", content=b"x"
        ),
        "disclosure.publication_delete": lambda: services.publication_delete_draft(actor=actor, publication=item),
    }
    for call in calls.values():
        with pytest.raises(ApplicationError) as caught:
            call()
        assert caught.value.status == 403
    item.refresh_from_db()
    assert item.state == "draft" and item.title == data().title
    assert Publication.objects.count() == 1 and Attachment.objects.count() == 0
    assert Timer.objects.count() == before[1]
    # Each refusal is on record (and nothing else was): who, what, on which item, denied.
    refused = AuditEvent.objects.order_by("seq")[before[0] :]
    assert [(e.action, e.outcome, e.actor_id) for e in refused] == [
        (action, AuditEvent.Outcome.DENIED, user.pk) for action in calls
    ]
    assert {e.target_id for e in refused[1:]} == {str(item.pk)}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"category": "nonsense"}, "category"),
        ({"validity": "maybe"}, "validity"),
        ({"date_written": date(2099, 1, 1)}, "date_written"),
        ({"body": ""}, "body"),
        ({"title": "长" * 301}, "title"),
    ],
)
def test_bad_input_changes_nothing(overrides: dict, field: str, market_clerk: User, market_dept: Department) -> None:
    with pytest.raises(ApplicationError) as caught:
        draft(market_clerk, market_dept, **overrides)
    assert field in caught.value.fields
    assert Publication.objects.count() == 0
    assert Timer.objects.count() == 0


def test_wrong_state_is_refused(market_clerk: User, market_dept: Department) -> None:
    item = published(market_clerk, market_dept)
    with pytest.raises(ApplicationError) as caught:
        services.publication_publish(actor=Actor.person(market_clerk), publication=item)
    assert caught.value.code == "disclosure.wrong_state"
    with pytest.raises(ApplicationError):
        services.publication_withdraw(actor=Actor.person(market_clerk), publication=item, reason="")
    item.refresh_from_db()
    assert item.state == "published" and item.index_sequence == 1
    failures = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.FAILURE).order_by("seq")
    assert [(e.action, e.details["code"]) for e in failures] == [
        ("disclosure.publication_publish", "disclosure.wrong_state"),
        ("disclosure.publication_withdraw", "disclosure.reason_required"),
    ]
    assert IndexSequence.objects.get(department=market_dept, year=2026).last == 1


def test_the_platform_may_publish_for_a_department(market_dept: Department) -> None:
    item = services.publication_create(actor=Actor.platform(), department=market_dept, data=data())
    item = services.publication_publish(actor=Actor.platform(), publication=item)
    assert item.state == "published" and item.created_by is None
    assert AuditEvent.objects.filter(
        action="disclosure.publication_publish", actor_kind=AuditEvent.ActorKind.SYSTEM
    ).exists()
