"""Proposal register (提案办理): list with filters, proposal page with its commitments, create and edit."""
from __future__ import annotations

import io
from typing import Any, Callable

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file,
                   session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker.access import permissions as _permissions
from tracker.access.permissions import can_read_everything, ensure, require
from tracker.audit.models import AuditEvent
from tracker.audit.sentences import describe
from tracker.auth.models import Role
from tracker.common.clock import today, utcnow
from tracker.common.errors import ValidationFailed
from tracker.common.pagination import page_of, paginate
from tracker.common.pickers import Picker
from tracker.common.plain_text import clean_text
from tracker.common.web import expected_version, get_or_404, run_service
from tracker.extensions import db
from tracker.imports.drafts import date_from_hint
from tracker.overdue.queries import report_status
from tracker.proposals import clock as _clock, contacts as contact_rules, cosign as _cosign, entry as entry_rules
from tracker.proposals import key_items as _key_items, promises as promise_rules
from tracker.proposals import signed_reply as _signed_reply
from tracker.proposals.documents import reply_letter, reply_letter_filename
from tracker.proposals.forms import (AssignForm, CommitmentForm, ContactForm, CoOpinionForm, CosignDraftForm,
                                     CosignForm, ExtensionDecisionForm, ExtensionRequestForm, KeyItemForm,
                                     ListImportForm, MergeForm, PeopleForm, PromiseAnswerForm, PromiseForm,
                                     ProposalForm, RatingForm, ReceiptForm, SignedReplyForm, SupervisionNoteForm)
from tracker.proposals.handling import (GROUP_WORDS, KIND_LABELS, PROPOSER_WORDS, RATINGS, ROLE_LABELS,
                                        act_on_receipt, assign, issue_rating_links, rate, rating_link)
from tracker.proposals.models import ContactStage, Proposal, ProposalKind, ProposalPromise, ProposalState, ReplyExtension
from tracker.proposals.queries import ProposalFilters, meetings, proposal_query
from tracker.supervision.proposal_ladder import proposal_ladder
from tracker.proposals.services import (FEEDBACK_CHOICES, OPEN_STATES, STATE_BADGES, STATE_LABELS,
                                        can_manage_proposals, can_view_proposal, commitment_to_task,
                                        proposal_involvement, publicity_choices, result_categories,
                                        save_proposal, tracked_commitments)
from tracker.proposals.statistics import (CLASSES, DEFINITIONS, percent, statistics,
                                          statistics_xlsx)
from tracker.units.models import Unit
from tracker.units.ordering import sorted_units, unit_sort_key
from tracker.units.pickers import unit_picker
from tracker.updates.uploads import evidence_store, incoming_files, send_evidence, upload_limits

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
STATISTICS_UNITS_SHOWN = 50  # 主办单位 rows of each kind shown on the statistics page before "显示全部"
rating_bp = Blueprint("rating", __name__)


@bp.app_context_processor
def proposal_helpers():
    return {"proposal_state_labels": STATE_LABELS, "proposal_state_badges": STATE_BADGES,
            "proposal_kind_labels": KIND_LABELS, "proposer_words": PROPOSER_WORDS, "group_words": GROUP_WORDS,
            "receipt_role_labels": ROLE_LABELS}


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else None


@bp.get("")
@login_required
def index():
    state = request.args.get("state", "")
    overdue = request.args.get("overdue") == "1"
    filters = ProposalFilters(state=ProposalState(state) if state in ProposalState._value2member_map_ else None,
                              unit_id=_int_arg("unit_id"), meeting=request.args.get("meeting") or None,
                              kind=ProposalKind(request.args["kind"])
                              if request.args.get("kind") in ProposalKind._value2member_map_ else None,
                              overdue_on=today() if overdue else None)
    units = unit_picker(filters.unit_id)
    key_only = request.args.get("key") == "1"  # 重点提案 only (tracker.proposals.key_items)
    query = proposal_query(current_user, filters)
    page = paginate(query.where(_key_items.key_condition()) if key_only else query)
    return render_template("proposals/index.html", proposals=page.items, page=page, filters=filters,
                           key_only=key_only, key_leaders=_key_items.key_leaders(p.id for p in page.items),
                           overdue=overdue, units=units, meetings=meetings(), states=list(ProposalState), kinds=list(ProposalKind),
                           today=today(), open_states=OPEN_STATES, can_manage=can_manage_proposals(current_user))


def _units() -> list[Unit]:
    return sorted_units(db.session.scalars(select(Unit)))


