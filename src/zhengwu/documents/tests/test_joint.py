"""联合行文: co-issuing agencies countersign before the lead signs, the lead's number only, every
agency's name and seal on the rendering, and every seal checked."""

from __future__ import annotations

import json

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.documents import pdf, seal, services, storage
from zhengwu.documents.models import Document, JointIssuer
from zhengwu.documents.tests.conftest import data, draft
from zhengwu.documents.tests.test_rendering import _text

pytestmark = pytest.mark.django_db


def _to_signing(clerk: User, leader: User, department: Department, joint: list[Department]) -> Document:
    document = draft(clerk, department, joint_departments=joint)
    services.document_submit(actor=Actor.person(clerk), document=document)
    services.document_review(actor=Actor.person(leader), document=document, approve=True, comment="同意")
    return services.document_submit_for_signing(actor=Actor.person(clerk), document=document)


def test_the_lead_signs_only_after_every_co_issuer_countersigned(
    market_clerk: User, market_leader: User, market_dept: Department, police_dept: Department, police_leader: User
) -> None:
    document = _to_signing(market_clerk, market_leader, market_dept, [police_dept])
    assert [j.department for j in document.joint_issuers.all()] == [police_dept]
    with pytest.raises(ApplicationError) as refused:
        services.document_sign(actor=Actor.person(market_leader), document=document)
    assert refused.value.code == "documents.not_countersigned" and police_dept.name in refused.value.message

    services.document_countersign(actor=Actor.person(police_leader), document=document)
    joint = JointIssuer.objects.get(document=document)
    assert joint.countersigner_name == "公安厅钱处长" and joint.countersigned_at is not None
    signed = services.document_sign(actor=Actor.person(market_leader), document=document)
    assert signed.state == Document.State.SIGNED


def test_a_substantive_change_needs_a_new_countersignature(
    market_clerk: User, market_leader: User, market_dept: Department, police_dept: Department, police_leader: User
) -> None:
    document = _to_signing(market_clerk, market_leader, market_dept, [police_dept])
    services.document_countersign(actor=Actor.person(police_leader), document=document)
    services.document_sign(actor=Actor.person(market_leader), document=document)
    services.document_amend(actor=Actor.person(market_clerk), document=document, data=data(body="改动后的正文。"))
    document.refresh_from_db()
    assert document.state == Document.State.SIGNING
    with pytest.raises(ApplicationError):
        services.document_sign(actor=Actor.person(market_leader), document=document)
    services.document_countersign(actor=Actor.person(police_leader), document=document)
    assert services.document_sign(actor=Actor.person(market_leader), document=document).state == "signed"


@pytest.mark.parametrize("who", ["market_leader", "police_clerk", "outsider_leader"])
def test_only_a_co_issuers_leader_countersigns(
    who: str,
    request: pytest.FixtureRequest,
    market_clerk: User,
    market_leader: User,
    market_dept: Department,
    police_dept: Department,
    nature_dept: Department,
) -> None:
    from zhengwu.conftest import make_staff

    document = _to_signing(market_clerk, market_leader, market_dept, [police_dept])
    if who == "outsider_leader":
        person = make_staff("nature_leader", nature_dept, "dept_leader")
    else:
        person = request.getfixturevalue(who)
    refused_write(
        lambda: services.document_countersign(actor=Actor.person(person), document=document),
        models=[JointIssuer, Document],
        rows=[document, *document.joint_issuers.all()],
        action="documents.document.countersign",
        code="core.permission_denied",
    )


def test_the_co_issuer_cannot_be_the_lead(market_clerk: User, market_dept: Department) -> None:
    with pytest.raises(ApplicationError) as refused:
        draft(market_clerk, market_dept, joint_departments=[market_dept])
    assert "joint_departments" in refused.value.fields and not Document.objects.exists()


