"""The bulk import's canary data: a passport import job of company A whose file name and one error message
carry markers.

Who may see what: a job belongs to the company whose member started it. Every member of company A sees its
jobs (the administrator who may import, and the viewer who may not start one but reads the company's
passports anyway: state, file name and errors are about those passports). Nobody else: not another company,
not the operator (the jobs have no admin page), not a partner, certifier or authority.
"""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from passports.bulk_import import formats, services
from passports.bulk_import.models import ImportMode

from ..registry import COMPANY_A, COMPANY_A_VIEWER, Marker, ParamValue, World, new_marker_value, register

A_MEMBERS = frozenset({COMPANY_A, COMPANY_A_VIEWER})


def import_url_kwargs(world: World) -> dict[str, list[ParamValue]]:
    return {
        "public_id": [
            ParamValue(
                world.objects["import_job"].public_id,
                "company A's passport import",
                url_names=frozenset({"passports:import_*", "api:passport-import-*"}),
            )
        ]
    }


@register("bulk_import", url_kwargs=import_url_kwargs)
def plant_import(world: World) -> list[Marker]:
    file_marker = new_marker_value("import-file")
    error_marker = new_marker_value("import-error")
    columns = formats.csv_attributes()
    rows = [
        {"manufacturer_part_id": "CANARY-IMPORT-1", "unique_identifier": "urn:canary:import:1",
         "model_name": "Import Pack", "battery_category": error_marker},
    ]  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([a.key for a in columns])  # a labels row is only for people: keys twice is fine
    writer.writerow([a.key for a in columns])
    for row in rows:
        writer.writerow([row.get(a.key, "") for a in columns])
    upload = SimpleUploadedFile(f"{file_marker}.csv", buffer.getvalue().encode(), content_type="text/csv")
    job = services.job_start(actor=world.users[COMPANY_A], upload=upload, mode=ImportMode.VALID_ROWS)
    job = services.job_run(job_id=job.pk)  # the on-commit hook does not run inside the fixture's transaction
    world.objects["import_job"] = job
    return [
        Marker(file_marker, "file name of company A's import", A_MEMBERS, expect_seen_by=A_MEMBERS),
        Marker(error_marker, "error message of company A's import (quotes the row's value)", A_MEMBERS,
               expect_seen_by=A_MEMBERS),
    ]  # fmt: skip
