"""Answer -> PACT v3.0 ProductFootprint: the one mapping the API, the events and any export use.

Data model per the PACT Technical Specifications (WBCSD) v3.0: numbers are decimal strings, date-times
are UTC ending in `Z`, identifiers are URNs. Only what the answer itself carries goes out: the aggregate
figures and the answering company's identity, never anything about its own suppliers.

Also here: the v3 filter criteria (`productId`, `companyId`, `geography`, `classification`, `validOn`,
`validAfter`, `validBefore`, `status`), shared by ListFootprints and the RequestCreated event.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from exchange.models import Answer, AnswerStatus

SPEC_VERSION = "3.0.3"
#: Without a stated validity period, a PACT footprint is valid for 3 years after its reference period.
VALIDITY_YEARS = 3

STANDARDS = {  # the portal's labels -> the v3 `crossSectoralStandards` values
    "ISO 14067": "ISO14067",
    "ISO 14083": "ISO14083",
    "ISO 14040-44": "ISO14040-44",
    "GHG Protocol Product standard": "GHGP-Product",
    "PEF": "PEF",
    "PAS 2050": "PAS2050",
}
STATUS = {AnswerStatus.ACTIVE: "Active", AnswerStatus.SUPERSEDED: "Deprecated"}
CORPORATE_NUMBER_ISSUER = "houjin-bangou.nta.go.jp"


# --- formatting ----------------------------------------------------------------------------------------


def decimal_string(value: Decimal | int | str) -> str:
    """A PACT decimal string: plain notation, no exponent, no trailing zeros ("7", "0.0752", "-1.5")."""
    number = Decimal(value)
    if number == 0:
        return "0"
    text = format(number.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def timestamp(value: datetime.datetime) -> str:
    """ISO 8601 in UTC, ending in `Z`, whole seconds."""
    return value.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def urn_domain() -> str:
    """The issuer domain of the portal's own `urn:pact:` identifiers: `PACT_URN_DOMAIN`, else the first
    concrete allowed host."""
    configured = getattr(settings, "PACT_URN_DOMAIN", "")
    if configured:
        return configured.lower()
    for host in settings.ALLOWED_HOSTS:
        if host and not host.startswith((".", "*")):
            return host.lower()
    return "localhost"


# --- identifiers ---------------------------------------------------------------------------------------


def company_urns(organization) -> list[str]:
    """The answering company's registered identifiers as URNs (Catena-X BPNL, LEI, Japanese corporate
    number under the spec's `urn:pact:<issuer domain>:<type>:<id>` pattern)."""
    urns = []
    if organization.bpnl:
        urns.append(f"urn:bpn:id:{organization.bpnl}")
    if organization.lei:
        urns.append(f"urn:lei:{organization.lei}")
    if organization.corporate_number:
        urns.append(f"urn:pact:{CORPORATE_NUMBER_ISSUER}:corporate-number:{organization.corporate_number}")
    return urns


def _nss(value: str) -> str:
    return quote(value, safe="-._~")


def product_urns(answer: Answer) -> list[str]:
    """The supplier's product (`urn:uuid:` of its part) and the customer's own part number for it
    (`buyer-id`): the recipient is that customer, so it only learns its own identifier back."""
    urns = [f"urn:uuid:{answer.supplier_part.public_id}"]
    customer_part = answer.request.customer_part
    urns.append(f"urn:pact:{urn_domain()}:buyer-id:{_nss(customer_part.local_id)}")
    return urns


def classification_urns(cn_code: str) -> list[str]:
    if not cn_code:
        return []
    if len(cn_code) in (4, 6):
        return [f"urn:pact:wcoomd.org:hs-code:{cn_code}"]
    return [f"urn:pact:ec.europa.eu:cn-code:{cn_code}"]


# --- the data model ------------------------------------------------------------------------------------


def _rules(text: str) -> list[dict[str, Any]]:
    if text.upper().startswith("PEF"):
        return [{"operator": "PEF", "ruleNames": [text]}]
    return [{"operator": "Other", "ruleNames": [text], "otherOperatorName": text}]


