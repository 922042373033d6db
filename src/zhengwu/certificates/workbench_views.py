"""Staff pages of the certificates app (/workbench/certificates/, namespace "certificates_wb"): the
issuing department's register of certificates, detail, issue by hand, revoke with a reason, Excel
export and key rotation. Thin: parse, authorize as a convenience, call a service, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.session import acting_user
from zhengwu.audit.services import record_action
from zhengwu.certificates import selectors, services
from zhengwu.certificates.audit_actions import CertificatesAction
from zhengwu.certificates.models import Certificate, CertificateType, HolderKind
from zhengwu.certificates.views import PAGE_SIZE, pdf_response
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, Sheet, attachment, xlsx
from zhengwu.core.errors import ApplicationError, not_found
from zhengwu.core.forms import DateInput, Done, add_application_error, form_write

EXPORT_LIMIT = 50_000
STATUS_FILTERS = [("", "全部"), ("valid", "有效"), ("expired", "已过期"), ("revoked", "已注销")]


class IssueForm(forms.Form):
    """Issue by hand (存量证照电子化, window cases): holder, the type's items, validity."""

    holder_name = forms.CharField(label="持证主体名称", max_length=200)
    holder_code = forms.CharField(label="公民身份号码或统一社会信用代码", max_length=18, min_length=18)
    valid_until = forms.DateField(label="有效期至", required=False, help_text="留空为长期有效", widget=DateInput())
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
                actor=Actor.from_request(request),
                department=user.department,
                certificate_type=kind,
                holder_name=form.cleaned_data["holder_name"],
                holder_id_number=holder_code if person else "",
                holder_credit_code="" if person else holder_code,
                data=form.item_data(),
                valid_until=form.cleaned_data["valid_until"],
                source_label=form.cleaned_data["source_label"],
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
    key = services.issuer_key_rotate(actor=Actor.from_request(request), department=user.department)
    messages.success(request, f"已更换签发密钥，新密钥指纹 {key.fingerprint}。此前签发的证照仍以原密钥核验。")
    return redirect("certificates_wb:list")


@staff_required(*services.ISSUER_ROLES)
def manage_export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    rows = (
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
        ]
        for c in selectors.certificates_issued_by(user.department, query=query, status=status)[:EXPORT_LIMIT]
    )
    header = ["证照标识", "证照名称", "持证主体", "持证主体代码", "签发日期", "有效期至", "状态", "来源", "注销原因"]
    content, count = xlsx(Sheet("电子证照签发登记", header, rows))
    record_action(
        Actor.from_request(request),
        CertificatesAction.REGISTER_EXPORT,
        details={"rows": count, "q": query, "status": status},
    )
    return attachment(content, "certificates.xlsx", XLSX)


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
    return pdf_response(request, certificate)


@staff_required(*services.ISSUER_ROLES)
@require_POST
def manage_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _managed(request, pk)
    form = RevokeForm(request.POST)

    def revoke(actor: Actor, data: dict[str, Any]) -> Done:
        services.certificate_revoke(actor=actor, certificate=certificate, reason=data["reason"])
        return f"已注销电子证照 {certificate.identifier}。", reverse("certificates_wb:detail", args=[certificate.pk])

    return form_write(request, form, revoke) or render(
        request, "certificates/manage_detail.html", _detail_context(certificate, form), status=400
    )
