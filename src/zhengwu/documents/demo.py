"""Demo data of the documents app, loaded by `zhengwu demo` after accounts (staff `<prefix>.clerk`
and `<prefix>.leader` of each department).

- a 通知 of the 省政府办公厅 to the 市场监管厅 and 公安厅 (主送) and the 政数局 (抄送), delivered four
  working days ago: the 市场监管厅 signed it (late) and is handling it, the 公安厅 returned it, the
  政数局 has not signed and its clock is red;
- a 请示 of the 市场监管厅 up to the 省政府办公厅 (signed, with its 签发人), and the 批复 back;
- a 函 of the 发展改革委 to the 教育厅, signed for;
- a joint 通知 (联合行文) of the 市场监管厅 with the 公安厅, countersigned by the 公安厅's leader, to
  the 政数局: one number (the 市场监管厅's), both names and both seals.
All made through the services (numbers, seals, timers and audit records are real). Idempotent: a
document whose department and title are already there is skipped. The documents themselves are
data, in `data/demo_documents.json`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.db import transaction

from zhengwu.accounts.demo import demo_actor, demo_department
from zhengwu.accounts.models import Department, User
from zhengwu.core import workdays
from zhengwu.core.datafiles import read_json
from zhengwu.documents import services
from zhengwu.documents.models import Delivery, Document
from zhengwu.documents.services import Assignment, DocumentData

# Account prefixes of the departments the code below acts for (`<prefix>.clerk`, `<prefix>.leader`).
OFFICE, MARKET, POLICE, EDUCATION = "bgt", "scjgt", "gat", "jyt"


# The demo's documents by role (sender and recipients as account prefixes, the fields of
# `DocumentData` that differ from their defaults, the body as its lines): data, not code.
DOCUMENTS: dict[str, dict[str, Any]] = read_json("zhengwu.documents", "demo_documents.json")


def _issue(key: str, *, when: datetime | None = None, **values: str) -> Document | None:
    """Draft, approve, sign, number and issue the demo document `key` as its sender's clerk and
    leader; `values` fill the body's {placeholders}. None when a person or department is missing
    or the document is already there."""
    spec = DOCUMENTS[key]
    sender = spec["sender"]
    clerk, leader = demo_actor(f"{sender}.clerk"), demo_actor(f"{sender}.leader")
    department = demo_department(sender, "clerk")
    recipients = [demo_department(p, "clerk") for p in spec["main"]]
    copies = [demo_department(p, "clerk") for p in spec.get("copy", [])]
    joint = [demo_department(p, "clerk") for p in spec["document"].get("joint_departments", [])]
    if clerk is None or leader is None or department is None or None in recipients + copies + joint:
        return None
    body = "\n".join(spec["document"]["body"]).format(**values)
    data = DocumentData(**{**spec["document"], "body": body, "joint_departments": joint})
    if Document.objects.filter(department=department, title=data.title).exists():
        return None
    co_leaders = [demo_actor(f"{department_prefix(d)}.leader") for d in data.joint_departments]
    with transaction.atomic():
        document = services.document_draft(actor=clerk, department=department, data=data)
        services.document_submit(actor=clerk, document=document)
        services.document_review(actor=leader, document=document, approve=True, comment="同意。")
        services.document_submit_for_signing(actor=clerk, document=document)
        for co_leader in co_leaders:
            if co_leader is not None:
                services.document_countersign(actor=co_leader, document=document)
        services.document_sign(actor=leader, document=document)
        services.document_check(actor=clerk, document=document)
        services.document_register(
            actor=clerk,
            document=document,
            main_departments=[d for d in recipients if d is not None],
            copy_departments=[d for d in copies if d is not None],
            copies=20,
        )
        services.document_print(actor=clerk, document=document)
        return services.document_issue(actor=clerk, document=document, when=when)


def department_prefix(department: Department) -> str:
    """The demo username prefix of a department's staff (`<prefix>.clerk`)."""
    user = User.objects.filter(department=department, username__endswith=".clerk").first()
    return user.username.removesuffix(".clerk") if user is not None else ""


def _delivery(document: Document, prefix: str) -> Delivery | None:
    department = demo_department(prefix, "clerk")
    return Delivery.objects.filter(document=document, department=department).first()


def _notice(today: Any) -> int:
    start = datetime.combine(workdays.add_workdays(today, -4), time(9, 30), tzinfo=workdays.CHINA_TZ)
    document = _issue("notice", when=start)
    if document is None:
        return 0
    market, police = _delivery(document, MARKET), _delivery(document, POLICE)
    market_clerk, market_leader = demo_actor(f"{MARKET}.clerk"), demo_actor(f"{MARKET}.leader")
    police_clerk = demo_actor(f"{POLICE}.clerk")
    if market is not None and market_clerk is not None and market_leader is not None:
        services.delivery_sign(actor=market_clerk, delivery=market)
        services.delivery_register(actor=market_clerk, delivery=market)
        services.delivery_review(actor=market_clerk, delivery=market, proposal="拟请厅领导阅示，安全监管处牵头办理。")
        services.delivery_instruct(actor=market_leader, delivery=market, instruction="请安全监管处牵头，按期报送。")
        assert market_clerk.user is not None
        services.delivery_assign(
            actor=market_leader,
            delivery=market,
            lead=Assignment(market_clerk.user, workdays.add_workdays(today, 5)),
        )
        services.delivery_read(actor=market_leader, delivery=market)
    if police is not None and police_clerk is not None:
        services.delivery_return(
            actor=police_clerk, delivery=police, reason="incomplete", comment="通知所附报送表格缺失，请补发。"
        )
    return 1


def _request_and_reply() -> int:
    request = _issue("request")
    if request is None:
        return 0
    reply = _issue("reply", request_number=request.number)
    office_clerk, market_clerk = demo_actor(f"{OFFICE}.clerk"), demo_actor(f"{MARKET}.clerk")
    incoming = _delivery(request, OFFICE)
    if incoming is not None and office_clerk is not None:
        services.delivery_sign(actor=office_clerk, delivery=incoming)
    answered = _delivery(reply, MARKET) if reply is not None else None
    if answered is not None and market_clerk is not None:
        services.delivery_sign(actor=market_clerk, delivery=answered)
    return 2 if reply is not None else 1


def _letter() -> int:
    letter = _issue("letter")
    if letter is None:
        return 0
    clerk = demo_actor(f"{EDUCATION}.clerk")
    delivered = _delivery(letter, EDUCATION)
    if delivered is not None and clerk is not None:
        services.delivery_sign(actor=clerk, delivery=delivered)
    return 1


def _joint_notice() -> int:
    joint = _issue("joint_notice")
    return 1 if joint is not None else 0


def load_demo(*, say: Callable[[str], object]) -> str:
    """Load (idempotently) and return a one-line summary for the demo command's report."""
    today = workdays.today()
    made = _notice(today) + _request_and_reply() + _letter() + _joint_notice()
    if made:
        say(f"电子公文：新建并核发公文 {made} 件。")
    return (
        f"电子公文：已核发 {Document.objects.filter(state='issued').count()} 件，送达 {Delivery.objects.count()} 份。"
    )
