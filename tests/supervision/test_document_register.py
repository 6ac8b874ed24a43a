"""One register of numbered documents: every .docx the app offers for a task or a bulletin carries a number
the register gave (one sequence per kind per year), no number names two tasks, a voided number stays out of
use, the old per-task 督办通知单 button opens the task's registered document (or lets a coordinator issue
one through the register), every unit on the task may open it; in 待印发 mode the ladder's documents wait in
the coordinator's queue without a number and are numbered when issued."""
from __future__ import annotations

import io
import re
from datetime import date, datetime

import docx
from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.bulletins.models import Bulletin, BulletinState
from tracker.bulletins.services import draft_bulletin, issue_bulletin
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.reminders.scan import run_scan
from tracker.supervision.models import DocumentState, SupervisionDocument
from tracker.supervision.services import save_ladder_settings
from tracker.tasks.models import Task
from tracker.units.models import Unit

DAY = date(2026, 6, 30)
NUMBER = re.compile(r"(督办|催办|督查通报)〔(\d{4})〕(\d+)号")
DOCX_LINK = re.compile(r'href="(/(?:documents/\d+|tasks/\d+/notice|bulletins/\d+)\.docx)"')
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def _task(number: str) -> Task:
    return db.session.scalar(select(Task).where(Task.number == number))


def _scan(day: date) -> None:
    run_scan(datetime(day.year, day.month, day.day, 9, 30, tzinfo=BEIJING))
    db.session.commit()


def _text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _register() -> dict[tuple, SupervisionDocument]:
    """The numbers the register gave: (prefix, year, serial) → document."""
    return {(d.prefix, d.year, d.serial): d for d in db.session.scalars(select(SupervisionDocument))
            if d.serial is not None}


def _open(client, path: str):
    response = client.get(path)
    while response.status_code in (301, 302):
        response = client.get(response.headers["Location"])
    return response


def test_every_docx_offered_carries_a_number_from_the_register(seeded, on_date, browser):
    on_date(DAY)
    coordinator = browser("coordinator")
    # Before the ladder's first scan a late task has no document: its button offers issuing one through
    # the register, and shows no number.
    late = db.session.scalar(select(Task.id).where(Task.number == "12"))
    page = _open(coordinator, f"/tasks/{late}/notice.docx")
    assert page.status_code == 200 and "text/html" in page.content_type
    assert 'id="issue-for-task"' in page.text and not NUMBER.search(page.text)
    _scan(DAY)  # the ladder issues its documents for the seeded overdue tasks
    bulletin = draft_bulletin(_user("coordinator"), month_key="2026-05", today=DAY)
    issue_bulletin(_user("coordinator"), bulletin, today=DAY)
    db.session.commit()

    pages = ["/overdue", "/documents", "/bulletins", *(f"/tasks/{t.id}" for t in db.session.scalars(select(Task))),
             *(f"/plans/{p.id}/ledger" for p in db.session.scalars(select(Plan)))]
    links = set()
    for path in pages:
        response = coordinator.get(path)
        assert response.status_code == 200, path
        links |= set(DOCX_LINK.findall(response.text))
    register = _register()
    named: dict[str, set] = {}
    opened = 0
    for link in sorted(links):
        response = _open(coordinator, link)
        if "text/html" in response.content_type:  # the button of a task without a document: the issue page
            assert link.endswith("/notice.docx") and 'id="issue-for-task"' in response.text
            continue
        assert response.status_code == 200 and response.content_type == DOCX, link
        text = _text(response.data)
        numbers = {m.group(0): (m.group(1), int(m.group(2)), int(m.group(3))) for m in NUMBER.finditer(text)}
        assert len(numbers) == 1, (link, numbers)  # one number, the document's own
        (number, key), = numbers.items()
        assert key in register, (link, number)
        document = register[key]
        if document.task_id is not None:
            assert document.facts["task_title"] in text
            named.setdefault(number, set()).add(document.task_id)
        opened += 1
    assert opened >= 3 and any(n.startswith("督查通报") for n in {NUMBER.search(_text(_open(coordinator, link).data)).group(0)
                                                              for link in links if link.startswith("/bulletins/")})
    assert all(len(tasks) == 1 for tasks in named.values())  # no number names two tasks
    # In the register itself: each (kind, year) sequence runs 1, 2, 3… and each number is one task's.
    for prefix in ("督办", "催办", "督查通报"):
        serials = sorted(serial for (p, year, serial) in register if p == prefix)
        assert serials == list(range(1, len(serials) + 1))


