"""Outgoing webhooks: WeCom, DingTalk and signed JSON bodies, delivered through the outbox with
retries, each event once; the admin screens that manage them."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.common.clock import utcnow
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.reminders.jobs import run_reminders
from tracker.outbox.models import DeliveryChannel, DeliveryState, Notification
from tracker.reminders.models import Escalation
from tracker.tasks.models import Task
from tracker.reminders.sender import send_pending
from tracker.units.models import Unit
from tracker.updates.models import ReviewState, StatusUpdate
from tracker.webhooks.messages import DINGTALK_MARKDOWN_LIMIT, WECOM_MARKDOWN_LIMIT, WebhookMessage, render_payload
from tracker.webhooks.models import Webhook, WebhookFormat
from tracker.webhooks.services import save_webhook

SECRET = "SEC-0123456789abcdef"


def beijing(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def _add_webhook(url: str, *, format=WebhookFormat.wecom, events=("overdue_digest",), unit: str | None = None,
                 secret: str = "", enabled: bool = True) -> int:
    admin = db.session.scalar(select(User).where(User.login == "admin"))
    unit_id = db.session.scalar(select(Unit.id).where(Unit.short_name == unit)) if unit else None
    hook = save_webhook(admin, None, name=f"{format.value} {unit or '全部'}", format=format, url=url, secret=secret,
                        events=list(events), unit_id=unit_id, enabled=enabled)
    db.session.commit()
    return hook.id


def _webhook_rows(state=None) -> list[Notification]:
    query = select(Notification).where(Notification.channel == DeliveryChannel.webhook).order_by(Notification.id)
    if state is not None:
        query = query.where(Notification.state == state)
    return list(db.session.scalars(query))


def test_wecom_overdue_digest_arrives_once_after_the_receiver_was_down(seeded, receiver):
    """Must show 4: the receiver is down for the first attempts; the digest arrives once, in WeCom's format."""
    _add_webhook(receiver.url(), unit="区经委")
    moment = beijing("2026-09-21T09:05")  # a Monday: 区经委 leads overdue tasks
    first = run_reminders(moment)
    assert first.scan.webhook_calls == 1
    assert first.send.sent == 0 and first.send.retried == 1  # connection refused: nothing listens yet
    for minutes in (1, 3, 7):  # the outbox's backoff: 1, 2, 4 minutes …
        assert send_pending(moment + timedelta(minutes=minutes)).retried == 1
    [row] = _webhook_rows()
    assert row.state == DeliveryState.pending and row.attempts == 4 and "Connection" in row.last_error

    receiver.start()
    assert send_pending(moment + timedelta(minutes=20)).sent == 1
    # The job runs again later that day and the next hours: the same digest is never queued or sent again.
    for hours in (2, 6):
        again = run_reminders(moment + timedelta(hours=hours))
        assert again.scan.webhook_calls == 0 and again.send.sent == 0

    [call] = receiver.calls
    assert call.path == "/cgi-bin/webhook/send" and call.query == {"key": "test-key"}
    assert call.headers["content-type"].startswith("application/json")
    body = call.json
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith("**【逾期提醒】区经委共有3项逾期事项（2026-09-21）**\n")
    assert "区经委" in content and "逾期" in content and "工作日" in content
    assert "/overdue" in content and len(content.encode()) <= WECOM_MARKDOWN_LIMIT
    [row] = _webhook_rows()
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.sent, 5, "")


def test_robot_errcode_is_retried_and_the_next_day_brings_a_new_digest(seeded, receiver):
    _add_webhook(receiver.url(), unit="区经委")
    receiver.start()
    receiver.answers = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"}), (502, {})]
    moment = beijing("2026-09-21T09:05")
    assert run_reminders(moment).send.retried == 1
    [row] = _webhook_rows()
    assert "45009" in row.last_error
    assert send_pending(moment + timedelta(minutes=1)).retried == 1
    assert "502" in _webhook_rows()[0].last_error
    assert send_pending(moment + timedelta(minutes=3)).sent == 1
    assert len(receiver.calls) == 3
    assert len({call.raw for call in receiver.calls}) == 1  # the same message each time
    assert run_reminders(beijing("2026-09-22T09:05")).send.sent == 1  # Tuesday's digest
    assert len(receiver.calls) == 4


