"""A refused write of the exchange leaves one row in the audit log (denied or failure) and changes
nothing else (docs/design.md rule 1: refusals are recorded outside the rolled-back transaction)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.catalog.models import Resource
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.sharing import services as sharing
from zhengwu.exchange.sharing import subscriptions
from zhengwu.exchange.sharing.models import Grant, Objection, ShareRequest, Subscription
from zhengwu.exchange.store.models import LoadJob
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.exchange.tests.test_sharing_helpers import CITIZEN_ID, request_people
from zhengwu.supervision.models import Timer

people, market_grant = helpers.people, helpers.market_grant

pytestmark = pytest.mark.django_db

TABLES = (ShareRequest, Grant, Objection, Subscription, Timer, LoadJob)


def refused(call: Callable[[], object], action: str, outcome: str, *rows: Any) -> ApplicationError:
    """`call` is refused; the audit log gains exactly one `action` row with `outcome`; nothing else moves."""
    return refused_write(call, models=TABLES, rows=rows, action=action, outcome=outcome)[0]


def test_a_citizen_cannot_ask_for_a_resource(citizen: User, people: Resource) -> None:
    refused(partial(request_people, citizen, people), "exchange.share_request_create", "denied")


def test_a_request_with_bad_input_is_refused_and_audited(market_clerk: User, people: Resource) -> None:
    call = partial(request_people, market_clerk, people, items=["nope"])
    refused(call, "exchange.share_request_create", "failure")


def test_deciding_another_departments_request_is_refused(
    market_clerk: User, market_officer: User, police_officer: User, people: Resource
) -> None:
    share_request = request_people(market_clerk, people)
    approve = partial(sharing.share_request_approve, actor=Actor.person(market_officer), share_request=share_request)
    refused(approve, "exchange.share_request_approve", "denied", share_request)
    refuse = partial(
        sharing.share_request_refuse, actor=Actor.person(police_officer), share_request=share_request, reason=" "
    )
    refused(refuse, "exchange.share_request_refuse", "failure", share_request)


def test_a_decided_request_cannot_be_decided_again(market_clerk: User, police_officer: User, people: Resource) -> None:
    share_request = request_people(market_clerk, people)
    sharing.share_request_approve(actor=Actor.person(police_officer), share_request=share_request)
    again = partial(
        sharing.share_request_refuse, actor=Actor.person(police_officer), share_request=share_request, reason="晚了"
    )
    error = refused(again, "exchange.share_request_refuse", "failure", share_request)
    assert error.code == "exchange.wrong_state" and error.status == 409
    withdraw = partial(sharing.share_request_withdraw, actor=Actor.person(market_clerk), share_request=share_request)
    refused(withdraw, "exchange.share_request_withdraw", "failure", share_request)


def test_only_the_egov_office_coordinates(market_clerk: User, police_officer: User, people: Resource) -> None:
    Resource.objects.filter(pk=people.pk).update(share_type="none")
    people.refresh_from_db()
    share_request = request_people(market_clerk, people)
    call = partial(
        sharing.share_request_coordinate,
        actor=Actor.person(police_officer),
        share_request=share_request,
        approve=True,
        note="同意",
    )
    refused(call, "exchange.share_request_coordinate", "denied", share_request)


def test_revoking_a_grant_needs_the_provider_or_the_egov_office(market_grant: Grant, market_clerk: User) -> None:
    call = partial(sharing.grant_revoke, actor=Actor.person(market_clerk), grant=market_grant, reason="不用了")
    refused(call, "exchange.grant_revoke", "denied", market_grant)


def test_objections_are_refused_to_others_and_answered_by_the_provider_only(
    market_grant: Grant, market_clerk: User, police_clerk: User
) -> None:
    create = partial(
        sharing.objection_create,
        actor=Actor.person(police_clerk),
        resource=market_grant.resource,
        record_key=CITIZEN_ID,
        field="zz",
        evidence="x",
    )
    refused(create, "exchange.objection_create", "denied")
    objection = sharing.objection_create(
        actor=Actor.person(market_clerk),
        resource=market_grant.resource,
        record_key=CITIZEN_ID,
        field="zz",
        evidence="核实",
    )
    resolve = partial(
        sharing.objection_resolve, actor=Actor.person(market_clerk), objection=objection, corrected=True, answer="已改"
    )
    refused(resolve, "exchange.objection_resolve", "denied", objection)


def test_subscriptions_are_refused_to_other_departments(
    market_grant: Grant, market_clerk: User, police_clerk: User
) -> None:
    create = partial(
        subscriptions.subscription_create,
        actor=Actor.person(police_clerk),
        grant=market_grant,
        mode=Subscription.Mode.PULL,
    )
    refused(create, "exchange.subscription_create", "denied", market_grant)
    subscription, _ = subscriptions.subscription_create(
        actor=Actor.person(market_clerk), grant=market_grant, mode=Subscription.Mode.PULL
    )
    cancel = partial(subscriptions.subscription_cancel, actor=Actor.person(police_clerk), subscription=subscription)
    refused(cancel, "exchange.subscription_cancel", "denied", subscription)


def test_only_the_providers_data_officer_loads(people: Resource, market_officer: User, tmp_path: Any) -> None:
    from zhengwu.exchange.store import ingest

    path = tmp_path / "people.csv"
    path.write_text("sfzh,xm\n", encoding="utf-8")
    call = partial(ingest.loadjob_create, actor=Actor.person(market_officer), resource=people, path=path)
    refused(call, "exchange.load", "denied", people)
