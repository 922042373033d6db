"""Reads of the participation app: letters for staff and writers, similar letters, published
letters, consultations and surveys for the public, survey results, the moderation queue, and the
two contracts of every domain app (`public_search`, `todo_items`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Role
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.contracts import DataSection, SearchHit, TodoItem, moment_text
from zhengwu.core.textsearch import query_terms
from zhengwu.participation import rules
from zhengwu.participation.models import (
    Answer,
    Comment,
    Consultation,
    Flag,
    Letter,
    LetterEvent,
    LetterPhoto,
    Question,
    Rating,
    SensitiveWord,
    Survey,
)
from zhengwu.participation.services import code_matches, is_handler, is_office
from zhengwu.participation.services.screening import HELD_PREFIX
from zhengwu.participation.text import LETTER_STOPWORDS, idf_table, letter_terms, similarity
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision.models import Timer, Urging

if TYPE_CHECKING:
    from zhengwu.accounts.models import User

TODO_LIMIT = 100
SIMILAR_WINDOW_DAYS = 365
SIMILAR_CANDIDATES = 3000
SIMILAR_THRESHOLD = 0.3

_Dated = TypeVar("_Dated", Consultation, Survey)


# --- letters: staff -----------------------------------------------------------------------


def letters_for_staff(user: User, *, state: str = "", query: str = "") -> QuerySet[Letter]:
    """Letters a staff user may see: the office's received letters (e-gov office), the letters
    dispatched to the user's department (clerk, leader), every letter (supervisor)."""
    rows = Letter.objects.select_related("department", "office")
    if not user.has_role(Role.SUPERVISOR):  # a supervisor sees every letter
        condition = Q(pk__in=[])
        if user.has_role(Role.EGOV_OFFICE) and user.department_id:
            condition |= Q(office_id=user.department_id)
        if user.has_role(Role.CLERK, Role.DEPT_LEADER, *DUTY_ROOM) and user.department_id:
            condition |= Q(department_id=user.department_id)
        rows = rows.filter(condition)
    if state in Letter.State.values:
        rows = rows.filter(state=state)
    query = (query or "").strip()
    if query:
        rows = rows.filter(Q(number__iexact=query) | Q(title__icontains=query) | Q(content__icontains=query))
    return rows.order_by("-submitted_at", "-id")


# The duty room (值班室) of a department the letter is dispatched to reads it, to turn it into an
# incident (突发事件) in one step (emergency app).
DUTY_ROOM = (Role.DUTY_OFFICER, Role.COMMANDER)


def staff_may_view(actor: Actor, letter: Letter) -> bool:
    return (
        is_office(actor, letter)
        or is_handler(actor, letter)
        or actor.works_in(letter.department_id, *DUTY_ROOM)
        or (actor.is_staff and actor.has_role(Role.SUPERVISOR))
    )


def letter_timers(letter: Letter) -> list[Timer]:
    """Every timer of a letter, with its light, oldest first."""
    return list(
        supervision_selectors.with_light(supervision_selectors.timers_for_target(letter)).order_by("started_at", "id")
    )


def lights_for(letters: list[Letter]) -> dict[int, Timer]:
    """The live timer (with `current_light`) that matters most for each letter, by letter pk."""
    if not letters:
        return {}
    rows = supervision_selectors.with_light(
        Timer.objects.filter(
            kind__in=rules.ALL_KINDS,
            target_type=Letter._meta.label_lower,
            target_id__in=[str(letter.pk) for letter in letters],
            state__in=Timer.LIVE_STATES,
        ).exclude(kind=rules.RATING)
    ).order_by("deadline", "id")
    out: dict[int, Timer] = {}
    for timer in rows:
        out.setdefault(int(timer.target_id), timer)
    return out


def letter_events(letter: Letter) -> list[LetterEvent]:
    return list(letter.events.select_related("actor", "department"))


def letter_urged(letter: Letter) -> bool:
    """Whether a supervisor urged (督办, `supervision.oversight.urging_create`) any of the letter's
    deadlines."""
    timers = supervision_selectors.timers_for_target(letter).order_by()
    return Urging.objects.filter(timer__in=timers).exists()


@dataclass(frozen=True)
class SimilarLetter:
    letter: Letter
    score: float


