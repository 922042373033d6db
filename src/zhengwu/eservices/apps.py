from django.apps import AppConfig


class EservicesConfig(AppConfig):
    name = "zhengwu.eservices"
    label = "eservices"
    verbose_name = "网上办事"
