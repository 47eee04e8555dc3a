from django.urls import path

from keel.activity import meeting_views, referral_views

app_name = "activity"

urlpatterns = [
    # Meetings, contacts and ratings (meeting_views)
    path("partnerships/<int:pk>/meetings/new/", meeting_views.meeting_new, name="partnership_meeting_new"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", meeting_views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/delete/", meeting_views.meeting_delete, name="meeting_delete"),
    path("partnerships/<int:pk>/contacts/new/", meeting_views.contact_new, name="partnership_contact_new"),
    path("contacts/<int:pk>/delete/", meeting_views.contact_delete, name="contact_delete"),
    path("partnerships/<int:pk>/rate/<int:organisation_pk>/", meeting_views.rate, name="partnership_rate"),
    # Referrals (referral_views)
    path("partnerships/<int:pk>/referrals/", referral_views.referral_list, name="partnership_referrals"),
    path("partnerships/<int:pk>/referrals/new/", referral_views.referral_new, name="partnership_referral_new"),
    path("referrals/<int:pk>/edit/", referral_views.referral_edit, name="referral_edit"),
]
