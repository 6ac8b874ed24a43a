"""``flask import plan FILE`` and ``flask import proposal-reply FILE``: parse a document on the command line.

``--dry-run`` prints the draft (JSON with ``--format json``) and writes nothing; without it the draft is
stored for review in the web interface (created by the system) and its id and review address printed.
"""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from tracker.common.errors import ValidationFailed
from tracker.extensions import db
from tracker.imports.documents import DEFAULT_MAX_BYTES, DocumentError, extract_text
from tracker.imports.drafts import build_payload, create_draft
from tracker.imports.models import DraftKind

import_cli = AppGroup("import", help="导入文件：方案（plan）或提案答复（proposal-reply）。")

FORMAT_OPTION = click.option("--format", "output_format", type=click.Choice(["json", "text"]), default="text",
                             show_default=True, help="Output of --dry-run.")
DRY_RUN_OPTION = click.option("--dry-run", is_flag=True, help="Print the parsed draft; write nothing.")
FILE_ARGUMENT = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))


def read_file(file: Path) -> bytes:
    limit = current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)
    size = file.stat().st_size
    if size > limit:
        raise click.ClickException(
            f"文件过大（{size / 1048576:.1f} MB），上限为 {limit / 1048576:.1f} MB。")
    return file.read_bytes()


def _dry_run(kind: DraftKind, file: Path) -> dict:
    try:
        text = extract_text(file.name, read_file(file),
                            max_bytes=current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
    except DocumentError as error:
        raise click.ClickException(error.message_zh) from None
    try:
        payload = build_payload(kind, text)
    except SQLAlchemyError:  # no database yet: parse anyway, every unit name shows as unknown
        db.session.rollback()
        payload = build_payload(kind, text, with_database=False)
    db.session.rollback()  # a dry run leaves nothing behind, not even an open transaction
    return payload


def _plan_text(payload: dict) -> list[str]:
    lines = [f"方案：{payload.get('title') or '（未识别）'}  {payload.get('doc_number') or ''}",
             f"发文机关：{payload.get('issuer') or '—'}  印发日期：{payload.get('issued_on') or '—'}  "
             f"实施期限：{payload.get('period_start') or '—'} 至 {payload.get('period_end') or '—'}",
             f"行动 {len(payload.get('groups') or [])} 个，任务 {len(payload.get('tasks') or [])} 项，"
             f"目标 {len(payload.get('targets') or [])} 个，未归类 {len(payload.get('unplaced') or [])} 段"]
    groups = payload.get("groups") or []
    current = object()
    for task in payload.get("tasks") or []:
        if task.get("group_index") != current:
            current = task.get("group_index")
            if current is not None and 0 <= current < len(groups):
                lines.append(f"{groups[current]['number']}{groups[current]['title']}")
        assignment = task.get("assignment") or {}
        units = (f"牵头：{assignment.get('lead_unit') or '—'}；配合：{'、'.join(assignment.get('cooperating_units') or []) or '—'}"
                 if assignment else f"文中提及：{'、'.join(task.get('suggested_units') or []) or '—'}")
        lines.append(f"  {task['number']}. {task['title']}  [{units}]  完成时限：{task.get('due_on') or '—'}")
    if payload.get("targets"):
        lines.append("目标：")
        lines += [f"  {t['name']} {t['comparator']} {t['value']:g} {t['unit']}（{t.get('year') or '—'}年）"
                  for t in payload["targets"]]
    if payload.get("new_units"):
        lines.append("单位库中没有的单位：" + "、".join(row["name"] for row in payload["new_units"]))
    return lines


def _reply_text(payload: dict) -> list[str]:
    labels = (("meeting", "会议"), ("proposal_number", "提案编号"), ("title", "标题"), ("proposers", "提案人"),
              ("issuer", "答复单位"), ("reply_doc_number", "答复文号"), ("reply_date", "答复日期"),
              ("result_category", "办理结果"), ("publicity", "公开属性"), ("contact_name", "联系人"),
              ("contact_phone", "联系电话"), ("contact_address", "联系地址"))
    lines = [f"{label}：{payload.get(key) or '—'}" for key, label in labels]
    lines.append(f"承诺事项 {len(payload.get('commitments') or [])} 条：")
    lines += [f"  - {c['text']}" + (f"（{c['due_hint']}）" if c.get("due_hint") else "")
              for c in payload.get("commitments") or []]
    return lines


def _common_text(payload: dict) -> list[str]:
    lines = []
    if payload.get("unplaced"):
        lines.append("未能归类的文字：")
        lines += [f"  {paragraph}" for paragraph in payload["unplaced"]]
    lines += [f"提示：{warning}" for warning in payload.get("warnings") or []]
    return lines


def run_import(kind: DraftKind, file: Path, dry_run: bool, output_format: str) -> None:
    if dry_run:
        payload = _dry_run(kind, file)
        if output_format == "json":
            click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            body = _plan_text(payload) if kind == DraftKind.plan else _reply_text(payload)
            click.echo("\n".join(body + _common_text(payload)))
        return
    try:
        draft = create_draft(None, kind, file.name, data=read_file(file))
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    click.echo(f"已创建导入草稿 #{draft.id}，请在网页上核对后创建：{base}/imports/{draft.id}")


@import_cli.command("plan")
@FILE_ARGUMENT
@DRY_RUN_OPTION
@FORMAT_OPTION
def import_plan(file: Path, dry_run: bool, output_format: str) -> None:
    """Parse a plan document (.txt UTF-8/GB18030, .docx, .pdf) into a draft for review."""
    run_import(DraftKind.plan, file, dry_run, output_format)


def register(app: Flask) -> None:
    """Adds the ``flask import`` group (plan; proposal-reply is added by ``tracker.proposals.cli``) to the app's
    command line."""
    if "import" not in app.cli.commands:
        app.cli.add_command(import_cli)
