"""Staff pages of 公众参与 (workbench_urls.py, mounted at /workbench/participation/, namespace "participation_wb").

来信办理: the list (with lights, filter, Excel export) and one letter with the actions its state and
the user's role allow — the office accepts, dispatches, approves extensions, completes (and
publishes), calls back; the department signs or returns, asks for an extension, replies.
意见征集 and 问卷调查: create, publish/open, close, record adoption, publish the summary, results.
内容审核: reports to decide, hidden content to restore (e-gov office only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Role
from zhengwu.accounts.session import acting_user
from zhengwu.audit.services import record_action
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, Sheet, attachment, xlsx
from zhengwu.core.errors import ApplicationError, not_found
from zhengwu.core.forms import Done, form_write
from zhengwu.participation import selectors, services
from zhengwu.participation.audit_actions import ParticipationAction
from zhengwu.participation.errors import ParticipationError
from zhengwu.participation.forms import (
    CallbackForm,
    ConsultationForm,
    DecisionForm,
    DispatchForm,
    ExtensionForm,
    ReasonForm,
    ReplyForm,
    SummaryForm,
    SurveyForm,
)
from zhengwu.participation.models import Comment, Consultation, Flag, Letter, LetterPhoto, Survey
from zhengwu.participation.views import photo_response

LETTER_STAFF = (Role.CLERK, Role.DEPT_LEADER, Role.EGOV_OFFICE, Role.SUPERVISOR, *selectors.DUTY_ROOM)
CONTENT_STAFF = (Role.CLERK, Role.DEPT_LEADER, Role.EGOV_OFFICE)
EXPORT_LIMIT = 50_000

_Owned = TypeVar("_Owned", Consultation, Survey)


# --- letters ------------------------------------------------------------------------------


@staff_required(*LETTER_STAFF)
def letters(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    state = request.GET.get("state", "")
    query = request.GET.get("q", "")[:100]
    rows = selectors.letters_for_staff(user, state=state, query=query)
    if request.GET.get("format") == "xlsx":
        return _letters_xlsx(request, rows)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "participation/wb_letters.html",
        {
            "page": page,
            "lights": selectors.lights_for(list(page)),
            "state": state,
            "q": query,
            "states": Letter.State.choices,
        },
    )


def _letters_xlsx(request: HttpRequest, rows: Any) -> HttpResponse:
    body = (
        [
            letter.number,
            letter.get_channel_display(),
            letter.get_kind_display(),
            letter.title,
            letter.submitted_at.strftime("%Y-%m-%d %H:%M"),
            letter.get_state_display(),
            letter.department.name if letter.department else "",
            letter.replied_at.strftime("%Y-%m-%d") if letter.replied_at else "",
            letter.completed_at.strftime("%Y-%m-%d") if letter.completed_at else "",
            letter.get_rating_display() if letter.rating else "",
        ]
        for letter in rows[:EXPORT_LIMIT]
    )
    header = ["信件编号", "渠道", "类别", "标题", "来信时间", "状态", "承办单位", "答复时间", "办结时间", "评价"]
    content, count = xlsx(Sheet("来信", header, body))
    record_action(Actor.from_request(request), ParticipationAction.LETTER_EXPORT, details={"rows": count})
    return attachment(content, "letters.xlsx", XLSX)


def _staff_letter(request: HttpRequest, pk: int) -> Letter:
    letter = get_object_or_404(Letter.objects.select_related("department", "office", "writer"), pk=pk)
    if not selectors.staff_may_view(Actor.from_request(request), letter):
        raise not_found("来信")
    return letter


@staff_required(*LETTER_STAFF)
def letter_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    """A photo of a letter, for the staff who may see the letter (the office, the handling department)."""
    item = _staff_letter(request, pk)
    return photo_response(get_object_or_404(LetterPhoto, pk=photo_pk, letter=item))


@staff_required(*LETTER_STAFF)
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    item = _staff_letter(request, pk)
    record_action(actor, ParticipationAction.LETTER_VIEW, target=item)  # personal data was shown
    office = services.is_office(actor, item)
    handler = services.is_handler(actor, item)
    similar = selectors.similar_letters(title=item.title, content=item.content, exclude_pk=item.pk)
    return render(
        request,
        "participation/wb_letter.html",
        {
            "letter": item,
            "office": office,
            "handler": handler,
            "timers": selectors.letter_timers(item),
            "events": selectors.letter_events(item),
            "similar": similar,
            "photos": selectors.photos_of(item),
            "urged": selectors.letter_urged(item),
            "duty_room": actor.is_staff and actor.has_role(*selectors.DUTY_ROOM),
            "dispatch_form": DispatchForm(),
            "reply_form": ReplyForm(initial={"reply": item.reply}),
            "extension_form": ExtensionForm(),
            "callback_form": CallbackForm(),
            "reason_form": ReasonForm(),
        },
    )


def _form_value(request: HttpRequest, form_class: type[forms.Form]) -> dict[str, Any]:
    form = form_class(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0] if form.errors else "输入有误。"
        label = next(iter(form.errors.keys()), "")
        field = form.fields.get(label)
        raise ApplicationError(ParticipationError.INVALID_LETTER, f"{field.label if field else ''}{first}")
    return dict(form.cleaned_data)


def _with_form(
    service: Callable[..., Any], form_class: type[forms.Form]
) -> Callable[[HttpRequest, Actor, Letter], Any]:
    """An action that calls `service` on the letter with the fields of `form_class` from the POST."""
    return lambda r, a, x: service(actor=a, letter=x, **_form_value(r, form_class))


ACTIONS: dict[str, tuple[str, Callable[[HttpRequest, Actor, Letter], Any]]] = {
    "accept": ("已受理。", lambda r, a, x: services.letter_accept(actor=a, letter=x)),
    "refuse": ("已不予受理。", _with_form(services.letter_refuse, ReasonForm)),
    "dispatch": ("已派单。", _with_form(services.letter_dispatch, DispatchForm)),
    "sign": ("已签收。", lambda r, a, x: services.letter_sign(actor=a, letter=x)),
    "return": ("已退回受理单位。", _with_form(services.letter_return, ReasonForm)),
    "extension_request": ("延期申请已提交。", _with_form(services.letter_extension_request, ExtensionForm)),
    "extension_approve": (
        "已批准延期。",
        lambda r, a, x: services.letter_extension_decide(actor=a, letter=x, approve=True),
    ),
    "extension_refuse": (
        "已不批准延期。",
        lambda r, a, x: services.letter_extension_decide(
            actor=a, letter=x, approve=False, **_form_value(r, ReasonForm)
        ),
    ),
    "reply": ("答复已提交。", _with_form(services.letter_reply, ReplyForm)),
    "reopen": ("已退回重办。", _with_form(services.letter_reopen, ReasonForm)),
    "complete": (
        "已办结。",
        lambda r, a, x: services.letter_complete(actor=a, letter=x, publish=r.POST.get("publish") == "on"),
    ),
    "publish": ("已公开。", lambda r, a, x: services.letter_publish(actor=a, letter=x)),
    "callback": ("回访已记录。", _with_form(services.letter_callback, CallbackForm)),
}


@staff_required(*CONTENT_STAFF)
@require_POST
def letter_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = Actor.from_request(request)
    item = _staff_letter(request, pk)
    if action not in ACTIONS:
        raise not_found("操作")
    message, run = ACTIONS[action]
    try:
        run(request, actor, item)
    except ApplicationError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, message)
    if not selectors.staff_may_view(actor, Letter.objects.get(pk=item.pk)):
        return redirect("participation_wb:letters")  # e.g. returned: no longer the department's letter
    return redirect("participation_wb:letter", item.pk)


def _act(request: HttpRequest, runs: dict[str, Callable[[], object]], action: str, success: str) -> None:
    """Run the named action; a refusal to this person (403) or of something absent (404) is raised,
    any other error is shown as a message on the page the action came from."""
    if action not in runs:
        raise not_found("操作")
    try:
        runs[action]()
    except ApplicationError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, success)


# --- consultations ------------------------------------------------------------------------


@staff_required(*CONTENT_STAFF)
def consultations(request: HttpRequest) -> HttpResponse:
    return _list_and_create(
        request,
        ConsultationForm(request.POST or None),
        services.consultation_create,
        lambda created: f"已创建草稿，共 {created.articles.count()} 条。",
        "participation_wb:consultation",
        selectors.consultations_for_staff(acting_user(request)),
        "participation/wb_consultations.html",
    )


def _list_and_create(
    request: HttpRequest,
    form: forms.Form,
    create: Callable[..., Any],
    done: Callable[[Any], str],
    detail: str,
    rows: Any,
    template: str,
) -> HttpResponse:
    """A department's consultations or surveys, with the form that creates a new draft."""

    def write(actor: Actor, data: dict[str, Any]) -> Done:
        created = create(actor=actor, **data)
        return done(created), reverse(detail, args=[created.pk])

    if written := form_write(request, form, write):
        return written
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, template, {"form": form, "page": page})


