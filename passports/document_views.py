"""Uploaded passport documents in the browser, and the one way their bytes leave the server.

- `/passports/models/<id>/documents/` and `/passports/<id>/documents/`: the documents of a battery model or
  of one battery (with its model's), as far as the reader may see them; owner editors upload and delete.
- `/passports/documents/<id>/download/`: the file, to whoever `policies.can_see_document` allows, logged in
  or not (public documents of published passports are linked from the public QR page). Everybody else, and
  unknown ids, get the same 404.

Uploads go through `portal.uploads.LimitedUploadHandler`, installed before the body is parsed: an oversized
file is cut after the limit instead of filling the disk, and still fails the size check.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.downloads import stored_file
from portal.tenancy.decorators import active_member_required
from portal.uploads import limit_uploads

from . import policies, selectors, services
from .catalogue import Audience, Level, Viewer
from .document_forms import AUDIENCE_NOTES, DocumentUploadForm
from .models import BatteryModel, Passport, PassportDocument


# ---- the bytes ---------------------------------------------------------------------------------------
def document_response(document: PassportDocument) -> HttpResponse:
    """The stored file as a download (uploads are capped at PASSPORT_DOCUMENT_MAX_BYTES)."""
    return stored_file(document.file, document.content_type, document.original_name)


def serve_document(request: HttpRequest, document: PassportDocument) -> HttpResponse:
    """Serve a document the policy allowed, writing restricted reads by others to the access log."""
    viewer = policies.document_viewer(request.user, document)
    if (
        viewer is not Viewer.OWNER
        and policies.document_audience(document.attribute_key) is not Audience.PUBLIC
    ):
        services.document_access_record(actor=request.user, document=document, viewer=viewer.value)
    return document_response(document)


@require_safe
def document_download(request: HttpRequest, document_id) -> HttpResponse:
    document = selectors.document_get(actor=request.user, public_id=document_id)
    if document is None:
        raise Http404
    return serve_document(request, document)


# ---- lists and uploads -------------------------------------------------------------------------------
def _rows(request: HttpRequest, target: BatteryModel | Passport, can_manage: bool) -> list[dict[str, Any]]:
    own_level = "battery" if isinstance(target, Passport) else "model"
    rows = []
    documents = selectors.documents_for(actor=request.user, target=target, with_model=own_level == "battery")
    for document in documents:
        row = selectors.document_row(document)
        rows.append(
            {
                **row.__dict__,
                "audience_label": AUDIENCE_NOTES[Audience(row.audience)],
                "size_label": filesizeformat(row.size),
                "download_url": reverse("passports:document_download", args=[row.id]),
                "delete_url": reverse("passports:document_delete", args=[row.id])
                if can_manage and row.level == own_level
                else None,
            }
        )
    return rows


def _documents_page(request: HttpRequest, target: BatteryModel | Passport) -> HttpResponse:
    is_passport = isinstance(target, Passport)
    can_manage = policies.can_manage_documents(request.user, target)
    level = Level.BATTERY if is_passport else Level.MODEL
    form = DocumentUploadForm(level) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = DocumentUploadForm(level, data=request.POST, files=request.FILES)
        if form.is_valid():
            try:
                services.document_upload(
                    actor=request.user,
                    target=target,
                    attribute_key=form.cleaned_data["attribute"],
                    file=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Document uploaded."))
                return redirect(request.path)
    if is_passport:
        heading = {"kind": "passport", "name": target.unique_identifier, "id": target.public_id}
        back_url = reverse("passports:detail", args=[target.public_id])
    else:
        heading = {"kind": "model", "name": target.name, "id": target.public_id}
        back_url = reverse("passports:model_detail", args=[target.public_id])
    context = {
        "target": heading,
        "rows": _rows(request, target, can_manage),
        "form": form,
        "can_manage": can_manage,
        "back_url": back_url,
    }
    return render(request, "passports/documents.html", context, status=400 if form and form.errors else 200)


@csrf_exempt
def model_documents(request: HttpRequest, public_id) -> HttpResponse:
    limit_uploads(request)  # before CSRF protection reads the body
    return _model_documents(request, public_id)


@csrf_protect
@active_member_required
@require_http_methods(["GET", "POST"])
def _model_documents(request: HttpRequest, public_id) -> HttpResponse:
    model = selectors.battery_model_get(actor=request.user, public_id=public_id)
    if model is None:
        raise Http404
    return _documents_page(request, model)


@csrf_exempt
def passport_documents(request: HttpRequest, public_id) -> HttpResponse:
    limit_uploads(request)
    return _passport_documents(request, public_id)


@csrf_protect
@active_member_required
@require_http_methods(["GET", "POST"])
def _passport_documents(request: HttpRequest, public_id) -> HttpResponse:
    passport = selectors.passport_get(actor=request.user, public_id=public_id)
    if passport is None:
        raise Http404
    viewer = policies.viewer_kind(request.user, passport)
    if not policies.can_see_unpublished(viewer) and not policies.documents_published(passport):
        raise Http404  # a grant on a passport never published: nothing to show yet
    return _documents_page(request, passport)


@active_member_required
@require_POST
def document_delete(request: HttpRequest, document_id) -> HttpResponse:
    document = selectors.document_get(actor=request.user, public_id=document_id)
    if document is None:
        raise Http404
    try:
        services.document_delete(actor=request.user, document=document)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Document deleted."))
    if document.passport_id is not None:
        return redirect("passports:passport_documents", public_id=document.passport.public_id)
    return redirect("passports:model_documents", public_id=document.battery_model.public_id)
