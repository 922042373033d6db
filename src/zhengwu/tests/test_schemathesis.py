"""Schemathesis over every operation of the committed OpenAPI document, with the demo data loaded
and the demo's department-system token (issue 16: the API keeps the promises its document makes).

Every Schemathesis check runs (server errors, status codes, content types, headers, response
schemas, negative data rejected, schema-valid data accepted, authentication ignored, …), bounded
to a few examples per operation. Two settings say what the document cannot:
- NUL characters are not generated: the platform refuses them at the edge on purpose (PostgreSQL
  cannot store them; `core.middleware.NulRefusalMiddleware`), and `test_fuzz` sends them.
- "Schema-valid data accepted" also takes 400 and 422 with one of the platform's error codes: check
  characters of ID numbers and certificate identifiers, and other rules of docs/rules.md, refuse
  input that a JSON schema cannot tell from valid. Any other answer (a 500, an undocumented
  status, a body outside its schema) fails.
"""

from __future__ import annotations

from io import StringIO
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from zhengwu.exchange import demo as exchange_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 12


def _schema(application: Any) -> Any:
    # Loaded from the application itself (its served document equals the committed one:
    # tests/test_openapi.py), so that every call goes in process to the WSGI application.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    project = schema.config
    project.generation.update(allow_x00=False, max_examples=EXAMPLES)
    project.checks.positive_data_acceptance.expected_statuses = [
        *project.checks.positive_data_acceptance.expected_statuses,
        "400",
        "422",
    ]
    return schema


def test_every_operation_keeps_its_documented_promises() -> None:
    from zhengwu.wsgi import application

    call_command("demo", enterprises=50, stdout=StringIO())
    headers = {
        "Authorization": f"Bearer {exchange_demo.token_path().read_text().strip()}",
        "X-Purpose": quote(exchange_demo.QUERY_PURPOSE),
    }
    # As Django's test client does: the request signals must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _run(application, headers)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(application: Any, headers: dict[str, str]) -> None:
    schema = _schema(application)
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers)

        try:
            check()
        except BaseException as error:  # every operation is tried, and all failures reported
            if isinstance(error, KeyboardInterrupt):
                raise
            failures[operation.label] = str(error)[:1500]
    assert not failures, "\n\n".join(f"== {label}\n{text}" for label, text in failures.items())
