"""Unit register (单位库)."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker.common.pagination import paginate
from tracker.common.labels import choices
from tracker.access.permissions import can_read_everything, is_manager, require
from tracker.units.pickers import unit_matches
from tracker.common.errors import ConflictError
from tracker.common.web import expected_version, get_or_404, run_service
from tracker.extensions import db
from tracker.units.forms import UnitForm
from tracker.units.models import Unit, UnitKind
from tracker.units.services import save_unit
from tracker.units.ordering import sorted_units

bp = Blueprint("units", __name__, url_prefix="/units")


@bp.get("/")
@require(can_read_everything)
def index():
    page = paginate(select(Unit).order_by(Unit.kind, Unit.short_name, Unit.id))  # a city has ~2,000 units
    return render_template("units/index.html", units=page.items, page=page)


@bp.get("/lookup")
@login_required
def lookup():
    """Suggestions for the unit search box of long filter menus (tracker/common/pickers.py)."""
    return jsonify(items=unit_matches(request.args.get("q", "")))


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:unit_id>/edit", methods=["GET", "POST"])
@require(is_manager)
def edit(unit_id: int | None = None):
    unit = get_or_404(Unit, unit_id) if unit_id else None
    form = UnitForm(obj=unit)
    form.kind.choices = choices(UnitKind)
    others = sorted_units(db.session.scalars(select(Unit).where(Unit.id != (unit_id or 0))))
    form.parent_id.choices = [(0, "—")] + [(u.id, u.short_name) for u in others]
    if request.method == "GET" and unit is not None:
        form.kind.data = unit.kind.value
        form.parent_id.data = unit.parent_id or 0
        form.version.data = unit.version
    if form.validate_on_submit():
        _saved, error = run_service(
            save_unit, current_user, unit, name=form.name.data, short_name=form.short_name.data,
            kind=UnitKind(form.kind.data), parent_id=form.parent_id.data or None,
            contact_person=form.contact_person.data or "", notification_emails=form.notification_emails.data or "",
            phone=form.phone.data or "", expected_version=expected_version(form.version.data))
        if error is None:
            flash(_("单位已保存。"), "success")
            return redirect(url_for("units.index"))
        if isinstance(error, ConflictError):
            return render_template("units/form.html", form=form, unit=unit), 409
    return render_template("units/form.html", form=form, unit=unit)


@bp.route("/<int:unit_id>/aliases", methods=["GET", "POST"])
@require(is_manager)
def aliases(unit_id: int):
    """单位别名: names documents use for the unit (区发改局 for 区发展和改革委员会), matched by plan imports."""
    from tracker.units.forms import UnitAliasForm
    from tracker.units.models import UnitAlias
    from tracker.units.services import add_unit_alias, remove_unit_alias

    unit = get_or_404(Unit, unit_id)
    form = UnitAliasForm()
    status = 200
    if request.method == "POST":
        status = 400
        if request.form.get("remove"):
            try:
                alias_id = int(request.form["remove"])
            except ValueError:
                alias_id = 0
            _done, error = run_service(remove_unit_alias, current_user, unit, alias_id)
            if error is None:
                flash(_("别名已删除。"), "success")
                return redirect(url_for("units.aliases", unit_id=unit.id))
        elif form.validate_on_submit():
            _done, error = run_service(add_unit_alias, current_user, unit, form.alias.data)
            if error is None:
                flash(_("别名已添加。"), "success")
                return redirect(url_for("units.aliases", unit_id=unit.id))
        else:
            for errors in form.errors.values():
                for message in errors:
                    flash(str(message), "danger")
    rows = list(db.session.scalars(select(UnitAlias).where(UnitAlias.unit_id == unit.id).order_by(UnitAlias.alias)))
    return render_template("units/aliases.html", unit=unit, form=form, aliases=rows), status
