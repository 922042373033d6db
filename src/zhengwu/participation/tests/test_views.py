"""Pages and API of 公众参与: the writer's journey, staff pages with their refusals, export, API."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.conftest import person_client, staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.participation import rules, selectors, services
from zhengwu.participation.models import Letter
from zhengwu.supervision import oversight
from zhengwu.supervision.selectors import timer_for

pytestmark = pytest.mark.django_db

WB = "/workbench/participation"


def test_writer_writes_tracks_and_sees_my_letters(citizen: User, egov: User) -> None:
    client = person_client(citizen)
    page = client.get("/participation/letters/write/")
    assert page.status_code == 200 and "来信内容" in page.content.decode()
    response = client.post(
        "/participation/letters/write/",
        {
            "channel": "mayor",
            "kind": "suggest",
            "title": "建议延长图书馆开放时间",
            "content": "建议周末延长开放。",
            "consent_publish": "on",
        },
        follow=True,
    )
    text = response.content.decode()
    letter = Letter.objects.get()
    assert letter.number in text and letter.writer == citizen and letter.writer_phone == "13800138000"
    code = text.split('id="letter-code">')[1].split("<")[0]
    assert services.code_matches(letter, code)
    assert client.get("/participation/letters/receipt/").status_code == 302  # the code is shown once
    tracked = Client().post("/participation/letters/track/", {"number": letter.number, "code": code})
    assert "待受理" in tracked.content.decode()
    wrong = Client().post("/participation/letters/track/", {"number": letter.number, "code": "ZZZZZZ"})
    assert "信件编号或查询码不正确" in wrong.content.decode()
    assert letter.number in client.get("/participation/letters/mine/").content.decode()
    assert client.get(f"/participation/letters/mine/{letter.number}/").status_code == 200


def test_bad_letter_form_shows_errors_and_writes_nothing(citizen: User, egov: User) -> None:
    response = person_client(citizen).post(
        "/participation/letters/write/",
        {"channel": "mayor", "kind": "suggest", "title": "标题", "content": "内容", "writer_phone": "123"},
    )
    assert response.status_code == 200 and "联系电话格式不正确" in response.content.decode()
    assert Letter.objects.count() == 0


def test_anonymous_must_log_in_to_write_and_others_cannot_see_my_letter(letter: Letter, outsider: User) -> None:
    assert Client().get("/participation/letters/write/").status_code == 302
    assert person_client(outsider).get(f"/participation/letters/mine/{letter.number}/").status_code == 404
    assert Client().get(f"/participation/letters/{letter.number}/").status_code == 404  # not published


def test_workbench_refusal_matrix(
    letter: Letter,
    egov: User,
    market_clerk: User,
    police_clerk: User,
    market_dept: Department,
    citizen: User,
    supervisor: User,
) -> None:
    detail = f"{WB}/letters/{letter.pk}/"
    assert staff_client(egov).get(detail).status_code == 200
    assert staff_client(supervisor).get(detail).status_code == 200
    assert staff_client(market_clerk).get(detail).status_code == 404  # not dispatched to it yet
    assert person_client(citizen).get(detail).status_code == 403
    assert Client().get(detail).status_code == 302
    # Dispatch through the page.
    response = staff_client(egov).post(f"{detail}dispatch/", {"department": market_dept.pk, "note": "请办理"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.state == Letter.State.DISPATCHED
    assert staff_client(police_clerk).get(detail).status_code == 404
    assert staff_client(police_clerk).post(f"{detail}reply/", {"reply": "越权"}).status_code == 404
    assert staff_client(egov).post(f"{detail}reply/", {"reply": "越权"}).status_code == 403
    assert person_client(citizen).post(f"{detail}reply/", {"reply": "越权"}).status_code == 403
    letter.refresh_from_db()
    assert letter.reply == "" and letter.state == Letter.State.DISPATCHED
    page = staff_client(market_clerk).get(detail).content.decode()
    assert "提交答复" in page and "相似来信" in page and "13800138000" in page
    staff_client(market_clerk).post(f"{detail}reply/", {"reply": "已处理"})
    letter.refresh_from_db()
    assert letter.state == Letter.State.REPLIED
    # Bad input is shown, nothing changes.
    staff_client(egov).post(f"{detail}reopen/", {"reason": ""})
    letter.refresh_from_db()
    assert letter.state == Letter.State.REPLIED


def table_row(page: str, marker: str) -> str:
    """The one table row (`<tr>…</tr>`) of `page` that contains `marker`."""
    rows = [row for row in re.findall(r"<tr>.*?</tr>", page, flags=re.DOTALL) if marker in row]
    assert len(rows) == 1, f"{marker} in {len(rows)} rows"
    return rows[0]


def test_letter_list_lights_and_excel_export(letter: Letter, citizen: User, egov: User) -> None:
    late, _code = services.letter_submit(
        actor=Actor.person(citizen),
        channel="mayor",
        kind="consult",
        title="咨询公积金提取",
        content="如何提取住房公积金？",
    )
    receipt = timer_for(late, rules.RECEIPT)
    assert receipt is not None
    receipt.started_at = timezone.now() - timedelta(hours=25)  # the 24-hour receipt clock ran out
    receipt.recompute_schedule()
    receipt.save()
    client = staff_client(egov)
    page = client.get(f"{WB}/letters/").content.decode()
    # The legend above the table names every light: look at each letter's own row.
    fresh_row = table_row(page, letter.number)
    assert 'class="light green"' in fresh_row and "light red" not in fresh_row
    late_row = table_row(page, late.number)
    assert 'class="light red"' in late_row and "light green" not in late_row
    export = client.get(f"{WB}/letters/", {"format": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(export.content)).active.values)
    assert {row[0] for row in rows[1:]} == {letter.number, late.number}


def test_a_letters_title_is_exported_as_text_whatever_it_holds(citizen: User, egov: User) -> None:
    # A title pasted from Word (a vertical tab) or written as a formula: the export must open,
    # and the formula must stay text.
    for title in ['=HYPERLINK("http://evil.example","查看")', "第一行\x0b第二行"]:
        services.letter_submit(
            actor=Actor.person(citizen), channel="mayor", kind="consult", title=title, content="内容"
        )
    export = staff_client(egov).get(f"{WB}/letters/", {"format": "xlsx"})
    assert export.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet is not None
    titles = {row[3].value: row[3].data_type for row in sheet.iter_rows(min_row=2)}
    assert titles == {'=HYPERLINK("http://evil.example","查看")': "s", "第一行第二行": "s"}


def test_staff_letter_page_shows_an_urged_letter(letter: Letter, egov: User, supervisor: User) -> None:
    client = staff_client(egov)
    assert not selectors.letter_urged(letter)
    assert "已被督办" not in client.get(f"{WB}/letters/{letter.pk}/").content.decode()
    receipt = timer_for(letter, rules.RECEIPT)
    assert receipt is not None
    oversight.urging_create(actor=Actor.person(supervisor), timer=receipt, notice="请尽快受理该来信。")
    assert selectors.letter_urged(letter)
    assert "已被督办" in client.get(f"{WB}/letters/{letter.pk}/").content.decode()


def test_consultation_and_survey_workbench_pages(market_clerk: User, police_clerk: User, citizen: User) -> None:
    client = staff_client(market_clerk)
    today = workdays.today()
    created = client.post(
        f"{WB}/consultations/",
        {
            "title": "办法（征求意见稿）",
            "intro": "",
            "draft": "第一条 总则。\n第二条 附则。",
            "opens_on": today,
            "closes_on": today + timedelta(days=3),
        },
    )
    assert created.status_code == 302
    pk = created["Location"].rstrip("/").split("/")[-1]
    client.post(f"{WB}/consultations/{pk}/publish/")
    assert staff_client(police_clerk).get(f"{WB}/consultations/{pk}/").status_code == 404
    public = person_client(citizen).get(f"/participation/consultations/{pk}/").content.decode()
    assert "第二条" in public and "提交意见" in public
    survey = client.post(
        f"{WB}/surveys/",
        {
            "title": "满意度",
            "questions": "单选：满意吗 | 是 | 否",
            "opens_on": today,
            "closes_on": today,
            "results_public": "on",
        },
    )
    assert survey.status_code == 302
    spk = survey["Location"].rstrip("/").split("/")[-1]
    client.post(f"{WB}/surveys/{spk}/open/")
    from zhengwu.participation.models import Survey

    question = Survey.objects.get(pk=spk).questions.get()
    answered = person_client(citizen).post(f"/participation/surveys/{spk}/", {f"q{question.pk}": "0"}, follow=True)
    assert '共收到答卷 <strong id="total">1</strong> 份' in answered.content.decode()
    again = person_client(citizen).post(f"/participation/surveys/{spk}/", {f"q{question.pk}": "1"})
    assert "每人限答一次" in again.content.decode()
    assert Client().get(f"/participation/surveys/{spk}/").status_code == 200


def test_api_write_list_mine(citizen: User, egov: User, outsider: User) -> None:
    body = {"kind": "consult", "title": "咨询公积金提取", "content": "公积金如何提取？"}
    assert (
        Client().post("/api/v1/participation/letters", json.dumps(body), content_type="application/json").status_code
        == 401
    )
    client = person_client(citizen)
    created = client.post("/api/v1/participation/letters", json.dumps(body), content_type="application/json")
    assert created.status_code == 201 and len(created.json()["code"]) == 6
    bad = client.post(
        "/api/v1/participation/letters", json.dumps({**body, "title": ""}), content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "participation.invalid_letter"
    mine = client.get("/api/v1/participation/letters/mine").json()
    assert [i["number"] for i in mine["items"]] == [created.json()["number"]]
    assert person_client(outsider).get("/api/v1/participation/letters/mine").json()["items"] == []
    assert Client().get("/api/v1/participation/letters/published").json() == {"items": [], "next_after": None}
    assert Client().get("/api/v1/participation/letters/published?limit=0").status_code == 400


def test_track_page_lets_the_code_holder_rate_once(
    letter: Letter, egov: User, market_clerk: User, market_dept: Department, citizen: User
) -> None:
    created, code = services.letter_submit(
        actor=Actor.person(citizen),
        channel="hotline",
        kind="help",
        title="求助：独居老人取暖",
        content="邻居独居老人家中暖气不热。",
    )
    services.letter_dispatch(actor=Actor.person(egov), letter=created, department=market_dept)
    services.letter_reply(actor=Actor.person(market_clerk), letter=created, reply="已联系供热公司上门维修。")
    services.letter_complete(actor=Actor.person(egov), letter=created)
    anonymous = Client()
    page = anonymous.post("/participation/letters/track/", {"number": created.number, "code": code}).content.decode()
    assert "已联系供热公司上门维修" in page and "提交评价" in page
    wrong = anonymous.post("/participation/letters/track/", {"number": created.number, "code": "AAAAAA", "rating": "1"})
    assert "信件编号或查询码不正确" in wrong.content.decode()
    created.refresh_from_db()
    assert created.rating == ""
    anonymous.post("/participation/letters/track/", {"number": created.number, "code": code, "rating": "4"})
    created.refresh_from_db()
    assert created.rating == "4"


def test_api_consultations_and_survey_results(market_clerk: User, citizen: User) -> None:
    today = workdays.today()
    draft = services.consultation_create(
        actor=Actor.person(market_clerk),
        title="草稿不公开",
        intro="",
        draft="第一条 总则。",
        opens_on=today,
        closes_on=today,
    )
    assert Client().get("/api/v1/participation/consultations").json() == []
    services.consultation_publish(actor=Actor.person(market_clerk), consultation=draft)
    rows = Client().get("/api/v1/participation/consultations").json()
    assert [(r["title"], r["is_open"], r["summary"]) for r in rows] == [("草稿不公开", True, None)]
    survey = services.survey_create(
        actor=Actor.person(market_clerk),
        title="调查",
        intro="",
        questions="单选：好吗 | 好 | 不好",
        opens_on=today,
        closes_on=today,
    )
    assert Client().get(f"/api/v1/participation/surveys/{survey.pk}/results").status_code == 404
    services.survey_open(actor=Actor.person(market_clerk), survey=survey)
    services.survey_answer(actor=Actor.person(citizen), survey=survey, answers={survey.questions.get().pk: "1"})
    results = Client().get(f"/api/v1/participation/surveys/{survey.pk}/results").json()
    assert results["total"] == 1 and results["questions"][0]["counts"] == [0, 1]
