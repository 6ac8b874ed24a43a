"""Public progress pages (政务公开): a plan marked 主动公开 is readable without login, with its tasks'
lead units, due dates, states, progress and the latest accepted report's text, and nothing internal:
no review comment, no returned report, no person's name or contact (each seeded below in a place a
careless page would show it). Drafts and plans not marked answer 404; the page is kept per data version."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from seeds import xicen_plan
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.plans.services import save_plan
from tracker.public import views as public_views
from tracker.tasks.models import Task
from tracker.units.models import Unit
from tracker.updates.models import ReviewState, StatusUpdate

DAY = date(2026, 6, 30)
COMMENT = "内部意见请勿外传甲乙丙"
RETURNED_TEXT = "被退回的报送正文丁戊己"
PERSON = "欧阳明远"
CONTACT_PERSON = "司马青衫"
MOBILE, LANDLINE, EMAIL = "13912345678", "021-59731234", "ouyang.mingyuan@example.gov.cn"


def _xicen() -> Plan:
    return db.session.scalar(select(Plan).where(Plan.doc_number == xicen_plan.PLAN["doc_number"]))


def _publish(plan: Plan, public: bool = True) -> None:
    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    save_plan(coordinator, plan, title=plan.title, short_name=plan.short_name, doc_number=plan.doc_number,
              issuer=plan.issuer, issued_on=plan.issued_on, period_start=plan.period_start,
              period_end=plan.period_end, kind=plan.kind, status=plan.status, is_public=public)
    db.session.commit()


def _seed_secrets(plan: Plan) -> Task:
    """Task 4's latest accepted update gets a review comment and a text naming a person and contacts;
    its author is renamed to a person; its lead unit gets a contact person and phone; a returned update
    is added as its newest update."""
    task = db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == "4"))
    accepted = db.session.scalar(select(StatusUpdate).where(
        StatusUpdate.task_id == task.id, StatusUpdate.unit_id == task.lead_unit_id,
        StatusUpdate.review_state == ReviewState.accepted).order_by(StatusUpdate.id.desc()))
    accepted.review_comment = COMMENT
    accepted.progress_text = f"平台建设稳步推进。联系人{PERSON}，电话{MOBILE}，座机{LANDLINE}，邮箱{EMAIL}。"
    accepted.author.display_name = PERSON
    unit = db.session.get(Unit, task.lead_unit_id)
    unit.contact_person, unit.phone, unit.notification_emails = CONTACT_PERSON, LANDLINE, EMAIL
    db.session.add(StatusUpdate(task_id=task.id, unit_id=task.lead_unit_id, author_id=accepted.author_id,
                                period="2026-06", progress_text=RETURNED_TEXT, percent=99,
                                review_state=ReviewState.returned, review_comment=COMMENT))
    db.session.commit()
    return task


def test_a_public_plan_shows_progress_and_nothing_internal(seeded, on_date, client):
    on_date(DAY)
    plan = _xicen()
    task = _seed_secrets(plan)
    _publish(plan)
    plan_id, plan_title, shown = plan.id, plan.title, (task.title, task.lead_unit.name, f"{task.progress}%")
    page = client.get(f"/public/plans/{plan_id}")  # no login
    assert page.status_code == 200
    html = page.text
    assert plan_title in html and all(value in html for value in shown)
    assert "平台建设稳步推进" in html  # the accepted report's text
    for secret in (COMMENT, RETURNED_TEXT, PERSON, CONTACT_PERSON, MOBILE, LANDLINE, "59731234", EMAIL,
                   "example.gov.cn"):
        assert secret not in html, secret
    # The names of every user and every unit contact person, and the submitted reports' texts, too.
    for name in db.session.scalars(select(User.display_name)):
        assert name not in html, name
    for submitted in db.session.scalars(select(StatusUpdate.progress_text).where(
            StatusUpdate.review_state == ReviewState.submitted)):
        assert submitted[:20] not in html
    assert "csrf_token" not in html and "Set-Cookie" not in page.headers
    index = client.get("/public")
    assert index.status_code == 200 and f'href="/public/plans/{plan_id}"' in index.text


def test_plans_not_marked_and_drafts_answer_404(seeded, on_date, client):
    on_date(DAY)
    plan = _xicen()
    plan_id = plan.id
    assert client.get(f"/public/plans/{plan_id}").status_code == 404  # not marked 主动公开
    assert f'/public/plans/{plan_id}"' not in client.get("/public").text
    _publish(_xicen())
    assert client.get(f"/public/plans/{plan_id}").status_code == 200
    plan = _xicen()
    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    save_plan(coordinator, plan, title=plan.title, status=PlanStatus.draft)  # is_public kept, but a draft
    db.session.commit()
    assert db.session.get(Plan, plan_id).is_public
    assert client.get(f"/public/plans/{plan_id}").status_code == 404
    assert client.get("/public/plans/99999999").status_code == 404
    assert client.get("/public/plans/99999999999999999999").status_code == 404


def test_marking_a_plan_public_is_audited_and_on_the_plan_form(seeded, on_date, browser):
    on_date(DAY)
    plan = _xicen()
    coordinator = browser("coordinator")
    plan_id = plan.id
    form = coordinator.get(f"/plans/{plan_id}/edit")
    assert 'name="is_public"' in form.text and "主动公开" in form.text
    _publish(_xicen())
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.updated",
                                                        AuditEvent.object_id == plan_id)
                               .order_by(AuditEvent.id.desc())).first()
    assert event.changes["is_public"] == [False, True]


def test_the_page_is_kept_per_data_version(seeded, on_date, client):
    on_date(DAY)
    public_views.PAGES.clear()
    plan = _xicen()
    _publish(plan)
    plan_id = plan.id
    first = client.get(f"/public/plans/{plan_id}")
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"]
    assert client.get(f"/public/plans/{plan_id}", headers={"If-None-Match": etag}).status_code == 304
    rendered = []
    original = public_views.render_template
    public_views.render_template = lambda *a, **k: rendered.append(a[0]) or original(*a, **k)
    try:
        assert client.get(f"/public/plans/{plan_id}").text == first.text
        assert rendered == []  # served from the process's cache
        # A change (an audit event) is shown at once: a new data version, a new rendering.
        task = db.session.scalar(select(Task).where(Task.plan_id == plan_id, Task.number == "1"))
        coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
        from tracker.audit.services import record

        task.title = "改名后的任务标题"
        record(coordinator, "task.updated", task, task_id=task.id, changes={"title": ["x", task.title]})
        db.session.commit()
        again = client.get(f"/public/plans/{plan_id}")
        assert rendered == ["public/plan.html"] and "改名后的任务标题" in again.text
        assert again.headers["ETag"] != etag
    finally:
        public_views.render_template = original
