from django.apps import AppConfig


class EservicesConfig(AppConfig):
    name = "zhengwu.eservices"
    label = "eservices"
    verbose_name = "网上办事"

    def ready(self) -> None:
        # The department scorecards (supervision) get satisfaction, online share and visits from here.
        from zhengwu.eservices.selectors import scorecard_figures
        from zhengwu.supervision.scorecards import register_figures

        register_figures("eservices", scorecard_figures)
