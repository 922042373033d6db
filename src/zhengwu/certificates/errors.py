"""Error codes of the certificates app (docs/design.md rule 3)."""

from __future__ import annotations

from enum import StrEnum


class CertificateError(StrEnum):
    INVALID_IDENTIFIER = "certificates.invalid_identifier"
    UNKNOWN_TYPE = "certificates.unknown_type"
    INVALID_HOLDER = "certificates.invalid_holder"
    INVALID_DATA = "certificates.invalid_data"
    INVALID_VALIDITY = "certificates.invalid_validity"
    WRONG_STATE = "certificates.wrong_state"
    REASON_REQUIRED = "certificates.reason_required"
    ISSUER_INACTIVE = "certificates.issuer_inactive"
