"""The state machine of certificates (docs/states.md is generated from it).

A certificate is issued valid and may be revoked (注销) once by its issuer. Expiry is not a state:
it is computed from `valid_until` (`Certificate.state_code`), since it happens without anyone acting.
"""

from __future__ import annotations

from zhengwu.certificates.errors import CertificateError
from zhengwu.certificates.models import Certificate
from zhengwu.core.states import Move, StateMachine

CERTIFICATE = StateMachine(
    "电子证照",
    Certificate,
    "status",
    CertificateError.WRONG_STATE,
    Move("revoke", "注销", [Certificate.Status.VALID], Certificate.Status.REVOKED),
    label_field="identifier",
)
