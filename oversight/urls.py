from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("materials/<slug:code>/", views.material, name="material"),
    path("materials/<slug:code>/concentration/", views.concentration, name="concentration"),
    path("materials/<slug:code>/flows/", views.flows, name="flows"),
    path("end-of-life/", views.end_of_life, name="end_of_life"),
    path("alerts/", views.alerts, name="alerts"),
    path("enforcement/", views.enforcement, name="enforcement"),
    path("methodology/", views.methodology, name="methodology"),
    path("export/<slug:table>.csv", views.export, {"fmt": "csv"}, name="export"),
    path("export/<slug:table>.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("report.pdf", views.report, name="report"),
]
