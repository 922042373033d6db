"""Writes of the accounts app: departments, people, roles, second factor, API clients.

Each service is keyword-only, acts for an `Actor` and writes through `audited_write`: authorized
on the locked row, validated, audited; a refusal is recorded too (docs/design.md rules 1 and 5).
Accounts has no model with a state field, so no state machine: an API client is revoked by its
`revoked_at`, an account disabled by `is_active`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengwu.accounts import sms
from zhengwu.accounts.audit_actions import AccountsAction
from zhengwu.accounts.errors import AccountsError
from zhengwu.accounts.identity import identity_matches
from zhengwu.accounts.models import THREE_ADMINS, ApiClient, Department, PhoneCode, Region, Role, RoleAssignment, User
from zhengwu.audit.write import Write, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import (
    blind_index,
    blind_indexes,
    constant_time_equal,
    data_mac,
    data_mac_matches,
    sm3_hex,
)
from zhengwu.core.errors import ApplicationError, clean
from zhengwu.core.idnumbers import validate_credit_code, validate_resident_id

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{3,31}$")
PHONE_CODE_TTL = timedelta(minutes=10)
PHONE_CODE_INTERVAL = timedelta(seconds=60)
PHONE_CODE_MAX_ATTEMPTS = 5


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(
            AccountsError.WEAK_PASSWORD, "；".join(error.messages), {"password": "；".join(error.messages)}
        ) from None


def _check_username_format(username: str) -> None:
    if not USERNAME_RE.match(username):
        raise ApplicationError(
            AccountsError.INVALID_USERNAME,
            "用户名须以字母开头，由 4–32 位字母、数字、下划线、点或连字符组成。",
            {"username": "格式不正确"},
        )


def _check_username(username: str) -> None:
    _check_username_format(username)
    _check_username_free(username)


def _check_username_free(username: str) -> None:
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


def _region_ensure(*, code: str, name: str, level: str, parent: Region | None) -> Region:
    region, _ = Region.objects.update_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
    return region


def department_create(
    *,
    actor: Actor,
    name: str,
    credit_code: str,
    region: Region,
    level: str,
    parent: Department | None = None,
    short_name: str = "",
) -> Department:
    """Register a department: the system administrator's duty, or the platform's (the demo loader)."""
    with audited_write(actor, AccountsAction.DEPARTMENT_CREATE) as write:
        write.require(actor.is_platform or actor.has_role(Role.SYS_ADMIN))
        code = validate_credit_code(credit_code).code
        if Department.objects.filter(credit_code=code).exists():
            raise ApplicationError(
                AccountsError.DUPLICATE_DEPARTMENT, f"统一社会信用代码 {code} 已登记。", {"credit_code": "已登记"}
            )
        department = Department(
            name=name.strip(), short_name=short_name, credit_code=code, region=region, level=level, parent=parent
        )
        clean(department)
        department.save()
        write.set_target(department)
        write.note(name=name)
    return department


# --- people ---------------------------------------------------------------------------


def staff_create(
    *,
    actor: Actor,
    username: str,
    real_name: str,
    department: Department,
    password: str = "",
    password_hash: str = "",
    roles: Iterable[str] = (),
) -> User:
    """Create a staff account (the system administrator's duty, or the platform's).

    Give `password` (checked against the complexity rules), or for bulk onboarding one
    `password_hash` made once with `make_password` from an initial password checked by the caller.
    Roles given here are granted in a write of their own (`accounts.roles_set`), under the 三员 rule.
    """
    with audited_write(actor, AccountsAction.STAFF_CREATE, department=department) as write:
        write.require(actor.is_platform or actor.has_role(Role.SYS_ADMIN))
        _check_username(username)
        if not real_name.strip():
            raise ApplicationError(AccountsError.INVALID_INPUT, "请填写姓名。", {"real_name": "必填"})
        user = User(username=username, real_name=real_name.strip(), kind=User.Kind.STAFF, department=department)
        if password_hash:
            user.password = password_hash
        else:
            _check_password(password, user)
            user.set_password(password)
        clean(user)
        user.save()
        write.set_target(user)
        role_list = list(roles)
        if role_list:
            with audited_write(actor, AccountsAction.ROLES_SET, user) as roles_write:
                _roles_apply(roles_write, actor, user, role_list)
    return user


def _validate_role_set(roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise ApplicationError(AccountsError.UNKNOWN_ROLE, "未知角色：" + "、".join(sorted(unknown)))
    admins = roles & THREE_ADMINS
    if len(admins) > 1:
        labels = "、".join(Role(r).label for r in sorted(admins))
        # 403: the separation of the three administrators is a refusal, recorded as denied.
        raise ApplicationError(
            AccountsError.ADMIN_ROLES_COMBINED,
            f"三员分立：系统管理员、安全管理员、审计管理员不得由同一账号兼任（所选：{labels}）。",
            {"roles": "三员角色互斥"},
            status=403,
        )


def _roles_apply(write: Write, actor: Actor, locked: User, roles: Iterable[str]) -> None:
    """Replace the roles of `locked` (a row locked by `write`, whose caller authorized the grant)."""
    wanted = {str(r) for r in roles}
    _validate_role_set(wanted)
    if locked.kind != User.Kind.STAFF:
        raise ApplicationError(AccountsError.NOT_STAFF, "只有工作人员账号可以授予角色。")
    current = set(locked.role_assignments.values_list("role", flat=True))
    RoleAssignment.objects.filter(user=locked).exclude(role__in=wanted).delete()
    for role in wanted - current:
        RoleAssignment.objects.create(user=locked, role=role, granted_by=actor.user)
    locked.forget_roles()
    write.note(added=sorted(wanted - current), removed=sorted(current - wanted))


def user_set_roles(*, actor: Actor, user: User, roles: Iterable[str]) -> None:
    """Replace a staff user's roles. The security administrator grants roles, never to themself;
    the 三员 rule refuses one account holding two of the three administrators' roles."""
    with audited_write(actor, AccountsAction.ROLES_SET, user) as write:
        locked = write.lock(user)
        write.require(actor.has_role(Role.SEC_ADMIN))
        write.require(not actor.is_user(locked.pk), "不能修改自己的角色。")
        _roles_apply(write, actor, locked, roles)
    user.forget_roles()


