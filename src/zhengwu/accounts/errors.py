from enum import StrEnum


class AccountsError(StrEnum):
    INVALID_INPUT = "accounts.invalid_input"
    INVALID_USERNAME = "accounts.invalid_username"
    USERNAME_TAKEN = "accounts.username_taken"
    INVALID_PHONE = "accounts.invalid_phone"
    WEAK_PASSWORD = "accounts.weak_password"
    WRONG_PASSWORD = "accounts.wrong_password"
    CODE_TOO_FREQUENT = "accounts.code_too_frequent"
    WRONG_CODE = "accounts.wrong_code"
    ID_REGISTERED = "accounts.id_registered"
    DUPLICATE_DEPARTMENT = "accounts.duplicate_department"
    UNKNOWN_ROLE = "accounts.unknown_role"
    ADMIN_ROLES_COMBINED = "accounts.admin_roles_combined"
    NOT_STAFF = "accounts.not_staff"
    NO_ENROLMENT = "accounts.no_enrolment"
    WRONG_TOKEN = "accounts.wrong_token"
    INVALID_SCOPE = "accounts.invalid_scope"
    ALREADY_REVOKED = "accounts.already_revoked"
    LOGIN_FAILED = "accounts.login_failed"
    IDENTITY_UNVERIFIED = "accounts.identity_unverified"
    ACCOUNT_CLOSED = "accounts.account_closed"
