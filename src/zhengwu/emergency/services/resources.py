"""Resources (应急资源): registered by the command staff; committed (调用) to one incident at a time:
of two commitments of one resource at once exactly one wins (the resource row is locked and
checked fresh; a partial unique index on the live commitment is the last guard); released by the
command staff or when the response ends (docs/rules.md §15)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.accounts.models import Department
from zhengwu.audit.write import audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, required_text
from zhengwu.emergency.audit_actions import EmergencyAction
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import Commitment, Resource, ResourceKind
from zhengwu.emergency.services import incident_link
from zhengwu.emergency.services.common import is_command

Incident = incident_link.Incident

# 吉林省 and a margin around it: a location outside is a typing error (docs/rules.md §15)
LAT_RANGE = (38.0, 49.0)
LNG_RANGE = (119.0, 134.0)


@dataclass(frozen=True)
class ResourceData:
    kind: str
    name: str
    department: Department
    lat: float
    lng: float
    region_code: str = ""
    address: str = ""
    quantity: int | None = None
    unit: str = ""
    stock_point: str = ""
    size: int | None = None
    specialty: str = ""
    capacity: int | None = None
    contact: str = ""
    phone: str = ""


def check_location(lat: float, lng: float) -> None:
    if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
        raise ApplicationError(
            EmergencyError.INVALID_INPUT, f"纬度应在 {LAT_RANGE[0]} 至 {LAT_RANGE[1]} 之间。", {"lat": "超出范围"}
        )
    if not (LNG_RANGE[0] <= lng <= LNG_RANGE[1]):
        raise ApplicationError(
            EmergencyError.INVALID_INPUT, f"经度应在 {LNG_RANGE[0]} 至 {LNG_RANGE[1]} 之间。", {"lng": "超出范围"}
        )


_AMOUNT = {
    ResourceKind.SUPPLY: ("quantity", "物资数量"),
    ResourceKind.TEAM: ("size", "队伍人数"),
    ResourceKind.SHELTER: ("capacity", "容纳人数"),
}


def resource_create(*, actor: Actor, data: ResourceData) -> Resource:
    with audited_write(actor, EmergencyAction.RESOURCE_CREATE) as write:
        write.require(is_command(actor), "只有应急指挥长或值班员可以登记应急资源。")
        if data.kind not in ResourceKind.values:
            raise ApplicationError(EmergencyError.INVALID_INPUT, "请选择资源类别。", {"kind": "必选"})
        name = required_text(
            data.name, field="name", what="资源名称", code=EmergencyError.INVALID_INPUT, max_length=200
        )
        check_location(data.lat, data.lng)
        if data.kind in _AMOUNT:
            attr, what = _AMOUNT[ResourceKind(data.kind)]
            value = getattr(data, attr)
            if value is None or value < 1:
                raise ApplicationError(EmergencyError.INVALID_INPUT, f"请填写{what}（至少为 1）。", {attr: "必填"})
        values = {k: v for k, v in data.__dict__.items() if k not in ("name",)}
        resource = Resource.objects.create(name=name, **values)
        write.set_target(resource)
        write.note(kind=resource.kind, name=name)
    return resource


def resource_commit(*, actor: Actor, resource: Resource, incident: Incident, note: str = "") -> Commitment:
    """调用: the resource serves this incident until released; a resource already committed (to
    this or another incident) is refused with who holds it."""
    with audited_write(actor, EmergencyAction.RESOURCE_COMMIT, resource) as write:
        locked = write.lock(resource)
        incident = Incident.objects.select_related("region").get(pk=incident.pk)  # its state now
        write.require(
            incident_link.is_duty_for(actor, incident), "只有事发地应急管理部门的指挥长或值班员可以调用应急资源。"
        )
        if not incident_link.is_responding(incident):
            raise ApplicationError(EmergencyError.WRONG_STATE, "事件不在响应或处置阶段，不能调用资源。")
        if locked.committed_to_id is not None:
            raise ApplicationError(
                EmergencyError.RESOURCE_TAKEN,
                f"“{locked.name}”已调用于其他事件（{locked.committed_to}），不能重复调用。"
                if locked.committed_to_id != incident.pk
                else f"“{locked.name}”已调用于本事件。",
                {"resource": "已被调用"},
                status=409,
            )
        try:
            with transaction.atomic():
                commitment = Commitment.objects.create(
                    resource=locked, incident=incident, committed_by=actor.user, note=(note or "").strip()[:200]
                )
        except IntegrityError:  # a concurrent commitment won (databases without row locks)
            raise ApplicationError(
                EmergencyError.RESOURCE_TAKEN, f"“{locked.name}”已被调用，不能重复调用。", status=409
            ) from None
        locked.committed_to = incident
        locked.save(update_fields=["committed_to"])
        write.note(incident=incident.pk, name=locked.name)
    resource.refresh_from_db()
    return commitment


def _release(resource: Resource) -> None:
    Commitment.objects.filter(resource=resource, released_at__isnull=True).update(released_at=timezone.now())
    resource.committed_to = None
    resource.save(update_fields=["committed_to"])


def resource_release(*, actor: Actor, resource: Resource) -> Resource:
    with audited_write(actor, EmergencyAction.RESOURCE_RELEASE, resource) as write:
        locked = write.lock(resource)
        write.require(is_command(actor), "只有应急指挥长或值班员可以释放应急资源。")
        if locked.committed_to_id is None:
            raise ApplicationError(EmergencyError.WRONG_STATE, f"“{locked.name}”未被调用。")
        write.note(incident=locked.committed_to_id)
        _release(locked)
    return locked


def release_all(*, actor: Actor, incident: Incident) -> int:
    """Release every resource committed to the incident (when its response ends)."""
    count = 0
    for resource in Resource.objects.select_for_update().filter(committed_to=incident):
        with audited_write(actor, EmergencyAction.RESOURCE_RELEASE, resource) as write:
            write.note(incident=incident.pk, reason="应急响应终止")
            _release(resource)
        count += 1
    return count
