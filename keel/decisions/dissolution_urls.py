"""Dissolution: starting one from a partnership, its page and steps, completing it, the closing letters."""

from django.urls import path

from keel.decisions import dissolution_views as views

urlpatterns = [
    path("partnerships/<int:pk>/dissolution/", views.partnership_dissolution, name="partnership_dissolution"),
    path("dissolutions/<int:pk>/", views.dissolution, name="dissolution"),
    path("dissolutions/<int:pk>/complete/", views.dissolution_complete, name="dissolution_complete"),
    path("dissolutions/<int:pk>/letters/", views.dissolution_letters, name="dissolution_letters"),
    path("dissolution-steps/<int:pk>/", views.dissolution_step, name="dissolution_step"),
    path("letters/<int:pk>/", views.letter, name="letter"),
    path("letters/<int:pk>/text/", views.letter_text, name="letter_text"),
]