def test_dingtalk_summary_is_signed_and_unit_scope_is_respected(seeded, receiver):
    receiver.start()
    _add_webhook(receiver.url("/robot/send?access_token=abc"), format=WebhookFormat.dingtalk, secret=SECRET)
    _add_webhook(receiver.url("/kejiwei"), unit="区科委", events=("escalation",))
    _add_webhook(receiver.url("/disabled"), enabled=False)
    run_reminders(beijing("2026-09-21T09:05"))
    calls = {path: [c for c in receiver.calls if c.path == path] for path in ("/robot/send", "/kejiwei", "/disabled")}
    assert len(receiver.calls) == len(calls["/robot/send"]) + len(calls["/kejiwei"]) and calls["/disabled"] == []

    [call] = calls["/robot/send"]  # one city-wide summary, not one message per unit
    assert call.query["access_token"] == "abc"
    timestamp = call.query["timestamp"]
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert call.query["sign"] == expected
    body = call.json
    assert body["msgtype"] == "markdown" and body["markdown"]["title"].startswith("逾期汇总")
    text = body["markdown"]["text"]
    assert text.startswith("#### 逾期汇总") and "按牵头单位" in text and "区经委" in text

    # 区科委's own group hears of its escalated tasks only (督办升级 of tasks other units lead go elsewhere).
    escalated = db.session.execute(select(Escalation.task_id, Task.lead_unit_id).join(Task)).all()
    kejiwei = db.session.scalar(select(Unit.id).where(Unit.short_name == "区科委"))
    assert len(calls["/kejiwei"]) == sum(1 for _task, lead in escalated if lead == kejiwei) >= 1
    assert len(escalated) > len(calls["/kejiwei"])
    assert all("督办升级" in c.json["markdown"]["content"] for c in calls["/kejiwei"])


def test_generic_json_for_review_events_is_signed(seeded, receiver, browser):
    receiver.start()
    _add_webhook(receiver.url("/hooks/duban"), format=WebhookFormat.generic, secret=SECRET,
                 events=("update_returned", "update_accepted"))
    pending = db.session.scalars(select(StatusUpdate).where(StatusUpdate.review_state == ReviewState.submitted)
                                 .order_by(StatusUpdate.id)).all()[:2]
    first, second = pending[0].id, pending[1].id
    coordinator = browser("coordinator")
    coordinator.post(f"/updates/{first}/review", {"reject": "1", "comment": "请补充数据。", "version": "1"},
                     token_from="/reviews")
    coordinator.post(f"/updates/{second}/review", {"accept": "1", "comment": "", "version": "1"},
                     token_from="/reviews")
    assert len(_webhook_rows(DeliveryState.pending)) == 2  # queued with the reviews, not sent by the request
    assert receiver.calls == []
    assert send_pending(utcnow()).sent == 2
    events = {}
    for call in receiver.calls:
        signature = "sha256=" + hmac.new(SECRET.encode(), call.headers["x-duban-timestamp"].encode() + b"." + call.raw,
                                         hashlib.sha256).hexdigest()
        assert call.headers["x-duban-signature"] == signature
        assert call.headers["x-duban-delivery"] == call.json["id"]
        events[call.json["event"]] = call.json
    assert set(events) == {"update_returned", "update_accepted"}
    returned = events["update_returned"]
    assert "请补充数据。" in returned["text"] and returned["url"].endswith(f"/updates/{first}/resubmit")
    assert returned["task_id"] == db.session.get(StatusUpdate, first).task_id
    assert events["update_accepted"]["title"].startswith("【报送采纳】")


def test_long_digests_are_cut_to_the_robot_limit():
    message = WebhookMessage(event="overdue_digest", title="逾期汇总", link="http://duban.local/overdue",
                             text="\n".join(f"- 任务{n}：推进某某重点项目建设并按期报送进展｜逾期{n}个工作日" for n in range(400)))
    wecom = json.loads(render_payload(WebhookFormat.wecom, message, key="k", at=beijing("2026-09-21T09:05")))
    content = wecom["markdown"]["content"]
    assert WECOM_MARKDOWN_LIMIT - 200 < len(content.encode()) <= WECOM_MARKDOWN_LIMIT
    assert "另有" in content and content.rstrip().endswith("(http://duban.local/overdue)")
    assert "任务0：" in content and "任务399：" not in content
    dingtalk = json.loads(render_payload(WebhookFormat.dingtalk, message, key="k", at=beijing("2026-09-21T09:05")))
    assert len(dingtalk["markdown"]["text"].encode()) <= DINGTALK_MARKDOWN_LIMIT
    generic = json.loads(render_payload(WebhookFormat.generic, message, key="k", at=beijing("2026-09-21T09:05")))
    assert generic["text"] == message.text  # the JSON endpoint gets everything