def user_set_active(*, actor: Actor, user: User, active: bool) -> None:
    action = AccountsAction.USER_ENABLE if active else AccountsAction.USER_DISABLE
    with audited_write(actor, action, user) as write:
        locked = write.lock(user)
        write.require(actor.has_role(Role.SYS_ADMIN))
        write.require(not actor.is_user(locked.pk), "不能停用自己的账号。")
        locked.is_active = active
        locked.save(update_fields=["is_active"])


def phone_code_send(*, actor: Actor, phone: str, now: datetime | None = None) -> None:
    """Send a 6-digit verification code (no more than one a minute per number). The actor is the
    visitor who asks; the log keeps the number masked."""
    with audited_write(actor, AccountsAction.PHONE_CODE_SEND) as write:
        phone = _check_phone(phone)
        moment = now or timezone.now()
        index = blind_index(phone, purpose="phone")
        last = (
            PhoneCode.objects.filter(phone_index__in=blind_indexes(phone, purpose="phone"))
            .order_by("-created_at")
            .first()
        )
        if last is not None and moment - last.created_at < PHONE_CODE_INTERVAL:
            raise ApplicationError(
                AccountsError.CODE_TOO_FREQUENT, "验证码发送过于频繁，请一分钟后再试。", {"phone": "请稍后再试"}
            )
        code = f"{secrets.randbelow(1_000_000):06d}"
        PhoneCode.objects.create(phone_index=index, code_hash=_code_hash(index, code), created_at=moment)
        write.note(phone=f"{phone[:3]}****{phone[-4:]}")
    sms.send(phone, f"【政务服务平台】您的验证码是 {code}，10 分钟内有效。请勿泄露。")  # once the code is stored


def _code_hash(index: str, code: str) -> str:
    return data_mac("phone-code", f"{index}:{code}")


def _phone_code_verify(phone: str, code: str) -> int | None:
    """The live code entry `code` matches for `phone`, or None.

    Run before the registration's write, outside its transaction: a wrong code counts as an
    attempt even though the registration is then refused (and rolled back)."""
    entry = (
        PhoneCode.objects.filter(
            phone_index__in=blind_indexes(phone.strip(), purpose="phone"),
            used_at__isnull=True,
            created_at__gte=timezone.now() - PHONE_CODE_TTL,
        )
        .order_by("-created_at")
        .first()
    )
    if entry is None or entry.attempts >= PHONE_CODE_MAX_ATTEMPTS:
        return None
    # Under any data key: a code sent just before a rotation is still good.
    if not data_mac_matches("phone-code", f"{entry.phone_index}:{code.strip()}", entry.code_hash):
        PhoneCode.objects.filter(pk=entry.pk).update(attempts=F("attempts") + 1)
        return None
    return entry.pk


