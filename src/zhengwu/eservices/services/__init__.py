"""Writes of 网上办事, by entity: service items and their materials (`items`), applications
(`applications`: submit, accept, refuse, correction, decide, withdraw), the department tasks of
parallel approval (`tasks`: claim, complete, special procedure), ratings and rectifications
(`ratings`), files (`uploads`) and once-only pre-filling (`prefill`).

Every service takes the `Actor` who acts and runs as one `audited_write`: the row is locked, the
actor authorized on it, the state moved by the machines of `eservices/states.py`, the event (or
the refusal) recorded. Callers import this package: `from zhengwu.eservices import services`.
"""

from zhengwu.eservices.notify import send as site_message
from zhengwu.eservices.services.applications import (
    CODE_ALPHABET,
    application_accept,
    application_correct,
    application_decide,
    application_refuse,
    application_request_correction,
    application_submit,
    application_withdraw,
    check_audience,
)
from zhengwu.eservices.services.bundles import bundle_create, bundle_rate, bundle_submit, bundle_update
from zhengwu.eservices.services.common import (
    HANDLER_ROLES,
    TIMER_APPLICATION,
    TIMER_RECTIFICATION,
    TIMER_TASK,
    is_handler,
    rectification_days,
)
from zhengwu.eservices.services.guides import GuideExtras, item_guide_set, result_sample_upload, themes_for
from zhengwu.eservices.services.items import (
    FieldSpec,
    ItemData,
    MaterialSpec,
    ResultSpec,
    StageSpec,
    TaskSpec,
    item_create,
    item_publish,
    item_update,
    item_withdraw,
    material_file_upload,
)
from zhengwu.eservices.services.prefill import LEGAL_BASE, PERSON_BASE, PREFILL_SOURCES, Prefill, prefill_for
from zhengwu.eservices.services.ratings import (
    BAD_LEVELS,
    RatingData,
    rating_create,
    rectification_appeal,
    rectification_complete,
    rectification_decide_appeal,
)
from zhengwu.eservices.services.tasks import task_claim, task_complete, task_special_end, task_special_start
from zhengwu.eservices.services.uploads import FILE_TYPES, MAX_FILE_BYTES, Upload

__all__ = [
    "BAD_LEVELS",
    "CODE_ALPHABET",
    "FILE_TYPES",
    "HANDLER_ROLES",
    "LEGAL_BASE",
    "MAX_FILE_BYTES",
    "PERSON_BASE",
    "PREFILL_SOURCES",
    "TIMER_APPLICATION",
    "TIMER_RECTIFICATION",
    "TIMER_TASK",
    "FieldSpec",
    "GuideExtras",
    "ItemData",
    "MaterialSpec",
    "Prefill",
    "RatingData",
    "ResultSpec",
    "StageSpec",
    "TaskSpec",
    "Upload",
    "application_accept",
    "application_correct",
    "application_decide",
    "application_refuse",
    "application_request_correction",
    "application_submit",
    "application_withdraw",
    "bundle_create",
    "bundle_rate",
    "bundle_submit",
    "bundle_update",
    "check_audience",
    "is_handler",
    "item_create",
    "item_guide_set",
    "item_publish",
    "item_update",
    "item_withdraw",
    "material_file_upload",
    "prefill_for",
    "rating_create",
    "rectification_appeal",
    "rectification_complete",
    "rectification_days",
    "rectification_decide_appeal",
    "result_sample_upload",
    "site_message",
    "task_claim",
    "task_complete",
    "task_special_end",
    "task_special_start",
    "themes_for",
]
