from django.urls import path

from zhengwu.participation import workbench_views as views

app_name = "participation_wb"
urlpatterns = [
    path("letters/", views.letters, name="letters"),
    path("letters/<int:pk>/", views.letter, name="letter"),
    path("letters/<int:pk>/photos/<int:photo_pk>/", views.letter_photo, name="letter_photo"),
    path("letters/<int:pk>/<slug:action>/", views.letter_action, name="letter_action"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/<int:pk>/", views.consultation, name="consultation"),
    path("consultations/<int:pk>/<slug:action>/", views.consultation_action, name="consultation_action"),
    path("comments/<int:pk>/decide/", views.comment_decide, name="comment_decide"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("surveys/<int:pk>/<slug:action>/", views.survey_action, name="survey_action"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/words/", views.sensitive_words, name="sensitive_words"),
    path("moderation/words/<int:pk>/remove/", views.sensitive_word_remove, name="sensitive_word_remove"),
    path("moderation/<slug:kind>/<int:pk>/<slug:action>/", views.moderation_action, name="moderation_action"),
]
