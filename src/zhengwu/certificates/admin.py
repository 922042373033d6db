from django.contrib import admin

from zhengwu.certificates.models import Certificate, CertificateType, IssuerKey


@admin.register(CertificateType)
class CertificateTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "authority_name", "holder_kind", "is_active")
    search_fields = ("code", "name")


@admin.register(IssuerKey)
class IssuerKeyAdmin(admin.ModelAdmin):
    list_display = ("department", "fingerprint", "created_at", "retired_at")
    exclude = ("private_key",)
    readonly_fields = ("department", "public_key", "fingerprint", "created_at")


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("identifier", "certificate_type", "issuer", "issued_on", "valid_until", "status")
    list_filter = ("status", "certificate_type")
    search_fields = ("identifier",)
    exclude = ("holder_name", "holder_code", "data_json", "holder_index")
    readonly_fields = ("identifier", "certificate_type", "issuer", "issuer_key", "signature", "issued_on")
