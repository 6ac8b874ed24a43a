"""English interface: the language switch, English pages, form errors and emails, and a complete catalogue.

Chinese is the source language; English comes from tracker/translations/en/LC_MESSAGES/messages.po. User
data (plan, task and unit names, progress texts …) stays Chinese, so the pages are checked for specific
English strings, for the absence of specific Chinese interface strings, and for Chinese characters that are
not part of any stored value.
"""
from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import String, Text, select

from tests.conftest import csrf_token_from
from tracker.extensions import db

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "tracker" / "translations"
PO_FILE = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO_FILE = PO_FILE.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None,
            "_l": None, "lazy_gettext": None}

IDEOGRAPHS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_]\w*\))?[-#0 +]*\d*(?:\.\d+)?[sdfirxXeEgGc]|%%")
LANGUAGE_BUTTON = "中文"  # the switch back to Chinese is labelled in Chinese on purpose


def _read_catalogue():
    with PO_FILE.open("rb") as handle:
        return read_po(handle)


def _compile_if_stale() -> None:
    """``make test`` compiles the catalogue; a bare ``pytest`` run after editing the .po would not."""
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime:
        catalogue = _read_catalogue()
        with MO_FILE.open("wb") as handle:
            write_mo(handle, catalogue)


_compile_if_stale()  # at import, before any request loads (and caches) the translations


# ---------------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------------

def switch_language(client, code: str, page: str = "/login") -> None:
    """Presses the base template's language button: POST /language/<code> with the page's CSRF token."""
    token = csrf_token_from(client.get(page).text)
    response = client.post(f"/language/{code}", data={"csrf_token": token, "next": page})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(page)


def stored_text() -> list[str]:
    """Every stored string with Chinese in it, longest first: what a page may show in Chinese as data."""
    values: set[str] = set()
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, (String, Text))]
        if columns:
            for row in db.session.execute(select(*columns)):
                values.update(str(value) for value in row if value and IDEOGRAPHS.search(str(value)))
    return sorted(values, key=len, reverse=True)


TEXT_NODE = re.compile(r">([^<]+)<")
LABEL_ATTRIBUTE = re.compile(r'\b(?:aria-label|placeholder|title|alt)="([^"]*)"')


def interface_text(page: str, data: list[str]) -> str:
    """The page's text nodes and label attributes with the stored values taken out, including values cut
    short by ``|truncate`` (a text node ending in "..." whose end is part of a stored value)."""
    kept = []
    for node in TEXT_NODE.findall(page) + LABEL_ATTRIBUTE.findall(page):
        text = html.unescape(node).strip()
        if not IDEOGRAPHS.search(text):
            continue
        if text.endswith(("...", "…")):
            text = _without_cut_value(text.rstrip(".…"), data)
        for value in data:
            if value in text:
                text = text.replace(value, " ")
        kept.append(text)
    return "\n".join(kept)


def _without_cut_value(text: str, data: list[str]) -> str:
    """``text`` less its longest ending (10 characters or more) that is part of a stored value."""
    for start in range(len(text) - 9):
        if any(text[start:] in value for value in data):
            return text[:start]
    return text


def interface_chinese(page: str, data: list[str]) -> list[str]:
    """Runs of Chinese characters in the page that are not stored data: untranslated interface text."""
    return [run for run in IDEOGRAPHS.findall(interface_text(page, data)) if run != LANGUAGE_BUTTON]


def navigation(page: str) -> str:
    match = re.search(r"<nav\b.*?</nav>", page, re.S)
    assert match, "page has no navigation bar"
    return match.group(0)


def assert_english(page: str, *, expected: tuple[str, ...], absent: tuple[str, ...], data: list[str]) -> None:
    assert '<html lang="en">' in page
    for text in expected:
        assert text in page, f"missing English text {text!r}"
    interface = interface_text(page, data)
    for text in absent:
        assert text not in interface, f"Chinese interface text {text!r} on an English page"
    assert interface_chinese(page, data) == []


def lead_task_of(login: str):
    """An open task led by the unit of user ``login`` (one that user may report on)."""
    from tracker.auth.models import User
    from tracker.tasks.models import Task, TaskStatus

    user = db.session.scalar(select(User).where(User.login == login))
    return db.session.scalars(select(Task).where(Task.lead_unit_id == user.unit_id,
                                                 Task.status.in_([TaskStatus.not_started, TaskStatus.in_progress]))
                              .order_by(Task.id)).first()


NAV_CHINESE = ("逾期清单", "我的任务", "审核", "退出", "仪表盘", "方案", "督办")


