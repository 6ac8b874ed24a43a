"""Upload form and the review screen: the review rows are plain named inputs (``task-3-title`` …) read back
into the draft's payload; the services validate the result and explain every problem in one message."""
from __future__ import annotations

import copy

from flask_babel import lazy_gettext as _l
from tracker.common.forms import FlaskForm
from tracker.common.plain_text import clean_text
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import Length

from tracker.imports.models import DraftKind

MAX_FIELD = 20_000


class UploadForm(FlaskForm):
    kind = RadioField(_l("导入类型"), default=DraftKind.plan.value)
    document = FileField(_l("上传文件（.txt、.docx、.xlsx、.pdf）"))
    text = TextAreaField(_l("或粘贴文本"), validators=[Length(max=500_000)])
    submit = SubmitField(_l("解析并预览"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(DraftKind.plan.value, _l("方案（行动方案、工作要点、任务分解）")),
                             (DraftKind.proposal_reply.value, _l("提案答复"))]


class ReviewForm(FlaskForm):
    """CSRF, the draft's version, and the three buttons; the rows are read by the functions below."""

    version = HiddenField()
    save = SubmitField(_l("保存修改"))
    apply = SubmitField(_l("创建"))
    discard = SubmitField(_l("放弃"))


class ProgressUploadForm(FlaskForm):
    document = FileField(_l("填好的进展报送表（.xlsx）"))
    valid_rows_only = BooleanField(_l("只导入有效的行（有问题的行跳过）"))
    submit = SubmitField(_l("上传并报送"))


class ColumnsForm(FlaskForm):
    """列对应: one table's column kinds (``column-0`` … read by ``column_choices``), its header signature."""

    version = HiddenField()
    signature = HiddenField()
    remap = SubmitField(_l("按此重新识别"))


def column_choices(form, width: int) -> list[str]:
    return [_text(form, f"column-{index}")[:20] for index in range(min(width, 200))]


def _text(form, name: str, default: str = "") -> str:
    value = form.get(name)
    return default if value is None else clean_text(str(value)).strip()[:MAX_FIELD]


def _optional_int(value: str):
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def _ticked(form, name: str) -> bool:
    return form.get(name) in ("1", "on", "y", "true")


def _new_units(form, stored: list[dict]) -> list[dict]:
    rows = []
    for index, row in enumerate(stored):
        rows.append({**row, "name": _text(form, f"new-{index}-name", row.get("name", ""))[:120],
                     "short_name": _text(form, f"new-{index}-short_name", row.get("short_name", ""))[:60],
                     "kind": _text(form, f"new-{index}-kind", row.get("kind", "")),
                     "create": _ticked(form, f"new-{index}-create")})
    return rows


def plan_review_payload(form, stored: dict) -> dict:
    """The stored plan payload with the review screen's values (rows cannot be added, only skipped)."""
    payload = copy.deepcopy(stored)
    for field in ("title", "doc_number", "issuer", "issued_on", "period_start", "period_end", "plan_status",
                  "targets_unit"):
        payload[field] = _text(form, f"plan-{field}", payload.get(field) or "") or None
    payload["targets_unit"] = payload.get("targets_unit") or ""
    if "plan-import_mode" in form:
        mode = _text(form, "plan-import_mode")
        payload["import_mode"] = mode if mode in ("new", "separate", "revision") else ""
    if "plan-revision_of" in form:
        chosen = _text(form, "plan-revision_of")
        payload["revision_of"] = chosen if chosen.isascii() and chosen.isdigit() else ""
    payload["new_units"] = _new_units(form, stored.get("new_units") or [])
    for index, group in enumerate(payload.get("groups") or []):
        group["number"] = _text(form, f"group-{index}-number", group.get("number", ""))[:20]
        group["title"] = _text(form, f"group-{index}-title", group.get("title", ""))[:200]
    for index, task in enumerate(payload.get("tasks") or []):
        prefix = f"task-{index}-"
        task["number"] = _text(form, prefix + "number", task.get("number", ""))[:20]
        task["title"] = _text(form, prefix + "title", task.get("title", ""))[:200]
        task["text"] = _text(form, prefix + "text", task.get("text", ""))
        if prefix + "group" in form:
            task["group_index"] = _optional_int(form.get(prefix + "group", ""))
        task["lead_unit"] = _text(form, prefix + "lead", task.get("lead_unit") or "")
        task["cooperating_units"] = [value for value in form.getlist(prefix + "coop") if value][:100]
        task["start_on"] = _text(form, prefix + "start_on") or None
        task["due_on"] = _text(form, prefix + "due_on") or None
        task["reporting_cycle"] = _text(form, prefix + "cycle", task.get("reporting_cycle", "monthly"))
        task["report_day"] = _text(form, prefix + "report_day", str(task.get("report_day", "")))
        task["skip"] = _ticked(form, prefix + "skip")
    for index, target in enumerate(payload.get("targets") or []):
        prefix = f"target-{index}-"
        target["create"] = _ticked(form, prefix + "create")
        target["name"] = _text(form, prefix + "name", target.get("name", ""))[:200]
        target["value"] = _text(form, prefix + "value", str(target.get("value", "")))
        target["unit"] = _text(form, prefix + "unit", target.get("unit", ""))[:20]
        target["target_on"] = _text(form, prefix + "target_on", target.get("target_on", ""))
        target["owner_unit"] = _text(form, prefix + "owner", target.get("owner_unit") or "")
        target["direction"] = "lower" if form.get(prefix + "direction") == "lower" else "higher"
    return payload


REPLY_FIELDS = ("meeting", "proposal_number", "title", "proposers", "reply_doc_number", "reply_date",
                "result_category", "publicity", "contact_name", "contact_phone", "contact_address", "postal_code",
                "assigned_on", "reply_due_on", "main_unit")


def reply_review_payload(form, stored: dict) -> dict:
    payload = copy.deepcopy(stored)
    for field in REPLY_FIELDS:
        payload[field] = _text(form, f"reply-{field}", payload.get(field) or "") or None
    payload["body"] = _text(form, "reply-body", payload.get("body") or "")
    payload["co_units"] = [value for value in form.getlist("reply-co_units") if value][:100]
    payload["new_units"] = _new_units(form, stored.get("new_units") or [])
    commitments = []
    for index, commitment in enumerate(stored.get("commitments") or []):
        if _ticked(form, f"commitment-{index}-keep"):
            commitments.append({**commitment, "text": _text(form, f"commitment-{index}-text", commitment["text"])})
    payload["commitments"] = commitments
    return payload
