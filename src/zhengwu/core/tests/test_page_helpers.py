"""The helpers pages share: a one-button POST, a lookup's 404, a file download, an Excel export,
an Excel import page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory
from openpyxl import load_workbook

from zhengwu.core import import_page
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, Sheet, attachment, xlsx
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.core.lookups import found_or_404
from zhengwu.core.post_action import DONE, post_action


def _post() -> HttpRequest:
    request = RequestFactory().post("/x/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def _said(request: HttpRequest) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_post_action_says_what_the_step_returned_and_goes_back() -> None:
    request = _post()
    seen: list[Actor] = []

    def act(actor: Actor) -> str:
        seen.append(actor)
        return "已签收。"

    response = post_action(request, act, "/back/")
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert _said(request) == [("success", "已签收。")]
    assert seen[0].is_anonymous  # the request's actor: nobody logged in here


def test_post_action_says_done_when_the_step_says_nothing() -> None:
    request = _post()
    post_action(request, lambda actor: None, "/back/")
    assert _said(request) == [("success", DONE)]


def test_post_action_shows_a_refusal_and_still_goes_back() -> None:
    request = _post()

    def act(actor: Actor) -> None:
        raise ApplicationError(CoreError.CONFLICT, "已经签收过了。")

    response = post_action(request, act, "/back/")
    assert response["Location"] == "/back/"
    assert _said(request) == [("error", "已经签收过了。")]


def test_post_action_lets_a_404_through() -> None:
    def act(actor: Actor) -> None:
        raise Http404("没有这一操作。")

    with pytest.raises(Http404):
        post_action(_post(), act, "/back/")


def test_found_or_404() -> None:
    assert found_or_404(0, "x") == 0  # only None is "not found"
    with pytest.raises(Http404, match="没有这份公文"):
        found_or_404(None, "没有这份公文。")


def test_attachment_names_the_file() -> None:
    ascii_name = attachment(b"x", "letters.xlsx", XLSX)
    assert ascii_name["Content-Disposition"] == 'attachment; filename="letters.xlsx"'
    assert ascii_name["Content-Type"] == XLSX and ascii_name.content == b"x"
    chinese = attachment(b"x", "突发事件.xlsx", XLSX)
    assert chinese["Content-Disposition"] == "attachment; filename*=UTF-8''%E7%AA%81%E5%8F%91%E4%BA%8B%E4%BB%B6.xlsx"
    uploaded = attachment(b"x", 'a "b";c.pdf', "application/pdf")  # a stored file's own name
    assert uploaded["Content-Disposition"] == "attachment; filename*=UTF-8''a%20%22b%22%3Bc.pdf"


def test_xlsx_writes_each_sheet_and_counts_the_rows() -> None:
    def rows() -> Iterator[list[object]]:  # a generator: written as it comes
        yield ["=1+1", 2]
        yield ["a\x01b", None]

    content, count = xlsx(Sheet("来信", ["标题", "数"], rows()), Sheet("空", ["无"], []))
    assert count == 2
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["来信", "空"]
    values = [[cell.value for cell in row] for row in book["来信"].iter_rows()]
    assert values == [["标题", "数"], ["=1+1", 2], ["ab", None]]
    assert book["来信"]["A2"].data_type == "s"  # text, never a formula


class _FileForm(forms.Form):
    file = forms.FileField()


def _upload() -> HttpRequest:
    request = RequestFactory().post("/import/", {"file": SimpleUploadedFile("x.xlsx", b"rows")})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def _page_context(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    shown: dict[str, Any] = {}

    def render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
        shown.update(context, template=template)
        return HttpResponse()

    monkeypatch.setattr(import_page, "render", render)
    return shown


def test_excel_import_page_loads_the_file_and_says_so() -> None:
    request = _upload()
    loaded: list[bytes] = []

    def load(actor: Actor, content: bytes) -> str:
        loaded.append(content)
        return "已导入 3 个事项。"

    response = import_page.excel_import_page(request, _FileForm(request.POST, request.FILES), load, "/items/", "t.html")
    assert loaded == [b"rows"] and response["Location"] == "/items/"
    assert _said(request) == [("success", "已导入 3 个事项。")]


def test_excel_import_page_lists_the_problems_of_a_refused_file(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _page_context(monkeypatch)
    request = _upload()

    def load(actor: Actor, content: bytes) -> str:
        raise ApplicationError(CoreError.INVALID_INPUT, "文件有误：第 2 行缺少名称", {"2": "第 2 行缺少名称"})

    form = _FileForm(request.POST, request.FILES)
    import_page.excel_import_page(request, form, load, "/items/", "t.html")
    assert shown["template"] == "t.html" and shown["problems"] == ["第 2 行缺少名称"]
    assert form.non_field_errors() == ["文件有误。"]
    assert _said(request) == []