# ---------------------------------------------------------------------------------------------------------
# pages
# ---------------------------------------------------------------------------------------------------------

def test_login_page_switches_to_english_and_back(seeded, client):
    page = client.get("/login").text
    assert '<html lang="zh-CN">' in page and "督办系统" in page and ">English<" in page

    switch_language(client, "en")
    page = client.get("/login").text
    assert_english(page, expected=("Duban Supervision System", "Log in", "Login name", "Password",
                                   "Task breakdown, progress reporting, review and supervision"),
                   absent=("督办系统", "登录", "登录名", "密码"), data=stored_text())

    switch_language(client, "zh_CN")
    page = client.get("/login").text
    assert '<html lang="zh-CN">' in page and "督办系统" in page and "Log in" not in page


def test_failed_login_message_in_english(seeded, client):
    switch_language(client, "en")
    token = csrf_token_from(client.get("/login").text)
    response = client.post("/login", data={"login": "kejiwei", "password": "wrong-password-1", "csrf_token": token})
    assert response.status_code == 401
    assert "Incorrect login name or password." in response.text
    assert "登录名或密码不正确" not in response.text


def test_unit_user_pages_in_english(seeded, browser):
    data = stored_text()
    user = browser("kejiwei")
    switch_language(user.client, "en", page="/tasks/mine")

    page = user.get("/tasks/mine").text
    assert_english(page, expected=("<h1", "My tasks", "Lead unit", "Due date", "Current report", "Report progress",
                                   "Log out", "Plans", "Proposals", "Indicators"),
                   absent=NAV_CHINESE + ("牵头单位", "完成时限", "报送进展"), data=data)
    assert re.search(r"<h1[^>]*>My tasks", page)

    page = user.get("/plans/1").text
    assert_english(page, expected=("Implementation period", "Lead unit", "Cooperating units", "Due date", "Progress",
                                   "Log out"),
                   absent=NAV_CHINESE + ("实施期限", "配合单位", "完成时限"), data=data)


def test_coordinator_pages_in_english(seeded, browser):
    data = stored_text()
    coordinator = browser("coordinator")
    switch_language(coordinator.client, "en", page="/overdue")

    page = coordinator.get("/overdue").text
    assert re.search(r"<h1[^>]*>Overdue list", page)
    assert_english(page, expected=("As of", "Working days overdue", "Reporting period", "Latest accepted progress",
                                   "All plans", "Filter", "Export CSV", "Review", "Dashboard", "Log out"),
                   absent=NAV_CHINESE + ("逾期工作日数", "截至", "筛选", "导出"), data=data)

    page = coordinator.get("/reviews").text
    assert re.search(r"<h1[^>]*>Reports pending review", page)
    assert_english(page, expected=("Work progress", "Accept", "Return for revision", "Review comments"),
                   absent=NAV_CHINESE + ("待审核的报送", "工作进展", "采纳", "退回修改"), data=data)

    page = coordinator.get("/plans/1").text
    assert_english(page, expected=("Edit plan", "New task", "Reminder settings", "Cooperating units"),
                   absent=NAV_CHINESE + ("编辑方案", "新建任务"), data=data)

    switch_language(coordinator.client, "zh_CN", page="/overdue")
    page = coordinator.get("/overdue").text
    assert '<html lang="zh-CN">' in page
    for text in ("逾期清单", "审核", "退出", "逾期工作日数"):
        assert text in page
    assert "Overdue list" not in page and "Log out" not in page


def test_update_form_validation_error_in_english(seeded, browser):
    task = lead_task_of("kejiwei")
    assert task is not None
    url = f"/tasks/{task.id}/updates/new"
    user = browser("kejiwei")
    switch_language(user.client, "en", page=url)

    form = user.get(url).text
    assert "Report progress" in form and "Submit report" in form
    period = re.search(r'<select[^>]*name="period"[^>]*>\s*<option[^>]*value="([^"]+)"', form)
    assert period, "the update form offers no reporting period"
    response = user.client.post(url, data={"csrf_token": csrf_token_from(form), "period": period.group(1),
                                           "progress_text": "", "percent": "150"})
    assert response.status_code == 400
    assert "Please describe the work progress." in response.text
    assert "Progress must be between 0 and 100." in response.text
    assert "请填写工作进展" not in response.text and "完成进度须在0至100之间" not in response.text


# ---------------------------------------------------------------------------------------------------------
# email
# ---------------------------------------------------------------------------------------------------------

