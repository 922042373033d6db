from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "zhengwu.ops"
    label = "ops"
    verbose_name = "运行维护"

    def ready(self) -> None:
        from zhengwu.core.health import register_component
        from zhengwu.ops import watch

        register_component("watch", watch.health_component)
