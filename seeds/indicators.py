"""KPI targets (指标) of the Xicen plan (青府发〔2025〕40号), section 一、主要目标, with demo readings.

Targets are the document's own figures (all "力争到2026年"). Baselines and readings are plausible demo
values, consistent with the task updates in seeds/xicen_plan.py (e.g. task 6 reports a 46% share of
新一代信息技术 revenue for January–May 2026; task 8 reports 11 new supporting companies in the first half of 2026;
task 4 the first joint R&D platform signed in June). Readings are monthly keys; all were submitted before
the demo date 2026-06-30.

Demo design on 2026-06-30:
- every indicator has at least one accepted reading; 新增上下游及创新创业企业 is ahead of the straight-line
  path (符合序时进度), the others are behind it;
- 三大先导产业总规模 has a June reading awaiting review (待审核);
- 企业研发经费支出占营收比重 has a June reading that was returned (退回) for its 统计口径.

``load_indicators()`` is idempotent: indicators are looked up by plan doc number + name, readings by
indicator + period + submission time. It flushes but does not commit (``load_demo`` commits).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select

PLAN_DOC_NUMBER = "青府发〔2025〕40号"
TARGET_ON = date(2026, 12, 31)

INDICATORS = [
    {
        "name": "规模以上工业总产值",
        "unit_of_measure": "亿元",
        "baseline": "128.6",
        "baseline_on": date(2024, 12, 31),
        "target_value": "170",
        "target_on": TARGET_ON,
        "direction": "higher",
        "responsible": "区经委",
        "task": "8",
        "note": "园区规模以上工业企业年度总产值，按近12个月累计口径填报，来源为区统计局月度快报。",
    },
    {
        "name": "三大先导产业总规模",
        "unit_of_measure": "亿元",
        "baseline": "452",
        "baseline_on": date(2024, 12, 31),
        "target_value": "600",
        "target_on": TARGET_ON,
        "direction": "higher",
        "responsible": "区发改委",
        "task": None,
        "note": "集成电路、生物医药、人工智能三大先导产业营收规模，按近12个月累计口径。",
    },
    {
        "name": "创新平台（应用场景）",
        "unit_of_measure": "个",
        "baseline": "0",
        "baseline_on": date(2025, 10, 17),
        "target_value": "2",
        "target_on": TARGET_ON,
        "direction": "higher",
        "responsible": "区科委",
        "task": "4",
        "note": "依托主导产业链搭建的创新平台（应用场景），不少于2个；自方案印发起累计。",
    },
    {
        "name": "新增上下游及创新创业企业",
        "unit_of_measure": "家",
        "baseline": "0",
        "baseline_on": date(2025, 10, 17),
        "target_value": "20",
        "target_on": TARGET_ON,
        "direction": "higher",
        "responsible": "区经委",
        "task": "8",
        "note": "新增上下游企业及创新创业企业户数，自方案印发起累计。",
    },
    {
        "name": "新一代信息技术营收占比",
        "unit_of_measure": "%",
        "baseline": "38",
        "baseline_on": date(2024, 12, 31),
        "target_value": "50",
        "target_on": TARGET_ON,
        "direction": "higher",
        "responsible": "区经委",
        "task": "6",
        "note": "新一代信息技术产业营收占园区总营收的比重。",
    },
    {
        "name": "企业研发经费支出占营收比重",
        "unit_of_measure": "%",
        "baseline": "6.8",
        "baseline_on": date(2024, 12, 31),
        "target_value": "9",
        "target_on": TARGET_ON,
        "direction": "higher",
        "responsible": "区科委",
        "task": "5",
        "note": "园区企业研发经费支出占营业收入的比重。",
    },
]


def _r(indicator, period, value, author, submitted_at, review_state, source_note, reviewed_at=None,
       review_comment=""):
    return {"indicator": indicator, "period": period, "value": value, "author": author,
            "submitted_at": submitted_at, "review_state": review_state, "source_note": source_note,
            "reviewed_at": reviewed_at, "review_comment": review_comment,
            "reviewer": "coordinator" if review_state in ("accepted", "returned") else None}


# Beijing local times, like seeds/xicen_plan.py.
READINGS = [
    _r("规模以上工业总产值", "2025-12", "141.3", "jingwei", datetime(2026, 1, 16, 10, 20), "accepted",
       "区统计局2025年12月规模以上工业快报（全年累计）。", datetime(2026, 1, 19, 9, 30)),
    _r("规模以上工业总产值", "2026-03", "146.8", "jingwei", datetime(2026, 4, 15, 15, 5), "accepted",
       "区统计局2026年3月快报，近12个月累计。", datetime(2026, 4, 17, 11, 0)),
    _r("规模以上工业总产值", "2026-05", "151.2", "jingwei", datetime(2026, 6, 16, 9, 45), "accepted",
       "区统计局2026年5月快报，近12个月累计。", datetime(2026, 6, 18, 14, 10)),

    _r("三大先导产业总规模", "2025-12", "489", "fagaiwei", datetime(2026, 1, 20, 16, 0), "accepted",
       "区发改委汇总三大先导产业重点企业营收（2025年全年）。", datetime(2026, 1, 23, 10, 0)),
    _r("三大先导产业总规模", "2026-03", "503", "fagaiwei", datetime(2026, 4, 18, 11, 30), "accepted",
       "近12个月累计，来源为重点企业统计联网直报。", datetime(2026, 4, 21, 15, 20)),
    _r("三大先导产业总规模", "2026-06", "521", "fagaiwei", datetime(2026, 6, 26, 17, 10), "submitted",
       "近12个月累计（6月为预估数），来源为重点企业统计联网直报。"),

    _r("创新平台（应用场景）", "2026-06", "1", "kejiwei", datetime(2026, 6, 19, 15, 40), "accepted",
       "复旦大学西岑园联合研发中心已签约落地（协议编号见佐证材料）。", datetime(2026, 6, 24, 10, 15)),

    _r("新增上下游及创新创业企业", "2026-03", "7", "jingwei", datetime(2026, 4, 10, 10, 0), "accepted",
       "方案印发以来累计7家（2025年四季度2家、2026年一季度5家），名单见佐证材料。", datetime(2026, 4, 13, 9, 50)),
    _r("新增上下游及创新创业企业", "2026-06", "13", "jingwei", datetime(2026, 6, 20, 15, 0), "accepted",
       "方案印发以来累计13家（其中2026年上半年招引产业链配套企业11家），名单经区市场监管局核对。",
       datetime(2026, 6, 24, 16, 25)),

    _r("新一代信息技术营收占比", "2025-12", "42.5", "jingwei", datetime(2026, 1, 21, 14, 0), "accepted",
       "区统计局2025年园区营收结构分析。", datetime(2026, 1, 26, 10, 40)),
    _r("新一代信息技术营收占比", "2026-05", "46", "jingwei", datetime(2026, 6, 18, 10, 10), "accepted",
       "2026年1至5月园区营收结构快报。", datetime(2026, 6, 23, 15, 45)),

    _r("企业研发经费支出占营收比重", "2025-12", "7.4", "kejiwei", datetime(2026, 2, 6, 16, 30), "accepted",
       "2025年度园区企业研发费用加计扣除申报数据汇总。", datetime(2026, 2, 10, 9, 20)),
    _r("企业研发经费支出占营收比重", "2026-06", "8.6", "kejiwei", datetime(2026, 6, 25, 17, 50), "returned",
       "上半年重点企业研发投入抽样调查。",
       datetime(2026, 6, 27, 11, 5),
       "抽样口径与年度数据不一致（仅含32家重点企业），请按全部规上企业口径重新测算后报送。"),
]


def _utc(local: datetime | None) -> datetime | None:
    from tracker.common.clock import BEIJING

    return local.replace(tzinfo=BEIJING).astimezone(timezone.utc) if local else None


def load_indicators() -> dict:
    """Creates the Xicen indicators and their readings when missing; returns what exists afterwards.

    Needs the plan, units and users of the demo seed. Flushes, never commits.
    """
    from tracker.audit.services import record
    from tracker.auth.models import User
    from tracker.extensions import db
    from tracker.indicators.models import Direction, Indicator, IndicatorReading
    from tracker.plans.models import Plan
    from tracker.tasks.models import Task
    from tracker.units.models import Unit
    from tracker.updates.models import ReviewState

    plan = db.session.scalar(select(Plan).where(Plan.doc_number == PLAN_DOC_NUMBER))
    if plan is None:
        return {"indicators": 0, "readings": 0}
    units = {unit.short_name: unit for unit in db.session.scalars(select(Unit))}
    users = {user.login: user for user in db.session.scalars(select(User))}
    tasks = {task.number: task for task in db.session.scalars(select(Task).where(Task.plan_id == plan.id))}
    indicators = {indicator.name: indicator for indicator in db.session.scalars(
        select(Indicator).where(Indicator.plan_id == plan.id))}
    for data in INDICATORS:
        if data["name"] in indicators:
            continue
        indicator = Indicator(plan=plan, name=data["name"], unit_of_measure=data["unit_of_measure"],
                              baseline=Decimal(data["baseline"]), baseline_on=data["baseline_on"],
                              target_value=Decimal(data["target_value"]), target_on=data["target_on"],
                              direction=Direction(data["direction"]), responsible_unit=units[data["responsible"]],
                              task=tasks.get(data["task"]) if data["task"] else None, note=data["note"])
        db.session.add(indicator)
        indicators[indicator.name] = indicator
        record(None, "indicator.created", indicator, task_id=indicator.task.id if indicator.task else None,
               changes={"target_value": data["target_value"], "unit_of_measure": data["unit_of_measure"]},
               summary=f"{indicator.name}（演示数据）")
    existing = {(reading.indicator_id, reading.period, reading.submitted_at)
                for reading in db.session.scalars(select(IndicatorReading).where(
                    IndicatorReading.indicator_id.in_([i.id for i in indicators.values()])))}
    for data in READINGS:
        indicator, submitted_at = indicators[data["indicator"]], _utc(data["submitted_at"])
        if (indicator.id, data["period"], submitted_at) in existing:
            continue
        author = users[data["author"]]
        reading = IndicatorReading(indicator=indicator, unit=author.unit, author=author, period=data["period"],
                                   value=Decimal(data["value"]), source_note=data["source_note"],
                                   submitted_at=submitted_at, review_state=ReviewState(data["review_state"]),
                                   reviewer=users.get(data["reviewer"]) if data["reviewer"] else None,
                                   reviewed_at=_utc(data["reviewed_at"]), review_comment=data["review_comment"])
        db.session.add(reading)
        task_id = indicator.task.id if indicator.task else None
        event = record(author, "indicator_reading.submitted", reading, task_id=task_id,
                       changes={"period": reading.period, "value": data["value"]}, summary=data["source_note"])
        event.at = reading.submitted_at
        if reading.review_state != ReviewState.submitted:
            event = record(reading.reviewer, f"indicator_reading.{reading.review_state.value}", reading,
                           task_id=task_id, changes={"review_state": ["submitted", reading.review_state.value]},
                           summary=reading.review_comment)
            event.at = reading.reviewed_at
    db.session.flush()
    return {"indicators": len(indicators),
            "readings": db.session.scalar(select(db.func.count(IndicatorReading.id)).where(
                IndicatorReading.indicator_id.in_([i.id for i in indicators.values()])))}
