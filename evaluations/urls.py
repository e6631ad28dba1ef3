from django.urls import path

from .views import common

app_name = "evaluations"
urlpatterns = [
    path("", common.home, name="home"),
]
