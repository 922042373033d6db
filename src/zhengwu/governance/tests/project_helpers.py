"""Helpers of the project tests: catalog resources in a chosen state, a declared project."""

from __future__ import annotations

from itertools import count
from typing import Any

from zhengwu.accounts.models import Department, User
from zhengwu.catalog.models import Resource
from zhengwu.core.actors import Actor
from zhengwu.governance.models import Project
from zhengwu.governance.services import projects
from zhengwu.governance.services.projects import DataLine, ProjectInput, SystemLine

_serial = count(1)


def make_resource(provider: Department, name: str, *, state: str = Resource.State.PUBLISHED) -> Resource:
    n = next(_serial)
    return Resource.objects.create(
        catalog_class="base",
        category="2",
        item="01",
        subitem="001",
        sequence=n,
        code=f"201001/{n:03d}",
        name=name,
        provider=provider,
        provider_code=provider.credit_code,
        summary=name,
        format_class="database",
        share_type="conditional",
        share_condition="依法履职需要。",
        update_cycle="daily",
        state=state,
    )


def project_input(**overrides: Any) -> ProjectInput:
    values: dict[str, Any] = {
        "name": "市场监管一体化平台",
        "plan": "建设全省统一的市场监管业务平台，整合登记、许可、执法系统。",
        "budget": "800",
        "om_cost_yearly": "60",
        "funding_source": "fiscal",
        "mlps_level": 3,
        "data": [DataLine("市场主体登记信息")],
        "systems": [SystemLine("市场监管一体化平台")],
    }
    values.update(overrides)
    return ProjectInput(**values)


def declare(officer: User, **overrides: Any) -> Project:
    return projects.project_declare(actor=Actor.person(officer), data=project_input(**overrides))


def to_reviewed(project: Project, officer: User, egov: User) -> Project:
    projects.project_submit(actor=Actor.person(officer), project=project)
    return projects.project_review(
        actor=Actor.person(egov),
        project=project,
        passed=True,
        tech_opinion="技术方案可行。",
        ndrc_opinion="同意立项。",
        finance_opinion="资金已纳入预算。",
    )
