"""The JSON bodies of the three webhook formats, built from one message (title, text, link).

WeCom (企业微信群机器人) and DingTalk (钉钉自定义机器人) show markdown; their limits are bytes of
UTF-8, so long digests are cut at a line and end with how many lines were left out and the link."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from tracker.webhooks.models import WebhookFormat

WECOM_MARKDOWN_LIMIT = 4096  # bytes of markdown.content
DINGTALK_MARKDOWN_LIMIT = 18000  # bytes of markdown.text (the robot's documented limit is 20,000)


@dataclass(frozen=True)
class WebhookMessage:
    """What happened, in the group's language: ``text`` is the email's plain-text body."""

    event: str
    title: str
    text: str
    link: str
    data: dict = field(default_factory=dict)  # ids for the generic JSON format


def _cut(lines: list[str], tail: list[str], limit: int) -> str:
    """As many whole lines as fit in ``limit`` bytes, then ``tail``; notes how many lines were cut."""
    body = "\n".join(lines + tail)
    if len(body.encode()) <= limit:
        return body
    kept: list[str] = []
    for index, line in enumerate(lines):
        note = _("……另有%(n)d行，请在督办系统查看", n=len(lines) - index)
        if len("\n".join(kept + [line, note] + tail).encode()) > limit:
            return "\n".join(kept + [note] + tail)
        kept.append(line)
    return "\n".join(kept + tail)


# Stored text (a title, a reason, a comment) shown in a group chat is text, never markup: the characters that
# open a link, an image, a <font> tag or code in WeCom/DingTalk markdown become their full-width forms, which
# read the same to a person and mean nothing to the renderer ("[点击查看](http://x.example)" stays inert).
_MARKUP = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "`": "｀"})


def inert(text: str) -> str:
    """``text`` with no markdown or HTML the robots would render (links, images, font tags, code)."""
    return text.translate(_MARKUP)


def _markdown_lines(message: WebhookMessage) -> list[str]:
    """The email text as markdown: URLs on their own line become links; blank runs collapse; every other
    line is inert text (``inert``)."""
    lines, blank = [], False
    for raw in message.text.splitlines():
        line = raw.rstrip()
        if line.startswith(("http://", "https://")) and " " not in line:
            line = f"[{line}]({line})"
        else:
            line = inert(line)
        if not line:
            if blank:
                continue
            blank = True
        else:
            blank = False
        lines.append(line)
    return lines


def render_payload(webhook_format: WebhookFormat, message: WebhookMessage, *, key: str, at: datetime) -> str:
    """The request body, as JSON text stored in the outbox row."""
    link = f"[{_('在督办系统中查看')}]({message.link})"
    if webhook_format == WebhookFormat.wecom:
        content = _cut([f"**{inert(message.title)}**", *_markdown_lines(message)], ["", link], WECOM_MARKDOWN_LIMIT)
        body = {"msgtype": "markdown", "markdown": {"content": content}}
    elif webhook_format == WebhookFormat.dingtalk:
        text = _cut([f"#### {inert(message.title)}", "", *_markdown_lines(message)], ["", link], DINGTALK_MARKDOWN_LIMIT)
        body = {"msgtype": "markdown", "markdown": {"title": inert(message.title)[:60], "text": text}}
    else:
        body = {"id": key, "event": message.event, "occurred_at": at.isoformat(), "title": message.title,
                "text": message.text, "url": message.link, **message.data}
    return json.dumps(body, ensure_ascii=False)
