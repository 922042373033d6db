from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "zhengwu.exchange"
    label = "exchange"
    verbose_name = "数据共享交换"

    def ready(self) -> None:
        from zhengwu.accounts.identity import register_identity_checker
        from zhengwu.exchange.sharing import fetch, query_cache

        query_cache.connect_signals()
        # Registration checks a person against the 人口 base through the exchange (docs/rules.md §5).
        register_identity_checker("exchange", fetch.person_matches)
