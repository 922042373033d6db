"""Notifications of 网上办事: an in-site message, plus SMS (the pluggable `accounts.sms` backend)
and e-mail (Django's e-mail backend) when the person has a phone number / address.

E-mail goes through `settings.EMAIL_BACKEND` when the deployment sets it; otherwise through the
console backend (printed), never silently through an unconfigured SMTP server. Sending happens
after the transaction commits, so a rolled-back action sends nothing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import mail
from django.db import transaction

from zhengwu.accounts import sms
from zhengwu.accounts.models import Department, Role, User
from zhengwu.eservices.models import Application, Notification

logger = logging.getLogger("zhengwu.eservices")

CONSOLE = "django.core.mail.backends.console.EmailBackend"
SUBJECT = "【政务服务】办件通知"


def _email_backend() -> str:
    overridden = getattr(settings, "is_overridden", lambda name: False)("EMAIL_BACKEND")
    return str(settings.EMAIL_BACKEND) if overridden else CONSOLE


def _deliver(phone: str, email: str, text: str) -> None:
    if phone:
        try:
            sms.send(phone, text)
        except Exception:  # a gateway failure must not undo the case; the in-site message stays
            logger.exception("SMS sending failed")
    if email:
        try:
            connection = mail.get_connection(backend=_email_backend(), fail_silently=False)
            mail.send_mail(SUBJECT, text, settings.DEFAULT_FROM_EMAIL, [email], connection=connection)
        except Exception:
            logger.exception("e-mail sending failed")


def send(user: User, application: Application | None, text: str) -> Notification:
    """Tell one person: in-site now, SMS and e-mail once the transaction commits."""
    note = Notification.objects.create(user=user, application=application, text=text[:500])
    phone, email = user.phone or "", user.email or ""
    if phone or email:
        transaction.on_commit(lambda: _deliver(phone, email, text))
    return note


def staff(department: Department, application: Application | None, text: str) -> int:
    """An in-site message to every active clerk and leader of `department` (no SMS)."""
    people = User.objects.filter(
        department=department,
        is_active=True,
        kind=User.Kind.STAFF,
        role_assignments__role__in=[Role.CLERK, Role.DEPT_LEADER],
    ).distinct()
    notes = [Notification(user=u, application=application, text=text[:500]) for u in people]
    Notification.objects.bulk_create(notes)
    return len(notes)
