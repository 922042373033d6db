"""Pages of the certificates app. Thin: parse, authorize, call a service or selector, render.

Holder (portal, /certificates/, namespace "certificates"): 我的电子证照 with PDF download.
Issuing department staff (/workbench/certificates/, namespace "certificates_wb"): the register of the department's
certificates, detail, revoke with a reason, Excel export.
Public (/verify/, namespace "verify"): the verify page reached from the QR code.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import User
from zhengwu.accounts.session import acting_user, second_factor_passed
from zhengwu.audit.services import record
from zhengwu.certificates import identifiers, selectors, services
from zhengwu.certificates.models import Certificate, CertificateType, HolderKind
from zhengwu.certificates.pdf import render_pdf
from zhengwu.core.errors import ApplicationError, not_found
from zhengwu.core.forms import add_application_error
from zhengwu.core.spreadsheets import xlsx_row

PAGE_SIZE = 20
EXPORT_LIMIT = 50_000
STATUS_FILTERS = [("", "全部"), ("valid", "有效"), ("expired", "已过期"), ("revoked", "已注销")]


class IssueForm(forms.Form):
    """Issue by hand (存量证照电子化, window cases): holder, the type's items, validity."""

    holder_name = forms.CharField(label="持证主体名称", max_length=200)
    holder_code = forms.CharField(label="公民身份号码或统一社会信用代码", max_length=18, min_length=18)
    valid_until = forms.DateField(
        label="有效期至", required=False, help_text="留空为长期有效", widget=forms.DateInput(attrs={"type": "date"})
    )
    source_label = forms.CharField(label="来源说明", max_length=200, required=False, help_text="如：原纸质证照编号")

    def __init__(self, *args: Any, certificate_type: CertificateType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.certificate_type = certificate_type
        person = certificate_type.holder_kind == HolderKind.PERSON
        self.fields["holder_code"].label = "公民身份号码" if person else "统一社会信用代码"
        for item in certificate_type.items:
            self.fields[f"item_{item['code']}"] = forms.CharField(
                label=str(item["name"]), max_length=services.MAX_VALUE_LENGTH, required=bool(item.get("required"))
            )

    def item_data(self) -> dict[str, str]:
        return {
            str(item["code"]): self.cleaned_data.get(f"item_{item['code']}", "") for item in self.certificate_type.items
        }


class RevokeForm(forms.Form):
    reason = forms.CharField(label="注销原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


def verify_url(request: HttpRequest, certificate: Certificate) -> str:
    return request.build_absolute_uri(reverse("verify:page", args=[certificate.identifier]))


def _pdf_response(request: HttpRequest, certificate: Certificate, user: User) -> HttpResponse:
    rendered = render_pdf(certificate, verify_url=verify_url(request, certificate))
    record(
        actor=user,
        action="certificates.certificate.download",
        target=certificate,
        details={"identifier": certificate.identifier},
        request=request,
        department=certificate.issuer,
    )
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.pk}.pdf"'
    return response


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
    user, certificate = _held(request, identifier)
    return _pdf_response(request, certificate, user)


# --- issuing department staff ------------------------------------------------------------------


@staff_required(*services.ISSUER_ROLES)
def manage_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    rows = selectors.certificates_issued_by(user.department, query=query, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "status": status,
        "statuses": STATUS_FILTERS,
        "keys": selectors.issuer_keys(user.department) if user.department else [],
        "may_rotate": user.has_role(*services.KEY_ROTATORS),
    }
    return render(request, "certificates/manage_list.html", context)


def _issue_field(name: str) -> str:
    """The form field a service error names (holder codes → holder_code, item codes → item_<code>)."""
    if name in ("holder_id_number", "holder_credit_code"):
        return "holder_code"
    return name if name in IssueForm.base_fields else f"item_{name}"


@staff_required(*services.ISSUER_ROLES)
def manage_issue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if user.department is None:
        raise not_found("部门")
    code = request.POST.get("type") or request.GET.get("type", "")
    kind = selectors.certificate_type_by_code(code) if code else None
    if kind is None or not kind.is_active:
        return render(request, "certificates/manage_issue_type.html", {"types": selectors.certificate_types()})
    form = IssueForm(request.POST or None, certificate_type=kind)
    if request.method == "POST" and form.is_valid():
        holder_code = form.cleaned_data["holder_code"].strip().upper()
        person = kind.holder_kind == HolderKind.PERSON
        try:
            certificate = services.certificate_issue(
                actor=user,
                department=user.department,
                certificate_type=kind,
                holder_name=form.cleaned_data["holder_name"],
                holder_id_number=holder_code if person else "",
                holder_credit_code="" if person else holder_code,
                data=form.item_data(),
                valid_until=form.cleaned_data["valid_until"],
                source_label=form.cleaned_data["source_label"],
                request=request,
            )
        except ApplicationError as error:
            renamed = {_issue_field(name): text for name, text in error.fields.items()}
            add_application_error(form, ApplicationError(error.code, error.message, renamed))
        else:
            messages.success(request, f"已签发{kind.name}，证照标识 {certificate.identifier}。")
            return redirect("certificates_wb:detail", pk=certificate.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "certificates/manage_issue.html", {"form": form, "kind": kind}, status=status)


@staff_required(*services.KEY_ROTATORS)
@require_POST
def manage_key_rotate(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if user.department is None:
        raise not_found("部门")
    key = services.issuer_key_rotate(actor=user, department=user.department, request=request)
    messages.success(request, f"已更换签发密钥，新密钥指纹 {key.fingerprint}。此前签发的证照仍以原密钥核验。")
    return redirect("certificates_wb:list")


@staff_required(*services.ISSUER_ROLES)
def manage_export(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    user = acting_user(request)
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    rows = selectors.certificates_issued_by(user.department, query=query, status=status)[:EXPORT_LIMIT]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("电子证照签发登记")
    sheet.append(
        xlsx_row(
            sheet,
            ["证照标识", "证照名称", "持证主体", "持证主体代码", "签发日期", "有效期至", "状态", "来源", "注销原因"],
        )
    )
    count = 0
    for c in rows:
        sheet.append(
            xlsx_row(
                sheet,
                [
                    c.identifier,
                    c.certificate_type.name,
                    selectors.mask_holder_name(c),
                    selectors.mask_holder_code(c),
                    c.issued_on.isoformat(),
                    c.valid_until.isoformat() if c.valid_until else "长期",
                    c.state_label,
                    c.source_label,
                    c.revoke_reason,
                ],
            )
        )
        count += 1
    out = io.BytesIO()
    book.save(out)
    record(
        actor=user,
        action="certificates.register.export",
        request=request,
        details={"rows": count, "q": query, "status": status},
    )
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="certificates.xlsx"'
    return response


def _managed(request: HttpRequest, pk: int) -> Certificate:
    user = acting_user(request)
    certificate = selectors.certificates_issued_by(user.department).filter(pk=pk).first()
    if certificate is None:
        raise not_found("电子证照")
    return certificate


@staff_required(*services.ISSUER_ROLES)
def manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _managed(request, pk)
    return render(request, "certificates/manage_detail.html", _detail_context(certificate, RevokeForm()))


def _detail_context(certificate: Certificate, form: RevokeForm) -> dict[str, Any]:
    names = certificate.certificate_type.item_names()
    return {
        "c": certificate,
        "items": [(names.get(code, code), value) for code, value in certificate.data.items()],
        "holder_code": selectors.mask_holder_code(certificate),
        "form": form,
        "result": selectors.verify(certificate.identifier),
    }


@staff_required(*services.ISSUER_ROLES)
def manage_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _managed(request, pk)
    return _pdf_response(request, certificate, acting_user(request))


@staff_required(*services.ISSUER_ROLES)
@require_POST
def manage_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _managed(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_revoke(
                actor=acting_user(request), certificate=certificate, reason=form.cleaned_data["reason"], request=request
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, f"已注销电子证照 {certificate.identifier}。")
            return redirect("certificates_wb:detail", pk=certificate.pk)
    return render(request, "certificates/manage_detail.html", _detail_context(certificate, form), status=400)


# --- public verification -------------------------------------------------------------------------


def verify_index(request: HttpRequest) -> HttpResponse:
    identifier = request.GET.get("identifier", "").strip()[:120]
    if not identifier:
        return render(request, "certificates/verify_index.html")
    if identifiers.parse(identifier) is None:
        context = {"identifier": identifier, "check_char_ok": False}
        return render(request, "certificates/verify_not_found.html", context, status=404)
    return redirect("verify:page", identifier=identifier.upper())


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