def carbon_footprint(answer: Answer) -> dict[str, Any]:
    mass = answer.mass_per_unit
    if mass is None:
        mass = Decimal(1) if answer.declared_unit == "kilogram" else Decimal(0)
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": answer.declared_unit,
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": decimal_string(mass),
        "referencePeriodStart": timestamp(answer.reference_period_start),
        "referencePeriodEnd": timestamp(answer.reference_period_end),
    }
    if answer.geography_country:
        pcf["geographyCountry"] = answer.geography_country
    if answer.boundary_processes:
        pcf["boundaryProcessesDescription"] = answer.boundary_processes
    pcf["pcfExcludingBiogenicUptake"] = decimal_string(answer.pcf_excluding_biogenic)
    pcf["pcfIncludingBiogenicUptake"] = decimal_string(
        answer.pcf_including_biogenic
        if answer.pcf_including_biogenic is not None
        else answer.pcf_excluding_biogenic
    )
    pcf["fossilGhgEmissions"] = decimal_string(
        answer.fossil_emissions if answer.fossil_emissions is not None else answer.pcf_excluding_biogenic
    )
    pcf["fossilCarbonContent"] = decimal_string(answer.fossil_carbon_content or 0)
    if answer.biogenic_carbon_content is not None:
        pcf["biogenicCarbonContent"] = decimal_string(answer.biogenic_carbon_content)
    if answer.biogenic_uptake is not None:
        pcf["biogenicCO2Uptake"] = decimal_string(answer.biogenic_uptake)
    pcf["ipccCharacterizationFactors"] = [answer.characterization_factors or "AR6"]
    standards = [STANDARDS.get(name, name) for name in answer.cross_sectoral_standards or []]
    pcf["crossSectoralStandards"] = list(dict.fromkeys(standards)) or ["ISO14067"]
    if answer.product_rules:
        pcf["productOrSectorSpecificRules"] = _rules(answer.product_rules)
    pcf["exemptedEmissionsPercent"] = decimal_string(answer.exempted_emissions_percent or 0)
    if answer.primary_data_share is not None:
        pcf["primaryDataShare"] = decimal_string(answer.primary_data_share)
    quality = answer.quality or {}
    if all(quality.get(key) not in (None, "") for key in ("technological", "geographical", "temporal")):
        pcf["dqi"] = {
            "technologicalDQR": decimal_string(quality["technological"]),
            "geographicalDQR": decimal_string(quality["geographical"]),
            "temporalDQR": decimal_string(quality["temporal"]),
        }
    verification: dict[str, str] = {}
    if answer.assurance_provider:
        verification["providerName"] = answer.assurance_provider
    if answer.assurance_standard:
        verification["standardName"] = answer.assurance_standard
    if answer.assurance_date:
        verification["completedAt"] = timestamp(
            datetime.datetime.combine(answer.assurance_date, datetime.time(), datetime.UTC)
        )
    if verification:
        pcf["verification"] = verification
    return pcf


def product_footprint(answer: Answer, preceding: list[str] | None = None) -> dict[str, Any]:
    """One answer as a PACT v3 ProductFootprint. `preceding`: the ids of its earlier versions (oldest
    first); computed when not given."""
    if preceding is None:
        preceding = preceding_ids([answer])[answer.pk]
    document: dict[str, Any] = {
        "id": str(answer.public_id),
        "specVersion": SPEC_VERSION,
    }
    if preceding:
        document["precedingPfIds"] = preceding
    document.update(
        {
            "created": timestamp(answer.released_at),
            "status": STATUS[answer.status],
            "companyName": answer.supplier.legal_name,
            "companyIds": company_urns(answer.supplier),
            "productDescription": answer.product_name,
            "productIds": product_urns(answer),
        }
    )
    classifications = classification_urns(answer.cn_code)
    if classifications:
        document["productClassifications"] = classifications
    document["productNameCompany"] = answer.product_name
    if answer.comment:
        document["comment"] = answer.comment
    document["pcf"] = carbon_footprint(answer)
    return document


