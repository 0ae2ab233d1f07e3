"""Downloads for a company's own records: the EU registry records of its published passports (CSV) and
the back-up archive of every published passport (ZIP). Both are streamed as they are written."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_safe

from portal.tenancy.decorators import active_member_required
from portal.tenancy.policies import is_company

from .. import continuity


def _company(request: HttpRequest):
    organization = request.membership.organization
    if not is_company(organization):
        raise PermissionDenied
    return organization


@active_member_required
@require_safe
def registry_records_csv(request: HttpRequest) -> StreamingHttpResponse:
    records = continuity.registry_records(actor=request.user, organization=_company(request))
    return continuity.streamed_download(
        continuity.registry_csv_lines(records),
        "text/csv; charset=utf-8",
        continuity.export_filename("registry", "csv"),
    )


@active_member_required
@require_safe
def backup_zip(request: HttpRequest) -> StreamingHttpResponse:
    chunks = continuity.backup_archive(actor=request.user, organization=_company(request))
    return continuity.streamed_download(
        chunks, "application/zip", continuity.export_filename("backup", "zip")
    )
