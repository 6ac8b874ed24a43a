"""Document import through the web: upload or paste → review screen → create everything or nothing.

Must show 1 (the Xicen plan: 6 groups, 16 tasks, six targets, every number and title), 2 (both proposal
replies with their exact metadata) and 3 (malformed uploads get a clear message and create nothing).
"""
from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from seeds import xicen_plan
from seeds.proposals import PROPOSALS
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.imports.drafts import create_draft, date_from_hint, match_units, normalise_unit_name
from tracker.imports.models import DraftState, ImportDraft
from tracker.indicators.models import Indicator
from tracker.plans.models import ActionGroup, Plan, PlanKind, PlanStatus
from tracker.proposals.models import Proposal, ProposalState
from tracker.tasks.models import ReportingCycle, Task
from tracker.units.models import Unit

DOCUMENTS = Path(__file__).resolve().parents[2] / "seeds" / "documents"
XICEN = DOCUMENTS / "xicen-action-plan-2025-2026.txt"
REPLIES = {"第0746号": DOCUMENTS / "proposal-reply-huketifu-2025-53.txt",
           "第155129号": DOCUMENTS / "proposal-reply-pukewei-2025-22.txt"}

XICEN_GROUPS = [
    ("（一）", "体制机制优化行动"),
    ("（二）", "创新策源奠基行动"),
    ("（三）", "产业创新引领行动"),
    ("（四）", "科创企业卓越行动"),
    ("（五）", "科技服务赋能行动"),
    ("（六）", "科创生态培育行动"),
]
# (number, title, group number) exactly as written in 青府发〔2025〕40号.
XICEN_TASKS = [
    ("1", "加强区级统筹", "（一）"),
    ("2", "优化协同机制", "（一）"),
    ("3", "完善运营机制", "（一）"),
    ("4", "集聚高能级创新平台", "（二）"),
    ("5", "强化关键核心技术攻关", "（二）"),
    ("6", "重点发展新一代信息技术主导产业", "（三）"),
    ("7", "打造高性能复合材料特色产业", "（三）"),
    ("8", "培育集聚优质企业", "（四）"),
    ("9", "提升中小企业创新能级", "（四）"),
    ("10", "培育发展研发服务", "（五）"),
    ("11", "优化公共配套服务", "（五）"),
    ("12", "加速科技成果落地转化", "（六）"),
    ("13", "建设多样化科技创新创业载体", "（六）"),
    ("14", "促进科技金融精准赋能", "（六）"),
    ("15", "汇聚高素质科创人才", "（六）"),
    ("16", "打造绿色智慧园区", "（六）"),
]
XICEN_TARGETS = [
    "创新平台（应用场景）",
    "新增上下游企业及创新创业企业",
    "规模以上工业总产值",
    "三大先导产业（集成电路、生物医药、人工智能）总规模",
    "新一代信息技术产业营收占园区总营收的比重",
    "企业研发经费支出占营收的比重",
]

SYNTHETIC_PLAN = """青浦区科技创新重点工作安排（2026年）

为推进科技创新，制定本安排。各牵头单位请于每季度最后一个月25日前报送工作进展。

一、主要目标

到2026年，新增高新技术企业不少于30家。

二、重点任务

（一）平台建设

1.建设概念验证中心。完成中心选址和运营团队组建。
牵头单位：区科委
配合单位：区发改委、区新兴产业促进中心
完成时限：2026年6月底前

2.推进孵化器建设。新建专业孵化器2家。
牵头单位：青浦区经济委员会
配合单位：金泽镇
完成时限：2026年三季度

（二）人才服务

3.优化人才服务。在西岑园设立人才服务站，由区人社局具体落实。

三、保障措施

加强组织领导。
"""


# --------------------------------------------------------------------------------------------------------
# A browser's view of the review form: every field with the value it would submit
# --------------------------------------------------------------------------------------------------------

