"""Response documents of the certification API, built field by field (the allowlist is the serializers').

Passport data reaches a response only through `selectors.scope_passport_data`, i.e. the passport
view-models the passport policy built for this caller: nothing here walks from an application to a
passport's values or supply chain.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from portal.tenancy.selectors import active_organization_of

from .. import policies, selectors, services
from ..models import Application, Certificate, Scheme


def _person(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def _actor(request, application: Application, user) -> str | None:
    """Who acted, as the caller may know them: people of the caller's own organization and the reviewer
    (named on the certificate anyway) by name; the other side's staff only by their organization."""
    if user is None:
        return None
    membership = getattr(user, "membership", None)
    organization_id = membership.organization_id if membership is not None else None
    own = active_organization_of(request.user)
    if (own is not None and organization_id == own.pk) or user.pk == application.reviewer_id:
        return _person(user)
    if organization_id == application.organization_id:
        return application.organization.legal_name
    if organization_id == application.body_id:
        return application.body.legal_name
    return None


def organization_ref(organization) -> dict[str, Any]:
    return {"id": organization.public_id, "legal_name": organization.legal_name}


# ---- schemes -----------------------------------------------------------------------------------------
def scheme_payload(scheme: Scheme) -> dict[str, Any]:
    return {
        "id": scheme.public_id,
        "code": scheme.code,
        "name": scheme.name,
        "name_ja": scheme.name_ja,
        "name_de": scheme.name_de,
        "owner": scheme.owner,
        "version": scheme.version,
        "description": scheme.description,
        "description_ja": scheme.description_ja,
        "description_de": scheme.description_de,
        "number_format": scheme.number_format,
        "validity": {
            "kind": scheme.validity_kind,
            "months": scheme.validity_months,
            "until_date": scheme.valid_until_date,
            "until_label": scheme.valid_until_label,
        },
        "scope_kind": scheme.scope_kind,
        "open_for_applications": scheme.is_active,
        "standards": [
            {"code": s.code, "title": s.title, "version": s.version} for s in scheme.standards.all()
        ],
        "criteria": [
            {
                "code": c.code,
                "text": c.text,
                "text_ja": c.text_ja,
                "text_de": c.text_de,
                "evidence_expected": c.evidence_expected,
                "evidence_expected_ja": c.evidence_expected_ja,
                "evidence_expected_de": c.evidence_expected_de,
                "method": c.method,
                "mandatory": c.mandatory,
            }
            for c in scheme.criteria.all()
        ],
        "accredited_bodies": [organization_ref(body) for body in selectors.accredited_bodies(scheme)],
    }


# ---- applications ------------------------------------------------------------------------------------
def application_row(application: Application) -> dict[str, Any]:
    """Facts of the list: everything from the row and its select_related joins (no further query)."""
    scheme = application.scheme
    return {
        "id": application.public_id,
        "state": application.state,
        "scheme": {"code": scheme.code, "name": scheme.name, "version": scheme.version},
        "applicant": organization_ref(application.organization),
        "body": organization_ref(application.body),
        "reviewer": _person(application.reviewer),
        "round": application.round,
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "state_changed_at": application.state_changed_at,
    }


def evidence_download_url(request, application: Application, evidence) -> str:
    url = reverse(
        "api:application-evidence-detail",
        kwargs={"public_id": application.public_id, "evidence_id": evidence.public_id},
    )
    return request.build_absolute_uri(url)


def evidence_item(request, application: Application, evidence) -> dict[str, Any]:
    return {
        "id": evidence.public_id,
        "criterion": evidence.criterion.code,
        "file_name": evidence.file_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "uploaded_at": evidence.uploaded_at,
        "download_url": evidence_download_url(request, application, evidence),
    }


def _scope(application: Application) -> dict[str, Any]:
    # Names and identifiers only: what the application names as its scope, never passport values.
    return {
        "battery_models": [
            {"id": m.public_id, "name": m.name} for m in application.battery_models.order_by("name")
        ],
        "passports": [
            {"id": p.public_id, "unique_identifier": p.unique_identifier}
            for p in application.passports.order_by("unique_identifier")
        ],
        "sites": [{"id": s.public_id, "name": s.name} for s in application.sites.order_by("name")],
    }


