"""Certificates through the API: the detail by number, list filters and search, and the issuing body's
suspend / reinstate / revoke, carried over to the recognised certificate."""

from __future__ import annotations

import json

import pytest

from certification.models import CertificateStatus

from ..audiences import ADMIN_A, INSPECTOR, LEAD, OPERATOR, OTHER_BODY, OTHER_COMPANY, REVIEWER, VIEWER_A
from ..conftest import CATENA_X, OURANOS
from .conftest import issue_another

pytestmark = pytest.mark.django_db


def test_detail_carries_every_certified_fact(api, certificate, company_a, accredited, users):
    body = api(INSPECTOR).get(f"/api/v1/certificates/{certificate.number}/").json()
    assert body["number"] == "CATX-CBG-0000001"
    assert body["scheme"]["code"] == CATENA_X and body["scheme"]["version"] == "2.0"
    assert {"code": "CX-0160", "title": "Battery Passport", "version": "2.0.0"} in body["standards"]
    assert body["holder"] == {
        "name": "Company A GmbH",
        "country": "DE",
        "bpnl": company_a.bpnl,
        "corporate_number": "",
        "lei": "",
    }
    assert body["scope"]["organization"] == "Company A GmbH"
    assert body["scope"]["passports"] == [
        {
            "id": str(certificate.application.passports.get().public_id),
            "unique_identifier": "urn:epc:CERT-0001",
        }
    ]
    assert body["conditions"] == "Annual surveillance audit."
    assert body["issuing_body"] == {"id": str(accredited.public_id), "legal_name": "Cert Body GmbH"}
    assert body["reviewer"] == users[REVIEWER].get_full_name()
    assert body["status"] == "valid" and body["status_reason"] == ""
    assert body["valid_from"] <= body["valid_until"] and body["issued_at"]
    assert body["history"] == [
        {
            "from_status": None,
            "to_status": "valid",
            "reason": "",
            "created_at": body["history"][0]["created_at"],
        }
    ]
    # The authority cannot open the application; the holder can.
    assert body["application"] is None
    holder_view = api(ADMIN_A).get(f"/api/v1/certificates/{certificate.number}/").json()
    assert holder_view["application"] == str(certificate.application.public_id)


def test_list_filters_and_search(api, certificate, admin_a, lead, reviewer, ouranos, accredited, scope_model):
    origin_ouranos = issue_another(admin_a, lead, reviewer, ouranos, battery_models=[scope_model])
    recognised_catenax = origin_ouranos.recognised.get()
    client = api(INSPECTOR)

    def numbers(query: str) -> set[str]:
        response = client.get(f"/api/v1/certificates/?{query}")
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["results"]}

    everything = numbers("")
    assert len(everything) == 4
    assert numbers(f"scheme={OURANOS}") == {origin_ouranos.number, certificate.recognised.get().number}
    assert numbers("recognised=yes") == {recognised_catenax.number, certificate.recognised.get().number}
    assert numbers("recognised=no") == {certificate.number, origin_ouranos.number}
    assert numbers(f"issuing_body={accredited.public_id}") == everything
    assert numbers("issuing_body=00000000-0000-4000-8000-000000000000") == set()
    assert numbers("search=company a") == everything
    assert numbers("search=nobody-of-that-name") == set()
    assert numbers("search=CATX-CBG-0000001") == {certificate.number}
    rows = client.get("/api/v1/certificates/?recognised=yes&scheme=" + CATENA_X).json()["results"]
    assert [(r["number"], r["recognised_from"]) for r in rows] == [
        (recognised_catenax.number, origin_ouranos.number)
    ]

    api(LEAD).post(f"/api/v1/certificates/{certificate.number}/suspend/", {"reason": "Audit"}, format="json")
    assert numbers("status=suspended") == {certificate.number, certificate.recognised.get().number}
    ordered = client.get("/api/v1/certificates/?ordering=number").json()["results"]
    assert [r["number"] for r in ordered] == sorted(everything)
    for bad in ("recognised=perhaps", "status=lost", "issuing_body=x", "search=a%00b"):
        assert client.get(f"/api/v1/certificates/?{bad}").status_code == 400, bad


