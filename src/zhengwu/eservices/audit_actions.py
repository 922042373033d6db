"""Audit action names of 网上办事 (events already in the chain keep their names)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class EservicesAction(AuditAction):
    ITEM_CREATE = "eservices.item_create"
    ITEM_UPDATE = "eservices.item_update"
    ITEM_PUBLISH = "eservices.item_publish"
    ITEM_WITHDRAW = "eservices.item_withdraw"
    ITEMS_IMPORT_EXCEL = "eservices.items_import_excel"
    MATERIAL_FILE_UPLOAD = "eservices.material_file_upload"
    ITEM_GUIDE_SET = "eservices.item.guide_set"
    RESULT_SAMPLE_UPLOAD = "eservices.result.sample_upload"
    BUNDLE_CREATE = "eservices.bundle.create"
    BUNDLE_UPDATE = "eservices.bundle.update"
    BUNDLE_SUBMIT = "eservices.bundle.submit"
    BUNDLE_RATE = "eservices.bundle.rate"
    APPLICATION_SUBMIT = "eservices.application_submit"
    APPLICATION_ACCEPT = "eservices.application_accept"
    APPLICATION_REFUSE = "eservices.application_refuse"
    APPLICATION_REQUEST_CORRECTION = "eservices.application_request_correction"
    APPLICATION_CORRECT = "eservices.application_correct"
    APPLICATION_DECIDE = "eservices.application_decide"
    APPLICATION_WITHDRAW = "eservices.application_withdraw"
    TASK_CLAIM = "eservices.task_claim"
    TASK_COMPLETE = "eservices.task_complete"
    TASK_SPECIAL_START = "eservices.task_special_start"
    TASK_SPECIAL_END = "eservices.task_special_end"
    RATING_CREATE = "eservices.rating_create"
    RECTIFICATION_COMPLETE = "eservices.rectification_complete"
    RECTIFICATION_APPEAL = "eservices.rectification_appeal"
    RECTIFICATION_DECIDE_APPEAL = "eservices.rectification_decide_appeal"
