from django.urls import path

from keel.register import import_views, views

app_name = "register"

urlpatterns = [
    path("partnerships/new/", views.partnership_create, name="partnership_create"),
    path("partnerships/<int:pk>/edit/", views.partnership_edit, name="partnership_edit"),
    path("partnerships/<int:pk>/archive/", views.simple_archive("partnership"), name="partnership_archive"),
    path("partnerships/<int:pk>/field/<str:field>/", views.partnership_field, name="partnership_field"),
    path("partnerships/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("partnerships/<int:pk>/members/<int:member_pk>/", views.member_edit, name="member_edit"),
    path("partnerships/<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("partnerships/<int:pk>/priorities/", views.alignment, name="alignment"),
    path("partnerships/<int:pk>/processes/add/", views.process_add, name="process_add"),
    path("partnerships/<int:pk>/processes/<int:process_pk>/remove/", views.process_remove, name="process_remove"),
    path("partnerships/<int:pk>/processes/<int:process_pk>/file/", views.process_file, name="process_file"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/suggest/", views.organisations_suggest, name="organisations_suggest"),
    path("partnerships/new/partner/", views.partner_input_view, name="partner_input"),
    path("organisations/new/", views.simple_create("organisation"), name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", views.simple_edit("organisation"), name="organisation_edit"),
    path("organisations/<int:pk>/archive/", views.simple_archive("organisation"), name="organisation_archive"),
    path("people/", views.person_list, name="people"),
    path("people/suggest/", views.people_suggest, name="people_suggest"),
    path("people/new/", views.simple_create("person"), name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.simple_edit("person"), name="person_edit"),
    path("people/<int:pk>/archive/", views.simple_archive("person"), name="person_archive"),
    path("priorities/", views.priority_list, name="priorities"),
    path("priorities/new/", views.simple_create("priority"), name="priority_create"),
    path("priorities/<int:pk>/edit/", views.simple_edit("priority"), name="priority_edit"),
    path("priorities/<int:pk>/archive/", views.simple_archive("priority"), name="priority_archive"),
    path("import/", import_views.import_start, name="import"),
    path("import/<int:pk>/", import_views.import_confirm, name="import_confirm"),
    path("import/template/<str:kind>.<str:fmt>", import_views.import_template, name="import_template"),
]
