"""The menu bar (导航栏): kept rendered per kind of viewer, yet each page's own links, name, token and path."""
from __future__ import annotations

import re

from sqlalchemy import select

from tracker.auth.models import User
from tracker.extensions import db


def _menu(html: str) -> str:
    return re.search(r"<nav .*?</nav>", html, re.S).group(0)


def _links(menu: str) -> set[str]:
    return set(re.findall(r'<a class="(?:nav-link|dropdown-item)[^"]*"(?: aria-current="page")? href="([^"]+)">', menu))


def _form(menu: str, action: str) -> dict:
    form = re.search(rf'<form method="post" action="{re.escape(action)}">(.*?)</form>', menu, re.S).group(1)
    return dict(re.findall(r'name="(csrf_token|next)" value="([^"]*)"', form))


def test_each_role_sees_its_own_links_and_its_own_name(seeded, browser):
    menus = {login: _menu(browser(login).get("/plans/").text) for login in ("coordinator", "jingwei", "admin")}
    menus["secadmin"] = _menu(browser("secadmin").get("/users").text)
    menus["auditor"] = _menu(browser("auditor").get("/audit/").text)
    coordinator, unit, admin, security, audit = (_links(menus[login]) for login in (
        "coordinator", "jingwei", "admin", "secadmin", "auditor"))
    assert "/reviews" in coordinator and "/overdue" in coordinator and "/tasks/mine" not in coordinator
    assert "/tasks/mine" in unit and "/reviews" not in unit and "/overdue" not in unit
    # 三员分立: accounts for the security administrator, the logs for the audit administrator, only those
    assert "/users" not in admin and "/users" not in coordinator and "/units/" in admin
    assert "/users" in security and not {"/plans/", "/audit/", "/units/"} & security
    assert {"/audit/", "/audit/logins"} <= audit and not {"/plans/", "/users", "/units/"} & audit
    assert "/imports/progress" in unit and "/imports/progress" not in coordinator  # 用Excel报送进展
    for login, menu in menus.items():
        user = db.session.scalar(select(User).where(User.login == login))
        assert user.display_name in menu
    assert "区经委" in menus["jingwei"]  # a unit user's unit


def test_a_renamed_user_sees_the_new_name_on_the_next_page(seeded, browser):
    unit = browser("jingwei")
    before = _menu(unit.get("/plans/").text)
    user = db.session.scalar(select(User).where(User.login == "jingwei"))
    old_name = user.display_name
    assert old_name in before
    user.display_name = "经委联络员<张三>"
    db.session.commit()
    after = _menu(unit.get("/plans/").text)
    assert "经委联络员&lt;张三&gt;" in after and old_name not in after


def test_the_language_switch_returns_to_the_page_it_was_on_with_this_sessions_token(seeded, browser):
    first, second = browser("coordinator"), browser("coordinator")  # the same user, two sessions
    plans_form = _form(_menu(first.get("/plans/").text), "/language/en")
    overdue_form = _form(_menu(first.get("/overdue?unit_id=3").text), "/language/en")
    assert plans_form["next"] == "/plans/" and overdue_form["next"] == "/overdue"
    other_form = _form(_menu(second.get("/plans/").text), "/language/en")

    refused = first.client.post("/language/en", data={"csrf_token": other_form["csrf_token"], "next": "/overdue"})
    assert refused.status_code == 400  # another session's token
    switched = first.client.post("/language/en", data={"csrf_token": overdue_form["csrf_token"], "next": "/overdue"})
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/overdue")
    english = _menu(first.get("/overdue").text)
    assert "Overdue" in english and "逾期清单" not in english
    assert "逾期清单" in _menu(second.get("/overdue").text)  # the other session keeps its language


def test_links_are_grouped_by_job_and_the_current_place_is_highlighted(seeded, browser):
    coordinator = browser("coordinator")
    menu = _menu(coordinator.get("/overdue").text)
    groups = re.findall(r'data-bs-toggle="dropdown"[^>]*id="menu-(\w+)">([^<]+)<', menu)
    assert [label for _name, label in groups] == ["任务", "督办", "统计", "管理"]
    active = re.findall(r'class="[^"]*\bactive" aria-current="page"[^>]*>([^<]+)<', menu)
    assert active == ["督办", "逾期清单"]  # the group and the link of the page shown
    assert "<!--duban:" not in menu  # no placeholder is left over
    task_page = _menu(coordinator.get("/plans/").text)
    assert re.findall(r'class="[^"]*\bactive" aria-current="page"[^>]*>([^<]+)<', task_page) == ["任务", "方案"]
    assert 'action="/search"' in menu and 'name="q"' in menu  # the search box of the top bar
    assert 'data-bs-toggle="collapse"' in menu  # collapses behind the toggler on a phone


def test_the_english_brand_says_duban_once(seeded, browser):
    coordinator = browser("coordinator")
    form = _form(_menu(coordinator.get("/plans/").text), "/language/en")
    coordinator.client.post("/language/en", data={"csrf_token": form["csrf_token"], "next": "/plans/"})
    brand = re.search(r'class="navbar-brand[^"]*"[^>]*>(.*?)</a>', _menu(coordinator.get("/plans/").text), re.S).group(1)
    assert re.sub("<[^>]+>", "", brand).split() == ["Duban"]
