"""Public progress pages (政务公开): ``/public`` and ``/public/plans/<id>``, no login.

Pages are rendered once per data version (the newest audit event id: every change to a plan, task,
update or unit records one, ``tracker.audit.snapshots.data_version_query``), day, plan and language,
and kept per web process (``tracker.common.fragments.FragmentCache``); a view that finds its page
kept costs one small statement (the data version). Under load, concurrent first views of the same page
wait for one rendering instead of each rendering it (a lock per key), and the answer carries an ETag
and ``Cache-Control: public, max-age=60`` so browsers and a reverse proxy may serve it again."""
from __future__ import annotations

import hashlib
import threading
from collections import defaultdict

from flask import Blueprint, abort, make_response, render_template, request
from flask_babel import get_locale

from tracker.common.clock import today
from tracker.common.fragments import FragmentCache
from tracker.audit.snapshots import data_version
from tracker.public.queries import public_groups, public_plan, public_plans
from tracker.reports.queries import STATE_LABELS

bp = Blueprint("public", __name__, url_prefix="/public")
PAGES = FragmentCache(size=512)
MAX_AGE_SECONDS = 60
_locks: defaultdict = defaultdict(threading.Lock)
_locks_guard = threading.Lock()


def _lock_for(key) -> threading.Lock:
    with _locks_guard:
        if len(_locks) > 4096:  # keys of old data versions: forget their locks (none is held for long)
            _locks.clear()
        return _locks[key]


def _served(key: tuple, render) -> object:
    """The page for ``key``: kept, or rendered once while concurrent requests for it wait."""
    etag = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        with _lock_for(key):
            body = PAGES.get_or_render(key, render)
        response = make_response(body)
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    response.headers["Vary"] = "Cookie"  # the language comes from the session
    return response


@bp.get("")
@bp.get("/")
def index():
    day, locale = today(), str(get_locale())
    key = ("index", data_version(), day, locale)
    return _served(key, lambda: render_template("public/index.html", plans=public_plans(), today=day))


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int):
    day, locale = today(), str(get_locale())
    version = data_version()
    if public_plan(plan_id) is None:  # a draft, a plan not marked 主动公开, or none at all
        abort(404)
    key = ("plan", plan_id, version, day, locale)

    def render():
        shown = public_plan(plan_id)
        return render_template("public/plan.html", plan=shown, groups=public_groups(shown, day), today=day,
                               state_labels=STATE_LABELS)

    return _served(key, render)


# Published replies to proposals (答复公开, tracker/proposals/publication.py): the list and each reply in full,
# contacts masked; 不予公开 and 依申请公开 replies are never here.

@bp.get("/proposals")
def proposals():
    from tracker.proposals.publication import published_replies

    day, locale = today(), str(get_locale())
    key = ("proposals", data_version(), day, locale)
    return _served(key, lambda: render_template("public/proposals.html", replies=published_replies(day), today=day))


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    from tracker.proposals.publication import public_paragraphs, published_reply

    day, locale = today(), str(get_locale())
    version = data_version()
    if published_reply(proposal_id, day) is None:  # not answered, not 主动公开, 不予公开, or none at all
        abort(404)
    key = ("proposal", proposal_id, version, day, locale)

    def render():
        shown = published_reply(proposal_id, day)
        return render_template("public/proposal.html", reply=shown, paragraphs=public_paragraphs(shown), today=day)

    return _served(key, render)