def preceding_ids(answers: Iterable[Answer]) -> dict[int, list[str]]:
    """For each answer, the ids of the earlier versions on its request (a correction keeps the request and
    raises the version), in one query for the whole page."""
    answers = list(answers)
    versions: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = Answer.objects.filter(request_id__in={a.request_id for a in answers}).values_list(
        "request_id", "version", "public_id"
    )
    for request_id, version, public_id in rows:
        versions[request_id].append((version, str(public_id)))
    return {
        a.pk: [pid for version, pid in sorted(versions[a.request_id]) if version < a.version] for a in answers
    }


def footprints(answers: Iterable[Answer]) -> list[dict[str, Any]]:
    answers = list(answers)
    earlier = preceding_ids(answers)
    return [product_footprint(answer, earlier[answer.pk]) for answer in answers]


# --- filter criteria -----------------------------------------------------------------------------------


class CriteriaError(ValueError):
    """A criterion the host cannot read (a malformed date-time): the request is a BadRequest."""


LIST_CRITERIA = ("productId", "companyId", "geography", "classification")
DATE_CRITERIA = ("validOn", "validAfter", "validBefore")


@dataclass
class Criteria:
    product_ids: list[str] = field(default_factory=list)
    company_ids: list[str] = field(default_factory=list)
    geographies: list[str] = field(default_factory=list)
    classifications: list[str] = field(default_factory=list)
    valid_on: datetime.datetime | None = None
    valid_after: datetime.datetime | None = None
    valid_before: datetime.datetime | None = None
    status: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.product_ids
            or self.company_ids
            or self.geographies
            or self.classifications
            or self.valid_on
            or self.valid_after
            or self.valid_before
            or self.status
        )

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, values in zip(
            LIST_CRITERIA,
            (self.product_ids, self.company_ids, self.geographies, self.classifications),
            strict=True,
        ):
            if values:
                data[key] = values
        for key, value in zip(
            DATE_CRITERIA, (self.valid_on, self.valid_after, self.valid_before), strict=True
        ):
            if value:
                data[key] = timestamp(value)
        if self.status:
            data["status"] = self.status
        return data


