"""The officer's upload pages, the upsert API and the ingest command, against everyone refused."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, Role, User
from zhengwu.accounts.services import apiclient_create
from zhengwu.conftest import machine_api_client, make_staff, person_client, staff_client
from zhengwu.core.actors import Actor
from zhengwu.exchange.store import tables as store
from zhengwu.exchange.store import workbench_views as views_store
from zhengwu.exchange.store.models import LoadJob
from zhengwu.exchange.store.tasks import loadjob_run_task
from zhengwu.exchange.tests.test_store_fixtures import (  # noqa: F401 - fixtures
    GOOD_ROW,
    HEADER_CODES,
    credit_codes,
    enterprises_fixture,
    market_officer_fixture,
    police_officer_fixture,
    row_for,
    write_csv,
)

pytestmark = pytest.mark.django_db


def csv_upload(rows: list[list[str]], name: str = "enterprises.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    buffer = io.StringIO()
    import csv

    writer = csv.writer(buffer)
    writer.writerow(HEADER_CODES)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def upload_url(resource: Any) -> str:
    return f"/workbench/exchange/data/upload/{resource.pk}/"


# --- the upload page -------------------------------------------------------------------------


def test_officer_uploads_a_gbk_file_and_sees_the_result(enterprises: Any, market_officer: User) -> None:
    client = staff_client(market_officer)
    listing = client.get("/workbench/exchange/data/")
    assert listing.status_code == 200 and enterprises.name in listing.content.decode()
    assert client.get(upload_url(enterprises)).status_code == 200
    codes = credit_codes(3)
    response = client.post(
        upload_url(enterprises),
        {
            "file": csv_upload([row_for(c, name="长春某某商贸有限公司") for c in codes], encoding="gbk"),
            "mode": "replace",
        },
    )
    job = LoadJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/workbench/exchange/data/jobs/{job.pk}/"
    assert job.state == LoadJob.State.SUCCEEDED and job.source == LoadJob.Source.UPLOAD and job.actor == market_officer
    assert not Path(job.stored_path).exists()  # the uploaded copy is removed after the load
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and "写入 3 条" in page
    assert store.get_record(enterprises, codes[0])["name"] == "长春某某商贸有限公司"  # type: ignore[index]
    assert "数据加载" in client.get("/workbench/").content.decode()


def test_officer_sees_row_errors_and_downloads_the_report(enterprises: Any, market_officer: User) -> None:
    client = staff_client(market_officer)
    response = client.post(
        upload_url(enterprises), {"file": csv_upload([GOOD_ROW, row_for("91110000600037341A")]), "mode": "replace"}
    )
    job = LoadJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "失败" in page and "校验码错误" in page and store.count_records(enterprises) == 0
    csv_report = client.get(f"/workbench/exchange/data/jobs/{job.pk}/errors.csv")
    assert csv_report.status_code == 200 and "校验码错误" in csv_report.content.decode("utf-8-sig")
    xlsx = client.get(f"/workbench/exchange/data/jobs/{job.pk}/errors.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(f"/workbench/exchange/data/jobs/{job.pk}/errors.pdf").status_code == 404


def test_large_upload_is_queued_and_the_page_polls(enterprises: Any, market_officer: User, monkeypatch: Any) -> None:
    monkeypatch.setattr(views_store, "SYNC_LIMIT_BYTES", 10)
    queued: list[int] = []
    monkeypatch.setattr(views_store, "loadjob_run_task", lambda job_id: queued.append(job_id))
    client = staff_client(market_officer)
    response = client.post(upload_url(enterprises), {"file": csv_upload([GOOD_ROW]), "mode": "upsert"})
    job = LoadJob.objects.get()
    assert queued == [job.pk] and job.state == LoadJob.State.PENDING and job.mode == "upsert"
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page
    loadjob_run_task.call_local(job.pk)
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and "已完成" in partial and "<html" not in partial


def test_oversized_upload_is_refused(enterprises: Any, market_officer: User, monkeypatch: Any) -> None:
    monkeypatch.setattr(views_store, "MAX_UPLOAD_BYTES", 100)
    response = staff_client(market_officer).post(
        upload_url(enterprises), {"file": csv_upload([GOOD_ROW] * 3), "mode": "replace"}
    )
    assert response.status_code == 200 and "超过上限" in response.content.decode()
    assert not LoadJob.objects.exists()


def test_upload_pages_refuse_everyone_else(
    enterprises: Any,
    market_officer: User,
    police_officer: User,
    market_clerk: User,
    citizen: User,
    market_dept: Department,
) -> None:
    client = staff_client(market_officer)
    client.post(upload_url(enterprises), {"file": csv_upload([GOOD_ROW]), "mode": "replace"})
    job = LoadJob.objects.get()
    urls = [
        "/workbench/exchange/data/",
        upload_url(enterprises),
        f"/workbench/exchange/data/jobs/{job.pk}/",
        f"/workbench/exchange/data/jobs/{job.pk}/errors.csv",
    ]
    anonymous = Client()
    for url in urls:
        assert anonymous.get(url).status_code == 302  # to the login page
        assert person_client(citizen).get(url).status_code == 403
        assert staff_client(market_clerk).get(url).status_code == 403  # no DATA_OFFICER role
    other = staff_client(police_officer)  # a data officer, of another department
    assert other.get(urls[0]).status_code == 200 and enterprises.name not in other.get(urls[0]).content.decode()
    for url in urls[1:]:
        assert other.get(url).status_code == 404
    response = other.post(
        upload_url(enterprises), {"file": csv_upload([row_for(credit_codes(1)[0])]), "mode": "replace"}
    )
    assert response.status_code == 404
    assert (
        anonymous.post(upload_url(enterprises), {"file": csv_upload([GOOD_ROW]), "mode": "replace"}).status_code == 302
    )
    assert LoadJob.objects.count() == 1 and store.count_records(enterprises) == 1


# --- the upsert API --------------------------------------------------------------------------


def _token(department: Department, *scopes: str) -> str:
    admin = make_staff(
        f"sysadmin_{department.pk}_{len(scopes)}_{'_'.join(scopes)}".replace(":", ""), department, Role.SYS_ADMIN
    )
    _, token = apiclient_create(
        actor=Actor.person(admin),
        name=f"{department.name}系统",
        department=department,
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=30),
    )
    return token


def _upsert(token: str | None, code: str, records: Any) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return machine_api_client().post(
        f"/api/v1/exchange/{code}/records:upsert",
        json.dumps({"records": records}),
        content_type="application/json",
        **headers,
    )


def test_provider_system_upserts_records(enterprises: Any, market_dept: Department) -> None:
    token = _token(market_dept, ApiClient.Scope.EXCHANGE_WRITE)
    a, b = credit_codes(2)
    response = _upsert(
        token,
        enterprises.code,
        [{"credit_code": a, "name": "甲公司", "staff": 3}, {"credit_code": b, "name": "乙公司"}],
    )
    assert response.status_code == 200, response.content
    assert response.json()["written"] == 2
    response = _upsert(token, enterprises.code.replace("/", "%2F"), [{"credit_code": a, "name": "甲公司（更名）"}])
    assert response.status_code == 200
    record = store.get_record(enterprises, a)
    assert record is not None and record["name"] == "甲公司（更名）" and record["staff"] == 3
    job = LoadJob.objects.filter(source=LoadJob.Source.API).first()
    assert job is not None and job.api_client is not None and job.mode == "upsert"


def test_upsert_is_all_or_nothing_with_row_errors_in_fields(enterprises: Any, market_dept: Department) -> None:
    token = _token(market_dept, ApiClient.Scope.EXCHANGE_WRITE)
    a, b = credit_codes(2)
    response = _upsert(
        token,
        enterprises.code,
        [
            {"credit_code": a, "name": "甲"},
            {"credit_code": b, "name": "乙", "staff": "很多"},
            {"credit_code": "123", "name": "丙"},
        ],
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "exchange.invalid_rows"
    assert set(body["fields"]) == {"records[1].staff", "records[2].credit_code"}
    assert store.count_records(enterprises) == 0
    response = _upsert(token, enterprises.code, [{"credit_code": a, "phone": "1"}])
    assert response.status_code == 400 and "records.phone" in response.json()["fields"]
    response = _upsert(token, enterprises.code, [{"credit_code": a, "name": "x"}] * 1001)
    assert response.status_code == 400 and store.count_records(enterprises) == 0
    assert _upsert(token, enterprises.code, []).status_code == 400


def test_upsert_refuses_everyone_else(
    enterprises: Any, market_dept: Department, police_dept: Department, market_officer: User
) -> None:
    record = [{"credit_code": credit_codes(1)[0], "name": "甲"}]
    other_department = _token(police_dept, ApiClient.Scope.EXCHANGE_WRITE)
    response = _upsert(other_department, enterprises.code, record)
    assert response.status_code == 404
    unknown = _upsert(other_department, "999999/9", record)
    assert unknown.status_code == 404 and unknown.json() == response.json()  # learns nothing
    wrong_scope = _token(market_dept, ApiClient.Scope.EXCHANGE_QUERY)
    assert _upsert(wrong_scope, enterprises.code, record).status_code == 403
    assert _upsert(None, enterprises.code, record).status_code == 401
    assert _upsert("zw_bogus_token", enterprises.code, record).status_code == 401
    session = staff_client(market_officer)  # a person's session is not an API credential
    response = session.post(
        f"/api/v1/exchange/{enterprises.code}/records:upsert",
        json.dumps({"records": record}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert store.count_records(enterprises) == 0 and not LoadJob.objects.exists()


# --- the command -----------------------------------------------------------------------------


def test_ingest_command_loads_and_summarises(enterprises: Any, tmp_path: Path, capsys: Any) -> None:
    path = write_csv(tmp_path / "e.csv", HEADER_CODES, [row_for(c) for c in credit_codes(4)])
    out, err = io.StringIO(), io.StringIO()
    call_command("exchange", "ingest", enterprises.code, str(path), stdout=out, stderr=err)
    assert "加载完成" in out.getvalue() and "写入 4 条" in out.getvalue()
    assert "100.0%" in err.getvalue()
    assert store.count_records(enterprises) == 4


def test_ingest_command_fails_with_errors_and_a_report(enterprises: Any, tmp_path: Path, market_officer: User) -> None:
    path = write_csv(tmp_path / "e.csv", HEADER_CODES, [GOOD_ROW, row_for("91110000600037341A")])
    report = tmp_path / "report.csv"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "exchange",
            "ingest",
            enterprises.code,
            str(path),
            "--report",
            str(report),
            "--user",
            market_officer.username,
            stdout=out,
            stderr=err,
        )
    assert exited.value.code == 1
    assert "第 3 行" in err.getvalue() and "校验码错误" in err.getvalue() and str(report) in err.getvalue()
    assert "校验码错误" in report.read_bytes().decode("utf-8-sig")
    assert store.count_records(enterprises) == 0
