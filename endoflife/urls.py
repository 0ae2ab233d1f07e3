from django.urls import path

from . import views

app_name = "endoflife"

urlpatterns = [
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/new/", views.transfer_create, name="transfer_create"),
    path("transfers/<uuid:public_id>/", views.transfer_detail, name="transfer"),
    path("transfers/<uuid:public_id>/receive/", views.transfer_receive, name="transfer_receive"),
    path("transfers/<uuid:public_id>/withdraw/", views.transfer_withdraw, name="transfer_withdraw"),
    path("recovered/", views.outputs, name="outputs"),
]
