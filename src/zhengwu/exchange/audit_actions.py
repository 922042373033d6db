"""Audit action names of the exchange (events already in the chain keep their names)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class ExchangeAction(AuditAction):
    # --- data store and loading ---
    LOAD = "exchange.load"
    # --- sharing by rule ---
    SHARE_REQUEST_CREATE = "exchange.share_request_create"
    SHARE_REQUEST_APPROVE = "exchange.share_request_approve"
    SHARE_REQUEST_REFUSE = "exchange.share_request_refuse"
    SHARE_REQUEST_COORDINATE = "exchange.share_request_coordinate"
    SHARE_REQUEST_WITHDRAW = "exchange.share_request_withdraw"
    GRANT_CREATE = "exchange.grant_create"
    GRANT_REVOKE = "exchange.grant_revoke"
    OBJECTION_CREATE = "exchange.objection_create"
    OBJECTION_RESOLVE = "exchange.objection_resolve"
    SUBSCRIPTION_CREATE = "exchange.subscription_create"
    SUBSCRIPTION_CANCEL = "exchange.subscription_cancel"
    ACCESS_LOG_EXPORT = "exchange.access_log_export"