def test_deadline_email_in_english(seeded):
    from tracker.outbox.models import NotificationKind
    from tracker.outbox.services import render_email

    task = lead_task_of("kejiwei")
    subject, text, body = render_email(NotificationKind.deadline, "en", task=task, offset=5, role="lead")
    assert subject.startswith("[Duban reminder] ")
    assert subject.endswith("is due in 5 working days")
    assert task.title in subject
    assert "【" not in subject and "督办提醒" not in subject
    for part in (text, body):
        assert "Hello," in part and "5 working days from now" in part and "Lead unit" in part
        assert "您好" not in part and "牵头单位" not in part and "请勿直接回复" not in part

    subject, text, _body = render_email(NotificationKind.deadline, "zh_CN", task=task, offset=5, role="lead")
    assert subject.startswith("【督办提醒】") and "您好" in text


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_email_escapes_what_a_unit_typed_in_html_only(seeded, locale):
    """A title with markup is shown as typed: escaped in the HTML part (also inside a translated message
    with variables), left as it is in the subject and the plain text."""
    from tracker.common import deadlines
    from tracker.outbox.models import NotificationKind
    from tracker.outbox.services import render_email

    task = lead_task_of("kejiwei")
    task.title = "<b>R&D</b> 平台"
    task.lead_unit.name = "<i>科委</i>"
    period = deadlines.ReportPeriod("2026-09", date(2026, 9, 24))
    subject, text, html = render_email(NotificationKind.report_due, locale, task=task, period=period, offset=3)
    assert "<b>R&D</b> 平台" in subject and "<b>R&D</b> 平台" in text and "<i>科委</i>" in text
    assert "&lt;b&gt;R&amp;D&lt;/b&gt; 平台" in html and "&lt;i&gt;科委&lt;/i&gt;" in html
    assert "<b>R&D" not in html and "<i>科委" not in html
    assert "2026-09-24" in text and "2026-09-24" in html  # a translated message's variables are filled in

    from tracker.extensions import db
    from tracker.updates.models import StatusUpdate

    update = db.session.scalars(select(StatusUpdate).where(StatusUpdate.unit_id == task.lead_unit_id)).first()
    _subject, text, html_body = render_email(NotificationKind.update_resubmitted, locale, task=task, update=update)
    assert "<i>科委</i>" in text  # the unit's name is a variable of the translated sentence
    assert "&lt;i&gt;科委&lt;/i&gt;" in html_body and "<i>科委" not in html_body


# ---------------------------------------------------------------------------------------------------------
# the catalogue
# ---------------------------------------------------------------------------------------------------------

def test_catalogue_is_complete():
    """Every message has an English text, none is fuzzy, and the placeholders match the Chinese source."""
    catalogue = _read_catalogue()
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
        if "fuzzy" in message.flags:
            problems.append(f"fuzzy: {ids[0]!r} ({where})")
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {ids[0]!r} ({where})")
            continue
        if sorted(PLACEHOLDER.findall(ids[0])) != sorted(PLACEHOLDER.findall(strings[0])):
            problems.append(f"placeholders differ: {ids[0]!r} -> {strings[0]!r}")
        if IDEOGRAPHS.search(strings[0]):
            problems.append(f"Chinese left in the English text: {strings[0]!r}")
    assert problems == [], "\n".join(problems)
    assert not [m for m in catalogue.check() if m[1]], "babel reports errors in the catalogue"


def test_every_source_string_is_in_the_catalogue():
    """A string added to the code or templates must be extracted and translated. Fix with:

    .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o tracker/translations/messages.pot . &&
    .venv/bin/pybabel update -i tracker/translations/messages.pot -d tracker/translations -l en --no-fuzzy-matching
    then translate the new entries and run ``.venv/bin/pybabel compile -d tracker/translations -f``."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    in_source = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        key = message if isinstance(message, str) else message[0]
        in_source.setdefault(key, f"{filename}:{lineno}")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in _read_catalogue() if m.id}
    missing = sorted(f"{where}: {key!r}" for key, where in in_source.items() if key not in translated)
    assert missing == [], "strings missing from messages.po:\n" + "\n".join(missing)


@pytest.mark.parametrize("template", ["email/deadline.subject.txt", "email/weekly_digest.txt",
                                      "email/overdue_digest.subject.txt"])
def test_text_templates_are_extracted(template):
    """babel.cfg must cover the .txt email templates, not only .html."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, _options = parse_mapping_cfg(handle)
    from babel.util import pathmatch

    assert any(pathmatch(pattern, f"templates/{template}") for pattern, _method in method_map)