def _lead_unit_menu(proposal: Proposal) -> Picker:
    """The 牵头单位 menu of the page's 转为跟踪任务 forms, proposing the item's 主办 unit: a ``<select>`` while
    the register is short, else the filter menus' search box (tracker/common/pickers.py): a city's ~2,000
    units as ``<option>``s in every form cost the item page ~80 ms and 100 KB (issue 24). One statement."""
    limit = current_app.config.get("PICKER_MENU_LIMIT", 200)
    rows = list(db.session.execute(select(Unit.id, Unit.short_name, Unit.kind).limit(limit + 1)))
    main = proposal.main_unit
    if len(rows) > limit:
        return Picker("lead_unit_id", None, main.id if main else None, main.short_name if main else "",
                      url_for("units.lookup"))
    rows.sort(key=lambda row: unit_sort_key(row.kind, row.short_name))
    return Picker("lead_unit_id", [(row.id, row.short_name) for row in rows], proposal.main_unit_id, "",
                  url_for("units.lookup"))


@bp.get("/<int:proposal_id>")
@login_required
def detail(proposal_id: int):
    proposal = get_or_404(Proposal, proposal_id)
    ensure(can_view_proposal(current_user, proposal))
    tracked = tracked_commitments(proposal)
    follow_up_tasks = sorted(tracked.values(), key=lambda task: task.sort_key)
    can_manage = can_manage_proposals(current_user)
    commitments = []
    for commitment in proposal.commitments or []:
        due = date_from_hint(commitment.get("due_hint"), (proposal.reply_on or today()).year)
        commitments.append({"text": commitment.get("text", ""), "due_hint": commitment.get("due_hint"),
                            "due_on": due, "task": tracked.get(commitment.get("text", "").strip())})
    audit_trail = describe(db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == Proposal.__tablename__, AuditEvent.object_id == proposal.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())))
    return render_template("proposals/detail.html", proposal=proposal, commitments=commitments,
                           follow_up_tasks=follow_up_tasks, reports=report_status(follow_up_tasks, today()),
                           lead_units=_lead_unit_menu(proposal) if can_manage else None, today=today(),
                           can_manage=can_manage, involvement=proposal_involvement(current_user, proposal),
                           audit_trail=audit_trail,
                           commitment_form=CommitmentForm(formdata=None), receipt_form=ReceiptForm(formdata=None),
                           signed_reply_form=SignedReplyForm(formdata=None),
                           signed_letter=_signed_reply.signed_letter(proposal), ladder=proposal_ladder(proposal),
                           can_upload_signed_letter=_signed_reply.can_upload_signed_letter(current_user, proposal),
                           signed_letter_types=_signed_reply.signed_letter_extensions(upload_limits()["allowed_extensions"]),
                           own_receipt=next((r for r in proposal.receipts if r.pending and current_user.role == Role.unit
                                             and r.unit_id == current_user.unit_id), None))


def _proposal_form(proposal: Proposal | None) -> ProposalForm:
    form = ProposalForm(obj=proposal)
    units = _units()
    form.main_unit_id.choices = [("", "—")] + [(unit.id, unit.short_name) for unit in units]
    form.co_unit_ids.choices = [(unit.id, unit.short_name) for unit in units]
    form.state.choices = [(state.value, str(STATE_LABELS[state])) for state in ProposalState]
    form.result_category.choices = [("", "—")] + [(value, value) for value in result_categories()]
    form.publicity.choices = [("", "—")] + [(value, value) for value in publicity_choices()]
    form.feedback.choices = [("", "—")] + [(value, value) for value in FEEDBACK_CHOICES]
    if request.method == "GET" and proposal is not None:
        form.co_unit_ids.data = [unit.id for unit in proposal.co_units]
        form.state.data, form.version.data = proposal.state.value, proposal.version
        for name, choices in (("result_category", result_categories()), ("publicity", publicity_choices())):
            value = getattr(proposal, name)
            if value and value not in choices:  # a value from before the list was changed stays visible
                getattr(form, name).choices.append((value, value))
    return form


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@require(can_manage_proposals)
def edit(proposal_id: int | None = None):
    proposal = get_or_404(Proposal, proposal_id) if proposal_id else None
    form = _proposal_form(proposal)
    if form.validate_on_submit():
        saved, error = run_service(
            save_proposal, current_user, proposal, meeting=form.meeting.data, number=form.number.data,
            title=form.title.data, proposers=form.proposers.data or "", main_unit_id=form.main_unit_id.data,
            co_unit_ids=form.co_unit_ids.data or [], assigned_on=form.assigned_on.data,
            reply_due_on=form.reply_due_on.data, state=form.state.data,
            reply_doc_number=form.reply_doc_number.data or "", reply_on=form.reply_on.data,
            result_category=form.result_category.data or "", publicity=form.publicity.data or "",
            contact_name=form.contact_name.data or "", contact_phone=form.contact_phone.data or "",
            contact_address=form.contact_address.data or "", postal_code=form.postal_code.data or "",
            reply_text=form.reply_text.data or "", feedback=form.feedback.data or "",
            expected_version=expected_version(form.version.data), kind=form.kind.data or None)
        if error is None:
            flash(_("提案已保存。"), "success")
            return redirect(url_for("proposals.detail", proposal_id=saved.id))
        if getattr(error, "current", None):
            return render_template("proposals/form.html", form=form, proposal=proposal, conflict=error.current), 409
        return render_template("proposals/form.html", form=form, proposal=proposal), 400
    status = 400 if request.method == "POST" else 200
    return render_template("proposals/form.html", form=form, proposal=proposal), status


