"""The respondent's public pages: no login, no workspace in the address (the token finds it)."""

from django.urls import path

from keel.assessments import respond_views

urlpatterns = [
    path("respond/<str:token>/", respond_views.respond, name="respond"),
    path("respond/<str:token>/save/", respond_views.respond_save, name="respond_save"),
    path("open/<str:token>/", respond_views.open_link, name="open_link"),
]
