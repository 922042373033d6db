"""The HTTP API: /api/v1/…, one NinjaAPI with a router per app (docs/design.md rule 7)."""

from __future__ import annotations

from csp.decorators import csp_exempt
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from zhengwu.core import refusals
from zhengwu.core.errors import ApplicationError, CoreError, from_validation_error
from zhengwu.core.schema_messages import field_message

api = NinjaAPI(
    title="zhengwu 政务平台 API",
    version="1.0.0",
    description="部门系统与公众使用的接口。部门系统以 API 凭证（Bearer token）认证，个人以登录会话认证。",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # The interactive docs are Swagger UI from its CDN with an inline script: the one page outside the
    # site's Content-Security-Policy (the API itself and docs/openapi.json need no exemption).
    docs_decorator=csp_exempt(),
)


def _render(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    refusals.refused(request, error)  # a refused write no service recorded (core.refusals)
    return api.create_response(request, error.as_dict(), status=error.status)


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return _render(request, exc)


@api.exception_handler(ValidationError)
def on_django_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _render(request, from_validation_error(exc))


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for item in exc.errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        field = ".".join(location) or "request"
        fields[field] = field_message(item, field)
    return _render(request, ApplicationError(CoreError.INVALID_INPUT, "请求参数格式有误。", fields))


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _render(request, ApplicationError(CoreError.NOT_AUTHENTICATED, "需要有效的身份凭证。"))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {404: CoreError.NOT_FOUND, 403: CoreError.PERMISSION_DENIED, 401: CoreError.NOT_AUTHENTICATED}.get(
        exc.status_code, CoreError.INVALID_INPUT
    )
    return _render(request, ApplicationError(code, str(exc.message), status=exc.status_code))


# The apps' routers attach after the handlers above, in this order (two share /exchange).
from zhengwu.accounts.api import router as accounts_router  # noqa: E402
from zhengwu.audit.api import router as audit_router  # noqa: E402
from zhengwu.catalog.api import router as catalog_router  # noqa: E402
from zhengwu.certificates.api import router as certificates_router  # noqa: E402
from zhengwu.disclosure.api import router as disclosure_router  # noqa: E402
from zhengwu.documents.api import router as documents_router  # noqa: E402
from zhengwu.emergency.api import router as emergency_router  # noqa: E402
from zhengwu.eservices.api import router as eservices_router  # noqa: E402
from zhengwu.exchange.sharing.api import router as exchange_query_router  # noqa: E402
from zhengwu.exchange.store.api import router as exchange_store_router  # noqa: E402
from zhengwu.governance.api import router as governance_router  # noqa: E402
from zhengwu.participation.api import router as participation_router  # noqa: E402
from zhengwu.supervision.api import router as supervision_router  # noqa: E402

ROUTERS = (
    ("/accounts", accounts_router),
    ("/exchange", exchange_query_router),
    ("/catalog", catalog_router),
    ("/exchange", exchange_store_router),
    ("/eservices", eservices_router),
    ("/disclosure", disclosure_router),
    ("/participation", participation_router),
    ("/supervision", supervision_router),
    ("/certificates", certificates_router),
    ("/documents", documents_router),
    ("/emergency", emergency_router),
    ("/governance", governance_router),
    ("/audit", audit_router),
)
for prefix, router in ROUTERS:
    api.add_router(prefix, router)
