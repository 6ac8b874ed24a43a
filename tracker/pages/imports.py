"""Document import: upload or paste (/imports/new), review the draft and create everything (/imports/<id>)."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.common.clock import today
from tracker.common.errors import ConflictError
from tracker.access.permissions import is_manager, require
from tracker.common.web import expected_version, get_or_404, run_service
from tracker.extensions import db
from tracker.imports.documents import DEFAULT_MAX_BYTES
from tracker.imports.drafts import (NEW_PREFIX, apply_plan_draft, create_draft, discard_draft,
                                    indicators_available, remap_columns, remap_prose, revision_target,
                                    save_draft_edits)
from tracker.proposals.importing import apply_reply_draft
from tracker.imports.forms import (ColumnsForm, ReviewForm, UploadForm, column_choices, plan_review_payload,
                                   reply_review_payload)
from tracker.imports.models import DraftKind, DraftState, ImportDraft
from tracker.plans.models import Plan
from tracker.reports.exports import XLSX_MIMETYPE
from tracker.proposals.services import publicity_choices, result_categories
from tracker.tasks.models import ReportingCycle
from tracker.units.models import Unit, UnitKind
from tracker.units.ordering import sorted_units

bp = Blueprint("imports", __name__, url_prefix="/imports")


def _max_megabytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES) // (1024 * 1024))


@bp.errorhandler(413)
def too_large(_error):
    """The request itself exceeded MAX_CONTENT_LENGTH: say so on the upload page, nothing was read."""
    form = UploadForm(formdata=None)
    flash(_("上传的文件过大，请上传不超过%(n)d MB的文件。", n=_max_megabytes()), "danger")
    return render_template("imports/new.html", form=form, max_mb=_max_megabytes()), 413


@bp.get("/template.xlsx")
@require(is_manager)
def template():
    """空白任务分解表: the layout the importer reads, to hand to the units that fill it in."""
    from tracker.imports.template import template_xlsx

    return Response(template_xlsx(), mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": "attachment; filename=task-breakdown-template.xlsx; "
                               "filename*=UTF-8''%E4%BB%BB%E5%8A%A1%E5%88%86%E8%A7%A3%E8%A1%A8.xlsx"})


@bp.get("/")
@require(is_manager)
def index():
    drafts = list(db.session.scalars(select(ImportDraft).options(selectinload(ImportDraft.created_by))
                                     .order_by(ImportDraft.id.desc()).limit(100)))
    return render_template("imports/index.html", drafts=drafts)


def _uploaded_name(raw: str | None) -> str:
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable()).strip()  # no NUL or control characters (PostgreSQL)


@bp.route("/new", methods=["GET", "POST"])
@require(is_manager)
def new():
    form = UploadForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            storage = form.document.data
            has_file = storage is not None and bool(getattr(storage, "filename", ""))
            data = storage.read() if has_file else None
            draft, error = run_service(create_draft, current_user, form.kind.data,
                                       _uploaded_name(storage.filename) if has_file else None, data=data,
                                       text=None if has_file else (form.text.data or ""))
            if error is None:
                flash(_("文件已解析，请核对后创建。"), "success")
                return redirect(url_for("imports.review", draft_id=draft.id))
        else:
            for errors in form.errors.values():
                for message in errors:
                    flash(str(message), "danger")
    return render_template("imports/new.html", form=form, max_mb=_max_megabytes()), status


def _unit_options(payload: dict) -> list[tuple[str, str]]:
    units = sorted_units(db.session.scalars(select(Unit)))
    options = [(str(unit.id), unit.short_name) for unit in units]
    options += [(f"{NEW_PREFIX}{index}", _("新建：%(name)s", name=row.get("name", "")))
                for index, row in enumerate(payload.get("new_units") or [])]
    return options


def _render_review(draft: ImportDraft, form: ReviewForm, payload: dict, status: int = 200):
    template = "imports/review_plan.html" if draft.kind == DraftKind.plan else "imports/review_reply.html"
    form.version.data = draft.version
    revision, revision_plans = None, []
    if draft.kind == DraftKind.plan:
        revision, revision_plans = _revision_preview(payload)
    columns_form = ColumnsForm(formdata=None)
    columns_form.version.data = draft.version
    return render_template(
        template, draft=draft, form=form, payload=payload, unit_options=_unit_options(payload),
        columns_form=columns_form, column_kinds=_column_kinds(),
        revision=revision, revision_plans=revision_plans,
        unit_kinds=[kind.value for kind in UnitKind], cycles=[cycle.value for cycle in ReportingCycle],
        indicators_available=indicators_available(), result_categories=result_categories(),
        publicity_choices=publicity_choices(), is_open=draft.state == DraftState.draft), status


def _column_kinds() -> list[tuple[str, str]]:
    """The column kinds offered in the column-mapping step, with their labels."""
    return [("task", _("任务")), ("lead", _("牵头单位")), ("cooperating", _("配合单位")), ("responsible", _("责任单位")),
            ("due", _("完成时限")), ("group", _("分组")), ("number", _("序号")), ("measures", _("具体内容")),
            ("leader", _("责任领导")), ("other", _("忽略"))]


@bp.post("/<int:draft_id>/columns")
@require(is_manager)
def columns(draft_id: int):
    """列对应: one choice per column of one table; the draft is read again with it and the choice remembered."""
    draft = get_or_404(ImportDraft, draft_id)
    form = ColumnsForm()
    if not form.validate_on_submit():
        flash(_("请求无效，请刷新页面后重试。"), "danger")
        return redirect(url_for("imports.review", draft_id=draft.id))
    table = next((row for row in draft.payload.get("tables") or [] if row.get("signature") == form.signature.data),
                 None)
    chosen = column_choices(request.form, len(table.get("header") or []) if table else 0)
    _done, error = run_service(remap_columns, current_user, draft, form.signature.data or "", chosen,
                               expected_version(form.version.data))
    if error is None:
        flash(_("已按指定的列重新识别：%(n)d项任务。以后导入表头相同的表格将直接按此读取。",
                n=len(draft.payload.get("tasks") or [])), "success")
        return redirect(url_for("imports.review", draft_id=draft.id))
    return _render_review(draft, ReviewForm(formdata=None), draft.payload,
                          409 if isinstance(error, ConflictError) else 400)


def _revision_preview(payload: dict):
    """The diff against the plan the draft would revise (when one is chosen or found), and the plans offered."""
    from tracker.imports.revisions import fill_from_plan, revision_diff

    ids = [row["id"] for row in payload.get("duplicates") or []]
    chosen = revision_target(payload)
    if chosen is not None and chosen.id not in ids:
        ids.append(chosen.id)
    plans = list(db.session.scalars(select(Plan).where(Plan.id.in_(ids)).order_by(Plan.id))) if ids else []
    # Any other plan can be the one revised: the most recent ones are offered after the duplicates.
    limit = int(current_app.config.get("PICKER_MENU_LIMIT", 200))
    plans += [plan for plan in db.session.scalars(select(Plan).order_by(Plan.id.desc()).limit(limit))
              if plan.id not in ids]
    if chosen is None or (payload.get("import_mode") not in ("revision", "") and not payload.get("duplicates")):
        return None, plans
    return revision_diff(chosen, fill_from_plan(chosen, payload)), plans


@bp.route("/<int:draft_id>", methods=["GET", "POST"])
@require(is_manager)
def review(draft_id: int):
    draft = get_or_404(ImportDraft, draft_id)
    form = ReviewForm()
    if request.method == "GET":
        return _render_review(draft, form, draft.payload)
    if not form.validate_on_submit():
        flash(_("请求无效，请刷新页面后重试。"), "danger")
        return _render_review(draft, form, draft.payload, 400)
    expected = expected_version(form.version.data)
    if form.discard.data:
        _done, error = run_service(discard_draft, current_user, draft, expected)
        if error is None:
            flash(_("已放弃该导入草稿，未创建任何内容。"), "info")
            return redirect(url_for("imports.index"))
        return _render_review(draft, form, draft.payload, 409 if isinstance(error, ConflictError) else 400)
    stored = draft.payload
    edited = plan_review_payload(request.form, stored) if draft.kind == DraftKind.plan \
        else reply_review_payload(request.form, stored)
    if form.save.data:
        _done, error = run_service(save_draft_edits, current_user, draft, edited, expected)
        if error is None:
            flash(_("修改已保存，尚未创建。"), "success")
            return redirect(url_for("imports.review", draft_id=draft.id))
    elif draft.kind == DraftKind.plan:
        plan, error = run_service(apply_plan_draft, current_user, draft, edited, today(), expected_version=expected)
        if error is None and edited.get("import_mode") == "revision":
            flash(_("已按修订版更新方案“%(title)s”，每项变化均已记录。", title=plan.title), "success")
            return redirect(url_for("plans.detail", plan_id=plan.id))
        if error is None:
            flash(_("已创建方案“%(title)s”：%(groups)d个行动、%(tasks)d项任务。", title=plan.title,
                    groups=len(plan.groups), tasks=len(plan.tasks)), "success")
            return redirect(url_for("plans.detail", plan_id=plan.id))
    else:
        from tracker.proposals.importing import apply_reply  # the reply's addressees become proposers

        proposal, error = run_service(apply_reply, current_user, draft, edited, today(),
                                      expected_version=expected)
        if error is None:
            flash(_("已导入提案答复：%(label)s。", label=proposal.label), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return _render_review(draft, form, edited, 409 if isinstance(error, ConflictError) else 400)


# ------------------------------------------------------------------------------------------------------------
# 进展报送表: a unit's tasks as .xlsx, filled in and uploaded back as status updates
# ------------------------------------------------------------------------------------------------------------

def _is_unit_user(user) -> bool:
    from tracker.auth.models import Role

    return user.role == Role.unit and user.unit_id is not None


@bp.get("/progress")
@require(_is_unit_user)
def progress():
    from tracker.imports.forms import ProgressUploadForm

    results = session.pop("progress_results", None)
    return render_template("imports/progress.html", form=ProgressUploadForm(), results=results,
                           max_mb=_max_megabytes())


@bp.get("/progress.xlsx")
@require(_is_unit_user)
def progress_sheet():
    from tracker.imports.progress import progress_workbook

    return Response(progress_workbook(current_user, today()), mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": "attachment; filename=progress.xlsx; "
                               "filename*=UTF-8''%E8%BF%9B%E5%B1%95%E6%8A%A5%E9%80%81%E8%A1%A8.xlsx"})


@bp.post("/progress")
@require(_is_unit_user)
def progress_upload():
    """Each filled row is submitted as a status update; the per-row results are shown on the page."""
    from tracker.imports.forms import ProgressUploadForm
    from tracker.imports.progress import import_progress
    from tracker.updates.uploads import evidence_store, upload_limits

    form = ProgressUploadForm()
    storage = form.document.data
    if not form.validate_on_submit() or storage is None or not getattr(storage, "filename", ""):
        flash(_("请选择填好的进展报送表（.xlsx）。"), "danger")
        return redirect(url_for("imports.progress"))
    store = evidence_store()
    result, error = run_service(import_progress, current_user, storage.read(), today=today(), store=store,
                                valid_rows_only=bool(form.valid_rows_only.data), on_failure=store.discard_saved,
                                **upload_limits())
    if error is not None:
        return redirect(url_for("imports.progress"))
    session["progress_results"] = {
        "written": result.written, "refused": len(result.refused), "valid_rows_only": bool(form.valid_rows_only.data),
        "rows": [{"row": r.row, "code": r.code, "title": r.title[:100], "accepted": r.accepted, "message": r.message}
                 for r in result.rows[:500]]}
    if result.refused and not form.valid_rows_only.data:
        flash(_("有%(n)d行未通过检查，本次未写入任何进展。请改正后重新上传，或勾选“只导入有效的行”。",
                n=len(result.refused)), "danger")
    else:
        flash(_("已提交%(n)d条进展，等待督办审核。", n=result.written), "success")
    return redirect(url_for("imports.progress"))


# ---------------------------------------------------------------------------------------------------------
# 督办代报: a coordinator's 进展报送表 for several units (filter by plan and/or lead unit)
# ---------------------------------------------------------------------------------------------------------

def _can_report_on_behalf(user) -> bool:
    from tracker.access.permissions import can_report_on_behalf

    return can_report_on_behalf(user)


def _scope_args() -> tuple[int | None, int | None]:
    plan = request.args.get("plan", "")
    unit = request.args.get("unit", "")
    return (int(plan) if plan.isdigit() else None), (int(unit) if unit.isdigit() else None)


@bp.get("/progress/units")
@require(_can_report_on_behalf)
def progress_units():
    from tracker.imports.forms import ProgressUploadForm
    from tracker.plans.models import PlanStatus

    plan_id, unit_id = _scope_args()
    plans = list(db.session.scalars(select(Plan).where(Plan.status == PlanStatus.active).order_by(Plan.id)))
    units = sorted_units(db.session.scalars(select(Unit)).all())
    results = session.pop("progress_results", None)
    return render_template("imports/progress.html", form=ProgressUploadForm(), results=results,
                           max_mb=_max_megabytes(), on_behalf=True, plans=plans, units=units,
                           plan_id=plan_id, unit_id=unit_id)


@bp.get("/progress/units.xlsx")
@require(_can_report_on_behalf)
def progress_units_sheet():
    from tracker.imports.progress import units_workbook

    plan_id, unit_id = _scope_args()
    return Response(units_workbook(current_user, today(), plan_id=plan_id, unit_id=unit_id),
                    mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": "attachment; filename=progress-units.xlsx; "
                               "filename*=UTF-8''%E8%BF%9B%E5%B1%95%E6%8A%A5%E9%80%81%E8%A1%A8.xlsx"})


@bp.post("/progress/units")
@require(_can_report_on_behalf)
def progress_units_upload():
    """Each filled row becomes its lead unit's update entered by the coordinator (代报), checked as a web
    submission; the per-row results are shown on the page."""
    from tracker.imports.forms import ProgressUploadForm
    from tracker.imports.progress import import_progress_on_behalf

    form = ProgressUploadForm()
    storage = form.document.data
    if not form.validate_on_submit() or storage is None or not getattr(storage, "filename", ""):
        flash(_("请选择填好的进展报送表（.xlsx）。"), "danger")
        return redirect(url_for("imports.progress_units"))
    result, error = run_service(import_progress_on_behalf, current_user, storage.read(), today=today(),
                                valid_rows_only=bool(form.valid_rows_only.data))
    if error is not None:
        return redirect(url_for("imports.progress_units"))
    _keep_results(result, bool(form.valid_rows_only.data))
    return redirect(url_for("imports.progress_units"))


def _keep_results(result, valid_rows_only: bool) -> None:
    session["progress_results"] = {
        "written": result.written, "refused": len(result.refused), "valid_rows_only": valid_rows_only,
        "rows": [{"row": r.row, "code": r.code, "title": r.title[:100], "accepted": r.accepted, "message": r.message}
                 for r in result.rows[:500]]}
    if result.refused and not valid_rows_only:
        flash(_("有%(n)d行未通过检查，本次未写入任何进展。请改正后重新上传，或勾选“只导入有效的行”。",
                n=len(result.refused)), "danger")
    else:
        flash(_("已提交%(n)d条进展，等待督办审核。", n=result.written), "success")


@bp.post("/<int:draft_id>/prose")
@require(is_manager)
def prose(draft_id: int):
    """逐项识别方式: what marks an item and its units in a prose document; read again and remembered."""
    draft = get_or_404(ImportDraft, draft_id)
    form = ColumnsForm()
    if not form.validate_on_submit():
        flash(_("请求无效，请刷新页面后重试。"), "danger")
        return redirect(url_for("imports.review", draft_id=draft.id))
    _done, error = run_service(remap_prose, current_user, draft, request.form.get("items", ""),
                               request.form.get("units", ""), expected_version(form.version.data))
    if error is None:
        flash(_("已按指定的识别方式重新识别：%(n)d项任务。以后导入同一发文单位的同类文件将直接按此读取。",
                n=len(draft.payload.get("tasks") or [])), "success")
        return redirect(url_for("imports.review", draft_id=draft.id))
    return _render_review(draft, ReviewForm(formdata=None), draft.payload,
                          409 if isinstance(error, ConflictError) else 400)
