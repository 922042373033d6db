"""Defects a citizen's walk-through found in eservices (issue 20): chosen files lost after a form
error, a 75-byte 空白表格, service items dated by UTC's day on the search page."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from zhengwu.accounts.models import User
from zhengwu.conftest import person_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.eservices import selectors, services
from zhengwu.eservices.blank_forms import form_pdf
from zhengwu.eservices.models import Application, MaterialFile, ServiceItem
from zhengwu.eservices.tests.conftest import PDF

pytestmark = pytest.mark.django_db


def test_files_chosen_before_a_form_error_are_kept_and_used(citizen: User, item: ServiceItem) -> None:
    web = person_client(citizen)
    url = f"/services/items/{item.pk}/apply/"
    design = item.materials.get(name="建设工程设计方案")
    bad = web.post(
        url,
        {
            "data_project": "长春某项目",
            "data_area": "多少",
            f"file_{design.pk}": SimpleUploadedFile("设计方案.pdf", PDF),
        },
    )
    page = bad.content.decode()
    assert bad.status_code == 200 and "申请表有误" in page
    assert "已上传：设计方案.pdf" in page and "无需重新选择" in page
    # Corrected and sent again without choosing the file again: accepted, with the kept file.
    response = web.post(url, {"data_project": "长春某项目", "data_area": "88", "data_use": "商业"})
    assert response.status_code == 302
    application = Application.objects.get()
    stored = application.materials.get(material=design)
    assert bytes(stored.content) == PDF and stored.file_name == "设计方案.pdf"
    # Once submitted nothing is kept: the next application asks for the file again.
    assert "已上传：" not in web.get(url).content.decode()


def test_a_bad_file_is_not_kept(citizen: User, item: ServiceItem) -> None:
    web = person_client(citizen)
    design = item.materials.get(name="建设工程设计方案")
    page = web.post(
        f"/services/items/{item.pk}/apply/",
        {"data_project": "x", "data_area": "多少", f"file_{design.pk}": SimpleUploadedFile("a.exe", b"MZ...")},
    ).content.decode()
    assert "已上传：" not in page


def test_the_blank_form_is_a_real_form_of_the_items_fields(item: ServiceItem, market_clerk: User) -> None:
    design = item.materials.get(name="建设工程设计方案")
    blank, sample = form_pdf(design), form_pdf(design, sample=True)
    assert blank.startswith(b"%PDF") and len(blank) > 1500 and blank != sample
    upload = services.Upload(name="设计方案-空白表格.pdf", content=blank)
    row = services.material_file_upload(
        actor=Actor.person(market_clerk), material=design, kind=MaterialFile.Kind.BLANK, upload=upload
    )
    download = Client().get(f"/services/material-files/{row.pk}/")
    assert download.status_code == 200 and download.content == blank


def test_search_hits_carry_chinas_day_not_utcs(item: ServiceItem) -> None:
    # 01:30 on 8 December in China is still 7 December in UTC.
    evening = datetime(2026, 12, 8, 1, 30, tzinfo=workdays.CHINA_TZ)
    ServiceItem.objects.filter(pk=item.pk).update(published_at=evening)
    assert timezone.localtime(evening).date().day == 8
    [hit] = [h for h in selectors.public_search("规划许可") if h.title == item.name]
    assert hit.day is not None and hit.day.isoformat() == "2026-12-08"