def test_the_old_button_opens_the_registered_document_for_every_unit_on_the_task(seeded, on_date, browser):
    on_date(DAY)
    _scan(DAY)
    task_12 = _task("12")
    document = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.task_id == task_12.id))
    number, document_id, task_12_id = document.number, document.id, task_12.id
    # A cooperating unit of the task (added for the test) and its lead unit open it; another unit gets 403.
    lead_unit_id = task_12.lead_unit_id
    cooperating = db.session.scalar(select(Unit).where(Unit.id != lead_unit_id, Unit.id.in_(
        select(User.unit_id).where(User.role == Role.unit))).order_by(Unit.id))
    task_12.cooperating_units.append(cooperating)
    outsider = db.session.scalar(select(User).where(User.role == Role.unit, User.unit_id.not_in(
        [lead_unit_id, cooperating.id])))
    logins = {"lead": db.session.scalar(select(User.login).where(User.unit_id == lead_unit_id, User.role == Role.unit)),
              "cooperating": db.session.scalar(select(User.login).where(User.unit_id == cooperating.id,
                                                                        User.role == Role.unit)),
              "outsider": outsider.login}
    db.session.commit()
    for who in ("coordinator", "leader", logins["lead"], logins["cooperating"]):
        client = browser(who)
        assert 'id="notice-button"' in client.get(f"/tasks/{task_12_id}").text, who
        response = client.get(f"/tasks/{task_12_id}/notice.docx")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/documents/{document_id}.docx")
        assert number in _text(_open(client, f"/tasks/{task_12_id}/notice.docx").data)
    assert browser(logins["outsider"]).get(f"/tasks/{task_12_id}/notice.docx").status_code == 403
    assert browser(logins["outsider"]).get(f"/documents/{document_id}.docx").status_code == 403


def test_a_late_report_gets_its_number_from_the_register(seeded, on_date, browser):
    """A task whose only overdue item is a missing report: the button issues a 督办通知单 numbered by the
    register (the next 督办 number), which the button opens from then on."""
    on_date(DAY)
    from tracker.overdue.queries import overdue_list
    from tracker.tasks.queries import OverdueFilters

    rows = overdue_list(DAY, OverdueFilters())
    late_tasks = {row.task.id for row in rows if row.kind == "task"}
    task_id = next(row.task.id for row in rows if row.kind == "report" and row.task.id not in late_tasks)
    coordinator = browser("coordinator")
    response = coordinator.post(f"/tasks/{task_id}/documents", {"submit": "1"}, token_from=f"/tasks/{task_id}/notice.docx")
    assert response.status_code == 302
    document = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.task_id == task_id))
    assert (document.prefix, document.year, document.serial, document.facts["overdue_kind"]) == ("督办", 2026, 1, "report")
    text = _text(_open(coordinator, f"/tasks/{task_id}/notice.docx").data)
    assert "督办〔2026〕1号" in text and "尚未报送" in text
    # Issued again for the same task: a new number, never the task's id.
    coordinator.post(f"/tasks/{task_id}/documents", {"submit": "1"}, token_from=f"/tasks/{task_id}")
    assert sorted(db.session.scalars(select(SupervisionDocument.serial).where(SupervisionDocument.task_id == task_id))) == [1, 2]


