"""Error codes of the exchange app (docs/design.md rule 3)."""

from __future__ import annotations

from enum import StrEnum


class ExchangeError(StrEnum):
    # --- sharing by rule, query API, access log, subscriptions ---
    NOT_FOUND = "exchange.not_found"
    PURPOSE_REQUIRED = "exchange.purpose_required"
    RATE_LIMITED = "exchange.rate_limited"
    INVALID_REQUEST = "exchange.invalid_request"
    NOT_SHARED = "exchange.not_shared"
    WRONG_STATE = "exchange.wrong_state"
    REASON_REQUIRED = "exchange.reason_required"
    GRANT_INACTIVE = "exchange.grant_inactive"
    INVALID_SUBSCRIPTION = "exchange.invalid_subscription"
    # --- data store and loading (store, validation, ingest) ---
    NOT_STRUCTURED = "exchange.not_structured"
    NOT_PUBLISHED = "exchange.not_published"
    INVALID_SCHEMA = "exchange.invalid_schema"
    INVALID_FILE = "exchange.invalid_file"
    FILE_TOO_LARGE = "exchange.file_too_large"
    INVALID_ROWS = "exchange.invalid_rows"
    INVALID_FILTER = "exchange.invalid_filter"
    NOT_QUERYABLE = "exchange.not_queryable"
    RECORD_NOT_FOUND = "exchange.record_not_found"
    LOAD_FAILED = "exchange.load_failed"
