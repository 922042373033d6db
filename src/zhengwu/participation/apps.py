from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "zhengwu.participation"
    label = "participation"
    verbose_name = "公众参与"
