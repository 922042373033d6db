"""Writes of the accounts app: departments, people, roles, second factor, API clients.

Each service is keyword-only, atomic, validated and audited (docs/design.md rule 1).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengwu.accounts import sms
from zhengwu.accounts.errors import AccountsError
from zhengwu.accounts.models import THREE_ADMINS, ApiClient, Department, PhoneCode, Region, Role, RoleAssignment, User
from zhengwu.audit.services import record
from zhengwu.core.crypto import blind_index, constant_time_equal, sm3_hex, sm3_hmac_hex
from zhengwu.core.errors import ApplicationError, from_validation_error, permission_denied
from zhengwu.core.idnumbers import validate_credit_code, validate_resident_id

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{3,31}$")
PHONE_CODE_TTL = timedelta(minutes=10)
PHONE_CODE_INTERVAL = timedelta(seconds=60)
PHONE_CODE_MAX_ATTEMPTS = 5


def _require_role(actor: User, *roles: str) -> None:
    if not actor.has_role(*roles):
        raise permission_denied()


def _clean(instance: object) -> None:
    try:
        instance.full_clean()  # type: ignore[attr-defined]
    except ValidationError as error:
        raise from_validation_error(error) from None


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(
            AccountsError.WEAK_PASSWORD, "；".join(error.messages), {"password": "；".join(error.messages)}
        ) from None


def _check_username(username: str) -> None:
    if not USERNAME_RE.match(username):
        raise ApplicationError(
            AccountsError.INVALID_USERNAME,
            "用户名须以字母开头，由 4–32 位字母、数字、下划线、点或连字符组成。",
            {"username": "格式不正确"},
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(AccountsError.USERNAME_TAKEN, "该用户名已被使用。", {"username": "已被使用"})


def _check_phone(phone: str) -> str:
    phone = phone.strip()
    if not PHONE_RE.match(phone):
        raise ApplicationError(
            AccountsError.INVALID_PHONE, "手机号码格式不正确，应为 11 位大陆手机号。", {"phone": "格式不正确"}
        )
    return phone


# --- regions and departments -------------------------------------------------------------


def region_ensure(*, code: str, name: str, level: str, parent: Region | None) -> Region:
    """Create or update a region row from GB/T 2260 data (used by the demo and the loader)."""
    region, _ = Region.objects.update_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
    return region


@transaction.atomic
def department_create(
    *,
    actor: User | None,
    name: str,
    credit_code: str,
    region: Region,
    level: str,
    parent: Department | None = None,
    short_name: str = "",
    request: HttpRequest | None = None,
) -> Department:
    """Register a department. Only the system administrator may (None = the platform itself, e.g. the demo)."""
    if actor is not None:
        _require_role(actor, Role.SYS_ADMIN)
    code = validate_credit_code(credit_code).code
    if Department.objects.filter(credit_code=code).exists():
        raise ApplicationError(
            AccountsError.DUPLICATE_DEPARTMENT, f"统一社会信用代码 {code} 已登记。", {"credit_code": "已登记"}
        )
    department = Department(
        name=name.strip(), short_name=short_name, credit_code=code, region=region, level=level, parent=parent
    )
    _clean(department)
    department.save()
    record(actor=actor, action="accounts.department_create", target=department, request=request, details={"name": name})
    return department


# --- people ---------------------------------------------------------------------------


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    username: str,
    real_name: str,
    department: Department,
    password: str = "",
    password_hash: str = "",
    roles: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> User:
    """Create a staff account (system administrator's duty).

    Give `password` (checked against the complexity rules), or for bulk onboarding one
    `password_hash` made once with `make_password` from an initial password checked by the caller.
    """
    if actor is not None:
        _require_role(actor, Role.SYS_ADMIN)
    _check_username(username)
    if not real_name.strip():
        raise ApplicationError(AccountsError.INVALID_INPUT, "请填写姓名。", {"real_name": "必填"})
    user = User(username=username, real_name=real_name.strip(), kind=User.Kind.STAFF, department=department)
    if password_hash:
        user.password = password_hash
    else:
        _check_password(password, user)
        user.set_password(password)
    _clean(user)
    user.save()
    record(actor=actor, action="accounts.staff_create", target=user, request=request, department=department)
    role_list = list(roles)
    if role_list:
        _assign_roles(actor=actor, user=user, roles=role_list, request=request)
    return user


def _validate_role_set(roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise ApplicationError(AccountsError.UNKNOWN_ROLE, "未知角色：" + "、".join(sorted(unknown)))
    admins = roles & THREE_ADMINS
    if len(admins) > 1:
        labels = "、".join(Role(r).label for r in sorted(admins))
        raise ApplicationError(
            AccountsError.ADMIN_ROLES_COMBINED,
            f"三员分立：系统管理员、安全管理员、审计管理员不得由同一账号兼任（所选：{labels}）。",
            {"roles": "三员角色互斥"},
        )


def _assign_roles(*, actor: User | None, user: User, roles: Iterable[str], request: HttpRequest | None) -> None:
    wanted = {str(r) for r in roles}
    _validate_role_set(wanted)
    if user.kind != User.Kind.STAFF:
        raise ApplicationError(AccountsError.NOT_STAFF, "只有工作人员账号可以授予角色。")
    current = set(user.role_assignments.values_list("role", flat=True))
    RoleAssignment.objects.filter(user=user).exclude(role__in=wanted).delete()
    for role in wanted - current:
        RoleAssignment.objects.create(user=user, role=role, granted_by=actor)
    user.forget_roles()
    record(
        actor=actor,
        action="accounts.roles_set",
        target=user,
        request=request,
        details={"added": sorted(wanted - current), "removed": sorted(current - wanted)},
    )


@transaction.atomic
def user_set_roles(*, actor: User, user: User, roles: Iterable[str], request: HttpRequest | None = None) -> None:
    """Replace a staff user's roles. The security administrator grants roles, never to themself."""
    _require_role(actor, Role.SEC_ADMIN)
    if actor.pk == user.pk:
        raise permission_denied("不能修改自己的角色。")
    locked = User.objects.select_for_update().get(pk=user.pk)
    _assign_roles(actor=actor, user=locked, roles=roles, request=request)


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool, request: HttpRequest | None = None) -> None:
    _require_role(actor, Role.SYS_ADMIN)
    if actor.pk == user.pk:
        raise permission_denied("不能停用自己的账号。")
    User.objects.filter(pk=user.pk).update(is_active=active)
    record(
        actor=actor, action="accounts.user_enable" if active else "accounts.user_disable", target=user, request=request
    )


