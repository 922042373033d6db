"""Writes of surveys (问卷调查): questions written one per line, opening and closing, answers by
real-name users (once each) or, where allowed, by anonymous visitors (once per browser session,
at most 3 a day per IP address; only hashes of the session key and the address are kept).

Every write goes through `audited_write` (docs/design.md rules 1 and 5).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.audit.write import audited_write
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import blind_index, blind_indexes
from zhengwu.core.errors import ApplicationError, clean
from zhengwu.participation.audit_actions import ParticipationAction as Action
from zhengwu.participation.errors import ParticipationError
from zhengwu.participation.models import Answer, Question, Response, Survey
from zhengwu.participation.services.common import department_write, is_content_staff, is_real_name
from zhengwu.participation.states import SURVEY

ANONYMOUS_PER_IP_PER_DAY = 3

QUESTION_KINDS = {
    "单选": Question.Kind.SINGLE,
    "多选": Question.Kind.MULTIPLE,
    "文本": Question.Kind.TEXT,
    "量表": Question.Kind.SCALE,
}


def parse_questions(text: str) -> list[dict[str, Any]]:
    """Questions written one per line: `单选：题目 | 选项 | 选项`, `多选：…`, `文本：题目`,
    `量表：题目 | 1 | 5`; a trailing `（选答）` makes a question optional."""
    out: list[dict[str, Any]] = []
    problems: dict[str, str] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        head, _, rest = line.replace(":", "：", 1).partition("：")
        kind = QUESTION_KINDS.get(head.strip())
        parts = [p.strip() for p in rest.split("|")]
        if kind is None or not parts or not parts[0]:
            problems[f"第{number}行"] = "应以 单选/多选/文本/量表 加冒号开头，后接题目"
            continue
        question_text = parts[0]
        required = True
        if question_text.endswith("（选答）"):
            required = False
            question_text = question_text[: -len("（选答）")].strip()
        item: dict[str, Any] = {"kind": kind, "text": question_text[:500], "options": [], "required": required}
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            options = [p for p in parts[1:] if p]
            if len(options) < 2 or len(options) > 20 or len(set(options)) != len(options):
                problems[f"第{number}行"] = "选择题需要 2 至 20 个互不相同的选项，用 | 分隔"
                continue
            item["options"] = options
        elif kind == Question.Kind.SCALE:
            low, high = (parts[1], parts[2]) if len(parts) >= 3 else ("1", "5")
            if not (low.lstrip("-").isdigit() and high.lstrip("-").isdigit()) or not 0 <= int(low) < int(high) <= 10:
                problems[f"第{number}行"] = "量表范围应为 0 至 10 之间的两个整数，如 | 1 | 5"
                continue
            item["scale_min"], item["scale_max"] = int(low), int(high)
        out.append(item)
    if problems:
        raise ApplicationError(
            ParticipationError.INVALID_SURVEY,
            "题目格式有误：" + "；".join(f"{k}：{v}" for k, v in problems.items()),
            {"questions": "格式有误"},
        )
    if not out:
        raise ApplicationError(ParticipationError.INVALID_SURVEY, "请至少填写一道题目。", {"questions": "必填"})
    return out


def survey_create(
    *,
    actor: Actor,
    title: str,
    intro: str,
    questions: str,
    opens_on: date,
    closes_on: date,
    allow_anonymous: bool = False,
    results_public: bool = True,
) -> Survey:
    code = ParticipationError.INVALID_SURVEY
    with department_write(actor, Action.SURVEY_CREATE, "只有部门工作人员可以发起问卷调查。", title, code) as new:
        parsed = parse_questions(questions)
        survey = new.open_item(
            Survey,
            intro=intro,
            opens_on=opens_on,
            closes_on=closes_on,
            code=code,
            allow_anonymous=bool(allow_anonymous),
            results_public=bool(results_public),
        )
        clean(survey)
        survey.save()
        for position, item in enumerate(parsed, start=1):
            question = Question(survey=survey, position=position, **item)
            clean(question)
            question.save()
        new.write.set_target(survey)
        new.write.note(questions=len(parsed))
    return survey


def _survey_move(actor: Actor, survey: Survey, action: Action, move: str) -> Survey:
    with audited_write(actor, action, survey) as write:
        locked = write.lock(survey)
        write.require(is_content_staff(actor, locked.department_id), "您无权管理此问卷。")
        SURVEY.move(locked, move)
        if locked.state == Survey.State.CLOSED:
            locked.closes_on = min(locked.closes_on, max(locked.opens_on, workdays.today()))
        clean(locked)
        locked.save()
    survey.refresh_from_db()
    return locked


def survey_open(*, actor: Actor, survey: Survey) -> Survey:
    return _survey_move(actor, survey, Action.SURVEY_OPEN, "open")


def survey_close(*, actor: Actor, survey: Survey) -> Survey:
    return _survey_move(actor, survey, Action.SURVEY_CLOSE, "close")


def _answer_for(question: Question, raw: Any) -> Answer | None:
    """Validate one raw answer (list of option indexes, text, or scale value); None when skipped."""
    code = ParticipationError.INVALID_ANSWER
    field = f"q{question.pk}"
    values = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
    values = [v for v in values if str(v).strip() != ""]
    if not values:
        if question.required:
            raise ApplicationError(code, f"第{question.position}题为必答题。", {field: "必答"})
        return None
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        try:
            indexes = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise ApplicationError(code, f"第{question.position}题的选项无效。", {field: "无效"}) from None
        if any(not 0 <= i < len(question.options) for i in indexes) or (
            question.kind == Question.Kind.SINGLE and len(indexes) != 1
        ):
            raise ApplicationError(code, f"第{question.position}题的选项无效。", {field: "无效"})
        return Answer(question=question, choices=indexes)
    if question.kind == Question.Kind.SCALE:
        try:
            value = int(values[0])
        except (TypeError, ValueError):
            raise ApplicationError(code, f"第{question.position}题的分值无效。", {field: "无效"}) from None
        if not question.scale_min <= value <= question.scale_max:
            raise ApplicationError(code, f"第{question.position}题的分值超出范围。", {field: "超出范围"})
        return Answer(question=question, scale=value)
    text = str(values[0]).strip()
    if len(text) > 2000:
        raise ApplicationError(code, f"第{question.position}题的回答不能超过 2000 字。", {field: "不能超过 2000 字"})
    return Answer(question=question, text=text)


def survey_answer(*, actor: Actor, survey: Survey, answers: dict[int, Any], session_key: str = "") -> Response:
    """Submit one questionnaire. A real-name user answers once. Where the survey allows anonymous
    answers, an anonymous visitor answers once per browser session (`session_key`) and at most 3
    times a day per IP address (the actor's); only hashes of the session key and IP are stored."""
    anonymous = actor.is_anonymous
    with audited_write(actor, Action.SURVEY_ANSWER, survey) as write:
        locked = write.lock(survey)
        allowed = locked.allow_anonymous if anonymous else is_real_name(actor)
        write.require(allowed, "请以实名认证的账号登录后作答。")
        if anonymous and not session_key:
            raise ApplicationError(ParticipationError.INVALID_ANSWER, "浏览器未启用会话，无法匿名作答。")
        session_hash = blind_index(session_key, purpose=f"survey-session:{locked.pk}") if anonymous else ""
        ip_hash = blind_index(actor.ip, purpose=f"survey-ip:{locked.pk}") if anonymous and actor.ip else ""
        built = [a for a in (_answer_for(q, answers.get(q.pk)) for q in locked.questions.all()) if a is not None]
        if not locked.is_open_on(workdays.today()):
            raise ApplicationError(ParticipationError.NOT_OPEN, "该问卷不在作答期内。")
        # Neither the session key nor the address is kept: earlier answers keep the hash of the
        # data key they were given under, so look under every key of the ring.
        taken = (
            Response.objects.filter(
                survey=locked, session_hash__in=blind_indexes(session_key, purpose=f"survey-session:{locked.pk}")
            )
            if anonymous
            else Response.objects.filter(survey=locked, user=actor.user)
        )
        if taken.exists():
            raise ApplicationError(ParticipationError.ALREADY_ANSWERED, "您已提交过此问卷，每人限答一次。")
        if ip_hash:
            since = timezone.now() - timedelta(days=1)
            ip_hashes = blind_indexes(actor.ip or "", purpose=f"survey-ip:{locked.pk}")
            today_from_ip = Response.objects.filter(survey=locked, ip_hash__in=ip_hashes, created_at__gte=since).count()
            if today_from_ip >= ANONYMOUS_PER_IP_PER_DAY:
                raise ApplicationError(ParticipationError.ANONYMOUS_LIMIT, "该网络地址今日匿名作答次数已达上限。")
        response = Response(survey=locked, user=actor.user, session_hash=session_hash, ip_hash=ip_hash)
        try:
            with transaction.atomic():
                response.save()
        except IntegrityError:
            raise ApplicationError(ParticipationError.ALREADY_ANSWERED, "您已提交过此问卷，每人限答一次。") from None
        for answer in built:
            answer.response = response
            answer.save()
        write.note(response=response.pk, anonymous=anonymous)
    return response
