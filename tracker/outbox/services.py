"""The outbox: queue a rendered email (or webhook call) once per idempotency key; never talk to SMTP here."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache, partial
from typing import Any, Callable, Iterator

from babel.support import NullTranslations

from flask import current_app
from flask_babel import force_locale, get_translations
from flask_babel import gettext as babel_gettext
from flask_babel.speaklater import LazyString
from jinja2 import Environment, StrictUndefined, Template, pass_eval_context
from markupsafe import Markup

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


_PLAIN = frozenset((str, Markup, int, float, bool, type(None), date, datetime))


def as_text(value, translations: NullTranslations | None = None):
    """A lazily translated string (``_l("…%(reason)s", reason=…)``) as the plain string it is, also inside
    lists, tuples and dicts. Flask-Babel's LazyString has ``__html__``: an autoescaping template would print
    it, and the reason or comment a user typed into it, as markup. Call inside ``force_locale``.

    With ``translations`` (those of the forced locale), a ``lazy_gettext`` string is translated from them
    directly, as Flask-Babel's ``gettext`` would (catalogue lookup, then ``%`` with its variables): the
    same text without Flask-Babel's lookup of the context, the domain and the catalogue on every string
    (a city's catch-up scan turns 100,000 lazy strings into text)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is LazyString and translations is not None and value._func is babel_gettext and len(value._args) == 1:
        text = translations.ugettext(value._args[0])
        return text % as_text(value._kwargs, translations) if value._kwargs else text
    if isinstance(value, LazyString):
        return str(value)
    if kind in (list, tuple):  # not a named tuple or a row: their fields are read as attributes
        return kind(as_text(item, translations) for item in value)
    if kind is dict:
        return {key: as_text(item, translations) for key, item in value.items()}
    return value


def absolute_url(path: str, base_url: str | None = None) -> str:
    return (base_url or current_app.config["BASE_URL"]).rstrip("/") + path


class _MessageEnvironment(Environment):
    """A Jinja environment whose templates get its globals as a plain dict: Jinja's ``ChainMap`` (which
    would show globals added later) is copied key by key in Python into every template's context, an
    include's too; a message environment's globals are all set when it is made."""

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


def message_environment(locale: str) -> Environment:
    """The Jinja environment of message templates (emails, webhook texts) in one language: the app's
    templates and filters, ``_()`` bound once to the locale's catalogue, and none of the page globals.

    Rendering through the app's environment cost about 0.4 ms an email: Flask-Babel looks the catalogue
    up again on every ``_()``, and every template (a layout, an include) copies the page globals into a
    new context. A city's busiest reminder day renders 13,000 emails. Call inside ``force_locale``."""
    environments = current_app.extensions.setdefault("duban_message_environments", {})
    if locale not in environments:
        pages = current_app.jinja_env
        translations = get_translations()
        # Autoescaping (.html) with every printed value text: a lazy string reached through an object is
        # printed as the text it is (``finalize``), never as markup (as_text).
        environment = _MessageEnvironment(loader=pages.loader, autoescape=current_app.select_jinja_autoescape,
                                          extensions=["jinja2.ext.i18n", "jinja2.ext.do"], auto_reload=pages.auto_reload,
                                          undefined=StrictUndefined,  # a name a caller did not pass fails, not blank
                                          cache_size=-1,  # a few dozen templates: a plain dict, no LRU bookkeeping
                                          finalize=lambda value: value if type(value) in _PLAIN else as_text(value, translations))
        environment.filters.update(pages.filters)
        environment.filters["label"] = partial(labels.label, table=labels.translated_labels())
        environment.install_gettext_translations(translations, newstyle=True)
        gettext = jinja_gettext(lambda: translations)
        constant: dict[tuple[str, bool], str] = {}  # _('牵头单位'): the same text in every message

        @pass_eval_context
        def text_gettext(eval_context, string: str, **variables):  # lazy strings among the variables: text
            if variables:
                return gettext(eval_context, string, **as_text(variables, translations))
            key = (string, eval_context.autoescape)
            if key not in constant:
                constant[key] = gettext(eval_context, string)
            return constant[key]

        environment.globals.update(_=text_gettext, gettext=text_gettext)
        environment.duban_translations = translations
        environments[locale] = environment
    return environments[locale]


FRAGMENTS_KEPT = 64


class MessageRenderer:
    """Renders message templates (email, webhook text) in one language, for as many messages as asked:
    made by ``message_renderer`` inside one ``force_locale``, with the environment, its catalogue and the
    compiled templates looked up once. A city's catch-up scan renders 25,000 emails; per email, forcing
    the locale, finding the environment and each template again cost more than a short email's text."""

    def __init__(self, locale: str):
        self.locale = locale
        self.environment = message_environment(locale)
        self.translations = self.environment.duban_translations
        self.url = partial(absolute_url, base_url=current_app.config["BASE_URL"])
        self._templates: dict[str, Template] = {}
        self._fragments: dict[tuple[str, int], tuple[Any, str]] = {}

    def template(self, name: str) -> Template:
        if self.environment.auto_reload:  # templates edited while the app runs (debug): Jinja checks
            return self.environment.get_template(name)
        if name not in self._templates:
            self._templates[name] = self.environment.get_template(name)
        return self._templates[name]

    def fragment(self, name: str, task) -> str:
        """``{{ fragment("email/_task.html", task) }}``: the task's box (its plan, number, title, unit, due
        date and progress), the same in every message about the task, rendered once per task by this
        renderer and reused: a climb of the ladder sends the unit and the leaders copied two texts around
        one box, and a task due soon gets its report and deadline reminders together. The fragment sees
        only ``task``, ``url()``, the filters and ``_()``; the task is kept here, so its id names it. A scan
        queues a task's messages together, so only the latest few boxes are kept: all of a city's cost
        35 MB of peak memory."""
        key = (name, id(task))
        if key not in self._fragments:
            if len(self._fragments) >= FRAGMENTS_KEPT:
                self._fragments.clear()
            text = self.template(name).render(task=task, url=self.url)
            self._fragments[key] = (task, Markup(text) if self.environment.autoescape(name) else text)
        return self._fragments[key][1]

    def render(self, templates: tuple[str, ...], context: dict) -> list[str]:
        """The templates, each given only ``context`` (its lazy strings as text), ``url()``, ``fragment()``,
        the filters and ``_()``."""
        context = {**as_text(resolved(context), self.translations), "url": self.url, "fragment": self.fragment}
        return [self.template(template).render(context) for template in templates]

    def email(self, kind: NotificationKind, context: dict, subject: str | None = None) -> tuple[str, str, str]:
        """(subject, text, html) from templates/email/<kind>.txt|.html."""
        subject_text, text, html = self.render(_email_templates(kind), context)
        return email_parts(subject or subject_text, text, html)


@lru_cache(maxsize=None)
def _email_templates(kind: NotificationKind) -> tuple[str, str, str]:
    return tuple(f"email/{kind.value}.{suffix}" for suffix in ("subject.txt", "txt", "html"))


@contextmanager
def message_renderer(locale: str) -> Iterator[MessageRenderer]:
    """A ``MessageRenderer`` for ``locale``, the locale forced meanwhile (dates and lazy strings in it)."""
    with force_locale(parsed_locale(locale)):
        yield MessageRenderer(locale)


def render_messages(templates: tuple[str, ...], locale: str, **context) -> list[str]:
    """Message templates (email, webhook text) in ``locale``: they see only their context, the filters
    and ``_()``."""
    with message_renderer(locale) as renderer:
        return renderer.render(templates, context)


def render_email(kind: NotificationKind, locale: str, subject: str | None = None, **context) -> tuple[str, str, str]:
    """(subject, text, html) in the recipient's language, from templates/email/<kind>.txt|.html."""
    with message_renderer(locale) as renderer:
        return renderer.email(kind, context, subject)


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
