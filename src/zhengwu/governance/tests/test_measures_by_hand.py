"""考核评估: the measures read from the catalog, disclosure, services, letters and surveys, each
against a fixture computed by hand (docs/rules.md §13). The timer measures are in test_evaluations.py,
the access-log counts in test_access_log_measures.py.

Period: the year 2025; as of its end, 2026-01-01 00:00 Beijing time."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.catalog.models import Resource
from zhengwu.disclosure.models import AnnualReport, Category, Publication
from zhengwu.eservices.models import Application, Rating, ServiceItem
from zhengwu.governance import evaluation_selectors as selectors
from zhengwu.governance.models import ScoringRule
from zhengwu.governance.services.measures import MEASURES, Period
from zhengwu.governance.tests.conftest import make_resource
from zhengwu.governance.tests.evaluation_helpers import YEAR, at, computed_run, make_set, scores_by
from zhengwu.participation.models import Answer, Channel, Letter, LetterKind, Question, Response, Survey
from zhengwu.participation.models import Rating as LetterRating

pytestmark = pytest.mark.django_db

PERIOD = (date(YEAR, 1, 1), date(YEAR, 12, 31))
_serial = count(1)


def counts(code: str) -> dict[int, tuple[float, float | None]]:
    return MEASURES[code].counts(Period(*PERIOD))


@pytest.fixture
def depts(market_dept: Department, police_dept: Department, office_dept: Department) -> dict[str, Department]:
    return {"market": market_dept, "police": police_dept, "office": office_dept}


# --- the catalog: published share and freshness at the period's end -------------------------------------------


def _resource(provider: Department, state: str, *, loaded: date | None = None, **extra: Any) -> Resource:
    n = next(_serial)
    resource = make_resource(provider, f"1{n:02d}001/{n:03d}")
    Resource.objects.filter(pk=resource.pk).update(
        state=state, created_at=at(date(YEAR, 1, 2)), last_loaded_at=at(loaded) if loaded else None, **extra
    )
    return resource


def _catalog(market: Department, police: Department) -> None:
    published, draft = Resource.State.PUBLISHED, Resource.State.DRAFT
    # 市场监管厅: 3 registered, 2 published; of those, one loaded within its month (2025-12-20), one not
    _resource(market, published, loaded=date(YEAR, 12, 20))
    _resource(market, published, loaded=date(YEAR, 9, 1))
    _resource(market, draft)
    # not counted: withdrawn, registered after the period, a revision of another entry
    _resource(market, Resource.State.WITHDRAWN, loaded=date(YEAR, 12, 20))
    late = _resource(market, published, loaded=date(YEAR, 12, 20))
    Resource.objects.filter(pk=late.pk).update(created_at=at(date(YEAR + 1, 1, 5)))
    original = Resource.objects.filter(provider=market).first()
    _resource(market, draft, revision_of=original)
    # 公安厅: one registered, not yet published
    _resource(police, draft)


def test_catalog_published_and_fresh(depts: dict[str, Department]) -> None:
    market, police = depts["market"], depts["police"]
    _catalog(market, police)
    assert counts("sharing.catalog_published") == {market.pk: (2.0, 3.0), police.pk: (0.0, 1.0)}
    # freshness only of departments with a published entry: 公安厅 and 政务服务局 have nothing to judge
    assert counts("sharing.freshness") == {market.pk: (1.0, 2.0)}


# --- disclosure: the annual report by 31 January, sections updated on time ------------------------------------------


def _publication(department: Department, category: str, day: date) -> Publication:
    n = next(_serial)
    return Publication.objects.create(
        department=department,
        index_number=f"{department.credit_code}/{day.year}-{n:05d}",
        index_year=day.year,
        index_sequence=n,
        category=category,
        title=f"公开信息 {n}",
        date_written=day,
        body="正文",
        state=Publication.State.PUBLISHED,
        published_at=at(day),
    )


def _report(department: Department, saved: date) -> None:
    report = AnnualReport.objects.create(department=department, year=YEAR - 1)
    AnnualReport.objects.filter(pk=report.pk).update(updated_at=at(saved))


def test_annual_report_by_the_end_of_january(depts: dict[str, Department]) -> None:
    market, police, office = depts["market"], depts["police"], depts["office"]
    _publication(market, Category.POLICY, date(YEAR, 1, 10))
    _publication(police, Category.POLICY, date(YEAR, 1, 10))
    _report(market, date(YEAR, 1, 31))  # the last day allowed
    _report(police, date(YEAR, 2, 1))  # a day late
    _report(office, date(YEAR, 1, 20))  # no publication: not judged
    assert counts("disclosure.annual_report") == {market.pk: (1.0, 1.0), police.pk: (0.0, 1.0)}


def test_sections_updated_within_two_weeks_or_six_months(depts: dict[str, Department]) -> None:
    market, police = depts["market"], depts["police"]
    end = date(YEAR + 1, 1, 1)
    # 市场监管厅: 工作动态 14 days before the end (on time), 政策文件 184 days before (stale)
    _publication(market, Category.NEWS, date(YEAR, 11, 1))
    _publication(market, Category.NEWS, end - timedelta(days=14))
    _publication(market, Category.POLICY, end - timedelta(days=184))
    # 公安厅: 通知公告 15 days before (stale), 规划计划 183 days before (on time)
    _publication(police, Category.NOTICE, end - timedelta(days=15))
    _publication(police, Category.PLAN, end - timedelta(days=183))
    assert counts("website.sections_fresh") == {market.pk: (1.0, 2.0), police.pk: (1.0, 2.0)}
    evidence = MEASURES["website.sections_fresh"].evidence
    assert evidence is not None
    assert [row.title for row in evidence(Period(*PERIOD), market.pk)] == ["栏目“政策文件”"]
    assert [row.title for row in evidence(Period(*PERIOD), police.pk)] == ["栏目“通知公告”"]


# --- services: the fully-online share and the ratings --------------------------------------------------------------


def _item(department: Department) -> ServiceItem:
    n = next(_serial)
    return ServiceItem.objects.create(
        name=f"测试事项{n}", basic_code=f"00013{n:02d}", impl_code=f"1122000001354436{n:02d}", item_type="XK",
        department=department, case_prefix="CS", basis="《行政许可法》", audience="person", conditions="无",
        legal_limit=20, promised_limit=10, state=ServiceItem.State.PUBLISHED,
    )  # fmt: skip


def _case(item: ServiceItem, citizen: User, decided: date | None, visits: int = 0, state: str = "") -> Application:
    return Application.objects.create(
        number=f"CS{next(_serial):011d}", verify_code="123456", item=item, department=item.department,
        applicant=citizen, applicant_name=citizen.real_name, state=state or Application.State.APPROVED,
        decided_at=at(decided) if decided else None, visits=visits,
    )  # fmt: skip


def _rate(case: Application, level: int, day: date, *, excluded: bool = False) -> None:
    Rating.objects.create(
        application=case, department=case.department, level=level, overall=level, efficiency=level,
        guide_accuracy=level, convenience=level, usability=level, created_at=at(day), excluded=excluded,
    )  # fmt: skip


def _services(market: Department, citizen: User) -> None:
    item = _item(market)
    # decided in 2025: 3, of which 2 with no visit; one denied counts too; not counted: decided in 2024, still open
    online = _case(item, citizen, date(YEAR, 3, 1))
    _case(item, citizen, date(YEAR, 6, 1), state=Application.State.DENIED)
    counter = _case(item, citizen, date(YEAR, 9, 1), visits=1)
    _case(item, citizen, date(YEAR - 1, 12, 31))
    _case(item, citizen, None, state=Application.State.PROCESSING)
    # ratings of 2025: 非常满意, 满意, 基本满意 → 2 of 3 good; an upheld appeal and a 2024 rating not counted
    _rate(online, 5, date(YEAR, 3, 2))
    _rate(counter, 4, date(YEAR, 9, 2))
    _rate(_case(item, citizen, date(YEAR, 10, 1)), 3, date(YEAR, 10, 2))
    _rate(_case(item, citizen, date(YEAR, 10, 1)), 1, date(YEAR, 10, 2), excluded=True)
    _rate(_case(item, citizen, date(YEAR - 1, 11, 1)), 1, date(YEAR - 1, 11, 2))


def test_fully_online_share_and_ratings(depts: dict[str, Department], citizen: User) -> None:
    market = depts["market"]
    _services(market, citizen)
    # decided in 2025: the 3 above and the two rated ones decided on 10-01 → 4 online of 5
    assert counts("services.online_share") == {market.pk: (4.0, 5.0)}
    assert counts("services.ratings") == {market.pk: (2.0, 3.0)}


# --- letters: satisfaction and the ones unanswered after three months ---------------------------------------------


def _letter(department: Department, office: Department, submitted: date, **extra: Any) -> Letter:
    n = next(_serial)
    values: dict[str, Any] = {
        "number": f"12345{YEAR}{n:05d}", "code_hash": "0" * 64, "channel": Channel.MAYOR,
        "kind": LetterKind.CONSULT, "title": f"来信 {n}", "content": "请答复。", "office": office,
        "department": department, "submitted_at": at(submitted),
    }  # fmt: skip
    values.update(extra)
    return Letter.objects.create(**values)


def test_letter_satisfaction(depts: dict[str, Department]) -> None:
    market, police, office = depts["market"], depts["police"], depts["office"]
    rated = {"replied_at": at(date(YEAR, 2, 1)), "rated_at": at(date(YEAR, 2, 3))}
    _letter(police, office, date(YEAR, 1, 5), rating=LetterRating.SATISFIED, **rated)
    _letter(police, office, date(YEAR, 1, 5), rating=LetterRating.BASIC, **rated)
    _letter(police, office, date(YEAR, 1, 5), replied_at=at(date(YEAR, 2, 1)))  # not rated
    _letter(market, office, date(YEAR, 1, 5), rating=LetterRating.VERY_SATISFIED, **rated)
    # rated in 2024: not counted
    _letter(market, office, date(YEAR - 1, 11, 5), rating="1", rated_at=at(date(YEAR - 1, 12, 3)))
    assert counts("letters.satisfaction") == {police.pk: (1.0, 2.0), market.pk: (1.0, 1.0)}


def test_letters_unanswered_after_three_months(depts: dict[str, Department]) -> None:
    market, police, office = depts["market"], depts["police"], depts["office"]
    submitted = date(YEAR, 3, 1)
    _letter(market, office, submitted)  # never answered
    _letter(market, office, submitted, replied_at=at(submitted) + timedelta(days=91))  # answered too late
    _letter(market, office, submitted, replied_at=at(submitted) + timedelta(days=90))  # on the last day
    _letter(market, office, date(YEAR, 10, 5))  # its three months not over by the period's end
    _letter(police, office, submitted, replied_at=at(date(YEAR, 3, 20)))
    assert counts("website.unanswered") == {market.pk: (2.0, None)}


# --- public satisfaction: survey scale answers pooled with service ratings ------------------------------------------


def _survey(department: Department, author: User, scales: list[int], day: date) -> None:
    survey = Survey.objects.create(
        title=f"满意度调查 {next(_serial)}", department=department, opens_on=date(YEAR, 1, 1),
        closes_on=date(YEAR, 12, 31), created_by=author,
    )  # fmt: skip
    scale = Question.objects.create(
        survey=survey, position=1, kind=Question.Kind.SCALE, text="总体满意度", scale_min=1, scale_max=5
    )
    text = Question.objects.create(survey=survey, position=2, kind=Question.Kind.TEXT, text="意见")
    for value in scales:
        response = Response.objects.create(survey=survey, created_at=at(day))
        Answer.objects.create(response=response, question=scale, scale=value)
        Answer.objects.create(response=response, question=text, text="无")


def test_public_satisfaction(depts: dict[str, Department], citizen: User, market_clerk: User) -> None:
    market, police = depts["market"], depts["police"]
    _services(market, citizen)  # ratings: 2 good of 3
    _survey(market, market_clerk, [5, 3], date(YEAR, 5, 1))  # 1.0 + 0.5
    _survey(market, market_clerk, [1], date(YEAR - 1, 5, 1))  # answered in 2024: not counted
    _survey(police, market_clerk, [2, 4], date(YEAR, 5, 1))  # 0.25 + 0.75, no ratings
    assert counts("satisfaction.public") == {market.pk: (3.5, 5.0), police.pk: (1.0, 2.0)}


# --- every one of these in one run: the scores ------------------------------------------------------------------


def test_scores_of_these_measures_by_hand(
    depts: dict[str, Department], citizen: User, market_clerk: User, egov: User
) -> None:
    market, police, office = depts["market"], depts["police"], depts["office"]
    _catalog(market, police)
    _services(market, citizen)
    _survey(police, market_clerk, [2, 4], date(YEAR, 5, 1))
    _letter(market, office, date(YEAR, 3, 1))
    linear, zero = ScoringRule.LINEAR, ScoringRule.ZERO
    run = computed_run(
        egov,
        make_set(
            egov,
            ("sharing.catalog_published", "6", 0.9, linear),
            ("sharing.freshness", "6", 0.9, linear),
            ("services.online_share", "6", 0.8, ScoringRule.THRESHOLD),
            ("services.ratings", "6", 0.95, linear),
            ("website.unanswered", "4", 0, zero),
            ("satisfaction.public", "8", 0.9, linear),
        ),
    )
    got = scores_by(run)
    expected = {
        # 市场监管厅: 2/3 published → 6 × 0.6667 / 0.9 = 4.44; 1/2 fresh → 3.33; 4/5 online = 0.8 ≥ 0.8 → 6;
        # 2/3 good → 6 × 0.6667 / 0.95 = 4.21; one letter unanswered → 0; no survey, ratings 2/3 → 8 × 0.6667 / 0.9
        (market.pk, "sharing.catalog_published"): "4.44",
        (market.pk, "sharing.freshness"): "3.33",
        (market.pk, "services.online_share"): "6.00",
        (market.pk, "services.ratings"): "4.21",
        (market.pk, "website.unanswered"): "0.00",
        (market.pk, "satisfaction.public"): "5.93",
        # 公安厅: 0/1 published → 0; nothing published to be fresh → full; no cases, no ratings → full;
        # survey answers 0.25 and 0.75 → 0.5 → 8 × 0.5 / 0.9 = 4.44
        (police.pk, "sharing.catalog_published"): "0.00",
        (police.pk, "sharing.freshness"): "6.00",
        (police.pk, "services.online_share"): "6.00",
        (police.pk, "services.ratings"): "6.00",
        (police.pk, "website.unanswered"): "4.00",
        (police.pk, "satisfaction.public"): "4.44",
    }
    assert {key: got[key] for key in expected} == {key: Decimal(value) for key, value in expected.items()}
    totals = {r.department_id: r.total for r in selectors.ranking(run)}
    assert totals[market.pk] == Decimal("23.91") and totals[police.pk] == Decimal("26.44")
    assert totals[office.pk] == Decimal("36.00")  # nothing to judge anywhere: full marks
