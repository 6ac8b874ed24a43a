"""The 督办 loop's audit events as sentences (操作留痕), registered in tracker.audit.sentences."""
from __future__ import annotations

from flask_babel import gettext as _

from tracker.audit.sentences import Event, Names, Said, sentence
from tracker.common.labels import label


def _role(event: Event) -> str:
    return label(event.changes.get("role") or "lead")


def _unit(event: Event) -> str:
    return event.changes.get("unit") or ""


@sentence("receipt.assigned")
def _assigned(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 将任务交办给 %(unit)s（%(role)s），签收时限 %(sign_by)s", actor=event.actor,
                  unit=_unit(event), role=_role(event), sign_by=event.changes.get("sign_by") or "—"))


@sentence("receipt.signed")
def _signed(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 代表 %(unit)s 签收了任务（%(role)s）", actor=event.actor, unit=_unit(event),
                  role=_role(event)))


@sentence("receipt.refused")
def _refused(event: Event, names: Names) -> Said:
    suggested = event.changes.get("suggested_unit")
    note = _("退回理由：%(reason)s", reason=event.changes.get("reason") or "")
    if suggested:
        note += " " + _("建议责任单位：%(unit)s", unit=suggested)
    return Said(_("%(actor)s 代表 %(unit)s 退回了交办", actor=event.actor, unit=_unit(event)), note=note)


@sentence("receipt.withdrawn")
def _withdrawn(event: Event, names: Names) -> Said:
    return Said(_("%(unit)s 不再承担该任务（%(role)s），其签收记录作废", unit=_unit(event), role=_role(event)))


@sentence("task.reassigned")
def _reassigned(event: Event, names: Names) -> Said:
    before, after = (event.changes.get("lead_unit") or ["", ""])[:2]
    if before == after:
        return Said(_("%(actor)s 将任务重新交办给 %(unit)s", actor=event.actor, unit=after))
    return Said(_("%(actor)s 将任务改由 %(after)s 牵头（原牵头单位 %(before)s）", actor=event.actor, after=after,
                  before=before))


@sentence("extension.requested")
def _extension_requested(event: Event, names: Names) -> Said:
    before, after = (event.changes.get("due_on") or ["—", "—"])[:2]
    text = _("%(actor)s 申请将完成时限由 %(before)s 延至 %(after)s", actor=event.actor, before=before or "—",
             after=after)
    if event.changes.get("late"):
        text += _("（逾期后申请）")
    return Said(text, note=_("延期理由：%(reason)s", reason=event.summary))


@sentence("extension.approved")
def _extension_approved(event: Event, names: Names) -> Said:
    after = (event.changes.get("due_on") or ["", ""])[1]
    return Said(_("%(actor)s 批准了延期申请，完成时限调整为 %(after)s", actor=event.actor, after=after),
                note=_("审批意见：%(comment)s", comment=event.summary) if event.summary else "")


@sentence("extension.rejected")
def _extension_rejected(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 不予批准延期申请", actor=event.actor),
                note=_("理由：%(reason)s", reason=event.summary) if event.summary else "")


@sentence("task.due_date_extended")
def _due_date_extended(event: Event, names: Names) -> Said:
    return Said(_("经批准延期，完成时限调整"), details=event.changed())


@sentence("closure.requested")
def _closure_requested(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 提交了办结申请", actor=event.actor), note=_("办结报告：%(summary)s", summary=event.summary))


@sentence("closure.verified")
def _closure_verified(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 核查了办结申请，予以销号", actor=event.actor),
                note=_("核查意见：%(comment)s", comment=event.summary) if event.summary else "")


@sentence("closure.returned")
def _closure_returned(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 退回了办结申请", actor=event.actor), note=_("理由：%(reason)s", reason=event.summary))


@sentence("task.closed")
def _closed(event: Event, names: Names) -> Said:
    return Said(_("任务办结销号"), details=event.changed())


@sentence("task.reopened")
def _reopened(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 重新打开了任务", actor=event.actor),
                note=_("理由：%(reason)s", reason=event.changes.get("reason") or event.summary))


@sentence("ladder.reached")
def _ladder(event: Event, names: Names) -> Said:
    from tracker.supervision.ladder import LEVEL_LABELS

    level = event.changes.get("level") or 0
    text = _("任务进入第%(level)s级督办（%(label)s）：逾期%(days)s个工作日", level=level,
             label=LEVEL_LABELS.get(level, ""), days=event.changes.get("overdue_days", "—"))
    if event.changes.get("kind") == "report":
        text = _("报送逾期，任务进入第%(level)s级督办（%(label)s）：逾期%(days)s个工作日", level=level,
                 label=LEVEL_LABELS.get(level, ""), days=event.changes.get("overdue_days", "—"))
    details = []
    if event.changes.get("reason") == "no_reply":
        details.append(_("上一级督办文书逾期未反馈"))
    if event.changes.get("document"):
        details.append(_("发出 %(number)s", number=event.changes["document"]))
    elif event.changes.get("proposed"):
        details.append(_("督办文书待印发"))
    return Said(text, details=details)


@sentence("document.replied")
def _replied(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 反馈了 %(number)s", actor=event.actor, number=event.changes.get("number") or ""),
                note=event.summary)


@sentence("document.issued")
def _document_issued(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 印发了%(kind)s %(number)s", actor=event.actor, kind=label(event.changes.get("kind") or ""),
                  number=event.changes.get("number") or ""))


@sentence("document.voided")
def _document_voided(event: Event, names: Names) -> Said:
    number = event.changes.get("number") or _("待印发的文书")
    return Said(_("%(actor)s 作废了 %(number)s，该文号不再使用", actor=event.actor, number=number),
                note=_("理由：%(reason)s", reason=event.changes.get("reason") or event.summary))


@sentence("proposal.ladder_reached")
def _proposal_ladder(event: Event, names: Names) -> Said:
    from tracker.supervision.ladder import LEVEL_LABELS

    level = event.changes.get("level") or 0
    text = _("%(unit)s答复逾期%(days)s个工作日，进入第%(level)s级督办（%(label)s）", unit=event.changes.get("unit") or "",
             days=event.changes.get("overdue_days", "—"), level=level, label=LEVEL_LABELS.get(level, ""))
    details = [_("答复期限 %(day)s", day=event.changes.get("due_on") or "—")]
    if event.changes.get("document"):
        details.append(_("发出 %(number)s", number=event.changes["document"]))
    return Said(text, details=details)


@sentence("proposal.document_voided")
def _proposal_document_voided(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 作废了 %(number)s，该文号不再使用", actor=event.actor,
                  number=event.changes.get("number") or _("待印发的文书")),
                note=_("理由：%(reason)s", reason=event.changes.get("reason") or event.summary))


@sentence("interview.recorded")
def _interview(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 记录了约谈（%(day)s）", actor=event.actor, day=event.changes.get("held_on") or "—"),
                note=_("议定事项：%(agreed)s", agreed=event.summary))


@sentence("reminders.ladder")
def _ladder_settings(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 修改了方案“%(title)s”的督办规则", actor=event.actor, title=event.summary))