@bp.post("/<int:proposal_id>/commitments")
@require(can_manage_proposals)
def track_commitment(proposal_id: int):
    proposal = get_or_404(Proposal, proposal_id)
    form = CommitmentForm()
    form.lead_unit_id.choices = [("", "—")] + [(unit.id, unit.short_name) for unit in _units()]
    return _step(proposal_id, "commitments", form,
                 lambda: commitment_to_task(current_user, proposal, form.text.data, lead_unit_id=form.lead_unit_id.data,
                                            due_on=form.due_on.data, today=today(), title=form.title.data or None),
                 lambda task: _("已转为跟踪任务：%(task)s（牵头单位：%(unit)s，完成时限：%(due)s）。", task=task.label,
                                unit=task.lead_unit.short_name, due=task.due_on.isoformat()))



@bp.post("/<int:proposal_id>/receipt")
@login_required
def receipt(proposal_id: int):
    """签收 or 退回 by the user's unit; the service decides who may (403 otherwise)."""
    proposal = get_or_404(Proposal, proposal_id)
    ensure(can_view_proposal(current_user, proposal))
    form = ReceiptForm()
    step = "sign" if "sign" in request.form else "return" if "return" in request.form else ""
    return _step(proposal_id, "receipts", form,
                 lambda: act_on_receipt(current_user, proposal, step=step, reason=form.reason.data or "",
                                        today=today(), now=utcnow()),
                 _("已签收。") if step == "sign" else _("已退回，交办机构将重新交办。"))


@bp.get("/<int:proposal_id>/reply.docx")
@login_required
def reply_docx(proposal_id: int):
    """The 答复函 drafted from the item (for the units on it, coordinators and leaders)."""
    proposal = get_or_404(Proposal, proposal_id)
    ensure(can_view_proposal(current_user, proposal))
    return send_file(io.BytesIO(reply_letter(proposal, today=today())), as_attachment=True,
                     download_name=reply_letter_filename(proposal, today()),
                     mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@bp.post("/<int:proposal_id>/signed-reply")
@login_required
def upload_signed_reply(proposal_id: int):
    """The signed and sealed 答复函 uploaded by the 主办 unit or a coordinator (the service decides: 403)."""
    proposal = get_or_404(Proposal, proposal_id)
    ensure(can_view_proposal(current_user, proposal))
    store = evidence_store()
    return _step(proposal_id, "signed-reply", SignedReplyForm(),
                 lambda: _signed_reply.upload_signed_letter(current_user, proposal, incoming_files("signed_reply"),
                                                            store=store, **upload_limits()),
                 lambda letter: _("已上传盖章答复函“%(name)s”。", name=letter.original_name), on_failure=store.discard_saved)


@bp.get("/<int:proposal_id>/signed-reply")
@login_required
def signed_reply(proposal_id: int):
    """The 盖章答复函 for everyone who sees the item; 404 before any upload."""
    proposal = get_or_404(Proposal, proposal_id)
    ensure(_signed_reply.can_download_signed_letter(current_user, proposal))
    letter = _signed_reply.signed_letter(proposal)
    if letter is None:
        abort(404)
    return send_evidence(letter)


@rating_bp.route("/rate/<token>", methods=["GET", "POST"])
def rate_reply(token: str):
    """The proposer's own rating page (提案人评价), opened from a personal link; no login. Staff users never
    rate in the proposer's place (403)."""
    if current_user.is_authenticated:
        abort(403)
    form = RatingForm()
    if request.method == "POST" and form.validate_on_submit():
        _link, error = run_service(rate, current_user, token, form.rating.data or "", now=utcnow(), today=today())
        if error is None:
            flash(_("感谢您的评价，已记录。"), "success")
            return redirect(url_for("rating.rate_reply", token=token, done=1))
        return render_template("proposals/rate.html", form=form, link=None, error=None, done=False), 400
    if request.method == "POST":
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "danger")
        return render_template("proposals/rate.html", form=form, link=None, error=None, done=False), 400
    if request.args.get("done") == "1":
        return render_template("proposals/rate.html", form=form, link=None, error=None, done=True)
    try:
        link = rating_link(token, now=utcnow())
    except ValidationFailed as error:
        return render_template("proposals/rate.html", form=form, link=None, error=str(error), done=False), 404
    return render_template("proposals/rate.html", form=form, link=link, error=None, done=False, ratings=RATINGS)


