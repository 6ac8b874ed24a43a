"""督查通报 and 考评 rules: draft a month's bulletin from the figures, edit it, issue it with a number;
set a plan's scoring weights. Services take the actor and ``today``; the caller commits."""
from __future__ import annotations

import math
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audit.services import record
from tracker.bulletins.models import BULLETIN_PREFIX, Bulletin, BulletinState
from tracker.bulletins.queries import month_figures
from tracker.reports.models import ScoringRule
from tracker.reports.scoring import DEFAULT_WEIGHTS, WEIGHT_FIELDS, weights_of
from tracker.access import permissions
from tracker.common.clock import utcnow
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.common.races import check_version
from tracker.extensions import db
from tracker.common.official_documents import chinese_month

MAX_BODY = 50_000
MAX_WEIGHT = 100


def _require_manager(actor) -> None:
    if not permissions.is_manager(actor):
        raise PermissionDenied(_("只有督办人员可以办理此事项。"))


def parse_month_key(key: str | None) -> date | None:
    from tracker.reports.queries import parse_month

    return parse_month((key or "").strip())


def _percent(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def default_title(month: date) -> str:
    return _("%(month)s督查通报", month=chinese_month(month))


def default_text(figures: dict, month: date) -> str:
    """The bulletin's text as drafted from the figures; the coordinator edits it before issuing."""
    name = chinese_month(month)
    reporting, levels = figures["reporting"], figures["levels"]
    paragraphs = [_("为推动各项重点任务落地见效，现将%(month)s督查督办情况通报如下。", month=name)]
    line = _("一、进展报送。%(month)s各牵头单位应报送进展%(due)d项，按期报送%(on_time)d项，按期报送率%(rate)s。",
             month=name, due=reporting["due"], on_time=reporting["on_time"], rate=_percent(reporting["rate"]))
    low = [row for row in reporting["units"] if row["rate"] is not None and row["rate"] < 100]
    if low:
        line += _("未全部按期报送的单位：%(units)s。", units="、".join(
            f"{row['unit']}（{_percent(row['rate'])}）" for row in low))
    paragraphs.append(line)
    paragraphs.append(_("二、督办等级。本月提醒%(l1)d项、催办%(l2)d项、督办%(l3)d项、通报%(l4)d项。",
                        l1=levels["1"], l2=levels["2"], l3=levels["3"], l4=levels["4"]))
    if figures["level4"]:
        paragraphs.append(_("以下任务逾期时间长、经催办督办仍未整改到位，予以通报：") + "；".join(
            _("%(task)s（%(unit)s，逾期%(days)d个工作日）", task=row["task"], unit=row["unit"],
              days=row["overdue_days"]) for row in figures["level4"]) + "。")
    else:
        paragraphs.append(_("本月无任务达到通报等级。"))
    if figures.get("proposals") is not None:
        paragraphs.append(proposal_paragraph(figures))
    if figures["returns"]:
        paragraphs.append(_("三、报送质量。本月多次被退回报送的单位：%(units)s。", units="、".join(
            _("%(unit)s（%(n)d次）", unit=row["unit"], n=row["count"]) for row in figures["returns"])))
    else:
        paragraphs.append(_("三、报送质量。本月无单位多次被退回报送。"))
    paragraphs.append(_("四、延期和办结。本月批准延期%(ext)d项，核查销号%(closed)d项（其中按期办结%(on_time)d项）。",
                        ext=len(figures["extensions"]), closed=len(figures["closures"]),
                        on_time=sum(1 for row in figures["closures"] if row["on_time"])))
    paragraphs.append(_("请被通报单位认真分析原因，明确整改措施和完成时限，于5个工作日内书面反馈；各单位要对照问题举一反三，"
                        "确保各项任务按期保质完成。"))
    return "\n\n".join(paragraphs)


def proposal_line(row: dict) -> str:
    """One reply at 通报 level: “区十八届人大六次会议0012号“…”（区人社局主办，答复期限…，逾期15个工作日，已发催办〔2026〕3号、…）”."""
    from tracker.proposals.handling import ROLE_LABELS
    from tracker.proposals.models import ReceiptRole

    line = _("%(meeting)s%(number)s“%(title)s”（%(unit)s%(role)s，答复期限%(due)s，逾期%(days)d个工作日",
             meeting=row["meeting"], number=row["number"], title=row["title"], unit=row["unit"],
             role=ROLE_LABELS[ReceiptRole(row["role"])], due=row["due_on"], days=row["overdue_days"])
    if row["documents"]:
        line += _("，已发%(numbers)s", numbers="、".join(document["number"] for document in row["documents"]))
    return line + "）"


def proposal_paragraph(figures: dict) -> str:
    """The items' sentence of 二、督办等级 (a bulletin drafted before the items were counted has none)."""
    part = figures.get("proposals")
    if part is None:
        return ""
    levels = part["levels"]
    line = _("建议提案答复逾期：本月提醒%(l1)d件、催办%(l2)d件、督办%(l3)d件、通报%(l4)d件。",
             l1=levels["1"], l2=levels["2"], l3=levels["3"], l4=levels["4"])
    if part["level4"]:
        line += _("以下建议提案答复逾期时间长、经催办督办仍未答复，予以通报：") + "；".join(
            proposal_line(row) for row in part["level4"]) + "。"
    else:
        line += _("本月无建议提案答复达到通报等级。")
    return line


def draft_bulletin(actor, *, month_key: str, today: date) -> Bulletin:
    """起草: the month's bulletin drafted from its figures (one bulletin per month)."""
    _require_manager(actor)
    month = parse_month_key(month_key)
    if month is None:
        raise ValidationFailed(_("月份格式不正确，应为年-月，例如 2026-06。"))
    if month > today:
        raise ValidationFailed(_("不能起草尚未开始的月份的通报。"))
    key = month.strftime("%Y-%m")
    if db.session.scalar(select(Bulletin.id).where(Bulletin.month == key)) is not None:
        raise ValidationFailed(_("%(month)s的通报已经起草，请打开它继续编辑。", month=key))
    figures = month_figures(month, today)
    bulletin = Bulletin(month=key, title=default_title(month), body=default_text(figures, month), figures=figures,
                        prefix=BULLETIN_PREFIX, drafted_by_id=actor.id, drafted_at=utcnow())
    db.session.add(bulletin)
    record(actor, "bulletin.drafted", bulletin, changes={"month": key}, summary=bulletin.title)
    return bulletin


def _require_draft(bulletin: Bulletin) -> None:
    if bulletin.state != BulletinState.draft:
        raise ValidationFailed(_("该通报已印发，不能修改。"))


def edit_bulletin(actor, bulletin: Bulletin, *, title: str, body: str, refresh: bool = False, today: date,
                  expected_version: int | None = None) -> Bulletin:
    """修改: the draft's title and text; ``refresh`` counts the figures again from today's data (the text is
    kept as written)."""
    _require_manager(actor)
    check_version(bulletin, expected_version, {"title": bulletin.title, "body": bulletin.body})
    _require_draft(bulletin)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ValidationFailed(_("请填写通报标题和正文。"))
    if len(title) > 200 or len(body) > MAX_BODY:
        raise ValidationFailed(_("通报标题不超过200字，正文不超过50000字。"))
    changes = {}
    if title != bulletin.title:
        changes["title"] = [bulletin.title, title]
    if body != bulletin.body:
        changes["body"] = [len(bulletin.body), len(body)]
    if refresh:
        bulletin.figures = month_figures(parse_month_key(bulletin.month), today)
        changes["figures"] = today.isoformat()
    bulletin.title, bulletin.body = title, body
    bulletin.edited_by_id, bulletin.edited_at = actor.id, utcnow()
    db.session.flush()
    record(actor, "bulletin.edited", bulletin, changes=changes, summary=title)
    return bulletin


def issue_bulletin(actor, bulletin: Bulletin, *, today: date, expected_version: int | None = None) -> Bulletin:
    """印发: the draft gets its number from the register of documents (督查通报, one sequence per year) and is
    read-only from then on; voiding the number in the register puts it back to draft."""
    from tracker.supervision.register import register_bulletin

    _require_manager(actor)
    check_version(bulletin, expected_version, {"state": bulletin.state.value})
    _require_draft(bulletin)
    register_bulletin(actor, bulletin, today=today)
    bulletin.state, bulletin.issued_on = BulletinState.issued, today
    bulletin.issued_by_id, bulletin.issued_at = actor.id, utcnow()
    db.session.flush()
    record(actor, "bulletin.issued", bulletin, changes={"number": bulletin.number, "month": bulletin.month},
           summary=bulletin.title)
    return bulletin


def save_scoring_rule(actor, plan, *, weights: dict[str, float | None], expected_version: int | None = None) -> ScoringRule:
    """考评规则 of a plan: each weight between 0 and 100 points (two decimals)."""
    _require_manager(actor)
    cleaned = {}
    for name in WEIGHT_FIELDS:
        value = weights.get(name)
        if value is None or not math.isfinite(value) or not 0 <= value <= MAX_WEIGHT:
            raise ValidationFailed(_("每项分值须在0至100之间。"))
        cleaned[name] = round(float(value), 2)
    row = db.session.scalar(select(ScoringRule).where(ScoringRule.plan_id == plan.id))
    before = weights_of(plan.id)
    if row is None:
        row = ScoringRule(plan_id=plan.id, **DEFAULT_WEIGHTS)
        db.session.add(row)
    else:
        check_version(row, expected_version, dict(before))
    for name, value in cleaned.items():
        setattr(row, name, value)
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    db.session.flush()
    record(actor, "scoring.saved", row, changes={name: [before[name], cleaned[name]] for name in WEIGHT_FIELDS
                                                 if before[name] != cleaned[name]}, summary=plan.title)
    return row
