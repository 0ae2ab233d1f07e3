from django.urls import path

from . import operator_views, views

app_name = "tenancy"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("organization/", views.organization_detail, name="organization"),
    path("organization/edit/", views.organization_edit, name="organization_edit"),
    path("organization/sites/new/", views.site_edit, name="site_create"),
    path("organization/sites/<uuid:public_id>/edit/", views.site_edit, name="site_edit"),
    path("organization/sites/<uuid:public_id>/delete/", views.site_delete, name="site_delete"),
    path("organization/sites/<uuid:public_id>/archive/", views.site_archive, name="site_archive"),
    path("organization/sites/<uuid:public_id>/restore/", views.site_restore, name="site_restore"),
    path("organization/members/", views.members, name="members"),
    path("organization/members/<uuid:public_id>/", views.member_update, name="member_update"),
    path(
        "organization/invitations/<uuid:public_id>/revoke/", views.invitation_revoke, name="invitation_revoke"
    ),
    path("organization/audit/", views.audit_log, name="audit_log"),
    path(
        "operator/registrations/<uuid:public_id>/approve/",
        operator_views.registration_approve,
        name="registration_approve",
    ),
    path(
        "operator/registrations/<uuid:public_id>/reject/",
        operator_views.registration_reject,
        name="registration_reject",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
