"""Unit register (单位库) changes."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import or_, select

from tracker.audit.services import diff, record
from tracker.common.errors import ValidationFailed
from tracker.common.races import check_version
from tracker.extensions import db
from tracker.units.models import Unit, UnitKind

FIELDS = ("name", "short_name", "kind", "parent_id", "contact_person", "notification_emails", "phone")


def normalise_emails(raw: str) -> str:
    """One valid address per line (commas, semicolons and spaces also separate); raises on a bad one."""
    addresses = []
    for part in raw.replace(",", "\n").replace(";", "\n").replace("，", "\n").replace("；", "\n").split():
        try:
            addresses.append(validate_email(part, check_deliverability=False).normalized)
        except EmailNotValidError:
            raise ValidationFailed(_("邮箱地址“%(address)s”格式不正确。", address=part)) from None
    return "\n".join(dict.fromkeys(addresses))


def _check_unique(name: str, short_name: str, exclude_id: int | None) -> None:
    query = select(Unit).where(or_(Unit.name == name, Unit.short_name == short_name))
    if exclude_id:
        query = query.where(Unit.id != exclude_id)
    clash = db.session.scalar(query)
    if clash is not None:
        raise ValidationFailed(_("单位名称或简称与“%(unit)s”重复。", unit=clash.name))


def _check_parent(unit_id: int | None, parent_id: int | None) -> None:
    seen = {unit_id}
    while parent_id:
        if parent_id in seen:
            raise ValidationFailed(_("上级单位不能形成循环。"))
        seen.add(parent_id)
        parent = db.session.get(Unit, parent_id)
        if parent is None:
            raise ValidationFailed(_("上级单位不存在。"))
        parent_id = parent.parent_id


def save_unit(actor, unit: Unit | None, *, name: str, short_name: str, kind: UnitKind,
              parent_id: int | None = None, contact_person: str = "", notification_emails: str = "",
              phone: str = "", expected_version: int | None = None) -> Unit:
    """Creates (``unit`` None) or edits a unit, with its audit event; an edit based on a version another
    user has saved over meanwhile is refused (ConflictError)."""
    if unit is not None:
        check_version(unit, expected_version, {field: getattr(unit, field) for field in FIELDS})
    name, short_name = name.strip(), (short_name or name).strip()
    if not name:
        raise ValidationFailed(_("请填写单位名称。"))
    _check_unique(name, short_name, unit.id if unit else None)
    _check_parent(unit.id if unit else None, parent_id)
    values = {"name": name, "short_name": short_name, "kind": kind, "parent_id": parent_id or None,
              "contact_person": contact_person.strip(), "notification_emails": normalise_emails(notification_emails),
              "phone": phone.strip()}
    if unit is None:
        unit = Unit(**values)
        db.session.add(unit)
        record(actor, "unit.created", unit, changes=values, summary=name)
        return unit
    before = {field: getattr(unit, field) for field in FIELDS}
    for field, value in values.items():
        setattr(unit, field, value)
    record(actor, "unit.updated", unit, changes=diff(before, values), summary=name)
    return unit


def add_unit_alias(actor, unit: Unit, alias: str) -> "UnitAlias":
    """Another name of ``unit`` as documents write it (单位别名); plan imports then match it to the unit."""
    from tracker.units.models import UnitAlias

    alias = " ".join((alias or "").split())
    if not alias:
        raise ValidationFailed(_("请填写别名。"))
    if len(alias) > 120 or "\x00" in alias:
        raise ValidationFailed(_("别名不能超过120个字。"))
    owner = db.session.scalar(select(Unit).where(or_(Unit.name == alias, Unit.short_name == alias)))
    if owner is not None:
        raise ValidationFailed(_("“%(alias)s”已是单位“%(unit)s”的名称或简称。", alias=alias, unit=owner.name))
    taken = db.session.scalar(select(UnitAlias).where(UnitAlias.alias == alias))
    if taken is not None:
        raise ValidationFailed(_("别名“%(alias)s”已属于单位“%(unit)s”。", alias=alias, unit=taken.unit.name))
    row = UnitAlias(unit_id=unit.id, alias=alias)
    db.session.add(row)
    record(actor, "unit.alias_added", unit, changes={"alias": [None, alias]}, summary=unit.short_name)
    return row


def remove_unit_alias(actor, unit: Unit, alias_id: int) -> None:
    from tracker.units.models import UnitAlias

    row = db.session.get(UnitAlias, alias_id)
    if row is None or row.unit_id != unit.id:
        raise ValidationFailed(_("该别名不存在。"))
    record(actor, "unit.alias_removed", unit, changes={"alias": [row.alias, None]}, summary=unit.short_name)
    db.session.delete(row)