def _own_department_item(request: HttpRequest, model: type[_Owned], pk: int, label: str) -> _Owned:
    """A consultation or survey of the user's department (any, for the e-gov office); else 404."""
    item = get_object_or_404(model.objects.select_related("department"), pk=pk)
    user = acting_user(request)
    if not user.has_role(Role.EGOV_OFFICE) and item.department_id != user.department_id:
        raise not_found(label)
    return item


def _staff_consultation(request: HttpRequest, pk: int) -> Consultation:
    return _own_department_item(request, Consultation, pk, "意见征集")


@staff_required(*CONTENT_STAFF)
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    item = _staff_consultation(request, pk)
    comments = Comment.objects.filter(article__consultation=item).select_related("article", "author")
    return render(
        request,
        "participation/wb_consultation.html",
        {
            "item": item,
            "articles": item.articles.all(),
            "comments": comments,
            "pending": comments.filter(hidden_at__isnull=True, adoption="").count(),
            "decision_form": DecisionForm(),
            "summary_form": SummaryForm(initial={"summary": item.summary}),
        },
    )


@staff_required(*CONTENT_STAFF)
@require_POST
def consultation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = Actor.from_request(request)
    item = _staff_consultation(request, pk)
    summary = SummaryForm(request.POST).data.get("summary", "")
    runs: dict[str, Callable[[], object]] = {
        "publish": lambda: services.consultation_publish(actor=actor, consultation=item),
        "close": lambda: services.consultation_close(actor=actor, consultation=item),
        "summary": lambda: services.consultation_publish_summary(actor=actor, consultation=item, summary=summary),
    }
    _act(request, runs, action, "操作成功。")
    return redirect("participation_wb:consultation", item.pk)


