"""The public page's cells and table rows rendered in Python: a passport page shows about 130 cells, and the
same markup as template tags cost about 1,300 variable look-ups a page, most of the page's rendering time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from ..public_views import Cell, Link

register = template.Library()


def _link_item(link: Link) -> str:
    if link.href:
        shown = format_html('<a href="{}" rel="noopener noreferrer">{}</a>', link.href, link.text)
    else:
        shown = conditional_escape(link.text)
    note = format_html(' <span class="muted">({})</span>', link.note) if link.note else ""
    return f"<li>{shown}{note}</li>"


@register.filter
def public_rows(rows: list[list[Cell]]) -> SafeString:
    """A table's rows as HTML, one `<tr>` each, a `public_cell` per `<td>`."""
    return mark_safe(  # noqa: S308 - public_cell escapes every value
        "".join("<tr>" + "".join(f"<td>{public_cell(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    )


@register.filter
def public_cell(cell: Cell, unit: str = "") -> SafeString:
    """A cell's value as HTML (every value escaped), followed by `unit`: links as a list, items as a list, one
    link, multi-line text with line breaks, or text."""
    if cell.links:
        html = '<ul class="plain-list">' + "".join(_link_item(link) for link in cell.links) + "</ul>"
    elif cell.items:
        html = "<ul>" + "".join(f"<li>{conditional_escape(item)}</li>" for item in cell.items) + "</ul>"
    elif cell.link:
        html = format_html('<a href="{}" rel="noopener noreferrer">{}</a>', cell.link.href, cell.link.text)
    elif cell.multiline:
        html = linebreaksbr(cell.text, autoescape=True)
    else:
        html = conditional_escape(cell.text)
    if unit:
        html = f"{html} {conditional_escape(unit)}"
    return mark_safe(html)  # noqa: S308 - every value above is escaped