class FormFields(HTMLParser):
    """Collects the successful controls of one <form id=…> as a browser would submit them."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, False
        self.fields: list[tuple[str, str]] = []
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and attrs.get("name"):
            self.select = {"name": attrs["name"], "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
            self.select["options"].append(self.option)
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = {"name": attrs["name"], "text": ""}

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea["text"] += data
        elif self.option is not None:
            self.option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option":
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea["name"], self.textarea["text"].removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            options = self.select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and not self.select["multiple"] and options:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"]
                self.fields.append((self.select["name"], value))
            self.select = None


def review_form(html: str) -> dict[str, list[str]]:
    parser = FormFields("review-form")
    parser.feed(html)
    fields: dict[str, list[str]] = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(value)
    return fields


def value(fields, name: str) -> str:
    return fields[name][0]


def option_value(html: str, select_name: str, label: str) -> str:
    """The value of the option called ``label`` in the select named ``select_name``."""
    select = re.search(rf'<select[^>]*name="{re.escape(select_name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select, select_name
    for option_value_, text in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1)):
        if text.strip() == label:
            return option_value_
    raise AssertionError(f"no option {label!r} in {select_name}")


def counts() -> dict[str, int]:
    return {name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (("plans", Plan), ("groups", ActionGroup), ("tasks", Task), ("units", Unit),
                                ("indicators", Indicator), ("drafts", ImportDraft), ("proposals", Proposal))}


def upload(browser_, kind: str, filename: str, data: bytes):
    return browser_.post("/imports/new", data={"kind": kind, "document": (io.BytesIO(data), filename)},
                         token_from="/imports/new", content_type="multipart/form-data")


def draft_id_from(response) -> int:
    assert response.status_code == 302, response.text[:2000]
    return int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))


def post_review(browser_, draft_id: int, fields: dict, button: str):
    return browser_.post(f"/imports/{draft_id}", data={**fields, button: "1"})


# --------------------------------------------------------------------------------------------------------
# Must show 1: the Xicen plan
# --------------------------------------------------------------------------------------------------------

def test_xicen_import_gives_the_documents_groups_tasks_and_targets_then_creates_them_all(seeded, browser):
    coordinator = browser("coordinator")
    before = counts()
    draft_id = draft_id_from(upload(coordinator, "plan", "西岑园行动方案.txt", XICEN.read_bytes()))
    assert counts()["plans"] == before["plans"] and counts()["tasks"] == before["tasks"]  # only a draft so far

    page = coordinator.get(f"/imports/{draft_id}")
    assert page.status_code == 200
    fields = review_form(page.text)
    assert "识别到 6 个行动、16 项任务、6 个目标。" in page.text
    assert value(fields, "plan-title") == "张江高新区西岑园改革创新发展行动方案（2025-2026年）"
    assert value(fields, "plan-doc_number") == "青府发〔2025〕40号"
    assert value(fields, "plan-issued_on") == "2025-10-17"
    assert [(value(fields, f"group-{i}-number"), value(fields, f"group-{i}-title")) for i in range(6)] == XICEN_GROUPS
    assert "group-6-title" not in fields
    shown = [(value(fields, f"task-{i}-number"), value(fields, f"task-{i}-title"),
              XICEN_GROUPS[int(value(fields, f"task-{i}-group"))][0]) for i in range(16)]
    assert shown == XICEN_TASKS
    assert "task-16-title" not in fields
    titles = [title for _, title, _ in shown]
    assert not any(word in title for title in titles for word in ("主要目标", "保障措施", "强化政策支持"))
    assert [value(fields, f"target-{i}-name") for i in range(6)] == XICEN_TARGETS
    assert value(fields, "target-2-value") == "170" and value(fields, "target-2-unit") == "亿元"
    assert 'id="unplaced"' in page.text and "未能归类的文字" in page.text
    # No assignment is written in this plan: units named in the text are only suggested, never chosen.
    assert all(value(fields, f"task-{i}-lead") == "" for i in range(16))
    assert "文中提及：" in page.text and "青西办" in page.text

    # The seeded plan has the same 文号: the review screen says so, and the coordinator must choose.
    assert "已有文号或标题相同的方案" in page.text
    response = post_review(coordinator, draft_id, fields, "apply")
    assert response.status_code == 400 and "另建一个新方案" in response.text
    assert counts() == {**before, "drafts": before["drafts"] + 1}
    fields["plan-import_mode"] = ["separate"]

    # Creating without lead units is refused with the list of tasks, and nothing is created.
    response = post_review(coordinator, draft_id, fields, "apply")
    assert response.status_code == 400
    assert "以下任务未选择牵头单位：1、2、3、4、5、6、7、8、9、10、11、12、13、14、15、16。" in response.text
    assert counts() == {**before, "drafts": before["drafts"] + 1}

    # The coordinator chooses the lead units (as in the seed), fixes one title and creates everything.
    html = page.text
    leads = {task["number"]: task["lead"] for task in xicen_plan.TASKS}
    for i, (number, _title, _group) in enumerate(XICEN_TASKS):
        fields[f"task-{i}-lead"] = [option_value(html, f"task-{i}-lead", leads[number])]
    fields["task-0-coop"] = [option_value(html, "task-0-coop", "区发改委")]
    fields["plan-targets_unit"] = [option_value(html, "plan-targets_unit", "青西办")]
    response = post_review(coordinator, draft_id, fields, "apply")
    assert response.status_code == 302, response.text[:3000]
    plan_id = int(re.search(r"/plans/(\d+)$", response.headers["Location"]).group(1))

    plan = db.session.get(Plan, plan_id)
    assert plan.kind == PlanKind.action_plan and plan.status == PlanStatus.active
    assert (plan.title, plan.doc_number, plan.issuer) == (
        "张江高新区西岑园改革创新发展行动方案（2025-2026年）", "青府发〔2025〕40号", "上海市青浦区人民政府")
    assert [(g.number, g.title) for g in plan.groups] == XICEN_GROUPS
    tasks = sorted(plan.tasks, key=lambda task: task.sort_key)
    assert [(t.number, t.title, t.group.number) for t in tasks] == XICEN_TASKS
    assert [t.lead_unit.short_name for t in tasks] == [leads[number] for number, _, _ in XICEN_TASKS]
    assert [u.short_name for u in tasks[0].cooperating_units] == ["区发改委"]
    assert all(t.due_on.isoformat() == "2026-12-31" and t.reporting_cycle == ReportingCycle.monthly for t in tasks)
    assert tasks[0].text.startswith("加强区级统筹。设立青浦区区域协调发展领导小组")
    indicators = db.session.scalars(select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.id)).all()
    assert [i.name for i in indicators] == XICEN_TARGETS
    assert {i.responsible_unit.short_name for i in indicators} == {"青西办"}
    assert float(indicators[2].target_value) == 170 and indicators[2].unit_of_measure == "亿元"
    assert plan.source_text and "青府发〔2025〕40号" in plan.source_text

    draft = db.session.get(ImportDraft, draft_id)
    assert draft.state == DraftState.applied and draft.applied_plan_id == plan.id
    applied = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import.applied")).all()
    assert len(applied) == 1 and applied[0].changes["tasks"] == 16 and applied[0].changes["indicators"] == 6
    task_events = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "task.created", AuditEvent.task_id.in_([t.id for t in tasks])))
    assert task_events == 16

    # The plan page shows what was created; the draft cannot be applied twice.
    assert "加速科技成果落地转化" in coordinator.get(f"/plans/{plan.id}").text
    again = post_review(coordinator, draft_id, fields, "apply")
    assert again.status_code in (400, 409)
    assert db.session.scalar(select(func.count()).select_from(Plan)) == before["plans"] + 1


def test_explicit_assignments_new_units_reporting_rule_and_due_dates(seeded, browser):
    coordinator = browser("coordinator")
    response = coordinator.post("/imports/new", data={"kind": "plan", "text": SYNTHETIC_PLAN},
                                token_from="/imports/new")
    draft_id = draft_id_from(response)
    page = coordinator.get(f"/imports/{draft_id}")
    fields = review_form(page.text)
    units = {unit.short_name: str(unit.id) for unit in db.session.scalars(select(Unit))}
    # Written assignments are matched by short name and by full name (青浦区经济委员会 → 区经委).
    assert value(fields, "task-0-lead") == units["区科委"]
    assert value(fields, "task-1-lead") == units["区经委"]
    assert fields["task-1-coop"] == [units["金泽镇"]]
    # An unknown cooperating unit is offered as a new unit, not dropped; task 3 has no written assignment.
    assert value(fields, "new-0-name") == "区新兴产业促进中心" and "new-0-create" not in fields
    assert sorted(fields["task-0-coop"]) == sorted([units["区发改委"], "new:0"])
    assert value(fields, "task-2-lead") == ""
    # The notice's reporting rule and the written time limits set the schedule.
    assert [value(fields, f"task-{i}-cycle") for i in range(3)] == ["quarterly"] * 3
    assert [value(fields, f"task-{i}-report_day") for i in range(3)] == ["25"] * 3
    assert [value(fields, f"task-{i}-due_on") for i in range(3)] == ["2026-06-30", "2026-09-30", "2026-12-31"]
    before = counts()

    fields["task-2-lead"] = [units["区人社局"]]
    fields["plan-targets_unit"] = [units["区科委"]]
    response = post_review(coordinator, draft_id, fields, "apply")
    assert response.status_code == 400
    assert "新单位“区新兴产业促进中心”未勾选“新建单位”" in response.text
    assert counts() == before

    fields["new-0-create"] = ["1"]
    fields["new-0-short_name"] = ["区新促中心"]
    response = post_review(coordinator, draft_id, fields, "apply")
    assert response.status_code == 302, response.text[:3000]
    plan = db.session.scalar(select(Plan).where(Plan.title == "青浦区科技创新重点工作安排（2026年）"))
    tasks = sorted(plan.tasks, key=lambda task: task.sort_key)
    assert [t.lead_unit.short_name for t in tasks] == ["区科委", "区经委", "区人社局"]
    assert [u.short_name for u in tasks[0].cooperating_units] == ["区发改委", "区新促中心"]
    assert tasks[0].reporting_cycle == ReportingCycle.quarterly and tasks[0].report_day == 25
    assert counts()["units"] == before["units"] + 1
    assert db.session.scalar(select(Unit).where(Unit.short_name == "区新促中心")).name == "区新兴产业促进中心"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "unit.created", AuditEvent.summary == "区新兴产业促进中心")) == 1


def test_a_one_task_form_creates_one_task_with_its_quarterly_milestones_as_sub_tasks(seeded, browser):
    """光明新区's one-task form (real corpus 30): the review shows one task and its four quarterly milestones, no
    indicator; applying creates the task and one sub-task per quarter, due at the quarter's end, with its units."""
    form = Path(__file__).resolve().parent / "real_corpus" / "30-guangming-minsheng-2017.txt"
    coordinator = browser("coordinator")
    draft_id = draft_id_from(upload(coordinator, "plan", form.name, form.read_bytes()))
    page = coordinator.get(f"/imports/{draft_id}")
    fields = review_form(page.text)
    assert value(fields, "task-0-title") == "内衣基地、模具基地绿化景观提升工程" and "task-1-title" not in fields
    assert not any(name.startswith("target-") for name in fields)
    assert "2017-03-31 完成设计招标工作" in page.text and "2017-12-31 完成概预算审批，进行施工招标" in page.text
    assert [value(fields, f"new-{i}-name") for i in range(4)] == ["新区城市管理局", "新区审计局", "新区发展和财政局",
                                                                "马田办事处"]
    for i in range(4):
        fields[f"new-{i}-create"] = ["1"]
    before = counts()
    response = post_review(coordinator, draft_id, fields, "apply")
    assert response.status_code == 302, response.text[:3000]
    plan = db.session.scalar(select(Plan).where(Plan.title == "光明新区2017年民生实事：公园建设和环境提升（7项）"))
    task = next(task for task in plan.tasks if task.parent_id is None)
    assert counts()["tasks"] == before["tasks"] + 5 and counts()["indicators"] == before["indicators"]
    assert (task.number, task.lead_unit.short_name, task.due_on.isoformat()) == ("1", "新区城市管理局", "2017-12-31")
    milestones = sorted(task.children, key=lambda child: child.sort_key)
    assert [(m.number, m.title, m.due_on.isoformat()) for m in milestones] == [
        ("1.1", "完成设计招标工作", "2017-03-31"), ("1.2", "完成设计方案，编制概预算", "2017-06-30"),
        ("1.3", "完成设计施工图纸，进行施工招标", "2017-09-30"), ("1.4", "完成概预算审批，进行施工招标", "2017-12-31")]
    assert {m.lead_unit_id for m in milestones} == {task.lead_unit_id}
    assert all(sorted(u.short_name for u in m.cooperating_units) == sorted(["新区审计局", "新区发展和财政局", "马田办事处"])
               for m in milestones)


