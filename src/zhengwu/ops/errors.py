from enum import StrEnum


class OpsError(StrEnum):
    BACKUP_FAILED = "ops.backup_failed"
    WEAK_PASSPHRASE = "ops.weak_passphrase"
    NO_PASSPHRASE = "ops.no_passphrase"