def test_a_joint_document_carries_the_leads_number_every_name_and_every_seal(
    market_clerk: User,
    market_leader: User,
    market_dept: Department,
    police_dept: Department,
    police_leader: User,
    office_dept: Department,
) -> None:
    document = _to_signing(market_clerk, market_leader, market_dept, [police_dept])
    services.document_countersign(actor=Actor.person(police_leader), document=document)
    services.document_sign(actor=Actor.person(market_leader), document=document)
    services.document_check(actor=Actor.person(market_clerk), document=document)
    services.document_register(actor=Actor.person(market_clerk), document=document, main_departments=[office_dept])
    printed = services.document_print(actor=Actor.person(market_clerk), document=document)
    assert printed.number == "吉市监发〔2026〕1号"

    content, seal_bytes = storage.read(printed.file_path), storage.read(printed.seal_path)
    text = _text(content)
    assert market_dept.name in text and police_dept.name in text and "文件" in text
    assert text.count("〔2026〕") == 1  # one number: the lead agency's
    rendered = pdf.render(printed)
    marks = [p.text for p in rendered.placed if p.role == "mark"]
    assert marks == [market_dept.name, police_dept.name, "文件"]
    seals = sorted((p.x0, p.x1) for p in rendered.placed if p.role == "seal")
    assert len(seals) == 2 and seals[0][1] < seals[1][0]  # side by side, not touching
    assert pdf.BOX[0] <= seals[0][0] and seals[1][1] <= pdf.BOX[2]

    sealed = json.loads(seal_bytes)
    assert [s["department"] for s in sealed["joint_seals"]] == [police_dept.name]
    verdict = seal.verify(content, seal_bytes)
    assert verdict.valid and market_dept.name in verdict.reason and police_dept.name in verdict.reason
    assert seal.key_is_published(verdict.seal)

    # A co-issuer's seal swapped for one over other bytes fails, and so does a changed byte.
    forged = dict(sealed)
    forged["joint_seals"] = [seal.seal(police_dept, b"other bytes", number=printed.number)]
    assert not seal.verify(content, json.dumps(forged).encode()).valid
    assert not seal.verify(content[:-1] + bytes([content[-1] ^ 1]), seal_bytes).valid


def test_the_co_issuers_leader_countersigns_on_the_workbench(
    market_clerk: User,
    market_leader: User,
    market_dept: Department,
    police_dept: Department,
    police_leader: User,
    nature_dept: Department,
) -> None:
    from django.urls import reverse

    from zhengwu.conftest import make_staff, staff_client
    from zhengwu.workbench.todo import todo_list

    document = _to_signing(market_clerk, market_leader, market_dept, [police_dept])
    assert any(item.kind_label == "公文会签" for item in todo_list(police_leader))
    client = staff_client(police_leader)
    page = client.get(reverse("documents_wb:document", args=[document.pk])).content.decode()
    assert "待会签" in page and "会签（同意联合发文）" in page and "签发</button>" not in page
    # The co-issuer may countersign, not sign in the lead's place.
    sign = reverse("documents_wb:document_action", args=[document.pk, "sign"])
    assert client.post(sign).status_code == 404
    client.post(reverse("documents_wb:document_action", args=[document.pk, "countersign"]))
    assert "已会签：公安厅钱处长" in client.get(reverse("documents_wb:document", args=[document.pk])).content.decode()
    assert not any(item.kind_label == "公文会签" for item in todo_list(police_leader))
    # An agency that neither issues nor co-issues it does not see it.
    stranger = make_staff("nature_leader", nature_dept, "dept_leader")
    assert staff_client(stranger).get(reverse("documents_wb:document", args=[document.pk])).status_code == 404


def test_the_draft_form_names_the_co_issuers(
    market_clerk: User, market_dept: Department, police_dept: Department, nature_dept: Department
) -> None:
    from django.urls import reverse

    from zhengwu.conftest import staff_client

    form = {
        "kind": "notice",
        "number_prefix": "吉市监发",
        "title": "关于联合开展专项整治的通知",
        "body": "现将有关事项通知如下。",
        "joint_departments": [police_dept.pk, nature_dept.pk],
    }
    answer = staff_client(market_clerk).post(reverse("documents_wb:document_new"), form)
    assert answer.status_code == 302
    document = Document.objects.get()
    assert {j.department for j in document.joint_issuers.all()} == {police_dept, nature_dept}
