from django.urls import path

from . import views

urlpatterns = [
    path("organizations/me/", views.OrganizationMeView.as_view(), name="organization-me"),
    path("organizations/me/members/", views.MemberListView.as_view(), name="member-list"),
    path(
        "organizations/me/members/<uuid:public_id>/", views.MemberDetailView.as_view(), name="member-detail"
    ),
    path("organizations/me/sites/", views.SiteListView.as_view(), name="site-list"),
    path("organizations/me/sites/<uuid:public_id>/", views.SiteDetailView.as_view(), name="site-detail"),
    path(
        "organizations/me/sites/<uuid:public_id>/archive/",
        views.SiteArchiveView.as_view(),
        name="site-archive",
    ),
    path(
        "organizations/me/sites/<uuid:public_id>/restore/",
        views.SiteRestoreView.as_view(),
        name="site-restore",
    ),
]
