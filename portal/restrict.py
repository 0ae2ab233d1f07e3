"""One access rule per model: `Model.objects.restrict(actor, action)` (after NetBox's RestrictedQuerySet).

Each tenant-owned or shared model's queryset subclasses `RestrictedQuerySet` and states, in `rule()`, which
rows an actor may see ("view") or act on ("change", "publish", ...), as one WHERE condition. Everything
else asks it: selectors filter with `restrict()`, per-object checks use `permits()` (the same condition
applied to one row, never a second copy in Python), views answer 404 when `view` is not permitted and 403
when `view` is but the action is not (`visible_then_permitted`).
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

#: "No row at all": what a rule returns when the actor may do nothing (cheaper than a false condition).
NOTHING = None


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows its model's access rule. Subclasses set `actions` and implement `rule()`."""

    actions: ClassVar[frozenset[str]] = frozenset({"view"})

    def rule(self, actor: Any, action: str) -> Q | None:
        """The condition on this model's rows that `actor` may `action`, or `NOTHING`."""
        raise NotImplementedError

    def restrict(self, actor: Any, action: str = "view") -> Self:
        if action not in self.actions:
            known = sorted(self.actions)
            raise ValueError(f"{self.model.__name__} has no action {action!r} (known: {known})")
        condition = self.rule(actor, action)
        if condition is NOTHING:
            return self.none()
        return self.filter(condition)

    def permits(self, actor: Any, action: str, obj: models.Model) -> bool:
        """Whether `actor` may `action` the row `obj`: the rule itself, asked of one row."""
        if obj is None or obj.pk is None:
            return False
        return self.model._default_manager.restrict(actor, action).filter(pk=obj.pk).exists()


def permits(actor: Any, action: str, obj: models.Model) -> bool:
    """`Model.objects.permits(...)` for any restricted model instance."""
    return type(obj)._default_manager.permits(actor, action, obj)


def visible_then_permitted(actor: Any, action: str, obj: models.Model) -> None:
    """The one answer for "not yours": 404 when the actor may not see `obj`, 403 when it may see it but
    not `action` it. Call it before acting on an object looked up outside `restrict(actor, "view")`."""
    if not permits(actor, "view", obj):
        raise Http404
    if action != "view" and not permits(actor, action, obj):
        raise PermissionDenied
