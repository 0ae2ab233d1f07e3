"""The public page's cells rendered by the `public_cell` filter give the markup the page's template wrote for
them before (kept here as the reference), for every kind of cell and hostile text."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from passports.public_views import Cell, Link

REFERENCE_SOURCE = (
    "{% with cell=fact.cell unit=fact.unit %}"
    '{% if cell.links %}<ul class="plain-list">{% for link in cell.links %}'
    '<li>{% if link.href %}<a href="{{ link.href }}" rel="noopener noreferrer">{{ link.text }}</a>'
    "{% else %}{{ link.text }}{% endif %}"
    '{% if link.note %} <span class="muted">({{ link.note }})</span>{% endif %}</li>{% endfor %}</ul>'
    "{% elif cell.items %}<ul>{% for item in cell.items %}<li>{{ item }}</li>{% endfor %}</ul>"
    '{% elif cell.link %}<a href="{{ cell.link.href }}" rel="noopener noreferrer">{{ cell.link.text }}</a>'
    "{% elif cell.multiline %}{{ cell.text|linebreaksbr }}{% else %}{{ cell.text }}{% endif %}"
    "{% if unit %} {{ unit }}{% endif %}{% endwith %}"
)
REFERENCE = Template(REFERENCE_SOURCE)
REFERENCE_ROWS = Template(
    "{% for row in rows %}<tr>{% for fact in row %}<td>"
    + REFERENCE_SOURCE
    + "</td>{% endfor %}</tr>{% endfor %}"
)
FILTER = Template("{% load public_cells %}{{ fact.cell|public_cell:fact.unit }}")

HOSTILE = "<script>alert('x')</script> & \"quotes\" Ü 電池"
CELLS = [
    Cell(),
    Cell(text="12.5"),
    Cell(text=HOSTILE),
    Cell(text=f"first line\n{HOSTILE}\r\nthird", multiline=True),
    Cell(text="", multiline=True),
    Cell(link=Link("https://example.com/a?b=1&c=<2>", "https://example.com/a?b=1&c=<2>")),
    Cell(items=["NMC 811", HOSTILE, ""]),
    Cell(links=[
        Link("Declaration", "https://example.com/d.pdf", "PDF"),
        Link(HOSTILE, "", ""),
        Link("Report", "https://example.com/r?x=1&y=2", HOSTILE),
        Link("Stored privately", "", "application/pdf"),
    ]),
]  # fmt: skip


@pytest.mark.parametrize("unit", ["", "kWh", HOSTILE])
@pytest.mark.parametrize("cell", CELLS, ids=range(len(CELLS)))
def test_public_cell_writes_the_templates_markup(cell, unit):
    fact = {"cell": cell, "unit": unit}

    assert FILTER.render(Context({"fact": fact})) == REFERENCE.render(Context({"fact": fact}))


def test_public_rows_write_a_row_of_cells_per_row():
    rows = [CELLS, CELLS[::-1], []]
    facts = [[{"cell": cell, "unit": ""} for cell in row] for row in rows]

    html = Template("{% load public_cells %}{{ rows|public_rows }}").render(Context({"rows": rows}))

    assert html == REFERENCE_ROWS.render(Context({"rows": facts}))


def test_public_cell_escapes_every_value():
    html = FILTER.render(Context({"fact": {"cell": Cell(items=[HOSTILE]), "unit": HOSTILE}}))

    assert "<script>" not in html and "&lt;script&gt;" in html