def xicen_draft_with_leads(coordinator) -> tuple[int, dict]:
    """A Xicen draft and its review form with every lead unit chosen as in the seed."""
    draft_id = draft_id_from(upload(coordinator, "plan", "xicen.txt", XICEN.read_bytes()))
    html = coordinator.get(f"/imports/{draft_id}").text
    fields = review_form(html)
    leads = {task["number"]: task["lead"] for task in xicen_plan.TASKS}
    for i, (number, _title, _group) in enumerate(XICEN_TASKS):
        fields[f"task-{i}-lead"] = [option_value(html, f"task-{i}-lead", leads[number])]
    fields["plan-targets_unit"] = [option_value(html, "plan-targets_unit", "青西办")]
    fields["plan-import_mode"] = ["separate"]  # the seeded plan has the same 文号
    return draft_id, fields


def test_a_failure_part_way_through_creates_nothing(seeded, browser):
    coordinator = browser("coordinator")
    draft_id, fields = xicen_draft_with_leads(coordinator)
    before = counts()
    import_events = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(("import.applied", "indicator.created")))
    events_before = db.session.scalar(import_events)  # the demo seed's own indicators
    # Found before anything is written: two tasks with the same number.
    response = post_review(coordinator, draft_id, {**fields, "task-1-number": ["1"]}, "apply")
    assert response.status_code == 400 and "任务序号重复：1。" in response.text
    assert counts() == before
    # Found by the indicator service after the plan, its 6 groups and 16 tasks were written:
    # two targets with the same name. All of it is rolled back.
    response = post_review(coordinator, draft_id, {**fields, "target-1-name": [XICEN_TARGETS[0]]}, "apply")
    assert response.status_code == 400 and f"本方案中已有名为“{XICEN_TARGETS[0]}”的指标" in response.text
    assert counts() == before
    assert db.session.get(ImportDraft, draft_id).state == DraftState.draft
    assert db.session.scalar(import_events) == events_before
    # Unticking the duplicate target lets the same draft go through.
    fields.pop("target-1-create")
    assert post_review(coordinator, draft_id, fields, "apply").status_code == 302
    assert counts()["tasks"] == before["tasks"] + 16 and counts()["indicators"] == before["indicators"] + 5