def photos_of(letter: Letter) -> QuerySet[LetterPhoto]:
    """The letter's photos without their bytes (pages link to them)."""
    return LetterPhoto.objects.filter(letter=letter).defer("content").order_by("position")


def similar_letters(
    *, title: str, content: str, exclude_pk: int | None = None, limit: int = 5, threshold: float = SIMILAR_THRESHOLD
) -> list[SimilarLetter]:
    """Earlier letters about the same matter (duplicate detection) among the letters of the last
    year (at most 3000), best first, those scoring ≥ `threshold`. The score is the better of two
    TF-IDF cosines over jieba terms (synonyms as one term): of the whole letters, and of the titles
    alone. The titles' own score matters for a short new letter against a long earlier one: the
    many other words of the long one drown the few they share (饭店油烟扰民 scored 0.16 against
    小区门口餐馆油烟扰民 and was not shown)."""
    terms = letter_terms(title, content)
    if not terms:
        return []
    since = timezone.now() - timedelta(days=SIMILAR_WINDOW_DAYS)
    rows = Letter.objects.filter(submitted_at__gte=since)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    candidates = list(
        rows.only("pk", "number", "title", "terms", "state", "submitted_at", "department").order_by("-submitted_at")[
            :SIMILAR_CANDIDATES
        ]
    )
    titles = [letter_terms(c.title, "") for c in candidates]
    idf = idf_table([c.terms for c in candidates] + [terms])
    own_title = letter_terms(title, "")
    scored = [
        SimilarLetter(c, max(similarity(terms, c.terms, idf), similarity(own_title, title_terms, idf)))
        for c, title_terms in zip(candidates, titles, strict=True)
    ]
    scored = [s for s in scored if s.score >= threshold]
    scored.sort(key=lambda s: (-s.score, -s.letter.pk))
    return scored[:limit]


# --- letters: writers and the public ------------------------------------------------------


def my_letters(user: User) -> QuerySet[Letter]:
    return Letter.objects.filter(writer=user).select_related("department").order_by("-submitted_at", "-id")


def letter_by_number(number: str) -> Letter | None:
    """The letter with this number, for staff who may see it (the caller checks who asks)."""
    return Letter.objects.filter(number=(number or "").strip().upper()).select_related("department").first()


def letter_by_code(number: str, code: str) -> Letter | None:
    """The letter with this number when `code` is its verification code, else None."""
    letter = Letter.objects.filter(number=(number or "").strip().upper()).select_related("department").first()
    if letter is None or not code_matches(letter, code):
        return None
    return letter


def published_letters(query: str = "") -> QuerySet[Letter]:
    """Letters published with the writer's consent (masked copies), not hidden, newest first."""
    rows = Letter.objects.filter(published_at__isnull=False, hidden_at__isnull=True).select_related("department")
    for term in query_terms(query or "", stopwords=LETTER_STOPWORDS)[:8]:
        rows = rows.filter(
            Q(public_title__icontains=term) | Q(public_content__icontains=term) | Q(public_reply__icontains=term)
        )
    return rows.order_by("-published_at", "-id")


# --- consultations ------------------------------------------------------------------------


def public_consultations() -> QuerySet[Consultation]:
    """Published and closed consultations (never drafts), newest first."""
    return _public(
        Consultation.objects.exclude(state=Consultation.State.DRAFT),
        comment_count=Count("articles__comments", filter=Q(articles__comments__hidden_at__isnull=True)),
    )


def consultations_for_staff(user: User) -> QuerySet[Consultation]:
    return _for_staff(user, Consultation.objects.annotate(comment_count=Count("articles__comments")))


def _public(rows: QuerySet[_Dated], **counts: Any) -> QuerySet[_Dated]:
    """Published consultations or surveys (`rows`, drafts left out) with their `counts`, latest opened first."""
    return rows.select_related("department").annotate(**counts).order_by("-opens_on", "-id")


def _for_staff(user: User, rows: QuerySet[_Dated]) -> QuerySet[_Dated]:
    """The consultations or surveys of the user's department (all of them for the e-gov office), newest first."""
    rows = rows.select_related("department")
    if not user.has_role(Role.EGOV_OFFICE):
        rows = rows.filter(department_id=user.department_id or 0)
    return rows.order_by("-created_at", "-id")


