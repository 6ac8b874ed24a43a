"""Must show: the whole journey in a real browser (headless Chromium), in Chinese, with no network access.

A unit user (jingwei, 区经委, lead unit of task 7) opens 我的任务 and reports progress with a PDF as
evidence; the coordinator returns it (退回修改) with a comment; the unit sees the comment on 我的任务 and
resubmits; the coordinator accepts it (采纳); the leader opens the overdue list (逾期清单), where task 7's
June report no longer appears, and downloads the export. A screenshot after each step is kept under
test-artifacts/journey/NN-name.png."""
from __future__ import annotations

import csv
import hashlib
import io
import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import ARTIFACTS, go_by_menu
from tracker.extensions import db
from tracker.tasks.models import Task
from tracker.updates.models import EvidenceFile, ReviewState, StatusUpdate

SCREENSHOTS = ARTIFACTS / "journey"
RETURN_COMMENT = "请补充签约金额和项目落地时间。"


def small_pdf() -> bytes:
    """A minimal, valid one-page PDF (offsets computed, so readers accept it)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>"]
    stream = b"BT /F1 12 Tf 20 50 Td (Duban evidence) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


class Screenshots:
    def __init__(self):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob("*.png"):  # a previous run's pictures would mislead
            old.unlink()
        self.taken: list[str] = []

    def take(self, page, name: str) -> None:
        path = SCREENSHOTS / f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path.name)


def fresh_updates(task_id: int) -> list[StatusUpdate]:
    """The task's updates as the server committed them (the server threads have their own sessions)."""
    db.session.remove()
    return list(db.session.scalars(select(StatusUpdate).where(StatusUpdate.task_id == task_id)
                                   .order_by(StatusUpdate.id)))


def flash(page):
    return page.locator("main .alert-success")


