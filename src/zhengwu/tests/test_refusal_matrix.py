"""The refusal matrix over every URL and API operation (docs/design.md rule 9, issue 15).

1. Every URL of the resolver and every operation of the OpenAPI document has an entry in
   `refusal_matrix` (a new URL without one fails), and every entry names one that exists.
2. Every entry that is not public is requested by each person it must refuse, with GET and, where
   the view takes it, POST. Each must be turned away: the anonymous visitor of a page to the login
   page, anyone else with 401, 403 or 404 (a page) or 401, 403 or 404 (an API operation). A GET by
   someone who may use it answers 200, so the URL's objects are real.
3. Nothing is written: the row count of every table of the database is the same after each request
   as before, except the bookkeeping listed in `BOOKKEEPING` (with the reason for each) and, when
   `REFUSALS_AUDITED`, exactly one audit event with outcome denied or failure for a refused write
   (POST, PUT, PATCH, DELETE) of someone who proved who they are.

Every problem found is collected; each test fails once, listing them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, Region, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.services import record_action
from zhengwu.audit.write import AuditAction
from zhengwu.conftest import make_staff, person_client, staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.tests.refusal_matrix import CLIENTS, OPERATIONS, STAFF, URLS, Guarded, Public

# A refused write (POST, PUT, PATCH, DELETE) by someone who proved who they are leaves exactly one
# audit event with outcome denied or failure. An anonymous request is exempt: it is turned away
# before any service runs, and recording every anonymous POST would let anyone fill the log.
# A refusal decided inside a service is recorded by its audited write; one decided before any
# service ran (a page's access rule, a 404 for another department's object, an API's authentication
# or scope) by core.refusals. The request is also checked to write nothing else.
REFUSALS_AUDITED = True

WRITES = ("POST", "PUT", "PATCH", "DELETE")
REFUSED_PAGE = (401, 403, 404)
REFUSED_API = (401, 403, 404)
AUDIT_TABLE = AuditEvent._meta.db_table

# Tables a refused request may add rows to, and why.
BOOKKEEPING: dict[str, str] = {
    # The exchange query API logs every attempt, refused ones included, in its own hash-chained
    # access log (docs/rules.md: who queried which record, when, with what outcome).
    "exchange_accesslog": "the exchange access log records refused queries too",
    "exchange_accesslogpending": "the exchange access log's staging table (written, then folded in)",
    "exchange_accesslogsubject": "the subjects (record keys) of an access-log row",
}
EXCHANGE_QUERY = "/api/v1/exchange/"


class MatrixAction(AuditAction):
    WORLD_BUILT = "tests.matrix.built"


# --- walking the resolver and the OpenAPI document ------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str  # the prefixes of the includes and the pattern, as the resolver spells them
    name: str  # namespaced name ("" if the pattern has none)
    is_api_operation: bool


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            module = getattr(pattern.callback, "__module__", "")
            yield Route(prefix + str(pattern.pattern), name, module.startswith("ninja."))


def openapi_operations() -> dict[str, str]:
    """`"METHOD /path"` → operationId, from the API's OpenAPI document."""
    from zhengwu.api import api

    schema = api.get_openapi_schema()
    return {
        f"{m.upper()} {path}": op.get("operationId", "")
        for path, ops in schema["paths"].items()
        for m, op in ops.items()
    }


def _as_openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_url_has_an_entry_and_every_entry_a_url() -> None:
    routes = [r for r in walk() if not r.is_api_operation]
    missing = [r.route for r in routes if r.route not in URLS]
    stale = sorted(set(URLS) - {r.route for r in routes})
    assert not missing, "URLs without an entry in refusal_matrix.URLS:\n" + "\n".join(missing)
    assert not stale, "refusal_matrix.URLS names URLs that no longer exist:\n" + "\n".join(stale)


def test_every_operation_has_an_entry_and_every_entry_an_operation() -> None:
    operations = openapi_operations()
    missing = sorted(set(operations) - set(OPERATIONS))
    stale = sorted(set(OPERATIONS) - set(operations))
    assert not missing, "API operations without an entry in refusal_matrix.OPERATIONS:\n" + "\n".join(missing)
    assert not stale, "refusal_matrix.OPERATIONS names operations that no longer exist:\n" + "\n".join(stale)
    # and every API URL of the resolver is an operation of the document
    paths = {key.split(" ", 1)[1] for key in operations}
    orphans = [r.route for r in walk() if r.is_api_operation and _as_openapi_path(r.route) not in paths]
    assert not orphans, "API URLs missing from the OpenAPI document:\n" + "\n".join(orphans)


# --- the world the URLs are tried in --------------------------------------------------------


