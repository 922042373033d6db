"""Audit action names of certificates (events already in the chain keep their names)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class CertificatesAction(AuditAction):
    ISSUER_KEY_CREATE = "certificates.issuer_key.create"
    ISSUER_KEY_ROTATE = "certificates.issuer_key.rotate"
    CERTIFICATE_ISSUE = "certificates.certificate.issue"
    CERTIFICATE_REVOKE = "certificates.certificate.revoke"
    CERTIFICATE_DOWNLOAD = "certificates.certificate.download"
    REGISTER_EXPORT = "certificates.register.export"
    BASE_EXPIRE = "certificates.base.expire"
    BASE_RESYNC = "certificates.base.resync"
