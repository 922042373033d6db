from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "zhengwu.governance"
    label = "governance"
    verbose_name = "信息化统筹"
