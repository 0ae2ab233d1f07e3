"""REST API of uploaded passport documents (PDF and images in private storage), thin over the services:

    GET/POST   /api/v1/battery-models/<id>/documents/                 list what you may see / upload
    GET/DELETE /api/v1/battery-models/<id>/documents/<doc>/           one document / delete it
    GET        /api/v1/battery-models/<id>/documents/<doc>/download/  the file
and the same under /api/v1/passports/<id>/documents/ for a battery's own documents (the list there also
shows the documents of its battery model, which can be opened and downloaded there too).

Uploads are multipart (`file`, `attribute`, optional `title`). Every check of the file is
`document_files`' (through `services.document_upload`): a wrong type, a fake extension, an empty or
oversized file answer 400 with field messages, and nothing is stored. Who may see a document is
`policies.can_see_document` (the audience of its catalogue attribute); anything else answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import AnyAccept
from portal.api_fields import NamedChoiceField
from portal.json_input import SafeJSONParser
from portal.uploads import KINDS, limit_uploads

from .. import policies, selectors, services
from ..catalogue import Audience, Level
from ..document_files import uploadable_attributes
from ..document_views import serve_document
from ..models import BatteryModel, Passport, PassportDocument

MODELS = ["battery models"]
PASSPORTS = ["passports"]


# ---- serializers -------------------------------------------------------------------------------------
class ModelDocumentKindField(NamedChoiceField):
    enum_name = "ModelDocumentKindEnum"
    enum_choices = tuple((a.key, str(a.label)) for a in uploadable_attributes(Level.MODEL))


class BatteryDocumentKindField(NamedChoiceField):
    enum_name = "BatteryDocumentKindEnum"
    enum_choices = tuple((a.key, str(a.label)) for a in uploadable_attributes(Level.BATTERY))


class DocumentAudienceField(NamedChoiceField):
    enum_name = "DocumentAudienceEnum"
    enum_choices = tuple((audience.value, audience.value) for audience in Audience)


class DocumentLevelField(NamedChoiceField):
    enum_name = "DocumentLevelEnum"
    enum_choices = (
        ("model", "for every battery of the model"),
        ("battery", "this passport's own"),
    )


class DocumentContentTypeField(NamedChoiceField):
    enum_name = "DocumentContentTypeEnum"
    enum_choices = tuple((kind.content_type, kind.label) for kind in KINDS)


FILE_HELP = _(
    "A PDF document or a PNG, JPEG or WebP image, recognised by its content (not its name or declared "
    "type); at most PASSPORT_DOCUMENT_MAX_BYTES (10 MB by default)."
)
TITLE_HELP = _("Shown to readers (the Catena-X header, at most 100 characters); default: the file name.")


class ModelDocumentUploadInput(serializers.Serializer):
    attribute = ModelDocumentKindField(help_text=_("The document kind: its audience decides who sees it."))
    title = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text=TITLE_HELP)
    # Presence only: every check of the content is the service's, shared with the HTML form.
    file = serializers.FileField(allow_empty_file=True, use_url=False, help_text=FILE_HELP)


class BatteryDocumentUploadInput(ModelDocumentUploadInput):
    attribute = BatteryDocumentKindField(help_text=_("The document kind: its audience decides who sees it."))


class DocumentOutput(serializers.Serializer):
    id = serializers.UUIDField()
    attribute = serializers.CharField(help_text=_("Field catalogue key of the document kind."))
    attribute_label = serializers.CharField()
    audience = DocumentAudienceField()
    level = DocumentLevelField()
    title = serializers.CharField()
    file_name = serializers.CharField()
    content_type = DocumentContentTypeField()
    size = serializers.IntegerField(help_text=_("Bytes."))
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.URLField()


# ---- helpers -----------------------------------------------------------------------------------------
def _battery_model(request, public_id: UUID) -> BatteryModel:
    battery_model = selectors.battery_model_get(actor=request.user, public_id=public_id)
    if battery_model is None:
        raise Http404
    return battery_model


def _passport(request, public_id: UUID) -> Passport:
    passport = selectors.passport_get(actor=request.user, public_id=public_id)
    if passport is None:
        raise Http404
    viewer = policies.viewer_kind(request.user, passport)
    if not policies.can_see_unpublished(viewer) and not policies.documents_published(passport):
        raise Http404  # a grant on a passport that was never published: nothing to show yet
    return passport


def _own(request, target: BatteryModel | Passport) -> BatteryModel | Passport:
    """Writes on a visible target: another organization is refused (403); inside the owner the role
    decides."""
    if not policies.is_owner(request.user, target):
        raise exceptions.PermissionDenied(_("Only the owner company can do this."))
    return target


def _belongs(document: PassportDocument, target: BatteryModel | Passport, *, own_only: bool) -> bool:
    if isinstance(target, Passport):
        if document.passport_id == target.pk:
            return True
        shared = document.passport_id is None and document.battery_model_id == target.battery_model_id
        return shared and not own_only
    return document.passport_id is None and document.battery_model_id == target.pk


def _document(request, target, document_id: UUID, *, own_only: bool = False) -> PassportDocument:
    document = selectors.document_get(actor=request.user, public_id=document_id)
    if document is None or not _belongs(document, target, own_only=own_only):
        raise Http404
    return document


def _payload(request, target, document: PassportDocument) -> dict:
    row = selectors.document_row(document)
    if isinstance(target, Passport):
        name = "api:passport-document-download"
    else:
        name = "api:battery-model-document-download"
    url = reverse(name, kwargs={"public_id": target.public_id, "document_id": document.public_id})
    return DocumentOutput({**row.__dict__, "download_url": request.build_absolute_uri(url)}).data


class _DocumentView(APIView):
    #: Finds the passport or battery model of the URL among those the caller may see (404 otherwise);
    #: set by each endpoint.
    target_lookup: Callable[[Any, UUID], BatteryModel | Passport]


class _DocumentListView(_DocumentView):
    parser_classes = [MultiPartParser, FormParser, SafeJSONParser]
    upload_input: type[serializers.Serializer]

    def initialize_request(self, request, *args, **kwargs):
        limit_uploads(request)  # before anything (CSRF checks, parsers) reads the body
        return super().initialize_request(request, *args, **kwargs)

    def get(self, request, public_id: UUID):
        target = self.target_lookup(request, public_id)
        documents = selectors.documents_for(
            actor=request.user, target=target, with_model=isinstance(target, Passport)
        )
        return Response([_payload(request, target, document) for document in documents])

    def post(self, request, public_id: UUID):
        target = _own(request, self.target_lookup(request, public_id))
        serializer = self.upload_input(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        document = services.document_upload(
            actor=request.user,
            target=target,
            attribute_key=data["attribute"],
            file=data["file"],
            title=data.get("title", ""),
        )
        return Response(_payload(request, target, document), status=status.HTTP_201_CREATED)


class _DocumentDetailView(_DocumentView):
    def get(self, request, public_id: UUID, document_id: UUID):
        target = self.target_lookup(request, public_id)
        return Response(_payload(request, target, _document(request, target, document_id)))

    def delete(self, request, public_id: UUID, document_id: UUID):
        target = _own(request, self.target_lookup(request, public_id))
        document = _document(request, target, document_id, own_only=True)
        services.document_delete(actor=request.user, document=document)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _DocumentDownloadView(_DocumentView):
    content_negotiation_class = AnyAccept

    def get(self, request, public_id: UUID, document_id: UUID):
        target = self.target_lookup(request, public_id)
        return serve_document(request, _document(request, target, document_id))


# ---- the endpoints, with their OpenAPI descriptions -------------------------------------------------
DOWNLOAD_RESPONSES = {
    **{(200, kind.content_type): OpenApiResponse(OpenApiTypes.BINARY) for kind in KINDS},
    404: OpenApiResponse(description="Unknown, or not yours to see."),
}
LIST_DESCRIPTION = (
    "Documents whose audience you belong to: the owner company and an assigned certifier see all; "
    "partners with a legitimate-interest grant, authorities and others see the kinds of their audience once "
    "a passport of the model is published."
)


def _model(request, public_id: UUID) -> BatteryModel:
    return _battery_model(request, public_id)


class BatteryModelDocumentListView(_DocumentListView):
    upload_input = ModelDocumentUploadInput
    target_lookup = staticmethod(_model)

    @extend_schema(
        tags=MODELS,
        summary="Uploaded documents of a battery model you may see",
        description=LIST_DESCRIPTION,
        responses=DocumentOutput(many=True),
    )
    def get(self, request, public_id: UUID):
        return super().get(request, public_id)

    @extend_schema(
        tags=MODELS,
        summary="Upload a document for a battery model (editors)",
        request={"multipart/form-data": ModelDocumentUploadInput},
        responses={201: DocumentOutput},
    )
    def post(self, request, public_id: UUID):
        return super().post(request, public_id)


class BatteryModelDocumentDetailView(_DocumentDetailView):
    target_lookup = staticmethod(_model)

    @extend_schema(tags=MODELS, summary="One uploaded document of a battery model", responses=DocumentOutput)
    def get(self, request, public_id: UUID, document_id: UUID):
        return super().get(request, public_id, document_id)

    @extend_schema(tags=MODELS, summary="Delete a document (editors)", responses={204: None})
    def delete(self, request, public_id: UUID, document_id: UUID):
        return super().delete(request, public_id, document_id)


class BatteryModelDocumentDownloadView(_DocumentDownloadView):
    target_lookup = staticmethod(_model)

    @extend_schema(
        tags=MODELS, summary="Download a document of a battery model", responses=DOWNLOAD_RESPONSES
    )
    def get(self, request, public_id: UUID, document_id: UUID):
        return super().get(request, public_id, document_id)


class PassportDocumentListView(_DocumentListView):
    upload_input = BatteryDocumentUploadInput
    target_lookup = staticmethod(_passport)

    @extend_schema(
        tags=PASSPORTS,
        summary="Uploaded documents of a passport and of its battery model that you may see",
        description=LIST_DESCRIPTION,
        responses=DocumentOutput(many=True),
    )
    def get(self, request, public_id: UUID):
        return super().get(request, public_id)

    @extend_schema(
        tags=PASSPORTS,
        summary="Upload a document of this battery (editors)",
        request={"multipart/form-data": BatteryDocumentUploadInput},
        responses={201: DocumentOutput},
    )
    def post(self, request, public_id: UUID):
        return super().post(request, public_id)


class PassportDocumentDetailView(_DocumentDetailView):
    target_lookup = staticmethod(_passport)

    @extend_schema(tags=PASSPORTS, summary="One uploaded document of a passport", responses=DocumentOutput)
    def get(self, request, public_id: UUID, document_id: UUID):
        return super().get(request, public_id, document_id)

    @extend_schema(
        tags=PASSPORTS, summary="Delete a document of this battery (editors)", responses={204: None}
    )
    def delete(self, request, public_id: UUID, document_id: UUID):
        return super().delete(request, public_id, document_id)


class PassportDocumentDownloadView(_DocumentDownloadView):
    target_lookup = staticmethod(_passport)

    @extend_schema(tags=PASSPORTS, summary="Download a document of a passport", responses=DOWNLOAD_RESPONSES)
    def get(self, request, public_id: UUID, document_id: UUID):
        return super().get(request, public_id, document_id)