@bp.post("/<int:proposal_id>/rating-links")
@require(can_manage_proposals)
def rating_links(proposal_id: int):
    """Personal rating links for every proposer of an answered item, shown once to the coordinator to send."""
    proposal = get_or_404(Proposal, proposal_id)  # the token is checked by CSRFProtect before the view
    return _step(proposal_id, "", None, lambda: issue_rating_links(current_user, proposal, now=utcnow()),
                 _rating_link_messages)


@bp.post("/<int:proposal_id>/assign")
@require(can_manage_proposals)
def assign_units(proposal_id: int):
    """交办 today to the item's 主办 and 协办 units (set on the edit form): each gets its receipt to sign."""
    proposal = get_or_404(Proposal, proposal_id)  # the token is checked by CSRFProtect before the view
    return _step(proposal_id, "receipts", None,
                 lambda: assign(current_user, proposal, today=today(), main_unit_id=proposal.main_unit_id,
                                co_unit_ids=[unit.id for unit in proposal.co_units]),
                 lambda receipts: _("已交办，各承办单位须在%(day)s前签收或退回。",
                                    day=receipts[0].sign_due_on.isoformat()))


# ---------------------------------------------------------------------------------------------------------
# Entry (c3): proposers and points, 交办 to 主办+协办 or 分办, 并案, list import (tracker.proposals.entry,
# tracker.proposals.importing)
# ---------------------------------------------------------------------------------------------------------



MIN_PEOPLE_ROWS = 3


@bp.app_context_processor
def entry_helpers():
    return {"entry_words": entry_rules.words, "proposal_merged_into": entry_rules.merged_into,
            "proposal_merged_items": entry_rules.merged_items,
            "proposal_merge_candidates": entry_rules.merge_candidates}


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(str(message), "danger")


def _back(proposal_id: int, anchor: str = ""):
    return redirect(url_for("proposals.detail", proposal_id=proposal_id, _anchor=anchor or None))


def _step(proposal_id: int, anchor: str, form, run: Callable[[], Any], done: str | Callable[[Any], Any],
          on_failure: Callable[[], None] | None = None):
    """One handling step posted from a section of the item page: the form checked (its errors flashed),
    ``run`` (the service call) committed by ``run_service`` (a refusal flashed with nothing written, a
    permission refusal a 403), then ``done`` flashed: a message, or made from the service's result (one
    message or several), and back to the section (``anchor``)."""
    if form is not None and not form.validate_on_submit():
        _flash_errors(form)
        return _back(proposal_id, anchor)
    result, error = run_service(run, on_failure=on_failure)
    if error is None:
        messages = done(result) if callable(done) else done
        for message in [messages] if isinstance(messages, str) else messages:
            flash(message, "success")
    return _back(proposal_id, anchor)


def _rating_link_messages(links) -> list[str]:
    return [_("%(name)s的评价链接（仅显示一次，请发送给本人）：%(url)s", name=name,
              url=url_for("rating.rate_reply", token=token, _external=True)) for name, token in links]


def _posted_people() -> list[dict]:
    names, groups, contacts = ([clean_text(value) for value in request.form.getlist(key)]
                               for key in ("name", "group", "contact"))  # control characters gone, as in forms
    count = max(len(names), len(groups), len(contacts))
    pad = lambda values: values + [""] * (count - len(values))  # noqa: E731
    return [{"name": n, "group": g, "contact": c} for n, g, c in zip(pad(names), pad(groups), pad(contacts))][:200]


@bp.route("/<int:proposal_id>/people", methods=["GET", "POST"])
@require(can_manage_proposals)
def entry_people(proposal_id: int):
    """登记提案人和要点: the proposers as people (委员/代表, 界别/代表团, contact) and the points, one a line."""
    proposal = get_or_404(Proposal, proposal_id)
    form = PeopleForm()
    status = 200
    if request.method == "POST":
        people = _posted_people()
        if form.validate_on_submit():
            _done, error = run_service(entry_rules.save_people_and_points, current_user, proposal, people,
                                       form.points.data or "")
            if error is None:
                flash(_("已保存%(people)s和要点。", people=entry_rules.words(proposal.kind)["person"]), "success")
                return redirect(url_for("proposals.detail", proposal_id=proposal_id))
        else:
            _flash_errors(form)
        status = 400
        proposal = get_or_404(Proposal, proposal_id)
    else:
        people = [{"name": p.name, "group": p.group, "contact": p.contact} for p in proposal.people]
        form.points.data = "\n".join(proposal.points or [])
    extra = request.args.get("rows", "")
    rows = max(len(people) + 1, MIN_PEOPLE_ROWS, min(int(extra), 50) if extra.isdigit() else 0)
    people = people + [{"name": "", "group": "", "contact": ""}] * (rows - len(people))
    return render_template("proposals/_entry_people.html", proposal=proposal, form=form, people=people,
                           more_rows=rows + 2), status


