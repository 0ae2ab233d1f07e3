"""Exchange endpoints under /api/v1/exchange/: parts (with their bill of materials, own materials and
roll-up), requests sent and received, answers released and received, and answer files in the partners'
formats. URL names are prefixed `exchange-api-`."""

from django.urls import path

from . import answer_views, part_views, request_views

PART = "exchange/parts/<uuid:public_id>/"
REQUEST = "exchange/requests/<uuid:public_id>/"
ANSWER = "exchange/answers/<uuid:public_id>/"

urlpatterns = [
    path("exchange/parts/", part_views.PartListView.as_view(), name="exchange-api-part-list"),
    path(PART, part_views.PartDetailView.as_view(), name="exchange-api-part-detail"),
    path(PART + "components/", part_views.ComponentListView.as_view(), name="exchange-api-part-components"),
    path(
        PART + "components/<uuid:child_id>/",
        part_views.ComponentDetailView.as_view(),
        name="exchange-api-part-component",
    ),
    path(PART + "materials/", part_views.OwnMaterialListView.as_view(), name="exchange-api-part-materials"),
    path(
        PART + "materials/<slug:code>/",
        part_views.OwnMaterialDetailView.as_view(),
        name="exchange-api-part-material",
    ),
    path(PART + "rollup/", part_views.RollupView.as_view(), name="exchange-api-part-rollup"),
    path(
        "exchange/requests/sent/",
        request_views.SentRequestListView.as_view(),
        name="exchange-api-requests-sent",
    ),
    path(
        "exchange/requests/received/",
        request_views.ReceivedRequestListView.as_view(),
        name="exchange-api-requests-received",
    ),
    path(REQUEST, request_views.RequestDetailView.as_view(), name="exchange-api-request-detail"),
    path(REQUEST + "cancel/", request_views.RequestCancelView.as_view(), name="exchange-api-request-cancel"),
    path(
        REQUEST + "send-back/",
        request_views.RequestSendBackView.as_view(),
        name="exchange-api-request-send-back",
    ),
    path(REQUEST + "answer/", request_views.RequestAnswerView.as_view(), name="exchange-api-request-answer"),
    path(
        REQUEST + "answer-file/",
        request_views.RequestFileAnswerView.as_view(),
        name="exchange-api-request-answer-file",
    ),
    path(
        "exchange/answers/received/",
        answer_views.ReceivedAnswerListView.as_view(),
        name="exchange-api-answers-received",
    ),
    path(
        "exchange/answers/given/",
        answer_views.GivenAnswerListView.as_view(),
        name="exchange-api-answers-given",
    ),
    path(ANSWER, answer_views.AnswerDetailView.as_view(), name="exchange-api-answer-detail"),
    path(ANSWER + "correct/", answer_views.AnswerCorrectView.as_view(), name="exchange-api-answer-correct"),
    path(
        ANSWER + "catenax-pcf/",
        answer_views.AnswerCatenaxPcfView.as_view(),
        name="exchange-api-answer-catenax-pcf",
    ),
    path(
        ANSWER + "ouranos-cfp/",
        answer_views.AnswerOuranosCfpView.as_view(),
        name="exchange-api-answer-ouranos-cfp",
    ),
]
