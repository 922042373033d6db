"""Surveys: question kinds, one answer per real-name user, anonymous limits, results."""

from __future__ import annotations

from datetime import timedelta

import pytest

from zhengwu.accounts.models import User
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.participation import selectors, services
from zhengwu.participation.models import Response, Survey
from zhengwu.participation.tests.conftest import acting

pytestmark = pytest.mark.django_db

QUESTIONS = """单选：您是否使用过网上办事大厅？ | 经常使用 | 偶尔使用 | 从未使用
多选：您希望增加哪些服务？ | 社保 | 公积金 | 户籍
量表：总体满意度 | 1 | 5
文本：其他意见（选答）"""


@pytest.fixture
def survey(market_clerk: User) -> Survey:
    today = workdays.today()
    item = services.survey_create(
        actor=Actor.person(market_clerk),
        title="政务服务满意度调查",
        intro="",
        questions=QUESTIONS,
        opens_on=today,
        closes_on=today + timedelta(days=7),
    )
    return services.survey_open(actor=Actor.person(market_clerk), survey=item)


def _answers(
    survey: Survey, single: int = 0, multiple: list[int] | None = None, scale: int = 4, text: str = ""
) -> dict[int, object]:
    q = list(survey.questions.all())
    return {q[0].pk: str(single), q[1].pk: [str(i) for i in (multiple or [0, 2])], q[2].pk: str(scale), q[3].pk: text}


def test_question_syntax_errors_are_reported_by_line(market_clerk: User) -> None:
    today = workdays.today()
    with pytest.raises(ApplicationError) as error:
        services.survey_create(
            actor=Actor.person(market_clerk),
            title="t",
            intro="",
            questions="单选：只有一个选项 | 甲\n问答：无效",
            opens_on=today,
            closes_on=today,
        )
    assert "第1行" in error.value.message and "第2行" in error.value.message
    assert Survey.objects.count() == 0


def test_one_answer_per_real_name_user_and_results(survey: Survey, citizen: User, market_clerk: User) -> None:
    services.survey_answer(actor=Actor.person(citizen), survey=survey, answers=_answers(survey, text="希望简化材料"))
    with pytest.raises(ApplicationError) as twice:
        services.survey_answer(actor=Actor.person(citizen), survey=survey, answers=_answers(survey, single=1))
    assert twice.value.code == "participation.already_answered"
    results = selectors.survey_results(survey)
    assert results["total"] == 1
    single, multiple, scale, text = results["questions"]
    assert single["counts"] == [1, 0, 0] and multiple["counts"] == [1, 0, 1]
    assert scale["counts"] == [0, 0, 0, 1, 0] and scale["mean"] == 4
    assert text["answered"] == 1 and "texts" not in text  # the public results carry no free text
    assert selectors.survey_results(survey, with_texts=True)["questions"][3]["texts"] == ["希望简化材料"]


def test_refusals_and_bad_answers_write_nothing(
    survey: Survey, outsider: User, market_clerk: User, citizen: User
) -> None:
    for person in (outsider, market_clerk, None):
        with pytest.raises(ApplicationError):
            services.survey_answer(actor=acting(person), survey=survey, answers=_answers(survey), session_key="s1")
    questions = list(survey.questions.all())
    bad = [
        _answers(survey, single=7),
        {**_answers(survey), questions[0].pk: ["0", "1"]},
        _answers(survey, scale=9),
        {**_answers(survey), questions[2].pk: ""},
    ]
    for answers in bad:
        with pytest.raises(ApplicationError) as error:
            services.survey_answer(actor=Actor.person(citizen), survey=survey, answers=answers)
        assert error.value.code == "participation.invalid_answer"
    assert Response.objects.count() == 0


def test_anonymous_answers_once_per_session_and_three_per_ip(survey: Survey) -> None:
    survey.allow_anonymous = True
    survey.save()
    services.survey_answer(
        actor=Actor.anonymous(ip="10.0.0.1"), survey=survey, answers=_answers(survey), session_key="a"
    )
    with pytest.raises(ApplicationError) as same_session:
        services.survey_answer(
            actor=Actor.anonymous(ip="10.0.0.2"), survey=survey, answers=_answers(survey), session_key="a"
        )
    assert same_session.value.code == "participation.already_answered"
    services.survey_answer(
        actor=Actor.anonymous(ip="10.0.0.1"), survey=survey, answers=_answers(survey), session_key="b"
    )
    services.survey_answer(
        actor=Actor.anonymous(ip="10.0.0.1"), survey=survey, answers=_answers(survey), session_key="c"
    )
    with pytest.raises(ApplicationError) as limit:
        services.survey_answer(
            actor=Actor.anonymous(ip="10.0.0.1"), survey=survey, answers=_answers(survey), session_key="d"
        )
    assert limit.value.code == "participation.anonymous_limit"
    assert Response.objects.filter(survey=survey).count() == 3
    assert not Response.objects.filter(session_hash="a").exists()  # only hashes are stored


def test_closed_survey_refuses_answers(survey: Survey, citizen: User, market_clerk: User, police_clerk: User) -> None:
    with pytest.raises(ApplicationError):
        services.survey_close(actor=Actor.person(police_clerk), survey=survey)
    services.survey_close(actor=Actor.person(market_clerk), survey=survey)
    with pytest.raises(ApplicationError) as error:
        services.survey_answer(actor=Actor.person(citizen), survey=survey, answers=_answers(survey))
    assert error.value.code == "participation.not_open"