@bp.route("/<int:proposal_id>/assignment", methods=["GET", "POST"])
@require(can_manage_proposals)
def entry_assign(proposal_id: int):
    """交办: to one 主办 with 协办 units, or 分办 to several units that each answer; each unit signs (签收)."""
    proposal = get_or_404(Proposal, proposal_id)
    form = AssignForm()
    units = _units()
    form.main_unit_id.choices = [("", "—")] + [(unit.id, unit.short_name) for unit in units]
    form.co_unit_ids.choices = form.split_unit_ids.choices = [(unit.id, unit.short_name) for unit in units]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            receipts, error = run_service(
                entry_rules.assign_item, current_user, proposal, mode=form.mode.data, today=today(),
                main_unit_id=form.main_unit_id.data, co_unit_ids=form.co_unit_ids.data or [],
                split_unit_ids=form.split_unit_ids.data or [])
            if error is None:
                flash(_("已交办，各承办单位须在%(day)s前签收或退回。", day=receipts[0].sign_due_on.isoformat()),
                      "success")
                return redirect(url_for("proposals.detail", proposal_id=proposal_id, _anchor="receipts"))
        else:
            _flash_errors(form)
        status = 400
        proposal = get_or_404(Proposal, proposal_id)
    else:
        form.main_unit_id.data = proposal.main_unit_id
        form.co_unit_ids.data = [unit.id for unit in proposal.co_units]
    return render_template("proposals/_entry_assign.html", proposal=proposal, form=form), status


@bp.post("/<int:proposal_id>/merge")
@require(can_manage_proposals)
def entry_merge(proposal_id: int):
    """并案: other items on the same subject join this one; their proposers are still each answered."""
    proposal = get_or_404(Proposal, proposal_id)
    form = MergeForm()
    form.proposal_ids.choices = [(p.id, p.label) for p in entry_rules.merge_candidates(proposal)]
    if not form.validate_on_submit():
        flash(_("所选的件不能并案（须为同一类别、尚未答复、未并案且没有单位签收或退回）。")
              if form.proposal_ids.errors else _("请求无效，请刷新页面后重试。"), "danger")
        return redirect(url_for("proposals.detail", proposal_id=proposal_id, _anchor="merge"))
    merged, error = run_service(entry_rules.merge, current_user, proposal, form.proposal_ids.data or [],
                                now=utcnow())
    if error is None:
        flash(_("已并案：%(items)s并入本件办理。", items="、".join(item.label for item in merged)), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal_id, _anchor="merge"))


@bp.post("/<int:proposal_id>/merged-replies")
@require(can_manage_proposals)
def entry_answer_merged(proposal_id: int):
    """The reply of this item goes to each merged item; every proposer gets a personal rating link (shown once)."""
    proposal = get_or_404(Proposal, proposal_id)  # the token is checked by CSRFProtect before the view
    return _step(proposal_id, "merge", None, lambda: entry_rules.answer_merged(current_user, proposal, now=utcnow()),
                 lambda links: [_("已答复并入的各件。")] + _rating_link_messages(links))


@bp.route("/import", methods=["GET", "POST"])
@require(can_manage_proposals)
def list_import():
    """清单导入: the list of items (.xlsx) → items assigned to their units; per-row results on the page."""
    from tracker.proposals.importing import import_list

    form = ListImportForm()
    if request.method == "GET":
        return render_template("proposals/_entry_import.html", form=form, results=session.pop("proposal_import", None))
    storage = form.document.data
    if not form.validate_on_submit() or storage is None or not getattr(storage, "filename", ""):
        _flash_errors(form)
        flash(_("请选择填好的交办清单（.xlsx）。"), "danger")
        return render_template("proposals/_entry_import.html", form=form, results=None), 400
    valid_only = bool(form.valid_rows_only.data)
    result, error = run_service(import_list, current_user, storage.read(), meeting=form.meeting.data or "",
                                kind=form.kind.data, today=today(), valid_rows_only=valid_only)
    if error is not None:
        return render_template("proposals/_entry_import.html", form=form, results=None), 400
    session["proposal_import"] = {
        "written": result.written, "refused": len(result.refused), "valid_rows_only": valid_only,
        "rows": [{"row": r.row, "label": r.label, "title": r.title, "accepted": r.accepted, "message": r.message}
                 for r in result.rows[:200]]}
    if result.refused and not valid_only:
        flash(_("有%(n)d行未通过检查，本次未导入任何一件。请改正后重新上传，或勾选“只导入有效的行”。",
                n=len(result.refused)), "danger")
    else:
        flash(_("已导入%(n)d件并交办。", n=result.written), "success")
    return redirect(url_for("proposals.list_import"))


