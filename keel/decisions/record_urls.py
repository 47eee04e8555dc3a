"""Cost and value, events and conflicts (issue 12, items 3–5)."""

from django.urls import path

from keel.decisions import conflict_views, cost_views, event_views

urlpatterns = [
    # Cost and value (cost_views)
    path("cost-and-value/", cost_views.cost_and_value, name="cost_and_value"),
    path("partnerships/<int:pk>/costs/", cost_views.partnership_costs, name="partnership_costs"),
    path("partnerships/<int:pk>/costs/new/", cost_views.partnership_cost_new, name="partnership_cost_new"),
    path("partnerships/<int:pk>/values/new/", cost_views.partnership_value_new, name="partnership_value_new"),
    path("costs/<int:pk>/", cost_views.cost_item, name="cost_item"),
    path("costs/<int:pk>/delete/", cost_views.cost_item_delete, name="cost_item_delete"),
    path("values/<int:pk>/", cost_views.value_item, name="value_item"),
    path("values/<int:pk>/delete/", cost_views.value_item_delete, name="value_item_delete"),
    # Events (event_views)
    path("partnerships/<int:pk>/events/", event_views.partnership_events, name="partnership_events"),
    path("partnerships/<int:pk>/events/new/", event_views.partnership_event_new, name="partnership_event_new"),
    path("events/<int:pk>/", event_views.event, name="event"),
    path("events/<int:pk>/delete/", event_views.event_delete, name="event_delete"),
    # Conflicts (conflict_views)
    path(
        "partnerships/<int:pk>/conflicts/new/", conflict_views.partnership_conflict_new, name="partnership_conflict_new"
    ),
    path("conflicts/<int:pk>/", conflict_views.conflict, name="conflict"),
    path("conflicts/<int:pk>/steps/", conflict_views.conflict_step, name="conflict_step"),
    path("conflicts/<int:pk>/escalate/", conflict_views.conflict_escalate, name="conflict_escalate"),
    path("conflicts/<int:pk>/close/", conflict_views.conflict_close, name="conflict_close"),
]
