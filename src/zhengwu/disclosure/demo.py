"""Demo data of the disclosure app, loaded by `zhengwu demo` after accounts, catalog and base records.

About 40 proactive items of seven provincial departments (titles, 发文字号 and bodies in the style
of real ones; a few drafts still within their 20-day window) and requests in different states —
all made through the services, so index numbers, search terms, timers and audit records are real.
Idempotent: an item (department + title) or request (department + description) already there is
skipped. The items are data, in `data/demo_publications.json`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.db import transaction

from zhengwu.accounts.models import Department, User
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.datafiles import read_json
from zhengwu.disclosure import services
from zhengwu.disclosure.models import Category, DisclosureRequest, Publication
from zhengwu.disclosure.services import AnswerData, ApplicantData, PublicationData


class DemoPublication(NamedTuple):
    department: str
    prefix: str  # of the 发文字号
    category: str
    title: str
    subject: str  # 主题词
    topic: str  # for the body


# The proactive items and the body's paragraphs ({t} topic, {k} kind of document, {d} department):
# data, not code.
DEMO = read_json("zhengwu.disclosure", "demo_publications.json")
ITEMS: list[DemoPublication] = [DemoPublication(**entry) for entry in DEMO["publications"]]
PARAGRAPHS: list[str] = DEMO["paragraphs"]
DRAFTS = 3  # the last items of the list stay drafts (their 20-working-day clock runs)
INTERPRETATIONS: list[dict[str, Any]] = DEMO["interpretations"]  # 政策解读, each naming its policy


def _body(topic: str, kind: str, department: str) -> str:
    return "\n\n".join(p.format(t=topic, k=kind, d=department) for p in PARAGRAPHS)


def _kind(title: str) -> str:
    for word in ("通知", "意见", "通告", "公告", "批复", "规划", "方案", "说明", "公报"):
        if title.endswith(word) or word in title[-6:]:
            return word
    return "文件"


def _publications(today: date) -> int:
    made = 0
    numbers: dict[str, int] = {}
    for index, (dept_name, prefix, category, title, subject, topic) in enumerate(ITEMS):
        department = Department.objects.filter(name=dept_name).first()
        if department is None:
            continue
        numbers[prefix] = numbers.get(prefix, 0) + 1
        if Publication.objects.filter(department=department, title=title).exists():
            continue
        is_draft = index >= len(ITEMS) - DRAFTS
        written = today - timedelta(days=3 if is_draft else 20 + 7 * index)
        data = PublicationData(
            title=title,
            category=category,
            date_written=written,
            body=_body(topic, _kind(title), dept_name),
            document_number=(
                f"{prefix}〔{written.year}〕{numbers[prefix] * 3 + 2}号" if category not in ("budget", "news") else ""
            ),
            subject_words=subject,
        )
        with transaction.atomic():
            item = services.publication_create(actor=Actor.platform(), department=department, data=data)
            if not is_draft:
                services.publication_publish(actor=Actor.platform(), publication=item)
        made += 1
    return made


def _interpretations(today: date) -> int:
    """The demo's 政策解读, each linked to the published policy it explains (docs/rules.md §4)."""
    made = 0
    for entry in INTERPRETATIONS:
        policy = Publication.objects.filter(title=entry["policy"], state=Publication.State.PUBLISHED).first()
        if policy is None or Publication.objects.filter(department=policy.department, title=entry["title"]).exists():
            continue
        data = PublicationData(
            title=entry["title"],
            category=Category.INTERPRETATION,
            date_written=min(policy.date_written + timedelta(days=1), today),
            body="\n\n".join(entry["body"]),
            subject_words=entry["subject"],
            interprets=policy.index_number or "",
        )
        with transaction.atomic():
            item = services.publication_create(actor=Actor.platform(), department=policy.department, data=data)
            services.publication_publish(actor=Actor.platform(), publication=item)
        made += 1
    return made


def _requests(today: date) -> int:
    market = Department.objects.filter(name="吉林省市场监督管理厅").first()
    health = Department.objects.filter(name="吉林省卫生健康委员会").first()
    citizens = list(User.objects.filter(username__in=["citizen01", "citizen02", "citizen03"]).order_by("username"))
    if market is None or health is None or len(citizens) < 3:
        return 0
    made = 0

    def exists(department: Department, description: str) -> bool:
        return DisclosureRequest.objects.filter(department=department, description=description).exists()

    # 1. Filed online, waiting for the agency to confirm receipt.
    text = "请公开2025年度全省食品安全监督抽检计划及抽检结果汇总。"
    if not exists(market, text):
        services.request_submit_online(actor=Actor.person(citizens[0]), department=market, description=text)
        made += 1
    # 2. Filed online, confirmed, then a correction notice: waiting for the applicant.
    text = "请公开关于某超市的处罚决定。"
    if not exists(market, text):
        req = services.request_submit_online(actor=Actor.person(citizens[1]), department=market, description=text)
        req = services.request_confirm_receipt(actor=Actor.platform(), disclosure_request=req)
        services.request_ask_correction(
            actor=Actor.platform(), disclosure_request=req, items="请写明超市名称、所在地和处罚的大致时间（年月）"
        )
        made += 1
    # 3. By post, signed for two weeks ago; a third party is being consulted (clock paused).
    text = "请提供长春市某医药公司2025年药品经营许可证变更材料。"
    if not exists(market, text):
        received = workdays.add_workdays(today, -10)
        req = services.request_register(
            actor=Actor.platform(),
            department=market,
            channel="post",
            applicant=ApplicantData(name="李建国", id_number="220102198001011234", phone="13904310000"),
            description=text,
            received_on=received,
        )
        services.request_consult_start(
            actor=Actor.platform(),
            disclosure_request=req,
            third_party="长春某医药有限公司",
            on=workdays.add_workdays(today, -3),
        )
        made += 1
    # 4. In person, answered: already public.
    text = "请提供2026年老年人免费健康体检的实施范围和时间安排。"
    if not exists(health, text):
        req = services.request_register(
            actor=Actor.platform(),
            department=health,
            channel="in_person",
            applicant=ApplicantData(name="王秀兰"),
            description=text,
        )
        services.request_answer(
            actor=Actor.platform(),
            disclosure_request=req,
            answer=AnswerData(
                kind="already_public",
                public_location="吉林省卫生健康委员会门户网站“政府信息公开—社会公益事业”栏目",
                text="您申请的信息已主动公开，可通过上述途径获取。",
            ),
        )
        made += 1
    # 5. Online, being processed (the clock runs), citizen03.
    text = "请公开2026年省级部门预算中卫生健康委项目支出明细。"
    if not exists(health, text):
        req = services.request_submit_online(actor=Actor.person(citizens[2]), department=health, description=text)
        services.request_confirm_receipt(actor=Actor.platform(), disclosure_request=req)
        made += 1
    return made


def load_demo(*, say: Callable[[str], object]) -> str:
    """Load (idempotently) and return a one-line summary for the demo command's report."""
    today = workdays.today()
    made = _publications(today) + _interpretations(today)
    published = Publication.objects.filter(state=Publication.State.PUBLISHED).count()
    requests = _requests(today)
    total_requests = DisclosureRequest.objects.count()
    if made or requests:
        say(f"政府信息公开：新建公开信息 {made} 条、依申请公开 {requests} 件。")
    return f"政府信息公开：已发布 {published} 条（含索引号），依申请公开 {total_requests} 件。"
