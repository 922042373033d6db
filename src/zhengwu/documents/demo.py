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
document whose department and title are already there is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.db import transaction

from zhengwu.accounts.models import Department, User
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.documents import services
from zhengwu.documents.models import Delivery, Document
from zhengwu.documents.services import Assignment, DocumentData

OFFICE, MARKET, POLICE, DATA_OFFICE = "bgt", "scjgt", "gat", "zsj"
REFORM, EDUCATION = "fgw", "jyt"


def _person(username: str) -> Actor | None:
    user = User.objects.filter(username=username).first()
    return Actor.person(user) if user is not None else None


def _department(prefix: str) -> Department | None:
    user = User.objects.filter(username=f"{prefix}.clerk").select_related("department").first()
    return user.department if user is not None else None


def _issue(
    sender: str,
    data: DocumentData,
    main: list[str],
    copy: list[str] | None = None,
    when: datetime | None = None,
) -> Document | None:
    clerk, leader = _person(f"{sender}.clerk"), _person(f"{sender}.leader")
    department = _department(sender)
    recipients = [_department(p) for p in main]
    copies = [_department(p) for p in copy or []]
    if clerk is None or leader is None or department is None or None in recipients or None in copies:
        return None
    if Document.objects.filter(department=department, title=data.title).exists():
        return None
    co_leaders = [_person(f"{department_prefix(d)}.leader") for d in data.joint_departments]
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
    department = _department(prefix)
    return Delivery.objects.filter(document=document, department=department).first()


def _notice(today: Any) -> int:
    start = datetime.combine(workdays.add_workdays(today, -4), time(9, 30), tzinfo=workdays.CHINA_TZ)
    document = _issue(
        OFFICE,
        DocumentData(
            kind="notice",
            prefix="吉政办发",
            title="吉林省人民政府办公厅关于做好2026年岁末年初安全生产工作的通知",
            body=(
                "岁末年初是安全生产事故易发多发期。为切实做好全省安全生产工作，经省政府同意，现就有关事项通知如下：\n"
                "一、压实安全生产责任。各地各部门要严格落实“党政同责、一岗双责”，主要负责同志亲自部署、亲自检查。\n"
                "二、深入开展隐患排查。重点检查食品生产经营、人员密集场所、道路交通等领域，做到排查整治全覆盖。\n"
                "三、强化应急值守。严格执行领导带班和24小时值班制度，遇有重大情况及时报告。\n"
                "请于2027年1月10日前将工作开展情况报送省政府办公厅。"
            ),
            main_to="省市场监管厅，省公安厅",
            copy_to="省政务服务和数字化局",
            remark="联系人：省政府办公厅秘书二处，电话：0431-88904000",
        ),
        [MARKET, POLICE],
        [DATA_OFFICE],
        when=start,
    )
    if document is None:
        return 0
    market, police = _delivery(document, MARKET), _delivery(document, POLICE)
    market_clerk, market_leader = _person(f"{MARKET}.clerk"), _person(f"{MARKET}.leader")
    police_clerk = _person(f"{POLICE}.clerk")
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
    request = _issue(
        MARKET,
        DocumentData(
            kind="request",
            prefix="吉市监呈",
            title="吉林省市场监督管理厅关于开展食品安全示范城市创建工作的请示",
            body=(
                "为推动全省食品安全治理能力提升，我厅拟在长春市、吉林市开展食品安全示范城市创建工作，"
                "创建期两年，所需经费从部门预算中统筹解决。\n妥否，请批示。"
            ),
            main_to="省人民政府",
            remark="联系人：食品协调处，电话：0431-88888100",
        ),
        [OFFICE],
    )
    if request is None:
        return 0
    reply = _issue(
        OFFICE,
        DocumentData(
            kind="reply",
            prefix="吉政办函",
            title="吉林省人民政府办公厅关于同意开展食品安全示范城市创建工作的批复",
            body=(
                f"省市场监管厅：\n你厅《关于开展食品安全示范城市创建工作的请示》（{request.number}）收悉。"
                "经省政府同意，现批复如下：\n一、同意在长春市、吉林市开展食品安全示范城市创建工作。\n"
                "二、请你厅加强指导，确保创建工作取得实效。\n此复。"
            ),
            main_to="省市场监管厅",
        ),
        [MARKET],
    )
    office_clerk, market_clerk = _person(f"{OFFICE}.clerk"), _person(f"{MARKET}.clerk")
    incoming = _delivery(request, OFFICE)
    if incoming is not None and office_clerk is not None:
        services.delivery_sign(actor=office_clerk, delivery=incoming)
    answered = _delivery(reply, MARKET) if reply is not None else None
    if answered is not None and market_clerk is not None:
        services.delivery_sign(actor=market_clerk, delivery=answered)
    return 2 if reply is not None else 1


def _letter() -> int:
    letter = _issue(
        REFORM,
        DocumentData(
            kind="letter",
            prefix="吉发改函",
            title="吉林省发展和改革委员会关于商请提供2026年度教育领域重大项目情况的函",
            body="为编制全省2027年重大项目计划，请你厅于12月31日前提供2026年度教育领域重大项目建设情况。\n特此函告。",
            main_to="省教育厅",
        ),
        [EDUCATION],
    )
    if letter is None:
        return 0
    clerk = _person(f"{EDUCATION}.clerk")
    delivered = _delivery(letter, EDUCATION)
    if delivered is not None and clerk is not None:
        services.delivery_sign(actor=clerk, delivery=delivered)
    return 1


def _joint_notice() -> int:
    police = _department(POLICE)
    if police is None:
        return 0
    joint = _issue(
        MARKET,
        DocumentData(
            kind="notice",
            prefix="吉市监联发",
            title="吉林省市场监督管理厅 吉林省公安厅关于联合开展打击食品安全违法犯罪专项行动的通知",
            body="为严厉打击危害食品安全违法犯罪行为，省市场监管厅、省公安厅决定联合开展专项行动。现将有关事项通知如下。\n"
            "一、行动时间。2026年12月至2027年3月。\n二、工作要求。各地要加强行刑衔接，形成工作合力。",
            main_to="省政务服务和数字化建设管理局",
            joint_departments=[police],
        ),
        [DATA_OFFICE],
    )
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
