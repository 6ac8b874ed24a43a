"""Must show 4: the six Xicen indicators exist with their targets; a reading submitted and accepted moves
the progress shown on the indicator page."""
from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from seeds.indicators import load_indicators
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.indicators.models import Direction, Indicator, IndicatorReading
from tracker.indicators.services import expected_value, progress, review_reading, save_indicator
from tracker.plans.models import Plan
from tracker.tasks.models import Task

DAY = date(2026, 6, 30)
XICEN_TARGETS = {
    "规模以上工业总产值": ("170", "亿元"),
    "三大先导产业总规模": ("600", "亿元"),
    "创新平台（应用场景）": ("2", "个"),
    "新增上下游及创新创业企业": ("20", "家"),
    "新一代信息技术营收占比": ("50", "%"),
    "企业研发经费支出占营收比重": ("9", "%"),
}


@pytest.fixture
def indicators(seeded, on_date):
    on_date(DAY)
    load_indicators()
    db.session.commit()
    return {i.name: i for i in db.session.scalars(select(Indicator))}


def shown_percent(page_html: str) -> str:
    match = re.search(r'id="progress" data-percent="([^"]*)"', page_html)
    assert match, "indicator page shows no progress"
    return match.group(1)


def test_the_six_xicen_indicators_exist_with_their_targets(indicators, browser):
    assert {name: (f"{i.target_value.normalize():f}", i.unit_of_measure) for name, i in indicators.items()} \
        == XICEN_TARGETS
    for indicator in indicators.values():
        assert indicator.target_on == date(2026, 12, 31)
        assert indicator.direction == Direction.higher
        assert indicator.plan.doc_number == "青府发〔2025〕40号"
        assert indicator.responsible_unit is not None
    page = browser("leader").get("/indicators")
    assert page.status_code == 200
    for name, (target, unit) in XICEN_TARGETS.items():
        row = re.search(rf'data-indicator="{re.escape(name)}".*?</tr>', page.text, re.S).group(0)
        assert f'class="text-end target">{target}{unit}<' in row, name


def test_loading_the_indicators_twice_changes_nothing(indicators):
    readings = db.session.scalar(select(func.count(IndicatorReading.id)))
    assert load_indicators() == {"indicators": 6, "readings": readings}
    db.session.commit()
    assert db.session.scalar(select(func.count(Indicator.id))) == 6
    assert db.session.scalar(select(func.count(IndicatorReading.id))) == readings


def test_seeded_readings_give_plausible_progress(indicators):
    output = indicators["规模以上工业总产值"]
    state = progress(output, DAY)
    assert state.current == Decimal("151.2") and state.current_period == "2026-05"
    assert state.percent == round(float((Decimal("151.2") - Decimal("128.6")) / (Decimal("170") - Decimal("128.6")) * 100), 1)
    # The June reading of 三大先导产业 awaits review and the June 研发 reading was returned: neither counts.
    assert progress(indicators["三大先导产业总规模"], DAY).current_period == "2026-03"
    assert progress(indicators["企业研发经费支出占营收比重"], DAY).current == Decimal("7.4")
    assert progress(indicators["新增上下游及创新创业企业"], DAY).state == "on_track"


def test_accepted_reading_moves_the_progress_shown(indicators, browser):
    indicator = indicators["规模以上工业总产值"]
    url = f"/indicators/{indicator.id}"
    before = shown_percent(browser("leader").get(url).text)
    assert before == "54.6"

    unit_user = browser("jingwei")  # 区经委, the responsible unit
    form_page = unit_user.get(f"{url}/readings/new")
    assert form_page.status_code == 200
    response = unit_user.post(f"{url}/readings/new", token_from=f"{url}/readings/new", data={
        "period": "2026-06", "value": "158.4", "source_note": "区统计局2026年6月快报，近12个月累计。",
        "evidence": (io.BytesIO(b"%PDF-1.4 demo"), "6月快报.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert shown_percent(browser("leader").get(url).text) == before  # submitted, not yet accepted

    coordinator = browser("coordinator")
    page = coordinator.get(url).text
    reading = db.session.scalar(select(IndicatorReading).where(IndicatorReading.indicator_id == indicator.id,
                                                               IndicatorReading.period == "2026-06"))
    assert f'id="pending-{reading.id}"' in page and "6月快报.pdf" in page
    response = coordinator.post(f"/indicators/readings/{reading.id}/review", token_from=url,
                                data={"accept": "1", "version": reading.version, "comment": ""})
    assert response.status_code == 302

    after = shown_percent(browser("leader").get(url).text)
    expected = (Decimal("158.4") - Decimal("128.6")) / (Decimal("170") - Decimal("128.6")) * 100
    assert after == f"{round(float(expected), 1)}" == "72.0"
    page = browser("leader").get(url).text
    assert "158.4亿元" in page and 'data-period="2026-06"' in page
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "indicator_readings",
                                                                      AuditEvent.object_id == reading.id)))
    assert actions == {"indicator_reading.submitted", "indicator_reading.accepted"}


def test_return_needs_a_comment_and_a_returned_reading_does_not_count(indicators, browser):
    indicator = indicators["创新平台（应用场景）"]
    url = f"/indicators/{indicator.id}"
    kejiwei = browser("kejiwei")
    assert kejiwei.post(f"{url}/readings/new", token_from=f"{url}/readings/new", data={
        "period": "2026-06", "value": "2", "source_note": "智慧城市解决方案中心揭牌。"}).status_code == 302
    reading = db.session.scalar(select(IndicatorReading).where(IndicatorReading.indicator_id == indicator.id,
                                                               IndicatorReading.review_state == "submitted"))
    coordinator = browser("coordinator")
    response = coordinator.post(f"/indicators/readings/{reading.id}/review", token_from=url,
                                data={"reject": "1", "version": reading.version, "comment": " "},
                                follow_redirects=True)
    assert "退回时必须填写审核意见" in response.text
    db.session.expire_all()
    assert db.session.get(IndicatorReading, reading.id).review_state.value == "submitted"
    coordinator.post(f"/indicators/readings/{reading.id}/review", token_from=url,
                     data={"reject": "1", "version": reading.version, "comment": "尚未揭牌，请核实。"})
    page = browser("leader").get(url).text
    assert shown_percent(page) == "50.0"  # still the accepted 1 of 2
    assert "尚未揭牌，请核实。" in page


