"""The log cannot be changed, and cannot be deleted within the retention period (model layer and
database triggers); expired events can be purged, and the purge is itself recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from zhengwu.accounts.audit_actions import AccountsAction
from zhengwu.accounts.models import User
from zhengwu.audit import services
from zhengwu.audit.errors import AuditError
from zhengwu.audit.models import AuditChainHead, AuditEvent
from zhengwu.audit.tests.helpers import clock, expected_triggers, installed_triggers, make_events, raw
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, CoreError

pytestmark = pytest.mark.django_db


def _days_ago(days: int) -> timezone.datetime:
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def old_and_new() -> list[AuditEvent]:
    """Three events from 300, 250 and 200 days ago, then two from today."""
    events = []
    for days in (300, 250, 200):
        with clock(_days_ago(days)):
            events += make_events(1)
    return events + make_events(2)


class TestModelLayer:
    def test_a_stored_event_cannot_be_saved_again(self) -> None:
        (event,) = make_events(1)
        event.outcome = "failure"
        with pytest.raises(ApplicationError) as caught:
            event.save()
        assert caught.value.code == AuditError.APPEND_ONLY

    def test_events_can_only_be_appended_through_record(self) -> None:
        with pytest.raises(ApplicationError):
            AuditEvent.objects.create(seq=1, at=timezone.now(), action="x.y", outcome="success", zone="all")
        with pytest.raises(ApplicationError):
            AuditEvent.objects.bulk_create([AuditEvent(seq=1)])
        make_events(1)
        with pytest.raises(ApplicationError):
            AuditEvent.objects.update(outcome="failure")
        assert AuditEvent.objects.get().outcome == "success"

    def test_young_events_cannot_be_deleted(self, old_and_new: list[AuditEvent]) -> None:
        with pytest.raises(ApplicationError) as caught:
            old_and_new[-1].delete()
        assert caught.value.code == AuditError.WITHIN_RETENTION
        with pytest.raises(ApplicationError):
            AuditEvent.objects.all().delete()
        assert AuditEvent.objects.count() == 5

    def test_retention_longer_than_the_minimum_is_honoured(self, settings, old_and_new: list[AuditEvent]) -> None:  # type: ignore[no-untyped-def]
        settings.AUDIT_RETENTION_DAYS = 365
        with pytest.raises(ApplicationError):
            old_and_new[0].delete()  # 300 days old: expired under 180, not under 365
        with pytest.raises(ApplicationError):
            services.purge_expired(actor=Actor.platform(), before=_days_ago(290))

    def test_the_actor_of_an_event_cannot_be_deleted(self, market_clerk: User) -> None:
        services.record_action(Actor.person(market_clerk), AccountsAction.LOGIN)
        with pytest.raises(ProtectedError):
            market_clerk.delete()


class TestDatabaseTriggers:
    def test_triggers_are_installed(self) -> None:
        assert expected_triggers() <= installed_triggers()

    def test_raw_update_is_refused(self) -> None:
        make_events(2)
        with pytest.raises(DatabaseError), transaction.atomic():
            raw("UPDATE audit_auditevent SET outcome = 'failure' WHERE seq = 1")
        assert services.verify_chain().ok

    def test_raw_delete_of_a_young_event_is_refused(self, old_and_new: list[AuditEvent]) -> None:
        with pytest.raises(DatabaseError), transaction.atomic():
            raw("DELETE FROM audit_auditevent WHERE seq = 5")
        assert AuditEvent.objects.count() == 5

    def test_raw_delete_of_an_expired_event_is_allowed(self, old_and_new: list[AuditEvent]) -> None:
        assert raw("DELETE FROM audit_auditevent WHERE seq = 1") == 1

    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE audit_auditchainhead SET seq = seq - 1",
            "UPDATE audit_auditchainhead SET seq = seq + 5",
            "DELETE FROM audit_auditchainhead",
        ],
    )
    def test_the_chain_head_cannot_be_rewound_or_removed(self, sql: str) -> None:
        make_events(3)
        with pytest.raises(DatabaseError), transaction.atomic():
            raw(sql)
        assert AuditChainHead.objects.get().seq == 3


class TestPurge:
    def test_purge_removes_expired_events_and_the_chain_still_verifies(
        self, audit_admin: User, old_and_new: list[AuditEvent]
    ) -> None:
        deleted = services.purge_expired(actor=Actor.person(audit_admin), before=_days_ago(220))
        assert deleted == 2
        assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [3, 4, 5, 6]
        purge = AuditEvent.objects.get(action="audit.purge")
        assert purge.actor == audit_admin
        assert purge.details["through_seq"] == 2 and purge.details["deleted"] == 2
        assert purge.details["through_hash"] == old_and_new[1].hash
        result = services.verify_chain()
        assert result.ok and result.checked == 4

    def test_purges_can_follow_each_other(self, old_and_new: list[AuditEvent]) -> None:
        assert services.purge_expired(actor=Actor.platform(), before=_days_ago(280)) == 1
        assert services.purge_expired(actor=Actor.platform(), before=_days_ago(190)) == 2
        assert services.purge_expired(actor=Actor.platform(), before=_days_ago(190)) == 0
        assert AuditEvent.objects.filter(action="audit.purge").count() == 3
        assert services.verify_chain().ok

    def test_a_forged_purge_anchor_does_not_help(self, old_and_new: list[AuditEvent]) -> None:
        """Deleting old events without a purge is noticed even though the trigger allows it."""
        raw("DELETE FROM audit_auditevent WHERE seq <= 2")
        result = services.verify_chain()
        assert (result.ok, result.first_bad_seq) == (False, 1)

    def test_purge_within_retention_is_refused(self, audit_admin: User, old_and_new: list[AuditEvent]) -> None:
        with pytest.raises(ApplicationError) as caught:
            services.purge_expired(actor=Actor.person(audit_admin), before=_days_ago(100))
        assert caught.value.code == AuditError.WITHIN_RETENTION
        assert AuditEvent.objects.count() == 6  # the five kept, and the refusal
        refusal = AuditEvent.objects.get(action="audit.purge")
        assert (refusal.outcome, refusal.actor) == (AuditEvent.Outcome.FAILURE, audit_admin)
        assert refusal.details["code"] == AuditError.WITHIN_RETENTION
        assert services.verify_chain().ok

    @pytest.mark.parametrize("who", ["sys_admin", "sec_admin", "market_clerk", "citizen"])
    def test_only_the_audit_administrator_may_purge(
        self, who: str, request: pytest.FixtureRequest, old_and_new: list[AuditEvent]
    ) -> None:
        user = request.getfixturevalue(who)
        with pytest.raises(ApplicationError) as caught:
            services.purge_expired(actor=Actor.person(user), before=_days_ago(220))
        assert caught.value.code == CoreError.PERMISSION_DENIED
        assert AuditEvent.objects.count() == 6  # the five kept, and the refusal
        refusal = AuditEvent.objects.get(action="audit.purge")
        assert (refusal.outcome, refusal.actor) == (AuditEvent.Outcome.DENIED, user)


@pytest.mark.django_db(transaction=True)
def test_django_flush_still_empties_the_log() -> None:
    """Django's flush (and the test runner between transactional tests) may empty the tables;
    afterwards the chain starts again at 1."""
    make_events(3)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    assert services.verify_chain().ok
    (event,) = make_events(1)
    assert event.seq == 1
    assert services.verify_chain().ok
    assert expected_triggers() <= installed_triggers()