class _App:
    """An app's models by name, through the app registry: modules may move (issue 15 splits some
    apps into packages), app labels and model names do not."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __getattr__(self, name: str) -> Any:
        return apps.get_model(self.label, name)


class World:
    """The cast plus one object of each kind the URLs name, of 市场监管厅 unless said otherwise.

    Made with the ORM only, so that it stays what it is while the services change."""

    def __init__(
        self,
        people: dict[str, User],
        market: Department,
        police: Department,
        office: Department,
        emergency: Department | None = None,
    ) -> None:
        self.people = people
        self.market, self.police, self.office = market, police, office
        self.emergency = emergency
        self.tokens: dict[str, str] = {}
        self._build()

    # builders of URL arguments: each returns a dict (or the path's own key for API operations)
    def _build(self) -> None:
        catalog, exchange = _App("catalog"), _App("exchange")
        Resource, DataItem, ResourceVersion = catalog.Resource, catalog.DataItem, catalog.ResourceVersion
        Grant, Objection, ShareRequest, LoadJob = (
            exchange.Grant,
            exchange.Objection,
            exchange.ShareRequest,
            exchange.LoadJob,
        )

        citizen = self.people["citizen"]
        now = timezone.now()
        today = timezone.localdate()

        def resource(name: str, subitem: str, state: str, code: str | None = None) -> Any:
            return Resource.objects.create(
                catalog_class="department", category="3", item="01", subitem=subitem, name=name,
                provider=self.market, provider_code=self.market.credit_code, summary=name, format_class="database",
                share_type="conditional", update_cycle="weekly", state=state, code=code, key_item="certificate_number",
            )  # fmt: skip

        self.catalog_draft_row = resource("矩阵草稿资源", "101", Resource.State.DRAFT)
        self.catalog_submitted_row = resource("矩阵待审资源", "102", Resource.State.SUBMITTED)
        self.catalog_approved_row = resource("矩阵已审资源", "103", Resource.State.APPROVED)
        self.shared = resource("矩阵共享资源", "104", Resource.State.PUBLISHED, code="301010001/001")
        for position, (code, name) in enumerate(
            (("certificate_number", "使用登记证编号"), ("user_name", "使用单位名称"))
        ):
            DataItem.objects.create(
                resource=self.shared, position=position + 1, name=name, code=code, data_type="string", required=True
            )
        ResourceVersion.objects.create(resource=self.catalog_draft_row, version=1, snapshot={"name": "矩阵草稿资源"})
        self.share_request_row = ShareRequest.objects.create(
            consumer=self.police, resource=self.shared, purpose="矩阵核查", legal_basis="《条例》第九条",
            period_start=today, period_end=today + timedelta(days=365), requested_by=self.people["police_clerk"],
        )  # fmt: skip
        self.grant_row = Grant.objects.create(
            consumer=self.police, resource=self.shared, purpose="矩阵核查", legal_basis="《条例》第九条",
            valid_until=now + timedelta(days=365), item_codes=["certificate_number", "user_name"],
        )  # fmt: skip
        self.objection_row = Objection.objects.create(
            consumer=self.police, resource=self.shared, record_key="X1", field="user_name", evidence="营业执照",
            raised_by=self.people["police_officer"],
        )  # fmt: skip
        self.load_job_row = LoadJob.objects.create(resource=self.shared)
        self._build_eservices(citizen)
        self._build_disclosure(citizen)
        self._build_participation(citizen)
        self._build_supervision(citizen)
        self._build_certificates(citizen)
        self._build_documents()
        self._build_projects_evaluations()
        self._build_emergency()
        self._build_accounts()
        self._build_governance()
        self.audit_seq = record_action(Actor.platform(), MatrixAction.WORLD_BUILT).seq

    def _build_eservices(self, citizen: User) -> None:
        m = _App("eservices")

        def item(code: str, state: str) -> Any:
            return m.ServiceItem.objects.create(
                name=f"矩阵事项{code}", basic_code=f"00012{code}", impl_code=f"1122000001354435{code}", item_type="XK",
                department=self.market, case_prefix="SCJ", basis="《行政许可法》", audience="person",
                conditions="无", legal_limit=20, promised_limit=10, state=state,
            )  # fmt: skip

        self.item_row = item("01", m.ServiceItem.State.PUBLISHED)
        self.item_draft_row = item("02", m.ServiceItem.State.DRAFT)
        self.item_material_row = m.ItemMaterial.objects.create(
            item=self.item_row, position=1, name="申请书", source="applicant"
        )
        self.material_file_row = m.MaterialFile.objects.create(
            material=self.item_material_row, kind="blank", file_name="申请书.pdf", content_type="application/pdf",
            size=4, sm3=sm3_hex(b"%PDF"), content=b"%PDF",
        )  # fmt: skip
        stage = m.Stage.objects.create(item=self.item_row, position=1, name="审查")
        spec = m.StageTask.objects.create(stage=stage, department=self.market, name="审查", limit=5)
        self.application_row = m.Application.objects.create(
            number="SCJ20260000001", verify_code="123456", item=self.item_row, department=self.market,
            applicant=citizen, applicant_name=citizen.real_name, state=m.Application.State.PROCESSING,
        )  # fmt: skip
        self.application_material_row = m.ApplicationMaterial.objects.create(
            application=self.application_row, material=self.item_material_row, trust_level="A"
        )
        self.case_task_row = m.CaseTask.objects.create(
            application=self.application_row, spec=spec, stage_position=1, department=self.market, name="审查"
        )
        rating = m.Rating.objects.create(
            application=self.application_row, department=self.market, level=1, overall=1, efficiency=1,
            guide_accuracy=1, convenience=1, usability=1,
        )  # fmt: skip
        self.rectification_row = m.Rectification.objects.create(rating=rating, department=self.market)
        self.item_result_row = m.ItemResult.objects.create(item=self.item_row, name="矩阵许可证", kind="approval")
        self.bundle_row = m.Bundle.objects.create(code="JZ", name="矩阵一件事", audience="person")
        m.BundleItem.objects.create(bundle=self.bundle_row, item=self.item_row, position=1)
        self.bundle_case_row = m.BundleCase.objects.create(
            number="2026-YJJZ-000001", bundle=self.bundle_row, applicant=citizen, applicant_name=citizen.real_name
        )

    def _build_disclosure(self, citizen: User) -> None:
        m = _App("disclosure")

        self.publication_row = m.Publication.objects.create(
            department=self.market, category="notice", title="矩阵通知", date_written=timezone.localdate(), body="正文"
        )
        self.attachment_row = m.Attachment.objects.create(
            publication=self.publication_row, name="附件.pdf", content_type="application/pdf", size=4,
            sm3=sm3_hex(b"%PDF"), content=b"%PDF",
        )  # fmt: skip
        self.disclosure_request_row = m.DisclosureRequest.objects.create(
            number="SCJ-2026-00001", department=self.market, applicant_kind="citizen", applicant_name="张三",
            applicant_key=str(citizen.pk), channel="online", description="请公开抽检结果", applicant=citizen,
        )  # fmt: skip
        self.report_year = timezone.localdate().year - 1
        m.AnnualReport.objects.create(department=self.market, year=self.report_year)

    def _build_participation(self, citizen: User) -> None:
        m = _App("participation")

        today = timezone.localdate()
        self.letter_row = m.Letter.objects.create(
            number="12345202600001", code_hash=sm3_hex("1234"), channel="hotline", kind="suggest", title="矩阵来信",
            content="建议增加夜间窗口。", office=self.office, department=self.market, writer=citizen,
        )  # fmt: skip
        self.letter_photo_row = m.LetterPhoto.objects.create(
            letter=self.letter_row, position=1, file_name="现场.png", content_type="image/png", size=8,
            sm3=sm3_hex(b"\x89PNG\r\n\x1a\n"), content=b"\x89PNG\r\n\x1a\n",
        )  # fmt: skip
        self.consultation_row = m.Consultation.objects.create(
            title="矩阵意见征集", department=self.market, opens_on=today, closes_on=today + timedelta(days=30),
            created_by=self.people["market_clerk"],
        )  # fmt: skip
        self.article_row = m.Article.objects.create(
            consultation=self.consultation_row, position=1, heading="第一条", text="条文"
        )
        self.comment_row = m.Comment.objects.create(article=self.article_row, author=citizen, content="同意")
        self.survey_row = m.Survey.objects.create(
            title="矩阵问卷", department=self.market, opens_on=today, closes_on=today + timedelta(days=30),
            created_by=self.people["market_clerk"],
        )  # fmt: skip
        m.Question.objects.create(survey=self.survey_row, position=1, kind="text", text="您的意见")
        self.flag_row = m.Flag.objects.create(
            target_kind="comment", comment=self.comment_row, reporter=self.people["outsider"], reason="广告"
        )
        self.sensitive_word_row = m.SensitiveWord.objects.create(word="矩阵敏感词")

    def _build_supervision(self, citizen: User) -> None:
        m = _App("supervision")

        today = timezone.localdate()
        self.timer_row = m.Timer.objects.create(
            kind="eservices.application", target_type="eservices.application", target_id=str(self.application_row.pk),
            title="矩阵计时", department=self.market, limit=10, started_at=timezone.now(), start_date=today,
            deadline=today + timedelta(days=14), yellow_from=today + timedelta(days=10),
        )  # fmt: skip
        self.urging_row = m.Urging.objects.create(
            timer=self.timer_row, department=self.market, notice="请加快办理", answer_days=3,
            created_by=self.people["supervisor"],
        )  # fmt: skip
        self.complaint_row = m.Complaint.objects.create(
            number="TS202600001", complainant=citizen, department=self.market, content="办理超期",
            state=m.Complaint.State.FORWARDED, forwarded_at=timezone.now(),
        )  # fmt: skip

    def _build_certificates(self, citizen: User) -> None:
        from zhengwu.certificates import identifiers

        m = _App("certificates")
        from zhengwu.certificates.services import holder_index

        kind = m.CertificateType.objects.create(
            code=self.market.credit_code + "001", name="矩阵证照", authority_name=self.market.name,
            authority_credit_code=self.market.credit_code, sequence="001", holder_kind="person",
        )  # fmt: skip
        key = m.IssuerKey.objects.create(
            department=self.market, public_key="0" * 128, private_key="0" * 64, fingerprint="f" * 16
        )
        self.certificate_row = m.Certificate.objects.create(
            identifier=str(identifiers.build(
                type_code=kind.code, issuer_code=self.market.credit_code, serial=1
            )),
            certificate_type=kind,
            issuer=self.market, issuer_key=key, serial="0000001", holder_kind="person",
            holder_name=citizen.real_name, holder_code=citizen.id_number, holder_index=holder_index(citizen.id_number),
            data_json="{}", issued_on=timezone.localdate(), signature="0" * 128,
        )  # fmt: skip

    def _build_documents(self) -> None:
        m = _App("documents")
        # 市场监管厅's draft (with a delivery row to 公安厅), and 政数局's document delivered to 市场监管厅
        self.document_row = m.Document.objects.create(
            department=self.market, prefix="吉市监发", kind="notice", title="矩阵公文", body="正文"
        )
        m.Delivery.objects.create(document=self.document_row, department=self.police, title="矩阵公文", kind="notice")
        incoming = m.Document.objects.create(
            department=self.office, prefix="吉政数发", kind="notice", title="矩阵收文", body="正文", state="issued",
            number="吉政数发〔2026〕1号",
        )  # fmt: skip
        self.delivery_row = m.Delivery.objects.create(
            document=incoming, department=self.market, title="矩阵收文", kind="notice", number=incoming.number
        )

    def _build_projects_evaluations(self) -> None:
        m = _App("governance")
        # a year's indicators, a run in review and a published one, 市场监管厅's draft project
        indicator_set = m.IndicatorSet.objects.create(year=2025, name="矩阵指标")
        self.indicator_row = m.Indicator.objects.create(
            indicator_set=indicator_set, name="来信按时答复率", measure="letters.on_time", weight=10, target=0.9
        )
        self.run_row = m.EvaluationRun.objects.create(
            indicator_set=indicator_set, title="矩阵评估", period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
            state="reviewing",
        )  # fmt: skip
        self.score_row = m.Score.objects.create(
            run=self.run_row, department=self.market, indicator=self.indicator_row, computed=10, score=10
        )
        self.published_run_row = m.EvaluationRun.objects.create(
            indicator_set=indicator_set, title="矩阵已发布评估", period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31), state="published", published_at=timezone.now(),
        )  # fmt: skip
        m.Score.objects.create(
            run=self.published_run_row, department=self.market, indicator=self.indicator_row, computed=9, score=9
        )
        self.project_row = m.Project.objects.create(
            number="XM2026-9999",
            name="矩阵项目",
            department=self.market,
            plan="方案",
            budget=10,
            funding_source="fiscal",
        )
        self.project_document_row = m.ProjectDocument.objects.create(
            project=self.project_row, stage="draft", name="方案.pdf", path="projects/none/方案.pdf", size=1, digest="-"
        )

    def _build_emergency(self) -> None:
        m = _App("emergency")
        jilin = self.market.region
        jilin_city = Region.objects.create(code="220200", name="吉林市", level=Region.Level.CITY, parent=jilin)
        now = timezone.now()
        # an incident in 吉林市 answered for by 应急管理厅, reported by 公安厅 (the matrix's API client)
        self.incident_row = m.Incident.objects.create(
            number="YJ20260101000001", title="矩阵突发事件", category="natural", occurred_at=now, received_at=now,
            source="department", region=jilin_city, place="吉林市船营区", description="矩阵",
            department=self.emergency, reporting_department=self.police,
        )  # fmt: skip
        m.IncidentReport.objects.create(
            incident=self.incident_row, kind="initial", sequence=0, state="sent", content="初报",
            sender=self.emergency, sent_at=now,
        )  # fmt: skip
        self.incident_report_row = m.IncidentReport.objects.create(
            incident=self.incident_row, kind="follow_up", sequence=1, content="矩阵续报", sender=self.emergency
        )
        # a report 长春市应急管理局 (`cc_duty`) sent up to 应急管理厅, not yet signed for (签收)
        cc = Department.objects.get(credit_code="11220100MB0000001X")
        cc_incident = m.Incident.objects.create(
            number="YJ20260101000002", title="矩阵长春事件", category="natural", occurred_at=now, received_at=now,
            source="duty_phone", region=cc.region, place="长春市南关区", description="矩阵", department=cc,
        )  # fmt: skip
        self.sent_report_row = m.IncidentReport.objects.create(
            incident=cc_incident, kind="initial", sequence=0, state="sent", content="长春初报", sender=cc,
            recipient=self.emergency, sent_at=now,
        )  # fmt: skip
        self.warning_row = m.EarlyWarning.objects.create(
            number="YJ20260101W00001", hazard="rainstorm", color=3, region=jilin, ends_at=now + timedelta(days=1),
            content="矩阵预警", department=self.emergency,
        )  # fmt: skip
        self.subscription_row = m.Subscription.objects.create(region=jilin, user=self.people["citizen"])
        self._build_response(m, now)

    def _build_response(self, m: _App, now: Any) -> None:
        """A plan, 公安厅's dispatch task on the incident, a resource, 公安厅's duty today, an evaluation."""
        self.em_plan_row = m.Plan.objects.create(name="矩阵预案", incident_class="natural")
        version = m.PlanVersion.objects.create(plan=self.em_plan_row, number=1, lead_department=self.emergency)
        m.PlanDuty.objects.create(version=version, level="3", department=self.police, duty="矩阵职责")
        self.em_task_row = m.Task.objects.create(
            incident=self.incident_row, plan_version=version, level="3", department=self.police, duty="矩阵任务",
            sign_minutes=15, arrive_minutes=60, issued_at=now,
        )  # fmt: skip
        self.em_resource_row = m.Resource.objects.create(
            kind="team", name="矩阵救援队", department=self.emergency, lat=43.84, lng=126.55, size=10,
            committed_to=self.incident_row,
        )  # fmt: skip
        m.Commitment.objects.create(resource=self.em_resource_row, incident=self.incident_row)
        m.DutyShift.objects.create(
            department=self.police, day=timezone.localdate(), leader="矩阵领导", officer="矩阵值班员", phone="110"
        )
        m.Evaluation.objects.create(incident=self.incident_row, figures={"departments": []}, findings="矩阵评估")

    def _build_accounts(self) -> None:
        WorkdayOverride = _App("core").WorkdayOverride

        for name, (dept, scopes) in CLIENTS.items():
            department = {"market": self.market, "police": self.police, "office": self.office}[dept]
            prefix = f"m{len(self.tokens):03d}"
            secret = f"matrix-secret-{name}"
            ApiClient.objects.create(
                name=name, department=department, token_prefix=prefix, token_hash=sm3_hex(secret),
                scopes=list(scopes), expires_at=timezone.now() + timedelta(days=30),
            )  # fmt: skip
            self.tokens[name] = f"zw_{prefix}_{secret}"
        self.api_client_row = ApiClient.objects.get(name="client_no_scope")
        # one record in the shared resource, loaded as its provider's system does
        loaded = Client().post(
            f"/api/v1/exchange/{self.shared.code}/records:upsert",
            {"records": [{"certificate_number": "X1", "user_name": "长春市春城食品有限公司"}]},
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.tokens['client_provider']}"},
        )
        assert loaded.status_code == 200, loaded.content
        self.workday_row = WorkdayOverride.objects.create(date=date(2030, 1, 2), is_workday=False, reason="矩阵")

    def _build_governance(self) -> None:
        m = _App("governance")
        # 市场监管厅's system, linked to its inventory client, under a confirmed zombie review (待自查)
        self.system_row = m.InformationSystem.objects.create(
            name="矩阵信息系统", department=self.market, functions="登记", users_scope="全省", contact_name="冯工",
            contact_phone="0431-1", network_zone="extranet", funding_source="fiscal", om_cost_yearly=10,
        )  # fmt: skip
        m.SystemApiClient.objects.create(
            system=self.system_row, api_client=ApiClient.objects.get(name="client_inventory")
        )
        self.zombie_row = m.ZombieCase.objects.create(
            system=self.system_row, state="self_check", rules=["no_om"], evidence={}, confirmed_at=timezone.now()
        )

    def marker(self, name: str) -> str:
        """Text by which a list shows one of the objects (of 市场监管厅, or of the citizen)."""
        return {
            "application": self.application_row.number,
            "item_draft": self.item_draft_row.name,
            "publication": self.publication_row.title,
            "disclosure_request": self.disclosure_request_row.number,
            "letter": self.letter_row.title,
            "letter_number": self.letter_row.number,
            "consultation": self.consultation_row.title,
            "survey": self.survey_row.title,
            "timer": self.timer_row.title,
            "complaint": self.complaint_row.number,
            "store_resource": self.shared.name,
            "catalog_draft": self.catalog_draft_row.name,
            "share_request": self.share_request_row.purpose,
            "certificate": self.certificate_row.identifier,
            "system": self.system_row.name,
            "project": self.project_row.name,
            "incident": self.incident_row.title,
            "em_task": self.em_task_row.duty,
            "em_duty": "矩阵值班员",
        }[name]

    # URL arguments, by the names the matrix uses
    def args(self, name: str) -> dict[str, Any]:
        if not name:
            return {}
        builders: dict[str, Callable[[], dict[str, Any]]] = {
            "audit_event": lambda: {"seq": self.audit_seq},
            "store_resource": lambda: {"resource_id": self.shared.pk},
            "load_job": lambda: {"job_id": self.load_job_row.pk},
            "load_job_report": lambda: {"job_id": self.load_job_row.pk, "fmt": "csv"},
            "xlsx": lambda: {"fmt": "xlsx"},
            "catalog_draft": lambda: {"pk": self.catalog_draft_row.pk},
            "catalog_version": lambda: {"pk": self.catalog_draft_row.pk, "number": 1},
            "catalog_submitted": lambda: {"pk": self.catalog_submitted_row.pk},
            "catalog_approved": lambda: {"pk": self.catalog_approved_row.pk},
            "catalog_published": lambda: {"pk": self.shared.pk},
            "share_request": lambda: {"pk": self.share_request_row.pk},
            "grant": lambda: {"pk": self.grant_row.pk},
            "sensitive_word": lambda: {"pk": self.sensitive_word_row.pk},
            "objection": lambda: {"pk": self.objection_row.pk},
            "application": lambda: {"pk": self.application_row.pk},
            "application_material": lambda: {"pk": self.application_material_row.pk},
            "application_number": lambda: {"number": self.application_row.number},
            "case_task": lambda: {"pk": self.case_task_row.pk},
            "item": lambda: {"pk": self.item_row.pk},
            "item_draft": lambda: {"pk": self.item_draft_row.pk},
            "item_material": lambda: {"pk": self.item_row.pk, "material_pk": self.item_material_row.pk},
            "material_file": lambda: {"pk": self.material_file_row.pk},
            "rectification": lambda: {"pk": self.rectification_row.pk},
            "publication": lambda: {"pk": self.publication_row.pk},
            "attachment": lambda: {"pk": self.attachment_row.pk},
            "disclosure_request": lambda: {"pk": self.disclosure_request_row.pk},
            "disclosure_request_id": lambda: {"request_id": self.disclosure_request_row.pk},
            "annual_report": lambda: {"department_id": self.market.pk, "year": self.report_year},
            "letter": lambda: {"pk": self.letter_row.pk},
            "letter_number": lambda: {"number": self.letter_row.number},
            "letter_photo": lambda: {"pk": self.letter_row.pk, "photo_pk": self.letter_photo_row.pk},
            "letter_photo_number": lambda: {"number": self.letter_row.number, "pk": self.letter_photo_row.pk},
            "bundle": lambda: {"pk": self.bundle_row.pk},
            "item_result": lambda: {"pk": self.item_row.pk, "result_pk": self.item_result_row.pk},
            "bundle_case_number": lambda: {"number": self.bundle_case_row.number},
            "consultation": lambda: {"pk": self.consultation_row.pk},
            "article": lambda: {"pk": self.consultation_row.pk, "article_pk": self.article_row.pk},
            "comment": lambda: {"pk": self.comment_row.pk},
            "survey": lambda: {"pk": self.survey_row.pk},
            "moderation": lambda: {"kind": "flag", "pk": self.flag_row.pk, "action": "dismiss"},
            "department": lambda: {"pk": self.market.pk},
            "timer": lambda: {"pk": self.timer_row.pk},
            "urging": lambda: {"pk": self.urging_row.pk},
            "complaint": lambda: {"pk": self.complaint_row.pk},
            "complaint_number": lambda: {"number": self.complaint_row.number},
            "certificate": lambda: {"identifier": self.certificate_row.identifier},
            "certificate_pk": lambda: {"pk": self.certificate_row.pk},
            "target_user": lambda: {"user_id": self.people["market_clerk"].pk},
            "api_client": lambda: {"client_id": self.api_client_row.pk},
            "workday": lambda: {"day": self.workday_row.date.isoformat()},
            "open311_json": lambda: {"fmt": "json"},
            "record_key": lambda: {"resource_code": self.shared.code, "key": "X1"},
            "store_code": lambda: {"resource_code": self.shared.code},
            "document": lambda: {"pk": self.document_row.pk},
            "document_file": lambda: {"pk": self.document_row.pk, "which": "pdf"},
            "document_id": lambda: {"document_id": self.document_row.pk},
            "delivery": lambda: {"pk": self.delivery_row.pk},
            "delivery_id": lambda: {"delivery_id": self.delivery_row.pk},
            "indicator_set": lambda: {"pk": self.indicator_row.indicator_set_id},
            "indicator": lambda: {"pk": self.indicator_row.pk},
            "run": lambda: {"pk": self.run_row.pk},
            "score": lambda: {"pk": self.score_row.pk},
            "published_run": lambda: {"run_id": self.published_run_row.pk},
            "published_run_department": lambda: {"run_id": self.published_run_row.pk, "department_id": self.market.pk},
            "project": lambda: {"pk": self.project_row.pk},
            "project_id": lambda: {"project_id": self.project_row.pk},
            "project_document": lambda: {"pk": self.project_row.pk, "document_id": self.project_document_row.pk},
            "documents_send_body": lambda: {
                "kind": "letter",
                "prefix": "吉市监函",
                "title": "矩阵函",
                "body": "正文",
                "signer_name": "刘处长",
                "main_to": [self.police.credit_code],
            },
            "system": lambda: {"pk": self.system_row.pk},
            "system_id": lambda: {"system_id": self.system_row.pk},
            "zombie": lambda: {"pk": self.zombie_row.pk},
            "system_body": lambda: {
                "name": "矩阵新系统",
                "functions": "登记",
                "users_scope": "全省",
                "contact_name": "冯工",
                "contact_phone": "0431-1",
                "network_zone": "extranet",
                "funding_source": "fiscal",
            },
            "incident": lambda: {"pk": self.incident_row.pk},
            "em_plan": lambda: {"pk": self.em_plan_row.pk},
            "em_task": lambda: {"pk": self.em_task_row.pk},
            "em_task_id": lambda: {"task_id": self.em_task_row.pk},
            "em_resource": lambda: {"pk": self.em_resource_row.pk},
            "em_evaluation_export": lambda: {"pk": self.incident_row.pk, "fmt": "xlsx"},
            "incident_id": lambda: {"incident_id": self.incident_row.pk},
            "incident_report": lambda: {"pk": self.incident_report_row.pk},
            "sent_report": lambda: {"pk": self.sent_report_row.pk},
            "warning": lambda: {"pk": self.warning_row.pk},
            "subscription": lambda: {"pk": self.subscription_row.pk},
            "incident_body": lambda: {
                "title": "矩阵报告",
                "category": "natural",
                "region_code": "220200",
                "place": "吉林市",
                "description": "矩阵",
            },
            "disclosure_request_body": lambda: {"agency": self.market.pk, "description": "请公开2025年食品抽检结果"},
        }
        return builders[name]()


PEOPLE = (
    "citizen", "outsider", "company", "market_clerk", "market_leader", "market_officer", "police_clerk",
    "police_officer", "egov", "supervisor", "sys_admin", "sec_admin", "audit_admin",
)  # fmt: skip


@pytest.fixture
def world(request: pytest.FixtureRequest, settings: Any, market_dept: Department, police_dept: Department,
          office_dept: Department) -> World:  # fmt: skip
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast people
    people = {name: request.getfixturevalue(name) for name in PEOPLE}
    emergency = request.getfixturevalue("emergency_dept")
    changchun = Region.objects.create(code="220100", name="长春市", level=Region.Level.CITY, parent=market_dept.region)
    cc_emergency = Department.objects.create(
        name="长春市应急管理局", credit_code="11220100MB0000001X", region=changchun, level=Department.Level.CITY
    )
    departments = {
        "market": market_dept,
        "police": police_dept,
        "office": office_dept,
        "emergency": emergency,
        "cc_emergency": cc_emergency,
    }
    for name, (dept, roles) in STAFF.items():
        if name not in people:
            people[name] = make_staff(name, departments[dept], *roles)
    people["market_new"] = User.objects.create_user(
        username="market_new", password="Zhengwu-Test-2026!", kind=User.Kind.STAFF, department=market_dept
    )
    return World(people, market_dept, police_dept, office_dept, emergency)


# --- trying the refused ----------------------------------------------------------------------


class Visitors:
    """One client per person, made when first needed."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.clients: dict[str, Client] = {}

    def __call__(self, persona: str) -> tuple[Client, dict[str, str]]:
        headers: dict[str, str] = {}
        if persona in CLIENTS:
            headers["Authorization"] = f"Bearer {self.world.tokens[persona]}"
        if persona not in self.clients:
            if persona == "anonymous" or persona in CLIENTS:
                self.clients[persona] = Client()
            elif persona in STAFF:  # staff who passed the second factor
                self.clients[persona] = staff_client(self.world.people[persona])
            else:
                self.clients[persona] = person_client(self.world.people[persona])
        return self.clients[persona], headers


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _counts(tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    # the names come from the database's own list of tables, quoted
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return dict(zip(tables, row, strict=True))


@dataclass
class Findings:
    problems: list[str]
    unaudited: list[str]


def _refused_by_message(response: Any) -> bool:
    """A workbench form that refuses in its service answers with the page it came from and an
    error message on it (a 302 whose request carries a message of level ERROR)."""
    if response.status_code != 302 or not hasattr(response, "wsgi_request"):
        return False
    return any(m.level == messages.ERROR for m in messages.get_messages(response.wsgi_request))


def _is_login_redirect(response: Any) -> bool:
    login = resolve_url(settings.LOGIN_URL)
    return response.status_code == 302 and response["Location"].startswith(login)


def _try(
    world: World,
    findings: Findings,
    visitors: Visitors,
    tables: list[str],
    *,
    label: str,
    url: str,
    method: str,
    persona: str,
    entry: Guarded,
    is_api: bool,
) -> None:
    client, headers = visitors(persona)
    headers = {**entry.headers, **headers}
    body = world.args(entry.body) if isinstance(entry.body, str) else entry.body
    before = _counts(tables)
    last_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    if method == "GET":
        response = client.get(url, headers=headers)
    elif is_api:
        response = client.post(url, body, content_type="application/json", headers=headers)
    else:
        response = client.post(url, body, headers=headers)
    after = _counts(tables)
    where = f"{method} {url} as {persona} [{label}]"
    status = response.status_code
    if is_api:
        if status not in REFUSED_API or (persona == "anonymous" and status != 401):
            findings.problems.append(f"{where}: answered {status} {response.content[:200]!r}, expected a refusal")
    elif persona == "anonymous" and persona not in CLIENTS:
        if not (_is_login_redirect(response) or status in REFUSED_PAGE):
            findings.problems.append(f"{where}: answered {status} {response.get('Location', '')}, expected login")
    elif status not in REFUSED_PAGE and not (method in WRITES and _refused_by_message(response)):
        findings.problems.append(f"{where}: answered {status} {response.get('Location', '')}, expected 401/403/404")
    grown = {t: after[t] - before[t] for t in tables if after[t] != before[t]}
    audited = grown.pop(AUDIT_TABLE, 0)
    if url.startswith(EXCHANGE_QUERY) and method == "GET":
        for table in BOOKKEEPING:
            grown.pop(table, None)
    if grown:
        findings.problems.append(f"{where}: wrote {grown}")
    if audited:
        outcomes = list(AuditEvent.objects.filter(seq__gt=last_seq).values_list("action", "outcome"))
        if audited > 1 or any(outcome == AuditEvent.Outcome.SUCCESS for _, outcome in outcomes):
            findings.problems.append(f"{where}: audit events {outcomes}, expected at most one refusal")
    identified = persona != "anonymous"
    if method in WRITES and identified and audited != 1:
        findings.unaudited.append(f"{where}: answered {status}, {audited} audit events, expected one denied/failure")


def _look(
    world: World,
    findings: Findings,
    visitors: Visitors,
    tables: list[str],
    *,
    label: str,
    url: str,
    persona: str,
    entry: Guarded,
) -> None:
    """A list anyone of the role may open: `persona` gets it, without the other department's row."""
    client, headers = visitors(persona)
    before = _counts(tables)
    response = client.get(url, headers={**entry.headers, **headers})
    after = _counts(tables)
    where = f"GET {url} as {persona} [{label}]"
    if response.status_code not in (200, *REFUSED_PAGE):
        findings.problems.append(f"{where}: answered {response.status_code}, expected its own list or a refusal")
    elif world.marker(entry.hidden) in response.content.decode():
        findings.problems.append(f"{where}: shows {entry.hidden} ({world.marker(entry.hidden)}), not theirs")
    grown = {t: after[t] - before[t] for t in tables if after[t] != before[t]}
    if grown:
        findings.problems.append(f"{where}: wrote {grown}")


def _requests(entry: Guarded, world: World, *, route_name: str = "", api_path: str = "") -> list[tuple[str, str]]:
    """(method, url) for each request the entry asks for."""
    base = world.args(entry.args)
    variants = [{**base, entry.verb_arg: verb} for verb in entry.verbs] or [base]
    urls = []
    for kwargs in variants:
        if api_path:
            urls.append(re.sub(r"\{(\w+)\}", lambda m, kw=kwargs: str(kw[m.group(1)]), api_path))  # type: ignore[misc]
        else:
            urls.append(reverse(route_name, kwargs=kwargs or None))
    methods = [m for m, wanted in (("GET", entry.get), ("POST", entry.post)) if wanted]
    return [(method, url + entry.query) for url in urls for method in methods]


def _group(key: str) -> str:
    parts = [p for p in re.split(r"[/ ^]", key) if p]
    if parts[:2] == ["GET", "/api"] or (parts and parts[0] in ("GET", "POST")):
        return "api"
    if parts and parts[0] == "workbench" and len(parts) > 1:
        return "workbench/" + (
            parts[1]
            if parts[1]
            in (
                "audit",
                "exchange",
                "catalog",
                "eservices",
                "disclosure",
                "participation",
                "supervision",
                "documents",
                "governance",
                "emergency",
            )
            else "admin"
        )
    return parts[0] if parts else "portal"


URL_GROUPS = sorted({_group(k) for k, e in URLS.items() if isinstance(e, Guarded)})


def _check_all(world: World, items: list[tuple[str, Guarded, str, str]]) -> Findings:
    findings = Findings([], [])
    visitors = Visitors(world)
    tables = _tables()
    for key, entry, route_name, api_path in items:
        is_api = bool(api_path)
        for method, url in _requests(entry, world, route_name=route_name, api_path=api_path):
            if method == "GET" and entry.allowed:
                client, headers = visitors(entry.allowed)
                response = client.get(url, headers={**entry.headers, **headers})
                if response.status_code not in entry.ok:
                    findings.problems.append(
                        f"GET {url} as {entry.allowed} (who may) answered {response.status_code} [{key}]"
                    )
                elif entry.hidden and world.marker(entry.hidden) not in response.content.decode():
                    findings.problems.append(f"GET {url} as {entry.allowed} (who may) does not show {entry.hidden}")
            if method == "GET" and entry.hidden:
                for persona in entry.hidden_from:
                    _look(world, findings, visitors, tables, label=key, url=url, persona=persona, entry=entry)
            for persona in entry.refused:
                _try(world, findings, visitors, tables, label=key, url=url, method=method, persona=persona, entry=entry,
                     is_api=is_api)  # fmt: skip
    return findings


def _report(findings: Findings) -> None:
    problems = list(findings.problems)
    if REFUSALS_AUDITED:
        problems += [f"unaudited refusal: {line}" for line in findings.unaudited]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.parametrize("group", URL_GROUPS)
def test_every_guarded_url_refuses_and_writes_nothing(world: World, group: str) -> None:
    names = {r.route: r.name for r in walk() if not r.is_api_operation}
    # (an entry whose URL is gone is reported by the test of the entries)
    items = [
        (k, e, names[k], "") for k, e in URLS.items() if isinstance(e, Guarded) and _group(k) == group and k in names
    ]
    _report(_check_all(world, items))


def test_every_guarded_operation_refuses_and_writes_nothing(world: World) -> None:
    items = [(k, e, "", k.split(" ", 1)[1]) for k, e in OPERATIONS.items() if isinstance(e, Guarded)]
    _report(_check_all(world, items))


def test_matrix_entries_name_known_people() -> None:
    from zhengwu.tests.refusal_matrix import PERSONAS

    for key, entry in {**URLS, **OPERATIONS}.items():
        if isinstance(entry, Public):
            continue
        unknown = [p for p in (*entry.refused, *entry.hidden_from, entry.allowed) if p and p not in PERSONAS]
        assert not unknown, f"{key}: unknown people {unknown}"
        assert entry.get or entry.post, f"{key}: neither GET nor POST"
