from django.apps import AppConfig


class EservicesConfig(AppConfig):
    name = "zhengwu.eservices"
    label = "eservices"
    verbose_name = "网上办事"

    def ready(self) -> None:
        # The department scorecards (supervision) get satisfaction, online share and visits from here.
        from zhengwu.eservices.selectors import complaint_case_of, scorecard_figures
        from zhengwu.supervision.casechecks import register_case_checker
        from zhengwu.supervision.scorecards import register_figures

        register_figures("eservices", scorecard_figures)
        # A complaint (网上投诉) naming a case number must name one of the complainant's own cases.
        register_case_checker("eservices", complaint_case_of)
