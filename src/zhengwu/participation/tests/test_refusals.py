"""A refused write (no permission, wrong state, bad input) leaves one audit event with its outcome
and changes nothing else (docs/design.md rules 1 and 5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.participation import rules, services
from zhengwu.participation.models import Comment, Consultation, Flag, Letter, Survey
from zhengwu.supervision.selectors import timer_for

pytestmark = pytest.mark.django_db

DENIED, FAILURE = AuditEvent.Outcome.DENIED, AuditEvent.Outcome.FAILURE


def refused(call: Callable[[], object], outcome: str, action: str) -> AuditEvent:
    """Run `call`, expect a refusal, and return the one audit event it left."""
    return refused_write(call, apps=["participation", "supervision"], action=action, outcome=outcome)[1]


def test_letter_steps_refused_to_the_wrong_people(
    letter: Letter, egov: User, market_clerk: User, police_clerk: User, market_dept: Department
) -> None:
    event = refused(
        lambda: services.letter_accept(actor=Actor.person(market_clerk), letter=letter),
        DENIED,
        "participation.letter.accept",
    )
    assert event.target_id == str(letter.pk) and event.actor == market_clerk
    assert event.details["message"] == "只有受理单位可以受理来信。"
    platform = refused(
        lambda: services.letter_accept(actor=Actor.platform(), letter=letter), DENIED, "participation.letter.accept"
    )
    assert platform.actor_kind == AuditEvent.ActorKind.SYSTEM
    services.letter_dispatch(actor=Actor.person(egov), letter=letter, department=market_dept)
    refused(
        lambda: services.letter_reply(actor=Actor.person(police_clerk), letter=letter, reply="越权答复"),
        DENIED,
        "participation.letter.reply",
    )
    letter.refresh_from_db()
    assert letter.state == Letter.State.DISPATCHED and letter.reply == ""


def test_letter_wrong_state_and_bad_input_are_recorded_failures(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department, police_dept: Department
) -> None:
    services.letter_dispatch(actor=Actor.person(egov), letter=letter, department=market_dept)
    stale = refused(
        lambda: services.letter_dispatch(actor=Actor.person(egov), letter=letter, department=police_dept),
        FAILURE,
        "participation.letter.dispatch",
    )
    assert stale.details["code"] == "participation.wrong_state"
    empty = refused(
        lambda: services.letter_reply(actor=Actor.person(market_clerk), letter=letter, reply="  "),
        FAILURE,
        "participation.letter.reply",
    )
    assert empty.details["fields"] == {"reply": "必填"}
    too_long = refused(
        lambda: services.letter_extension_request(
            actor=Actor.person(market_clerk), letter=letter, days=99, reason="需现场核查"
        ),
        FAILURE,
        "participation.letter.extension_request",
    )
    assert too_long.details["code"] == "participation.invalid_extension"
    letter.refresh_from_db()
    assert letter.department == market_dept and letter.extension_state == ""


def test_an_anonymous_visitor_cannot_write_a_letter(egov: User) -> None:
    event = refused(
        lambda: services.letter_submit(
            actor=Actor.anonymous(ip="192.0.2.9"), channel="mayor", kind="consult", title="咨询", content="咨询"
        ),
        DENIED,
        "participation.letter.submit",
    )
    assert (event.actor_kind, event.ip) == (AuditEvent.ActorKind.ANONYMOUS, "192.0.2.9")
    assert Letter.objects.count() == 0


def test_only_the_platform_closes_rating_periods(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department
) -> None:
    services.letter_dispatch(actor=Actor.person(egov), letter=letter, department=market_dept)
    services.letter_reply(actor=Actor.person(market_clerk), letter=letter, reply="已处理")
    services.letter_complete(actor=Actor.person(egov), letter=letter)
    rating = timer_for(letter, rules.RATING)
    assert rating is not None
    later = rating.deadline + timedelta(days=1)
    assert services.letter_ratings_lapse(actor=Actor.person(egov), today=later) == 0
    assert AuditEvent.objects.filter(action="participation.letter.rating_lapse", outcome=DENIED).count() == 1
    assert timer_for(letter, rules.RATING).is_live  # type: ignore[union-attr]
    assert services.letter_ratings_lapse(actor=Actor.platform(), today=later) == 1


def test_consultation_and_survey_refusals(market_clerk: User, police_clerk: User, citizen: User) -> None:
    today = workdays.today()
    consultation = services.consultation_create(
        actor=Actor.person(market_clerk), title="办法", intro="", draft="第一条 总则。", opens_on=today, closes_on=today
    )
    refused(
        lambda: services.consultation_publish(actor=Actor.person(police_clerk), consultation=consultation),
        DENIED,
        "participation.consultation.publish",
    )
    refused(
        lambda: services.consultation_create(
            actor=Actor.person(market_clerk), title="", intro="", draft="第一条", opens_on=today, closes_on=today
        ),
        FAILURE,
        "participation.consultation.create",
    )
    assert Consultation.objects.get().state == Consultation.State.DRAFT
    survey = services.survey_create(
        actor=Actor.person(market_clerk),
        title="调查",
        intro="",
        questions="单选：好吗 | 好 | 不好",
        opens_on=today,
        closes_on=today,
    )
    services.survey_open(actor=Actor.person(market_clerk), survey=survey)
    question = survey.questions.get()
    refused(
        lambda: services.survey_answer(
            actor=Actor.anonymous(ip="192.0.2.1"), survey=survey, answers={question.pk: "0"}, session_key="s"
        ),
        DENIED,
        "participation.survey.answer",
    )
    refused(
        lambda: services.survey_answer(actor=Actor.person(citizen), survey=survey, answers={question.pk: "9"}),
        FAILURE,
        "participation.survey.answer",
    )
    refused(
        lambda: services.survey_open(actor=Actor.person(market_clerk), survey=survey),
        FAILURE,
        "participation.survey.open",
    )
    assert Survey.objects.get().state == Survey.State.OPEN


def test_moderation_refusals(market_clerk: User, citizen: User, outsider: User) -> None:
    today = workdays.today()
    consultation = services.consultation_create(
        actor=Actor.person(market_clerk), title="办法", intro="", draft="第一条 总则。", opens_on=today, closes_on=today
    )
    services.consultation_publish(actor=Actor.person(market_clerk), consultation=consultation)
    comment = services.comment_create(actor=Actor.person(citizen), article=consultation.articles.get(), content="意见")
    flag = services.flag_create(actor=Actor.person(outsider), comment=comment, reason="广告")
    refused(
        lambda: services.flag_create(actor=Actor.anonymous(), comment=comment, reason="广告"),
        DENIED,
        "participation.flag.create",
    )
    refused(
        lambda: services.content_hide(actor=Actor.person(market_clerk), comment=comment, reason="越权"),
        DENIED,
        "participation.content.hide",
    )
    refused(
        lambda: services.flag_dismiss(actor=Actor.person(market_clerk), flag=flag, reason="越权"),
        DENIED,
        "participation.flag.dismiss",
    )
    assert Comment.objects.get().hidden_at is None and Flag.objects.get().state == Flag.State.OPEN