def test_a_new_unit_clashing_with_the_register_is_refused(seeded, browser):
    coordinator = browser("coordinator")
    draft_id = draft_id_from(coordinator.post("/imports/new", data={"kind": "plan", "text": SYNTHETIC_PLAN},
                                              token_from="/imports/new"))
    fields = review_form(coordinator.get(f"/imports/{draft_id}").text)
    units = {unit.short_name: str(unit.id) for unit in db.session.scalars(select(Unit))}
    fields.update({"task-2-lead": [units["区人社局"]], "new-0-create": ["1"], "plan-targets_unit": [units["区科委"]],
                   "new-0-name": ["青浦区科学技术委员会"]})
    before = counts()
    response = post_review(coordinator, draft_id, fields, "apply")
    assert response.status_code == 400 and "单位名称或简称与“青浦区科学技术委员会”重复" in response.text
    assert counts() == before


def test_review_edits_are_kept_and_a_stale_form_is_refused(seeded, browser):
    coordinator = browser("coordinator")
    draft_id = draft_id_from(coordinator.post("/imports/new", data={"kind": "plan", "text": SYNTHETIC_PLAN},
                                              token_from="/imports/new"))
    fields = review_form(coordinator.get(f"/imports/{draft_id}").text)
    stale = dict(fields)
    fields["task-0-title"] = ["建设青浦概念验证中心"]
    fields["task-2-skip"] = ["1"]
    assert post_review(coordinator, draft_id, fields, "save").status_code == 302
    kept = review_form(coordinator.get(f"/imports/{draft_id}").text)
    assert value(kept, "task-0-title") == "建设青浦概念验证中心" and kept["task-2-skip"] == ["1"]
    response = post_review(coordinator, draft_id, stale, "apply")
    assert response.status_code == 409 and "该记录已被他人修改" in response.text
    assert counts()["plans"] == 1


