"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/) over letters, at /open311/v2/.

- `GET services.json`: the letter kinds as services (咨询/建议/投诉/求助/举报), `metadata: false`.
- `GET services/{service_code}.json`: the service definition (no extra attributes).
- `GET requests.json`: service requests, filtered by `service_request_id` (comma list; other
  filters are then ignored, as the spec says), `service_code`, `start_date`, `end_date` (W3C
  datetime), `status` (open|closed); by default the last 90 days; at most 1000 results.
- `POST requests.json`: create a request (form-encoded, as the spec says; JSON accepted too) with
  `api_key` — the bearer token of a registered platform API client (`accounts.ApiClient`) holding
  the `participation:submit` scope (403 otherwise, nothing written), given as the `api_key`
  parameter or an `Authorization: Bearer` header. The letter goes through the
  same service as the portal (`letter_submit`, channel 12345 网上) and gets the same timers.
  The answer carries `service_request_id` (the letter number) and `token`; the verification code
  the writer needs to track the letter on the portal is given in `service_notice`.
- `GET requests/{id}.json`, `GET tokens/{token}.json`.
- Errors: HTTP 400/403/404 with `[{"code": <status>, "description": "…"}]` (XML:
  `<errors><error><code/><description/></error></errors>`).
- Formats: `.json` and `.xml` (the spec's element names: services/service, service_requests/request,
  service_definition/attributes); any other extension answers 400.

Privacy: the public listing shows description, address and coordinates only of letters published
with the writer's consent (masked copies); other letters appear with status and dates only.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any
from xml.etree import ElementTree

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from zhengwu.accounts.models import ApiClient
from zhengwu.accounts.services import apiclient_authenticate
from zhengwu.core import workdays
from zhengwu.core.actors import Actor, client_ip
from zhengwu.core.errors import ApplicationError
from zhengwu.participation import rules, services
from zhengwu.participation.models import Letter, LetterKind
from zhengwu.supervision.selectors import timer_for

MAX_RESULTS = 1000
DEFAULT_DAYS = 90
GROUP = "12345 政务服务便民热线"
DESCRIPTIONS = {
    LetterKind.CONSULT: "咨询政策、办事流程等",
    LetterKind.SUGGEST: "对政府工作提出意见建议",
    LetterKind.COMPLAIN: "投诉侵害自身权益或影响公共利益的行为",
    LetterKind.HELP: "生活中遇到困难需要帮助",
    LetterKind.REPORT: "举报违法违规行为",
}
CLOSED_STATES = (Letter.State.COMPLETED, Letter.State.VISITED, Letter.State.REFUSED)


FORMATS = ("json", "xml")


