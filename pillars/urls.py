"""The pillar pages. A URL's name is <topic>_<view function>, as in evaluations/urls.py: the
topic is this app's views module, pillars."""

from django.urls import path

from . import views

app_name = "pillars"
urlpatterns = [
    path("", views.index, name="pillars_index"),
    path("<str:code>/", views.detail, name="pillars_detail"),
]
