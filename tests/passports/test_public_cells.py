"""The public page's facts, tables and cells rendered by the `public_facts` and `public_cell` filters give the
markup the page's template wrote for them before (kept here as the reference), for every kind of cell,
hostile text and the page's languages."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from passports.public_views import Cell, Fact, Link, Table

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
REFERENCE_FACTS = Template(
    "{% load i18n %}{% for fact in facts %}<dt>{{ fact.label }}</dt><dd>{% if fact.table %}"
    '<div class="table-wrap" role="region" aria-label="{% blocktranslate with name=fact.label %}Table: '
    '{{ name }}{% endblocktranslate %}" tabindex="0"><table><thead><tr>{% for column in fact.table.columns %}'
    '<th scope="col">{{ column }}</th>{% endfor %}</tr></thead><tbody>{% for row in fact.table.rows %}<tr>'
    "{% for cell in row %}<td>"
    + REFERENCE_SOURCE.replace("fact.cell", "cell").replace("fact.unit", '""')
    + "</td>{% endfor %}</tr>{% endfor %}</tbody></table></div>"
    "{% else %}" + REFERENCE_SOURCE + "{% endif %}</dd>{% endfor %}"
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


@pytest.mark.parametrize("language", ["en", "ja", "de"])
def test_public_facts_write_the_templates_markup(language):
    """A section's facts, cells and tables alike, as the page's template wrote them (whitespace aside)."""
    table = Table(columns=["Material", HOSTILE, "Share"], rows=[CELLS[:3], CELLS[3:6], CELLS[5:8]])
    facts = [Fact("a", "Weight", cell=Cell(text="12.5"), unit="kg")]
    facts += [
        Fact(f"c{n}", HOSTILE, cell=cell, unit=unit) for n, cell in enumerate(CELLS) for unit in ("", "%")
    ]
    facts += [
        Fact("t", f"Carbon footprint {HOSTILE}", table=table),
        Fact("e", "Empty", table=None, cell=Cell()),
    ]

    with translation.override(language):
        html = Template("{% load public_cells %}{{ facts|public_facts }}").render(Context({"facts": facts}))
        reference = REFERENCE_FACTS.render(Context({"facts": facts}))

    assert _tags_only(html) == _tags_only(reference)


def _tags_only(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def test_public_cell_escapes_every_value():
    html = FILTER.render(Context({"fact": {"cell": Cell(items=[HOSTILE]), "unit": HOSTILE}}))

    assert "<script>" not in html and "&lt;script&gt;" in html
