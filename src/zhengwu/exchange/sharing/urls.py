"""Public pages of sharing, mounted at /my/data-use/."""

from django.urls import path

from zhengwu.exchange.sharing.views import citizen_data_use

app_name = "exchange"
urlpatterns = [
    path("", citizen_data_use, name="my_data_use"),
]
