from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_mark_all_read, name="mark_all_read"),
    path("<uuid:public_id>/open/", views.notification_open, name="open"),
]