def test_a_void_keeps_its_number_out_of_use_and_is_audited(seeded, on_date, browser):
    on_date(DAY)
    _scan(DAY)
    document = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.prefix == "督办")
                                 .order_by(SupervisionDocument.serial.desc()).limit(1))
    document_id, task_id, number, serial = document.id, document.task_id, document.number, document.serial
    coordinator = browser("coordinator")
    # Without a reason: refused with a message, nothing changes.
    response = coordinator.post(f"/documents/{document_id}/void", {"version": document.version, "reason": ""},
                                token_from=f"/documents/{document_id}")
    assert response.status_code == 302
    assert "请说明作废理由" in coordinator.get(f"/documents/{document_id}").text
    assert db.session.get(SupervisionDocument, document_id).state == DocumentState.issued
    response = coordinator.post(f"/documents/{document_id}/void",
                                {"version": document.version, "reason": "文书所列逾期天数有误"},
                                token_from=f"/documents/{document_id}")
    assert response.status_code == 302
    db.session.remove()
    assert db.session.get(SupervisionDocument, document_id).state == DocumentState.void
    # The unit it was addressed to is told it is void (nothing to reply), with the reason.
    from tracker.outbox.models import Notification

    voided = list(db.session.scalars(select(Notification).where(
        Notification.idempotency_key.like(f"document_voided:{task_id}:{document_id}:%"))))
    unit = db.session.get(SupervisionDocument, document_id).unit
    assert {n.recipient_email for n in voided} == set(unit.email_list)
    assert all(number in n.subject and "文书所列逾期天数有误" in n.body_text for n in voided)
    # Its Word file still says which number it was, marked void; the register lists it as void.
    assert f"{number}（已作废）" in _text(_open(coordinator, f"/documents/{document_id}.docx").data)
    assert f'data-document="{document_id}" data-state="void"' in coordinator.get("/documents?state=void").text
    # The history says who voided which number and why.
    page = coordinator.get(f"/tasks/{task_id}").text
    assert f"作废了 {number}，该文号不再使用" in page and "文书所列逾期天数有误" in page
    # The task's button no longer opens it; the next 督办通知单 gets the next number, never the void one.
    response = coordinator.post(f"/tasks/{task_id}/documents", {"submit": "1"}, token_from=f"/tasks/{task_id}")
    assert response.status_code == 302
    latest = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.task_id == task_id)
                               .order_by(SupervisionDocument.id.desc()).limit(1))
    assert latest.serial == serial + 1 and latest.prefix == "督办"
    assert f"/documents/{latest.id}.docx" in coordinator.get(f"/tasks/{task_id}/notice.docx").headers["Location"]
    # A unit may not void.
    unit_login = db.session.scalar(select(User.login).where(User.role == Role.unit))
    assert browser(unit_login).post(f"/documents/{latest.id}/void", {"reason": "x"},
                                    token_from="/").status_code == 403


def test_a_bulletin_is_numbered_by_the_register_and_a_void_sends_it_back_to_draft(seeded, on_date, browser):
    on_date(DAY)
    coordinator_user = _user("coordinator")
    may = draft_bulletin(coordinator_user, month_key="2026-05", today=DAY)
    issue_bulletin(coordinator_user, may, today=DAY)
    db.session.commit()
    entry = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.bulletin_id == may.id))
    assert entry.number == may.number == "督查通报〔2026〕1号"
    coordinator = browser("coordinator")
    coordinator.post(f"/documents/{entry.id}/void", {"version": entry.version, "reason": "月份写错"},
                     token_from=f"/documents/{entry.id}")
    db.session.remove()
    may = db.session.get(Bulletin, may.id)
    assert may.state == BulletinState.draft and may.number is None
    issue_bulletin(_user("coordinator"), may, today=DAY)
    db.session.commit()
    assert may.number == "督查通报〔2026〕2号"  # 1号 stays void
    assert "督查通报〔2026〕2号" in _text(_open(coordinator, f"/bulletins/{may.id}.docx").data)


