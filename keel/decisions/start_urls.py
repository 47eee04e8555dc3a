from django.urls import path

from keel.decisions import start_views as views

urlpatterns = [
    path("partnerships/<int:pk>/start/", views.partnership_start, name="partnership_start"),
]
