from django.apps import AppConfig
from django.db.backends.signals import connection_created


class AuditConfig(AppConfig):
    name = "zhengwu.audit"
    label = "audit"
    verbose_name = "安全审计"

    def ready(self) -> None:
        from zhengwu.audit.db import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="zhengwu.audit.sqlite_functions")

        from zhengwu.audit.write import record_request_refusal
        from zhengwu.core import refusals

        refusals.register(record_request_refusal)  # refused writes no service saw (core.refusals)
