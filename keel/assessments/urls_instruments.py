"""Instruments, and a round's response import, under /w/<ws>/assessments/."""

from django.urls import path

from keel.assessments import instrument_views

urlpatterns = [
    path("instruments/", instrument_views.instruments, name="instruments"),
    path("instruments/upload/", instrument_views.instrument_upload, name="instrument_upload"),
    path("instruments/<int:pk>/", instrument_views.instrument, name="instrument"),
    path("rounds/<int:pk>/import/", instrument_views.round_import, name="round_import"),
]