def _scope_data(request, application: Application) -> dict[str, Any] | None:
    """The passport data in scope, for the certification body: live while its review is open, the snapshot
    it reviewed once the application has closed (`source` "snapshot" with `recorded_at`), or, for reviews
    closed before snapshots were recorded, the published values (`source` "published"). Nothing before a
    reviewer is assigned, nothing for anyone else."""
    if application.is_open and not selectors.review_is_open(application):
        return None
    scope = selectors.review_scope_for(actor=request.user, application=application)
    if scope is None:
        return None
    return {
        "source": scope.source,
        "recorded_at": scope.recorded_at,
        "battery_models": scope.battery_models,
        "passports": scope.passports,
    }


def application_payload(request, application: Application) -> dict[str, Any]:
    certificate = selectors.application_certificate_number(actor=request.user, application=application)
    payload = {
        **application_row(application),
        "declaration": {"name": application.declaration_name, "signed_at": application.declaration_signed_at},
        "decision_reason": application.decision_reason,
        "closed_at": application.closed_at,
        "renewal_of": application.renewal_of.number if application.renewal_of_id else None,
        "scope": _scope(application),
        "answers": [
            {"criterion": a.criterion.code, "text": a.text, "updated_at": a.updated_at}
            for a in application.answers.select_related("criterion")
        ],
        "missing_answers": [c.code for c in services.missing_answers(application)],
        "evidence": [
            evidence_item(request, application, e) for e in application.evidence.select_related("criterion")
        ],
        "verdicts": [
            {
                "round": v.round,
                "criterion": v.criterion.code,
                "value": v.value,
                "notes": v.notes,
                "reviewer": _person(v.reviewer),
                "recorded_at": v.recorded_at,
            }
            for v in application.verdicts.select_related("criterion", "reviewer")
        ],
        "history": [
            {
                "round": e.round,
                "from_state": e.from_state or None,
                "to_state": e.to_state,
                "actor": _actor(request, application, e.actor),
                "message": e.message,
                "created_at": e.created_at,
            }
            for e in selectors.application_history(application).select_related("actor__membership")
        ],
        "certificate": certificate,
    }
    scope_data = _scope_data(request, application)
    if scope_data is not None:
        payload["scope_data"] = scope_data
    return payload


def reviewer_row(user, application: Application) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": _person(user),
        "is_assigned": user.pk == application.reviewer_id,
    }


# ---- certificates ------------------------------------------------------------------------------------
def certificate_row(certificate: Certificate, recognised: list[str] | None = None) -> dict[str, Any]:
    """Facts of the list: from the row, its joins and the recognised certificates' numbers (`recognised`,
    else read from the prefetched relation)."""
    return {
        "number": certificate.number,
        "scheme": {
            "code": certificate.scheme.code,
            "name": certificate.scheme.name,
            "version": certificate.scheme_version,
        },
        "holder": {"name": certificate.holder_name, "country": certificate.holder_country},
        "issuing_body": {
            "id": certificate.issuing_body.public_id,
            "legal_name": certificate.issuing_body_name,
        },
        "issued_at": certificate.issued_at,
        "valid_from": certificate.valid_from,
        "valid_until": certificate.valid_until,
        "status": certificate.status,
        "recognised_from": certificate.origin.number if certificate.origin_id else None,
        "recognised_as": sorted(c.number for c in certificate.recognised.all())
        if recognised is None
        else recognised,
    }


def certificate_payload(request, certificate: Certificate) -> dict[str, Any]:
    application = certificate.application
    return {
        **certificate_row(certificate),
        "holder": {
            "name": certificate.holder_name,
            "country": certificate.holder_country,
            "bpnl": certificate.holder_bpnl,
            "corporate_number": certificate.holder_corporate_number,
            "lei": certificate.holder_lei,
        },
        "standards": certificate.standards,
        "scope": certificate.scope,
        "conditions": certificate.conditions,
        "reviewer": certificate.reviewer_name,
        "status_reason": certificate.status_reason,
        "status_changed_at": certificate.status_changed_at,
        "application": application.public_id
        if application is not None and policies.can_view_application(request.user, application)
        else None,
        "history": [
            {
                "from_status": e.from_status or None,
                "to_status": e.to_status,
                "reason": e.reason,
                "created_at": e.created_at,
            }
            for e in certificate.events.all()
        ],
    }
