"""Substring search through a pg_trgm GIN index, leaving out the trigrams nearly every value has.

A search is `UPPER(column) LIKE UPPER('%term%')` (what Django's `icontains` writes), served by a pg_trgm GIN
index on the same `UPPER()` expression. The index answers with the rows holding *all* of the term's
trigrams, and it reads the whole list of rows of each trigram to do so. A trigram that nearly every value
holds costs a read of nearly the whole index and narrows nothing: `000` is in every passport identifier of
the form `PB042-000832`, and asking for `%000832%` read 4,200 index pages (10 million entries decoded, about
110 ms) where `%0832%` read 39 (under 3 ms) and found the same rows.

So the index is asked for the parts of the term (fragments) whose trigrams are all uncommon, and the term
itself is checked on the rows it returns, by `strpos()`, which the index cannot serve and the planner
therefore leaves out of the index's condition. Every fragment is a substring of the term, so a value that
contains the term contains every fragment: the rows are exactly those of the plain `LIKE`, only the index
reads less. When every part of the term holds a common trigram, the term is asked for as before.

Which trigrams are common is read from PostgreSQL's own statistics of the indexed expression (`pg_stats` of
the index's column: the most common values with their frequencies and the histogram's bounds, a sample
ANALYZE keeps fresh), per process, again after `REFRESH_SECONDS`. The trigrams are worked out here as
pg_trgm does (lower case, words of letters and digits, a word padded with two spaces before and one after,
a fragment's words not padded where it ends); only the index's cost depends on that, never the rows found
(tests/unit/test_trigram_search.py compares them with pg_trgm's `show_trgm`).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Lookup
from django.db.models.lookups import IContains

#: A trigram held by at least this share of a column's values is left out of the index's condition. At ten
#: million identifiers a trigram in one value of nine (`008` in `PB042-000832`) cost 300 index pages;
#: the rarest trigrams 2-40.
COMMON_SHARE = 0.05
#: How long a process keeps a column's common trigrams before reading the statistics again.
REFRESH_SECONDS = 600.0
#: At most this many fragments are asked for (the longest): each is a condition the index intersects.
MAX_FRAGMENTS = 3

_WORD_CHARACTERS = re.compile(r"[^\W_]+")  # pg_trgm's words: letters and digits
_SAFE_WORD = re.compile(r"[A-Za-z0-9]{3}")  # a run pg_trgm makes trigrams of in any locale


@dataclass(frozen=True)
class TrigramIndex:
    """A column of a pg_trgm GIN index: the index's name and the column's position in it (1 first)."""

    name: str
    position: int = 1


def _padded_trigrams(word: str, left: bool, right: bool) -> set[str]:
    padded = ("  " if left else "") + word + (" " if right else "")
    return {padded[n : n + 3] for n in range(len(padded) - 2)}


def value_trigrams(value: str) -> set[str]:
    """The trigrams pg_trgm indexes for `value` (`show_trgm`, for letters and digits)."""
    found: set[str] = set()
    for word in _WORD_CHARACTERS.findall(value.lower()):
        found |= _padded_trigrams(word, True, True)
    return found


def fragment_trigrams(fragment: str) -> set[str]:
    """The trigrams pg_trgm asks the index for `LIKE '%<fragment>%'`: a word is padded on a side where
    the fragment goes on (a separator), not where it ends (the wildcard)."""
    text = fragment.lower()
    found: set[str] = set()
    for match in _WORD_CHARACTERS.finditer(text):
        found |= _padded_trigrams(match.group(), match.start() > 0, match.end() < len(text))
    return found


def fragments(term: str, common: frozenset[str]) -> list[str]:
    """The longest parts of `term` whose trigrams are all uncommon, up to `MAX_FRAGMENTS` of them, longest
    first; [] when the term has no common trigram (ask for it whole) or no part without one does."""
    if not common or not fragment_trigrams(term) & common:
        return []
    found: list[str] = []
    end = reached = 0
    last_separator = -1  # the last character before `end` that is not a letter or digit
    for start in range(len(term)):
        # A part that starts later ends no earlier: dropping characters on the left adds no trigram. Each
        # character added on the right can only add the trigrams of the word it ends: its last three
        # characters, with the word's padding where a separator in the part comes before or after it.
        end = max(end, start)
        while end < len(term):
            if fragment_trigrams(term[max(start, last_separator, end - 3) : end + 1]) & common:
                break
            if not _WORD_CHARACTERS.fullmatch(term[end]):
                last_separator = end
            end += 1
        # Only a part ending further than the previous one is not inside it; and only a part with three
        # letters or digits in a row surely gives pg_trgm a trigram (without one it would scan the index).
        if end > reached and _SAFE_WORD.search(term[start:end]):
            found.append(term[start:end])
        reached = max(reached, end)
    found.sort(key=len, reverse=True)
    return found[:MAX_FRAGMENTS]


def _like(text: str) -> str:
    return f"%{connection.ops.prep_for_like_query(text)}%"


def contains(
    column: str, term: str, index: TrigramIndex, *, indexed: bool = True, sampled: bool = False
) -> tuple[str, list[str]]:
    """SQL (and its parameters) true where `column` contains `term` whatever the case: the rows of
    `UPPER(column) LIKE UPPER('%term%')`, where `UPPER(column)` is what the index covers. With the index
    asked only for the term's uncommon fragments (PostgreSQL); the plain `LIKE` elsewhere. `indexed=False`
    (rows read another way, such as down the list's order): the check alone, without the fragments, which
    cost each row another `UPPER()` (PostgreSQL). `sampled=True` (PostgreSQL, for estimating how common a term
    is, never for the rows listed): the column holds the term in upper or in lower case, which a value of
    mixed case may not, without `UPPER()` on each row (2.5 ms for 5,000 rows)."""
    like = f"UPPER({column}) LIKE UPPER(%s) ESCAPE '\\'"
    if connection.vendor != "postgresql":
        return like, [_like(term)]
    if sampled and term.upper() != term.lower():
        return f"(strpos({column}, %s) > 0 OR strpos({column}, %s) > 0)", [term.upper(), term.lower()]
    if term.upper() == term.lower():
        # Nothing in the term has a case, and `UPPER()` turns letters into letters: the column itself
        # contains it exactly when its upper case does. `UPPER()` was 0.5 us a row, half a walk's time.
        exact = f"strpos({column}, %s) > 0"
    else:
        exact = f"strpos(UPPER({column}), UPPER(%s)) > 0"
    if not indexed:
        return exact, [term]
    parts = fragments(term, common_trigrams(index))
    if not parts:
        return like, [_like(term)]
    asked = " AND ".join([like] * len(parts))
    return f"({asked} AND {exact})", [*map(_like, parts), term]


_COMMON_TRIGRAMS: dict[TrigramIndex, tuple[float, frozenset[str]]] = {}

_STATISTICS = """
    SELECT s.null_frac, s.most_common_vals::text::text[], s.most_common_freqs,
           s.histogram_bounds::text::text[]
    FROM pg_stats s
    JOIN pg_class i ON i.relname = s.tablename AND i.relkind = 'i'
    JOIN pg_namespace n ON n.oid = i.relnamespace AND n.nspname = s.schemaname
    JOIN pg_attribute a ON a.attrelid = i.oid AND a.attname = s.attname
    WHERE s.tablename = %s AND a.attnum = %s AND s.schemaname = current_schema()
"""


def common_trigrams(index: TrigramIndex) -> frozenset[str]:
    """The trigrams at least `COMMON_SHARE` of the indexed column's values hold, by PostgreSQL's statistics
    (empty when there are none yet, or elsewhere than on PostgreSQL)."""
    now = time.monotonic()
    cached = _COMMON_TRIGRAMS.get(index)
    if cached is not None and cached[0] > now:
        return cached[1]
    common = _read_common_trigrams(index) if connection.vendor == "postgresql" else frozenset()
    _COMMON_TRIGRAMS[index] = (now + REFRESH_SECONDS, common)
    return common


def forget_common_trigrams() -> None:
    """Read the statistics again at the next search (after ANALYZE in tests)."""
    _COMMON_TRIGRAMS.clear()


def _read_common_trigrams(index: TrigramIndex) -> frozenset[str]:
    with connection.cursor() as cursor:
        cursor.execute(_STATISTICS, [index.name, index.position])
        row = cursor.fetchone()
    if row is None:
        return frozenset()
    null_share, values, frequencies, bounds = row
    shares: dict[str, float] = {}
    for value, frequency in zip(values or [], frequencies or [], strict=True):
        for trigram in value_trigrams(value):
            shares[trigram] = shares.get(trigram, 0.0) + frequency
    # The histogram's bounds sample the values the most common ones leave, evenly over their order.
    if bounds:
        rest = max(0.0, 1.0 - (null_share or 0.0) - sum(frequencies or []))
        for value in bounds:
            for trigram in value_trigrams(value):
                shares[trigram] = shares.get(trigram, 0.0) + rest / len(bounds)
    return frozenset(trigram for trigram, share in shares.items() if share >= COMMON_SHARE)


class TrigramContains(Lookup):
    """Django's `icontains` on a column a pg_trgm index covers, asking the index only for the term's uncommon
    parts (`contains`); as a filter: `queryset.filter(TrigramContains(F("name"), term, index))`."""

    lookup_name = "trigram_contains"
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: str, index: TrigramIndex) -> None:
        super().__init__(lhs, rhs)
        self.index = index

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if connection.vendor != "postgresql":
            return compiler.compile(IContains(self.lhs, self.rhs))
        column, params = compiler.compile(self.lhs)
        if params:
            raise ValueError("TrigramContains is for a column, not an expression with parameters")
        # The expression Django's icontains writes on PostgreSQL, which the index's UPPER(column) matches.
        return contains(f"{column}::text", self.rhs, self.index)
