"""Error codes of the catalog app (docs/design.md rule 3); messages are in Chinese at the raise site."""

from __future__ import annotations

from enum import StrEnum


class CatalogError(StrEnum):
    INVALID_INPUT = "catalog.invalid_input"
    INVALID_CLASSIFICATION = "catalog.invalid_classification"
    INVALID_ITEMS = "catalog.invalid_items"
    WRONG_STATE = "catalog.wrong_state"
    SECRET_NOT_EXTERNAL = "catalog.secret_not_external"
    NO_SHARE_BASIS_REQUIRED = "catalog.no_share_basis_required"
    AUTHORITY_TAKEN = "catalog.authority_taken"
    REASON_REQUIRED = "catalog.reason_required"
    REVISION_EXISTS = "catalog.revision_exists"
    IMPORT_FAILED = "catalog.import_failed"
    NOT_PROVIDER = "catalog.not_provider"
