"""The steps of the multi-step forms: one step per catalogue cluster, for battery models (ending with the
confidential supply chain) and for passports; finding a step by its slug, where a step's submit button
leads after saving, and the step navigation shown above the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy

from .. import services
from ..catalogue import Attribute, Cluster, Level, attributes_for

SUPPLY_CHAIN_STEP = "supply_chain"


# ---- steps of the multi-step forms ------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    slug: str
    label: Any
    attributes: tuple[Attribute, ...]


def _cluster_steps(level: Level, allowed: frozenset[str]) -> tuple[Step, ...]:
    steps = []
    for cluster in Cluster:
        found = attributes_for(cluster, level, include_rows=False, include_system=False)
        chosen = tuple(a for a in found if a.key in allowed)
        if chosen:
            steps.append(Step(cluster.value, cluster.label, chosen))
    return tuple(steps)


@cache
def model_steps() -> tuple[Step, ...]:
    """One step per cluster with model-level attributes, then the confidential supply chain."""
    return (
        *_cluster_steps(Level.MODEL, services.MODEL_KEYS),
        Step(SUPPLY_CHAIN_STEP, gettext_lazy("Supply chain (confidential)"), ()),
    )


@cache
def passport_steps() -> tuple[Step, ...]:
    return _cluster_steps(Level.BATTERY, services.BATTERY_KEYS)


def step_or_404(steps: tuple[Step, ...], slug: str) -> tuple[int, Step]:
    for index, step in enumerate(steps):
        if step.slug == slug:
            return index, step
    raise Http404


def after_save(request: HttpRequest, steps: tuple[Step, ...], index: int, url_for, done_url: str) -> str:
    """Where the step's submit button leads: next or previous step, the same step (to add a row) or,
    after the last step, the finished object."""
    go = request.POST.get("go", "next")
    if go == "previous" and index > 0:
        return url_for(steps[index - 1].slug)
    if go == "next":
        return url_for(steps[index + 1].slug) if index + 1 < len(steps) else done_url
    if go.startswith("add:"):
        anchor = "".join(ch for ch in go[4:] if ch.isalnum() or ch in "-_")
        return f"{url_for(steps[index].slug)}#rows-{anchor}"
    return url_for(steps[index].slug)


def step_nav(steps: tuple[Step, ...], current: str, url_for) -> list[dict[str, Any]]:
    return [
        {
            "slug": s.slug,
            "label": s.label,
            "url": url_for(s.slug) if url_for else None,
            "current": s.slug == current,
        }
        for s in steps
    ]