def test_discarding_a_draft_creates_nothing(seeded, browser):
    coordinator = browser("coordinator")
    draft_id = draft_id_from(upload(coordinator, "plan", "plan.txt", XICEN.read_bytes()))
    before = counts()
    fields = review_form(coordinator.get(f"/imports/{draft_id}").text)
    response = post_review(coordinator, draft_id, fields, "discard")
    assert response.status_code == 302
    assert counts() == before
    assert db.session.get(ImportDraft, draft_id).state == DraftState.discarded
    page = coordinator.get(f"/imports/{draft_id}")
    assert "该草稿已放弃" in page.text and 'name="apply"' not in page.text
    assert "已放弃" in coordinator.get("/imports/").text


@pytest.mark.parametrize("login", ["qingxiban", "leader"])
def test_only_coordinators_and_admins_import(seeded, browser, login):
    user = browser(login)
    assert user.get("/imports/new").status_code == 403
    assert user.get("/imports/").status_code == 403
    page = user.get("/plans/").text  # no link to document import (a unit's menu has 用Excel报送进展, /imports/progress)
    assert 'href="/imports/"' not in page and "/imports/new" not in page
    assert browser("admin").get("/imports/new").status_code == 200


# --------------------------------------------------------------------------------------------------------
# Must show 2: both proposal replies with their exact metadata
# --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("number", list(REPLIES))
def test_proposal_replies_import_with_their_exact_metadata(seeded, browser, number):
    expected = next(p for p in PROPOSALS if p["number"] == number)
    coordinator = browser("coordinator")
    draft_id = draft_id_from(upload(coordinator, "proposal_reply", REPLIES[number].name,
                                    REPLIES[number].read_bytes()))
    page = coordinator.get(f"/imports/{draft_id}")
    fields = review_form(page.text)
    assert value(fields, "reply-reply_doc_number") == expected["reply_doc_number"]
    assert value(fields, "reply-meeting") == expected["meeting"]
    main_unit = db.session.scalar(select(Unit).where(Unit.short_name == expected["main_unit"]))
    assert value(fields, "reply-main_unit") == str(main_unit.id)  # the replying body, matched by full name
    if expected["co_units"]:
        fields["reply-co_units"] = [option_value(page.text, "reply-co_units", name) for name in expected["co_units"]]
    response = post_review(coordinator, draft_id, fields, "apply")
    assert response.status_code == 302, response.text[:3000]

    proposal = db.session.scalar(select(Proposal).where(Proposal.number == number))
    assert proposal.reply_doc_number == expected["reply_doc_number"]
    assert proposal.meeting == expected["meeting"]
    assert proposal.number == expected["number"]
    assert proposal.title == expected["title"]
    assert proposal.proposers == expected["proposers"]
    assert proposal.result_category == expected["result_category"]
    assert proposal.publicity == expected["publicity"]
    assert proposal.reply_on == expected["reply_date"]
    assert (proposal.contact_name, proposal.contact_phone, proposal.contact_address) == (
        expected["contact_name"], expected["contact_phone"], expected["contact_address"])
    assert proposal.main_unit.short_name == expected["main_unit"]
    assert [unit.short_name for unit in proposal.co_units] == expected["co_units"]
    assert proposal.state == ProposalState.replied
    assert proposal.commitments and proposal.reply_text.startswith(("你们提出的", "您提出的"))
    detail = coordinator.get(response.headers["Location"])
    assert expected["reply_doc_number"] in detail.text and expected["contact_phone"] in detail.text


