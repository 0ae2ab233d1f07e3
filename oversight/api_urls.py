"""/api/v1/oversight/: URL names are prefixed `oversight-api-`."""

from django.urls import path

from . import api

urlpatterns = [
    path("oversight/cubes/", api.CubeListView.as_view(), name="oversight-api-cubes"),
    path("oversight/tables/<slug:table>/", api.TableView.as_view(), name="oversight-api-table"),
    path("oversight/alerts/", api.AlertListView.as_view(), name="oversight-api-alerts"),
    path("oversight/enforcement/", api.EnforcementView.as_view(), name="oversight-api-enforcement"),
]
