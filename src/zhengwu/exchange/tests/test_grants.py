"""grants_in_force / grant_in_force: the one reading of "a grant in force" (not revoked, within its
validity) that objections, the once-only fetch and counts share."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zhengwu.accounts.models import Department
from zhengwu.catalog.models import Resource
from zhengwu.exchange.sharing.grants import grant_in_force, grants_in_force
from zhengwu.exchange.sharing.models import Grant
from zhengwu.exchange.tests import test_sharing_helpers as helpers

pytestmark = pytest.mark.django_db

people, market_grant = helpers.people, helpers.market_grant


def test_a_live_grant_is_in_force(market_grant: Grant, market_dept: Department, people: Resource) -> None:
    assert list(grants_in_force(market_dept, people)) == [market_grant]
    assert grant_in_force(market_dept, people) == market_grant


def test_another_consumer_has_none(market_grant: Grant, police_dept: Department, people: Resource) -> None:
    assert grant_in_force(police_dept, people) is None


@pytest.mark.parametrize(
    "change",
    [
        {"revoked_at": timezone.now()},
        {"valid_until": timezone.now() - timedelta(seconds=1)},
        {"valid_from": timezone.now() + timedelta(days=1)},
    ],
    ids=["revoked", "expired", "not yet valid"],
)
def test_revoked_expired_or_future_grants_are_not_in_force(
    market_grant: Grant, market_dept: Department, people: Resource, change: dict[str, object]
) -> None:
    Grant.objects.filter(pk=market_grant.pk).update(**change)
    assert not grants_in_force(market_dept, people).exists()
    assert grant_in_force(market_dept, people) is None
