"""Writes of the documents app, one module per side, all importable from here:

- `documents`: the outgoing document (发文) from draft to issue, its versions, reviews, attachments;
- `deliveries`: the receiving side (收文) of each recipient department, from 签收 to 归档;
- `common`: who may act, the number sequences, the clocks' limits.
"""

from __future__ import annotations

from zhengwu.documents.services.common import (
    HANDLE_TIMER,
    SIGN_TIMER,
    is_clerk,
    is_leader,
    is_staff_of,
    next_serial,
    sign_limit,
)
from zhengwu.documents.services.deliveries import (
    Assignment,
    delivery_archive,
    delivery_assign,
    delivery_finish,
    delivery_instruct,
    delivery_read,
    delivery_register,
    delivery_return,
    delivery_review,
    delivery_sign,
    delivery_urge,
    handler_done,
)
from zhengwu.documents.services.documents import (
    DocumentData,
    attachment_add,
    attachment_remove,
    content_digest,
    document_amend,
    document_check,
    document_countersign,
    document_draft,
    document_edit,
    document_issue,
    document_print,
    document_register,
    document_review,
    document_send,
    document_sign,
    document_submit,
    document_submit_for_signing,
    refuse_secret,
)

__all__ = [
    "HANDLE_TIMER",
    "SIGN_TIMER",
    "Assignment",
    "DocumentData",
    "attachment_add",
    "attachment_remove",
    "content_digest",
    "delivery_archive",
    "delivery_assign",
    "delivery_finish",
    "delivery_instruct",
    "delivery_read",
    "delivery_register",
    "delivery_return",
    "delivery_review",
    "delivery_sign",
    "delivery_urge",
    "document_amend",
    "document_check",
    "document_countersign",
    "document_draft",
    "document_edit",
    "document_issue",
    "document_print",
    "document_register",
    "document_review",
    "document_send",
    "document_sign",
    "document_submit",
    "document_submit_for_signing",
    "handler_done",
    "is_clerk",
    "is_leader",
    "is_staff_of",
    "next_serial",
    "refuse_secret",
    "sign_limit",
]
