"""Duban (督办): turns a government action plan into assigned, scheduled, reminded and reviewed work."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, has_request_context, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tracker.common.locales import SUPPORTED_LOCALES, install_page_gettext, parsed_locale
from tracker.config import Config
from tracker.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
    )
    from tracker.config import ProductionConfig, config_for_environment

    app.config.from_object(config_for_environment() if config is None else Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'tracker.db'}"
    if not app.config.get("EVIDENCE_FOLDER"):
        app.config["EVIDENCE_FOLDER"] = str(Path(app.instance_path) / "evidence")

    from tracker.common.clock import check_overrides

    check_overrides(app.config)  # a mistyped TRACKER_TODAY / TRACKER_NOW stops the start, not every page
    if config is None and config_for_environment() is ProductionConfig:
        ProductionConfig.check(app)  # refuse to start with the default secret key or debug on

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    register_event_handlers(app)
    return app


def register_event_handlers(app: Flask) -> None:
    """Each reacting domain connects its receivers to the domain events (tracker.common.events) and
    registers its steps of the scheduled scan (tracker.common.scans); the working calendar is plugged into
    the ground floor's deadlines; each domain the history names registers how (its ``history.register``)."""
    from tracker.auth import history as auth_history
    from tracker.bulletins import handlers as bulletins_handlers
    from tracker.common import deadlines
    from tracker.indicators import history as indicators_history
    from tracker.plans import history as plans_history
    from tracker.proposals import handlers as proposals_handlers, history as proposals_history
    from tracker.reminders import handlers as reminders_handlers
    from tracker.reports import handlers as reports_handlers
    from tracker.supervision import handlers as supervision_handlers
    from tracker.tasks import history as tasks_history
    from tracker.units import history as units_history
    from tracker.updates import history as updates_history
    from tracker.webhooks import handlers as webhooks_handlers
    from tracker.workcalendar.services import current_calendar

    for history in (units_history, auth_history, plans_history, tasks_history, updates_history, indicators_history,
                    proposals_history):
        history.register()

    deadlines.use_calendar(current_calendar)  # the holidays kept in the database (tracker/workcalendar)
    reminders_handlers.connect()
    proposals_handlers.connect()
    reports_handlers.connect()
    supervision_handlers.connect()
    webhooks_handlers.connect()
    bulletins_handlers.connect()


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("psycopg"):
        # No server-side prepared statements: after five runs psycopg prepares a statement, and
        # PostgreSQL may then plan it once for any parameters (a page of the overdue list at any OFFSET,
        # an id list of any length). Planning each time measured 10% faster on the overdue pages.
        dbapi_connection.prepare_threshold = None
        # No JIT compilation: the app's statements are short, and a subquery the planner overestimates
        # (the report-overdue rule inside a task state) made PostgreSQL compile 310 functions for a page of
        # 50 tasks: /dashboard/tasks 1.1 s of its 1.3 s at city scale (EXPLAIN ANALYZE, issue 24).
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.commit()
        return
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        from tracker.tasks.search_grams import register_functions
        register_functions(dbapi_connection)  # duban_grams(), which the search index's triggers call


def _select_locale() -> str:
    supported = SUPPORTED_LOCALES
    if not has_request_context():  # services and jobs: Chinese unless a caller forces a locale
        return "zh_CN"
    chosen = session.get("locale")
    if chosen in supported:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    return "zh_CN"


def register_extensions(app: Flask) -> None:
    from tracker import models  # noqa: F401  (registers every model with the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=lambda: parsed_locale(_select_locale()),
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    install_page_gettext(app)
    bootstrap.init_app(app)

    from tracker.auth.sessions import load_user

    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    from tracker.api.token_views import bp as tokens_bp
    from tracker.api.views import bp as api_bp
    from tracker.pages.audit import bp as audit_bp
    from tracker.pages.auth import bp as auth_bp
    from tracker.pages.imports import bp as imports_bp
    from tracker.pages.indicators import bp as indicators_bp
    from tracker.ops.health import bp as ops_bp
    from tracker.pages.plans import bp as plans_bp
    from tracker.pages.proposals import bp as proposals_bp
    from tracker.pages.proposals import rating_bp
    from tracker.pages.reminders import bp as reminders_bp
    from tracker.public.views import bp as public_bp
    from tracker.pages.reports import bp as reports_bp
    from tracker.search.views import bp as search_bp
    from tracker.pages.tasks import bp as tasks_bp
    from tracker.pages.bulletins import bp as bulletins_bp
    from tracker.pages.supervision import bp as supervision_bp
    from tracker.pages.units import bp as units_bp
    from tracker.pages.updates import bp as updates_bp
    from tracker.pages.webhooks import bp as webhooks_bp
    from tracker.pages.workbench import bp as workbench_bp

    for bp in (auth_bp, plans_bp, tasks_bp, units_bp, updates_bp, reminders_bp, reports_bp, indicators_bp, imports_bp, proposals_bp, rating_bp, ops_bp, api_bp, tokens_bp,
               webhooks_bp, supervision_bp, search_bp, public_bp, workbench_bp, bulletins_bp, audit_bp):
        app.register_blueprint(bp)

    @app.get("/")
    def index():
        """工作台: what needs the logged-in user today (tracker/workbench/)."""
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        from tracker.auth.models import SEPARATED_ADMINS

        if current_user.role in SEPARATED_ADMINS:  # 三员分立: no 工作台, their own page
            from tracker.access.permissions import home_endpoint

            return redirect(url_for(home_endpoint(current_user)))
        from tracker.pages.workbench import workbench_page

        return workbench_page()


def register_errorhandlers(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500)
        return render_template("errors/error.html", code=code), code

    for code in (400, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(code, render_error)

    from sqlalchemy.exc import InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from tracker.common.outage import forget_session, retry_after

    def database_unavailable(error):
        """The database cannot be reached: 503 with Retry-After (JSON under /api/v1), never a 500. The
        page is standalone: the usual layout would ask the database for the user and the menu."""
        forget_session()
        app.logger.warning("database unavailable: %s %s: %s", request.method, request.path, type(error).__name__)
        if request.path == "/api/v1" or request.path.startswith("/api/v1/"):
            from tracker.api.views import outage_response

            return outage_response()
        return render_template("errors/unavailable.html"), 503, {"Retry-After": retry_after(app)}

    for error_class in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(error_class, database_unavailable)


def register_commands(app: Flask) -> None:
    from tracker.cli import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from tracker.access import permissions
    from tracker.common import filters, menu, security

    security.register(app)

    filters.register(app)
    app.jinja_env.globals["perm"] = permissions  # templates ask the one module that decides (tracker/access)
    menu.register(app)

    @app.context_processor
    def inject_locale():
        return {"current_locale": _select_locale(),
                "request_path": request.path if has_request_context() else "/"}
