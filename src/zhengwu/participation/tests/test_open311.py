"""Open311 GeoReport v2 at /open311/v2/.

Two kinds of client are used:
- recorded requests in the shapes of the GeoReport v2 specification's examples
  (http://wiki.open311.org/GeoReport_v2/: `POST requests.json` form-encoded with api_key,
  service_code, lat/long, address_string, email, first/last name, phone, description, media_url,
  attribute[…]; `GET requests.json?start_date=…&status=open`) sent with Django's test client;
- the `georeport` client library from PyPI (0.3.1, "Python wrapper for the Open311 GeoReport v2
  API", a dev dependency) against the live server. That library has no create call, so creation
  goes through the recorded form request.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone

from zhengwu.accounts import services as account_services
from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.core.actors import Actor
from zhengwu.participation import rules, services
from zhengwu.participation.models import Letter
from zhengwu.supervision.selectors import timer_for

pytestmark = pytest.mark.django_db


def system_token(sys_admin: User, department: Department, scopes: list[str], name: str = "长春市12345热线系统") -> str:
    _client, token = account_services.apiclient_create(
        actor=Actor.person(sys_admin),
        name=name,
        department=department,
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=30),
    )
    return token


@pytest.fixture
def api_token(sys_admin: User, market_dept: Department, egov: User) -> str:
    """The 12345 hotline system of 长春市, allowed to submit letters."""
    return system_token(sys_admin, market_dept, [ApiClient.Scope.PARTICIPATION_SUBMIT])


@pytest.fixture
def directory_token(sys_admin: User, police_dept: Department, egov: User) -> str:
    """A 公安厅 system that may read the directory and query shared data, but not submit letters."""
    return system_token(
        sys_admin, police_dept, [ApiClient.Scope.READ_DIRECTORY, ApiClient.Scope.EXCHANGE_QUERY], name="金盾工程"
    )


def spec_post(token: str, **overrides: Any) -> dict[str, Any]:
    """The GeoReport v2 example POST (with a Chinese phone number and matter)."""
    data = {
        "api_key": token,
        "jurisdiction_id": "changchun.gov.cn",
        "service_code": "complain",
        "lat": "43.8171",
        "long": "125.3235",
        "address_string": "长春市朝阳区人民大街1234号",
        "email": "li@example.com",
        "device_id": "tt222111",
        "account_id": "123456",
        "first_name": "四",
        "last_name": "李",
        "phone": "13900139000",
        "description": "人民大街路面出现大坑，影响车辆通行，请尽快修复。",
        "media_url": "http://www.example.com/image.jpg",
        "attribute[WHISETN]": "123456",
    }
    data.update(overrides)
    return data


def test_services_list_and_definition(client: Client) -> None:
    services_json = client.get("/open311/v2/services.json").json()
    assert {s["service_code"] for s in services_json} == {"consult", "suggest", "complain", "help", "report"}
    first = services_json[0]
    assert set(first) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert first["metadata"] is False and first["type"] == "realtime"
    assert client.get("/open311/v2/services/complain.json").json() == {"service_code": "complain", "attributes": []}
    missing = client.get("/open311/v2/services/potholes.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "service_code potholes not found"}]
    other = client.get("/open311/v2/services.csv")
    assert other.status_code == 400 and other.json()[0]["code"] == 400


def test_xml_format(client: Client, api_token: str) -> None:
    services_xml = ElementTree.fromstring(client.get("/open311/v2/services.xml").content)
    assert services_xml.tag == "services"
    assert [s.findtext("service_code") for s in services_xml.findall("service")][:2] == ["consult", "suggest"]
    assert services_xml.find("service/metadata").text == "false"  # type: ignore[union-attr]
    created = client.post("/open311/v2/requests.xml", spec_post(api_token))
    assert created.status_code == 201 and created["Content-Type"].startswith("text/xml")
    number = ElementTree.fromstring(created.content).findtext("request/service_request_id")
    detail = ElementTree.fromstring(client.get(f"/open311/v2/requests/{number}.xml").content)
    assert detail.findtext("request/status") == "open" and detail.findtext("request/service_code") == "complain"
    error = client.post("/open311/v2/requests.xml", spec_post("wrong"))
    tree = ElementTree.fromstring(error.content)
    assert error.status_code == 403 and tree.tag == "errors" and tree.findtext("error/code") == "403"


def test_post_creates_a_letter_through_the_same_service(client: Client, api_token: str) -> None:
    response = client.post("/open311/v2/requests.json", spec_post(api_token))
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body) == 1 and set(body[0]) == {"service_request_id", "token", "service_notice", "account_id"}
    letter = Letter.objects.get(number=body[0]["service_request_id"])
    assert letter.channel == "hotline" and letter.kind == "complain" and letter.writer is None
    assert (
        letter.writer_name == "李四" and letter.writer_phone == "13900139000" and letter.lat == pytest.approx(43.8171)
    )
    assert letter.api_client is not None and letter.api_client.name == "长春市12345热线系统"
    assert timer_for(letter, rules.RECEIPT) is not None
    code = body[0]["service_notice"].split("查询码 ")[1].split(" ")[0]
    assert services.code_matches(letter, code)
    assert AuditEvent.objects.filter(action="participation.letter.submit", api_client=letter.api_client).exists()
    token = client.get(f"/open311/v2/tokens/{body[0]['token']}.json").json()
    assert token == [{"service_request_id": letter.number, "token": letter.open311_token}]
    # The bearer header works as well as the api_key parameter.
    data = spec_post("")
    del data["api_key"]
    header = client.post("/open311/v2/requests.json", data, HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert header.status_code == 201


@pytest.mark.parametrize(
    ("change", "status", "fragment"),
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "zw_nothing_here"}, 403, "api_key"),
        ({"service_code": ""}, 400, "service_code is required"),
        ({"service_code": "potholes"}, 404, "service_code potholes not found"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "location is required"),
        ({"lat": "north"}, 400, "lat must be a number"),
        ({"description": ""}, 400, "description is required"),
        ({"phone": "111111111"}, 400, "联系电话"),
        ({"first_name": "", "last_name": "", "phone": "", "email": ""}, 400, "来信人"),
    ],
)
def test_post_errors_use_the_spec_error_format_and_write_nothing(
    client: Client, api_token: str, change: dict[str, str], status: int, fragment: str
) -> None:
    response = client.post("/open311/v2/requests.json", spec_post(api_token, **change))
    assert response.status_code == status
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == status and fragment in body[0]["description"]
    assert Letter.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_without_the_submit_scope_is_refused_and_writes_nothing(
    client: Client, directory_token: str, fmt: str
) -> None:
    by_parameter = client.post(f"/open311/v2/requests.{fmt}", spec_post(directory_token))
    data = spec_post("")
    del data["api_key"]
    by_header = client.post(f"/open311/v2/requests.{fmt}", data, HTTP_AUTHORIZATION=f"Bearer {directory_token}")
    as_json = client.post("/open311/v2/requests.json", spec_post(directory_token), content_type="application/json")
    for response in (by_parameter, by_header, as_json):
        assert response.status_code == 403
        assert "participation:submit" in response.content.decode()
    if fmt == "json":
        assert by_parameter.json()[0]["code"] == 403
    else:
        assert ElementTree.fromstring(by_parameter.content).findtext("error/code") == "403"
    assert Letter.objects.count() == 0
    refusals = AuditEvent.objects.filter(action="participation.letter.submit").select_related("api_client")
    assert [(e.outcome, e.api_client.name if e.api_client else None) for e in refusals] == [("denied", "金盾工程")] * 3


def test_letter_submit_service_refuses_a_system_without_the_scope(
    sys_admin: User, police_dept: Department, egov: User
) -> None:
    from zhengwu.core.errors import ApplicationError

    system_token(sys_admin, police_dept, [ApiClient.Scope.READ_DIRECTORY], name="金盾工程")
    system = ApiClient.objects.get(name="金盾工程")
    with pytest.raises(ApplicationError) as refused:
        services.letter_submit(
            actor=Actor.api(system),
            channel="hotline",
            kind="consult",
            title="咨询",
            content="咨询",
            writer_name="李四",
        )
    assert refused.value.status == 403
    assert Letter.objects.count() == 0


def test_get_requests_filters_and_privacy(client: Client, api_token: str, letter: Letter, egov: User) -> None:
    created = client.post("/open311/v2/requests.json", spec_post(api_token)).json()[0]["service_request_id"]
    rows = client.get("/open311/v2/requests.json").json()
    assert {r["service_request_id"] for r in rows} == {created, letter.number}
    one = next(r for r in rows if r["service_request_id"] == letter.number)
    assert one["status"] == "open" and one["service_code"] == "complain"
    assert one["description"] == "" and one["lat"] is None  # not published: no text, no place
    assert client.get("/open311/v2/requests.json", {"service_code": "consult"}).json() == []
    assert len(client.get("/open311/v2/requests.json", {"status": "open"}).json()) == 2
    assert client.get("/open311/v2/requests.json", {"status": "closed"}).json() == []
    ids = client.get("/open311/v2/requests.json", {"service_request_id": f"{created},XJ0", "status": "closed"}).json()
    assert [r["service_request_id"] for r in ids] == [created]  # the id list overrides other filters
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert client.get("/open311/v2/requests.json", {"start_date": future}).json() == []
    services.letter_refuse(actor=Actor.person(egov), letter=letter, reason="重复来信")
    detail = client.get(f"/open311/v2/requests/{letter.number}.json").json()
    assert detail[0]["status"] == "closed" and "重复来信" in detail[0]["status_notes"]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"status": "pending"}, "status"),
        ({"service_code": "potholes"}, "unknown service_code"),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date"),
    ],
)
def test_get_requests_errors(client: Client, query: dict[str, str], fragment: str) -> None:
    response = client.get("/open311/v2/requests.json", query)
    assert response.status_code == 400 and fragment in response.json()[0]["description"]


def test_unknown_request_and_token(client: Client) -> None:
    assert client.get("/open311/v2/requests/XJ404.json").status_code == 404
    assert client.get("/open311/v2/tokens/abc.json").json()[0]["code"] == 404


@pytest.mark.django_db(transaction=True)
def test_georeport_client_library_against_the_live_server(live_server: Any, egov: User, citizen: User) -> None:
    import georeport

    letter, _ = services.letter_submit(
        actor=Actor.person(citizen),
        channel="mayor",
        kind="suggest",
        title="建议增设公交线路",
        content="建议增设公交线路",
    )
    client = georeport.GeoReport(f"{live_server.url}/open311/v2")
    assert {s["service_code"] for s in client.get_service_list()} >= {"suggest"}
    assert client.get_service_definition("suggest")["attributes"] == []
    rows = client.get_service_requests(service_code="suggest", status="open")
    assert [r["service_request_id"] for r in rows] == [letter.number]
    assert client.get_service_request(letter.number)["service_name"] == "建议"
