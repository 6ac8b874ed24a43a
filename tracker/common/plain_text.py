"""Plain text (纯文本): what the app keeps of typed, posted and imported text.

Control characters other than tab and line breaks (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+007F),
lone surrogates (U+D800–U+DFFF: no UTF-8, so neither PostgreSQL nor a file can hold them) and the
non-characters U+FFFE/U+FFFF are invisible, mean nothing in a title, a report or a reason, and are what
XML 1.0 (Word, Excel) cannot carry. ``clean_text`` removes them, turning Word's manual line break (U+000B)
and page break (U+000C) into a line break; tab, LF and CR stay. Input is cleaned at the boundary (every
WTForms text field through ``tracker.common.forms.FlaskForm``, the API's ``Text`` fields, the importers),
and every export cleans again (``tracker.common.export_text``), so text stored before this rule, or typed
into the database directly, cannot break a file either. README: "One input and output discipline".
"""
from __future__ import annotations

import re

INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
BREAKS = re.compile("[\x0b\x0c]")


def has_invisible(text: str) -> bool:
    """True when ``clean_text`` would change the text."""
    return bool(INVISIBLE.search(text) or BREAKS.search(text))


def clean_text(text: str) -> str:
    """The text without control characters (tab, LF, CR kept; vertical tab and form feed become LF), lone
    surrogates or U+FFFE/U+FFFF."""
    if not has_invisible(text):
        return text
    return INVISIBLE.sub("", BREAKS.sub("\n", text))


def clean_value(value):
    """``clean_text`` for a string, anything else unchanged (a WTForms filter: the data may be None)."""
    return clean_text(value) if isinstance(value, str) else value
