from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "zhengwu.core"
    label = "core"
    verbose_name = "基础设施"

    def ready(self) -> None:
        from zhengwu.core import form_messages, keys  # keys registers the data-key check (core.E001)

        form_messages.install()  # every form message names the field and the limit (core/form_messages.py)

        post_migrate.connect(keys.record_data_key, sender=self, dispatch_uid="zhengwu.core.record_data_key")
