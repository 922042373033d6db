"""Audit action names of accounts (events already in the chain keep their names)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class AccountsAction(AuditAction):
    # Writes (through audited_write).
    DEPARTMENT_CREATE = "accounts.department_create"
    STAFF_CREATE = "accounts.staff_create"
    ROLES_SET = "accounts.roles_set"
    USER_ENABLE = "accounts.user_enable"
    USER_DISABLE = "accounts.user_disable"
    CITIZEN_REGISTER = "accounts.citizen_register"
    ENTERPRISE_REGISTER = "accounts.enterprise_register"
    PASSWORD_CHANGE = "accounts.password_change"  # noqa: S105 - an event name, not a password
    TOTP_ENROL = "accounts.totp_enrol"
    TOTP_ENROLMENT_START = "accounts.totp.enrolment_start"
    TOTP_RESET = "accounts.totp_reset"
    APICLIENT_CREATE = "accounts.apiclient_create"
    APICLIENT_REVOKE = "accounts.apiclient_revoke"
    UNLOCK = "accounts.unlock"
    REGIONS_LOAD = "accounts.regions.load"
    PHONE_CODE_SEND = "accounts.phone_code.send"
    ACCOUNT_CLOSE = "accounts.user.close"
    # Events that are not a write (record_action).
    LOGIN = "accounts.login"
    LOGOUT = "accounts.logout"