def visible_comments(consultation: Consultation) -> QuerySet[Comment]:
    return Comment.objects.filter(article__consultation=consultation, hidden_at__isnull=True).select_related(
        "author", "article"
    )


def consultation_is_open(consultation: Consultation) -> bool:
    return consultation.is_open_on(workdays.today())


# --- surveys ------------------------------------------------------------------------------


def public_surveys() -> QuerySet[Survey]:
    return _public(Survey.objects.exclude(state=Survey.State.DRAFT), response_count=Count("responses"))


def surveys_for_staff(user: User) -> QuerySet[Survey]:
    return _for_staff(user, Survey.objects.annotate(response_count=Count("responses")))


def survey_is_open(survey: Survey) -> bool:
    return survey.is_open_on(workdays.today())


def survey_results(survey: Survey, *, with_texts: bool = False) -> dict[str, Any]:
    """Counts per option (choice questions), distribution and mean (scale questions), number of
    text answers (and, for staff, the texts). Computed from the stored answers."""
    total = survey.responses.count()
    questions: list[dict[str, Any]] = []
    answers_by_question: dict[int, list[Answer]] = {}
    for answer in Answer.objects.filter(response__survey=survey).only("question_id", "choices", "text", "scale"):
        answers_by_question.setdefault(answer.question_id, []).append(answer)
    for question in survey.questions.all():
        answers = answers_by_question.get(question.pk, [])
        item: dict[str, Any] = {
            "id": question.pk,
            "position": question.position,
            "kind": question.kind,
            "kind_label": question.get_kind_display(),
            "text": question.text,
            "answered": len(answers),
        }
        if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            counts: Counter[int] = Counter()
            for answer in answers:
                counts.update(answer.choices)
            item["labels"] = list(question.options)
            item["counts"] = [counts.get(i, 0) for i in range(len(question.options))]
            item["pairs"] = list(zip(item["labels"], item["counts"], strict=True))
        elif question.kind == Question.Kind.SCALE:
            values = [a.scale for a in answers if a.scale is not None]
            scale = list(range(question.scale_min, question.scale_max + 1))
            item["labels"] = [str(v) for v in scale]
            item["counts"] = [values.count(v) for v in scale]
            item["pairs"] = list(zip(item["labels"], item["counts"], strict=True))
            item["mean"] = round(sum(values) / len(values), 2) if values else None
        elif with_texts:
            item["texts"] = [a.text for a in answers if a.text]
        questions.append(item)
    return {"total": total, "questions": questions}


# --- moderation ---------------------------------------------------------------------------


def open_flags() -> QuerySet[Flag]:
    return Flag.objects.filter(state=Flag.State.OPEN).select_related(
        "comment", "comment__article", "comment__article__consultation", "letter", "reporter"
    )


def hidden_content() -> tuple[QuerySet[Comment], QuerySet[Letter]]:
    """Content the office hid (held by screening is listed apart: `held_by_screening`)."""
    held = Q(hidden_reason__startswith=HELD_PREFIX)
    return (
        Comment.objects.filter(hidden_at__isnull=False)
        .exclude(held)
        .select_related("article__consultation")
        .order_by("-hidden_at"),
        Letter.objects.filter(hidden_at__isnull=False, published_at__isnull=False).exclude(held).order_by("-hidden_at"),
    )


def held_by_screening() -> tuple[QuerySet[Comment], QuerySet[Letter]]:
    """Comments and public letters the sensitive-word check held back, oldest first, with their hits."""
    held = Q(hidden_at__isnull=False, hidden_reason__startswith=HELD_PREFIX)
    return (
        Comment.objects.filter(held).select_related("article__consultation", "author").order_by("hidden_at", "id"),
        Letter.objects.filter(held, published_at__isnull=False).order_by("hidden_at", "id"),
    )


def sensitive_words() -> QuerySet[SensitiveWord]:
    return SensitiveWord.objects.select_related("created_by").order_by("category", "word")


# --- contracts ----------------------------------------------------------------------------


def _score(text: str, terms: list[str]) -> float:
    lowered = text.lower()
    return float(sum(lowered.count(term) for term in terms))