def test_suspend_reinstate_revoke_carry_over_to_the_recognised_certificate(api, certificate):
    recognised = certificate.recognised.get()
    base = f"/api/v1/certificates/{certificate.number}/"
    lead = api(LEAD)

    suspended = lead.post(base + "suspend/", {"reason": "Surveillance audit missed."}, format="json")
    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["status_reason"] == "Surveillance audit missed."
    recognised.refresh_from_db()
    assert recognised.status == CertificateStatus.SUSPENDED

    # The reviewer who issued it may act too.
    reinstated = api(REVIEWER).post(base + "reinstate/", {"reason": "Audit done."}, format="json")
    assert reinstated.json()["status"] == "valid"
    recognised.refresh_from_db()
    assert recognised.status == CertificateStatus.VALID

    revoked = lead.post(base + "revoke/", {"reason": "Fraud."}, format="json").json()
    assert revoked["status"] == "revoked"
    assert [e["to_status"] for e in revoked["history"]] == ["valid", "suspended", "valid", "revoked"]
    holder_view = api(ADMIN_A).get(f"/api/v1/certificates/{recognised.number}/").json()
    assert holder_view["status"] == "revoked" and holder_view["status_reason"] == "Fraud."

    again = lead.post(base + "reinstate/", {}, format="json")
    assert again.status_code == 409
    assert again.json() == {
        "detail": "A certificate in the status “Revoked” cannot be reinstated.",
        "code": "invalid_state",
    }


def test_status_changes_refused(api, certificate):
    recognised = certificate.recognised.get()
    base = f"/api/v1/certificates/{certificate.number}/"
    for audience in (ADMIN_A, VIEWER_A, INSPECTOR, OPERATOR):
        response = api(audience).post(base + "suspend/", {"reason": "x"}, format="json")
        assert response.status_code == 403, audience
        assert response.json() == {
            "detail": "Only the issuing body can change the status of this certificate."
        }
    for audience in (OTHER_COMPANY, OTHER_BODY):
        assert api(audience).post(base + "revoke/", {"reason": "x"}, format="json").status_code == 404
    no_reason = api(LEAD).post(base + "suspend/", {"reason": "  "}, format="json")
    assert no_reason.status_code == 400 and no_reason.json() == {"reason": ["Give the reason."]}
    follows = api(LEAD).post(
        f"/api/v1/certificates/{recognised.number}/suspend/", {"reason": "x"}, format="json"
    )
    assert follows.status_code == 409
    assert certificate.number in follows.json()["detail"]
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_a_filter_the_list_does_not_have_answers_400_rather_than_every_row(api, certificate):
    response = api(INSPECTOR).get("/api/v1/certificates/?valid_until_after=garbage&status=valid")
    assert response.status_code == 400
    assert "valid_until_after" in response.json()
    assert api(INSPECTOR).get("/api/v1/certificates/?status=valid&page=1&page_size=10").status_code == 200


def test_list_rows_name_the_recognition_both_ways_as_the_detail_does(api, certificate):
    """The list reads the recognised certificates' numbers in one query of its own, without prefetching:
    each row says what the detail says."""
    rows = api(INSPECTOR).get("/api/v1/certificates/").json()["results"]
    recognised = certificate.recognised.get()
    by_number = {row["number"]: row for row in rows}
    assert by_number[certificate.number]["recognised_as"] == [recognised.number]
    assert by_number[certificate.number]["recognised_from"] is None
    assert by_number[recognised.number]["recognised_from"] == certificate.number
    assert by_number[recognised.number]["recognised_as"] == []
    for row in rows:
        detail = api(INSPECTOR).get(f"/api/v1/certificates/{row['number']}/").json()
        assert {key: detail[key] for key in row if key != "holder"} == {
            k: v for k, v in row.items() if k != "holder"
        }


def test_list_rows_are_what_the_row_serializer_makes_of_them(api, certificate):
    """The list writes its rows without the serializer's per-field work: the JSON is the same."""
    from rest_framework.renderers import JSONRenderer

    from certification import selectors
    from certification.api.payloads import certificate_row
    from certification.api.serializers import CertificateRowOutput
    from certification.models import Certificate

    rows = api(INSPECTOR).get("/api/v1/certificates/").json()["results"]
    certificates = list(Certificate.objects.order_by("-issued_at", "-pk"))
    assert len(rows) == len(certificates) == Certificate.objects.count() >= 2
    recognised = selectors.recognised_numbers(certificates)
    plain = [certificate_row(c, recognised.get(c.pk, [])) for c in certificates]
    assert JSONRenderer().render(plain) == JSONRenderer().render(CertificateRowOutput(plain, many=True).data)
    assert json.loads(JSONRenderer().render(plain)) == rows
