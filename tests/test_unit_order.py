"""Unit menus in the order a person expects (tracker/units/ordering.py): by kind in the register's order
(区级委办局, 镇/街道, 区属国企, 市级部门, 其他), then by pinyin, not by code point (区科委 before 区经委 was)."""
from __future__ import annotations

import re

from sqlalchemy import select

from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.units.models import Unit, UnitKind
from tracker.units.ordering import pinyin_key, sorted_units


def test_the_pinyin_key_orders_common_characters_by_pinyin():
    names = ["区数据局", "区科委", "朱家角镇", "区财政局", "金泽镇", "区经委", "区发改委", "区人社局"]
    assert sorted(names, key=pinyin_key) == ["金泽镇", "区财政局", "区发改委", "区经委", "区科委", "区人社局",
                                             "区数据局", "朱家角镇"]
    assert sorted(names) != sorted(names, key=pinyin_key)  # code-point order is another order


def test_the_task_form_lists_units_by_kind_then_pinyin(seeded, browser):
    plan_id = db.session.scalar(select(Plan.id).order_by(Plan.id))
    units = {unit.short_name: unit.kind for unit in db.session.scalars(select(Unit))}
    page = browser("coordinator").get(f"/plans/{plan_id}/tasks/new").text
    menu = re.search(r'<select[^>]*name="lead_unit_id".*?</select>', page, re.S).group(0)
    shown = re.findall(r"<option [^>]*>([^<]+)</option>", menu)
    assert set(shown) == set(units)
    ranks = [list(UnitKind).index(units[name]) for name in shown]
    assert ranks == sorted(ranks)  # district bureaus, then towns, companies, municipal commissions
    bureaus = [name for name in shown if units[name] == UnitKind.district_bureau]
    assert bureaus == sorted(bureaus, key=pinyin_key) and bureaus.index("区经委") < bureaus.index("区科委")
    assert [u.short_name for u in sorted_units(db.session.scalars(select(Unit)))] == shown


def test_the_overdue_unit_filter_uses_the_same_order(seeded, browser):
    page = browser("coordinator").get("/overdue").text
    menu = re.search(r'<select[^>]*name="unit_id".*?</select>', page, re.S).group(0)
    shown = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', menu)
    assert shown == [u.short_name for u in sorted_units(db.session.scalars(select(Unit)))]
