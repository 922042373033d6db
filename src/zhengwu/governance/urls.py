"""Public URLs of the governance app, mounted at /evaluations/ (namespace "governance")."""

from django.urls import URLPattern, path

from zhengwu.governance import evaluation_views

app_name = "governance"
urlpatterns: list[URLPattern] = [
    path("", evaluation_views.index, name="index"),
    path("compare/", evaluation_views.compare, name="compare"),
    path("<int:run_id>/", evaluation_views.run_ranking, name="run"),
    path("<int:run_id>/ranking.xlsx", evaluation_views.run_ranking_file, name="run_xlsx"),
    path("<int:run_id>/departments/<int:department_id>/", evaluation_views.department_report, name="department"),
    path(
        "<int:run_id>/departments/<int:department_id>/report.pdf",
        evaluation_views.department_file,
        {"fmt": "pdf"},
        name="department_pdf",
    ),
    path(
        "<int:run_id>/departments/<int:department_id>/report.xlsx",
        evaluation_views.department_file,
        {"fmt": "xlsx"},
        name="department_xlsx",
    ),
]
