"""Public pages of the certificates app (namespace "certificates"). Thin: parse, authorize, call a
service or selector, render.

- The holder (portal, /certificates/): 我的电子证照, each certificate and its PDF.
- Anyone (/verify/): the verify page the QR code points to, the published issuer keys.

The issuing department's staff pages are in `workbench_views.py`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.accounts.session import acting_user, second_factor_passed
from zhengwu.audit.services import record_action
from zhengwu.certificates import identifiers, selectors, services
from zhengwu.certificates.audit_actions import CertificatesAction
from zhengwu.certificates.models import Certificate
from zhengwu.certificates.pdf import render_pdf
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import attachment
from zhengwu.core.errors import not_found

PAGE_SIZE = 20


def verify_url(request: HttpRequest, certificate: Certificate) -> str:
    return request.build_absolute_uri(reverse("certificates:verify", args=[certificate.identifier]))


def pdf_response(request: HttpRequest, certificate: Certificate) -> HttpResponse:
    """The certificate's PDF as a download; every download is on record (a read, not a write)."""
    rendered = render_pdf(certificate, verify_url=verify_url(request, certificate))
    record_action(
        Actor.from_request(request),
        CertificatesAction.CERTIFICATE_DOWNLOAD,
        target=certificate,
        details={"identifier": certificate.identifier},
        department=certificate.issuer,
    )
    return attachment(rendered.content, f"certificate-{certificate.pk}.pdf", "application/pdf")


# --- holder ------------------------------------------------------------------------------------


@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rows = selectors.certificates_of_user(user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "certificates/my_certificates.html", {"page": page, "is_staff": user.is_staff_user})


def _staff_of_issuer(user: User, certificate: Certificate) -> bool:
    return (
        user.is_staff_user
        and second_factor_passed(user)
        and user.department_id == certificate.issuer_id
        and user.has_role(*services.ISSUER_ROLES)
    )


def _held(request: HttpRequest, identifier: str) -> tuple[User, Certificate]:
    user = acting_user(request)
    certificate = selectors.certificate_by_identifier(identifier)
    if certificate is None or not (selectors.user_holds(user, certificate) or _staff_of_issuer(user, certificate)):
        raise not_found("电子证照")
    return user, certificate


@login_required
def certificate_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    _user, certificate = _held(request, identifier)
    names = certificate.certificate_type.item_names()
    context = {
        "c": certificate,
        "items": [(names.get(code, code), value) for code, value in certificate.data.items()],
        "result": selectors.verify(certificate.identifier),
    }
    return render(request, "certificates/detail.html", context)


@login_required
def certificate_pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    _user, certificate = _held(request, identifier)
    return pdf_response(request, certificate)


# --- public verification -------------------------------------------------------------------------


def verify_index(request: HttpRequest) -> HttpResponse:
    identifier = request.GET.get("identifier", "").strip()[:120]
    if not identifier:
        return render(request, "certificates/verify_index.html")
    if identifiers.parse(identifier) is None:
        context = {"identifier": identifier, "check_char_ok": False}
        return render(request, "certificates/verify_not_found.html", context, status=404)
    return redirect("certificates:verify", identifier=identifier.upper())


def verify_keys(request: HttpRequest) -> HttpResponse:
    return render(request, "certificates/verify_keys.html", {"keys": selectors.issuer_keys()})


def verify_page(request: HttpRequest, identifier: str) -> HttpResponse:
    result = selectors.verify(identifier)
    if result.certificate is None:
        context = {"identifier": identifier[:120], "check_char_ok": result.check_char_ok}
        return render(request, "certificates/verify_not_found.html", context, status=404)
    certificate = result.certificate
    names = certificate.certificate_type.item_names()
    context = {
        "result": result,
        "c": certificate,
        "holder_name": selectors.mask_holder_name(certificate),
        "holder_code": selectors.mask_holder_code(certificate),
        "items": [(names.get(code, code), value) for code, value in certificate.data.items()],
    }
    return render(request, "certificates/verify.html", context)
