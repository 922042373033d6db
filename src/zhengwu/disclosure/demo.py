"""Demo data of the disclosure app, loaded by `zhengwu demo` after accounts, catalog and base records.

About 40 proactive items of seven provincial departments (titles, 发文字号 and bodies in the style
of real ones; a few drafts still within their 20-day window) and requests in different states —
all made through the services, so index numbers, search terms, timers and audit records are real.
Idempotent: an item (department + title) or request (department + description) already there is
skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction

from zhengwu.accounts.models import Department, User
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.disclosure import services
from zhengwu.disclosure.models import DisclosureRequest, Publication
from zhengwu.disclosure.services import AnswerData, ApplicantData, PublicationData

# (department, document prefix, category, title, subject words, topic for the body)
ITEMS: list[tuple[str, str, str, str, str, str]] = [
    (
        "吉林省人民政府办公厅",
        "吉政办函",
        "notice",
        "吉林省人民政府办公厅关于2027年元旦放假安排的通知",
        "元旦 放假安排",
        "元旦放假安排",
    ),
    (
        "吉林省政务服务和数字化建设管理局",
        "吉政数函",
        "notice",
        "关于吉林省政务服务网系统升级暂停部分服务的公告",
        "政务服务网 系统升级",
        "政务服务网系统升级",
    ),
    (
        "吉林省市场监督管理厅",
        "吉市监函",
        "news",
        "省市场监管厅召开全省食品安全工作推进会",
        "食品安全 工作会议",
        "食品安全工作推进",
    ),
    (
        "吉林省政务服务和数字化建设管理局",
        "吉政数函",
        "news",
        "我省“高效办成一件事”第二批重点事项全部上线运行",
        "高效办成一件事 政务服务",
        "“高效办成一件事”重点事项上线",
    ),
    (
        "吉林省人民政府办公厅",
        "吉政办发",
        "policy",
        "吉林省人民政府办公厅关于进一步优化营商环境更好服务市场主体的实施意见",
        "营商环境 市场主体",
        "优化营商环境",
    ),
    (
        "吉林省人民政府办公厅",
        "吉政办发",
        "policy",
        "吉林省人民政府办公厅关于印发吉林省加快推进政务服务“一网通办”工作方案的通知",
        "政务服务 一网通办",
        "政务服务“一网通办”",
    ),
    (
        "吉林省人民政府办公厅",
        "吉政办发",
        "plan",
        "吉林省人民政府办公厅关于印发吉林省冰雪经济高质量发展规划（2026—2030年）的通知",
        "冰雪经济 规划",
        "冰雪经济高质量发展",
    ),
    (
        "吉林省人民政府办公厅",
        "吉政办发",
        "policy",
        "吉林省人民政府办公厅关于促进平台经济规范健康发展的实施意见",
        "平台经济",
        "平台经济规范健康发展",
    ),
    (
        "吉林省人民政府办公厅",
        "吉政办发",
        "emergency",
        "吉林省人民政府办公厅关于印发吉林省突发事件总体应急预案的通知",
        "应急预案 突发事件",
        "突发事件应急处置",
    ),
    (
        "吉林省人民政府办公厅",
        "吉政办发",
        "organisation",
        "吉林省人民政府办公厅主要职责内设机构和人员编制规定",
        "机构职能",
        "机构职能",
    ),
    (
        "吉林省人民政府办公厅",
        "吉政办函",
        "policy",
        "吉林省人民政府办公厅关于2026年部分节假日安排的通知",
        "节假日 安排",
        "节假日安排",
    ),
    (
        "吉林省市场监督管理厅",
        "吉市监发",
        "policy",
        "吉林省市场监督管理厅关于印发《吉林省食品安全抽检监测工作规范》的通知",
        "食品安全 抽检监测",
        "食品安全抽检监测",
    ),
    (
        "吉林省市场监督管理厅",
        "吉市监发",
        "policy",
        "吉林省市场监督管理厅关于进一步规范个体工商户登记管理的通知",
        "个体工商户 登记",
        "个体工商户登记管理",
    ),
    (
        "吉林省市场监督管理厅",
        "吉市监通",
        "penalty",
        "吉林省市场监督管理厅关于2026年第三批食品安全监督抽检不合格产品处置情况的通告",
        "食品安全 不合格产品",
        "不合格食品核查处置",
    ),
    (
        "吉林省市场监督管理厅",
        "吉市监发",
        "licensing",
        "吉林省市场监督管理厅关于公布食品生产许可审查细则的公告",
        "食品生产许可",
        "食品生产许可审查",
    ),
    (
        "吉林省市场监督管理厅",
        "吉市监发",
        "policy",
        "吉林省市场监督管理厅关于开展2026年民生领域反不正当竞争专项执法行动的通知",
        "反不正当竞争 专项执法",
        "反不正当竞争执法",
    ),
    ("吉林省市场监督管理厅", "吉市监发", "plan", "吉林省“十五五”市场监管现代化规划", "市场监管 规划", "市场监管现代化"),
    (
        "吉林省卫生健康委员会",
        "吉卫发",
        "policy",
        "吉林省卫生健康委员会关于印发吉林省基层医疗卫生服务能力提升行动方案的通知",
        "基层医疗 服务能力",
        "基层医疗卫生服务能力提升",
    ),
    (
        "吉林省卫生健康委员会",
        "吉卫发",
        "policy",
        "吉林省卫生健康委员会关于做好2026年秋冬季传染病防控工作的通知",
        "传染病 防控",
        "秋冬季传染病防控",
    ),
    (
        "吉林省卫生健康委员会",
        "吉卫发",
        "licensing",
        "吉林省卫生健康委员会关于医疗机构执业登记事项办理指南的公告",
        "医疗机构 执业登记",
        "医疗机构执业登记",
    ),
    (
        "吉林省卫生健康委员会",
        "吉卫发",
        "statistics",
        "2025年吉林省卫生健康事业发展统计公报",
        "统计公报 卫生健康",
        "卫生健康事业发展统计",
    ),
    (
        "吉林省卫生健康委员会",
        "吉卫函",
        "public_welfare",
        "吉林省卫生健康委员会关于开展老年人免费健康体检工作的通知",
        "老年人 健康体检",
        "老年人健康体检",
    ),
    (
        "吉林省人力资源和社会保障厅",
        "吉人社发",
        "policy",
        "吉林省人力资源和社会保障厅关于调整全省最低工资标准的通知",
        "最低工资 标准",
        "最低工资标准调整",
    ),
    (
        "吉林省人力资源和社会保障厅",
        "吉人社发",
        "policy",
        "吉林省人力资源和社会保障厅关于做好2026年高校毕业生等青年就业创业工作的通知",
        "高校毕业生 就业创业",
        "高校毕业生就业创业",
    ),
    (
        "吉林省人力资源和社会保障厅",
        "吉人社发",
        "personnel",
        "吉林省人力资源和社会保障厅2026年度公开招聘事业单位工作人员公告",
        "公开招聘 事业单位",
        "事业单位公开招聘",
    ),
    (
        "吉林省人力资源和社会保障厅",
        "吉人社发",
        "policy",
        "吉林省人力资源和社会保障厅关于调整2026年退休人员基本养老金的通知",
        "基本养老金 调整",
        "退休人员基本养老金调整",
    ),
    (
        "吉林省人力资源和社会保障厅",
        "吉人社发",
        "policy",
        "吉林省人力资源和社会保障厅关于进一步做好职业技能培训补贴发放工作的通知",
        "职业技能培训 补贴",
        "职业技能培训补贴",
    ),
    (
        "吉林省生态环境厅",
        "吉环发",
        "policy",
        "吉林省生态环境厅关于印发吉林省大气污染防治2026年度工作方案的通知",
        "大气污染防治",
        "大气污染防治",
    ),
    (
        "吉林省生态环境厅",
        "吉环发",
        "penalty",
        "吉林省生态环境厅2026年第三季度行政处罚案件信息公开表",
        "行政处罚 环境违法",
        "环境违法行为查处",
    ),
    (
        "吉林省生态环境厅",
        "吉环审",
        "licensing",
        "吉林省生态环境厅关于长春某化工项目环境影响报告书的批复",
        "环境影响评价 批复",
        "建设项目环境影响评价",
    ),
    (
        "吉林省生态环境厅",
        "吉环发",
        "policy",
        "吉林省生态环境厅关于加强秸秆禁烧和综合利用工作的通知",
        "秸秆 禁烧 综合利用",
        "秸秆禁烧和综合利用",
    ),
    ("吉林省生态环境厅", "吉环发", "plan", "吉林省黑土地保护生态环境监测方案", "黑土地 监测", "黑土地保护生态环境监测"),
    ("吉林省财政厅", "吉财预", "budget", "吉林省财政厅2026年部门预算公开说明", "部门预算 预算公开", "部门预算"),
    ("吉林省财政厅", "吉财预", "budget", "吉林省财政厅2025年部门决算公开说明", "部门决算 决算公开", "部门决算"),
    (
        "吉林省财政厅",
        "吉财采购",
        "procurement",
        "吉林省财政厅关于印发吉林省政府采购意向公开管理办法的通知",
        "政府采购 意向公开",
        "政府采购意向公开",
    ),
    (
        "吉林省财政厅",
        "吉财社",
        "policy",
        "吉林省财政厅关于下达2026年城乡居民基本医疗保险省级补助资金的通知",
        "城乡居民医保 补助资金",
        "城乡居民基本医疗保险补助资金",
    ),
    (
        "吉林省财政厅",
        "吉财农",
        "policy",
        "吉林省财政厅关于下达2026年高标准农田建设补助资金的通知",
        "高标准农田 补助资金",
        "高标准农田建设补助资金",
    ),
    (
        "吉林省应急管理厅",
        "吉应急发",
        "emergency",
        "吉林省应急管理厅关于做好2026年冬春火灾防控工作的通知",
        "火灾防控 冬春",
        "冬春火灾防控",
    ),
    (
        "吉林省应急管理厅",
        "吉应急发",
        "emergency",
        "吉林省应急管理厅关于印发吉林省防汛抗旱应急预案的通知",
        "防汛抗旱 应急预案",
        "防汛抗旱",
    ),
    (
        "吉林省应急管理厅",
        "吉应急发",
        "policy",
        "吉林省应急管理厅关于开展危险化学品安全专项整治的通知",
        "危险化学品 专项整治",
        "危险化学品安全专项整治",
    ),
    (
        "吉林省应急管理厅",
        "吉应急发",
        "penalty",
        "吉林省应急管理厅安全生产行政处罚信息公开（2026年第10期）",
        "安全生产 行政处罚",
        "安全生产违法行为查处",
    ),
    (
        "吉林省应急管理厅",
        "吉应急发",
        "emergency",
        "吉林省应急管理厅关于森林草原防灭火工作的紧急通知",
        "森林草原 防灭火",
        "森林草原防灭火",
    ),
]
DRAFTS = 3  # the last items of the list stay drafts (their 20-working-day clock runs)
PARAGRAPHS = [
    "为深入贯彻落实党中央、国务院关于{t}的决策部署，按照省委、省政府工作安排，结合我省实际，现就有关事项通知如下。",
    "一、总体要求。坚持以人民为中心的发展思想，聚焦{t}中的难点堵点问题，坚持问题导向、目标导向和结果导向，"
    "建立健全长效机制，推动各项任务落地见效。",
    "二、主要任务。各地各部门要对照职责分工，细化工作措施，明确时间节点，确保{t}各项工作按期完成。"
    "要加强部门协同和上下联动，充分运用信息化手段提升工作效率。",
    "三、保障措施。各级财政要统筹安排资金予以保障；要加强督促检查，对工作推进不力的依法依规严肃问责；"
    "要加强政策宣传解读，及时回应社会关切。",
    "本{k}自印发之日起施行。执行中遇到的问题，请及时向{d}反馈。",
]


def _body(topic: str, kind: str, department: str) -> str:
    return "\n\n".join(p.format(t=topic, k=kind, d=department) for p in PARAGRAPHS)


def _kind(title: str) -> str:
    for word in ("通知", "意见", "通告", "公告", "批复", "规划", "方案", "说明", "公报"):
        if title.endswith(word) or word in title[-6:]:
            return word
    return "文件"


def _publications(today: date) -> tuple[int, int]:
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
    return made, Publication.objects.filter(state=Publication.State.PUBLISHED).count()


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
    made, published = _publications(today)
    requests = _requests(today)
    total_requests = DisclosureRequest.objects.count()
    if made or requests:
        say(f"政府信息公开：新建公开信息 {made} 条、依申请公开 {requests} 件。")
    return f"政府信息公开：已发布 {published} 条（含索引号），依申请公开 {total_requests} 件。"
