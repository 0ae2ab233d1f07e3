"""The oversight reference data: dated memberships, destination classes and reference shares (no DB)."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import oversight.reference as ref

TODAY = date(2026, 12, 6)

EU_27 = {
    *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"),
    *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
}
OECD_38 = {
    *("AT", "AU", "BE", "CA", "CH", "CL", "CO", "CR", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR"),
    *("HU", "IE", "IL", "IS", "IT", "JP", "KR", "LT", "LU", "LV", "MX", "NL", "NO", "NZ", "PL", "PT", "SE"),
    *("SI", "SK", "TR", "US"),
}


@pytest.fixture
def raw_countries() -> dict:
    return json.loads(ref.COUNTRIES_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def raw_shares() -> dict:
    return json.loads(ref.SHARES_PATH.read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture
def fresh_caches():
    """Forget the cached files before and after a test that points the loader at other files."""
    ref._clear_caches()
    yield
    ref._clear_caches()


# --- memberships --------------------------------------------------------------------------------------------


def test_the_eu_has_27_member_states_today():
    assert len(EU_27) == 27
    assert ref.members("eu", TODAY) == EU_27


def test_the_united_kingdom_left_the_eu_after_31_january_2020():
    assert "GB" in ref.members("eu", date(2019, 12, 31))
    assert "GB" in ref.members("eu", date(2020, 1, 31))
    assert "GB" not in ref.members("eu", date(2020, 2, 1))
    assert "GB" not in ref.members("eu", TODAY)
    assert len(ref.members("eu", date(2019, 12, 31))) == 28


def test_croatia_joined_the_eu_on_1_july_2013():
    assert "HR" not in ref.members("eu", date(2013, 6, 30))
    assert "eu" not in ref.groups_of("HR", date(2013, 6, 30))
    assert "HR" in ref.members("eu", date(2013, 7, 1))


def test_the_oecd_decision_applies_to_the_38_oecd_members_and_liechtenstein():
    assert len(OECD_38) == 38
    assert ref.members("oecd_decision", TODAY) == OECD_38 | {"LI"}
    assert ref.oecd_decision_applies("LI", TODAY)
    assert ref.oecd_decision_applies("JP", TODAY)
    assert not ref.oecd_decision_applies("CN", TODAY)
    assert not ref.oecd_decision_applies("IN", TODAY)
    # EU member states outside the OECD: shipments there are intra-EU, not exports.
    assert not ref.oecd_decision_applies("BG", TODAY)


def test_oecd_accessions_are_effective_dated():
    assert not ref.oecd_decision_applies("CR", date(2021, 5, 24))
    assert ref.oecd_decision_applies("CR", date(2021, 5, 25))
    assert len(ref.members("oecd_decision", date(2021, 5, 24)) - {"LI"}) == 37
    assert ref.oecd_decision_applies("GB", TODAY)  # Brexit does not touch the OECD


def test_groups_of():
    assert ref.groups_of("DE", TODAY) == {"eu", "oecd_decision"}
    assert ref.groups_of("JP", TODAY) == {"japan", "oecd_decision"}
    assert ref.groups_of("BG", TODAY) == {"eu"}
    assert ref.groups_of("CN", TODAY) == frozenset()
    assert ref.groups_of("de", TODAY) == ref.groups_of(" DE ", TODAY)  # codes are case-insensitive
    assert ref.groups_of("DE", datetime(2026, 12, 6, 23, 59)) == ref.groups_of("DE", TODAY)


def test_group_names_in_three_languages():
    assert ref.group_name("eu") == "EU member states"
    assert ref.group_name("eu", "ja") == "EU加盟国"
    assert ref.group_name("eu", "de") == "EU-Mitgliedstaaten"
    assert ref.group_name("japan", "fr") == "Japan"


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="unknown group"):
        ref.members("efta", TODAY)
    with pytest.raises(ValueError, match="ISO 3166-1"):
        ref.groups_of("DEU", TODAY)
    with pytest.raises(ValueError, match="ISO 3166-1"):
        ref.destination_class("DE", "", TODAY)
    with pytest.raises(TypeError):
        ref.groups_of("DE", "2026-12-06")  # type: ignore[arg-type]


# --- destination classes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "destination", "expected"),
    [
        ("DE", "DE", "domestic"),
        ("DE", "FR", "eu"),
        ("DE", "JP", "japan"),
        ("JP", "DE", "eu"),
        ("DE", "US", "oecd"),
        ("DE", "CN", "non_oecd"),
        ("DE", "IN", "non_oecd"),
        ("JP", "JP", "domestic"),
        ("JP", "US", "oecd"),
        ("DE", "BG", "eu"),  # an EU member state outside the OECD is still "eu"
        ("DE", "LI", "oecd"),
        ("de", "fr", "eu"),
    ],
)
def test_destination_class(origin, destination, expected):
    assert ref.destination_class(origin, destination, TODAY) == expected
    assert expected in ref.DESTINATION_CLASSES


def test_destination_class_follows_the_day_of_the_shipment():
    assert ref.destination_class("DE", "GB", date(2019, 12, 31)) == "eu"
    assert ref.destination_class("DE", "GB", date(2020, 2, 1)) == "oecd"
    assert ref.destination_class("DE", "HR", date(2013, 6, 30)) == "non_oecd"
    assert ref.destination_class("DE", "HR", date(2013, 7, 1)) == "eu"


# --- reference shares ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("material", ref.MATERIALS)
@pytest.mark.parametrize("stage", ["extraction", "processing"])
def test_every_material_has_shares_that_sum_to_100(material, stage):
    shares = ref.reference_shares(material, stage)
    assert shares is not None
    assert (shares.material, shares.stage) == (material, stage)
    assert shares.source in ref.SOURCES
    assert shares.edition.isdigit() and 2020 <= shares.year <= int(shares.edition)
    assert all(isinstance(share, Decimal) for _, share in shares.shares)
    assert sum(share for _, share in shares.shares) == 100
    assert shares.largest[0] != ref.OTHER


def test_reference_shares_are_frozen_and_answer_per_country():
    cobalt = ref.reference_shares("cobalt", "extraction")
    assert cobalt is not None
    assert cobalt.source == "USGS Mineral Commodity Summaries"
    assert cobalt.largest == ("CD", Decimal(76))
    assert cobalt.share_of("cd") == Decimal(76)
    assert cobalt.share_of("FR") == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        cobalt.year = 2020  # type: ignore[misc]


def test_shares_against_the_crma_65_percent_benchmark():
    """Sanity of the figures: who is above the single-third-country benchmark and who is not."""
    assert ref.reference_shares("cobalt", "extraction").largest[1] > 65
    assert ref.reference_shares("natural_graphite", "processing").largest[1] > 90
    assert ref.reference_shares("lithium", "extraction").largest[1] < 65
    assert ref.reference_shares("nickel", "extraction").largest[0] == "ID"


def test_missing_or_unknown_stages_and_materials():
    assert ref.reference_shares("lithium", "recycling") is None
    with pytest.raises(ValueError, match="unknown material"):
        ref.reference_shares("copper", "extraction")
    with pytest.raises(ValueError, match="unknown stage"):
        ref.reference_shares("lithium", "mining")


def test_edition_names_both_files():
    recorded = ref.edition()
    assert recorded.startswith("countries:2026-12+reference_shares:2025#")
    assert recorded == ref.edition()


# --- malformed data -----------------------------------------------------------------------------------------


def _member(raw: dict, group: str, country: str) -> dict:
    return next(m for m in raw["groups"][group]["members"] if m["country"] == country)


def test_the_shipped_files_parse(raw_countries, raw_shares):
    assert ref._parse_countries(raw_countries).edition == "2026-12"
    assert ref._parse_shares(raw_shares).edition == "2025"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda raw: raw["groups"].update(efta=copy.deepcopy(raw["groups"]["japan"])),
            "unknown group 'efta'",
        ),
        (lambda raw: raw["groups"].pop("japan"), "group 'japan' is missing"),
        (lambda raw: _member(raw, "eu", "HR").update({"from": "2013-13-01"}), "bad date '2013-13-01'"),
        (lambda raw: _member(raw, "eu", "DE").update({"from": "01.01.1958"}), "bad date '01.01.1958'"),
        (lambda raw: _member(raw, "eu", "GB").update(until="1972-12-31"), "'until' 1972-12-31 is before"),
        (lambda raw: _member(raw, "eu", "FR").update(country="FRA"), "'FRA' is not an upper-case ISO"),
        (
            lambda raw: raw["groups"]["eu"]["members"].append(
                {"country": "DE", "from": "2000-01-01", "until": None}
            ),
            "overlapping memberships of DE",
        ),
        (lambda raw: raw["groups"]["eu"]["name"].pop("ja"), r"eu\.name\.ja: must be a non-empty string"),
        (lambda raw: raw.pop("edition"), "edition: must be a non-empty string"),
    ],
)
def test_malformed_countries_are_refused(raw_countries, mutate, message):
    mutate(raw_countries)
    with pytest.raises(ValueError, match=message):
        ref._parse_countries(raw_countries)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda raw: raw["materials"]["cobalt"]["extraction"]["shares"][0].update(share_percent=70),
            r"cobalt\.extraction\.shares: sum to 94, not 100",
        ),
        (
            lambda raw: raw["materials"].update(copper=copy.deepcopy(raw["materials"]["cobalt"])),
            "unknown material 'copper'",
        ),
        (
            lambda raw: raw["materials"]["lithium"].update(mining=raw["materials"]["lithium"]["extraction"]),
            "unknown stage 'mining'",
        ),
        (lambda raw: raw["materials"]["lithium"]["extraction"].update(source="Wikipedia"), "unknown source"),
        (lambda raw: raw["materials"]["lithium"]["extraction"].update(year="2024"), "year: must be a year"),
        (
            lambda raw: raw["materials"]["nickel"]["extraction"]["shares"][1].update(country="ID"),
            "ID is listed twice",
        ),
        (
            lambda raw: raw["materials"]["nickel"]["extraction"]["shares"][0].update(share_percent="60"),
            "must be a number",
        ),
    ],
)
def test_malformed_shares_are_refused(raw_shares, mutate, message):
    mutate(raw_shares)
    with pytest.raises(ValueError, match=message):
        ref._parse_shares(raw_shares)


def test_shares_within_half_a_percent_of_100_are_accepted(raw_shares):
    shares = raw_shares["materials"]["cobalt"]["extraction"]["shares"]
    shares[-1]["share_percent"] = Decimal("11.4")
    assert ref._parse_shares(raw_shares).entries["cobalt", "extraction"].share_of("other") == Decimal("11.4")
    shares[-1]["share_percent"] = Decimal("11.6")
    with pytest.raises(ValueError, match=r"sum to 100\.6"):
        ref._parse_shares(raw_shares)


def test_a_malformed_file_fails_on_first_use(tmp_path: Path, monkeypatch, raw_countries, fresh_caches):
    _member(raw_countries, "eu", "DE")["until"] = "someday"
    broken = tmp_path / "countries.json"
    broken.write_text(json.dumps(raw_countries), encoding="utf-8")
    monkeypatch.setattr(ref, "COUNTRIES_PATH", broken)
    ref._clear_caches()
    with pytest.raises(
        ValueError, match=r"countries\.json: groups\.eu\.members\[1\]\.until: bad date 'someday'"
    ):
        ref.groups_of("DE", TODAY)


def test_a_file_that_is_not_json_fails_clearly(tmp_path: Path, monkeypatch, fresh_caches):
    broken = tmp_path / "reference_shares.json"
    broken.write_text('{"edition": "2025",', encoding="utf-8")
    monkeypatch.setattr(ref, "SHARES_PATH", broken)
    ref._clear_caches()
    with pytest.raises(ValueError, match=r"reference_shares\.json: not valid JSON"):
        ref.reference_shares("lithium", "extraction")
    with pytest.raises(ValueError, match="cannot be read"):
        ref._load_shares(tmp_path / "missing.json")