def test_a_reply_for_a_registered_proposal_updates_it(seeded, browser):
    from seeds.load_proposals import load_proposals

    load_proposals()
    db.session.commit()
    registered = db.session.scalar(select(Proposal).where(Proposal.number == "第0746号"))
    registered.contact_phone = "00000000"
    co_unit_ids = sorted(str(unit.id) for unit in registered.co_units)
    db.session.commit()
    items = db.session.scalar(select(func.count()).select_from(Proposal))
    coordinator = browser("coordinator")
    draft_id = draft_id_from(upload(coordinator, "proposal_reply", "reply.txt", REPLIES["第0746号"].read_bytes()))
    page = coordinator.get(f"/imports/{draft_id}")
    assert "已登记同一会议、同一编号的提案" in page.text
    fields = review_form(page.text)
    assert sorted(fields["reply-co_units"]) == co_unit_ids
    assert post_review(coordinator, draft_id, fields, "apply").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == items  # completed, not duplicated
    assert db.session.scalar(select(Proposal).where(Proposal.number == "第0746号")).contact_phone == "23119322"


# --------------------------------------------------------------------------------------------------------
# Must show 3: malformed uploads get a clear message and create nothing
# --------------------------------------------------------------------------------------------------------

def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


MALFORMED = [
    ("empty.txt", b"", "文件为空。"),
    ("binary.txt", bytes(range(256)) * 64, "可能是二进制文件"),
    ("zip-bomb.docx", _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (30 * 1024 * 1024)}),
     "疑似压缩炸弹"),
    ("not-a-docx.docx", b"PK\x03\x04 this is not really a zip archive" * 50, "不是有效的 Word（.docx）文档"),
    ("plain-zip.docx", _zip({"readme.txt": b"hello"}), "不是有效的 Word（.docx）文档"),
    ("broken.pdf", b"%PDF-1.7\n garbage", "PDF 文件无法解析"),
    ("legacy.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "不支持旧版 Word"),
]


