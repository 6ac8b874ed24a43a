"""Must show 1: a scripted month on the seeded Xicen plan gives exactly the expected emails per
recipient and day, across the 2026 Mid-Autumn/National Day holidays and two 调休 working weekend days."""
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from tracker.common.workdays import BEIJING, DEFAULT_CALENDAR

# Emails received per day (kind → count) when the job runs at 09:05 and again at 15:00 every day
# from Mon 2026-09-14 to Fri 2026-10-16. Sep 20 (Sun) and Oct 10 (Sat) are 调休 working days;
# Sep 25-27 (Mid-Autumn) and Oct 1-7 (National Day) are holidays: nothing is sent on them.
DIGESTS = {"overdue_digest": 7}
EXPECTED_PER_DAY = {
    date(2026, 9, 14): {**DIGESTS, "weekly_digest": 1},  # 督办升级 sends nothing: leaders hear from the ladder
    date(2026, 9, 15): DIGESTS,
    date(2026, 9, 16): {**DIGESTS, "deadline": 9},       # 10 working days before Sep 30
    date(2026, 9, 17): DIGESTS,
    date(2026, 9, 18): DIGESTS,
    date(2026, 9, 20): DIGESTS,                          # Sunday, 调休 working day
    date(2026, 9, 21): {**DIGESTS, "weekly_digest": 1, "report_due": 14},  # 3 working days before Sep 24
    date(2026, 9, 22): {**DIGESTS, "deadline": 9},       # 5 working days before Sep 30
    date(2026, 9, 23): DIGESTS,
    date(2026, 9, 24): {**DIGESTS, "report_due": 14},    # report day Sep 25 is a holiday → Sep 24
    date(2026, 9, 28): {**DIGESTS, "weekly_digest": 1},
    date(2026, 9, 29): {**DIGESTS, "deadline": 9},       # 1 working day before Sep 30
    date(2026, 9, 30): DIGESTS,
    date(2026, 10, 8): {**DIGESTS, "weekly_digest": 1},  # first working day of the holiday week
    date(2026, 10, 9): DIGESTS,
    date(2026, 10, 10): DIGESTS,                         # Saturday, 调休 working day
    date(2026, 10, 12): {**DIGESTS, "weekly_digest": 1},
    date(2026, 10, 13): DIGESTS,
    date(2026, 10, 14): DIGESTS,
    date(2026, 10, 15): DIGESTS,
    date(2026, 10, 16): DIGESTS,
}

DIGEST_3 = "【逾期提醒】区经委共有3项逾期事项（{}）"
DIGEST_4 = "【逾期提醒】区经委共有4项逾期事项（{}）"
DEADLINE = "【督办提醒】西岑园任务{} {} {}个工作日后到期"
T8, T9 = (8, "培育集聚优质企业"), (9, "提升中小企业创新能级")
REPORT = "【督办提醒】西岑园任务{} {} 2026-09进展{}"
T6, T7 = (6, "重点发展新一代信息技术主导产业"), (7, "打造高性能复合材料特色产业")
SOON, TODAY = "请于3个工作日内报送", "今日截止报送"