def test_proposed_documents_wait_in_the_queue_and_are_numbered_when_issued(seeded, on_date, browser):
    on_date(DAY)
    for plan in db.session.scalars(select(Plan)):
        save_ladder_settings(_user("coordinator"), plan, sign_within_days=2, reply_within_days=5,
                             levels=[(1, ["unit"], False), (5, ["unit", "unit_head"], True),
                                     (10, ["unit", "unit_head", "leaders"], True), (15, ["unit"], False)],
                             document_mode="review")
    db.session.commit()
    _scan(DAY)
    proposed = list(db.session.scalars(select(SupervisionDocument).order_by(SupervisionDocument.id)))
    assert proposed and all(d.state == DocumentState.proposed and d.serial is None for d in proposed)
    ids = [d.id for d in proposed]
    coordinator = browser("coordinator")
    workbench = coordinator.get("/").text
    assert re.search(rf'href="/documents\?state=proposed" data-count="{len(ids)}"', workbench)
    queue = coordinator.get("/documents?state=proposed").text
    assert all(f'data-document="{i}" data-state="proposed"' in queue for i in ids)
    assert "data-confirm=" in queue  # 印发 asks first
    # Preview: the text, no number, no Word file yet; units do not see it.
    preview = coordinator.get(f"/documents/{ids[0]}").text
    assert 'id="document-text"' in preview and not NUMBER.search(preview) and 'id="issue-document"' in preview
    assert coordinator.get(f"/documents/{ids[0]}.docx").status_code == 400
    unit_login = db.session.scalar(select(User.login).where(User.unit_id == proposed[0].unit_id, User.role == Role.unit))
    assert browser(unit_login).get(f"/documents/{ids[0]}").status_code == 403
    # Issued from the queue in reverse order: numbered in the order issued.
    for position, document_id in enumerate(reversed(ids), start=1):
        version = db.session.get(SupervisionDocument, document_id).version
        response = coordinator.post(f"/documents/{document_id}/issue", {"version": version, "next": "register",
                                                                        "submit": "1"}, token_from="/documents?state=proposed")
        assert response.status_code == 302 and "/documents?state=proposed" in response.headers["Location"]
        db.session.remove()
        document = db.session.get(SupervisionDocument, document_id)
        assert document.state == DocumentState.issued and document.issued_on == DAY
        assert document.serial == position if document.prefix == "督办" else document.serial is not None
    assert re.search(r'href="/documents\?state=proposed" data-count="0"', coordinator.get("/").text)
    # Issuing twice is refused.
    version = db.session.get(SupervisionDocument, ids[0]).version
    coordinator.post(f"/documents/{ids[0]}/issue", {"version": version, "submit": "1"}, token_from=f"/documents/{ids[0]}")
    assert "已印发或已作废" in coordinator.get(f"/documents/{ids[0]}").text


def test_a_notice_issued_by_hand_is_the_ladders_document_for_that_episode(seeded, on_date, browser, app):
    """A coordinator issued the 督办通知单 of a late task from its page; when the ladder reaches 督办 for the
    same late item it takes that document: one number, one email, not a second notice."""
    on_date(DAY)
    from tracker.outbox.models import Notification
    from tracker.supervision.models import LadderStep

    task_id = _task("12").id
    coordinator = browser("coordinator")
    coordinator.post(f"/tasks/{task_id}/documents", {"submit": "1"}, token_from=f"/tasks/{task_id}/notice.docx")
    by_hand = db.session.scalar(select(SupervisionDocument).where(SupervisionDocument.task_id == task_id))
    by_hand_id, number = by_hand.id, by_hand.number
    db.session.commit()
    sent_by_hand = db.session.scalar(select(Notification.id).where(
        Notification.idempotency_key.like(f"document_issued:{task_id}:doc{by_hand_id}:%")))
    assert sent_by_hand is not None
    _scan(DAY)
    documents = list(db.session.scalars(select(SupervisionDocument).where(SupervisionDocument.task_id == task_id)))
    assert [d.number for d in documents] == [number]
    step = db.session.scalar(select(LadderStep).where(LadderStep.task_id == task_id, LadderStep.level == 3))
    assert step.document_id == by_hand_id
    # The level-4 message of the climb still goes to the unit, naming no second document.
    keys = list(db.session.scalars(select(Notification.idempotency_key).where(
        Notification.idempotency_key.like(f"%:{task_id}:task:%"))))
    assert keys and all(key.startswith("ladder_reached:") and ":4:" in key for key in keys)
