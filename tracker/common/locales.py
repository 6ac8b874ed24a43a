"""The app's languages, Chinese first. Locales are parsed once: babel's ``Locale.parse`` lists its
locale-data folder on every call (about 0.4 ms), once per request and once per rendered email."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale

SUPPORTED_LOCALES = ("zh_CN", "en")


@lru_cache(maxsize=16)
def parsed_locale(name: str) -> Locale:
    """``Locale.parse(name)``, kept: pass it to ``flask_babel.force_locale`` and the locale selector."""
    return Locale.parse(name)