def public_search(query: str, *, limit: int = 10) -> list[SearchHit]:
    """What the portal's one search box finds in this app (public items only), best first:
    published letters (masked copies), consultations and surveys that are not drafts."""
    terms = query_terms(query or "", stopwords=LETTER_STOPWORDS)
    if not terms or limit <= 0:
        return []
    hits: list[SearchHit] = []
    text_filter = Q()
    for term in terms:
        text_filter |= (
            Q(public_title__icontains=term) | Q(public_content__icontains=term) | Q(public_reply__icontains=term)
        )
    letters = Letter.objects.filter(text_filter, published_at__isnull=False, hidden_at__isnull=True).order_by(
        "-published_at"
    )[:200]
    for letter in letters:
        hits.append(
            SearchHit(
                kind="participation",
                kind_label="来信选登",
                title=letter.public_title,
                url=reverse("participation:letter_public", args=[letter.number]),
                summary=letter.public_reply[:100],
                day=workdays.today(letter.published_at),
                score=_score(
                    f"{letter.public_title} {letter.public_title} {letter.public_content} {letter.public_reply}", terms
                ),
            )
        )
    c_filter = Q()
    for term in terms:
        c_filter |= Q(title__icontains=term) | Q(intro__icontains=term) | Q(articles__text__icontains=term)
    for consultation in (
        Consultation.objects.exclude(state=Consultation.State.DRAFT)
        .filter(c_filter)
        .distinct()
        .order_by("-opens_on")[:50]
    ):
        hits.append(
            SearchHit(
                kind="participation",
                kind_label="意见征集",
                title=consultation.title,
                url=reverse("participation:consultation", args=[consultation.pk]),
                summary=f"征求意见期 {consultation.opens_on:%Y-%m-%d} 至 {consultation.closes_on:%Y-%m-%d}",
                day=consultation.opens_on,
                score=_score(f"{consultation.title} {consultation.title} {consultation.intro}", terms) + 1,
            )
        )
    s_filter = Q()
    for term in terms:
        s_filter |= Q(title__icontains=term) | Q(intro__icontains=term)
    for survey in Survey.objects.exclude(state=Survey.State.DRAFT).filter(s_filter).order_by("-opens_on")[:50]:
        hits.append(
            SearchHit(
                kind="participation",
                kind_label="问卷调查",
                title=survey.title,
                url=reverse("participation:survey", args=[survey.pk]),
                summary=survey.intro[:100],
                day=survey.opens_on,
                score=_score(f"{survey.title} {survey.title} {survey.intro}", terms) + 1,
            )
        )
    hits.sort(key=lambda h: (-h.score, -(h.day.toordinal() if h.day else 0)))
    return hits[:limit]


TODO_ACTIONS = {
    Letter.State.SUBMITTED: "待受理",
    Letter.State.ACCEPTED: "待派单",
    Letter.State.DISPATCHED: "待签收或退回",
    Letter.State.HANDLING: "待答复",
    Letter.State.REPLIED: "待审核办结",
    Letter.State.COMPLETED: "待回访",
}


def todo_items(user: User) -> list[TodoItem]:
    """Open letters the staff user must act on: the office's letters to accept, dispatch, complete
    and call back; the department's letters to sign (or return), answer; extension requests."""
    if user.department_id is None:
        return []
    condition = Q(pk__in=[])
    if user.has_role(Role.EGOV_OFFICE):
        condition |= Q(
            office_id=user.department_id,
            state__in=[Letter.State.SUBMITTED, Letter.State.ACCEPTED, Letter.State.REPLIED, Letter.State.COMPLETED],
        )
        condition |= Q(office_id=user.department_id, extension_state="requested")
    if user.has_role(Role.CLERK, Role.DEPT_LEADER):
        condition |= Q(department_id=user.department_id, state__in=[Letter.State.DISPATCHED, Letter.State.HANDLING])
    letters = list(Letter.objects.filter(condition).order_by("submitted_at", "id")[:TODO_LIMIT])
    lights = lights_for(letters)
    items = []
    for letter in letters:
        timer = lights.get(letter.pk)
        what = TODO_ACTIONS.get(Letter.State(letter.state), letter.get_state_display())
        if letter.extension_state == "requested" and is_office(Actor.person(user), letter):
            what = "延期申请待审批"
        items.append(
            TodoItem.timed(
                "来信办理",
                f"{letter.number} {letter.title[:30]}（{what}）",
                reverse("participation_wb:letter", args=[letter.pk]),
                timer,
            )
        )
    return items


