"""Public pages of 公众参与 (mounted at /participation/, namespace "participation"). Thin: parse,
authorize, call a service or selector, render.

Letters: write (logged in), the receipt page with the verification code (shown once), tracking by
number + code, 我的来信, published letters (masked). Consultations: articles with comments and the
adoption summary. Surveys: the questionnaire and the published results with ECharts.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.accounts.session import acting_user
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.core.forms import add_application_error
from zhengwu.core.post_action import post_action
from zhengwu.participation import selectors, services
from zhengwu.participation.forms import CommentForm, LetterForm, RatingForm, ReasonForm, TrackForm
from zhengwu.participation.models import Article, Comment, Consultation, Letter, LetterPhoto, Question, Survey

CODE_SESSION_KEY = "participation_new_letter"


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "participation/index.html",
        {
            "letters": selectors.published_letters()[:5],
            "consultations": selectors.public_consultations()[:5],
            "surveys": selectors.public_surveys()[:5],
        },
    )


# --- letters ------------------------------------------------------------------------------


@login_required
def letter_write(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = LetterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            letter, code = services.letter_submit(actor=Actor.from_request(request), **data)
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            request.session[CODE_SESSION_KEY] = {"number": letter.number, "code": code}
            return redirect("participation:letter_receipt")
    return render(request, "participation/letter_write.html", {"form": form, "staff": user.kind == user.Kind.STAFF})


@login_required
def letter_receipt(request: HttpRequest) -> HttpResponse:
    """Shown once after writing: the letter number and the verification code (only its hash is kept)."""
    data = request.session.pop(CODE_SESSION_KEY, None)
    if not data:
        return redirect("participation:my_letters")
    return render(request, "participation/letter_receipt.html", data)


def letter_track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    letter = None
    rating_form = None
    if request.method == "POST" and form.is_valid():
        letter = selectors.letter_by_code(form.cleaned_data["number"], form.cleaned_data["code"])
        if letter is None:
            form.add_error(None, "信件编号或查询码不正确。")
        elif "rating" in request.POST:
            rating_form = RatingForm(request.POST)
            if rating_form.is_valid():
                try:
                    services.letter_rate(
                        actor=Actor.from_request(request),
                        letter=letter,
                        code=form.cleaned_data["code"],
                        **rating_form.cleaned_data,
                    )
                except ApplicationError as error:
                    add_application_error(rating_form, error)
                else:
                    messages.success(request, "感谢您的评价。")
                    rating_form = None
    return render(
        request,
        "participation/letter_track.html",
        {"form": form, "letter": letter, "rating_form": rating_form or RatingForm(), "events": _events(letter)},
    )


def _events(letter: Letter | None) -> list[Any]:
    return selectors.letter_events(letter) if letter is not None else []


@login_required
def my_letters(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_letters(acting_user(request)), 20).get_page(request.GET.get("page"))
    return render(request, "participation/my_letters.html", {"page": page})


@login_required
def my_letter(request: HttpRequest, number: str) -> HttpResponse:
    user = acting_user(request)
    letter = get_object_or_404(Letter, number=number, writer=user)
    rating_form = RatingForm(request.POST or None)
    if request.method == "POST" and rating_form.is_valid():
        try:
            services.letter_rate(actor=Actor.from_request(request), letter=letter, **rating_form.cleaned_data)
        except ApplicationError as error:
            add_application_error(rating_form, error)
        else:
            messages.success(request, "感谢您的评价。")
            return redirect("participation:my_letter", number=letter.number)
    return render(
        request,
        "participation/my_letter.html",
        {
            "letter": letter,
            "rating_form": rating_form,
            "events": _events(letter),
            "photos": selectors.photos_of(letter),
        },
    )


@login_required
def my_letter_photo(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """A photo of one's own letter, for its writer only (never on the public pages)."""
    letter = get_object_or_404(Letter, number=number, writer=acting_user(request))
    return photo_response(get_object_or_404(LetterPhoto, pk=pk, letter=letter))


