"""Posting a queued webhook call: the robot's signature (DingTalk 加签, generic HMAC) is made at send
time, and a robot's ``errcode`` other than 0 counts as a failure to retry."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from tracker.webhooks.models import Webhook, WebhookFormat


class WebhookError(Exception):
    """The endpoint refused the call or answered with an error; the outbox retries it."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a robot address never redirects: refuse rather than follow
        return None


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with ``timestamp`` and ``sign`` (Base64 of HMAC-SHA256 over "timestamp\\nsecret")."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    query = urllib.parse.urlencode({"timestamp": timestamp_ms, "sign": base64.b64encode(digest).decode()})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def generic_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over "<timestamp>.<body>", sent as X-Duban-Signature."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class WebhookPoster:
    """Sends outbox rows of the webhook channel. An endpoint that fails is not called again in the
    same pass: its other rows wait for their next attempt instead of each waiting for a timeout."""

    def __init__(self, timeout: float = 10.0):
        self.timeout = timeout
        self.opener = urllib.request.build_opener(_NoRedirect)
        self.failed: dict[int, str] = {}

    def send(self, notification) -> None:
        hook = notification.webhook
        if hook is None:
            raise WebhookError("webhook deleted")
        if not hook.enabled:
            raise WebhookError("webhook disabled")
        if hook.id in self.failed:
            raise WebhookError(f"not tried: {self.failed[hook.id]}")
        try:
            self.post(hook, notification.payload or "{}", event=notification.kind.value,
                      delivery=notification.idempotency_key)
        except (OSError, WebhookError) as error:
            self.failed[hook.id] = f"{type(error).__name__}: {error}"[:300]
            raise

    def post(self, hook: Webhook, payload: str, *, event: str, delivery: str) -> None:
        body = payload.encode()
        url = hook.url
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Duban-Webhook/1"}
        if hook.format == WebhookFormat.dingtalk and hook.secret:
            url = dingtalk_signed_url(url, hook.secret, int(time.time() * 1000))
        elif hook.format == WebhookFormat.generic:
            timestamp = str(int(time.time()))
            headers.update({"X-Duban-Event": event, "X-Duban-Delivery": delivery, "X-Duban-Timestamp": timestamp,
                            "X-Duban-Signature": generic_signature(hook.secret, timestamp, body)})
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                answer = response.read(65536)
        except urllib.error.HTTPError as error:
            raise WebhookError(f"HTTP {error.code} {error.reason}") from None
        if hook.format in (WebhookFormat.wecom, WebhookFormat.dingtalk):
            try:
                result = json.loads(answer or b"{}")
            except ValueError:
                raise WebhookError(f"not a robot's answer: {answer[:100]!r}") from None
            if not isinstance(result, dict) or result.get("errcode", 0) != 0:
                raise WebhookError(f"errcode {result.get('errcode') if isinstance(result, dict) else '?'}: "
                                   f"{result.get('errmsg', '') if isinstance(result, dict) else answer[:100]!r}")
