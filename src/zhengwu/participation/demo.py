"""Demo data of the participation app, loaded by `zhengwu demo` after accounts, catalog and base records.

Everything goes through the services (so timers, events and the audit log are real): letters from
citizen01 … citizen08 in every state of the cycle for several departments (received and
dispatched by zsj.egov, handled by <prefix>.clerk), one open consultation of the 省市场监管厅 with
five articles and comments, and one open survey with answers. Loaded once: a second run finds
the demo letters (by title) and the consultation and survey (by title) and adds nothing. The
letters and the screening list are data, in `data/demo_letters.json`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

from django.db import transaction

from zhengwu.accounts.demo import demo_user
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.datafiles import read_json
from zhengwu.participation import services
from zhengwu.participation.models import Consultation, Letter, SensitiveWord, Survey

CONSULTATION_TITLE = "吉林省个体工商户登记管理办法（征求意见稿）"
SURVEY_TITLE = "2026 年吉林省政务服务满意度问卷调查"

DRAFT = """为优化营商环境，规范个体工商户登记管理，省市场监督管理厅起草了本办法，现公开征求意见。
第一条 为了规范个体工商户登记管理，保护个体工商户合法权益，根据《促进个体工商户发展条例》，制定本办法。
第二条 个体工商户登记实行全程网上办理，申请人可以通过吉林省政务服务网提交申请。
第三条 登记机关应当在收到申请之日起 3 个工作日内作出是否准予登记的决定。
第四条 个体工商户变更经营者的，可以直接向登记机关申请办理变更登记。
第五条 本办法自 2027 年 1 月 1 日起施行。"""

QUESTIONS = """单选：您最常通过哪种方式办理政务服务事项？ | 政务服务网 | 手机 App | 政务服务大厅 | 电话咨询
多选：您希望优先改进哪些方面？ | 减少申请材料 | 缩短办理时限 | 提高网上办理深度 | 改善窗口服务态度
量表：您对全省政务服务的总体满意度 | 1 | 5
文本：您还有哪些意见建议？（选答）"""


class DemoLetter(NamedTuple):
    writer: str  # username
    department: str  # account prefix of the department handling it ("" for one not dispatched)
    kind: str
    title: str
    content: str
    consent: bool  # to publishing
    stage: str  # how far the demo takes it


# The demo's letters and its screening list (docs/rules.md §17: a few words of the kinds a real
# list holds — illegal advertising, gambling, fraud; the e-gov office keeps the real one on the
# workbench): data, not code.
DEMO = read_json("zhengwu.participation", "demo_letters.json")
LETTERS: list[DemoLetter] = [DemoLetter(**entry) for entry in DEMO["letters"]]
DEMO_SENSITIVE_WORDS: list[tuple[str, str]] = [(word, category) for word, category in DEMO["sensitive_words"]]


def _letters(say: Callable[[str], object]) -> int:
    office_staff = demo_user("zsj.egov")
    if office_staff is None:
        say("  公众参与：未找到电子政务主管账号 zsj.egov，跳过来信演示数据。")
        return 0
    created = 0
    for writer_name, prefix, kind, title, content, consent, stage in LETTERS:
        writer = demo_user(writer_name)
        if writer is None or Letter.objects.filter(writer=writer, title=title).exists():
            continue
        clerk = demo_user(f"{prefix}.clerk") if prefix else None
        with transaction.atomic():
            letter, _code = services.letter_submit(
                actor=Actor.person(writer),
                channel="mayor",
                kind=kind,
                title=title,
                content=content,
                consent_publish=consent,
                office=office_staff.department,
            )
            created += 1
            if stage == "submitted" or clerk is None or clerk.department is None:
                continue
            if stage == "returned":
                wrong = demo_user("gat.clerk")
                misrouted = wrong.department if wrong is not None and wrong.department else clerk.department
                services.letter_dispatch(actor=Actor.person(office_staff), letter=letter, department=misrouted)
                services.letter_return(
                    actor=Actor.person(wrong or clerk),
                    letter=letter,
                    reason="身份证补办属户籍窗口业务，请派至长春市公安局。",
                )
                continue
            services.letter_dispatch(
                actor=Actor.person(office_staff), letter=letter, department=clerk.department, note="请按时办理答复。"
            )
            if stage == "extension":
                services.letter_extension_request(
                    actor=Actor.person(clerk), letter=letter, days=10, reason="需协调施工单位并现场核查。"
                )
                continue
            services.letter_sign(actor=Actor.person(clerk), letter=letter)
            if stage == "handling":
                continue
            reply = {
                "scjgt": "经执法人员现场检查，该餐馆未安装油烟净化设施，已责令限期整改并立案调查。",
                "jtt": "您的建议已转长春市交通运输局研究，将结合客流调查优化城际公交班次。",
            }.get(prefix, "您反映的问题已受理核查，商家已承诺 3 日内为您退换货。")
            services.letter_reply(actor=Actor.person(clerk), letter=letter, reply=reply)
            if stage == "replied":
                continue
            services.letter_complete(actor=Actor.person(office_staff), letter=letter, publish=consent)
            if stage == "rated":
                services.letter_callback(
                    actor=Actor.person(office_staff), letter=letter, note="来信人表示整改后油烟明显减少。"
                )
                services.letter_rate(actor=Actor.person(writer), letter=letter, rating="5", comment="处理及时")
            elif stage == "bad_rating":
                services.letter_rate(
                    actor=Actor.person(writer), letter=letter, rating="2", comment="答复后商家仍未退货"
                )
    return created


def _consultation() -> bool:
    clerk = demo_user("scjgt.clerk")
    if clerk is None or Consultation.objects.filter(title=CONSULTATION_TITLE).exists():
        return False
    today = workdays.today()
    with transaction.atomic():
        item = services.consultation_create(
            actor=Actor.person(clerk),
            title=CONSULTATION_TITLE,
            intro="根据《促进个体工商户发展条例》，结合我省实际，起草了本办法。",
            draft=DRAFT,
            opens_on=today - timedelta(days=3),
            closes_on=today + timedelta(days=27),
        )
        services.consultation_publish(actor=Actor.person(clerk), consultation=item)
        articles = {a.heading: a for a in item.articles.all()}
        comments = [
            ("citizen01", "第二条", "建议明确网上办理的系统入口，并保留线下窗口办理渠道，方便老年人。"),
            ("citizen02", "第三条", "3 个工作日偏长，建议材料齐全的当场办结。"),
            ("citizen03", "第四条", "变更经营者涉及债务承担，建议增加公告程序。"),
        ]
        for username, heading, text in comments:
            author = demo_user(username)
            if author is not None and heading in articles:
                services.comment_create(actor=Actor.person(author), article=articles[heading], content=text)
    return True


def _survey() -> int:
    staff = demo_user("zsj.clerk")
    if staff is None or Survey.objects.filter(title=SURVEY_TITLE).exists():
        return 0
    today = workdays.today()
    answered = 0
    with transaction.atomic():
        survey = services.survey_create(
            actor=Actor.person(staff),
            title=SURVEY_TITLE,
            intro="为了解群众和企业对我省政务服务的评价，特开展本次调查，约需 2 分钟。",
            questions=QUESTIONS,
            opens_on=today - timedelta(days=5),
            closes_on=today + timedelta(days=25),
            results_public=True,
        )
        services.survey_open(actor=Actor.person(staff), survey=survey)
        questions = list(survey.questions.all())
        for number in range(1, 11):
            user = demo_user(f"citizen{number:02d}")
            if user is None:
                continue
            answers = {
                questions[0].pk: str(number % 4),
                questions[1].pk: [str(number % 4), str((number + 1) % 4)],
                questions[2].pk: str(3 + number % 3),
                questions[3].pk: "希望进一步减少证明材料。" if number % 3 == 0 else "",
            }
            services.survey_answer(actor=Actor.person(user), survey=survey, answers=answers)
            answered += 1
    return answered


def _sensitive_words() -> int:
    for word, category in DEMO_SENSITIVE_WORDS:
        if not SensitiveWord.objects.filter(word=word).exists():
            services.sensitive_word_add(actor=Actor.platform(), word=word, category=category)
    return SensitiveWord.objects.count()


def load_demo(*, say: Callable[[str], object]) -> str:
    """Load (idempotently) and return a one-line summary for the demo command's report."""
    words = _sensitive_words()
    letters = _letters(say)
    consultation = _consultation()
    answers = _survey()
    return (
        f"公众参与：新增来信 {letters} 件（共 {Letter.objects.count()} 件），"
        f"意见征集 {'1 项' if consultation else '已存在'}，问卷答卷 {answers} 份，敏感词库 {words} 个词。"
    )