@bp.get("/import/template.xlsx")
@require(can_manage_proposals)
def list_import_template():
    from tracker.proposals.importing import template_xlsx
    from tracker.reports.exports import XLSX_MIMETYPE

    return Response(template_xlsx(), mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": "attachment; filename=proposal-list.xlsx; "
                               "filename*=UTF-8''%E4%BA%A4%E5%8A%9E%E6%B8%85%E5%8D%95.xlsx"})




# ---------------------------------------------------------------------------------------------------------
# c2: 沟通协商 (contacts), 承诺事项 (promises, 再次答复) and the statistics (办理情况统计)
# ---------------------------------------------------------------------------------------------------------



def _contact_form(proposal: Proposal, formdata=None) -> ContactForm:
    form = ContactForm(formdata=formdata) if formdata is not None else ContactForm(formdata=None)
    form.way.choices = [(way, str(contact_rules.WAY_LABELS[way])) for way in contact_rules.CONTACT_WAYS]
    form.stage.choices = [(stage.value, str(contact_rules.STAGE_LABELS[stage])) for stage in ContactStage]
    form.proposer_names.choices = [(person.name, person.name) for person in proposal.people]
    return form


def _c2_panels(proposal: Proposal) -> dict:
    """What the item page's 沟通协商 and 承诺事项 sections show (templates/proposals/_contacts.html)."""
    contacts, promises = contact_rules.contacts_of(proposal), promise_rules.promises_of(proposal)
    return {"contacts": contacts, "pre": contact_rules.pre_consultation(proposal, contacts, today()),
            "can_record": contact_rules.can_record_contact(current_user, proposal),
            "contact_form": _contact_form(proposal), "stage_labels": contact_rules.STAGE_LABELS,
            "way_labels": contact_rules.WAY_LABELS, "pre_days": contact_rules.pre_consult_working_days(),
            "promises": promises, "class_label": promise_rules.class_label(proposal),
            "promise_tasks": promise_rules.promise_tasks(proposal, promises),
            "carries_promises": promise_rules.carries_promises(proposal),
            "can_promise": promise_rules.can_handle_promises(current_user, proposal),
            "promise_state_labels": promise_rules.PROMISE_STATE_LABELS,
            "promise_form": PromiseForm(formdata=None), "answer_form": PromiseAnswerForm(formdata=None)}


@bp.app_context_processor
def _c2_helpers():
    return {"proposal_c2_panels": _c2_panels}


@bp.post("/<int:proposal_id>/contacts")
@login_required
def record_contact(proposal_id: int):
    """A contact with the proposers, by a unit handling the item (or a coordinator); others get 403."""
    proposal = get_or_404(Proposal, proposal_id)
    ensure(contact_rules.can_record_contact(current_user, proposal))
    form = _contact_form(proposal, request.form)
    return _step(proposal_id, "contacts", form,
                 lambda: contact_rules.record_contact(
                     current_user, proposal, contact_on=form.contact_on.data, way=form.way.data, stage=form.stage.data,
                     proposer_names=form.proposer_names.data or [], unit_people=form.unit_people.data,
                     agreed=form.agreed.data, today=today()),
                 _("沟通情况已登记。"))


@bp.post("/<int:proposal_id>/promises")
@login_required
def add_promise(proposal_id: int):
    """A promise of a B/C reply, by the 主办 unit or a coordinator."""
    proposal = get_or_404(Proposal, proposal_id)
    ensure(promise_rules.can_handle_promises(current_user, proposal))
    form = PromiseForm()
    return _step(proposal_id, "promises", form,
                 lambda: promise_rules.add_promise(current_user, proposal, text=form.text.data, due_on=form.due_on.data,
                                                   today=today()),
                 _("承诺事项已登记。"))


