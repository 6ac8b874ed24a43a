"""Must show 2 of the reliability issue: a table of attacks, each refused as expected.

| # | attack                                    | expected refusal                                            |
|---|-------------------------------------------|-------------------------------------------------------------|
| 1 | forged POST without a CSRF token          | 400, nothing written                                        |
| 2 | another unit's task id (read and report)  | 403 on the task, its evidence and its update form; nothing written |
| 3 | path traversal in an upload's file name   | stored inside the evidence folder under a generated name; the name shown is the base name; download is an attachment |
| 4 | oversized upload / disallowed file type   | 400: the form again with a clear message (413 beyond the request limit); no row, no file |
| 5 | script in a progress text                 | stored as text, shown escaped everywhere; CSP forbids inline scripts |
| 6 | SQL metacharacters in filters and search  | treated as data: 200 with no rows or the filter ignored, never a 500; every table intact |
"""
from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from tests.test_permissions import CACHE_TABLES
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.tasks.models import Task
from tracker.updates.models import EvidenceFile, StatusUpdate

SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


def _task(number: str) -> Task:
    return db.session.scalar(select(Task).where(Task.number == number))


def _rows() -> dict[str, int]:
    db.session.remove()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name not in CACHE_TABLES}


def _files(app) -> set[str]:
    folder = Path(app.config["EVIDENCE_FOLDER"])
    return {str(path.relative_to(folder)) for path in folder.rglob("*")} if folder.exists() else set()


def _update_form(**extra) -> dict:
    return {"period": "2026-06", "progress_text": "完成项目签约。", "percent": "50", "problems": "", "next_steps": "",
            **extra}


@pytest.fixture
def june(seeded, on_date):
    on_date(date(2026, 6, 30))
    return seeded


def test_1_forged_post_without_csrf_token_is_refused(june, browser, app):
    unit = browser("jingwei")
    url = f"/tasks/{_task('7').id}/updates/new"
    before, files = _rows(), _files(app)
    response = unit.client.post(url, data=_update_form(), content_type="multipart/form-data")
    assert response.status_code == 400
    assert _rows() == before and _files(app) == files
    # A token from another session of another user is just as useless.
    stranger_token = browser("kejiwei").token()
    response = unit.client.post(url, data=_update_form(csrf_token=stranger_token))
    assert response.status_code == 400 and _rows() == before


def test_2_another_units_task_id_is_refused(june, browser, app):
    task = _task("4")  # led by 区科委 with 区数据局 cooperating; 区经委 (jingwei) is not on it
    task_id = task.id
    evidence_id = db.session.scalar(select(EvidenceFile.id).join(StatusUpdate).where(StatusUpdate.task_id == task_id))
    intruder = browser("jingwei")
    before, files = _rows(), _files(app)
    assert intruder.get(f"/tasks/{task_id}").status_code == 403
    assert intruder.get(f"/tasks/{task_id}/updates/new").status_code == 403
    own_form = f"/tasks/{_task('7').id}/updates/new"  # a real token from a page the intruder may open
    response = intruder.post(f"/tasks/{task_id}/updates/new",
                             {**_update_form(), "evidence": (io.BytesIO(b"%PDF-1.4 fake"), "伪造.pdf")},
                             token_from=own_form, content_type="multipart/form-data")
    assert response.status_code == 403
    if evidence_id is not None:
        assert intruder.get(f"/evidence/{evidence_id}").status_code == 403
    assert _rows() == before and _files(app) == files
    assert str(task_id) not in re.findall(r'href="/tasks/(\d+)"', intruder.get("/tasks/mine").text)


@pytest.mark.parametrize("name", ["../../../../tmp/duban-evil.pdf", "..\\..\\windows\\system32\\evil.pdf",
                                  "/etc/passwd.pdf", "....//....//evil.pdf"])
