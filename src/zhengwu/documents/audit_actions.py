"""Audit action names of documents (`app.entity.verb`)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class DocumentsAction(AuditAction):
    DOCUMENT_DRAFT = "documents.document.draft"
    DOCUMENT_EDIT = "documents.document.edit"
    DOCUMENT_SUBMIT = "documents.document.submit"
    DOCUMENT_REVIEW = "documents.document.review"
    DOCUMENT_SUBMIT_FOR_SIGNING = "documents.document.submit_for_signing"
    DOCUMENT_COUNTERSIGN = "documents.document.countersign"
    DOCUMENT_SIGN = "documents.document.sign"
    DOCUMENT_AMEND = "documents.document.amend"
    DOCUMENT_CHECK = "documents.document.check"
    DOCUMENT_REGISTER = "documents.document.register"
    DOCUMENT_PRINT = "documents.document.print"
    DOCUMENT_ISSUE = "documents.document.issue"
    DOCUMENT_SEND = "documents.document.send"
    ATTACHMENT_ADD = "documents.attachment.add"
    ATTACHMENT_REMOVE = "documents.attachment.remove"
    DELIVERY_SIGN = "documents.delivery.sign"
    DELIVERY_RETURN = "documents.delivery.return"
    DELIVERY_REGISTER = "documents.delivery.register"
    DELIVERY_REVIEW = "documents.delivery.review"
    DELIVERY_INSTRUCT = "documents.delivery.instruct"
    DELIVERY_ASSIGN = "documents.delivery.assign"
    DELIVERY_READ = "documents.delivery.read"
    DELIVERY_URGE = "documents.delivery.urge"
    DELIVERY_FINISH = "documents.delivery.finish"
    DELIVERY_ARCHIVE = "documents.delivery.archive"
    HANDLER_DONE = "documents.handler.done"
    FILE_FETCH = "documents.file.fetch"
    EXPORT = "documents.document.export"