@staff_required(*CONTENT_STAFF)
@require_POST
def comment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("article__consultation"), pk=pk)
    item = _staff_consultation(request, comment.article.consultation_id)
    adoption, reason = request.POST.get("adoption", ""), request.POST.get("reason", "")

    def decide() -> object:
        actor = Actor.from_request(request)
        return services.comment_decide(actor=actor, comment=comment, adoption=adoption, reason=reason)

    _act(request, {"decide": decide}, "decide", "采纳情况已记录。")
    return redirect("participation_wb:consultation", item.pk)


# --- surveys ------------------------------------------------------------------------------


@staff_required(*CONTENT_STAFF)
def surveys(request: HttpRequest) -> HttpResponse:
    return _list_and_create(
        request,
        SurveyForm(request.POST or None),
        services.survey_create,
        lambda created: f"已创建问卷草稿，共 {created.questions.count()} 题。",
        "participation_wb:survey",
        selectors.surveys_for_staff(acting_user(request)),
        "participation/wb_surveys.html",
    )


def _staff_survey(request: HttpRequest, pk: int) -> Survey:
    return _own_department_item(request, Survey, pk, "问卷")


@staff_required(*CONTENT_STAFF)
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    item = _staff_survey(request, pk)
    return render(
        request,
        "participation/wb_survey.html",
        {"item": item, "questions": item.questions.all(), "results": selectors.survey_results(item, with_texts=True)},
    )