# --- evaluations (governance reads these through here, docs/rules.md §13) ---------------------------------

UNANSWERED_DAYS = 90  # 留言办理：超过 3 个月未答复 (2019 government-website checklist)


def letter_ratings(start: datetime, end: datetime) -> dict[int, tuple[int, int]]:
    """Per department, `(satisfied, rated)` of the letters rated in [start, end) (满意 or better)."""
    good = (Rating.VERY_SATISFIED, Rating.SATISFIED)
    rows = (
        Letter.objects.filter(rated_at__gte=start, rated_at__lt=end, department__isnull=False)
        .exclude(rating="")
        .order_by()
        .values("department_id")
        .annotate(rated=Count("id"), good=Count("id", filter=Q(rating__in=good)))
    )
    return {r["department_id"]: (r["good"], r["rated"]) for r in rows}


def unanswered_letters(start: datetime, end: datetime) -> QuerySet[Letter]:
    """Letters submitted in [start, end) that had no reply within `UNANSWERED_DAYS` (as of `end`, or
    now when earlier): the website checklist's "questions unanswered over three months"."""
    limit = timedelta(days=UNANSWERED_DAYS)
    horizon = min(end, timezone.now())
    return Letter.objects.filter(
        submitted_at__gte=start, submitted_at__lt=min(end, horizon - limit), department__isnull=False
    ).filter(Q(replied_at__isnull=True) | Q(replied_at__gt=F("submitted_at") + limit))


def unanswered_counts(start: datetime, end: datetime) -> dict[int, int]:
    rows = unanswered_letters(start, end).order_by().values("department_id").annotate(n=Count("id"))
    return {r["department_id"]: r["n"] for r in rows}


def survey_satisfaction(start: datetime, end: datetime) -> dict[int, tuple[float, int]]:
    """Per department running surveys, `(sum, count)` of the scale answers given in [start, end),
    each scaled to 0–1 between its question's minimum and maximum."""
    scaled = ExpressionWrapper(
        (F("scale") - F("question__scale_min")) * 1.0 / (F("question__scale_max") - F("question__scale_min")),
        output_field=FloatField(),
    )
    rows = (
        Answer.objects.filter(
            scale__isnull=False,
            question__kind=Question.Kind.SCALE,
            question__scale_max__gt=F("question__scale_min"),
            response__created_at__gte=start,
            response__created_at__lt=end,
        )
        .order_by()
        .values("question__survey__department_id")
        .annotate(total=Sum(scaled), n=Count("id"))
    )
    return {r["question__survey__department_id"]: (float(r["total"] or 0), r["n"]) for r in rows}


def personal_data(user: User) -> list[DataSection]:
    """What participation holds about `user` (我的数据): letters with the details given in them,
    consultation comments and survey answers."""
    letters = tuple(
        (
            row.number,
            row.title,
            row.get_state_display(),
            moment_text(row.submitted_at),
            row.writer_name,
            row.writer_phone,
            row.writer_address,
            row.content,
            row.get_rating_display() if row.rating else "",
        )
        for row in my_letters(user)
    )
    comments = tuple(
        (c.article.consultation.title, c.article.heading, c.content, moment_text(c.created_at))
        for c in Comment.objects.filter(author=user).select_related("article__consultation").order_by("-id")
    )
    answers = tuple(
        (
            a.response.survey.title,
            a.question.text,
            "、".join(str(c) for c in a.choices or []) or a.text or str(a.scale or ""),
        )
        for a in Answer.objects.filter(response__user=user)
        .select_related("response__survey", "question")
        .order_by("-id")
    )
    return [
        DataSection(
            "letters", "来信", ("信件编号", "标题", "状态", "来信时间", "姓名", "电话", "地址", "内容", "评价"), letters
        ),
        DataSection("comments", "意见征集评论", ("意见征集", "条款", "意见", "时间"), comments),
        DataSection("survey_answers", "问卷答卷", ("问卷", "问题", "回答"), answers),
    ]
