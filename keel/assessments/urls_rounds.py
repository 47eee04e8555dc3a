"""Assessment rounds as a leader manages them, under /w/<ws>/assessments/rounds/."""

from django.urls import path

from keel.assessments import results_views, views

urlpatterns = [
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/progress/", views.round_progress, name="round_progress"),
    path("rounds/<int:pk>/send/", views.round_send, name="round_send"),
    path("rounds/<int:pk>/remind/", views.round_remind, name="round_remind"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/closing-date/", views.round_closing_date, name="round_closing_date"),
    path("rounds/<int:pk>/results/", results_views.round_results, name="round_results"),
    path(
        "rounds/<int:pk>/invitations/<int:invitation_pk>/link/",
        views.round_invitation_link,
        name="round_invitation_link",
    ),
]
