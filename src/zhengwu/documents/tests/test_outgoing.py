"""The outgoing document: draft → 核稿 (send back) → 签发 → 复核 → 登记 → 印制 → 核发."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, connections

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.documents import services
from zhengwu.documents.models import Delivery, Document, DocumentVersion, NumberSequence, Review, format_number
from zhengwu.documents.tests.conftest import data, draft, issued, registered, signed
from zhengwu.supervision.models import Timer

pytestmark = pytest.mark.django_db


def test_number_format_follows_rules() -> None:
    assert format_number("吉政办发", 2026, 12) == "吉政办发〔2026〕12号"
    assert format_number("吉政办发", 2017, 76) == "吉政办发\u30142017\u301576号"


def test_full_outgoing_flow_with_send_back_and_versions(
    market_clerk: User, market_leader: User, market_dept: Department, police_dept: Department, office_dept: Department
) -> None:
    clerk, leader = Actor.person(market_clerk), Actor.person(market_leader)
    document = draft(market_clerk, market_dept)
    services.document_submit(actor=clerk, document=document)
    services.document_review(actor=leader, document=document, approve=False, comment="请补充检查时间。")
    document.refresh_from_db()
    assert document.state == Document.State.DRAFTING
    services.document_edit(
        actor=clerk,
        document=document,
        data=data(body=document.body + "\n三、检查时间。4月1日至6月30日。"),
        note="补充时间",
    )
    versions = list(DocumentVersion.objects.filter(document=document))
    assert [v.number for v in versions] == [1, 2]
    diff = versions[1].diff(versions[0])
    assert "+body: 三、检查时间。4月1日至6月30日。" in diff and "第1稿" in diff
    services.document_submit(actor=clerk, document=document)
    with pytest.raises(ApplicationError) as error:
        services.document_submit_for_signing(actor=clerk, document=document)
    assert error.value.code == "documents.not_reviewed"
    services.document_review(actor=leader, document=document, approve=True)
    services.document_submit_for_signing(actor=clerk, document=document)
    services.document_sign(actor=leader, document=document)
    document.refresh_from_db()
    assert document.signer == market_leader and document.signed_at is not None
    assert Review.objects.filter(document=document).count() == 2
    # a substantive change after signing goes back to the signer
    services.document_amend(actor=clerk, document=document, data=data(body="全新的正文。"))
    document.refresh_from_db()
    assert document.state == Document.State.SIGNING
    services.document_sign(actor=leader, document=document)
    services.document_check(actor=clerk, document=document)
    services.document_register(
        actor=clerk, document=document, main_departments=[police_dept], copy_departments=[office_dept], copies=30
    )
    document.refresh_from_db()
    assert document.number == "吉市监发〔2026〕1号"
    services.document_print(actor=clerk, document=document)
    services.document_issue(actor=clerk, document=document)
    deliveries = Delivery.objects.filter(document=document).order_by("role")
    assert [(d.department, d.role) for d in deliveries] == [(office_dept, "copy"), (police_dept, "main")]
    assert Timer.objects.filter(kind=services.SIGN_TIMER, state=Timer.State.RUNNING).count() == 2
    actions = list(AuditEvent.objects.filter(action__startswith="documents.").values_list("action", flat=True))
    assert "documents.document.issue" in actions and "documents.document.sign" in actions


def test_non_substantive_amend_keeps_the_signature(
    market_clerk: User, market_leader: User, market_dept: Department
) -> None:
    document = signed(market_clerk, market_leader, market_dept)
    services.document_amend(
        actor=Actor.person(market_clerk), document=document, data=data(body=data().body + "   \n"), note="去掉行尾空格"
    )
    document.refresh_from_db()
    assert document.state == Document.State.SIGNED


def test_numbers_are_sequential_per_prefix_and_year_and_never_reused(
    market_clerk: User, market_leader: User, market_dept: Department, police_dept: Department
) -> None:
    numbers = [registered(market_clerk, market_leader, market_dept, [police_dept]).number for _ in range(3)]
    other = registered(market_clerk, market_leader, market_dept, [police_dept], prefix="吉市监函")
    next_year = registered(market_clerk, market_leader, market_dept, [police_dept], written_on=date(2027, 1, 5))
    assert numbers == ["吉市监发〔2026〕1号", "吉市监发〔2026〕2号", "吉市监发〔2026〕3号"]
    assert other.number == "吉市监函〔2026〕1号"
    assert next_year.number == "吉市监发〔2027〕1号"
    Document.objects.filter(number=numbers[2]).delete()  # a deleted document's number is not given again
    assert registered(market_clerk, market_leader, market_dept, [police_dept]).number == "吉市监发〔2026〕4号"


@pytest.mark.django_db(transaction=True)
def test_two_clerks_registering_at_once_never_get_the_same_number(
    market_clerk: User, market_leader: User, market_dept: Department, police_dept: Department
) -> None:
    documents = []
    for _ in range(6):
        document = signed(market_clerk, market_leader, market_dept)
        services.document_check(actor=Actor.person(market_clerk), document=document)
        documents.append(document)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(documents)) if connection.vendor == "postgresql" else None

    def register(document: Document) -> None:
        try:
            if barrier is not None:
                barrier.wait()
            services.document_register(
                actor=Actor.person(market_clerk), document=document, main_departments=[police_dept]
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=register, args=(d,)) for d in documents]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:  # SQLite serialises writers: the sequence is exercised in turn
        for document in documents:
            register(document)
    assert not errors
    numbers = sorted(Document.objects.values_list("serial", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert NumberSequence.objects.get(prefix="吉市监发", year=2026).last == 6


def test_upward_document_shows_the_signer(market_clerk: User, market_leader: User, market_dept: Department) -> None:
    document = signed(market_clerk, market_leader, market_dept, kind="request", title="关于申请专项经费的请示")
    assert document.direction == "up"
    assert document.signer_name == "市场监管厅刘处长"


def _refusal_leaves_only_its_record(actor: Actor, call: object, expected_outcome: str) -> None:
    before_events = AuditEvent.objects.count()
    before = (
        Document.objects.count(),
        DocumentVersion.objects.count(),
        Delivery.objects.count(),
        Timer.objects.count(),
    )
    with pytest.raises(ApplicationError):
        call()  # type: ignore[operator]
    events = list(AuditEvent.objects.order_by("seq")[before_events:])
    assert len(events) == 1 and events[0].outcome == expected_outcome
    after = (Document.objects.count(), DocumentVersion.objects.count(), Delivery.objects.count(), Timer.objects.count())
    assert after == before


def test_refusal_matrix(
    market_clerk: User,
    market_leader: User,
    market_dept: Department,
    police_clerk: User,
    police_dept: Department,
    citizen: User,
) -> None:
    document = draft(market_clerk, market_dept)
    outsiders = [Actor.person(police_clerk), Actor.person(citizen), Actor.anonymous(ip="10.0.0.1")]
    for actor in outsiders:
        _refusal_leaves_only_its_record(
            actor, lambda a=actor: services.document_draft(actor=a, department=market_dept, data=data()), "denied"
        )
        _refusal_leaves_only_its_record(
            actor, lambda a=actor: services.document_edit(actor=a, document=document, data=data(title="改")), "denied"
        )
    services.document_submit(actor=Actor.person(market_clerk), document=document)
    services.document_review(actor=Actor.person(market_leader), document=document, approve=True)
    services.document_submit_for_signing(actor=Actor.person(market_clerk), document=document)
    # the clerk is no authorised signer, nor is anyone of another department
    for actor in [Actor.person(market_clerk), Actor.person(police_clerk), Actor.person(citizen), Actor.anonymous()]:
        _refusal_leaves_only_its_record(
            actor, lambda a=actor: services.document_sign(actor=a, document=document), "denied"
        )
    document.refresh_from_db()
    assert document.state == Document.State.SIGNING and document.signer is None
    # wrong state: a failure, also recorded
    _refusal_leaves_only_its_record(
        Actor.person(market_clerk),
        lambda: services.document_register(
            actor=Actor.person(market_clerk), document=document, main_departments=[police_dept]
        ),
        "failure",
    )


def test_secret_document_is_refused_by_the_exchange(
    market_clerk: User, market_leader: User, market_dept: Department, police_dept: Department
) -> None:
    document = registered(
        market_clerk, market_leader, market_dept, [police_dept], secrecy="secret", secrecy_period="1年"
    )
    clerk = Actor.person(market_clerk)
    services.document_print(actor=clerk, document=document)
    before = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as error:
        services.document_issue(actor=clerk, document=document)
    assert error.value.code == "documents.secret_refused"
    assert "只传输非涉密公文" in error.value.message and "秘密" in error.value.message
    refusal = AuditEvent.objects.order_by("seq")[before:].get()
    assert refusal.action == "documents.document.issue" and refusal.outcome == "failure"
    assert refusal.details["code"] == "documents.secret_refused"
    assert not Delivery.objects.exists()
    document.refresh_from_db()
    assert document.state == Document.State.PRINTED


def test_issued_files_are_under_media_documents(
    market_clerk: User, market_leader: User, market_dept: Department, police_dept: Department, settings: object
) -> None:
    document = issued(market_clerk, market_leader, market_dept, [police_dept])
    from zhengwu.documents import storage

    assert storage.full_path(document.file_path).is_file()
    assert storage.full_path(document.seal_path).is_file()
    assert str(storage.root()).endswith("media/documents")
