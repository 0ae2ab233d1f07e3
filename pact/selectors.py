"""Reads of the PACT host system. Every footprint read goes through `Answer.objects.restrict(client)`:
a client is an actor acting for its company (`acts_for`), so it reads exactly the answers released to
that company, through the exchange's own rule."""

from __future__ import annotations

from django.db.models import QuerySet

from exchange.models import Answer

from .models import PactClient

#: The columns `footprints.product_footprint` reads (and `preceding_ids`: request, version). A page of
#: footprints otherwise loads every column of the answer, both parts and the supplier, and decodes JSON
#: no footprint shows (the parts' `own_quality`, the answer's `stage_quality`); on a page of 100 that was
#: most of the time spent building model instances. Keep in step with pact/footprints.py: a field missing
#: here costs one query per footprint (tests/pact checks the query count does not grow with the page).
FOOTPRINT_FIELDS = (
    "public_id", "request", "version", "status", "released_at", "comment", "product_name", "cn_code",
    "declared_unit", "mass_per_unit", "reference_period_start", "reference_period_end", "geography_country",
    "boundary_processes", "pcf_excluding_biogenic", "pcf_including_biogenic", "fossil_emissions",
    "fossil_carbon_content", "biogenic_carbon_content", "biogenic_uptake", "characterization_factors",
    "cross_sectoral_standards", "product_rules", "exempted_emissions_percent", "primary_data_share",
    "quality", "assurance_provider", "assurance_standard", "assurance_date",
    "supplier__legal_name", "supplier__bpnl", "supplier__lei", "supplier__corporate_number",
    "supplier_part__public_id", "request__customer_part__local_id",
)  # fmt: skip


def footprints_for(*, client: PactClient) -> QuerySet[Answer]:
    """The PACT footprints a client may read: answers with a carbon footprint, released to its company.
    Newest first, with a stable tie-break so pagination by offset returns the same pages each time."""
    return (
        Answer.objects.restrict(client, "view")
        .filter(has_footprint=True)
        .select_related("supplier", "supplier_part", "request__customer_part")
        .only(*FOOTPRINT_FIELDS)
        .order_by("-released_at", "-id")
    )


def footprint_get(*, client: PactClient, public_id) -> Answer | None:
    return footprints_for(client=client).filter(public_id=public_id).first()


def clients_for(*, actor) -> QuerySet[PactClient]:
    return PactClient.objects.restrict(actor, "view")


def client_get(*, actor, public_id) -> PactClient | None:
    return clients_for(actor=actor).filter(public_id=public_id).first()
