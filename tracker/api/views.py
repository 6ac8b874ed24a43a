"""/api/v1: the JSON API, authenticated by API tokens (``Authorization: Bearer dbn_…``) only.

The permission rules are the screens' (tracker.access.permissions); writes go through the same
services, one transaction per request, committed only when the service succeeded. Every answer under
/api/v1, errors included, is JSON: 400 malformed input, 401 no valid token, 403 not allowed, 404 no
such object or route, 405, 409 stale version, 413 body too large, 415 not JSON, 422 refused by a
rule (``{"error": {"code", "message", "fields"?, "current"?}}``). The session cookie is ignored, so a
browser session never authorises an API call (and needs no CSRF token here).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, default_exceptions

from tracker.api import openapi
from tracker.api import services as token_services
from tracker.api.inputs import (MAX_ID, BadInput, Boolean, Choice, Day, Identifier, IdentifierList, Integer, Text,
                                parse_body, parse_query)
from tracker.api.representations import (closure_json, document_json, extension_json, interview_json, iso,
                                         ladder_step_json, plan_json, receipt_json, task_json, unit_json,
                                         update_json)
from tracker.auth.models import Role, User
from tracker.common.clock import today
from tracker.common.errors import ConflictError, DomainError, PermissionDenied
from tracker.common.outage import commit_last, forget_session, is_outage, retry_after
from tracker.access.permissions import (can_read_everything, can_review_updates, can_submit_update, can_view_task,
                                        is_manager, unit_involvement, visible_task_condition)
from tracker.extensions import csrf, db
from tracker.plans.models import Plan, PlanKind, PlanStatus
from tracker.supervision import services as loop_services
from tracker.supervision.models import (ClosureRequest, ExtensionRequest, Interview, LadderStep, Receipt,
                                        SupervisionDocument)
from tracker.supervision.queries import original_due_dates
from tracker.tasks.models import ReportingCycle, Task, TaskStatus, task_cooperating_units
from tracker.access.permissions import visible_tasks
from tracker.tasks.services import save_task
from tracker.units.models import Unit, UnitKind
from tracker.updates.uploads import evidence_store, upload_limits
from tracker.updates.models import ReviewState, StatusUpdate
from tracker.updates.services import reportable_periods, review_update, submit_update

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # JSON only, no files: a megabyte is plenty

bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)  # bearer tokens only: a cross-site page cannot attach one, so there is no CSRF to defend against


def _importable(*modules: str) -> bool:
    """Proposals and indicators are optional modules: their routes exist only when they import."""
    import importlib

    try:
        for module in modules:
            importlib.import_module(module)
    except ImportError:
        log.warning("API: %s not available, its routes are left out", modules[0])
        return False
    return True


HAS_PROPOSALS = _importable("tracker.proposals.models", "tracker.proposals.services")
HAS_INDICATORS = _importable("tracker.indicators.models", "tracker.indicators.services")


# --- errors -------------------------------------------------------------------------------------------

class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, fields: dict | None = None,
                 current: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields, self.current, self.headers = fields, current, headers or {}


def error_response(status: int, code: str, message: str, *, fields: dict | None = None,
                   current: dict | None = None, headers: dict | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    if current is not None:
        body["current"] = current
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("invalid_request", _("请求格式不正确。")),
        401: ("unauthorized", _("缺少有效的API令牌（Authorization: Bearer …）。")),
        403: ("forbidden", _("您无权执行此操作。")),
        404: ("not_found", _("请求的对象或地址不存在。")),
        405: ("method_not_allowed", _("该地址不支持此请求方法。")),
        409: ("version_conflict", _("该记录已被他人修改，请查看最新内容后重新提交。")),
        413: ("payload_too_large", _("请求内容过大。")),
        415: ("unsupported_media_type", _("请求体须为JSON（Content-Type: application/json）。")),
        422: ("rule_violation", _("请求未通过业务规则校验。")),
        429: ("too_many_requests", _("请求过于频繁，请稍后再试。")),
    }


def http_error_response(error: HTTPException) -> Response:
    status = error.code or 500
    code, message = _http_messages().get(status, ("server_error", _("服务器内部错误，请稍后再试。")))
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="duban"'
    return error_response(status, code, message, headers=headers)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error.status, error.code, error.message, fields=error.fields, current=error.current,
                          headers=error.headers)


@bp.errorhandler(BadInput)
def _bad_input(error: BadInput):
    return error_response(400, "invalid_request", error.message, fields=error.fields)


def _http_error(error: HTTPException):
    return http_error_response(error)


# By status code as well as by class: Flask prefers a handler for the code, even the app's (HTML
# pages), over a blueprint's handler for the class.
bp.register_error_handler(HTTPException, _http_error)
for _code in default_exceptions:
    bp.register_error_handler(_code, _http_error)


def outage_response() -> Response:
    """503 while the database cannot be reached, with Retry-After: the request changed nothing."""
    return error_response(503, "service_unavailable", _("数据库暂时无法访问，请稍后重试。"),
                          headers={"Retry-After": retry_after(current_app)})


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    if is_outage(error):
        forget_session()
        log.warning("API: database unavailable: %s %s: %s", request.method, request.path, type(error).__name__)
        return outage_response()
    db.session.rollback()
    log.exception("API request failed: %s %s", request.method, request.path)
    return error_response(500, "server_error", _("服务器内部错误，请稍后再试。"))


def _is_api_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def _guard_api_request():
    """Runs before every other request hook (see ``_install_guard``) for paths under /api/v1.

    The logged-in user of a browser session is forced anonymous, so that neither this API nor the
    session-based hooks (such as the password-change redirect) act on the session cookie; and an
    unknown path or method gets a JSON error instead of the HTML error page."""
    if not _is_api_path(request.path):
        return None
    g._login_user = current_app.login_manager.anonymous_user()  # Flask-Login's per-request user slot
    routing_error = request.routing_exception
    if isinstance(routing_error, HTTPException) and (routing_error.code or 500) >= 400:
        return http_error_response(routing_error)
    request.max_content_length = current_app.config.get("API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)
    return None


@bp.record_once
def _install_guard(state) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, _guard_api_request)


# --- authentication -----------------------------------------------------------------------------------

PUBLIC_ENDPOINTS = {"api.openapi_document"}


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    user = token_services.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        db.session.rollback()
        raise ApiError(401, "unauthorized", _("缺少有效的API令牌（Authorization: Bearer …）。"),
                       headers={"WWW-Authenticate": 'Bearer realm="duban"'})
    if db.session.dirty:
        db.session.commit()  # last_used_at, in its own transaction: a refused write later must not undo it
    g.api_user = user


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def actor() -> User:
    return g.api_user


# --- helpers ------------------------------------------------------------------------------------------

PAGING = {
    "page": Integer(minimum=1, maximum=100_000, default=1, description="页码，从1开始"),
    "per_page": Integer(minimum=1, maximum=200, default=50, description="每页条数，最多200"),
}


def query_args(specs: dict) -> dict:
    return parse_query({**specs, **PAGING}, request.args)


def page_of(query, args: dict, render: Callable[[Any], dict] | None = None, *,
            render_all: Callable[[list], list[dict]] | None = None) -> Response:
    """One page of the query's rows, each rendered by ``render``, or all of them at once by ``render_all``
    (for what is read for the whole page in one query)."""
    page, per_page = args["page"], args["per_page"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    if render_all is not None:
        return jsonify({"items": render_all(items), "page": page, "per_page": per_page, "total": total})
    return jsonify({"items": [render(item) for item in items], "page": page, "per_page": per_page, "total": total})


def list_page(items: list, args: dict, render: Callable[[Any], dict]) -> Response:
    page, per_page = args["page"], args["per_page"]
    chunk = items[(page - 1) * per_page: page * per_page]
    return jsonify({"items": [render(item) for item in chunk], "page": page, "per_page": per_page,
                    "total": len(items)})


def fetch(model, object_id: int, *options):
    """The object or a JSON 404 (ids beyond the integer range cannot exist and never reach the database)."""
    obj = None
    if 0 < object_id <= MAX_ID:
        obj = (db.session.scalar(select(model).where(model.id == object_id).options(*options)) if options
               else db.session.get(model, object_id))
    if obj is None:
        raise ApiError(404, "not_found", _("请求的对象或地址不存在。"))
    return obj


def forbid() -> ApiError:
    return ApiError(403, "forbidden", _("您无权执行此操作。"))


def json_body() -> Any:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", _("请求体须为JSON（Content-Type: application/json）。"))
    raw = request.get_data(cache=True)  # raises 413 beyond max_content_length
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadInput(_("请求体不是有效的JSON。")) from None


def run(action: Callable, *args, current: Callable[[], dict] | None = None,
        respond: Callable[[Any], Any] | None = None, **kwargs):
    """One service call as one transaction: committed on success, rolled back on any refusal. With
    ``respond``, the answer is built from the result before the commit, which is the last thing the
    request does with the database: a write that committed is never answered with an error."""
    try:
        result = action(*args, **kwargs)
        db.session.flush()
        if respond is not None:
            db.session.expire_all()  # the answer shows the rows as saved (relationships included), read in this transaction
        body = respond(result) if respond is not None else result
        commit_last()
        return body
    except (ConflictError, StaleDataError) as error:
        db.session.rollback()
        message = error.message if isinstance(error, ConflictError) else _("该记录已被他人修改，请查看最新内容后重新提交。")
        raise ApiError(409, "version_conflict", message, current=current() if current else None) from None
    except PermissionDenied as error:
        db.session.rollback()
        raise ApiError(403, "forbidden", error.message) from None
    except DomainError as error:
        db.session.rollback()
        raise ApiError(422, "rule_violation", error.message) from None
    except IntegrityError:
        db.session.rollback()
        raise ApiError(409, "conflict", _("保存时与其他修改冲突，请刷新后重试。")) from None
    except BaseException:
        db.session.rollback()
        raise


def rule_violation(fields: dict[str, str]) -> ApiError:
    return ApiError(422, "rule_violation", _("请求未通过业务规则校验。"), fields=fields)


# --- OpenAPI ------------------------------------------------------------------------------------------

@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.build_document(route_specs(), proposals=HAS_PROPOSALS, indicators=HAS_INDICATORS))


# --- plans --------------------------------------------------------------------------------------------

PLAN_FILTERS = {"status": Choice(PlanStatus, description="方案状态"), "kind": Choice(PlanKind, description="方案类型")}


def can_view_plan(user, plan: Plan) -> bool:
    """Draft plans are for those who read everything; units see issued (active or archived) plans."""
    return plan.status != PlanStatus.draft or can_read_everything(user)


def _plans_query(user):
    query = select(Plan).options(selectinload(Plan.groups))
    if not can_read_everything(user):
        query = query.where(Plan.status != PlanStatus.draft)
    return query


@bp.get("/plans")
def plans():
    args = query_args(PLAN_FILTERS)
    query = _plans_query(actor())
    if args["status"] is not None:
        query = query.where(Plan.status == args["status"])
    if args["kind"] is not None:
        query = query.where(Plan.kind == args["kind"])
    return page_of(query.order_by(Plan.issued_on.desc().nulls_last(), Plan.id.desc()), args, plan_json)


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int):
    found = fetch(Plan, plan_id, selectinload(Plan.groups))
    if not can_view_plan(actor(), found):
        raise forbid()
    return jsonify(plan_json(found))


# --- tasks --------------------------------------------------------------------------------------------

TASK_FILTERS = {
    "plan_id": Identifier(description="方案"),
    "lead_unit_id": Identifier(description="牵头单位"),
    "unit_id": Identifier(description="牵头或配合单位"),
    "status": Choice(TaskStatus, description="任务状态"),
    "due_from": Day(description="完成时限不早于（含）"),
    "due_to": Day(description="完成时限不晚于（含）"),
}
TASK_LOAD = (selectinload(Task.lead_unit), selectinload(Task.cooperating_units), selectinload(Task.plan))

TASK_CHANGES = {
    "version": Integer(minimum=1, required=True, description="读取时的版本号（乐观锁）", example=1),
    "title": Text(max_length=200, description="任务名称", example="建立健全园区管理体制"),
    "text": Text(max_length=20000, description="任务内容"),
    "lead_unit_id": Identifier(description="牵头单位"),
    "cooperating_unit_ids": IdentifierList(max_items=50, description="配合单位"),
    "start_on": Day(nullable=True, description="开始日期"),
    "due_on": Day(nullable=True, description="完成时限", example="2026-12-31"),
    "reporting_cycle": Choice(ReportingCycle, description="报送周期"),
    "report_day": Integer(minimum=1, maximum=31, description="报送日"),
    "status": Choice(TaskStatus, description="任务状态"),
    "progress": Integer(minimum=0, maximum=100, description="进度（%）", example=60),
}


def loop_facts(tasks: list[Task]) -> dict[int, tuple[Any, int]]:
    """{task id: (原定时限, 督办等级)} for a page of tasks, in two statements.

    The same answers as tracker.supervision.services.original_due_on and current_level (the highest
    level reached against the due date in force, 0 once the task is no longer open);
    tests/api/test_loop_api.py checks both against those services for every task."""
    from tracker.tasks.obligations import deadline_in_force_sql

    ids = [task.id for task in tasks]
    if not ids:
        return {}
    originals = original_due_dates(ids)
    levels = dict(db.session.execute(
        select(LadderStep.task_id, func.max(LadderStep.level)).join(Task, Task.id == LadderStep.task_id)
        .where(LadderStep.task_id.in_(ids), LadderStep.kind == "task", LadderStep.due_on == deadline_in_force_sql())
        .group_by(LadderStep.task_id)).all())
    return {task.id: (originals.get(task.id) or task.due_on,
                      levels.get(task.id, 0) if task.status in loop_services.OPEN else 0) for task in tasks}


def render_tasks(tasks: list[Task]) -> list[dict]:
    day, facts = today(), loop_facts(tasks)
    return [task_json(task, day, original_due_on=facts[task.id][0], escalation_level=facts[task.id][1])
            for task in tasks]


def render_task(task: Task) -> dict:
    return render_tasks([task])[0]


@bp.get("/tasks")
def tasks():
    args = query_args(TASK_FILTERS)
    if args["due_from"] and args["due_to"] and args["due_from"] > args["due_to"]:
        raise BadInput(_("查询参数有误。"), {"due_to": _("不能早于due_from。")})
    query = visible_tasks(actor(), args["plan_id"]).options(*TASK_LOAD)
    if args["lead_unit_id"]:
        query = query.where(Task.lead_unit_id == args["lead_unit_id"])
    if args["unit_id"]:
        cooperating = exists().where(task_cooperating_units.c.task_id == Task.id,
                                     task_cooperating_units.c.unit_id == args["unit_id"])
        query = query.where(or_(Task.lead_unit_id == args["unit_id"], cooperating))
    if args["status"] is not None:
        query = query.where(Task.status == args["status"])
    if args["due_from"]:
        query = query.where(Task.due_on >= args["due_from"])
    if args["due_to"]:
        query = query.where(Task.due_on <= args["due_to"])
    return page_of(query.order_by(Task.plan_id, Task.sort_key, Task.id), args, render_all=render_tasks)


def visible_task(task_id: int) -> Task:
    task = fetch(Task, task_id, *TASK_LOAD)
    if not can_view_task(actor(), task):
        raise forbid()
    return task


@bp.get("/tasks/<int:task_id>")
def task(task_id: int):
    return jsonify(render_task(visible_task(task_id)))


@bp.patch("/tasks/<int:task_id>")
def change_task(task_id: int):
    task = fetch(Task, task_id, *TASK_LOAD)
    if not is_manager(actor()):
        raise forbid()
    changes = parse_body(TASK_CHANGES, json_body())
    wanted = {"lead_unit_id": [changes["lead_unit_id"]] if "lead_unit_id" in changes else [],
              "cooperating_unit_ids": changes.get("cooperating_unit_ids", [])}
    all_ids = wanted["lead_unit_id"] + wanted["cooperating_unit_ids"]
    existing = set(db.session.scalars(select(Unit.id).where(Unit.id.in_(all_ids)))) if all_ids else set()
    missing = {name: _("单位不存在。") for name, ids in wanted.items() if not set(ids) <= existing}
    if missing:
        raise rule_violation(missing)
    current = {"number": task.number, "title": task.title, "text": task.text, "group_id": task.group_id,
               "parent_id": task.parent_id, "lead_unit_id": task.lead_unit_id,
               "cooperating_unit_ids": [unit.id for unit in task.cooperating_units], "start_on": task.start_on,
               "due_on": task.due_on, "reporting_cycle": task.reporting_cycle, "report_day": task.report_day,
               "status": task.status, "progress": task.progress, "completed_on": task.completed_on}
    values = {**current, **{name: value for name, value in changes.items() if name != "version"}}
    body = run(save_task, actor(), task.plan, task, **values, today=today(), expected_version=changes["version"],
               current=lambda: render_task(fetch(Task, task_id, *TASK_LOAD)), respond=render_task)
    return jsonify(body)


# --- status updates (进展报送) ---------------------------------------------------------------------------

UPDATE_LOAD = (selectinload(StatusUpdate.unit), selectinload(StatusUpdate.author), selectinload(StatusUpdate.reviewer),
               selectinload(StatusUpdate.evidence), selectinload(StatusUpdate.task))
UPDATE_FILTERS = {
    "plan_id": Identifier(description="方案"),
    "task_id": Identifier(description="任务"),
    "unit_id": Identifier(description="报送单位"),
    "review_state": Choice(ReviewState, description="审核状态"),
    "period": Text(max_length=10, description="报送周期，如 2026-06、2026-Q2、final"),
}
TASK_UPDATE_FILTERS = {key: UPDATE_FILTERS[key] for key in ("unit_id", "review_state", "period")}
NEW_UPDATE = {
    "period": Text(max_length=10, min_length=1, required=True, description="报送周期，如 2026-06、2026-Q2、final",
                   example="2026-06"),
    "progress_text": Text(max_length=20000, min_length=1, required=True, description="工作进展",
                          example="已完成概念验证中心选址。"),
    "percent": Integer(minimum=0, maximum=100, required=True, description="完成进度（%）", example=50),
    "problems": Text(max_length=20000, description="存在问题"),
    "next_steps": Text(max_length=20000, description="下一步计划"),
    "resubmission_of_id": Identifier(nullable=True, description="被退回后重新提交时：被退回的报送"),
}
REVIEW = {
    "decision": Choice(("accept", "return"), required=True, description="accept 采纳 / return 退回",
                       example="accept"),
    "comment": Text(max_length=5000, description="审核意见（退回时必填）", example="同意"),
    "version": Integer(minimum=1, nullable=True, description="读取时的版本号（乐观锁，可选）"),
}


def _filtered_updates(query, args: dict):
    if args.get("plan_id"):
        query = query.where(Task.plan_id == args["plan_id"])
    if args.get("task_id"):
        query = query.where(StatusUpdate.task_id == args["task_id"])
    if args.get("unit_id"):
        query = query.where(StatusUpdate.unit_id == args["unit_id"])
    if args.get("review_state") is not None:
        query = query.where(StatusUpdate.review_state == args["review_state"])
    if args.get("period"):
        query = query.where(StatusUpdate.period == args["period"])
    return query.order_by(StatusUpdate.submitted_at.desc(), StatusUpdate.id.desc())


@bp.get("/updates")
def updates():
    args = query_args(UPDATE_FILTERS)
    query = (select(StatusUpdate).join(Task, Task.id == StatusUpdate.task_id)
             .where(visible_task_condition(actor())).options(*UPDATE_LOAD))
    return page_of(_filtered_updates(query, args), args, update_json)


@bp.get("/updates/<int:update_id>")
def update(update_id: int):
    found = fetch(StatusUpdate, update_id, *UPDATE_LOAD)
    if not can_view_task(actor(), found.task):
        raise forbid()
    return jsonify(update_json(found))


@bp.get("/tasks/<int:task_id>/updates")
def task_updates(task_id: int):
    task = visible_task(task_id)
    args = query_args(TASK_UPDATE_FILTERS)
    query = (select(StatusUpdate).join(Task, Task.id == StatusUpdate.task_id)
             .where(StatusUpdate.task_id == task.id).options(*UPDATE_LOAD))
    return page_of(_filtered_updates(query, args), args, update_json)


@bp.post("/tasks/<int:task_id>/updates")
def submit_task_update(task_id: int):
    task = visible_task(task_id)
    if not can_submit_update(actor(), task):
        raise forbid()
    values = parse_body(NEW_UPDATE, json_body())
    previous = None
    if values.get("resubmission_of_id"):
        previous = db.session.get(StatusUpdate, values["resubmission_of_id"])
        if previous is None or previous.task_id != task.id:
            raise rule_violation({"resubmission_of_id": _("该任务没有这条报送。")})
    # The same periods the screen's form offers: the current one and a few before it.
    allowed = [period.key for period in reportable_periods(task, today())]
    if previous is not None and previous.period not in allowed:
        allowed.append(previous.period)
    if values["period"] not in allowed:
        raise rule_violation({"period": _("可报送的周期：%(periods)s。", periods="、".join(allowed) or "—")})
    created = run(submit_update, actor(), task, period=values["period"], progress_text=values["progress_text"],
                  percent=values["percent"], problems=values.get("problems") or "",
                  next_steps=values.get("next_steps") or "", files=(), today=today(),
                  store=evidence_store(), **upload_limits(), resubmission_of=previous,
                  respond=lambda created: update_json(fetch(StatusUpdate, created.id, *UPDATE_LOAD)))
    response = jsonify(created)
    response.status_code = 201
    response.headers["Location"] = url_for("api.update", update_id=created["id"])
    return response


@bp.post("/updates/<int:update_id>/review")
def review(update_id: int):
    found = fetch(StatusUpdate, update_id, *UPDATE_LOAD)
    if not can_review_updates(actor()):
        raise forbid()
    values = parse_body(REVIEW, json_body())
    reviewed = run(review_update, actor(), found, decision=values["decision"], comment=values.get("comment") or "",
                   today=today(), expected_version=values.get("version"),
                   current=lambda: update_json(fetch(StatusUpdate, update_id, *UPDATE_LOAD)),
                   respond=lambda reviewed: update_json(fetch(StatusUpdate, reviewed.id, *UPDATE_LOAD)))
    return jsonify(reviewed)


# --- the 督办 loop: 签收, 延期申请, 办结申请 → 核查 → 销号, the ladder's documents (tracker.supervision) -------

RECEIPT_LOAD = (selectinload(Receipt.unit), selectinload(Receipt.suggested_unit), selectinload(Receipt.assigned_by),
                selectinload(Receipt.answered_by))
EXTENSION_LOAD = (selectinload(ExtensionRequest.unit), selectinload(ExtensionRequest.requested_by),
                  selectinload(ExtensionRequest.decided_by), selectinload(ExtensionRequest.evidence))
CLOSURE_LOAD = (selectinload(ClosureRequest.unit), selectinload(ClosureRequest.requested_by),
                selectinload(ClosureRequest.decided_by), selectinload(ClosureRequest.evidence))
DOCUMENT_LOAD = (selectinload(SupervisionDocument.unit), selectinload(SupervisionDocument.replied_by))

SIGN = {
    "decision": Choice(("sign", "refuse"), required=True, description="sign 签收 / refuse 退回交办", example="sign"),
    "reason": Text(max_length=2000, description="退回理由（退回时必填）", example="不属于本单位职责"),
    "suggested_unit_id": Identifier(nullable=True, description="退回时建议的责任单位（可选）"),
    "version": Integer(minimum=1, nullable=True, description="读取时的版本号（乐观锁，可选）"),
}
NEW_EXTENSION = {
    "requested_due_on": Day(required=True, description="申请调整后的完成时限（晚于今天和现行完成时限）",
                            example="2027-03-31"),
    "reason": Text(max_length=5000, min_length=1, required=True, description="延期理由", example="资金下达推迟"),
}
EXTENSION_DECISION = {
    "approve": Boolean(required=True, description="true 批准 / false 不予批准", example=True),
    "due_on": Day(nullable=True, description="批准的完成时限（可改，默认为申请的日期）", example="2027-03-31"),
    "comment": Text(max_length=5000, description="审批意见（不予批准时必填）", example="同意"),
    "version": Integer(minimum=1, nullable=True, description="读取时的版本号（乐观锁，可选）"),
}
NEW_CLOSURE = {
    "summary": Text(max_length=10000, min_length=1, required=True, description="办结报告（完成情况）",
                    example="已全部完成，验收材料见网页附件。"),
}
CLOSURE_DECISION = {
    "verify": Boolean(required=True, description="true 核查通过并销号 / false 退回", example=True),
    "comment": Text(max_length=5000, description="核查意见（退回时必填）", example="材料齐全"),
    "version": Integer(minimum=1, nullable=True, description="读取时的版本号（乐观锁，可选）"),
}
REASSIGN = {
    "lead_unit_id": Identifier(required=True, description="新的牵头单位（退回交办后也可再交同一单位）"),
    "version": Integer(minimum=1, nullable=True, description="任务读取时的版本号（乐观锁，可选）"),
}
REOPEN = {
    "reason": Text(max_length=5000, min_length=1, required=True, description="重新打开的理由",
                   example="复查发现验收材料不实"),
    "version": Integer(minimum=1, nullable=True, description="任务读取时的版本号（乐观锁，可选）"),
}
NEW_INTERVIEW = {
    "held_on": Day(required=True, description="约谈日期（不晚于今天）", example="2026-06-29"),
    "attendees": Text(max_length=2000, min_length=1, required=True, description="参加人员",
                      example="区科委主要负责人、分管领导"),
    "agreed": Text(max_length=5000, min_length=1, required=True, description="议定事项", example="7月底前完成"),
    "follow_up_on": Day(nullable=True, description="跟踪日期（可选，不早于约谈日期）", example="2026-07-31"),
}
DOCUMENT_REPLY = {
    "text": Text(max_length=10000, min_length=1, required=True, description="反馈内容：逾期原因、整改措施、预计完成时间",
                 example="逾期原因：资金未到位；整改措施：专班推进，7月底前完成。"),
}


def _created(body: dict) -> Response:
    response = jsonify(body)
    response.status_code = 201
    return response


def _is_lead_unit(task: Task) -> bool:
    return unit_involvement(actor(), task) == "lead"


@bp.get("/tasks/<int:task_id>/receipts")
def task_receipts(task_id: int):
    task = visible_task(task_id)
    args = query_args({})
    query = (select(Receipt).where(Receipt.task_id == task.id).options(*RECEIPT_LOAD)
             .order_by(Receipt.assigned_at.desc(), Receipt.id.desc()))  # as services.receipts_of
    return page_of(query, args, receipt_json)


@bp.post("/receipts/<int:receipt_id>/sign")
def sign_receipt(receipt_id: int):
    """签收 or 退回交办, by a user of the unit the receipt is for."""
    receipt = fetch(Receipt, receipt_id, *RECEIPT_LOAD)
    user = actor()
    if not (user.role == Role.unit and user.unit_id == receipt.unit_id):
        raise forbid()
    values = parse_body(SIGN, json_body())
    current = lambda: receipt_json(fetch(Receipt, receipt_id, *RECEIPT_LOAD))  # noqa: E731
    if values["decision"] == "refuse":
        body = run(loop_services.refuse_receipt, user, receipt, reason=values.get("reason") or "",
                   suggested_unit_id=values.get("suggested_unit_id"), expected_version=values.get("version"),
                   current=current, respond=lambda _receipt: current())
    else:
        body = run(loop_services.sign_receipt, user, receipt, expected_version=values.get("version"), current=current,
                   respond=lambda _receipt: current())
    return jsonify(body)


@bp.post("/tasks/<int:task_id>/reassign")
def reassign_task(task_id: int):
    """重新交办 (coordinators): to another lead unit, or again to the same one after it refused."""
    task = fetch(Task, task_id, *TASK_LOAD)
    if not is_manager(actor()):
        raise forbid()
    values = parse_body(REASSIGN, json_body())
    body = run(loop_services.reassign, actor(), task, lead_unit_id=values["lead_unit_id"], today=today(),
               expected_version=values.get("version"), current=lambda: render_task(fetch(Task, task_id, *TASK_LOAD)),
               respond=lambda _task: render_task(fetch(Task, task_id, *TASK_LOAD)))
    return jsonify(body)


@bp.get("/tasks/<int:task_id>/extensions")
def task_extensions(task_id: int):
    task = visible_task(task_id)
    args = query_args({})
    query = (select(ExtensionRequest).where(ExtensionRequest.task_id == task.id).options(*EXTENSION_LOAD)
             .order_by(ExtensionRequest.requested_at, ExtensionRequest.id))  # as services.extensions_of
    return page_of(query, args, extension_json)


@bp.post("/tasks/<int:task_id>/extensions")
def request_extension(task_id: int):
    """延期申请 by the lead unit (JSON only; evidence files are uploaded on the screen)."""
    task = visible_task(task_id)
    if not _is_lead_unit(task):
        raise forbid()
    values = parse_body(NEW_EXTENSION, json_body())
    return _created(run(loop_services.request_extension, actor(), task, requested_due_on=values["requested_due_on"],
                        reason=values["reason"], today=today(),
                        respond=lambda created: extension_json(fetch(ExtensionRequest, created.id, *EXTENSION_LOAD))))


@bp.post("/extensions/<int:extension_id>/decision")
def decide_extension(extension_id: int):
    extension = fetch(ExtensionRequest, extension_id, *EXTENSION_LOAD)
    if not is_manager(actor()):
        raise forbid()
    values = parse_body(EXTENSION_DECISION, json_body())
    current = lambda *_ignored: extension_json(fetch(ExtensionRequest, extension_id, *EXTENSION_LOAD))  # noqa: E731
    return jsonify(run(loop_services.decide_extension, actor(), extension, approve=values["approve"],
                       due_on=values.get("due_on"), comment=values.get("comment") or "", today=today(),
                       expected_version=values.get("version"), current=current, respond=current))


@bp.get("/tasks/<int:task_id>/closures")
def task_closures(task_id: int):
    task = visible_task(task_id)
    args = query_args({})
    query = (select(ClosureRequest).where(ClosureRequest.task_id == task.id).options(*CLOSURE_LOAD)
             .order_by(ClosureRequest.requested_at, ClosureRequest.id))  # as services.closures_of
    return page_of(query, args, closure_json)


@bp.post("/tasks/<int:task_id>/closures")
def request_closure(task_id: int):
    """办结申请 by the lead unit (JSON only; evidence files are uploaded on the screen)."""
    task = visible_task(task_id)
    if not _is_lead_unit(task):
        raise forbid()
    values = parse_body(NEW_CLOSURE, json_body())
    return _created(run(loop_services.request_closure, actor(), task, summary=values["summary"], today=today(),
                        respond=lambda created: closure_json(fetch(ClosureRequest, created.id, *CLOSURE_LOAD))))


@bp.post("/closures/<int:closure_id>/decision")
def decide_closure(closure_id: int):
    closure = fetch(ClosureRequest, closure_id, *CLOSURE_LOAD)
    if not is_manager(actor()):
        raise forbid()
    values = parse_body(CLOSURE_DECISION, json_body())
    current = lambda *_ignored: closure_json(fetch(ClosureRequest, closure_id, *CLOSURE_LOAD))  # noqa: E731
    return jsonify(run(loop_services.decide_closure, actor(), closure, verify=values["verify"],
                       comment=values.get("comment") or "", today=today(), expected_version=values.get("version"),
                       current=current, respond=current))


@bp.post("/tasks/<int:task_id>/reopen")
def reopen_task(task_id: int):
    """A signed-off task reopened (coordinators), with a reason; audited."""
    task = fetch(Task, task_id, *TASK_LOAD)
    if not is_manager(actor()):
        raise forbid()
    values = parse_body(REOPEN, json_body())
    current = lambda *_ignored: render_task(fetch(Task, task_id, *TASK_LOAD))  # noqa: E731
    return jsonify(run(loop_services.reopen_task, actor(), task, reason=values["reason"],
                       expected_version=values.get("version"), current=current, respond=current))


@bp.get("/tasks/<int:task_id>/ladder")
def task_ladder(task_id: int):
    """督办等级: the level in force, every step reached with its document, and the 约谈 records."""
    task = visible_task(task_id)
    original, level = loop_facts([task])[task.id]
    steps = db.session.scalars(
        select(LadderStep).where(LadderStep.task_id == task.id)
        .options(selectinload(LadderStep.document).selectinload(SupervisionDocument.unit),
                 selectinload(LadderStep.document).selectinload(SupervisionDocument.replied_by))
        .order_by(LadderStep.due_on, LadderStep.kind, LadderStep.level))  # as services.ladder_of
    return jsonify({"task_id": task.id, "due_on": iso(task.due_on), "original_due_on": iso(original), "level": level,
                    "steps": [ladder_step_json(step) for step in steps],
                    "interviews": [interview_json(row) for row in loop_services.interviews_of(task)]})


@bp.post("/tasks/<int:task_id>/interviews")
def record_interview(task_id: int):
    """约谈 (coordinators), once the task has reached level 4 (通报)."""
    task = fetch(Task, task_id, *TASK_LOAD)
    if not is_manager(actor()):
        raise forbid()
    values = parse_body(NEW_INTERVIEW, json_body())
    return _created(run(loop_services.record_interview, actor(), task, held_on=values["held_on"],
                        attendees=values["attendees"], agreed=values["agreed"],
                        follow_up_on=values.get("follow_up_on"), today=today(),
                        respond=lambda created: interview_json(fetch(Interview, created.id,
                                                                     selectinload(Interview.recorded_by)))))


@bp.post("/documents/<int:document_id>/reply")
def reply_document(document_id: int):
    """反馈 to a 催办单 / 督办通知单, by a user of the unit it was sent to."""
    document = fetch(SupervisionDocument, document_id, *DOCUMENT_LOAD)
    user = actor()
    if not (user.role == Role.unit and user.unit_id == document.unit_id):
        raise forbid()
    values = parse_body(DOCUMENT_REPLY, json_body())
    return jsonify(run(loop_services.reply_document, user, document, text=values["text"],
                       respond=lambda _document: document_json(fetch(SupervisionDocument, document_id,
                                                                     *DOCUMENT_LOAD))))


# --- units --------------------------------------------------------------------------------------------

UNIT_FILTERS = {"kind": Choice(UnitKind, description="单位类型")}


@bp.get("/units")
def units():
    if not can_read_everything(actor()):
        raise forbid()
    args = query_args(UNIT_FILTERS)
    query = select(Unit)
    if args["kind"] is not None:
        query = query.where(Unit.kind == args["kind"])
    return page_of(query.order_by(Unit.kind, Unit.short_name, Unit.id), args, unit_json)


@bp.get("/units/<int:unit_id>")
def unit(unit_id: int):
    found = fetch(Unit, unit_id)
    user = actor()
    if not (can_read_everything(user) or (user.role == Role.unit and user.unit_id == found.id)):
        raise forbid()
    return jsonify(unit_json(found))


# --- proposals (提案) and indicators (指标): only when those modules are installed ------------------------

if HAS_PROPOSALS:
    from tracker.proposals.models import Proposal, ProposalState, proposal_co_units

    PROPOSAL_FILTERS = {
        "state": Choice(ProposalState, description="办理状态"),
        "unit_id": Identifier(description="主办或会办单位"),
        "meeting": Text(max_length=100, description="会议，如 市政协十四届三次会议"),
    }

    @bp.get("/proposals")
    def proposals():
        from tracker.api.representations import proposal_json
        from tracker.proposals.services import visible_proposal_condition

        args = query_args(PROPOSAL_FILTERS)
        query = (select(Proposal).where(visible_proposal_condition(actor()))
                 .options(selectinload(Proposal.main_unit), selectinload(Proposal.co_units)))
        if args["state"] is not None:
            query = query.where(Proposal.state == args["state"])
        if args["unit_id"]:
            co = exists().where(proposal_co_units.c.proposal_id == Proposal.id,
                                proposal_co_units.c.unit_id == args["unit_id"])
            query = query.where(or_(Proposal.main_unit_id == args["unit_id"], co))
        if args["meeting"]:
            query = query.where(Proposal.meeting == args["meeting"])
        return page_of(query.order_by(Proposal.meeting, Proposal.number, Proposal.id), args, proposal_json)

    @bp.get("/proposals/<int:proposal_id>")
    def proposal(proposal_id: int):
        from tracker.api.representations import proposal_json
        from tracker.proposals.services import can_view_proposal

        found = fetch(Proposal, proposal_id, selectinload(Proposal.main_unit), selectinload(Proposal.co_units))
        if not can_view_proposal(actor(), found):
            raise forbid()
        return jsonify(proposal_json(found, with_reply_text=True))


if HAS_INDICATORS:
    from tracker.indicators.models import Indicator

    INDICATOR_FILTERS = {
        "plan_id": Identifier(description="方案"),
        "unit_id": Identifier(description="责任单位"),
    }

    @bp.get("/indicators")
    def indicators():
        from tracker.api.representations import indicator_json
        from tracker.indicators.services import visible_indicators

        args = query_args(INDICATOR_FILTERS)
        # The visibility rule needs each indicator's task (tracker.indicators.services), so the list is
        # filtered in Python; visible_indicators loads it in a fixed number of queries.
        rows = visible_indicators(actor(), args["plan_id"])
        if args["unit_id"]:
            rows = [row for row in rows if row.responsible_unit_id == args["unit_id"]]
        day = today()
        return list_page(rows, args, lambda row: indicator_json(row, day))

    @bp.get("/indicators/<int:indicator_id>")
    def indicator(indicator_id: int):
        from tracker.api.representations import indicator_json
        from tracker.indicators.services import can_view_indicator

        found = fetch(Indicator, indicator_id, selectinload(Indicator.readings), selectinload(Indicator.plan),
                      selectinload(Indicator.responsible_unit), selectinload(Indicator.task))
        if not can_view_indicator(actor(), found):
            raise forbid()
        return jsonify(indicator_json(found, today()))


def route_specs() -> dict[str, dict]:
    """The input specs per operation, for openapi.py."""
    specs = {"PLAN_FILTERS": PLAN_FILTERS, "TASK_FILTERS": TASK_FILTERS, "TASK_CHANGES": TASK_CHANGES,
             "UPDATE_FILTERS": UPDATE_FILTERS, "TASK_UPDATE_FILTERS": TASK_UPDATE_FILTERS, "NEW_UPDATE": NEW_UPDATE,
             "REVIEW": REVIEW, "UNIT_FILTERS": UNIT_FILTERS, "PAGING": PAGING, "SIGN": SIGN,
             "NEW_EXTENSION": NEW_EXTENSION, "EXTENSION_DECISION": EXTENSION_DECISION, "NEW_CLOSURE": NEW_CLOSURE,
             "CLOSURE_DECISION": CLOSURE_DECISION, "DOCUMENT_REPLY": DOCUMENT_REPLY, "REASSIGN": REASSIGN,
             "REOPEN": REOPEN, "NEW_INTERVIEW": NEW_INTERVIEW}
    if HAS_PROPOSALS:
        specs["PROPOSAL_FILTERS"] = PROPOSAL_FILTERS
    if HAS_INDICATORS:
        specs["INDICATOR_FILTERS"] = INDICATOR_FILTERS
    return specs
