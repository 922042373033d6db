from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "zhengwu.exchange"
    label = "exchange"
    verbose_name = "数据共享交换"

    def ready(self) -> None:
        from zhengwu.exchange.sharing import query_cache
        from zhengwu.exchange.store import tasks as store_tasks

        query_cache.connect_signals()
        store_tasks.connect_signals()
