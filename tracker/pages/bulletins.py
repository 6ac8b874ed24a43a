"""督查通报 pages (/bulletins: coordinators and admins write, leaders read, units 403) and a plan's 考评
weights (/plans/<id>/scoring, coordinators and admins)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.bulletins import services
from tracker.bulletins.documents import bulletin_docx
from tracker.bulletins.forms import BulletinForm, DraftForm, IssueForm, ScoringForm
from tracker.bulletins.models import Bulletin
from tracker.bulletins.queries import REPEATED_RETURNS
from tracker.reports.models import ScoringRule
from tracker.reports.scoring import COMPONENTS, WEIGHT_FIELDS, weights_of
from tracker.common.clock import today
from tracker.common.errors import ConflictError
from tracker.common.pagination import page_of
from tracker.access.permissions import can_read_everything, is_manager, require
from tracker.common.web import download, expected_version, get_or_404, run_service
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.proposals.handling import ROLE_LABELS
from tracker.supervision.ladder import LEVEL_LABELS

bp = Blueprint("bulletins", __name__)


def _previous_month_key() -> str:
    first = today().replace(day=1)
    previous = first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)
    return previous.strftime("%Y-%m")


def _list_page(form, status: int = 200):
    bulletins = list(db.session.scalars(select(Bulletin).order_by(Bulletin.month.desc())))
    return render_template("bulletins/index.html", bulletins=bulletins, form=form), status


@bp.get("/bulletins")
@require(can_read_everything)
def index():
    form = DraftForm(formdata=None)
    form.month.data = _previous_month_key()
    return _list_page(form)


@bp.post("/bulletins")
@require(is_manager)
def draft():
    form = DraftForm()
    if form.validate_on_submit():
        bulletin, error = run_service(services.draft_bulletin, current_user, month_key=form.month.data, today=today())
        if error is None:
            flash(_("已根据数据起草通报，请核对并修改正文。"), "success")
            return redirect(url_for("bulletins.detail", bulletin_id=bulletin.id))
    return _list_page(form, 400)


def _detail_page(bulletin: Bulletin, form=None, status: int = 200, conflict: dict | None = None):
    if form is None and is_manager(current_user) and not bulletin.is_issued:
        form = BulletinForm(formdata=None, obj=bulletin)
        form.version.data = bulletin.version
    issue_form = IssueForm(formdata=None)
    issue_form.version.data = bulletin.version
    # A city bulletin has a row per unit (~2,000): the page shows them 50 at a time, the Word file all.
    reporting_units = page_of(bulletin.figures.get("reporting", {}).get("units", []))
    return render_template("bulletins/detail.html", bulletin=bulletin, figures=bulletin.figures, form=form,
                           reporting_units=reporting_units, issue_form=issue_form, level_labels=LEVEL_LABELS,
                           repeated_returns=REPEATED_RETURNS,
                           role_labels={role.value: label for role, label in ROLE_LABELS.items()},
                           conflict=conflict), status


@bp.get("/bulletins/<int:bulletin_id>")
@require(can_read_everything)
def detail(bulletin_id: int):
    return _detail_page(get_or_404(Bulletin, bulletin_id))


@bp.post("/bulletins/<int:bulletin_id>/edit")
@require(is_manager)
def edit(bulletin_id: int):
    bulletin = get_or_404(Bulletin, bulletin_id)
    form = BulletinForm()
    if not form.validate_on_submit():
        return _detail_page(bulletin, form, 400)
    _saved, error = run_service(services.edit_bulletin, current_user, bulletin, title=form.title.data,
                                body=form.body.data, refresh=bool(form.refresh.data), today=today(),
                                expected_version=expected_version(form.version.data))
    if error is None:
        flash(_("通报已保存。"), "success")
        return redirect(url_for("bulletins.detail", bulletin_id=bulletin.id))
    bulletin = get_or_404(Bulletin, bulletin_id)
    if isinstance(error, ConflictError):  # keep what this user typed; show what the other person saved
        form.version.data = bulletin.version
        return _detail_page(bulletin, form, 409, conflict=error.current)
    return _detail_page(bulletin, form, 400)


@bp.post("/bulletins/<int:bulletin_id>/issue")
@require(is_manager)
def issue(bulletin_id: int):
    bulletin = get_or_404(Bulletin, bulletin_id)
    form = IssueForm()
    if form.validate_on_submit():
        _saved, error = run_service(services.issue_bulletin, current_user, bulletin, today=today(),
                                    expected_version=expected_version(form.version.data))
        if error is None:
            flash(_("通报已印发：%(number)s。", number=bulletin.number), "success")
    else:
        flash(_("提交的表单无效，请刷新页面后重试。"), "danger")
    return redirect(url_for("bulletins.detail", bulletin_id=bulletin_id))


@bp.get("/bulletins/<int:bulletin_id>.docx")
@require(can_read_everything)
def document(bulletin_id: int):
    from tracker.reports.exports import DOCX_MIMETYPE

    bulletin = get_or_404(Bulletin, bulletin_id)
    name = bulletin.number or _("督查通报（草稿）") + bulletin.month
    return download(bulletin_docx(bulletin, today()), DOCX_MIMETYPE, f"{name}.docx")


@bp.route("/plans/<int:plan_id>/scoring", methods=["GET", "POST"])
@require(is_manager)
def scoring(plan_id: int):
    """考评规则 of a plan: the points of each item counted on the scoreboard."""
    plan = get_or_404(Plan, plan_id)
    row = db.session.scalar(select(ScoringRule).where(ScoringRule.plan_id == plan.id))
    form = ScoringForm()
    if request.method == "GET":
        for name, value in weights_of(plan.id).items():
            getattr(form, name).data = value
        form.version.data = row.version if row else ""
    elif form.validate_on_submit():
        _saved, error = run_service(services.save_scoring_rule, current_user, plan,
                                    weights={name: getattr(form, name).data for name in WEIGHT_FIELDS},
                                    expected_version=expected_version(form.version.data))
        if error is None:
            flash(_("考评规则已保存。"), "success")
            return redirect(url_for("bulletins.scoring", plan_id=plan.id))
    status = 400 if request.method == "POST" else 200
    return render_template("bulletins/scoring.html", form=form, plan=plan, components=COMPONENTS), status
