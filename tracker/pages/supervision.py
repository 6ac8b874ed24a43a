"""Pages and actions of the 督办 loop: 签收 / 退回交办, 重新交办, 延期申请 and its approval, 办结申请 and
核查销号, reopening, the documents (.docx) and their 反馈, 约谈, a plan's ladder settings, the requests list."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.auth.models import Role
from tracker.common.clock import today
from tracker.common.pagination import paginate, paginate_rows
from tracker.access.permissions import can_read_everything, can_view_task, ensure, is_manager, require
from tracker.common.web import bad_request, download, expected_version, get_or_404, run_service
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.proposals.services import can_view_proposal
from tracker.supervision import register as register_service
from tracker.supervision import services
from tracker.supervision.documents import document_docx
from tracker.supervision.forms import (ClosureForm, DecisionForm, ExtensionForm, InterviewForm, LadderSettingsForm,
                                       IssueDocumentForm, ReasonForm, ReassignForm, ReceiptForm, ReplyForm,
                                       VoidDocumentForm)
from tracker.supervision.ladder import rules_for
from tracker.supervision.models import (ClosureRequest, ClosureState, DocumentKind, ExtensionRequest,
                                        ExtensionState, Receipt, SupervisionDocument, WorkflowEvidenceFile)
from tracker.supervision.register import document_modes, register_query
from tracker.supervision.queries import pending_closures_query, pending_extensions_query, refused_assignments_query
from tracker.tasks.models import Task
from tracker.updates.uploads import evidence_store, incoming_files, send_evidence, upload_limits

bp = Blueprint("supervision", __name__)


def _back_to(task_id: int, anchor: str = ""):
    return redirect(url_for("tasks.detail", task_id=task_id) + (f"#{anchor}" if anchor else ""))


def _invalid_form(task_id: int, form):
    errors = [error for messages in form.errors.values() for error in messages]
    flash(errors[0] if errors else _("提交的表单无效，请刷新页面后重试。"), "danger")
    return _back_to(task_id)


@bp.post("/receipts/<int:receipt_id>/sign")
@login_required
def sign(receipt_id: int):
    """签收 (button ``sign``) or 退回交办 (button ``refuse``, with a reason)."""
    receipt = get_or_404(Receipt, receipt_id)
    ensure(current_user.role == Role.unit and current_user.unit_id == receipt.unit_id)
    form = ReceiptForm()
    if not form.validate_on_submit():
        return _invalid_form(receipt.task_id, form)
    version = expected_version(form.version.data)
    if form.refuse.data:
        _saved, error = run_service(services.refuse_receipt, current_user, receipt, reason=form.reason.data or "",
                                    suggested_unit_id=form.suggested_unit_id.data or None, expected_version=version)
        message = _("已退回交办，督办人员将重新交办。")
    else:
        _saved, error = run_service(services.sign_receipt, current_user, receipt, expected_version=version)
        message = _("已签收。")
    if error is None:
        flash(message, "success")
    return _back_to(receipt.task_id, "receipts")


@bp.post("/tasks/<int:task_id>/reassign")
@require(is_manager)
def reassign(task_id: int):
    task = get_or_404(Task, task_id)
    form = ReassignForm()
    if not form.validate_on_submit():
        return _invalid_form(task.id, form)
    _saved, error = run_service(services.reassign, current_user, task, lead_unit_id=form.lead_unit_id.data,
                                today=today(), expected_version=expected_version(form.version.data))
    if error is None:
        flash(_("已重新交办，等待牵头单位签收。"), "success")
    return _back_to(task.id, "receipts")


def _lead_unit_form_page(task: Task, form, template: str, service, message: str, anchor: str, **fields):
    ensure(services.permissions.unit_involvement(current_user, task) == "lead")
    if form.validate_on_submit():
        store = evidence_store()
        _saved, error = run_service(service, current_user, task, today=today(), files=incoming_files(), store=store,
                                    **upload_limits(), on_failure=store.discard_saved,
                                    **{name: getattr(form, name).data for name in fields})
        if error is None:
            flash(message, "success")
            return _back_to(task.id, anchor)
    status = 400 if request.method == "POST" else 200
    return render_template(template, form=form, task=task, today=today()), status


@bp.route("/tasks/<int:task_id>/extension/new", methods=["GET", "POST"])
@login_required
def request_extension(task_id: int):
    task = get_or_404(Task, task_id)
    return _lead_unit_form_page(task, ExtensionForm(), "supervision/extension_form.html", services.request_extension,
                                _("延期申请已提交，等待督办人员审批。"), "extensions", requested_due_on=1, reason=1)


@bp.route("/tasks/<int:task_id>/closure/new", methods=["GET", "POST"])
@login_required
def request_closure(task_id: int):
    task = get_or_404(Task, task_id)
    return _lead_unit_form_page(task, ClosureForm(), "supervision/closure_form.html", services.request_closure,
                                _("办结申请已提交，等待督办人员核查。"), "closure", summary=1)


@bp.post("/extensions/<int:extension_id>/decide")
@require(is_manager)
def decide_extension(extension_id: int):
    extension = get_or_404(ExtensionRequest, extension_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _invalid_form(extension.task_id, form)
    approve = bool(form.approve.data)
    _saved, error = run_service(services.decide_extension, current_user, extension, approve=approve,
                                due_on=form.due_on.data, comment=form.comment.data or "", today=today(),
                                expected_version=expected_version(form.version.data))
    if error is None:
        flash(_("已批准延期。") if approve else _("已不予批准延期。"), "success")
    return _back_to(extension.task_id, "extensions")


@bp.post("/closures/<int:closure_id>/decide")
@require(is_manager)
def decide_closure(closure_id: int):
    closure = get_or_404(ClosureRequest, closure_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _invalid_form(closure.task_id, form)
    verify = bool(form.approve.data)
    _saved, error = run_service(services.decide_closure, current_user, closure, verify=verify,
                                comment=form.comment.data or "", today=today(),
                                expected_version=expected_version(form.version.data))
    if error is None:
        flash(_("核查通过，任务已销号。") if verify else _("已退回办结申请。"), "success")
    return _back_to(closure.task_id, "closure")


@bp.post("/tasks/<int:task_id>/reopen")
@require(is_manager)
def reopen(task_id: int):
    task = get_or_404(Task, task_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _invalid_form(task.id, form)
    _saved, error = run_service(services.reopen_task, current_user, task, reason=form.reason.data,
                                expected_version=expected_version(form.version.data))
    if error is None:
        flash(_("任务已重新打开。"), "success")
    return _back_to(task.id, "closure")


@bp.post("/tasks/<int:task_id>/interviews")
@require(is_manager)
def record_interview(task_id: int):
    task = get_or_404(Task, task_id)
    form = InterviewForm()
    if not form.validate_on_submit():
        return _invalid_form(task.id, form)
    _saved, error = run_service(services.record_interview, current_user, task, held_on=form.held_on.data,
                                attendees=form.attendees.data, agreed=form.agreed.data,
                                follow_up_on=form.follow_up_on.data, today=today())
    if error is None:
        flash(_("约谈已记录。"), "success")
    return _back_to(task.id, "ladder")


def may_see_document(user, document: SupervisionDocument) -> bool:
    """Leaders, coordinators and admins see the register; a unit sees the documents of the tasks it is on
    (lead or cooperating) and those addressed to it. A proposed one (待印发) only the office sees."""
    if can_read_everything(user):
        return True
    if user.role != Role.unit or document.is_proposed:
        return False
    if document.proposal_id is not None:  # an item's reply overdue: the unit it addresses, the item's units
        return user.unit_id == document.unit_id or can_view_proposal(user, document.proposal)
    if document.task is None:
        return False
    return user.unit_id == document.unit_id or can_view_task(user, document.task)


@bp.get("/documents/<int:document_id>.docx")
@login_required
def document(document_id: int):
    """The 催办单 / 督办通知单 / 督查通报 as issued (its number and facts are those of the day it was issued).
    A proposed one has no number yet: its preview is the page, the Word file comes once it is issued."""
    doc = get_or_404(SupervisionDocument, document_id)
    ensure(may_see_document(current_user, doc))
    if doc.is_proposed:
        return bad_request(_("待印发的文书印发后才有文号，届时可下载。"))
    return download(document_docx(doc), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     f"{doc.number}-{doc.facts.get('task_number', doc.facts.get('item_number', doc.facts.get('month', '')))}.docx")


@bp.get("/documents/<int:document_id>")
@login_required
def document_page(document_id: int):
    """A document of the register: its text (the preview of a proposed one), its state and reply; a
    coordinator issues (印发) or voids (作废) it here."""
    from tracker.supervision.documents import notice_paragraphs

    doc = get_or_404(SupervisionDocument, document_id)
    ensure(may_see_document(current_user, doc))
    issue_form, void_form = IssueDocumentForm(formdata=None), VoidDocumentForm(formdata=None)
    issue_form.version.data = void_form.version.data = doc.version
    paragraphs = notice_paragraphs(doc) if doc.task_id is not None or doc.proposal_id is not None else []
    return render_template("supervision/document.html", doc=doc, paragraphs=paragraphs, issue_form=issue_form,
                           void_form=void_form)


@bp.get("/documents")
@require(can_read_everything)
def register():
    """The register of documents (发文登记); ``?state=proposed`` is the 待印发 queue."""
    state, kind = request.args.get("state", ""), request.args.get("kind", "")
    year, since = request.args.get("year", ""), request.args.get("since", "")
    try:
        since_day = date.fromisoformat(since) if since else None
    except ValueError:
        since_day = None
    page = paginate(register_query(state=state or None, kind=kind or None, year=int(year) if year.isdigit() else None,
                                   since=since_day))
    issue_form = IssueDocumentForm(formdata=None)
    return render_template("supervision/register.html", rows=page.items, page=page, state=state, kind=kind, year=year,
                           since=since_day, issue_form=issue_form, kinds=list(DocumentKind))


def _back_to_document(doc: SupervisionDocument, default: str = ""):
    target = request.form.get("next", "")
    if target == "register":
        return redirect(url_for("supervision.register", state="proposed"))
    return redirect(url_for("supervision.document_page", document_id=doc.id))


@bp.post("/documents/<int:document_id>/issue")
@require(is_manager)
def issue_document(document_id: int):
    doc = get_or_404(SupervisionDocument, document_id)
    form = IssueDocumentForm()
    if not form.validate_on_submit():
        flash(_("提交的表单无效，请刷新页面后重试。"), "danger")
        return _back_to_document(doc)
    _saved, error = run_service(register_service.issue_document, current_user, doc, today=today(),
                                expected_version=expected_version(form.version.data))
    if error is None:
        flash(_("已印发：%(number)s。", number=doc.number), "success")
    return _back_to_document(doc)


@bp.post("/documents/<int:document_id>/void")
@require(is_manager)
def void_document(document_id: int):
    doc = get_or_404(SupervisionDocument, document_id)
    form = VoidDocumentForm()
    if not form.validate_on_submit():
        errors = [error for messages in form.errors.values() for error in messages]
        flash(errors[0] if errors else _("提交的表单无效，请刷新页面后重试。"), "danger")
        return _back_to_document(doc)
    _saved, error = run_service(register_service.void_document, current_user, doc, reason=form.reason.data,
                                expected_version=expected_version(form.version.data))
    if error is None:
        flash(_("文书已作废，其文号不再使用。"), "success")
    return _back_to_document(doc)


@bp.post("/tasks/<int:task_id>/documents")
@require(is_manager)
def issue_for_task(task_id: int):
    """The task page's 督办通知单 button when the task has no document: one issued through the register."""
    task = get_or_404(Task, task_id)
    form = IssueDocumentForm()
    if not form.validate_on_submit():
        return _invalid_form(task.id, form)
    doc, error = run_service(register_service.issue_for_task, current_user, task, today=today())
    if error is None:
        flash(_("已印发：%(number)s。", number=doc.number), "success")
        return redirect(url_for("supervision.document_page", document_id=doc.id))
    return _back_to(task.id, "ladder")