@bp.post("/<int:proposal_id>/promises/derive")
@login_required
def derive_promises(proposal_id: int):
    """Promises from the commitments the reply importer extracted."""
    proposal = get_or_404(Proposal, proposal_id)  # the token is checked by CSRFProtect before the view
    ensure(promise_rules.can_handle_promises(current_user, proposal))
    return _step(proposal_id, "promises", None,
                 lambda: promise_rules.derive_promises(current_user, proposal, today=today()),
                 lambda created: _("已由答复中的承诺生成%(count)d项承诺事项。", count=len(created)))


@bp.post("/<int:proposal_id>/promises/<int:promise_id>/answer")
@login_required
def answer_promise(proposal_id: int, promise_id: int):
    """办结后再次答复, by the 主办 unit or a coordinator; it closes the promise."""
    proposal = get_or_404(Proposal, proposal_id)
    promise = get_or_404(ProposalPromise, promise_id)
    if promise.proposal_id != proposal.id:
        abort(404)
    ensure(promise_rules.can_handle_promises(current_user, proposal))
    form = PromiseAnswerForm()
    return _step(proposal_id, "promises", form,
                 lambda: promise_rules.answer_promise(current_user, proposal, promise, text=form.text.data,
                                                      answered_on=form.answered_on.data,
                                                      answered_by=form.answered_by.data, today=today()),
                 _("再次答复已登记，该承诺事项已兑现。"))


@bp.get("/statistics")
@require(can_read_everything)
def statistics_page():
    """办理情况统计 per session and per 主办 unit, for each kind, with the definitions. A city's per-unit
    tables (hundreds of units) are folded past their first rows (?units=all shows them whole; the Excel
    file always has every row): 700 rows cost the page ~100 ms of rendering (issue 24)."""
    shown = None if request.args.get("units") == "all" else STATISTICS_UNITS_SHOWN
    return render_template("proposals/statistics.html", tables=statistics(), classes=CLASSES,
                           definitions=DEFINITIONS, percent=percent, today=today(), units_shown=shown)


