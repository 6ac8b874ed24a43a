"""``flask import proposal-reply FILE``: a proposal reply document (提案答复) on the command line, added to the
``flask import`` group of imports (below) by proposals, which own the items a reply fills.

Without ``--apply`` the reply is stored as a draft for review in the web interface (``--dry-run`` prints it);
with ``--apply`` it creates the item, or completes the registered one, at once."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from tracker.common.clock import today
from tracker.common.errors import ValidationFailed
from tracker.extensions import db
from tracker.imports.cli import (DRY_RUN_OPTION, FILE_ARGUMENT, FORMAT_OPTION, import_cli, read_file,
                                 run_import)
from tracker.imports.drafts import create_draft
from tracker.imports.models import DraftKind
from tracker.proposals.handling import item_number
from tracker.proposals.importing import apply_reply


def _apply_reply(file: Path) -> None:
    """--apply: the reply document creates the item, or completes the registered one of the same meeting and
    number (reply fields, result class, 已答复), at once, without the review page."""
    try:
        draft = create_draft(None, DraftKind.proposal_reply, file.name, data=read_file(file))
        db.session.flush()
        matched = draft.payload.get("existing_proposal_id") is not None
        proposal = apply_reply(None, draft, None, today())
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    click.echo(f"{'已更新' if matched else '已新建'}{proposal.meeting}{item_number(proposal)}：{proposal.title}"
               f"（已答复，办理结果：{proposal.result_category or '—'}）{base}/proposals/{proposal.id}")


@import_cli.command("proposal-reply")
@FILE_ARGUMENT
@DRY_RUN_OPTION
@FORMAT_OPTION
@click.option("--apply", "apply_now", is_flag=True,
              help="Create the item, or complete the registered one (same meeting and number), without review.")
def import_proposal_reply(file: Path, dry_run: bool, output_format: str, apply_now: bool) -> None:
    """Parse a proposal reply document (.txt, .docx, .pdf) into a draft for review, or --apply it at once."""
    if apply_now and not dry_run:
        _apply_reply(file)
        return
    run_import(DraftKind.proposal_reply, file, dry_run, output_format)
