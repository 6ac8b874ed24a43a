"""The demo seed: the Xicen plan exactly as in the document, idempotent."""
from sqlalchemy import func, select

from seeds import xicen_plan
from seeds.demo import load_demo
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.plans.models import ActionGroup, Plan
from tracker.tasks.models import Task
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate

COUNTED = (Unit, User, Plan, ActionGroup, Task, StatusUpdate, AuditEvent)


def _counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED}


def test_xicen_plan_has_its_six_groups_and_sixteen_tasks(seeded):
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == "青府发〔2025〕40号"))
    assert plan.issuer == "上海市青浦区人民政府" and str(plan.period_end) == "2026-12-31"
    assert [g.label for g in plan.groups] == [
        "（一）体制机制优化行动", "（二）创新策源奠基行动", "（三）产业创新引领行动",
        "（四）科创企业卓越行动", "（五）科技服务赋能行动", "（六）科创生态培育行动"]
    tasks = db.session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.sort_key)).all()
    assert [(t.number, t.title) for t in tasks] == [(t["number"], t["title"]) for t in xicen_plan.TASKS]
    assert [t.number for t in tasks] == [str(n) for n in range(1, 17)]
    assert tasks[0].title == "加强区级统筹" and tasks[15].title == "打造绿色智慧园区"
    assert all(t.lead_unit is not None for t in tasks)


def test_seed_twice_changes_nothing(seeded):
    before = _counts()
    versions = dict(db.session.execute(select(Task.id, Task.version)).all())
    load_demo(flow_items=False)  # as ``seeded`` loaded it (the whole demo twice: tests/proposals/test_seed_items.py)
    assert _counts() == before
    assert dict(db.session.execute(select(Task.id, Task.version)).all()) == versions


def test_plan_page_shows_the_plan_in_chinese(seeded, browser):
    page = browser("leader").get("/plans/1").text
    assert "张江高新区西岑园改革创新发展行动方案" in page
    for task in xicen_plan.TASKS:
        assert f">{task['title']}</a>" in page
    assert page.count('href="/tasks/') >= 16