@bp.get("/statistics.xlsx")
@require(can_read_everything)
def statistics_download():
    day = today()
    return send_file(io.BytesIO(statistics_xlsx(statistics(), day)), as_attachment=True,
                     download_name=f"建议提案办理情况统计_{day.isoformat()}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# ---------------------------------------------------------------------------------------------------------
# Part c1: 协办意见 and 会签, the clock (延期, deadlines due soon and overdue), 重点提案
# (tracker.proposals.cosign, clock, key_items; templates/proposals/_cosign.html, _clock.html, _key.html)
# ---------------------------------------------------------------------------------------------------------



@bp.app_template_global("proposal_handling_c1")
def proposal_handling_c1(proposal: Proposal) -> dict:
    """What the item page's sections of part c1 show to the current user (协办意见/会签, 时限, 重点提案)."""
    reads_all = _permissions.can_read_everything(current_user)
    key = _key_items.key_item(proposal)
    is_main = (current_user.is_authenticated and current_user.role == Role.unit
               and current_user.unit_id == proposal.main_unit_id)
    return {
        "cosign": _cosign.section(current_user, proposal, can_read_all=reads_all),
        "extensions": _clock.extensions(proposal) if _clock.can_view_extensions(current_user, proposal) else [],
        "pending_extension": _clock.pending_extension(proposal),
        "can_request_extension": is_main and proposal.state in OPEN_STATES and proposal.assigned_on is not None,
        "latest_reply_due_on": _clock.latest_reply_due_on(proposal),
        "can_decide": _permissions.is_manager(current_user),
        "extension_labels": _clock.EXTENSION_LABELS,
        "key": key, "notes": _key_items.notes_for(current_user, proposal, key),
        "leaders": _key_items.leaders() if _permissions.is_manager(current_user) else [],
        "is_key_leader": key is not None and current_user.is_authenticated and current_user.id == key.leader_id,
    }


@bp.post("/<int:proposal_id>/co-opinion")
@login_required
def co_opinion(proposal_id: int):
    """协办意见: a 协办 unit's written opinion to the 主办 (the service decides who may: 403 otherwise)."""
    proposal = get_or_404(Proposal, proposal_id)
    ensure(can_view_proposal(current_user, proposal))
    form = CoOpinionForm()
    return _step(proposal_id, "cosign", form,
                 lambda: _cosign.send_opinion(current_user, proposal, form.text.data, now=utcnow()),
                 _("协办意见已送主办单位。"))


@bp.post("/<int:proposal_id>/cosign-draft")
@login_required
def cosign_draft(proposal_id: int):
    """The 主办 sends its draft reply to the signed 协办 units for 会签."""
    proposal = get_or_404(Proposal, proposal_id)
    ensure(can_view_proposal(current_user, proposal))
    form = CosignDraftForm()
    return _step(proposal_id, "cosign", form,
                 lambda: _cosign.send_draft(current_user, proposal, form.text.data, today=today(), now=utcnow()),
                 lambda draft: _("答复稿已送协办单位会签，会签期限%(day)s。", day=draft.due_on.isoformat()))


@bp.post("/<int:proposal_id>/cosign")
@login_required
def cosign_reply(proposal_id: int):
    """会签 of the latest draft by the user's 协办 unit: agree, or disagree with a reason."""
    proposal = get_or_404(Proposal, proposal_id)
    ensure(can_view_proposal(current_user, proposal))
    form = CosignForm()
    return _step(proposal_id, "cosign", form,
                 lambda: _cosign.cosign(current_user, proposal, agreed=form.decision.data == "agree",
                                        reason=form.reason.data or "", now=utcnow()),
                 _("已会签。"))


@bp.post("/<int:proposal_id>/extension")
@login_required
def request_reply_extension(proposal_id: int):
    """延期申请 by the 主办, with a reason."""
    proposal = get_or_404(Proposal, proposal_id)
    ensure(can_view_proposal(current_user, proposal))
    form = ExtensionRequestForm()
    return _step(proposal_id, "clock", form,
                 lambda: _clock.request_extension(current_user, proposal, requested_due_on=form.requested_due_on.data,
                                                  reason=form.reason.data or "", now=utcnow()),
                 _("延期申请已提交，等待交办机构审批。"))


@bp.post("/extensions/<int:extension_id>/decide")
@require(_permissions.is_manager)
def decide_reply_extension(extension_id: int):
    """A coordinator approves or refuses a 延期申请."""
    extension = get_or_404(ReplyExtension, extension_id)
    form = ExtensionDecisionForm()
    approve = form.decision.data == "approve"
    return _step(extension.proposal_id, "clock", form,
                 lambda: _clock.decide_extension(current_user, extension, approve=approve, note=form.note.data or "",
                                                 now=utcnow()),
                 _("已批准延期。") if approve else _("已不予批准延期。"))


@bp.post("/<int:proposal_id>/key")
@require(_permissions.is_manager)
def key_item(proposal_id: int):
    """重点提案: mark the item key with its supervising leader, name another leader, or unmark it."""
    proposal = get_or_404(Proposal, proposal_id)
    form = KeyItemForm()
    form.leader_id.choices = [("", "—")] + [(user.id, user.display_name) for user in _key_items.leaders()]
    if "unmark" in request.form:
        return _step(proposal_id, "key", form, lambda: _key_items.unmark_key(current_user, proposal),
                     _("已取消重点提案。"))
    return _step(proposal_id, "key", form,
                 lambda: _key_items.mark_key(current_user, proposal, leader_id=form.leader_id.data, now=utcnow()),
                 lambda key: _("已确定为重点提案，督办领导：%(name)s。", name=key.leader.display_name))


@bp.post("/<int:proposal_id>/supervision-note")
@login_required
def supervision_note(proposal_id: int):
    """督办意见 by the key item's supervising leader."""
    proposal = get_or_404(Proposal, proposal_id)
    ensure(can_view_proposal(current_user, proposal))
    form = SupervisionNoteForm()
    return _step(proposal_id, "key", form,
                 lambda: _key_items.add_note(current_user, proposal, form.text.data, now=utcnow()),
                 _("督办意见已记录。"))


@bp.get("/deadlines")
@login_required
def deadlines_page():
    """办理时限: the deadlines (答复, 协办意见, 会签) due soon and overdue that the user follows; for
    coordinators also the 延期申请 to decide, for leaders their 重点提案."""
    day = today()
    ensure(current_user.role == Role.unit or _permissions.can_read_everything(current_user))
    show = request.args.get("show", "")  # one part only (the 工作台's links): overdue, soon, extensions, key
    show = show if show in ("overdue", "soon", "extensions", "key") else ""
    rows = _clock.rows_for(current_user, day) if show in ("", "overdue", "soon") else []
    key_items = list(db.session.scalars(_key_items.leader_key_items(current_user.id, open_only=bool(show)))) \
        if current_user.role == Role.leader and show in ("", "key") else []
    pending = _clock.pending_extensions() if _permissions.is_manager(current_user) and show in ("", "extensions") \
        else []
    # 50 a page each (a city's coordinator follows hundreds): ?overdue_page=, ?soon_page=
    overdue = page_of([r for r in rows if r.overdue] if show != "soon" else [], param="overdue_page")
    soon = page_of([r for r in rows if not r.overdue] if show != "overdue" else [], param="soon_page")
    return render_template("proposals/deadlines.html", show=show, today=day, pending=pending, key_items=key_items,
                           overdue=overdue.items, soon=soon.items, overdue_page=overdue, soon_page=soon)
