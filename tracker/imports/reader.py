"""The plan reader's entry point: a one-task form (``task_form``) or a plan with items (``plan_parser``),
behind a safety net: `parse_plan` never raises."""
from __future__ import annotations

import logging

from tracker.imports.plan_parser import PlanDraft, read_plan
from tracker.imports.task_form import read_task_form

logger = logging.getLogger(__name__)


def parse_plan(text: str, mappings: dict[str, list[str]] | None = None) -> PlanDraft:
    """Parse plan text into a draft. Never raises: on an internal error all text is left unplaced.
    ``mappings``: column kinds chosen for tables by their header set (see ``tables.header_signature``)."""
    if not isinstance(text, str):
        text = ""
    try:
        form = read_task_form(text)  # one task, its milestones per quarter (一事一表): no list of items
        return form if form is not None else read_plan(text, mappings)
    except Exception:  # an upload must degrade to manual review, never to a server error
        logger.exception("plan parser failed")
        return PlanDraft(
            unplaced=[line.strip() for line in text.split("\n") if line.strip()],
            warnings=["解析出错，全文留待人工整理。"],
        )
