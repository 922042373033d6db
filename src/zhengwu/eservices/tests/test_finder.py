"""Finding services the way people look (个人/法人, 主题, 部门, 区划, measured hot services) and the
full 办事指南 (收费依据, 常见问题, 救济途径, 结果样本)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengwu.accounts.models import Department, Region, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.core.actors import Actor
from zhengwu.eservices import popularity, rules, selectors, services
from zhengwu.eservices.models import Application, Audience, ItemTheme, ItemViewDay, ServiceItem
from zhengwu.eservices.tests.conftest import GOOD_FORM, PDF, PNG, make_item, upload
from zhengwu.eservices.tests.test_bundles import police_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions(jilin: Region) -> dict[str, Region]:
    city = Region.objects.create(code="220100", name="长春市", level=Region.Level.CITY, parent=jilin)
    county = Region.objects.create(code="220104", name="朝阳区", level=Region.Level.COUNTY, parent=city)
    other = Region.objects.create(code="220200", name="吉林市", level=Region.Level.CITY, parent=jilin)
    return {"province": jilin, "city": city, "county": county, "other": other}


@pytest.fixture
def items(
    market_dept: Department, nature_dept: Department, housing_dept: Department, bases: Any, regions: dict[str, Region]
) -> dict[str, ServiceItem]:
    def one(code: str, name: str, audience: str, themes: list[str], region: Region | None) -> ServiceItem:
        made = make_item(
            market_dept, nature_dept, housing_dept, impl_code=f"11220000013544357T4XK0{code}", name=name,
            audience=audience,
        )  # fmt: skip
        extras = services.GuideExtras(themes=themes, region=region)
        return services.item_guide_set(actor=Actor.platform(), item=made, extras=extras)

    return {
        "birth": one("301", "出生医学证明", Audience.PERSON, ["生育收养", "医疗卫生"], regions["province"]),
        "hukou": one("302", "出生户口登记", Audience.PERSON, ["户籍办理"], regions["county"]),
        "jilin": one("303", "吉林市户口迁移", Audience.PERSON, ["户籍办理"], regions["other"]),
        "firm": one("304", "企业设立登记", Audience.LEGAL, ["设立变更"], None),  # the department's region
    }


def names(found: list[ServiceItem]) -> set[str]:
    return {i.name for i in found}


def test_tabs_themes_and_regions_narrow_the_items(items: dict[str, ServiceItem], regions: dict[str, Region]) -> None:
    person = selectors.Finder(audience=Audience.PERSON)
    assert names(selectors.find_items(person)) == {"出生医学证明", "出生户口登记", "吉林市户口迁移"}
    assert names(selectors.find_items(selectors.Finder(audience=Audience.LEGAL))) == {"企业设立登记"}
    assert names(selectors.find_items(selectors.Finder(theme="户籍办理"))) == {"出生户口登记", "吉林市户口迁移"}
    # a county lists its own items and those of the city and the province above it, not a sibling city's
    assert names(selectors.find_items(selectors.Finder(audience=Audience.PERSON, region="220104"))) == {
        "出生医学证明",
        "出生户口登记",
    }
    assert names(selectors.find_items(selectors.Finder(region="220000"))) == {"出生医学证明", "企业设立登记"}
    counts = dict(selectors.theme_counts(Audience.PERSON))
    assert counts == {"生育收养": 1, "户籍办理": 2, "医疗卫生": 1}
    assert [r.code for r in selectors.finder_regions()] == ["220000", "220100", "220104", "220200"]


def test_by_department_lists_only_that_departments_items(
    client: Any, items: dict[str, ServiceItem], police_dept: Department, market_dept: Department
) -> None:
    police = police_item(police_dept)
    assert names(selectors.find_items(selectors.Finder(department=police_dept.pk))) == {"施工现场治安备案"}
    assert police.name not in names(selectors.find_items(selectors.Finder(department=market_dept.pk)))
    assert selectors.finder_departments() == sorted(
        [(market_dept.pk, market_dept.name), (police_dept.pk, police_dept.name)], key=lambda row: row[1]
    )
    page = client.get("/services/", {"dept": police_dept.pk}).content.decode()
    assert "施工现场治安备案" in page and "企业设立登记" not in page and police_dept.name in page


def test_the_guide_shows_where_and_when_to_go(client: Any, items: dict[str, ServiceItem]) -> None:
    item = items["birth"]
    ServiceItem.objects.filter(pk=item.pk).update(place_time="吉林省政务服务中心一楼 12 号窗口，工作日 9:00–17:00")
    page = client.get(f"/services/items/{item.pk}/").content.decode()
    assert "<dt>办理地点和时间</dt><dd>吉林省政务服务中心一楼 12 号窗口，工作日 9:00–17:00</dd>" in page


def test_hot_services_are_measured_from_the_last_30_days(items: dict[str, ServiceItem], citizen: User) -> None:
    assert selectors.hot_items() == []
    for _ in range(2):
        design = items["hukou"].materials.get(name="建设工程设计方案")
        services.application_submit(
            actor=Actor.person(citizen), item=items["hukou"], data=GOOD_FORM, files={design.pk: upload()}
        )
    design = items["birth"].materials.get(name="建设工程设计方案")
    old = services.application_submit(
        actor=Actor.person(citizen), item=items["birth"], data=GOOD_FORM, files={design.pk: upload()}
    )
    Application.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=31))
    hot = selectors.hot_items()
    assert [(i.name, i.recent) for i in hot] == [("出生户口登记", 2)]  # type: ignore[attr-defined]
    assert selectors.hot_items(audience=Audience.LEGAL) == []


def test_the_finder_page_on_tabs_and_chips(client: Any, items: dict[str, ServiceItem]) -> None:
    page = client.get("/services/", {"who": "person", "theme": "户籍办理"}).content.decode()
    assert "出生户口登记" in page and "出生医学证明</a>" not in page and "个人办事" in page and "法人办事" in page
    assert 'aria-current="page">户籍办理（2）' in page
    legal = client.get("/services/", {"who": "legal"}).content.decode()
    assert "企业设立登记" in legal and "出生户口登记" not in legal
    region = client.get("/services/", {"who": "person", "region": "220104"}).content.decode()
    assert "出生户口登记" in region and "吉林市户口迁移" not in region
    assert client.get("/services/", {"dept": "x", "who": "nobody"}).status_code == 200  # bad input: no filter


def test_the_guide_shows_remedies_faq_fees_and_the_result_sample(
    client: Any, items: dict[str, ServiceItem], market_dept: Department
) -> None:
    item = items["birth"]
    extras = services.GuideExtras(
        themes=["生育收养"],
        fee_basis="不收费",
        faq=[("没起名字能办吗？", "不能。")],
        review_body="吉林省人民政府",
    )
    services.item_guide_set(actor=Actor.platform(), item=item, extras=extras)
    result = item.results.get()
    services.result_sample_upload(actor=Actor.platform(), result=result, upload=upload("许可证样本.pdf", PDF))
    page = client.get(f"/services/items/{item.pk}/").content.decode()
    for text in (
        "救济途径",
        "申请行政复议",
        "吉林省人民政府",
        "60 日内",
        "提起行政诉讼",
        "6 个月内",
        "没起名字能办吗",
        "不收费",
    ):
        assert text in page, text
    sample = client.get(f"/services/results/{result.pk}/sample/")
    assert sample.status_code == 200 and sample.content == PDF and sample["X-Content-Type-Options"] == "nosniff"
    detail = client.get(f"/api/v1/eservices/items/{item.pk}").json()
    assert detail["themes"] == ["生育收养"] and detail["remedies"][0]["name"] == "申请行政复议"
    assert detail["faq"] == [{"q": "没起名字能办吗？", "a": "不能。"}]


def test_remedy_last_days_count_60_days_and_6_months() -> None:
    from datetime import date

    assert rules.remedy_last_days(date(2026, 8, 31)) == (date(2026, 10, 30), date(2027, 2, 28))
    assert rules.remedy_last_days(date(2026, 1, 15)) == (date(2026, 3, 16), date(2026, 7, 15))


def test_only_the_department_or_the_office_keeps_the_guide(
    items: dict[str, ServiceItem], citizen: User, police_clerk: User, market_clerk: User
) -> None:
    item = items["birth"]
    for who in (citizen, police_clerk):
        refused_write(
            lambda who=who: services.item_guide_set(
                actor=Actor.person(who), item=item, extras=services.GuideExtras(themes=["户籍办理"])
            ),
            models=[ItemTheme],
            rows=[item],
            code="core.permission_denied",
        )
    error, _ = refused_write(
        lambda: services.item_guide_set(
            actor=Actor.person(market_clerk), item=item, extras=services.GuideExtras(themes=["投资审批"])
        ),
        models=[ItemTheme],
        code="eservices.invalid_item",
    )
    assert "投资审批" in error.message  # a 法人 theme on a 自然人 item
    result = item.results.get()
    refused_write(
        lambda: services.result_sample_upload(
            actor=Actor.person(market_clerk), result=result, upload=upload("样本.pdf", PNG)
        ),
        rows=[result],
        code="eservices.invalid_file",
    )


def test_a_refused_case_gives_the_last_days_to_challenge_it(items: dict[str, ServiceItem], citizen: User) -> None:
    from zhengwu.conftest import person_client

    item = items["birth"]
    design = item.materials.get(name="建设工程设计方案")
    case = services.application_submit(
        actor=Actor.person(citizen), item=item, data=GOOD_FORM, files={design.pk: upload()}
    )
    web = person_client(citizen)
    assert "case-remedies" not in web.get(f"/services/mine/{case.number}/").content.decode()
    services.application_refuse(actor=Actor.platform(), application=case, reason="不属于本机关职权范围")
    case.refresh_from_db()
    assert case.decided_at is not None
    review, litigation = rules.remedy_last_days(timezone.localdate(case.decided_at))
    page = web.get(f"/services/mine/{case.number}/").content.decode()
    assert f"{review:%Y-%m-%d} 前申请行政复议" in page and f"{litigation:%Y-%m-%d} 前提起行政诉讼" in page


def test_the_department_keeps_the_guide_and_the_result_sample_on_the_workbench(
    items: dict[str, ServiceItem], market_clerk: User, police_clerk: User
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengwu.conftest import staff_client

    item = items["birth"]
    web = staff_client(market_clerk)
    url = f"/workbench/eservices/items/{item.pk}/guide/"
    assert "生育收养" in web.get(url).content.decode()
    bad = web.post(url, {"themes": ["生育收养"], "region": "999999", "faq": ""})
    assert "所属区划代码 999999 不存在" in bad.content.decode()
    odd = web.post(url, {"themes": ["生育收养"], "faq": "没有问字\n答：x"})
    assert "每条须两行" in odd.content.decode()
    done = web.post(
        url,
        {
            "themes": ["生育收养", "户籍办理"],
            "region": "220104",
            "faq": "问：要带户口本吗？\n答：不用。",
            "fee_basis": "免费",
        },
    )
    assert done.status_code == 302
    item.refresh_from_db()
    assert (
        item.region is not None
        and item.region.code == "220104"
        and item.faq == [{"q": "要带户口本吗？", "a": "不用。"}]
    )
    assert set(item.themes.values_list("theme", flat=True)) == {"生育收养", "户籍办理"}
    result = item.results.get()
    sample = f"/workbench/eservices/items/{item.pk}/results/{result.pk}/sample/"
    web.post(sample, {"file": SimpleUploadedFile("样本.pdf", PDF)})
    result.refresh_from_db()
    assert bytes(result.sample) == PDF
    assert staff_client(police_clerk).get(url).status_code == 404  # another department's item


def test_hot_services_mix_applications_and_guide_views(items: dict[str, ServiceItem], citizen: User) -> None:
    """score = 10 × applications + views over the last 30 days (docs/rules.md §5 “热门服务”), from hand-made counts."""
    today = timezone.localdate()
    for name, count in (("hukou", 2), ("jilin", 1)):
        for _ in range(count):
            design = items[name].materials.get(name="建设工程设计方案")
            services.application_submit(
                actor=Actor.person(citizen), item=items[name], data=GOOD_FORM, files={design.pk: upload()}
            )
    ItemViewDay.objects.bulk_create(
        [
            ItemViewDay(item=items["birth"], day=today, views=15),
            ItemViewDay(item=items["birth"], day=today - timedelta(days=29), views=10),  # still in the 30 days
            ItemViewDay(item=items["firm"], day=today - timedelta(days=30), views=900),  # too old: not counted
            ItemViewDay(item=items["jilin"], day=today - timedelta(days=3), views=5),
        ]
    )
    hot = selectors.hot_items()
    # 出生医学证明 25 views, no application: 25; 出生户口登记 2 applications: 20; 吉林市户口迁移 1 + 5 views: 15.
    assert [(i.name, i.hot_score, i.recent, i.viewed) for i in hot] == [  # type: ignore[attr-defined]
        ("出生医学证明", 25, 0, 25),
        ("出生户口登记", 20, 2, 0),
        ("吉林市户口迁移", 15, 1, 5),
    ]
    assert selectors.hot_items(audience=Audience.LEGAL) == []  # its views are older than 30 days
    ItemViewDay.objects.filter(item=items["hukou"]).delete()
    ItemViewDay.objects.create(item=items["hukou"], day=today, views=5)  # 25: a tie, broken by name
    assert [i.name for i in selectors.hot_items(limit=2)] == ["出生医学证明", "出生户口登记"]
    page = Client().get("/services/").content.decode()
    assert "近 30 天申请 0 件、浏览 25 次" in page


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def test_guide_views_are_counted_without_a_write_per_view(
    items: dict[str, ServiceItem], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A guide view is a count in memory; pushed to the shared cache now and then, moved into
    `ItemViewDay` by the periodic job; nothing about the visitor is kept."""
    monkeypatch.setattr(popularity, "PUSH_SECONDS", 3600)
    monkeypatch.setattr(popularity, "_pushed_at", time.monotonic())
    popularity._local.clear()
    web, url = Client(), f"/services/items/{items['birth'].pk}/"
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert web.get(url).status_code == 200
        writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
        assert writes == []
    assert not ItemViewDay.objects.exists()
    popularity.push()  # what the process does on a view PUSH_SECONDS after its last push
    assert popularity.flush() == 3 and popularity.flush() == 0  # moved once
    row = ItemViewDay.objects.get()
    assert (row.item_id, row.day, row.views) == (items["birth"].pk, timezone.localdate(), 3)
    assert [f.name for f in ItemViewDay._meta.get_fields()] == ["id", "item", "day", "views"]  # no one's data
    web.get(url)
    popularity.push()
    popularity.flush()
    assert ItemViewDay.objects.get().views == 4
    assert [(i.name, i.viewed) for i in selectors.hot_items()] == [("出生医学证明", 4)]  # type: ignore[attr-defined]
