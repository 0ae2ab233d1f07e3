from django.urls import path, re_path

from . import api, views

app_name = "pact"

urlpatterns = [
    path("", api.index, name="index"),
    re_path(r"^auth/token/?$", api.token, name="token"),
    path(".well-known/openid-configuration", api.openid_configuration, name="openid_configuration"),
    path(".well-known/jwks.json", api.jwks, name="jwks"),
    path("3/footprints", api.footprint_list, name="footprints"),
    re_path(r"^3/footprints/(?P<pf_id>[^/]{1,100})/?$", api.footprint_detail, name="footprint"),
    re_path(r"^3/events/?$", api.event, name="events"),
    path("clients/", views.clients, name="clients"),
    path("clients/<uuid:public_id>/revoke/", views.client_revoke, name="client_revoke"),
]