def photo_response(photo: LetterPhoto) -> HttpResponse:
    """The photo inline, with its stored (checked) type, never sniffed, never cached by others."""
    response = HttpResponse(bytes(photo.content), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = (
        f"inline; filename=letter-photo-{photo.pk}.{photo.content_type.rsplit('/', 1)[-1]}"
    )
    return response


def letters_public(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    page = Paginator(selectors.published_letters(query), 20).get_page(request.GET.get("page"))
    return render(request, "participation/letters_public.html", {"page": page, "q": query})


def letter_public(request: HttpRequest, number: str) -> HttpResponse:
    letter = get_object_or_404(Letter, number=number, published_at__isnull=False, hidden_at__isnull=True)
    return render(request, "participation/letter_public.html", {"letter": letter, "flag_form": ReasonForm()})


@login_required
@require_POST
def letter_flag(request: HttpRequest, number: str) -> HttpResponse:
    letter = get_object_or_404(Letter, number=number, published_at__isnull=False, hidden_at__isnull=True)
    return _flag(request, letter=letter, back=("participation:letter_public", letter.number))


def _flag(request: HttpRequest, *, back: tuple[str, Any], **target: Any) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写举报理由。")
        return redirect(back[0], back[1])

    def flag(actor: Actor) -> str:
        services.flag_create(actor=actor, reason=form.cleaned_data["reason"], **target)
        return "举报已提交，我们将尽快审核。"

    return post_action(request, flag, reverse(back[0], args=[back[1]]))


# --- consultations ------------------------------------------------------------------------


def consultations(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.public_consultations(), 20).get_page(request.GET.get("page"))
    return render(request, "participation/consultations.html", {"page": page})


def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Consultation.objects.select_related("department"), pk=pk)
    if item.state == Consultation.State.DRAFT:
        raise Http404
    comments: dict[int, list[Comment]] = {}
    for comment in selectors.visible_comments(item):
        comments.setdefault(comment.article_id, []).append(comment)
    articles = [(article, comments.get(article.pk, [])) for article in item.articles.all()]
    return render(
        request,
        "participation/consultation.html",
        {
            "item": item,
            "articles": articles,
            "is_open": selectors.consultation_is_open(item),
            "can_comment": services.is_real_name(Actor.from_request(request)),
            "comment_form": CommentForm(),
            "flag_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int, article_pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_pk, consultation_id=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写意见内容（不超过 3000 字）。")
        return redirect("participation:consultation", pk)

    def comment(actor: Actor) -> str:
        services.comment_create(actor=actor, article=article, content=form.cleaned_data["content"])
        return f"您对{article.heading}的意见已提交。"

    return post_action(request, comment, "participation:consultation", pk=pk)


@login_required
@require_POST
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk, hidden_at__isnull=True)
    return _flag(request, comment=comment, back=("participation:consultation", comment.article.consultation_id))


# --- surveys ------------------------------------------------------------------------------


def surveys(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.public_surveys(), 20).get_page(request.GET.get("page"))
    return render(request, "participation/surveys.html", {"page": page})


def _raw_answers(request: HttpRequest, questions: list[Question]) -> dict[int, Any]:
    answers: dict[int, Any] = {}
    for question in questions:
        name = f"q{question.pk}"
        if question.kind == Question.Kind.MULTIPLE:
            answers[question.pk] = request.POST.getlist(name)
        else:
            answers[question.pk] = request.POST.get(name, "")
    return answers


def survey(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Survey.objects.select_related("department"), pk=pk)
    if item.state == Survey.State.DRAFT:
        raise Http404
    questions = list(item.questions.all())
    errors: dict[str, str] = {}
    message = ""
    if request.method == "POST":
        actor = Actor.from_request(request)
        if actor.is_anonymous and not request.session.session_key:
            request.session.save()
        try:
            services.survey_answer(
                actor=actor,
                survey=item,
                answers=_raw_answers(request, questions),
                session_key=request.session.session_key or "",
            )
        except ApplicationError as error:
            errors, message = error.fields, error.message
        else:
            messages.success(request, "问卷已提交，感谢您的参与。")
            if item.results_public:
                return redirect("participation:survey_results", item.pk)
            return redirect("participation:surveys")
    return render(
        request,
        "participation/survey.html",
        {
            "item": item,
            "questions": [(q, errors.get(f"q{q.pk}", "")) for q in questions],
            "is_open": selectors.survey_is_open(item),
            "message": message,
        },
    )


def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Survey, pk=pk)
    if item.state == Survey.State.DRAFT or not item.results_public:
        raise Http404
    return render(
        request, "participation/survey_results.html", {"item": item, "results": selectors.survey_results(item)}
    )