@staff_required(*CONTENT_STAFF)
@require_POST
def survey_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = Actor.from_request(request)
    item = _staff_survey(request, pk)
    runs: dict[str, Callable[[], object]] = {
        "open": lambda: services.survey_open(actor=actor, survey=item),
        "close": lambda: services.survey_close(actor=actor, survey=item),
    }
    _act(request, runs, action, "操作成功。")
    return redirect("participation_wb:survey", item.pk)


# --- moderation ---------------------------------------------------------------------------


@staff_required(Role.EGOV_OFFICE)
def moderation(request: HttpRequest) -> HttpResponse:
    hidden_comments, hidden_letters = selectors.hidden_content()
    held = selectors.held_by_screening()
    held_comments, held_letters = list(held[0][:100]), list(held[1][:100])
    return render(
        request,
        "participation/wb_moderation.html",
        {
            "flags": Paginator(selectors.open_flags(), 50).get_page(request.GET.get("page")),
            "hidden_comments": hidden_comments[:100],
            "hidden_letters": hidden_letters[:100],
            "held_comments": held_comments,
            "held_letters": held_letters,
            "held_count": len(held_comments) + len(held_letters),
        },
    )


class SensitiveWordForm(forms.Form):
    word = forms.CharField(label="敏感词", max_length=50)
    category = forms.CharField(label="类别", max_length=32, required=False, help_text="例如：违法广告、赌博、诈骗")


@staff_required(Role.EGOV_OFFICE)
def sensitive_words(request: HttpRequest) -> HttpResponse:
    """The screening word list (docs/rules.md §17): the e-gov office adds and removes words."""
    form = SensitiveWordForm(request.POST or None)

    def add(actor: Actor, data: dict[str, Any]) -> Done:
        services.sensitive_word_add(actor=actor, **data)
        return f"已添加敏感词“{data['word']}”。", "participation_wb:sensitive_words"

    if done := form_write(request, form, add):
        return done
    words = Paginator(selectors.sensitive_words(), 100).get_page(request.GET.get("page"))
    return render(request, "participation/wb_sensitive_words.html", {"form": form, "words": words})


@staff_required(Role.EGOV_OFFICE)
@require_POST
def sensitive_word_remove(request: HttpRequest, pk: int) -> HttpResponse:
    word = get_object_or_404(selectors.sensitive_words(), pk=pk)
    _act(
        request,
        {"remove": lambda: services.sensitive_word_remove(actor=Actor.from_request(request), word=word)},
        "remove",
        f"已删除敏感词“{word.word}”。",
    )
    return redirect("participation_wb:sensitive_words")


@staff_required(Role.EGOV_OFFICE)
@require_POST
def moderation_action(request: HttpRequest, kind: str, pk: int, action: str) -> HttpResponse:
    actor = Actor.from_request(request)
    reason = request.POST.get("reason", "")

    def dismiss() -> object:
        return services.flag_dismiss(actor=actor, flag=get_object_or_404(Flag, pk=pk), reason=reason)

    def content(service: Callable[..., None]) -> Callable[[], object]:
        def run() -> object:
            if kind == "comment":
                service(actor=actor, reason=reason, comment=get_object_or_404(Comment, pk=pk))
            else:
                service(actor=actor, reason=reason, letter=get_object_or_404(Letter, pk=pk, published_at__isnull=False))
            return None

        return run

    runs: dict[str, Callable[[], object]] = {}
    if kind == "flag":
        runs = {"dismiss": dismiss}
    elif kind in ("comment", "letter"):
        runs = {"hide": content(services.content_hide), "unhide": content(services.content_unhide)}
    _act(request, runs, action, "已处理。")
    return redirect("participation_wb:moderation")