def test_3_path_traversal_in_an_upload_name_stays_in_the_evidence_folder(june, browser, app, name):
    unit = browser("jingwei")
    url = f"/tasks/{_task('7').id}/updates/new"
    response = unit.post(url, {**_update_form(), "evidence": (io.BytesIO(b"%PDF-1.4 contents"), name)},
                         token_from=url, content_type="multipart/form-data")
    assert response.status_code == 302
    evidence = db.session.scalar(select(EvidenceFile).order_by(EvidenceFile.id.desc()))
    assert "/" not in evidence.original_name and "\\" not in evidence.original_name
    assert not evidence.original_name.startswith(".")
    folder = Path(app.config["EVIDENCE_FOLDER"]).resolve()
    stored = (folder / evidence.stored_name).resolve()
    assert stored.parent == folder and stored.read_bytes() == b"%PDF-1.4 contents"
    assert not Path("/tmp/duban-evil.pdf").exists()
    download = unit.get(f"/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 contents"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and ".." not in disposition and "/" not in disposition


@pytest.mark.parametrize("filename,data,message", [
    ("大文件.pdf", b"%PDF" + b"0" * 2048, "超过大小上限"),
    ("setup.exe", b"MZ\x90\x00", "不支持的文件类型"),
    ("page.html", b"<script>alert(1)</script>", "不支持的文件类型"),
])
def test_4_oversized_or_disallowed_uploads_are_refused_with_a_message(june, browser, app, filename, data, message):
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    unit = browser("jingwei")
    url = f"/tasks/{_task('7').id}/updates/new"
    before, files = _rows(), _files(app)
    response = unit.post(url, {**_update_form(), "evidence": (io.BytesIO(data), filename)}, token_from=url,
                         content_type="multipart/form-data")
    assert response.status_code == 400 and message in response.text  # the form again, with the message
    assert _rows() == before and _files(app) == files


def test_4_a_body_beyond_the_request_limit_is_refused(june, browser, app):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    unit = browser("jingwei")
    url = f"/tasks/{_task('7').id}/updates/new"
    before = _rows()
    response = unit.post(url, {**_update_form(), "evidence": (io.BytesIO(b"0" * 10_000), "big.pdf")},
                         token_from=url, content_type="multipart/form-data")
    assert response.status_code == 413
    assert _rows() == before


def test_5_script_in_a_progress_text_is_escaped_everywhere(june, browser):
    task_id = _task("7").id
    unit = browser("jingwei")
    url = f"/tasks/{task_id}/updates/new"
    assert unit.post(url, _update_form(progress_text=SCRIPT, problems=SCRIPT), token_from=url).status_code == 302
    assert db.session.scalar(select(StatusUpdate.progress_text).order_by(StatusUpdate.id.desc())) == SCRIPT
    coordinator = browser("coordinator")
    for page in (f"/tasks/{task_id}", "/reviews", "/tasks/mine"):
        viewer = unit if page == "/tasks/mine" else coordinator
        response = viewer.get(page)
        assert response.status_code == 200
        assert "<script>alert" not in response.text and "<img src=x" not in response.text
        if page != "/tasks/mine":
            assert "&lt;script&gt;alert(" in response.text
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


@pytest.mark.parametrize("url", [
    "/overdue?unit_id=1%20OR%201=1",
    "/overdue?plan_id=1';DROP%20TABLE%20tasks;--",
    "/overdue?group_id=-1%20UNION%20SELECT%20password_hash%20FROM%20users",
    "/overdue.csv?unit_id=%27%20OR%20%271%27=%271",
    "/proposals?meeting=%27%20OR%201=1%20--&state=%27;DELETE%20FROM%20proposals;--",
    "/proposals?unit_id=0x1&overdue=1%27",
    "/dashboard/tasks?state=overdue%27%20OR%201=1--&unit_id=1;--",
    "/units/scoreboard?sort=unit;DROP%20TABLE%20units&dir=desc%27",
    "/admin/outbox?state=%27%20OR%20%271%27=%271",
    "/tasks/{overdue_task}/notice.docx?number=%27%3B%20DROP%20TABLE%20tasks%3B--",
    "/units/lookup?q=%27%20OR%201=1%20--",
    "/plans/lookup?q=%25%27;DROP%20TABLE%20plans;--&active=1%27",
    "/search?q=%27%20OR%201=1%20--",
    "/search?q=%25%27;DROP%20TABLE%20tasks;--&page=1%27",
    "/tasks/mine?show=overdue%27%20OR%201=1--",
    "/public/plans/{plan}?q=%27;DROP%20TABLE%20plans;--",
])
def test_6_sql_metacharacters_in_filters_are_data(june, browser, url):
    url = url.format(overdue_task=_task("12").id, plan=_task("12").plan_id)
    if url.startswith("/public/"):
        plan = db.session.get(Plan, _task("12").plan_id)
        plan.is_public = True
        db.session.commit()
    coordinator = browser("jingwei" if url.startswith("/tasks/mine") else "coordinator")
    tables_before = set(inspect(db.engine).get_table_names())
    before = _rows()
    response = coordinator.get(url)
    assert response.status_code == 200, response.status_code
    assert set(inspect(db.engine).get_table_names()) == tables_before and _rows() == before
    if url.startswith("/overdue?"):
        # the junk filter is ignored: the same rows as no filter at all, never more
        unfiltered = coordinator.get("/overdue").text
        assert len(re.findall(r'href="/tasks/\d+"', response.text)) == len(re.findall(r'href="/tasks/\d+"', unfiltered))
    if "/lookup?" in url:
        assert response.json["items"] == []  # searched for as text: no name contains it
    if url.startswith("/search?"):
        assert "search-result\"" not in response.text  # searched for as text: no task contains it


def test_6_sql_metacharacters_in_form_text_are_stored_verbatim(june, browser):
    text = "'); DROP TABLE status_updates; -- \" OR 1=1 /* */ %_"
    unit = browser("jingwei")
    url = f"/tasks/{_task('7').id}/updates/new"
    count = _rows()["status_updates"]
    assert unit.post(url, _update_form(progress_text=text), token_from=url).status_code == 302
    assert _rows()["status_updates"] == count + 1
    assert db.session.scalar(select(StatusUpdate.progress_text).order_by(StatusUpdate.id.desc())) == text
