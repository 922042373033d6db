from django.urls import path

from zhengwu.participation import views

app_name = "participation"
urlpatterns = [
    path("", views.index, name="index"),
    path("letters/write/", views.letter_write, name="letter_write"),
    path("letters/receipt/", views.letter_receipt, name="letter_receipt"),
    path("letters/track/", views.letter_track, name="letter_track"),
    path("letters/mine/", views.my_letters, name="my_letters"),
    path("letters/mine/<str:number>/", views.my_letter, name="my_letter"),
    path("letters/mine/<str:number>/photos/<int:pk>/", views.my_letter_photo, name="my_letter_photo"),
    path("letters/", views.letters_public, name="letters_public"),
    path("letters/<str:number>/", views.letter_public, name="letter_public"),
    path("letters/<str:number>/flag/", views.letter_flag, name="letter_flag"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/<int:pk>/", views.consultation, name="consultation"),
    path("consultations/<int:pk>/articles/<int:article_pk>/comment/", views.comment_create, name="comment_create"),
    path("comments/<int:pk>/flag/", views.comment_flag, name="comment_flag"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("surveys/<int:pk>/results/", views.survey_results, name="survey_results"),
]
