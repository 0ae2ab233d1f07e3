"""Look-ups over `ATTRIBUTES`: by key, by cluster/level/audience, by Catena-X leaf, rows of a group."""

from __future__ import annotations

from functools import cache
from types import MappingProxyType

from .attributes import ATTRIBUTES
from .core import Attribute, Cluster, Level, Viewer, visible_audiences

_BY_KEY: MappingProxyType[str, Attribute] = MappingProxyType({a.key: a for a in ATTRIBUTES})


def attribute(key: str) -> Attribute:
    """The attribute with this key; `LookupError` names the unknown key."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise LookupError(f"No passport attribute with key {key!r}.") from None


def attributes_for(
    cluster: Cluster | str | None = None,
    level: Level | str | None = None,
    audience_visible_to: Viewer | str | None = None,
    *,
    include_rows: bool = True,
    include_system: bool = True,
) -> list[Attribute]:
    """Attributes in display order, filtered by cluster, level and what a viewer kind may see.

    `include_rows=False` keeps only top-level attributes (a GROUP stands for its rows);
    `include_system=False` leaves out platform-filled metadata (forms)."""
    cluster = Cluster(cluster) if cluster is not None else None
    level = Level(level) if level is not None else None
    audiences = visible_audiences(audience_visible_to) if audience_visible_to is not None else None
    return [
        a
        for a in ATTRIBUTES
        if (cluster is None or a.cluster is cluster)
        and (level is None or a.level is level)
        and (audiences is None or a.audience in audiences)
        and (include_rows or a.group is None)
        and (include_system or not a.system)
    ]


@cache
def _children() -> dict[str, tuple[Attribute, ...]]:
    rows: dict[str, list[Attribute]] = {}
    for a in ATTRIBUTES:
        if a.group is not None:
            rows.setdefault(a.group, []).append(a)
    return {group: tuple(members) for group, members in rows.items()}


def children(group_key: str) -> tuple[Attribute, ...]:
    """The row attributes of a GROUP (direct children only; a nested GROUP stands for its own rows)."""
    return _children().get(group_key, ())


@cache
def _by_catenax_path() -> MappingProxyType[str, Attribute]:
    mapping: dict[str, Attribute] = {}
    for a in ATTRIBUTES:
        for path in a.catenax_paths:
            if path in mapping:
                raise ValueError(f"Catena-X leaf {path} is mapped by {mapping[path].key} and {a.key}.")
            mapping[path] = a
    return MappingProxyType(mapping)


def by_catenax_path() -> MappingProxyType[str, Attribute]:
    """Read-only dict: BatteryPass 6.1.0 leaf path ("a.b[].c") -> the attribute that fills it."""
    return _by_catenax_path()