def _xml_value(parent: ElementTree.Element, name: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def _xml(data: Any, root: str, item: str) -> bytes:
    """GeoReport v2 XML: `<root><item><field>…</field></item>…</root>` (a dict is one item, no root)."""
    if isinstance(data, dict):
        tree = ElementTree.Element(item)
        for key, value in data.items():
            if isinstance(value, list):
                holder = ElementTree.SubElement(tree, key)
                for entry in value:
                    _xml_value(holder, key.rstrip("s"), entry)
            else:
                _xml_value(tree, key, value)
    else:
        tree = ElementTree.Element(root)
        for entry in data:
            element = ElementTree.SubElement(tree, item)
            for key, value in entry.items():
                _xml_value(element, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(
        tree, encoding="utf-8", xml_declaration=False
    )


def _render(fmt: str, data: Any, *, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(_xml(data, root, item), status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    body = [{"code": status, "description": description}]
    return _render(fmt if fmt in FORMATS else "json", body, root="errors", item="error", status=status)


def _format_ok(fmt: str) -> bool:
    return fmt in FORMATS


UNSUPPORTED = "format not supported: use .json or .xml"


def _service(kind: str) -> dict[str, Any]:
    return {
        "service_code": kind,
        "service_name": LetterKind(kind).label,
        "description": DESCRIPTIONS[LetterKind(kind)],
        "metadata": False,
        "type": "realtime",
        "keywords": "12345,来信",
        "group": GROUP,
    }


@require_http_methods(["GET"])
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if not _format_ok(fmt):
        return _error(fmt, 400, UNSUPPORTED)
    return _render(fmt, [_service(kind) for kind in LetterKind.values], root="services", item="service")


@require_http_methods(["GET"])
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if not _format_ok(fmt):
        return _error(fmt, 400, UNSUPPORTED)
    if code not in LetterKind.values:
        return _error(fmt, 404, f"service_code {code} not found")
    return _render(fmt, {"service_code": code, "attributes": []}, root="", item="service_definition")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(workdays.CHINA_TZ).isoformat(timespec="seconds") if moment else None


def _status_notes(letter: Letter) -> str:
    if letter.state == Letter.State.REFUSED:
        return f"不予受理：{letter.refusal_reason}"
    return str(letter.get_state_display())


def request_json(letter: Letter) -> dict[str, Any]:
    public = letter.is_public
    expected = None
    if letter.is_open:
        timer = timer_for(letter, rules.HANDLING)
        if timer is not None and timer.is_live:
            expected = datetime.combine(timer.deadline, time(23, 59, 59), tzinfo=workdays.CHINA_TZ).isoformat()
    return {
        "service_request_id": letter.number,
        "status": "closed" if letter.state in CLOSED_STATES else "open",
        "status_notes": _status_notes(letter),
        "service_name": letter.get_kind_display(),
        "service_code": letter.kind,
        "description": letter.public_content if public else "",
        "agency_responsible": letter.department.name if letter.department else letter.office.name,
        "service_notice": "",
        "requested_datetime": _iso(letter.submitted_at),
        "updated_datetime": _iso(letter.updated_at),
        "expected_datetime": expected,
        "address": letter.location if public else "",
        "address_id": "",
        "zipcode": "",
        "lat": letter.lat if public else None,
        "long": letter.long if public else None,
        "media_url": "",
    }


def _letters() -> QuerySet[Letter]:
    return Letter.objects.select_related("department", "office")


def _parse_date(value: str, name: str) -> datetime:
    parsed = parse_datetime(value.strip().replace(" ", "+")) if value else None
    if parsed is None:
        raise ValueError(f"{name} must be a W3C datetime, e.g. 2026-01-01T00:00:00+08:00")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _client(request: HttpRequest, data: Any) -> ApiClient | None:
    key = str(data.get("api_key", "") or request.GET.get("api_key", "")).strip()
    header = request.headers.get("Authorization", "")
    if not key and header.lower().startswith("bearer "):
        key = header[7:].strip()
    return apiclient_authenticate(key) if key else None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    if not _format_ok(fmt):
        return _error(fmt, 400, UNSUPPORTED)
    if request.method == "POST":
        return _create(request, fmt)
    params = request.GET
    rows = _letters()
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        found = rows.filter(number__in=ids[:MAX_RESULTS]).order_by("-submitted_at")
        return _render(fmt, [request_json(letter) for letter in found], root="service_requests", item="request")
    try:
        start = _parse_date(params["start_date"], "start_date") if params.get("start_date") else None
        end = _parse_date(params["end_date"], "end_date") if params.get("end_date") else None
    except ValueError as error:
        return _error(fmt, 400, str(error))
    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start is not None and end is not None and end < start:
        return _error(fmt, 400, "end_date must not be before start_date")
    if start is not None:
        rows = rows.filter(submitted_at__gte=start)
    if end is not None:
        rows = rows.filter(submitted_at__lte=end)
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        unknown = [c for c in codes if c not in LetterKind.values]
        if unknown:
            return _error(fmt, 400, f"unknown service_code: {','.join(unknown)}")
        rows = rows.filter(kind__in=codes)
    status = params.get("status", "").strip()
    if status:
        wanted = {s.strip() for s in status.split(",")}
        if not wanted <= {"open", "closed"}:
            return _error(fmt, 400, "status must be open or closed")
        if wanted == {"open"}:
            rows = rows.exclude(state__in=CLOSED_STATES)
        elif wanted == {"closed"}:
            rows = rows.filter(state__in=CLOSED_STATES)
    rows = rows.order_by("-submitted_at", "-id")[:MAX_RESULTS]
    return _render(fmt, [request_json(letter) for letter in rows], root="service_requests", item="request")


def _float(value: Any, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number") from None


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    data: Any = request.POST
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return _error(fmt, 400, "the request body is not valid JSON")
        if not isinstance(data, dict):
            return _error(fmt, 400, "the request body must be a JSON object")
    client = _client(request, data)
    if client is None:
        return _error(fmt, 403, "api_key is missing or invalid")
    try:
        services.require_submit_scope(Actor.api(client, ip=client_ip(request)))
    except ApplicationError:
        return _error(fmt, 403, f"api_key lacks the {services.SUBMIT_SCOPE} scope needed to submit requests")
    code = str(data.get("service_code", "")).strip()
    if not code:
        return _error(fmt, 400, "service_code is required")
    if code not in LetterKind.values:
        return _error(fmt, 404, f"service_code {code} not found")
    try:
        lat = _float(data.get("lat"), "lat")
        long = _float(data.get("long"), "long")
    except ValueError as error:
        return _error(fmt, 400, str(error))
    address = str(data.get("address_string", "") or "").strip()
    address_id = str(data.get("address_id", "") or "").strip()
    if (lat is None or long is None) and not address and not address_id:
        return _error(fmt, 400, "a location is required: lat and long, address_string or address_id")
    description = str(data.get("description", "") or "").strip()
    if not description:
        return _error(fmt, 400, "description is required")
    name = f"{data.get('last_name', '') or ''}{data.get('first_name', '') or ''}".strip()
    try:
        letter, verification = services.letter_submit(
            actor=Actor.api(client, ip=client_ip(request)),
            channel="hotline",
            kind=code,
            title=description[:40],
            content=description,
            writer_name=name,
            writer_phone=str(data.get("phone", "") or ""),
            writer_email=str(data.get("email", "") or ""),
            location=address or address_id,
            lat=lat,
            long=long,
        )
    except ApplicationError as error:
        detail = "；".join(f"{k}: {v}" for k, v in error.fields.items())
        return _error(
            fmt, error.status if error.status in (400, 403, 404) else 400, f"{error.message}{detail and ' ' + detail}"
        )
    return _render(
        fmt,
        [
            {
                "service_request_id": letter.number,
                "token": letter.open311_token,
                "service_notice": (
                    f"来信已收到，24 小时内受理。请凭信件编号 {letter.number} 和查询码 {verification} 查询办理进度。"
                ),
                "account_id": None,
            }
        ],
        root="service_requests",
        item="request",
        status=201,
    )


@require_http_methods(["GET"])
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    if not _format_ok(fmt):
        return _error(fmt, 400, UNSUPPORTED)
    letter = _letters().filter(number=request_id).first()
    if letter is None:
        return _error(fmt, 404, f"service_request_id {request_id} not found")
    return _render(fmt, [request_json(letter)], root="service_requests", item="request")


@require_http_methods(["GET"])
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    if not _format_ok(fmt):
        return _error(fmt, 400, UNSUPPORTED)
    letter = Letter.objects.filter(~Q(open311_token=""), open311_token=token).only("number", "open311_token").first()
    if letter is None:
        return _error(fmt, 404, f"token {token} not found")
    tokens = [{"service_request_id": letter.number, "token": letter.open311_token}]
    return _render(fmt, tokens, root="service_requests", item="request")
