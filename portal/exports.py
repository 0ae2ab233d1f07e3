"""Spreadsheet safety for every export (certificate registry, oversight tables).

Spreadsheet programs run a cell that starts with =, +, -, @ (or a tab or carriage return, which some
strip first) as a formula: every text cell that does is prefixed with a single quote, so a name such as
"=HYPERLINK(...)" is shown as text and never evaluated.
"""

from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: A separator some spreadsheet program splits on (German Excel: ";"), followed by a formula prefix.
_SPLIT_FORMULA = re.compile(r"([,;\t|])([=+\-@\r])")


def neutralise(value: str) -> str:
    """A text cell a spreadsheet would run as a formula, made plain text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def neutralise_csv(value: str) -> str:
    """As `neutralise`, and also for every piece a program that splits on another separator than ours
    would make of the cell (OWASP, CSV injection): "Elektra;=cmd" becomes "Elektra;'=cmd". Cells are
    also all quoted (`csv.QUOTE_ALL`), for the programs that honour quotes."""
    return neutralise(_SPLIT_FORMULA.sub(r"\1'\2", value))


class EchoWriter:
    """A file-like object whose write returns the line, for `csv.writer` in a streamed response."""

    def write(self, value: str) -> str:
        return value
