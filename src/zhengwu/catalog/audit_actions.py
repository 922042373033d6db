"""Audit action names of the catalog (events already in the chain keep their names)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class CatalogAction(AuditAction):
    RESOURCE_CREATE = "catalog.resource_create"
    RESOURCE_UPDATE = "catalog.resource_update"
    DATAITEMS_SET = "catalog.dataitems_set"
    RESOURCE_DELETE_DRAFT = "catalog.resource_delete_draft"
    RESOURCE_SUBMIT = "catalog.resource_submit"
    RESOURCE_APPROVE = "catalog.resource_approve"
    RESOURCE_REJECT = "catalog.resource_reject"
    RESOURCE_PUBLISH = "catalog.resource_publish"
    RESOURCE_REVISE = "catalog.resource_revise"
    RESOURCE_WITHDRAW = "catalog.resource_withdraw"
    IMPORT_EXCEL = "catalog.import_excel"