def test_who_may_submit_a_reading(indicators, browser):
    output = indicators["规模以上工业总产值"]  # 区经委
    assert browser("kejiwei").get(f"/indicators/{output.id}/readings/new").status_code == 403
    assert browser("leader").get(f"/indicators/{output.id}/readings/new").status_code == 403
    # Linked to task 12 (lead 区科委, cooperating 区财政局) without a responsible unit: the lead unit reports.
    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    task_12 = db.session.scalar(select(Task).where(Task.number == "12"))
    plan = db.session.scalar(select(Plan))
    linked = save_indicator(coordinator, plan, name="拨投结合试点项目", unit_of_measure="个", baseline="0",
                            target_value="3", target_on=date(2026, 12, 31), task_id=task_12.id)
    db.session.commit()
    url = f"/indicators/{linked.id}"
    assert browser("kejiwei").get(f"{url}/readings/new").status_code == 200
    assert browser("caizhengju").get(f"{url}/readings/new").status_code == 403
    assert browser("caizhengju").get(url).status_code == 200  # cooperating unit of the task: may read
    assert browser("shangwuwei").get(url).status_code == 403
    assert browser("kejiwei").get("/indicators/9999").status_code == 404


def test_bad_reading_input_is_refused_with_a_message(indicators, browser):
    indicator = indicators["新增上下游及创新创业企业"]
    url = f"/indicators/{indicator.id}/readings/new"
    jingwei = browser("jingwei")
    response = jingwei.post(url, token_from=url, data={"period": "2026-06", "value": "十几家", "source_note": "x"})
    assert response.status_code == 400 and "须为数字" in response.text
    response = jingwei.post(url, token_from=url, data={"period": "2027-01", "value": "15", "source_note": "x"})
    assert response.status_code == 400
    response = jingwei.post(url, token_from=url, data={"period": "2026-06", "value": "15", "source_note": ""})
    assert response.status_code == 400 and "请填写数据来源" in response.text
    assert db.session.scalar(select(func.count(IndicatorReading.id)).where(
        IndicatorReading.indicator_id == indicator.id, IndicatorReading.period == "2026-06",
        IndicatorReading.review_state == "submitted")) == 0


def test_coordinator_defines_an_indicator_and_unit_users_cannot(indicators, browser):
    plan = db.session.scalar(select(Plan))
    url = f"/plans/{plan.id}/indicators/new"
    assert browser("jingwei").get(url).status_code == 403
    coordinator = browser("coordinator")
    response = coordinator.post(url, token_from=url, data={
        "name": "单位产值能耗", "unit_of_measure": "吨标煤/万元", "baseline": "0.32", "target_value": "0.28",
        "target_on": "2026-12-31", "direction": "lower", "task_id": "0", "responsible_unit_id": str(
            indicators["规模以上工业总产值"].responsible_unit_id), "note": ""})
    assert response.status_code == 302
    created = db.session.scalar(select(Indicator).where(Indicator.name == "单位产值能耗"))
    assert created.direction == Direction.lower and created.target_value == Decimal("0.28")
    response = coordinator.post(url, token_from=url, data={
        "name": "单位产值能耗", "baseline": "1", "target_value": "2", "target_on": "2026-12-31",
        "direction": "higher", "task_id": "0", "responsible_unit_id": "0"})
    assert response.status_code == 400 and "已有名为" in response.text


def test_progress_rules(indicators):
    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    plan = db.session.scalar(select(Plan))
    energy = save_indicator(coordinator, plan, name="能耗", unit_of_measure="", baseline="1.0",
                            baseline_on=date(2026, 1, 1), target_value="0.5", target_on=date(2026, 12, 31),
                            direction=Direction.lower, responsible_unit_id=indicators["三大先导产业总规模"].responsible_unit_id)
    db.session.flush()
    # Expected path: straight line from the baseline to the target; flat outside.
    assert expected_value(energy, date(2025, 6, 1)) == Decimal("1.0")
    assert expected_value(energy, date(2027, 6, 1)) == Decimal("0.5")
    assert Decimal("0.74") < expected_value(energy, date(2026, 7, 2)) < Decimal("0.76")
    author = db.session.scalar(select(User).where(User.login == "fagaiwei"))
    reading = IndicatorReading(indicator=energy, unit_id=author.unit_id, author_id=author.id, period="2026-06",
                               value=Decimal("0.8"), source_note="测算")
    db.session.add(reading)
    db.session.flush()
    assert progress(energy, DAY).current is None  # not reviewed yet
    with pytest.raises(PermissionDenied):
        review_reading(author, reading, decision="accept")
    with pytest.raises(ValidationFailed):
        review_reading(coordinator, reading, decision="return", comment="")
    review_reading(coordinator, reading, decision="accept")
    state = progress(energy, DAY)
    assert state.percent == 40.0 and not state.achieved and state.state == "behind"  # 0.8 > path 0.75
    with pytest.raises(ValidationFailed):
        save_indicator(coordinator, plan, name="x", unit_of_measure="", baseline="a", target_value="1",
                       target_on=date(2026, 12, 31), responsible_unit_id=author.unit_id)
