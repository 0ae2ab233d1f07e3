"""Names of the codes the oversight stores (materials, stages, markets), for templates."""

from __future__ import annotations

from django import template

from oversight.presentation import code_name as _code_name

register = template.Library()


@register.filter
def code_name(code: str) -> str:
    """`{{ alert.material|code_name }}`: "Lithium" (in the reader's language) for "lithium"."""
    return _code_name(code)
