"""A refused write of the catalog changes nothing but leaves its refusal in the audit log (Saleor style)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.catalog import services
from zhengwu.catalog.exchange_formats import catalog_import_excel
from zhengwu.catalog.models import Resource
from zhengwu.catalog.tests.conftest import license_data, license_items
from zhengwu.core.actors import Actor

pytestmark = pytest.mark.django_db


def refused(call: Callable[[], Any], action: str, outcome: str, code: str) -> AuditEvent:
    """Run `call`, expect a refusal with `code`; nothing changed but the one refusal event, returned."""
    return refused_write(call, apps=["catalog"], action=action, outcome=outcome, code=code)[1]


def test_refused_catalog_writes_are_audited(market_officer: User, police_officer: User, egov: User) -> None:
    refused(
        lambda: services.resource_create(
            actor=Actor.person(police_officer),
            provider=market_officer.department,  # type: ignore[arg-type]
            data=license_data(),
            items=license_items(),
        ),
        "catalog.resource_create",
        AuditEvent.Outcome.DENIED,
        "core.permission_denied",
    )
    draft = services.resource_create(
        actor=Actor.person(market_officer),
        provider=market_officer.department,  # type: ignore[arg-type]
        data=license_data(),
        items=license_items(),
    )
    event = refused(
        lambda: services.resource_submit(actor=Actor.person(police_officer), resource=draft),
        "catalog.resource_submit",
        AuditEvent.Outcome.DENIED,
        "core.permission_denied",
    )
    assert event.actor == police_officer and event.target_id == str(draft.pk)
    assert event.department == market_officer.department
    refused(
        lambda: services.resource_publish(actor=Actor.person(egov), resource=draft),
        "catalog.resource_publish",
        AuditEvent.Outcome.FAILURE,
        "catalog.wrong_state",
    )
    services.resource_submit(actor=Actor.person(market_officer), resource=draft)
    refused(
        lambda: services.resource_approve(actor=Actor.person(market_officer), resource=draft),
        "catalog.resource_approve",
        AuditEvent.Outcome.DENIED,
        "core.permission_denied",
    )
    refused(
        lambda: services.resource_reject(actor=Actor.person(egov), resource=draft, reason=" "),
        "catalog.resource_reject",
        AuditEvent.Outcome.FAILURE,
        "catalog.reason_required",
    )
    assert Resource.objects.get().state == Resource.State.SUBMITTED


def test_a_refused_import_is_audited(police_officer: User) -> None:
    refused(
        lambda: catalog_import_excel(actor=Actor.person(police_officer), content=b"not a workbook"),
        "catalog.import_excel",
        AuditEvent.Outcome.FAILURE,
        "catalog.import_failed",
    )
