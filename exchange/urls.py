from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("parts/", views.part_list, name="parts"),
    path("parts/new/", views.part_create, name="part_create"),
    path("parts/<uuid:public_id>/", views.part_detail, name="part"),
    path("parts/<uuid:public_id>/edit/", views.part_edit, name="part_edit"),
    path("parts/<uuid:public_id>/supplier/", views.part_supplier, name="part_supplier"),
    path("parts/<uuid:public_id>/components/", views.component_form, name="component_form"),
    path(
        "parts/<uuid:public_id>/components/<uuid:child_id>/remove/",
        views.component_remove,
        name="component_remove",
    ),
    path("parts/<uuid:public_id>/materials/", views.material_form, name="material_form"),
    path(
        "parts/<uuid:public_id>/materials/<slug:code>/remove/", views.material_remove, name="material_remove"
    ),
    path("parts/<uuid:public_id>/request/", views.request_create, name="request_create"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<uuid:public_id>/", views.request_detail, name="request"),
    path("requests/<uuid:public_id>/cancel/", views.request_cancel, name="request_cancel"),
    path("requests/<uuid:public_id>/send-back/", views.request_send_back, name="request_send_back"),
    path("requests/<uuid:public_id>/answer/", views.request_answer, name="request_answer"),
    path("answers/<uuid:public_id>/", views.answer_detail, name="answer"),
    path("answers/<uuid:public_id>/correct/", views.answer_correct, name="answer_correct"),
    path("answers/<uuid:public_id>/files/<uuid:file_id>/", views.answer_file, name="answer_file"),
    path("battery-models/<uuid:public_id>/", views.battery_model_values, name="battery_model_values"),
]
