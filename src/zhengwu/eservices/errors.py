"""Error codes of the eservices app (docs/design.md rule 3); messages are in Chinese at the raise site."""

from __future__ import annotations

from enum import StrEnum


class EservicesError(StrEnum):
    INVALID_INPUT = "eservices.invalid_input"
    INVALID_ITEM = "eservices.invalid_item"
    ITEM_NOT_PUBLISHED = "eservices.item_not_published"
    WRONG_AUDIENCE = "eservices.wrong_audience"
    INVALID_FORM = "eservices.invalid_form"
    MATERIAL_MISSING = "eservices.material_missing"
    INVALID_FILE = "eservices.invalid_file"
    WRONG_STATE = "eservices.wrong_state"
    REASON_REQUIRED = "eservices.reason_required"
    NOT_APPLICANT = "eservices.not_applicant"
    NOT_HANDLER = "eservices.not_handler"
    ALREADY_RATED = "eservices.already_rated"
    LOOKUP_FAILED = "eservices.lookup_failed"
    RATE_LIMITED = "eservices.rate_limited"
    IMPORT_FAILED = "eservices.import_failed"
    TASK_CLAIMED = "eservices.task_claimed"
    IDENTITY_UNVERIFIED = "eservices.identity_unverified"
    INVALID_BUNDLE = "eservices.invalid_bundle"
