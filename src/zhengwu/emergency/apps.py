from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "zhengwu.emergency"
    label = "emergency"
    verbose_name = "应急联动"
