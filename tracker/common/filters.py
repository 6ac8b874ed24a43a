"""Jinja filters and globals."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app
from flask_babel import get_locale

from tracker.common import labels
from tracker.common.clock import to_beijing
from tracker.common.locales import current_translations


def format_date(value: date | None) -> str:
    return value.isoformat() if value else "—"


def format_datetime(value: datetime | None) -> str:
    local = to_beijing(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else "—"


def format_size(count: int | None) -> str:
    """A file's size as people read it: "200 B", "1.5 KB", "2.3 MB" (a 0.2 KB file read "0.0 KB")."""
    count = count or 0
    if count < 1024:
        return f"{count} B"
    if round(count / 1024, 1) < 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count / (1024 * 1024):.1f} MB"


def period_label(key: str | None) -> str:
    if not key:
        return "—"
    if key == "final":
        return str(labels.LABELS.get("once"))
    return key


def page_label(value) -> str:
    """``|label`` in page templates, from a table of every label in the request's language made once per
    process and language (a lazy label looks the locale up again each time: 25 µs a row of a list)."""
    translations = current_translations()
    tables = current_app.extensions.setdefault("duban_label_tables", {})
    if translations not in tables:
        tables[translations] = labels.translated_labels()
    return labels.label(value, tables[translations])


# Punctuation between interface words and data (标点): full-width in Chinese, its English form in English.
ENGLISH_PUNCTUATION = {"：": ": ", "，": ", ", "；": "; ", "。": ". ", "（": " (", "）": ")", "、": ", "}


def punct(mark: str) -> str:
    """``{{ punct('：') }}`` in a template: "：" on a Chinese page, ": " on an English one ("Work progress：" was)."""
    locale = get_locale()
    if locale is not None and locale.language == "en":
        return ENGLISH_PUNCTUATION.get(mark, mark)
    return mark


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=format_date, datetime=format_datetime, filesize=format_size, label=page_label, period=period_label,
        field_label=labels.field_label,
        badge=lambda value: labels.BADGES.get(getattr(value, "value", value), "secondary"),
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(punct=punct)