def _phone_code_use(entry_id: int | None) -> None:
    """Spend the verified code inside the registration's write (once: a second use finds it spent)."""
    spent = entry_id is not None and PhoneCode.objects.filter(pk=entry_id, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not spent:
        raise ApplicationError(
            AccountsError.WRONG_CODE, "短信验证码错误或已过期，请重新获取。", {"phone_code": "验证码错误"}
        )


def _check_not_registered(user: User) -> None:
    """The username and (for a citizen) the ID number are free. Asked only once the SMS code is
    right: before it, a taken number and a new one get the same answer (no account enumeration)."""
    _check_username_free(user.username)
    indexes = blind_indexes(user.id_number, purpose="resident-id")
    if (
        user.kind == User.Kind.CITIZEN
        and User.objects.filter(kind=User.Kind.CITIZEN, id_number_index__in=indexes).exists()
    ):
        raise ApplicationError(
            AccountsError.ID_REGISTERED, "该身份证号码已注册，请直接登录或找回密码。", {"id_number": "已注册"}
        )


def _register(
    actor: Actor, action: AccountsAction, build: Callable[[], User], *, phone: str, phone_code: str, password: str
) -> User:
    """The one path of both registrations: `build()` checks the form's formats and makes the
    unsaved user; then the password rules, the phone code (a form with other mistakes does not
    spend it), whether the account exists (only after the code: docs/rules.md §5, no enumeration),
    the real-name check against the population base (read, never written: 一数一源), and the save."""
    code_entry = _phone_code_verify(phone, phone_code)
    with audited_write(actor, action) as write:
        user = build()
        _check_password(password, user)
        user.set_password(password)
        _phone_code_use(code_entry)
        _check_not_registered(user)
        user.phone_verified_at = timezone.now()
        # Name + ID number against 公安厅's base, through the exchange (logged as the platform's use).
        user.identity_verified = identity_matches(user.id_number, user.real_name, actor.ip)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same ID number or username, registered a moment ago
            raise ApplicationError(AccountsError.ID_REGISTERED, "该账号已注册。", {"id_number": "已注册"}) from None
        write.set_target(user)
        write.note(identity_verified=user.identity_verified)
        if user.enterprise_credit_code:
            write.note(credit_code=user.enterprise_credit_code)
    return user


def citizen_register(
    *,
    actor: Actor,
    username: str,
    real_name: str,
    id_number: str,
    phone: str,
    phone_code: str,
    password: str,
) -> User:
    """Real-name registration of a natural person (实名注册): ID number, name, verified phone.
    The actor is the visitor who registers (anonymous, as a rule: `Actor.anonymous(ip=...)`).
    A person the population base does not know (or knows under another name) gets the account
    alone, unverified (`User.identity_verified`)."""

    def build() -> User:
        resident = validate_resident_id(id_number)
        checked_phone = _check_phone(phone)
        if not real_name.strip():
            raise ApplicationError(AccountsError.INVALID_INPUT, "请填写真实姓名。", {"real_name": "必填"})
        _check_username_format(username)
        return User(
            username=username,
            real_name=real_name.strip(),
            kind=User.Kind.CITIZEN,
            id_number=resident.number,
            phone=checked_phone,
        )

    return _register(
        actor, AccountsAction.CITIZEN_REGISTER, build, phone=phone, phone_code=phone_code, password=password
    )


def enterprise_register(
    *,
    actor: Actor,
    username: str,
    enterprise_name: str,
    credit_code: str,
    agent_name: str,
    agent_id_number: str,
    phone: str,
    phone_code: str,
    password: str,
) -> User:
    """Registration of an enterprise (法人) account, acted for by a named, real-name person
    (the agent is checked against the population base like a citizen)."""

    def build() -> User:
        company = validate_credit_code(credit_code)
        agent = validate_resident_id(agent_id_number)
        checked_phone = _check_phone(phone)
        if not enterprise_name.strip():
            raise ApplicationError(AccountsError.INVALID_INPUT, "请填写单位名称。", {"enterprise_name": "必填"})
        if not agent_name.strip():
            raise ApplicationError(AccountsError.INVALID_INPUT, "请填写经办人姓名。", {"agent_name": "必填"})
        _check_username_format(username)
        return User(
            username=username,
            kind=User.Kind.ENTERPRISE,
            real_name=agent_name.strip(),
            id_number=agent.number,
            phone=checked_phone,
            enterprise_name=enterprise_name.strip(),
            enterprise_credit_code=company.code,
        )

    return _register(
        actor, AccountsAction.ENTERPRISE_REGISTER, build, phone=phone, phone_code=phone_code, password=password
    )


def _me(write: Write, actor: Actor) -> User:
    """The person acting on their own account, locked."""
    write.require(actor.user_id is not None, "请先登录。")
    # Locked by its key: a view's `actor.user` is the request's lazy proxy, not a model instance.
    return write.lock(User(pk=actor.user_id))


def password_change(*, actor: Actor, old_password: str, new_password: str) -> None:
    """A person changes their own password (a wrong old one is a recorded failure)."""
    with audited_write(actor, AccountsAction.PASSWORD_CHANGE) as write:
        user = _me(write, actor)
        if not user.check_password(old_password):
            raise ApplicationError(AccountsError.WRONG_PASSWORD, "原密码不正确。", {"old_password": "不正确"})
        if old_password == new_password:
            raise ApplicationError(
                AccountsError.WEAK_PASSWORD, "新密码不能与原密码相同。", {"new_password": "与原密码相同"}
            )
        _check_password(new_password, user)
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
    if actor.user is not None:  # the caller's object (the session's user) follows the locked row
        actor.user.password, actor.user.password_changed_at = user.password, user.password_changed_at


CLOSED_USERNAME = "closed-{pk}-{token}"


def account_close(*, actor: Actor, password: str) -> User:
    """注销: a citizen or enterprise agent closes their own account (个人信息保护法 Art. 47,
    docs/rules.md §16), confirming with the password.

    Kept, because the law keeps them: the cases, letters and requests (records of the
    administration, kept for their retention under their own rules, with the name and details
    given in them) and the audit log. Cleared from the account: name, ID number, phone, e-mail,
    enterprise details; the username is replaced; the password made unusable; the account
    disabled (it can no longer log in); every session of it ended. The closing is audited."""
    with audited_write(actor, AccountsAction.ACCOUNT_CLOSE) as write:
        user = _me(write, actor)
        write.require(user.kind != User.Kind.STAFF, "工作人员账号由系统管理员停用，不能自行注销。")
        if user.closed_at is not None:
            raise ApplicationError(AccountsError.ACCOUNT_CLOSED, "该账号已注销。")
        if not user.check_password(password):
            raise ApplicationError(AccountsError.WRONG_PASSWORD, "密码不正确，未注销。", {"password": "不正确"})
        write.note(kind=user.kind)
        user.username = CLOSED_USERNAME.format(pk=user.pk, token=secrets.token_hex(4))
        user.real_name = user.id_number = user.phone = user.email = ""
        user.first_name = user.last_name = ""
        user.enterprise_name = user.enterprise_credit_code = ""
        user.phone_verified_at = None
        user.identity_verified = False
        user.set_unusable_password()
        user.is_active = False
        user.closed_at = timezone.now()
        user.save()
        _end_sessions(user.pk)
    return user


def _end_sessions(user_id: int) -> None:
    """Delete every stored session of the account (database sessions: SESSION_ENGINE's default)."""
    from django.contrib.sessions.models import Session

    ended = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now())
        if s.get_decoded().get("_auth_user_id") == str(user_id)
    ]
    Session.objects.filter(pk__in=ended).delete()