@pytest.mark.parametrize("filename, data, message", MALFORMED, ids=[row[0] for row in MALFORMED])
def test_malformed_uploads_get_a_clear_message_and_create_nothing(seeded, browser, filename, data, message):
    coordinator = browser("coordinator")
    before = counts()
    response = upload(coordinator, "plan", filename, data)
    assert response.status_code == 400
    assert message in response.text
    assert counts() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("import.%"))) == 0


def test_a_50_mb_upload_is_refused_with_a_message_and_creates_nothing(seeded, browser, app):
    coordinator = browser("coordinator")
    before = counts()
    response = upload(coordinator, "plan", "huge.txt", b"a" * (50 * 1024 * 1024))
    assert response.status_code == 413
    assert "上传的文件过大，请上传不超过10 MB的文件。" in response.text
    assert counts() == before
    # Where the request limit is higher, the import's own limit still refuses it with its size.
    with pytest.raises(Exception) as refused:
        create_draft(None, "plan", "huge.txt", data=b"a" * (50 * 1024 * 1024))
    assert "文件过大（50.0 MB），上限为 10.0 MB。" in str(refused.value.message)
    db.session.rollback()
    assert counts() == before


def test_an_upload_form_with_nothing_in_it_says_what_is_missing(seeded, browser):
    coordinator = browser("coordinator")
    response = coordinator.post("/imports/new", data={"kind": "plan", "text": "   "}, token_from="/imports/new")
    assert response.status_code == 400 and "请上传文件或粘贴文本。" in response.text
    assert counts()["drafts"] == 0


# --------------------------------------------------------------------------------------------------------
# Unit names and time limits
# --------------------------------------------------------------------------------------------------------

def test_unit_names_match_by_full_name_short_name_or_abbreviation(seeded):
    ids = {unit.short_name: unit.id for unit in db.session.scalars(select(Unit))}
    names = ["区科委", "青浦区科委", "青浦区科学技术委员会", "上海市青浦区科学技术委员会", "上海市科学技术委员会",
             "市科委", "市发展改革委", "上海市发展和改革委员会", "区发展改革委", "青浦区金泽镇人民政府", "金泽镇",
             "青浦区经委", "上海青浦科创集团有限公司", "区不存在局", "区科委"]
    matched, unknown = match_units(names)
    assert matched == [ids["区科委"], ids["市科委"], ids["市发展改革委"], ids["区发改委"], ids["金泽镇"],
                       ids["区经委"], ids["青浦科创集团"]]
    assert unknown == ["区不存在局"]
    assert normalise_unit_name("上海市普陀区科学技术委员会") == normalise_unit_name("普陀区科委")
    assert normalise_unit_name("区科委") != normalise_unit_name("市科委")


@pytest.mark.parametrize("hint, default_year, expected", [
    ("2026年6月底前", None, "2026-06-30"),
    ("2026年三季度", None, "2026-09-30"),
    ("2025年二季度", None, "2025-06-30"),
    ("2026年底前", None, "2026-12-31"),
    ("2026年上半年", None, "2026-06-30"),
    ("2025年10月17日", None, "2025-10-17"),
    ("二季度", 2025, "2025-06-30"),
    ("年底前", 2026, "2026-12-31"),
    ("长期坚持", 2026, None),
    (None, 2026, None),
])
def test_time_limits_become_due_dates(hint, default_year, expected):
    result = date_from_hint(hint, default_year)
    assert (result.isoformat() if result else None) == expected
