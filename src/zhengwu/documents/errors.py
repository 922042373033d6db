"""Error codes of the documents app (docs/design.md rule 3)."""

from __future__ import annotations

from enum import StrEnum


class DocumentsError(StrEnum):
    INVALID_INPUT = "documents.invalid_input"
    WRONG_STATE = "documents.wrong_state"
    REASON_REQUIRED = "documents.reason_required"
    SECRET_REFUSED = "documents.secret_refused"
    SIGNER_REQUIRED = "documents.signer_required"
    NOT_REVIEWED = "documents.not_reviewed"
    NO_RECIPIENTS = "documents.no_recipients"
    FILE_TOO_LARGE = "documents.file_too_large"
    SEQUENCE_EXHAUSTED = "documents.sequence_exhausted"
    NOT_COUNTERSIGNED = "documents.not_countersigned"