# The whole inbox of 区经委 (jingwei@example.gov.cn), in order: it leads tasks 6-8, cooperates on 9.
JINGWEI_INBOX = [
    ("2026-09-14", DIGEST_3.format("2026-09-14")),
    ("2026-09-15", DIGEST_3.format("2026-09-15")),
    ("2026-09-16", DEADLINE.format(*T8, 10)), ("2026-09-16", DEADLINE.format(*T9, 10)),
    ("2026-09-16", DIGEST_3.format("2026-09-16")),
    ("2026-09-17", DIGEST_3.format("2026-09-17")),
    ("2026-09-18", DIGEST_3.format("2026-09-18")),
    ("2026-09-20", DIGEST_3.format("2026-09-20")),
    ("2026-09-21", REPORT.format(*T6, SOON)), ("2026-09-21", REPORT.format(*T7, SOON)),
    ("2026-09-21", REPORT.format(*T8, SOON)), ("2026-09-21", DIGEST_3.format("2026-09-21")),
    ("2026-09-22", DEADLINE.format(*T8, 5)), ("2026-09-22", DEADLINE.format(*T9, 5)),
    ("2026-09-22", DIGEST_3.format("2026-09-22")),
    ("2026-09-23", DIGEST_3.format("2026-09-23")),
    ("2026-09-24", REPORT.format(*T6, TODAY)), ("2026-09-24", REPORT.format(*T7, TODAY)),
    ("2026-09-24", REPORT.format(*T8, TODAY)), ("2026-09-24", DIGEST_3.format("2026-09-24")),
    ("2026-09-28", DIGEST_3.format("2026-09-28")),
    ("2026-09-29", DEADLINE.format(*T8, 1)), ("2026-09-29", DEADLINE.format(*T9, 1)),
    ("2026-09-29", DIGEST_3.format("2026-09-29")),
    ("2026-09-30", DIGEST_3.format("2026-09-30")),
] + [(day, DIGEST_4.format(day)) for day in (
    "2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12", "2026-10-13", "2026-10-14", "2026-10-15", "2026-10-16")]


LADDER_KINDS = {"ladder_reached", "document_issued", "receipt_due"}


def test_a_scripted_month_of_reminders(seeded, smtp):
    from tracker.reminders.jobs import run_reminders

    received_on: dict[date, list] = defaultdict(list)
    day = date(2026, 9, 14)
    while day <= date(2026, 10, 16):
        for hour in (9, 15):
            before = len(smtp.inbox.messages)
            run_reminders(datetime(day.year, day.month, day.day, hour, 5, tzinfo=BEIJING))
            received_on[day] += smtp.inbox.messages[before:]
        day += timedelta(days=1)

    # The escalation ladder's own emails (提醒/催办/督办/通报, 签收) are checked in tests/supervision/test_ladder.py.
    received_on = {d: [m for m in msgs if m.key.split(":")[0] not in LADDER_KINDS] for d, msgs in received_on.items()}
    per_day = {d: dict(Counter(m.key.split(":")[0] for m in msgs)) for d, msgs in received_on.items() if msgs}
    assert per_day == EXPECTED_PER_DAY
    assert all(DEFAULT_CALENDAR.is_working_day(d) for d in per_day)
    assert {date(2026, 9, 20), date(2026, 10, 10)} <= set(per_day)  # makeup working weekend days
    keys = [(m.key, m.to) for m in smtp.inbox.messages]
    assert len(keys) == len(set(keys))  # nothing twice, although the job ran twice a day

    jingwei = [(d.isoformat(), m.subject) for d, msgs in sorted(received_on.items()) for m in msgs
               if m.to == "jingwei@example.gov.cn"]
    assert jingwei == JINGWEI_INBOX

    leader = [(d.isoformat(), m.subject) for d, msgs in sorted(received_on.items()) for m in msgs
              if m.to == "leader@example.gov.cn"]
    # Leaders hear only from the ladder, as a copy of its 督办 (【抄送】, nothing to reply), never a 督办升级 of its own.
    assert leader == []
    copies = smtp.inbox.to("leader@example.gov.cn")
    assert copies and all(m.subject.startswith("【抄送】") and "无需在系统中反馈" in m.text for m in copies)
    coordinator = [d.isoformat() for d, msgs in sorted(received_on.items()) for m in msgs
                   if m.to == "coordinator@example.gov.cn"]
    assert coordinator == ["2026-09-14", "2026-09-21", "2026-09-28", "2026-10-08", "2026-10-12"]

    digest = next(m for m in smtp.inbox.to("jingwei@example.gov.cn") if m.key.startswith("overdue_digest"))
    assert "http://127.0.0.1:5000/tasks/" in digest.text and "<table" in digest.html
