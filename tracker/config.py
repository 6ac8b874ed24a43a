"""Configuration: the only module that reads ``os.environ`` (prefix ``TRACKER_``)."""
from __future__ import annotations

import os
from datetime import timedelta

DEFAULT_SECRET_KEY = "dev-only-not-secret"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"TRACKER_{name}", default)


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    return int(raw) if raw not in (None, "") else default


class Config:
    SECRET_KEY = _env("SECRET_KEY", DEFAULT_SECRET_KEY)
    # None means "SQLite file in the instance folder"; resolved in create_app.
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # ISO date overriding "today" for demos and tests; unset in production.
    TODAY = _env("TODAY")
    # ISO date-time (Beijing time without a zone) at which the clock stands still: tracker/common/clock.py.
    NOW = _env("NOW")
    BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000")

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    BOOTSTRAP_SERVE_LOCAL = True

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("SESSION_HOURS", 8))
    WTF_CSRF_TIME_LIMIT = None

    # Evidence files (佐证材料): stored under the instance folder, never under static/.
    EVIDENCE_FOLDER = _env("EVIDENCE_FOLDER")
    EVIDENCE_MAX_BYTES = _env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
    EVIDENCE_EXTENSIONS = (
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "jpg", "jpeg", "png", "zip", "ofd",
    )
    MAX_CONTENT_LENGTH = EVIDENCE_MAX_BYTES + 1024 * 1024

    PASSWORD_HASH_METHOD = "scrypt"
    PAGE_SIZE = 50
    # Login limits (tracker/auth/limits.py): failed attempts only, counted in the database (shared by every
    # worker and host). Per account: locked after LOGIN_MAX_FAILURES wrong passwords in a row. Per address:
    # refused after LOGIN_ADDRESS_MAX_FAILURES failures within LOGIN_ADDRESS_WINDOW_MINUTES (an office
    # behind one NAT address logs in successfully any number of times: successes never count).
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCK_MINUTES = _env_int("LOGIN_LOCK_MINUTES", 15)
    LOGIN_ADDRESS_MAX_FAILURES = _env_int("LOGIN_ADDRESS_MAX_FAILURES", 50)
    LOGIN_ADDRESS_WINDOW_MINUTES = _env_int("LOGIN_ADDRESS_WINDOW_MINUTES", 15)
    # Client addresses behind TRACKER_PROXY_COUNT reverse proxies are read from X-Forwarded-For (0: the peer).
    PROXY_COUNT = _env_int("PROXY_COUNT", 0)
    RATELIMIT_ENABLED = False  # Flask-Limiter stays installed but limits nothing: the login limits above do
    ENFORCE_PASSWORD_CHANGE = True  # not in debug mode (make run) and not in tests
    # Password policy (等保三级 身份鉴别): length, character classes (lower, upper, digit, symbol), expiry
    # (0: never), no reuse of the last PASSWORD_HISTORY passwords.
    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 10)
    PASSWORD_MIN_CLASSES = _env_int("PASSWORD_MIN_CLASSES", 3)
    PASSWORD_MAX_AGE_DAYS = _env_int("PASSWORD_MAX_AGE_DAYS", 90)
    PASSWORD_HISTORY = _env_int("PASSWORD_HISTORY", 5)
    # Sessions (tracker/auth/sessions.py): ended after this long without a request, and at the latest
    # SESSION_HOURS after the login; logout, password and role changes end them on every device.
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)

    # Reminders (督办提醒). Without TRACKER_MAIL_SERVER mail stays in the outbox, shown in the app.
    MAIL_SERVER = _env("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_SECURITY = _env("MAIL_SECURITY", "none")  # none | starttls | ssl
    MAIL_USERNAME = _env("MAIL_USERNAME", "")
    MAIL_PASSWORD = _env("MAIL_PASSWORD", "")
    MAIL_SENDER = _env("MAIL_SENDER", "duban@localhost")
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 40)
    MAIL_CLAIM_MINUTES = _env_int("MAIL_CLAIM_MINUTES", 10)  # a claim older than this is sent again (sender died)
    OUTAGE_RETRY_AFTER_SECONDS = _env_int("OUTAGE_RETRY_AFTER_SECONDS", 30)  # Retry-After of a 503 while the database is down
    MAIL_RETRY_BASE_SECONDS = _env_int("MAIL_RETRY_BASE_SECONDS", 60)
    MAIL_RETRY_MAX_SECONDS = _env_int("MAIL_RETRY_MAX_SECONDS", 3600)
    REMINDER_CATCHUP_DAYS = _env_int("REMINDER_CATCHUP_DAYS", 5)  # working days a late run still covers
    WEEKLY_DIGEST_LINES = _env_int("WEEKLY_DIGEST_LINES", 20)  # lead units and action groups the weekly digest lists
    REPORT_DAY_SHIFT = _env("REPORT_DAY_SHIFT", "previous")  # a report day on a holiday moves: previous | next
    # In-process scheduler (make run). Production: one `flask scheduler run` process, or this guarded by a lock.
    SCHEDULER_ENABLED = _env("SCHEDULER", "0") == "1"
    SCHEDULER_INTERVAL_SECONDS = _env_int("SCHEDULER_INTERVAL_SECONDS", 300)
    WEBHOOK_TIMEOUT_SECONDS = _env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
    DASHBOARD_SNAPSHOT_MINUTES = _env_int("DASHBOARD_SNAPSHOT_MINUTES", 10)  # city-wide figures kept this long
    # The overdue list is read from stored rows kept up to date from the audit log (tracker/overdue/store.py).
    OVERDUE_STORE = _env("OVERDUE_STORE", "1") == "1"
    PICKER_MENU_LIMIT = _env_int("PICKER_MENU_LIMIT", 200)  # longer unit/plan menus become search boxes
    SCHEDULER_EXPECTED = _env("SCHEDULER_EXPECTED", "1") == "1"  # /healthz reports a missing heartbeat


class ProductionConfig(Config):
    """``TRACKER_ENV=production``: secure cookies, and refuses to start unsafely (see ``check``)."""

    SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True

    @staticmethod
    def check(app) -> None:
        if app.config["SECRET_KEY"] in (None, "", DEFAULT_SECRET_KEY) or len(app.config["SECRET_KEY"]) < 32:
            raise RuntimeError("TRACKER_SECRET_KEY must be set to a random value of at least 32 characters "
                               "in production (python -c 'import secrets; print(secrets.token_hex(32))').")
        if app.debug:
            raise RuntimeError("debug mode must be off in production (unset FLASK_DEBUG).")


def config_for_environment() -> type[Config]:
    return ProductionConfig if _env("ENV", "development") == "production" else Config


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TRACKER_TEST_DATABASE_URL") or "sqlite://"
    # Cheap hashes keep the suite fast; production keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SCHEDULER_ENABLED = False
    ENFORCE_PASSWORD_CHANGE = False
    OVERDUE_STORE = False  # some tests change rows directly, without an audit event; tests/tasks turn it on