def password_expired(user: User, now: datetime | None = None) -> bool:
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if not max_age or user.kind != User.Kind.STAFF:
        return False
    return (now or timezone.now()) - user.password_changed_at > timedelta(days=max_age)


# --- second factor (TOTP) -------------------------------------------------------------


def totp_enrolment_device(*, actor: Actor) -> TOTPDevice:
    """The unconfirmed TOTP device a staff user is enrolling (created, as a write, on first need)."""
    user = actor.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() if actor.is_staff else None
    if device is not None:
        return device
    with audited_write(actor, AccountsAction.TOTP_ENROLMENT_START) as write:
        write.require(actor.is_staff, "只有工作人员需要绑定动态口令。")
        locked = _me(write, actor)
        device = TOTPDevice.objects.create(user=locked, name="动态口令", confirmed=False)
    return device


def totp_enrol_confirm(*, actor: Actor, token: str) -> TOTPDevice:
    """A staff user confirms the authenticator just scanned with its current token."""
    device = TOTPDevice.objects.filter(user=actor.user, confirmed=False).first() if actor.is_staff else None
    # Checked before the write, outside its transaction: django-otp's throttle counter must persist.
    verified = device is not None and device.verify_token(token.strip())
    with audited_write(actor, AccountsAction.TOTP_ENROL) as write:
        write.require(actor.is_staff, "只有工作人员需要绑定动态口令。")
        user = _me(write, actor)
        if device is None:
            raise ApplicationError(AccountsError.NO_ENROLMENT, "没有待绑定的动态口令，请刷新页面重新扫码。")
        if not verified:
            raise ApplicationError(
                AccountsError.WRONG_TOKEN, "动态口令不正确，请核对手机时间后重试。", {"token": "不正确"}
            )
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save()
    return device