def test_report_return_resubmit_accept_and_overdue_export(app, open_page, network_guard, tmp_path):
    shots = Screenshots()
    task = db.session.scalar(select(Task).where(Task.number == "7"))
    task_id, task_title, unit_name = task.id, task.title, task.lead_unit.name
    assert task.lead_unit.short_name == "区经委"
    updates_before = len(fresh_updates(task_id))
    evidence_pdf = tmp_path / "签约合同扫描件.pdf"
    evidence_pdf.write_bytes(small_pdf())

    # 1. The unit user logs in and opens 我的任务: task 7's June report is missing.
    unit = open_page("jingwei")
    go_by_menu(unit, "任务", "我的任务")
    expect(unit.locator("h1")).to_contain_text("我的任务")
    expect(unit.locator("h1")).to_contain_text(unit_name)
    row = unit.locator("tbody tr").filter(has=unit.get_by_role("link", name=task_title, exact=True))
    expect(row).to_contain_text("未报送")
    shots.take(unit, "unit-my-tasks")

    # 2. The update form, filled in, with a PDF as evidence.
    row.get_by_role("link", name="报送进展").click()
    expect(unit.locator("h1")).to_contain_text(f"报送进展：7. {task_title}")
    expect(unit.locator("select[name=period] option").first).to_have_attribute("value", "2026-06")
    unit.fill("textarea[name=progress_text]", "完成改性塑料项目签约2个。")
    unit.fill("input[name=percent]", "60")
    unit.fill("textarea[name=next_steps]", "7月完成项目备案。")
    unit.set_input_files("input[name=evidence]", str(evidence_pdf))
    shots.take(unit, "unit-update-form")
    unit.get_by_role("button", name="提交报送").click()
    expect(flash(unit)).to_contain_text("进展已提交，等待督办审核。")
    first_card = unit.locator("[id^=update-]").first
    expect(first_card).to_contain_text("完成改性塑料项目签约2个。")
    expect(first_card.locator(".badge")).to_contain_text(["待审核"])
    expect(first_card).to_contain_text(evidence_pdf.name)
    shots.take(unit, "unit-update-submitted")
    updates = fresh_updates(task_id)
    assert len(updates) == updates_before + 1
    first = updates[-1]
    assert (first.review_state, first.percent, first.period) == (ReviewState.submitted, 60, "2026-06")
    evidence = db.session.scalar(select(EvidenceFile).where(EvidenceFile.update_id == first.id))
    assert evidence.original_name == evidence_pdf.name
    assert evidence.sha256 == hashlib.sha256(evidence_pdf.read_bytes()).hexdigest()
    first_id = first.id

    # 3. The coordinator opens 审核, sees the report and its evidence, and returns it with a comment.
    coordinator = open_page("coordinator")
    go_by_menu(coordinator, "督办", "审核")
    expect(coordinator.locator("h1")).to_contain_text("待审核的报送")
    card = coordinator.locator(f"#review-{first_id}")
    expect(card).to_contain_text("完成改性塑料项目签约2个。")
    expect(card).to_contain_text("区经委（牵头）")
    with coordinator.expect_download() as download:
        card.get_by_role("link", name=evidence_pdf.name).click()
    assert open(download.value.path(), "rb").read() == evidence_pdf.read_bytes()
    shots.take(coordinator, "coordinator-review-queue")
    card.locator("textarea[name=comment]").fill(RETURN_COMMENT)
    card.get_by_role("button", name="退回修改").click()
    expect(flash(coordinator)).to_contain_text("已退回该报送。")
    expect(coordinator.locator(f"#review-{first_id}")).to_have_count(0)
    shots.take(coordinator, "coordinator-returned")
    returned = fresh_updates(task_id)[-1]
    assert (returned.id, returned.review_state, returned.review_comment) == (first_id, ReviewState.returned,
                                                                            RETURN_COMMENT)

    # 4. The unit sees the returned report with the comment on 我的任务, and resubmits.
    go_by_menu(unit, "任务", "我的任务")
    returned_box = unit.locator(".card.border-danger")
    expect(returned_box).to_contain_text("被退回的报送（请修改后重新提交）")
    expect(returned_box).to_contain_text(f"审核意见：{RETURN_COMMENT}")
    expect(returned_box).to_contain_text(task_title)
    expect(row).to_contain_text("未报送")  # a returned report counts as missing until resubmitted
    shots.take(unit, "unit-sees-returned")
    returned_box.get_by_role("link", name="修改并重新提交").click()
    expect(unit.locator(".alert-danger")).to_contain_text(f"退回意见：{RETURN_COMMENT}")
    expect(unit.locator("textarea[name=progress_text]")).to_have_value("完成改性塑料项目签约2个。")
    unit.fill("textarea[name=progress_text]", "完成改性塑料项目签约2个，签约金额3.2亿元，预计2026年9月落地。")
    unit.fill("input[name=percent]", "80")
    shots.take(unit, "unit-resubmit-form")
    unit.get_by_role("button", name="提交报送").click()
    expect(flash(unit)).to_contain_text("进展已提交，等待督办审核。")
    expect(unit.locator(f"#update-{first_id} .badge")).to_contain_text(["已退回"])
    expect(unit.locator(f"#update-{first_id}")).to_contain_text(RETURN_COMMENT)
    shots.take(unit, "unit-resubmitted")
    resubmitted = fresh_updates(task_id)[-1]
    assert (resubmitted.resubmission_of_id, resubmitted.review_state, resubmitted.percent) == (
        first_id, ReviewState.submitted, 80)
    expect(unit.locator(f"#update-{resubmitted.id} .badge")).to_contain_text(["待审核"])

    # 5. The coordinator sees the resubmission with the earlier comment, and accepts it.
    go_by_menu(coordinator, "督办", "审核")
    card = coordinator.locator(f"#review-{resubmitted.id}")
    expect(card).to_contain_text("重新提交")
    expect(card).to_contain_text(f"上次退回意见：{RETURN_COMMENT}")
    expect(card).to_contain_text("签约金额3.2亿元")
    card.get_by_role("button", name="采纳").click()
    expect(flash(coordinator)).to_contain_text("已采纳该报送。")
    expect(coordinator.locator(f"#review-{resubmitted.id}")).to_have_count(0)
    shots.take(coordinator, "coordinator-accepted")
    coordinator.goto(f"/tasks/{task_id}")
    expect(coordinator.locator(f"#update-{resubmitted.id} .badge")).to_contain_text(["已采纳"])
    expect(coordinator.locator(f"#update-{first_id} .badge")).to_contain_text(["已退回"])
    expect(coordinator.locator(".progress-bar").first).to_have_text("80%")
    shots.take(coordinator, "task-history")
    db.session.remove()
    assert db.session.get(StatusUpdate, resubmitted.id).review_state == ReviewState.accepted
    assert db.session.get(Task, task_id).progress == 80

    # 6. The leader opens 逾期清单: the overdue tasks are there, task 7's June report no longer is.
    leader = open_page("leader")
    go_by_menu(leader, "督办", "逾期清单")
    expect(leader.locator("h1")).to_contain_text("逾期清单")
    expect(leader.locator("h1")).to_contain_text("2026")
    table = leader.locator("#overdue-table")
    for number in ("3", "11", "12", "15"):
        expect(table.locator(f"tr[data-task='{number}'][data-kind='task']")).to_have_count(1)
    expect(table.locator("tr[data-task='3'][data-kind='report']")).to_have_count(1)
    expect(table.locator("tr[data-task='7']")).to_have_count(0)
    shots.take(leader, "leader-overdue-list")

    # 7. The export: the CSV, and the Excel workbook when the page links one.
    with leader.expect_download() as download:
        leader.locator("a[href*='/overdue.csv']").click()
    csv_path = SCREENSHOTS / "overdue.csv"
    download.value.save_as(csv_path)
    content = csv_path.read_bytes()
    assert content.startswith("\ufeff".encode())  # BOM, so Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["类型", "方案", "序号"]
    exported = {(row[2], row[0]) for row in rows[1:]}
    assert {number for number, _kind in exported} >= {"3", "11", "12", "15"}
    assert not any(number == "7" for number, _kind in exported)
    assert len(rows) - 1 == table.locator("tbody tr[data-task]").count()

    xlsx_links = leader.locator("a[href*='/overdue.xlsx']")
    if xlsx_links.count():
        from openpyxl import load_workbook

        with leader.expect_download() as download:
            xlsx_links.first.click()
        xlsx_path = SCREENSHOTS / "overdue.xlsx"
        download.value.save_as(xlsx_path)
        sheet = load_workbook(xlsx_path, read_only=True).active
        cells = [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None]
        assert any(re.search("逾期", value) for value in cells)
        assert {"3", "11", "12", "15"} <= set(cells) or {3, 11, 12, 15} <= {
            int(value) for value in cells if value.isdigit()}

    assert network_guard.page_errors == [], network_guard.page_errors
    assert len(shots.taken) == 11 and all((SCREENSHOTS / name).stat().st_size > 10_000 for name in shots.taken)
