"""The outbox: queue a rendered email (or webhook call) once per idempotency key; never talk to SMTP here."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Callable

from flask import current_app
from flask_babel import force_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import Environment, StrictUndefined, pass_eval_context

from tracker.common import labels
from tracker.common.clock import utcnow
from tracker.common.export_text import email_parts
from tracker.common.locales import jinja_gettext, parsed_locale
from tracker.common.upsert import insert_new_rows
from tracker.outbox.models import DeliveryChannel, DeliveryState, Notification, NotificationKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str = "zh_CN"
    user_id: int | None = None
    unit_id: int | None = None


class Later:
    """A context value computed only when an email or webhook message that uses it is rendered, and then
    once: a repeated reminder scan renders nothing, so it never loads what only the text shows."""

    def __init__(self, compute: Callable[[], Any]):
        self._compute, self._value, self._done = compute, None, False

    def value(self):
        if not self._done:
            self._value, self._done = self._compute(), True
        return self._value


def resolved(context: dict) -> dict:
    return {name: value.value() if isinstance(value, Later) else value for name, value in context.items()}


def as_text(value):
    """A lazily translated string (``_l("…%(reason)s", reason=…)``) as the plain string it is, also inside
    lists, tuples and dicts. Flask-Babel's LazyString has ``__html__``: an autoescaping template would print
    it, and the reason or comment a user typed into it, as markup. Call inside ``force_locale``."""
    if isinstance(value, LazyString):
        return str(value)
    if type(value) in (list, tuple):  # not a named tuple or a row: their fields are read as attributes
        return type(value)(as_text(item) for item in value)
    if type(value) is dict:
        return {key: as_text(item) for key, item in value.items()}
    return value


def absolute_url(path: str, base_url: str | None = None) -> str:
    return (base_url or current_app.config["BASE_URL"]).rstrip("/") + path


def message_environment(locale: str) -> Environment:
    """The Jinja environment of message templates (emails, webhook texts) in one language: the app's
    templates and filters, ``_()`` bound once to the locale's catalogue, and none of the page globals.

    Rendering through the app's environment cost about 0.4 ms an email: Flask-Babel looks the catalogue
    up again on every ``_()``, and every template (a layout, an include) copies the page globals into a
    new context. A city's busiest reminder day renders 13,000 emails. Call inside ``force_locale``."""
    environments = current_app.extensions.setdefault("duban_message_environments", {})
    if locale not in environments:
        pages = current_app.jinja_env
        # Autoescaping (.html) with every printed value text: a lazy string reached through an object is
        # printed as the text it is (``finalize``), never as markup (as_text).
        environment = Environment(loader=pages.loader, autoescape=current_app.select_jinja_autoescape,
                                  extensions=["jinja2.ext.i18n", "jinja2.ext.do"], auto_reload=pages.auto_reload,
                                  undefined=StrictUndefined,  # a name a caller did not pass fails, not blank
                                  finalize=as_text)
        environment.filters.update(pages.filters)
        environment.filters["label"] = partial(labels.label, table=labels.translated_labels())
        translations = get_translations()
        environment.install_gettext_translations(translations, newstyle=True)
        gettext = jinja_gettext(lambda: translations)

        @pass_eval_context
        def text_gettext(eval_context, string: str, **variables):  # lazy strings among the variables: text
            return gettext(eval_context, string, **as_text(variables))

        environment.globals.update(_=text_gettext, gettext=text_gettext)
        environments[locale] = environment
    return environments[locale]


def render_messages(templates: tuple[str, ...], locale: str, **context) -> list[str]:
    """Message templates (email, webhook text) in ``locale``: they see only their context, the filters
    and ``_()``."""
    with force_locale(parsed_locale(locale)):
        environment = message_environment(locale)
        context = {**as_text(resolved(context)), "url": partial(absolute_url, base_url=current_app.config["BASE_URL"])}
        return [environment.get_template(template).render(context) for template in templates]


def render_email(kind: NotificationKind, locale: str, subject: str | None = None, **context) -> tuple[str, str, str]:
    """(subject, text, html) in the recipient's language, from templates/email/<kind>.txt|.html."""
    subject_text, text, html = render_messages(
        tuple(f"email/{kind.value}.{suffix}" for suffix in ("subject.txt", "txt", "html")), locale, **context)
    return email_parts(subject or subject_text, text, html)


def queue(kind: NotificationKind, key: str, recipient: Recipient, *, task_id: int | None = None,
          at: datetime | None = None, **context) -> bool:
    """Adds the email to the outbox unless its key is already there; True when it was added.

    INSERT … ON CONFLICT DO NOTHING keeps two racing schedulers from queueing the same email twice."""
    subject, text, html = render_email(kind, recipient.locale, **context)
    added = insert_once(key, kind, at=at, **email_values(recipient, task_id, subject, text, html))
    if added and not current_app.config.get("MAIL_SERVER"):
        log.info("outbox (no SMTP configured): to=%s subject=%s", recipient.email, subject)
    return added


def email_values(recipient: Recipient, task_id: int | None, subject: str, text: str, html: str) -> dict:
    return dict(recipient_email=recipient.email, recipient_user_id=recipient.user_id,
                recipient_unit_id=recipient.unit_id, task_id=task_id, locale=recipient.locale, subject=subject,
                body_text=text, body_html=html)


def outbox_row(key: str, kind: NotificationKind, *, subject: str, at: datetime | None = None,
               channel: DeliveryChannel = DeliveryChannel.email, **values) -> dict:
    """The columns of a new pending outbox row (email or webhook call)."""
    at = at or utcnow()
    return dict(idempotency_key=key[:200], kind=kind.value, channel=channel.value, subject=subject[:300],
                created_at=at, state=DeliveryState.pending.value, attempts=0, next_attempt_at=at, last_error="",
                **values)


def insert_once(key: str, kind: NotificationKind, *, subject: str, at: datetime | None = None,
                channel: DeliveryChannel = DeliveryChannel.email, **values) -> bool:
    """One row, unless its key is already there; True when the row is new. Every outbox row, email or
    webhook, is written here or by ``insert_many``."""
    return bool(insert_many([outbox_row(key, kind, subject=subject, at=at, channel=channel, **values)]))


def insert_many(rows: list[dict], batch: int = 1000) -> list[str]:
    """Rows from ``outbox_row`` (INSERT … ON CONFLICT (idempotency_key) DO NOTHING, ``batch`` rows a
    statement); the kinds of those that were new: a key already there, e.g. queued by a racing
    scheduler meanwhile, is skipped."""
    table = Notification.__table__
    return [kind for kind, in insert_new_rows(table, rows, unique=["idempotency_key"], returning=[table.c.kind],
                                                batch=batch)]
