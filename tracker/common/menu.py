"""The menu bar (导航栏) at the top of every page, rendered once per kind of viewer and kept per web process.

What the bar shows depends only on the viewer's role (which links), name, unit and the language.
Only three things in it change from request to request: the CSRF token of its two forms (language
switch, log out), the page's own path, where the language switch returns to, and the current place
(the group and the link of the page shown, highlighted). They are rendered as placeholders, HTML
comments that escaped user text can never produce, and filled in for each request.

The links are grouped by job, 工作台 · 任务 · 督办 · 统计 · 管理 (templates/_menu_bar.html); ``place`` says
which group a page belongs to: the group of its own link, else the group of its blueprint (a task
page is under 任务, an overdue reply under 督办).
Rendering the bar cost 0.8 ms of a 3.9 ms view of the overdue list as served (PostgreSQL, city)."""
from __future__ import annotations

import re

from flask import Flask, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from tracker.common.fragments import FragmentCache

TOKEN_SLOT = Markup("<!--duban:csrf-token-->")
PATH_SLOT = Markup("<!--duban:request-path-->")
MENU_BARS = FragmentCache(size=512)
HERE_SLOT = re.compile(r"<!--duban:(?:here|group):[\w.]+-->")
ACTIVE = Markup(' active" aria-current="page')  # closes the class attribute the slot stands in

# The group of each page (导航分组): by endpoint first, then by blueprint.
GROUP_OF_ENDPOINT = {
    "index": "home",
    "tasks.mine": "tasks", "tasks.overdue": "supervision", "tasks.overdue_csv": "supervision",
    "updates.review_queue": "supervision", "updates.review": "supervision",
    "reminders.mine": "supervision", "reminders.outbox": "supervision",
    "reminders.calendar": "admin", "units.lookup": "tasks", "plans.lookup": "tasks",
}
GROUP_OF_BLUEPRINT = {
    "plans": "tasks", "tasks": "tasks", "updates": "tasks", "indicators": "tasks", "proposals": "tasks",
    "search": "tasks", "reports": "statistics", "imports": "admin", "units": "admin", "auth": "admin",
    "webhooks": "admin", "tokens": "admin", "reminders": "admin", "supervision": "supervision",
    "bulletins": "supervision",
}


def place(endpoint: str | None) -> str | None:
    """The menu group (导航分组) a page belongs to, for highlighting."""
    if not endpoint:
        return None
    if endpoint in GROUP_OF_ENDPOINT:
        return GROUP_OF_ENDPOINT[endpoint]
    return GROUP_OF_BLUEPRINT.get(endpoint.partition(".")[0])


def _here(endpoint: str) -> Markup:
    return Markup(f"<!--duban:here:{endpoint}-->")


def _group_here(name: str) -> Markup:
    return Markup(f"<!--duban:group:{name}-->")


def _viewer_key(user) -> tuple:
    """Everything the bar's markup depends on, besides the two placeholders (the links' prefix too, for
    an app served under a path by the proxy)."""
    shared = (request.script_root, str(get_locale()))
    if not user.is_authenticated:
        return shared
    return (*shared, user.role.value, user.display_name, user.unit.short_name if user.unit else None)


def menu_bar() -> Markup:
    def render() -> str:
        return render_template("_menu_bar.html", csrf_token=lambda: TOKEN_SLOT, request_path=PATH_SLOT,
                               here=_here, group_here=_group_here)

    markup = MENU_BARS.get_or_render(_viewer_key(current_user), render)
    markup = markup.replace(TOKEN_SLOT, escape(generate_csrf())).replace(PATH_SLOT, escape(request.path))
    group = place(request.endpoint)
    if request.endpoint:
        markup = markup.replace(_here(request.endpoint), ACTIVE)
    if group:
        markup = markup.replace(_group_here(group), ACTIVE)
    return Markup(HERE_SLOT.sub("", markup))


def register(app: Flask) -> None:
    app.jinja_env.globals.update(menu_bar=menu_bar)
