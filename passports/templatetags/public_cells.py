"""The public page's facts, tables and cells rendered in Python. A passport page shows about 130 facts; the
same markup as template tags cost about 1,300 variable look-ups a page, most of the page's rendering time
(tests/passports/test_public_cells.py compares both)."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from ..public_views import Cell, Fact, Link, Table

register = template.Library()


#: A character `html.escape` replaces: most values (numbers, labels, names) hold none and stay as they are.
_NEEDS_ESCAPING = re.compile("[&<>\"']").search


def _escaped(value: Any) -> str:
    """`conditional_escape` without its check for lazy arguments (about 600 values a page), and without five
    replacements of a text that holds nothing to replace."""
    if hasattr(value, "__html__"):
        return value.__html__()
    text = str(value)
    return html.escape(text) if _NEEDS_ESCAPING(text) else text


def _link_html(href: str, text: str) -> str:
    return f'<a href="{_escaped(href)}" rel="noopener noreferrer">{_escaped(text)}</a>'


def _link_item(link: Link) -> str:
    shown = _link_html(link.href, link.text) if link.href else _escaped(link.text)
    note = f' <span class="muted">({_escaped(link.note)})</span>' if link.note else ""
    return f"<li>{shown}{note}</li>"


def _cell_html(cell: Cell, unit: str = "") -> str:
    if cell.links:
        shown = '<ul class="plain-list">' + "".join(_link_item(link) for link in cell.links) + "</ul>"
    elif cell.items:
        shown = "<ul>" + "".join(f"<li>{_escaped(item)}</li>" for item in cell.items) + "</ul>"
    elif cell.link:
        shown = _link_html(cell.link.href, cell.link.text)
    elif cell.multiline:
        shown = linebreaksbr(cell.text, autoescape=True)
    else:
        shown = _escaped(cell.text)
    return f"{shown} {_escaped(unit)}" if unit else shown


def _rows_html(rows: list[list[Cell]]) -> str:
    return "".join("<tr>" + "".join(f"<td>{_cell_html(cell)}</td>" for cell in row) + "</tr>" for row in rows)


def _table_html(label: str, table: Table) -> str:
    # The scroll box's name differs from its section's (a table may carry the section's own name, as the
    # carbon footprint does): two regions of one name cannot be told apart.
    name = _("Table: %(name)s") % {"name": label}
    columns = "".join(f'<th scope="col">{_escaped(column)}</th>' for column in table.columns)
    return (
        f'<div class="table-wrap" role="region" aria-label="{_escaped(name)}" tabindex="0"><table>'
        f"<thead><tr>{columns}</tr></thead><tbody>{_rows_html(table.rows)}</tbody></table></div>"
    )


@register.filter
def public_facts(facts: list[Fact]) -> SafeString:
    """A section's facts as the content of its `<dl>`: a term and a description each, the description a
    table or a cell with its unit."""
    return mark_safe(  # noqa: S308 - every value is escaped above
        "".join(
            f"<dt>{_escaped(fact.label)}</dt><dd>"
            + (_table_html(fact.label, fact.table) if fact.table else _cell_html(fact.cell, fact.unit))
            + "</dd>"
            for fact in facts
        )
    )


@register.filter
def public_cell(cell: Cell, unit: str = "") -> SafeString:
    """A cell's value as HTML (every value escaped), followed by `unit`: links as a list, items as a list, one
    link, multi-line text with line breaks, or text."""
    return mark_safe(_cell_html(cell, unit))  # noqa: S308 - every value is escaped above