def test_coordinator_manages_webhooks_and_sends_a_test_message(seeded, receiver, browser):
    coordinator = browser("coordinator")
    url = "/admin/webhooks/new"
    form = {"name": "督查室群", "format": "wecom", "url": "ftp://example.org/hook", "secret": "",
            "events": ["overdue_digest", "escalation"], "unit_id": "0", "enabled": "y"}
    page = coordinator.post(url, form, token_from=url)
    assert page.status_code == 200 and "推送地址须是以 http:// 或 https:// 开头的完整网址" in page.text
    page = coordinator.post(url, {**form, "url": receiver.url(), "format": "generic"}, token_from=url)
    assert "通用JSON格式须设置至少16个字符的签名密钥" in page.text
    assert db.session.scalar(select(func.count()).select_from(Webhook)) == 0  # refused: nothing written

    assert coordinator.post(url, {**form, "url": receiver.url()}, token_from=url).status_code == 302
    hook = db.session.scalar(select(Webhook))
    hook_id, version = hook.id, hook.version
    assert (hook.format, hook.event_list, hook.unit_id) == (WebhookFormat.wecom, ["overdue_digest", "escalation"],
                                                             None)
    listing = coordinator.get("/admin/webhooks/").text
    assert "督查室群" in listing and "test-key" not in listing  # the robot key is not shown

    failed = coordinator.post(f"/admin/webhooks/{hook_id}/test", {}, token_from="/admin/webhooks/",
                              follow_redirects=True)
    assert "测试消息发送失败" in failed.text and "Connection" in failed.text
    receiver.start()
    sent = coordinator.post(f"/admin/webhooks/{hook_id}/test", {}, token_from="/admin/webhooks/",
                            follow_redirects=True)
    assert "测试消息已发送" in sent.text
    assert "督办系统测试消息" in receiver.calls[-1].json["markdown"]["content"]

    edit = f"/admin/webhooks/{hook_id}/edit"
    jingwei = db.session.scalar(select(Unit.id).where(Unit.short_name == "区经委"))
    assert coordinator.post(edit, {**form, "url": receiver.url(), "unit_id": str(jingwei), "version": str(version)},
                            token_from=edit).status_code == 302
    stale = coordinator.post(edit, {**form, "url": receiver.url(), "name": "旧页面", "version": str(version)},
                             token_from=edit)
    assert stale.status_code == 200 and "已被他人修改" in stale.text
    assert db.session.get(Webhook, hook_id).unit_id == jingwei

    coordinator.post(f"/admin/webhooks/{hook_id}/delete", {"version": str(version + 1)}, token_from="/admin/webhooks/")
    assert db.session.get(Webhook, hook_id) is None


def test_stored_text_in_a_robot_message_is_never_markup():
    """A title or a reason is shown in the group chat as typed: a link, an image, a <font> tag or code that a
    user wrote does not render (issue 22: hostile text into every export), while the system's own link does."""
    hostile = '=HYPERLINK("x") [点击查看](http://x.example/?a) ![img](http://x.example/i.png) <font color="red">紧急</font> `rm`'
    message = WebhookMessage(event="overdue_digest", title=f"逾期汇总 [钓鱼](http://x.example)",
                             link="http://duban.local/overdue", text=f"- 任务1：{hostile}\nhttp://duban.local/tasks/1")
    for webhook_format, field in ((WebhookFormat.wecom, "content"), (WebhookFormat.dingtalk, "text")):
        body = json.loads(render_payload(webhook_format, message, key="k", at=beijing("2026-09-21T09:05")))["markdown"]
        shown = body[field]
        assert "](http://x.example" not in shown and "<font" not in shown and "`" not in shown, shown
        assert "［点击查看］(http://x.example/?a)" in shown and "＜font color=\"red\"＞紧急" in shown
        assert "[http://duban.local/tasks/1](http://duban.local/tasks/1)" in shown  # the system's own link
        assert shown.rstrip().endswith("(http://duban.local/overdue)")
        assert "[钓鱼]" not in body.get("title", "")
