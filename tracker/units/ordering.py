"""The order units are listed in (单位排序), decided here for every menu and checkbox list.

Units come in the register's order of kinds (区级委办局, 镇/街道, 区属国企, 市级部门, 其他: ``UnitKind``), and
within a kind by the pinyin of the short name. Neither SQLite nor a default PostgreSQL has Chinese
collation, so the sort is done in Python on the name's GB18030 bytes: the 3,755 common characters
(GB2312 level 1) are in pinyin order there (区经委 before 区科委 before 区数据局), with no extra package;
rarer characters follow, by radical. Code-point order (what ORDER BY short_name gives) is not an order
a person expects. Lists too long for a menu (a city's ~2,000 units) are search boxes whose 20
suggestions are sorted the same way."""
from __future__ import annotations

from typing import Iterable, TypeVar

from tracker.units.models import UnitKind

KIND_RANK = {kind: rank for rank, kind in enumerate(UnitKind)}
T = TypeVar("T")


def pinyin_key(text: str) -> bytes:
    """A sort key in pinyin order for common Chinese characters (GB18030 byte order)."""
    return (text or "").encode("gb18030", errors="replace")


def unit_sort_key(kind, short_name: str) -> tuple:
    kind = UnitKind(getattr(kind, "value", kind)) if kind else UnitKind.other
    return KIND_RANK[kind], pinyin_key(short_name), short_name


def sorted_units(units: Iterable[T]) -> list[T]:
    """Unit objects in the listing order."""
    return sorted(units, key=lambda unit: unit_sort_key(unit.kind, unit.short_name))