def _date(value: Any, name: str) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or "\x00" in value or len(value) > 40:
        raise CriteriaError(f"{name} is not an ISO 8601 date-time")
    try:
        # An unencoded "+01:00" in a query string arrives as a space.
        parsed = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            day = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise CriteriaError(f"{name} is not an ISO 8601 date-time") from None
        parsed = datetime.datetime.combine(day, datetime.time())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def _strings(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CriteriaError(f"{name} must be a list of strings")
    if any("\x00" in item for item in value):
        raise CriteriaError(f"{name} contains a NUL character")
    # An empty value (`?classification=`) filters nothing, as a missing one.
    return [item.strip()[:300] for item in value if item.strip()][:50]


def parse_criteria(source: Mapping[str, Any], *, lists: bool = False) -> Criteria:
    """Criteria from a query string (`lists=False`: a QueryDict, repeated parameters OR-ed) or from the
    `data` object of a RequestCreated event (`lists=True`: JSON arrays and strings)."""

    def many(name: str) -> list[str]:
        if lists:
            return _strings(source.get(name), name)
        return _strings(source.getlist(name), name)  # type: ignore[attr-defined]

    def one(name: str) -> Any:
        if lists:
            return source.get(name)
        values = source.getlist(name)  # type: ignore[attr-defined]
        return values[-1] if values else None

    status = one("status")
    if status is not None and not isinstance(status, str):
        raise CriteriaError("status must be a string")
    return Criteria(
        product_ids=many("productId"),
        company_ids=many("companyId"),
        geographies=many("geography"),
        classifications=many("classification"),
        valid_on=_date(one("validOn"), "validOn"),
        valid_after=_date(one("validAfter"), "validAfter"),
        valid_before=_date(one("validBefore"), "validBefore"),
        status=(status or "").strip() or None,
    )


_BPN = re.compile(r"^urn:bpn:(?:id:)?(bpnl[0-9a-z]{12})$")
_LEI = re.compile(r"^urn:lei:([0-9a-z]{20})$")
_CORPORATE = re.compile(rf"^urn:pact:{re.escape(CORPORATE_NUMBER_ISSUER)}:corporate-number:(\d{{13}})$")
_UUID = re.compile(r"^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
_BUYER = re.compile(r"^urn:pact:([^:]+):buyer-id:(.+)$")
_CLASSIFICATION = re.compile(r"^urn:pact:(?:ec\.europa\.eu:cn-code|wcoomd\.org:hs-code):(\d{4,10})$")


def company_lookup(urn: str) -> dict[str, str] | None:
    """The Organization lookup a company URN names (BPNL, LEI or corporate number), or None."""
    value = urn.strip().lower()
    if match := _BPN.match(value):
        return {"bpnl__iexact": match[1]}
    if match := _LEI.match(value):
        return {"lei__iexact": match[1]}
    if match := _CORPORATE.match(value):
        return {"corporate_number": match[1]}
    return None


def company_condition(urn: str) -> Q | None:
    lookup = company_lookup(urn)
    return None if lookup is None else Q(**{f"supplier__{key}": value for key, value in lookup.items()})


def buyer_part_id(urn: str) -> str | None:
    """The customer's own part number named by a `buyer-id` URN of this portal, or None."""
    match = _BUYER.match(urn.strip())
    if match and match[1].lower() == urn_domain():
        return unquote(match[2])
    return None


def product_condition(urn: str) -> Q | None:
    if match := _UUID.match(urn.strip().lower()):
        return Q(supplier_part__public_id=match[1])
    local_id = buyer_part_id(urn)
    if local_id is not None:
        return Q(request__customer_part__local_id__iexact=local_id)
    return None


def _any(conditions: Iterable[Q | None]) -> Q | None:
    combined = None
    for condition in conditions:
        if condition is not None:
            combined = condition if combined is None else combined | condition
    return combined


def _years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def apply_criteria(queryset: QuerySet[Answer], criteria: Criteria) -> QuerySet[Answer]:
    """Narrow an already restricted queryset of footprints. Values that name nothing this portal issues
    (an unknown URN, `geography=XX`, a bogus status) match nothing; lists are OR-ed, criteria AND-ed.
    The validity period is the spec's default: from the reference period's end, for three years."""
    nothing = queryset.none()
    for values, to_condition in (
        (criteria.product_ids, product_condition),
        (criteria.company_ids, company_condition),
    ):
        if values:
            condition = _any(to_condition(value) for value in values)
            if condition is None:
                return nothing
            queryset = queryset.filter(condition)
    if criteria.geographies:
        countries = [value.upper() for value in criteria.geographies if len(value) == 2]
        if not countries:
            return nothing
        queryset = queryset.filter(geography_country__in=countries)
    if criteria.classifications:
        codes = [m[1] for value in criteria.classifications if (m := _CLASSIFICATION.match(value.lower()))]
        if not codes:
            return nothing
        queryset = queryset.filter(cn_code__in=codes)
    if criteria.status:
        wanted = {label.lower(): status for status, label in STATUS.items()}.get(criteria.status.lower())
        if wanted is None:
            return nothing
        queryset = queryset.filter(status=wanted)
    if criteria.valid_on:
        queryset = queryset.filter(
            reference_period_end__lte=criteria.valid_on,
            reference_period_end__gte=_years_before(criteria.valid_on, VALIDITY_YEARS),
        )
    if criteria.valid_after:
        queryset = queryset.filter(reference_period_end__gt=criteria.valid_after)
    if criteria.valid_before:
        queryset = queryset.filter(
            reference_period_end__lt=_years_before(criteria.valid_before, VALIDITY_YEARS)
        )
    return queryset
