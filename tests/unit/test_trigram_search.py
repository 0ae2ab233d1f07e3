"""Substring search asks the trigram index for the term's uncommon parts only (portal/trigram_search.py):
its trigrams are pg_trgm's, its parts are parts of the term free of common trigrams, and the common ones
come from PostgreSQL's statistics of the indexed column."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from portal import trigram_search
from portal.trigram_search import (
    TrigramIndex,
    common_trigrams,
    contains,
    fragment_trigrams,
    fragments,
    value_trigrams,
)

SAMPLES = [
    "PB042-000832",
    "urn:epc:LMT-a%1",
    "Works 42 GmbH",
    "ab",
    "a b c",
    "x",
    "",
    "--double--dash--",
    "BPNL00000003CRHK",
    "SN0428000832",
    "The_Underscore 7",
]


@pytest.mark.django_db
def test_trigrams_are_pg_trgm_s():
    """The same trigrams as pg_trgm's `show_trgm` (an independent implementation: PostgreSQL's)."""
    with connection.cursor() as cursor:
        for value in SAMPLES:
            cursor.execute("SELECT show_trgm(%s)", [value])
            assert value_trigrams(value) == set(cursor.fetchone()[0]), value


def test_a_fragment_s_words_are_padded_where_it_goes_on_only():
    assert fragment_trigrams("000832") == {"000", "008", "083", "832"}
    assert fragment_trigrams("B042-00") == {"b04", "042", "42 ", "  0", " 00"}
    assert fragment_trigrams("ab") == set()


COMMON = frozenset({"000", " 00", "  0", "  p", " pb", "008"})


@pytest.mark.parametrize(
    "term, expected",
    [
        ("000832", ["0832"]),  # `000` and `008` left out
        ("PB042-000832", ["PB042-", "0832"]),  # both uncommon parts, longest first
        ("x42-832", []),  # no common trigram: the term is asked for whole
        ("PB", []),  # no trigram at all
        ("000", []),  # only common trigrams: asked for whole
        ("00832x", ["0832x"]),
    ],
)
def test_fragments(term, expected):
    assert fragments(term, COMMON) == expected


def _longest_parts(term: str, common: frozenset[str]) -> list[str]:
    """What `fragments` finds, the slow way: every part of the term tried from every start."""
    if not common or not fragment_trigrams(term) & common:
        return []
    found, reached = [], 0
    for start in range(len(term)):
        end = start
        while end < len(term) and not fragment_trigrams(term[start : end + 1]) & common:
            end += 1
        if end > reached and trigram_search._SAFE_WORD.search(term[start:end]):
            found.append(term[start:end])
        reached = max(reached, end)
    return sorted(found, key=len, reverse=True)[: trigram_search.MAX_FRAGMENTS]


def test_fragments_are_parts_of_the_term_without_common_trigrams():
    rng = random.Random(18)
    alphabet = "0123456789AB-_ %"
    for _ in range(3_000):
        term = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        common = frozenset(rng.sample(sorted(value_trigrams("0000 0101 AB-00 B0A1")), 4))
        found = fragments(term, common)
        assert found == _longest_parts(term, common), (term, common)
        assert len(found) <= trigram_search.MAX_FRAGMENTS
        for fragment in found:
            assert fragment in term
            assert fragment_trigrams(fragment) and not fragment_trigrams(fragment) & common
        if found:
            assert fragment_trigrams(term) & common  # only a term with a common trigram is cut


@pytest.fixture
def identifiers_table():
    """A table of 2,000 passport-like identifiers with the trigram index the passport list has, analysed."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE trigram_probe (value text)")
        cursor.execute(
            "INSERT INTO trigram_probe SELECT 'PB' || lpad(c::text, 3, '0') || '-' || lpad(k::text, 6, '0') "
            "FROM generate_series(1, 40) c, generate_series(1, 50) k"
        )
        cursor.execute(
            "CREATE INDEX trigram_probe_trgm ON trigram_probe USING gin (UPPER(value) gin_trgm_ops)"
        )
        cursor.execute("ANALYZE trigram_probe")
    trigram_search.forget_common_trigrams()
    yield TrigramIndex("trigram_probe_trgm")
    trigram_search.forget_common_trigrams()


def test_a_long_term_is_cut_with_a_check_per_character(monkeypatch):
    """Each part is extended one character at a time, checking only the trigrams that character adds: the
    search's longest term (200 characters) is not tried from every start to every end (0.45 s)."""
    checked = []

    def counted(fragment: str) -> set[str]:
        checked.append(fragment)
        return fragment_trigrams(fragment)

    monkeypatch.setattr(trigram_search, "fragment_trigrams", counted)
    term = "ab" * 100 + "000"
    assert fragments(term, frozenset({"000"})) == ["ab" * 100 + "00"]
    assert len(checked) <= 2 * len(term) + 1 and max(map(len, checked[1:])) <= 4


@pytest.mark.django_db
def test_common_trigrams_come_from_the_column_s_statistics(identifiers_table):
    common = common_trigrams(identifiers_table)
    assert {"000", " pb", "pb0", "  0", " 00"} <= common  # in every identifier
    assert "832" not in common and "b04" not in common  # in one of 40 or fewer
    sql, params = contains("value", "000032", identifiers_table)
    asked, term = params
    assert term == "000032" and "strpos" in sql
    assert asked.strip("%") in term and not fragment_trigrams(asked.strip("%")) & common
    with connection.cursor() as cursor:
        for term in ["000032", "PB004-000032", "pb0", "-0000", "zz", "PB0", "b004-"]:
            cursor.execute(
                "SELECT value FROM trigram_probe WHERE UPPER(value) LIKE UPPER(%s) ORDER BY value",
                [f"%{term}%"],
            )
            expected = [row[0] for row in cursor.fetchall()]
            for indexed in (True, False):  # the index's fragments and the check, or the check alone
                sql, params = contains("value", term, identifiers_table, indexed=indexed)
                cursor.execute(f"SELECT value FROM trigram_probe WHERE {sql} ORDER BY value", params)
                assert [row[0] for row in cursor.fetchall()] == expected, (term, indexed)
            assert expected or term == "zz"


@pytest.mark.django_db
def test_no_statistics_no_common_trigrams():
    trigram_search.forget_common_trigrams()
    assert common_trigrams(TrigramIndex("no_such_index")) == frozenset()
    sql, params = contains("value", "000832", TrigramIndex("no_such_index"))
    assert params == ["%000832%"] and "strpos" not in sql