def totp_reset(*, actor: Actor, user: User) -> None:
    """Security administrator: remove a lost authenticator so the user enrols again at next login."""
    with audited_write(actor, AccountsAction.TOTP_RESET, user) as write:
        locked = write.lock(user)
        write.require(actor.has_role(Role.SEC_ADMIN))
        TOTPDevice.objects.filter(user=locked).delete()


def user_unlock(*, actor: Actor, user: User) -> None:
    """Security administrator: lift a login lock-out (django-axes) before it expires."""
    from axes.utils import reset

    with audited_write(actor, AccountsAction.UNLOCK, user) as write:
        locked = write.lock(user)
        write.require(actor.has_role(Role.SEC_ADMIN))
        reset(username=locked.username)


# --- API clients ----------------------------------------------------------------------

TOKEN_PREFIX = "zw_"  # noqa: S105 - a public marker, not a secret


def _token_hash(secret: str) -> str:
    return sm3_hex(secret)


def apiclient_create(
    *,
    actor: Actor,
    name: str,
    department: Department,
    scopes: Iterable[str],
    expires_at: datetime,
) -> tuple[ApiClient, str]:
    """Register a department system (the system administrator's duty, or the platform's).
    Returns the client and its token, shown once and stored hashed."""
    with audited_write(actor, AccountsAction.APICLIENT_CREATE, department=department) as write:
        write.require(actor.is_platform or actor.has_role(Role.SYS_ADMIN))
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
            created_by=actor.user,
        )
        clean(client)
        client.save()
        write.set_target(client)
        write.note(scopes=scope_list, expires_at=expires_at.isoformat())
    return client, f"{TOKEN_PREFIX}{prefix}_{secret}"


def apiclient_revoke(*, actor: Actor, client: ApiClient) -> None:
    with audited_write(actor, AccountsAction.APICLIENT_REVOKE, client) as write:
        locked = write.lock(client)
        write.require(actor.is_platform or actor.has_role(Role.SYS_ADMIN))
        if locked.revoked_at is not None:
            raise ApplicationError(AccountsError.ALREADY_REVOKED, "该凭证已被吊销。")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    client.revoked_at = locked.revoked_at


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


def regions_load(*, actor: Actor, root_code: str) -> int:
    """Load a GB/T 2260 division and everything under it into the Region table (the platform's or
    the system administrator's duty). Returns rows written."""
    from zhengwu.core.regions import divisions_under

    with audited_write(actor, AccountsAction.REGIONS_LOAD) as write:
        write.require(actor.is_platform or actor.has_role(Role.SYS_ADMIN))
        by_code: dict[str, Region] = {}
        count = 0
        for division in divisions_under(root_code):
            parent = by_code.get(division.parent_code or "") or (
                Region.objects.filter(code=division.parent_code).first() if division.parent_code else None
            )
            by_code[division.code] = _region_ensure(
                code=division.code, name=division.name, level=division.level, parent=parent
            )
            count += 1
        write.note(root_code=root_code, regions=count)
    return count