def phone_code_send(*, phone: str, now: datetime | None = None) -> None:
    """Send a 6-digit verification code (no more than one a minute per number)."""
    phone = _check_phone(phone)
    moment = now or timezone.now()
    index = blind_index(phone, purpose="phone")
    last = PhoneCode.objects.filter(phone_index=index).order_by("-created_at").first()
    if last is not None and moment - last.created_at < PHONE_CODE_INTERVAL:
        raise ApplicationError(
            AccountsError.CODE_TOO_FREQUENT, "验证码发送过于频繁，请一分钟后再试。", {"phone": "请稍后再试"}
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    PhoneCode.objects.create(phone_index=index, code_hash=_code_hash(index, code), created_at=moment)
    sms.send(phone, f"【政务服务平台】您的验证码是 {code}，10 分钟内有效。请勿泄露。")


def _code_hash(index: str, code: str) -> str:
    return sm3_hmac_hex(bytes(settings.ZHENGWU_DATA_KEY), f"phone-code:{index}:{code}")


def _phone_code_check(phone: str, code: str) -> None:
    index = blind_index(phone, purpose="phone")
    entry = (
        PhoneCode.objects.select_for_update()
        .filter(phone_index=index, used_at__isnull=True, created_at__gte=timezone.now() - PHONE_CODE_TTL)
        .order_by("-created_at")
        .first()
    )
    wrong = ApplicationError(
        AccountsError.WRONG_CODE, "短信验证码错误或已过期，请重新获取。", {"phone_code": "验证码错误"}
    )
    if entry is None or entry.attempts >= PHONE_CODE_MAX_ATTEMPTS:
        raise wrong
    if not constant_time_equal(entry.code_hash, _code_hash(index, code.strip())):
        # Counted outside the caller's transaction so a failed registration still counts the attempt.
        PhoneCode.objects.filter(pk=entry.pk).update(attempts=entry.attempts + 1)
        raise wrong
    entry.used_at = timezone.now()
    entry.save(update_fields=["used_at"])


def citizen_register(
    *,
    username: str,
    real_name: str,
    id_number: str,
    phone: str,
    phone_code: str,
    password: str,
    request: HttpRequest | None = None,
) -> User:
    """Real-name registration of a natural person (实名注册): ID number, name, verified phone."""
    resident = validate_resident_id(id_number)
    phone = _check_phone(phone)
    if not real_name.strip():
        raise ApplicationError(AccountsError.INVALID_INPUT, "请填写真实姓名。", {"real_name": "必填"})
    _check_username(username)
    if User.objects.filter(
        kind=User.Kind.CITIZEN, id_number_index=blind_index(resident.number, purpose="resident-id")
    ).exists():
        raise ApplicationError(
            AccountsError.ID_REGISTERED, "该身份证号码已注册，请直接登录或找回密码。", {"id_number": "已注册"}
        )
    user = User(
        username=username,
        real_name=real_name.strip(),
        kind=User.Kind.CITIZEN,
        id_number=resident.number,
        phone=phone,
    )
    _check_password(password, user)
    user.set_password(password)
    # The code is checked last and in its own step so a wrong code still counts as an attempt.
    _phone_code_check(phone, phone_code)
    with transaction.atomic():
        user.phone_verified_at = timezone.now()
        try:
            user.save()
        except IntegrityError:
            raise ApplicationError(
                AccountsError.ID_REGISTERED, "该身份证号码已注册。", {"id_number": "已注册"}
            ) from None
        record(actor=user, action="accounts.citizen_register", target=user, request=request)
    return user


def enterprise_register(
    *,
    username: str,
    enterprise_name: str,
    credit_code: str,
    agent_name: str,
    agent_id_number: str,
    phone: str,
    phone_code: str,
    password: str,
    request: HttpRequest | None = None,
) -> User:
    """Registration of an enterprise (法人) account, acted for by a named, real-name person."""
    company = validate_credit_code(credit_code)
    agent = validate_resident_id(agent_id_number)
    phone = _check_phone(phone)
    if not enterprise_name.strip():
        raise ApplicationError(AccountsError.INVALID_INPUT, "请填写单位名称。", {"enterprise_name": "必填"})
    if not agent_name.strip():
        raise ApplicationError(AccountsError.INVALID_INPUT, "请填写经办人姓名。", {"agent_name": "必填"})
    _check_username(username)
    user = User(
        username=username,
        kind=User.Kind.ENTERPRISE,
        real_name=agent_name.strip(),
        id_number=agent.number,
        phone=phone,
        enterprise_name=enterprise_name.strip(),
        enterprise_credit_code=company.code,
    )
    _check_password(password, user)
    user.set_password(password)
    _phone_code_check(phone, phone_code)
    with transaction.atomic():
        user.phone_verified_at = timezone.now()
        user.save()
        record(
            actor=user,
            action="accounts.enterprise_register",
            target=user,
            request=request,
            details={"credit_code": company.code},
        )
    return user


def password_change(*, user: User, old_password: str, new_password: str, request: HttpRequest | None = None) -> None:
    # A wrong old password is recorded outside any transaction, so the refusal stays on record.
    if not user.check_password(old_password):
        record(actor=user, action="accounts.password_change", target=user, outcome="failure", request=request)
        raise ApplicationError(AccountsError.WRONG_PASSWORD, "原密码不正确。", {"old_password": "不正确"})
    if old_password == new_password:
        raise ApplicationError(
            AccountsError.WEAK_PASSWORD, "新密码不能与原密码相同。", {"new_password": "与原密码相同"}
        )
    _check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        record(actor=user, action="accounts.password_change", target=user, request=request)


def password_expired(user: User, now: datetime | None = None) -> bool:
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if not max_age or user.kind != User.Kind.STAFF:
        return False
    return (now or timezone.now()) - user.password_changed_at > timedelta(days=max_age)


# --- second factor (TOTP) -------------------------------------------------------------


def totp_enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device a staff user is enrolling (created on first need)."""
    if user.kind != User.Kind.STAFF:
        raise permission_denied("只有工作人员需要绑定动态口令。")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=False)
    return device


def totp_enrol_confirm(*, user: User, token: str, request: HttpRequest | None = None) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise ApplicationError(AccountsError.NO_ENROLMENT, "没有待绑定的动态口令，请刷新页面重新扫码。")
    # Checked outside a transaction: the throttle counter and the failure record must persist.
    if not device.verify_token(token.strip()):
        record(actor=user, action="accounts.totp_enrol", target=user, outcome="failure", request=request)
        raise ApplicationError(AccountsError.WRONG_TOKEN, "动态口令不正确，请核对手机时间后重试。", {"token": "不正确"})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save()
        record(actor=user, action="accounts.totp_enrol", target=user, request=request)
    return device


@transaction.atomic
def totp_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """Security administrator: remove a lost authenticator so the user enrols again at next login."""
    _require_role(actor, Role.SEC_ADMIN)
    TOTPDevice.objects.filter(user=user).delete()
    record(actor=actor, action="accounts.totp_reset", target=user, request=request)


# --- API clients ----------------------------------------------------------------------

TOKEN_PREFIX = "zw_"  # noqa: S105 - a public marker, not a secret


def _token_hash(secret: str) -> str:
    return sm3_hex(secret)


@transaction.atomic
def apiclient_create(
    *,
    actor: User,
    name: str,
    department: Department,
    scopes: Iterable[str],
    expires_at: datetime,
    request: HttpRequest | None = None,
) -> tuple[ApiClient, str]:
    """Register a department system. Returns the client and its token, shown once and stored hashed."""
    _require_role(actor, Role.SYS_ADMIN)
    scope_list = sorted({str(s) for s in scopes})
    unknown = set(scope_list) - set(ApiClient.Scope.values)
    if not scope_list or unknown:
        raise ApplicationError(AccountsError.INVALID_SCOPE, "请选择有效的授权范围。", {"scopes": "无效"})
    if expires_at <= timezone.now():
        raise ApplicationError(AccountsError.INVALID_INPUT, "有效期须晚于当前时间。", {"expires_at": "已过期"})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        name=name.strip(),
        department=department,
        token_prefix=prefix,
        token_hash=_token_hash(secret),
        scopes=scope_list,
        expires_at=expires_at,
        created_by=actor,
    )
    _clean(client)
    client.save()
    record(
        actor=actor,
        action="accounts.apiclient_create",
        target=client,
        request=request,
        details={"scopes": scope_list, "expires_at": expires_at.isoformat()},
    )
    return client, f"{TOKEN_PREFIX}{prefix}_{secret}"


@transaction.atomic
def apiclient_revoke(*, actor: User, client: ApiClient, request: HttpRequest | None = None) -> None:
    _require_role(actor, Role.SYS_ADMIN)
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    if locked.revoked_at is not None:
        raise ApplicationError(AccountsError.ALREADY_REVOKED, "该凭证已被吊销。")
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    record(actor=actor, action="accounts.apiclient_revoke", target=locked, request=request)


LAST_USED_RESOLUTION = timedelta(minutes=1)


def apiclient_authenticate(token: str) -> ApiClient | None:
    """The usable client a bearer token belongs to, or None. Updates `last_used_at` (coarsely)."""
    if not token.startswith(TOKEN_PREFIX) or token.count("_") < 2:
        return None
    prefix, _, secret = token[len(TOKEN_PREFIX) :].partition("_")
    client = ApiClient.objects.select_related("department").filter(token_prefix=prefix).first()
    if client is None or not constant_time_equal(client.token_hash, _token_hash(secret)):
        return None
    now = timezone.now()
    if not client.is_usable(now):
        return None
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
        # Coarse on purpose: one write a minute per client, not one per call.
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client


@transaction.atomic
def user_unlock(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """Security administrator: lift a login lock-out (django-axes) before it expires."""
    from axes.utils import reset

    _require_role(actor, Role.SEC_ADMIN)
    reset(username=user.username)
    record(actor=actor, action="accounts.unlock", target=user, request=request)


@transaction.atomic
def regions_load(*, root_code: str) -> int:
    """Load a GB/T 2260 division and everything under it into the Region table. Returns rows written."""
    from zhengwu.core.regions import divisions_under

    by_code: dict[str, Region] = {}
    count = 0
    for division in divisions_under(root_code):
        parent = by_code.get(division.parent_code or "") or (
            Region.objects.filter(code=division.parent_code).first() if division.parent_code else None
        )
        by_code[division.code] = region_ensure(
            code=division.code, name=division.name, level=division.level, parent=parent
        )
        count += 1
    return count
