"""工作台 (``/``): the sections of the user's role (``tracker.workbench.services``)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from tracker.common.clock import today
from tracker.workbench.services import sections_for
from tracker.workbench import proposals as _proposal_sections  # noqa: F401 (registers the items' sections)

bp = Blueprint("workbench", __name__)


def workbench_page():
    """The 工作台 of the logged-in user (the app's ``index`` view serves it at ``/``)."""
    day = today()
    return render_template("workbench/index.html", sections=sections_for(current_user, day), today=day)