@bp.post("/documents/<int:document_id>/reply")
@login_required
def reply(document_id: int):
    doc = get_or_404(SupervisionDocument, document_id)
    ensure(current_user.role == Role.unit and current_user.unit_id == doc.unit_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _invalid_form(doc.task_id, form)
    _saved, error = run_service(services.reply_document, current_user, doc, text=form.text.data)
    if error is None:
        flash(_("已反馈。"), "success")
    return _back_to(doc.task_id, "ladder")


@bp.get("/workflow-evidence/<int:file_id>")
@login_required
def evidence(file_id: int):
    file = get_or_404(WorkflowEvidenceFile, file_id)
    owner = db.session.get(ExtensionRequest, file.extension_id) if file.extension_id else \
        db.session.get(ClosureRequest, file.closure_id)
    if owner is None:
        abort(404)
    ensure(can_view_task(current_user, owner.task))
    return send_evidence(file)


@bp.get("/requests")
@login_required
def requests_list():
    """Pending 延期申请 and 办结申请 and the 退回交办 to re-assign: coordinators all, a leader those of the units
    he oversees (all if none); each table a page at a time (its own ``?extensions_page=`` …), counted in full."""
    ensure(can_read_everything(current_user))
    kind = request.args.get("kind", "")  # ?kind=extension|closure|refused: one table (the 工作台 links)
    show = {name: kind in ("", name) for name in ("extension", "closure", "refused")}
    extensions = paginate(pending_extensions_query(current_user), param="extensions_page") if show["extension"] else None
    closures = paginate(pending_closures_query(current_user), param="closures_page") if show["closure"] else None
    refused = (paginate_rows(refused_assignments_query(current_user), param="refused_page", entities=True)
               if show["refused"] else None)  # counted in the same statement: finding them is the costly part
    return render_template("supervision/requests.html", extensions=extensions, closures=closures, refused=refused,
                           show_extensions=show["extension"], show_closures=show["closure"],
                           show_refused=show["refused"], today=today())


@bp.route("/plans/<int:plan_id>/ladder", methods=["GET", "POST"])
@require(is_manager)
def ladder_settings(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    form = LadderSettingsForm()
    rules = rules_for(plan.id)
    if request.method == "GET":
        form.sign_within_days.data, form.reply_within_days.data = services.loop_settings(plan.id)
        form.document_mode.data = document_modes().get(plan.id, "auto")
        for rule in rules:
            getattr(form, f"level{rule.level}_days").data = rule.after_days
            getattr(form, f"level{rule.level}_recipients").data = ["unit", *rule.recipients]
        form.level2_document.data, form.level3_document.data = rules[1].issues_document, rules[2].issues_document
    elif form.validate_on_submit():
        levels = [(getattr(form, f"level{n}_days").data, getattr(form, f"level{n}_recipients").data or [],
                   n == 2 and form.level2_document.data or n == 3 and form.level3_document.data) for n in (1, 2, 3, 4)]
        _saved, error = run_service(services.save_ladder_settings, current_user, plan,
                                    sign_within_days=form.sign_within_days.data,
                                    reply_within_days=form.reply_within_days.data, levels=levels,
                                    document_mode=form.document_mode.data)
        if error is None:
            flash(_("督办规则已保存。"), "success")
            return redirect(url_for("supervision.ladder_settings", plan_id=plan.id))
    status = 400 if request.method == "POST" else 200
    return render_template("supervision/ladder_settings.html", form=form, plan=plan), status


