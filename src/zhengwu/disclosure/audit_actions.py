"""Audit action names of disclosure (events already in the chain keep their names)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class DisclosureAction(AuditAction):
    PUBLICATION_CREATE = "disclosure.publication_create"
    PUBLICATION_UPDATE = "disclosure.publication_update"
    PUBLICATION_PUBLISH = "disclosure.publication_publish"
    PUBLICATION_WITHDRAW = "disclosure.publication_withdraw"
    PUBLICATION_SET_VALIDITY = "disclosure.publication_set_validity"
    PUBLICATION_DELETE = "disclosure.publication_delete"
    ATTACHMENT_ADD = "disclosure.attachment_add"
    ATTACHMENT_REMOVE = "disclosure.attachment_remove"
    REQUEST_SUBMIT = "disclosure.request_submit"
    REQUEST_REGISTER = "disclosure.request_register"
    REQUEST_CONFIRM = "disclosure.request_confirm"
    REQUEST_ASK_CORRECTION = "disclosure.request_ask_correction"
    REQUEST_CORRECT = "disclosure.request_correct"
    REQUEST_EXTEND = "disclosure.request_extend"
    REQUEST_CONSULT_START = "disclosure.request_consult_start"
    REQUEST_CONSULT_END = "disclosure.request_consult_end"
    REQUEST_ANSWER = "disclosure.request_answer"
    REQUEST_WITHDRAW = "disclosure.request_withdraw"
    REQUEST_CLOSE = "disclosure.request_close"
    ANNUAL_REPORT_SAVE = "disclosure.annual_report_save"
