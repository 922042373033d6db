"""Error codes of the audit log (docs/design.md rule 3)."""

from __future__ import annotations

from enum import StrEnum


class AuditError(StrEnum):
    INVALID_EVENT = "audit.invalid_event"
    APPEND_ONLY = "audit.append_only"
    WITHIN_RETENTION = "audit.within_retention"
    INVALID_FILTER = "audit.invalid_filter"
    INVALID_FORMAT = "audit.invalid_format"
    ANCHOR_REFUSED = "audit.anchor_refused"
    PLATFORM_KEY = "audit.platform_key"
    NOT_PARTITIONED = "audit.not_partitioned"
    PARTITION_ORDER = "audit.partition_order"
    WITNESS_UNKNOWN_PEER = "audit.witness_unknown_peer"
    WITNESS_REFUSED = "audit.witness_refused"
    WITNESS_UNREACHABLE = "audit.witness_unreachable"
