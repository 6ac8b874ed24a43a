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
from tracker.api.operations import documented, operation_of
from tracker.api import services as token_services
from tracker.api.inputs import (MAX_ID, BadInput, Boolean, Choice, Day, Identifier, IdentifierList, Integer, Text,
                                TextList, parse_body, parse_query)
from tracker.api.representations import (closure_json, document_json, extension_json, interview_json, iso,
                                         ladder_step_json, plan_json, receipt_json, task_json, unit_json,
                                         update_json)
from tracker.auth.models import Role, User
from tracker.common.clock import today, utcnow
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
from tracker.updates.uploads import evidence_store, send_evidence, upload_limits
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

def operation(**declaration):
    """Declares the decorated view's operation (tracker.api.operations): its input schemas, which the view
    reads its input with (query_values, body_values), and its answers, for the OpenAPI document."""
    return documented(bp.name, **declaration)


def query_values() -> dict:
    """The query string, checked against the served operation's declared query fields (with paging)."""
    return parse_query(operation_of(request.endpoint).query_fields(), request.args)


def body_values() -> dict:
    """The JSON body, checked against the served operation's declared body fields."""
    specs = operation_of(request.endpoint).body
    if specs is None:
        raise LookupError(f"{request.endpoint} declares no body")
    return parse_body(specs, json_body())


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


def list_page(items: list, args: dict, render: Callable[[Any], dict] | None = None, *,
              render_chunk: Callable[[list], list[dict]] | None = None) -> Response:
    """One page of ``items``, each rendered by ``render`` (or the page's items at once by ``render_chunk``,
    for representations that read something for the whole page)."""
    page, per_page = args["page"], args["per_page"]
    chunk = items[(page - 1) * per_page: page * per_page]
    return jsonify({"items": render_chunk(chunk) if render_chunk else [render(item) for item in chunk],
                    "page": page, "per_page": per_page, "total": len(items)})


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
@operation(operation_id="openapi", summary="本文档（OpenAPI 3.0.3）", tag="meta",
           ok=(200, "OpenApiDocument", "OpenAPI 文档"), public=True,
           description="由各接口声明的输入字段（与服务端校验用的是同一份）和蓝图的路由表生成。")
def openapi_document():
    return jsonify(document())


def document() -> dict:
    """The OpenAPI document of this blueprint, generated from its routes and their declarations."""
    return openapi.build_document(bp)


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
@operation(operation_id="listPlans", summary="方案列表", tag="plans", query=PLAN_FILTERS, paged=True,
           ok=(200, "PlanPage"), errors=(400, 403), description="单位用户看不到草稿方案。")
def plans():
    args = query_values()
    query = _plans_query(actor())
    if args["status"] is not None:
        query = query.where(Plan.status == args["status"])
    if args["kind"] is not None:
        query = query.where(Plan.kind == args["kind"])
    return page_of(query.order_by(Plan.issued_on.desc().nulls_last(), Plan.id.desc()), args, plan_json)


@bp.get("/plans/<int:plan_id>")
@operation(operation_id="getPlan", summary="方案", tag="plans", ok=(200, "Plan"), errors=(403, 404),
           description="草稿方案只对督办、管理员和领导可见（其他用户 403）。")
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
@operation(operation_id="listTasks", summary="任务列表", tag="tasks", query=TASK_FILTERS, paged=True,
           ok=(200, "TaskPage"), errors=(400, 403),
           description="单位用户只看到本单位牵头或配合的任务；督办、管理员、领导看到全部。"
                       "按方案、牵头单位、单位（牵头或配合）、状态、完成时限区间筛选。")
def tasks():
    args = query_values()
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
@operation(operation_id="getTask", summary="任务", tag="tasks", ok=(200, "Task"), errors=(403, 404),
           description="无权查看的任务返回 403。")
def task(task_id: int):
    return jsonify(render_task(visible_task(task_id)))


@bp.patch("/tasks/<int:task_id>")
@operation(operation_id="changeTask", summary="修改任务（督办、管理员）", tag="tasks", body=TASK_CHANGES,
           ok=(200, "Task", "修改后的任务"), errors=(400, 403, 404, 409, 413, 415, 422), conflict="TaskConflict",
           description="只改请求里给出的字段。必须带上读取时的 version；他人已先保存则 409，"
                       "error.current 为当前内容，什么也不改。")
def change_task(task_id: int):
    task = fetch(Task, task_id, *TASK_LOAD)
    if not is_manager(actor()):
        raise forbid()
    changes = body_values()
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
@operation(operation_id="listUpdates", summary="进展报送列表", tag="updates", query=UPDATE_FILTERS, paged=True,
           ok=(200, "UpdatePage"), errors=(400, 403),
           description="可见任务的报送，最新的在前；如 review_state=submitted 为待审核。")
def updates():
    args = query_values()
    query = (select(StatusUpdate).join(Task, Task.id == StatusUpdate.task_id)
             .where(visible_task_condition(actor())).options(*UPDATE_LOAD))
    return page_of(_filtered_updates(query, args), args, update_json)


@bp.get("/updates/<int:update_id>")
@operation(operation_id="getUpdate", summary="进展报送", tag="updates", ok=(200, "Update"), errors=(403, 404),
           description="无权查看其任务的报送返回 403。")
def update(update_id: int):
    found = fetch(StatusUpdate, update_id, *UPDATE_LOAD)
    if not can_view_task(actor(), found.task):
        raise forbid()
    return jsonify(update_json(found))


@bp.get("/tasks/<int:task_id>/updates")
@operation(operation_id="listTaskUpdates", summary="任务的进展报送", tag="updates", query=TASK_UPDATE_FILTERS,
           paged=True, ok=(200, "UpdatePage"), errors=(400, 403, 404), description="最新的在前。")
def task_updates(task_id: int):
    task = visible_task(task_id)
    args = query_values()
    query = (select(StatusUpdate).join(Task, Task.id == StatusUpdate.task_id)
             .where(StatusUpdate.task_id == task.id).options(*UPDATE_LOAD))
    return page_of(_filtered_updates(query, args), args, update_json)


@bp.post("/tasks/<int:task_id>/updates")
@operation(operation_id="submitUpdate", summary="报送进展（牵头或配合单位的用户）", tag="updates", body=NEW_UPDATE,
           ok=(201, "Update", "已提交，待审核"), errors=(400, 403, 404, 409, 413, 415, 422),
           ok_headers={"Location": {"description": "新报送的地址", "schema": {"type": "string"}}},
           description="只收 JSON，不含附件（佐证材料在网页上传）。报送周期须为当前或之前几个周期"
                       "（与网页表单相同）。被退回后重新提交时给出 resubmission_of_id。")
def submit_task_update(task_id: int):
    task = visible_task(task_id)
    if not can_submit_update(actor(), task):
        raise forbid()
    values = body_values()
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
@operation(operation_id="reviewUpdate", summary="审核报送：采纳或退回（督办、管理员）", tag="updates", body=REVIEW,
           ok=(200, "Update", "审核后的报送"), errors=(400, 403, 404, 409, 413, 415, 422), conflict="UpdateConflict",
           description="采纳牵头单位的报送会更新任务进度（100% 即完成）；退回须填写审核意见。"
                       "给出 version 时，报送已被改动则 409。")
def review(update_id: int):
    found = fetch(StatusUpdate, update_id, *UPDATE_LOAD)
    if not can_review_updates(actor()):
        raise forbid()
    values = body_values()
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
@operation(operation_id="listTaskReceipts", summary="任务的交办签收", tag="supervision", paged=True,
           ok=(200, "ReceiptPage"), errors=(400, 403, 404),
           description="每次交办（含重新交办、增加配合单位）一条，最新的在前；历史记录保留。")
def task_receipts(task_id: int):
    task = visible_task(task_id)
    args = query_values()
    query = (select(Receipt).where(Receipt.task_id == task.id).options(*RECEIPT_LOAD)
             .order_by(Receipt.assigned_at.desc(), Receipt.id.desc()))  # as services.receipts_of
    return page_of(query, args, receipt_json)


@bp.post("/receipts/<int:receipt_id>/sign")
@operation(operation_id="signReceipt", summary="签收或退回交办（被交办单位的用户）", tag="supervision", body=SIGN,
           ok=(200, "Receipt", "签收后的记录"), errors=(400, 403, 404, 409, 413, 415, 422), conflict="ReceiptConflict",
           description="decision=sign 签收；decision=refuse 退回交办，须说明理由，可建议责任单位（督办人员随后"
                       "重新交办）。只能办理交办给本单位、待签收的记录。给出 version 时，记录已被改动则 409。")
def sign_receipt(receipt_id: int):
    """签收 or 退回交办, by a user of the unit the receipt is for."""
    receipt = fetch(Receipt, receipt_id, *RECEIPT_LOAD)
    user = actor()
    if not (user.role == Role.unit and user.unit_id == receipt.unit_id):
        raise forbid()
    values = body_values()
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
@operation(operation_id="reassignTask", summary="重新交办（督办、管理员）", tag="supervision", body=REASSIGN,
           ok=(200, "Task", "重新交办后的任务"), errors=(400, 403, 404, 409, 413, 415, 422), conflict="TaskConflict",
           description="交给另一牵头单位，或在退回交办后再交同一单位；新的牵头单位待签收。原牵头单位不再在任务上。"
                       "给出 version 时，任务已被改动则 409。")
def reassign_task(task_id: int):
    """重新交办 (coordinators): to another lead unit, or again to the same one after it refused."""
    task = fetch(Task, task_id, *TASK_LOAD)
    if not is_manager(actor()):
        raise forbid()
    values = body_values()
    body = run(loop_services.reassign, actor(), task, lead_unit_id=values["lead_unit_id"], today=today(),
               expected_version=values.get("version"), current=lambda: render_task(fetch(Task, task_id, *TASK_LOAD)),
               respond=lambda _task: render_task(fetch(Task, task_id, *TASK_LOAD)))
    return jsonify(body)


@bp.get("/tasks/<int:task_id>/extensions")
@operation(operation_id="listTaskExtensions", summary="任务的延期申请", tag="supervision", paged=True,
           ok=(200, "ExtensionPage"), errors=(400, 403, 404),
           description="按申请时间先后；含审批结果（原定时限见 due_on_before，调整后时限见 approved_due_on）。")
def task_extensions(task_id: int):
    task = visible_task(task_id)
    args = query_values()
    query = (select(ExtensionRequest).where(ExtensionRequest.task_id == task.id).options(*EXTENSION_LOAD)
             .order_by(ExtensionRequest.requested_at, ExtensionRequest.id))  # as services.extensions_of
    return page_of(query, args, extension_json)


@bp.post("/tasks/<int:task_id>/extensions")
@operation(operation_id="requestExtension", summary="提出延期申请（牵头单位的用户）", tag="supervision",
           body=NEW_EXTENSION, ok=(201, "Extension", "已提交，待审批"), errors=(400, 403, 404, 409, 413, 415, 422),
           description="每个任务同时只能有一个待审批的申请；申请的日期须晚于今天和现行完成时限；"
                       "过了完成时限才申请的记为逾期申请（is_late）。只收 JSON，佐证材料在网页上传。")
def request_extension(task_id: int):
    """延期申请 by the lead unit (JSON only; evidence files are uploaded on the screen)."""
    task = visible_task(task_id)
    if not _is_lead_unit(task):
        raise forbid()
    values = body_values()
    return _created(run(loop_services.request_extension, actor(), task, requested_due_on=values["requested_due_on"],
                        reason=values["reason"], today=today(),
                        respond=lambda created: extension_json(fetch(ExtensionRequest, created.id, *EXTENSION_LOAD))))


@bp.post("/extensions/<int:extension_id>/decision")
@operation(operation_id="decideExtension", summary="审批延期申请（督办、管理员）", tag="supervision",
           body=EXTENSION_DECISION, ok=(200, "Extension", "审批后的申请"), errors=(400, 403, 404, 409, 413, 415, 422),
           conflict="ExtensionConflict",
           description="approve=true 批准（可用 due_on 改批其他日期），任务的完成时限随之调整，督办等级不再按原时限"
                       "升级；approve=false 不予批准，须填写意见。给出 version 时，申请已被改动则 409。")
def decide_extension(extension_id: int):
    extension = fetch(ExtensionRequest, extension_id, *EXTENSION_LOAD)
    if not is_manager(actor()):
        raise forbid()
    values = body_values()
    current = lambda *_ignored: extension_json(fetch(ExtensionRequest, extension_id, *EXTENSION_LOAD))  # noqa: E731
    return jsonify(run(loop_services.decide_extension, actor(), extension, approve=values["approve"],
                       due_on=values.get("due_on"), comment=values.get("comment") or "", today=today(),
                       expected_version=values.get("version"), current=current, respond=current))


@bp.get("/tasks/<int:task_id>/closures")
@operation(operation_id="listTaskClosures", summary="任务的办结申请", tag="supervision", paged=True,
           ok=(200, "ClosurePage"), errors=(400, 403, 404),
           description="按申请时间先后；verified 为已核查销号（decided_by、decided_at 为核查人和时间）。")
def task_closures(task_id: int):
    task = visible_task(task_id)
    args = query_values()
    query = (select(ClosureRequest).where(ClosureRequest.task_id == task.id).options(*CLOSURE_LOAD)
             .order_by(ClosureRequest.requested_at, ClosureRequest.id))  # as services.closures_of
    return page_of(query, args, closure_json)


@bp.post("/tasks/<int:task_id>/closures")
@operation(operation_id="requestClosure", summary="提交办结申请（牵头单位的用户）", tag="supervision",
           body=NEW_CLOSURE, ok=(201, "Closure", "已提交，待核查"), errors=(400, 403, 404, 409, 413, 415, 422),
           description="办结报告写明完成情况；任务经督办人员核查通过才销号（进度100%不再自动办结）。"
                       "每个任务同时只能有一个待核查的申请。只收 JSON，佐证材料在网页上传。")
def request_closure(task_id: int):
    """办结申请 by the lead unit (JSON only; evidence files are uploaded on the screen)."""
    task = visible_task(task_id)
    if not _is_lead_unit(task):
        raise forbid()
    values = body_values()
    return _created(run(loop_services.request_closure, actor(), task, summary=values["summary"], today=today(),
                        respond=lambda created: closure_json(fetch(ClosureRequest, created.id, *CLOSURE_LOAD))))


@bp.post("/closures/<int:closure_id>/decision")
@operation(operation_id="decideClosure", summary="核查办结申请：销号或退回（督办、管理员）", tag="supervision",
           body=CLOSURE_DECISION, ok=(200, "Closure", "核查后的申请"), errors=(400, 403, 404, 409, 413, 415, 422),
           conflict="ClosureConflict",
           description="verify=true 核查通过，任务销号（已完成，100%）；verify=false 退回，须说明理由。"
                       "给出 version 时，申请已被改动则 409。")
def decide_closure(closure_id: int):
    closure = fetch(ClosureRequest, closure_id, *CLOSURE_LOAD)
    if not is_manager(actor()):
        raise forbid()
    values = body_values()
    current = lambda *_ignored: closure_json(fetch(ClosureRequest, closure_id, *CLOSURE_LOAD))  # noqa: E731
    return jsonify(run(loop_services.decide_closure, actor(), closure, verify=values["verify"],
                       comment=values.get("comment") or "", today=today(), expected_version=values.get("version"),
                       current=current, respond=current))


@bp.post("/tasks/<int:task_id>/reopen")
@operation(operation_id="reopenTask", summary="重新打开已销号的任务（督办、管理员）", tag="supervision", body=REOPEN,
           ok=(200, "Task", "重新打开的任务"), errors=(400, 403, 404, 409, 413, 415, 422), conflict="TaskConflict",
           description="须说明理由，记入审计日志。给出 version 时，任务已被改动则 409。")
def reopen_task(task_id: int):
    """A signed-off task reopened (coordinators), with a reason; audited."""
    task = fetch(Task, task_id, *TASK_LOAD)
    if not is_manager(actor()):
        raise forbid()
    values = body_values()
    current = lambda *_ignored: render_task(fetch(Task, task_id, *TASK_LOAD))  # noqa: E731
    return jsonify(run(loop_services.reopen_task, actor(), task, reason=values["reason"],
                       expected_version=values.get("version"), current=current, respond=current))


@bp.get("/tasks/<int:task_id>/ladder")
@operation(operation_id="getTaskLadder", summary="任务的督办等级、督办文书和约谈", tag="supervision",
           ok=(200, "Ladder", "任务的督办等级"), errors=(403, 404),
           description="提醒→催办→督办→通报各级达到的日期和逾期工作日，各级发出的催办单、督办通知单（文号、"
                       "反馈时限、反馈情况），以及约谈记录。")
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
@operation(operation_id="recordInterview", summary="记录约谈（督办、管理员）", tag="supervision", body=NEW_INTERVIEW,
           ok=(201, "Interview", "已记录的约谈"), errors=(400, 403, 404, 409, 413, 415, 422),
           description="任务达到第四级（通报）后才可以记录；约谈日期不晚于今天，跟踪日期不早于约谈日期。")
def record_interview(task_id: int):
    """约谈 (coordinators), once the task has reached level 4 (通报)."""
    task = fetch(Task, task_id, *TASK_LOAD)
    if not is_manager(actor()):
        raise forbid()
    values = body_values()
    return _created(run(loop_services.record_interview, actor(), task, held_on=values["held_on"],
                        attendees=values["attendees"], agreed=values["agreed"],
                        follow_up_on=values.get("follow_up_on"), today=today(),
                        respond=lambda created: interview_json(fetch(Interview, created.id,
                                                                     selectinload(Interview.recorded_by)))))


@bp.post("/documents/<int:document_id>/reply")
@operation(operation_id="replyDocument", summary="反馈督办文书（收文单位的用户）", tag="supervision",
           body=DOCUMENT_REPLY, ok=(200, "Document", "已反馈的文书"), errors=(400, 403, 404, 409, 413, 415, 422),
           description="写明逾期原因、整改措施和预计完成时间；每份文书反馈一次，已反馈的（包括同时提交的两次"
                       "反馈中后到的一次）409，什么也不改。反馈时限内未反馈的，任务升一级。")
def reply_document(document_id: int):
    """反馈 to a 催办单 / 督办通知单, by a user of the unit it was sent to."""
    document = fetch(SupervisionDocument, document_id, *DOCUMENT_LOAD)
    user = actor()
    if not (user.role == Role.unit and user.unit_id == document.unit_id):
        raise forbid()
    values = body_values()
    return jsonify(run(loop_services.reply_document, user, document, text=values["text"],
                       respond=lambda _document: document_json(fetch(SupervisionDocument, document_id,
                                                                     *DOCUMENT_LOAD))))


# --- units --------------------------------------------------------------------------------------------

UNIT_FILTERS = {"kind": Choice(UnitKind, description="单位类型")}


@bp.get("/units")
@operation(operation_id="listUnits", summary="单位列表（督办、管理员、领导）", tag="units", query=UNIT_FILTERS,
           paged=True, ok=(200, "UnitPage"), errors=(400, 403), description="单位用户 403。")
def units():
    if not can_read_everything(actor()):
        raise forbid()
    args = query_values()
    query = select(Unit)
    if args["kind"] is not None:
        query = query.where(Unit.kind == args["kind"])
    return page_of(query.order_by(Unit.kind, Unit.short_name, Unit.id), args, unit_json)


@bp.get("/units/<int:unit_id>")
@operation(operation_id="getUnit", summary="单位", tag="units", ok=(200, "Unit"), errors=(403, 404),
           description="单位用户只能查看本单位。")
def unit(unit_id: int):
    found = fetch(Unit, unit_id)
    user = actor()
    if not (can_read_everything(user) or (user.role == Role.unit and user.unit_id == found.id)):
        raise forbid()
    return jsonify(unit_json(found))


# --- proposals (提案) and indicators (指标): only when those modules are installed ------------------------

if HAS_PROPOSALS:
    from tracker.proposals import handling as proposal_handling
    from tracker.proposals import key_items as proposal_key_items
    from tracker.proposals import services as proposal_services
    from tracker.proposals import signed_reply as proposal_signed_reply
    from tracker.proposals.models import Proposal, ProposalKind, ProposalReceipt, ProposalState, Proposer
    from tracker.proposals.queries import ProposalFilters, history_events, proposal_query
    from tracker.supervision.proposal_ladder import proposal_ladder

    PROPOSAL_FILTERS = {
        "meeting": Text(max_length=100, description="届次会议，如 市政协十四届三次会议"),
        "kind": Choice(ProposalKind, description="类别：cppcc 政协提案 / npc 人大建议"),
        "unit_id": Identifier(description="主办或协办（会办）单位"),
        "state": Choice(ProposalState, description="办理状态"),
        "key": Choice(("0", "1"), description="1：只列重点提案", example="1"),
    }
    PROPOSAL_ASSIGN = {
        "main_unit_id": Identifier(nullable=True, description="主办单位（分办时不填）"),
        "co_unit_ids": IdentifierList(max_items=50, description="协办（会办）单位"),
        "split_unit_ids": IdentifierList(max_items=50, description="分办：各自答复的单位（不设主办、协办）"),
    }
    PROPOSAL_RECEIPT = {
        "decision": Choice(("sign", "return"), required=True, description="sign 签收 / return 退回",
                           example="sign"),
        "reason": Text(max_length=2000, description="退回理由（退回时必填）", example="不属于本单位职责"),
    }
    PROPOSAL_REPLY = {
        "reply_on": Day(required=True, description="答复日期（不早于交办日期）", example="2026-06-29"),
        "result_category": Text(max_length=40, min_length=1, required=True,
                                description="办理结果，须为配置的类别之一（默认：解决采纳、部分采纳或解决、留作参考、"
                                            "因条件限制无法解决）", example="解决采纳"),
        "reply_doc_number": Text(max_length=80, description="答复文号", example="沪科提复〔2026〕53号"),
        "publicity": Text(max_length=20, description="公开属性，须为配置的选项之一（默认：主动公开、依申请公开、不予公开）",
                          example="主动公开"),
        "reply_text": Text(max_length=50000, description="答复全文"),
        "version": Integer(minimum=1, nullable=True, description="读取时的版本号（乐观锁，可选）"),
    }
    RATING_LINKS = {
        "proposer_id": Identifier(nullable=True, description="只发给这位提案人（不填则发给每位提案人）"),
    }
    PROPOSAL_LOAD = (selectinload(Proposal.main_unit), selectinload(Proposal.co_units),
                     selectinload(Proposal.people),
                     selectinload(Proposal.receipts).selectinload(ProposalReceipt.unit))
    PROPOSAL_WRITE_ERRORS = (400, 403, 404, 413, 415, 422)

    def render_proposal(proposal_id: int) -> dict:
        """The item as saved, with its receipts and its steps (read in the request's transaction)."""
        from tracker.api.representations import proposal_detail_json
        from tracker.audit.sentences import describe

        found = fetch(Proposal, proposal_id, *PROPOSAL_LOAD)
        return proposal_detail_json(found, describe(history_events(found)), proposal_ladder(found),
                                    proposal_signed_reply.signed_letter(found), proposal_key_items.key_item(found))

    def visible_proposal(proposal_id: int) -> Proposal:
        found = fetch(Proposal, proposal_id, *PROPOSAL_LOAD)
        if not proposal_services.can_view_proposal(actor(), found):
            raise forbid()
        return found

    def managed_proposal(proposal_id: int) -> Proposal:
        """交办, the reply and rating links are the coordinators' (督办、管理员), as on the item's page."""
        found = fetch(Proposal, proposal_id, *PROPOSAL_LOAD)
        if not proposal_services.can_manage_proposals(actor()):
            raise forbid()
        return found

    @bp.get("/proposals")
    @operation(operation_id="listProposals", summary="建议提案列表", tag="proposals", query=PROPOSAL_FILTERS,
               paged=True, ok=(200, "ProposalPage"), errors=(400, 403),
               description="按届次会议、类别（政协提案/人大建议）、承办单位、办理状态筛选，key=1 只列重点提案"
                           "（与网页登记簿相同），按会议和编号排序。单位用户只看到本单位主办或协办的件。"
                           "is_key、key_leader 为重点提案及其督办领导。")
    def proposals():
        from tracker.api.representations import proposal_json

        args = query_values()
        filters = ProposalFilters(state=args["state"], unit_id=args["unit_id"], meeting=args["meeting"],
                                  kind=args["kind"])
        query = proposal_query(actor(), filters)
        if args["key"] == "1":
            query = query.where(proposal_key_items.key_condition())

        def render_all(items: list) -> list[dict]:
            keys = proposal_key_items.key_items_of(item.id for item in items)
            return [proposal_json(item, key=keys.get(item.id)) for item in items]

        return page_of(query, args, render_all=render_all)

    @bp.get("/proposals/<int:proposal_id>")
    @operation(operation_id="getProposal", summary="建议提案（含办理过程）", tag="proposals",
               ok=(200, "ProposalDetail"), errors=(403, 404),
               description="含答复全文、建议要点、提案人、各承办单位的签收/退回，以及每一步办理过程"
                           "（谁、何时，与网页上的记录相同，先后为序），以及答复逾期的督办等级 ladder（各承办单位本轮达到的等级、"
                           "每一级的日期、逾期工作日和发出的催办单、督办通知单及其下载地址）。")
    def proposal(proposal_id: int):
        return jsonify(render_proposal(visible_proposal(proposal_id).id))

    @bp.get("/proposals/<int:proposal_id>/signed-reply")
    @operation(operation_id="downloadSignedReply", summary="下载盖章答复函", tag="proposals",
               ok=(200, None, "盖章答复函文件（最新一次上传），以上传时的文件名下载"),
               ok_files=("application/pdf", "image/jpeg", "image/png",
                         "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         "application/octet-stream"),
               errors=(403, 404),
               description="主办单位或督办人员在网页上上传的盖章答复函（PDF、扫描件JPG/PNG、签发的Word或OFD）。"
                           "能查看本件的用户（承办单位、督办人员、领导）可以下载，其他单位 403；尚未上传时 404。"
                           "文件信息见 getProposal 的 signed_reply。")
    def signed_reply(proposal_id: int):
        found = visible_proposal(proposal_id)
        letter = proposal_signed_reply.signed_letter(found)
        if letter is None:
            raise ApiError(404, "not_found", _("尚未上传盖章答复函。"))
        return send_evidence(letter)

    @bp.get("/proposals/<int:proposal_id>/documents/<int:document_id>.docx")
    @operation(operation_id="downloadProposalDocument", summary="下载本件的催办单或督办通知单", tag="proposals",
               ok=(200, None, "催办单或督办通知单的Word文件（印发时的内容）"),
               ok_files=("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
               errors=(403, 404),
               description="答复逾期的督办文书（getProposal 的 ladder.steps[].document.url）。能查看本件的用户"
                           "（承办单位、督办人员、领导）可以下载，其他单位 403；不是本件的文书或尚未印发时 404。")
    def proposal_document(proposal_id: int, document_id: int):
        from tracker.common.web import download
        from tracker.supervision.documents import document_docx

        found = visible_proposal(proposal_id)
        document = fetch(SupervisionDocument, document_id)
        if document.proposal_id != found.id or document.is_proposed:
            raise ApiError(404, "not_found", _("请求的对象或地址不存在。"))
        return download(document_docx(document),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        f"{document.number}-{document.facts.get('item_number', '')}.docx")

    @bp.post("/proposals/<int:proposal_id>/assign")
    @operation(operation_id="assignProposal", summary="交办（督办、管理员）", tag="proposals", body=PROPOSAL_ASSIGN,
               ok=(200, "ProposalDetail", "交办后的件"), errors=PROPOSAL_WRITE_ERRORS,
               description="交给一个主办单位和若干协办单位，或分办给各自答复的单位；请求体为空对象时交给件上"
                           "已登记的主办、协办单位（与网页“交办”相同）。各单位须在签收期限内签收或退回；"
                           "答复期限自交办日起算。已有单位签收或退回、或已答复的件不能再交办（422）。")
    def assign_proposal(proposal_id: int):
        found = managed_proposal(proposal_id)
        values = body_values()
        if values:
            units = dict(main_unit_id=values.get("main_unit_id"), co_unit_ids=values.get("co_unit_ids") or [],
                         split_unit_ids=values.get("split_unit_ids") or [])
        else:
            units = dict(main_unit_id=found.main_unit_id, co_unit_ids=[unit.id for unit in found.co_units])
        return jsonify(run(proposal_handling.assign, actor(), found, today=today(), **units,
                           respond=lambda _receipts: render_proposal(proposal_id)))

    @bp.post("/proposals/<int:proposal_id>/receipt")
    @operation(operation_id="actOnProposalReceipt", summary="签收或退回（承办单位的用户）", tag="proposals",
               body=PROPOSAL_RECEIPT, ok=(200, "ProposalDetail", "签收或退回后的件"), errors=PROPOSAL_WRITE_ERRORS,
               description="decision=sign 签收；decision=return 退回，须说明理由，且在退回期限内（逾期 422）。"
                           "只有交办给本单位、尚未签收或退回的单位用户可以办理，其他人 403。"
                           "退回的件由督办人员重新交办，单位不能自行转交。")
    def act_on_proposal_receipt(proposal_id: int):
        found = visible_proposal(proposal_id)
        values = body_values()
        return jsonify(run(proposal_handling.act_on_receipt, actor(), found, step=values["decision"],
                           reason=values.get("reason") or "", today=today(), now=utcnow(),
                           respond=lambda _receipt: render_proposal(proposal_id)))

    @bp.post("/proposals/<int:proposal_id>/reply")
    @operation(operation_id="recordProposalReply", summary="登记答复（督办、管理员）", tag="proposals",
               body=PROPOSAL_REPLY, ok=(200, "ProposalDetail", "已答复的件"),
               errors=(400, 403, 404, 409, 413, 415, 422), conflict="ProposalConflict",
               description="登记答复函：答复日期、办理结果、文号、公开属性和全文，件随之为“已答复”，"
                           "可请提案人评价。规则与网页编辑相同（办理结果、公开属性须在可选项中，答复日期不早于交办日期，"
                           "已反馈的件不能再登记答复），不符合的 422，什么也不改。给出 version 时，件已被改动则 409。")
    def record_proposal_reply(proposal_id: int):
        found = managed_proposal(proposal_id)
        values = body_values()
        return jsonify(run(proposal_services.record_reply, actor(), found, reply_on=values["reply_on"],
                           result_category=values["result_category"],
                           reply_doc_number=values.get("reply_doc_number") or "",
                           publicity=values.get("publicity") or "", reply_text=values.get("reply_text"),
                           expected_version=values.get("version"), current=lambda: render_proposal(proposal_id),
                           respond=lambda _proposal: render_proposal(proposal_id)))

    @bp.post("/proposals/<int:proposal_id>/rating-links")
    @operation(operation_id="issueRatingLinks", summary="发送评价链接（督办、管理员）", tag="proposals",
               body=RATING_LINKS, ok=(201, "RatingLinks", "个人评价链接（只显示这一次）"),
               errors=PROPOSAL_WRITE_ERRORS,
               description="为已答复的件生成提案人本人的评价链接（每人一个，限期、一次有效），由督办人员发给本人。"
                           "评价只能由提案人本人在 /rate/<token> 页面填写：本接口不提供评价，任何令牌都不能代为评价。")
    def issue_rating_links(proposal_id: int):
        found = managed_proposal(proposal_id)
        values = body_values()

        def respond(links: list[tuple[Proposer, str]]) -> dict:
            return {"links": [{"proposer": {"id": person.id, "name": person.name},
                               "url": url_for("rating.rate_reply", token=token, _external=True)}
                              for person, token in links]}

        if values.get("proposer_id") is not None:
            person = fetch(Proposer, values["proposer_id"])  # another item's proposer: the service refuses it
            return _created(run(lambda: [(person, proposal_handling.issue_rating_link(actor(), found, person,
                                                                                      now=utcnow()))],
                                respond=respond))
        people = {person.name: person for person in found.people}
        return _created(run(lambda: [(people[name], token) for name, token
                                     in proposal_handling.issue_rating_links(actor(), found, now=utcnow())],
                            respond=respond))


# --- the handling steps of 建议提案: 沟通协商, 协办意见 and 会签, 延期, 承诺事项 ---------------------------------
# Each operation mirrors the item page's form (tracker/proposals/views.py): the same check before the service,
# then the same service (tracker.proposals.contacts, cosign, clock, promises), which decides the rest.

if HAS_PROPOSALS:
    from tracker.access.permissions import can_read_everything as _reads_everything
    from tracker.proposals import clock as proposal_clock
    from tracker.proposals import contacts as proposal_contacts
    from tracker.proposals import cosign as proposal_cosign
    from tracker.proposals import promises as proposal_promises
    from tracker.proposals.models import ContactStage, ProposalContact, ProposalPromise, ReplyExtension

    NEW_CONTACT = {
        "contact_on": Day(required=True, description="沟通日期（不晚于今天，不早于交办日期）", example="2026-01-22"),
        "way": Choice(proposal_contacts.CONTACT_WAYS, required=True, description="沟通方式", example="见面"),
        "stage": Choice(ContactStage, required=True,
                        description="阶段：before 办前 / during 办中 / after 办后（答复后才能登记）", example="before"),
        "proposer_names": TextList(max_items=50, max_length=60,
                                   description="参与沟通的提案人姓名（件上登记了提案人的，须从中选择，至少一位）",
                                   example=["张三"]),
        "unit_people": Text(max_length=200, min_length=1, required=True, description="承办单位参与人员",
                            example="王五（副局长）"),
        "agreed": Text(max_length=proposal_contacts.MAX_AGREED, min_length=1, required=True,
                       description="商定内容", example="年内启动人才公寓选址。"),
    }
    CO_OPINION = {
        "text": Text(max_length=proposal_cosign.MAX_OPINION_CHARS, min_length=1, required=True,
                     description="协办意见（再次提出则替换）", example="建议在答复中写明资金来源。"),
    }
    COSIGN_DRAFT = {
        "text": Text(max_length=proposal_cosign.MAX_DRAFT_CHARS, min_length=1, required=True,
                     description="答复稿全文", example="关于加快西岑园人才公寓建设的建议的答复（稿）……"),
    }
    COSIGN = {
        "decision": Choice(("agree", "disagree"), required=True, description="agree 同意 / disagree 不同意",
                           example="agree"),
        "reason": Text(max_length=proposal_cosign.MAX_REASON_CHARS, description="不同意的理由（不同意时必填）"),
    }
    NEW_REPLY_EXTENSION = {
        "requested_due_on": Day(required=True, description="申请延至（晚于现在的答复期限，不晚于交办后的最长期限）",
                                example="2026-05-20"),
        "reason": Text(max_length=proposal_clock.MAX_REASON_CHARS, min_length=1, required=True,
                       description="延期理由", example="需与市级部门会商。"),
    }
    REPLY_EXTENSION_DECISION = {
        "approve": Boolean(required=True, description="true 批准 / false 不予批准", example=True),
        "note": Text(max_length=proposal_clock.MAX_REASON_CHARS, description="审批意见（不予批准时必填）",
                     example="同意"),
    }
    NEW_PROMISE = {
        "text": Text(max_length=proposal_promises.MAX_TEXT, min_length=1, required=True, description="承诺事项",
                     example="2026年底前建成人才公寓一期。"),
        "due_on": Day(required=True, description="承诺完成时限（不早于答复日期，不超过答复后五年）",
                      example="2026-12-31"),
    }
    PROMISE_ANSWER = {
        "text": Text(max_length=proposal_promises.MAX_TEXT, min_length=1, required=True,
                     description="再次答复的内容", example="人才公寓一期已建成交付。"),
        "answered_on": Day(required=True, description="再次答复日期（不晚于今天，不早于答复日期）",
                           example="2026-06-29"),
        "answered_by": Text(max_length=60, min_length=1, required=True, description="签发人或经办人",
                            example="王五"),
    }
    STEP_WRITE_ERRORS = (400, 403, 404, 409, 413, 415, 422)

    def render_cosign_state(proposal_id: int) -> dict:
        """协办意见 and 会签 as the item's page shows them to the caller (cosign.section); the units yet to 会签
        where the page lists them: with the draft, or to the 主办 and the coordinators."""
        from tracker.api.representations import cosign_state_json

        found = fetch(Proposal, proposal_id, *PROPOSAL_LOAD)
        section = proposal_cosign.section(actor(), found, can_read_all=_reads_everything(actor()))
        show_missing = (section.draft is not None or section.own_role == "main"
                        or proposal_services.can_manage_proposals(actor()))
        return cosign_state_json(found, section, show_missing=show_missing)

    def render_promise(promise_id: int) -> dict:
        from tracker.api.representations import promise_json

        promise = fetch(ProposalPromise, promise_id)
        tasks = proposal_promises.promise_tasks(promise.proposal, [promise])
        return promise_json(promise, today(), tasks[promise.id].id if promise.id in tasks else None)

    def render_promises(proposal: Proposal, promises: list) -> list[dict]:
        from tracker.api.representations import promise_json

        tasks, day = proposal_promises.promise_tasks(proposal, promises), today()
        return [promise_json(promise, day, tasks[promise.id].id if promise.id in tasks else None)
                for promise in promises]

    # 沟通协商 -----------------------------------------------------------------------------------------------

    @bp.get("/proposals/<int:proposal_id>/contacts")
    @operation(operation_id="listProposalContacts", summary="沟通协商记录", tag="proposals", paged=True,
               ok=(200, "ProposalContactPage"), errors=(400, 403, 404),
               description="承办单位与提案人的办前、办中、办后沟通（见面、电话、座谈……），按沟通日期先后；"
                           "能查看该件的用户都能查看（与网页相同）。")
    def proposal_contacts_list(proposal_id: int):
        from tracker.api.representations import proposal_contact_json

        found = visible_proposal(proposal_id)
        args = query_values()
        return list_page(proposal_contacts.contacts_of(found), args, proposal_contact_json)

    @bp.post("/proposals/<int:proposal_id>/contacts")
    @operation(operation_id="recordProposalContact", summary="登记沟通协商（承办单位、督办、管理员）", tag="proposals",
               body=NEW_CONTACT, ok=(201, "ProposalContact", "已登记的沟通"), errors=STEP_WRITE_ERRORS,
               description="主办或协办（会办）单位的用户为本单位登记，督办人员为主办单位登记；其他人 403。"
                           "规则与网页相同（日期不晚于今天、不早于交办日期，办后沟通须在答复后，提案人须属于该件），"
                           "不符合的 422，什么也不改。")
    def record_proposal_contact(proposal_id: int):
        from tracker.api.representations import proposal_contact_json

        found = fetch(Proposal, proposal_id, *PROPOSAL_LOAD)
        if not proposal_contacts.can_record_contact(actor(), found):
            raise forbid()
        values = body_values()
        return _created(run(proposal_contacts.record_contact, actor(), found, contact_on=values["contact_on"],
                            way=values["way"], stage=values["stage"].value,
                            proposer_names=values.get("proposer_names") or [], unit_people=values["unit_people"],
                            agreed=values["agreed"], today=today(),
                            respond=lambda created: proposal_contact_json(fetch(ProposalContact, created.id))))

    # 协办意见 and 会签 ---------------------------------------------------------------------------------------

    @bp.get("/proposals/<int:proposal_id>/cosign")
    @operation(operation_id="getProposalCosign", summary="协办意见与会签", tag="proposals",
               ok=(200, "CosignState"), errors=(403, 404),
               description="与网页所示相同：主办单位和督办、领导看到每个协办单位的意见、意见期限和最新答复稿的会签情况；"
                           "协办单位只看到本单位的意见和送来会签的答复稿。own_role 为调用者可办理的角色"
                           "（main 主办 / co 协办 / 空）；missing 为尚未会签的协办单位（未会签的不能答复）。")
    def proposal_cosign_state(proposal_id: int):
        return jsonify(render_cosign_state(visible_proposal(proposal_id).id))

    @bp.post("/proposals/<int:proposal_id>/co-opinion")
    @operation(operation_id="sendCoOpinion", summary="提出协办意见（协办单位的用户）", tag="proposals",
               body=CO_OPINION, ok=(200, "CosignState", "提出后的协办意见与会签"), errors=STEP_WRITE_ERRORS,
               description="已签收的协办单位向主办单位提出书面意见；再次提出则替换（办理过程保留每一次）。"
                           "不是该件协办单位的 403；未签收、已答复或意见没有变化的 422。")
    def send_co_opinion(proposal_id: int):
        found = visible_proposal(proposal_id)
        values = body_values()
        return jsonify(run(proposal_cosign.send_opinion, actor(), found, values["text"], now=utcnow(),
                           respond=lambda _opinion: render_cosign_state(proposal_id)))

    @bp.post("/proposals/<int:proposal_id>/cosign-draft")
    @operation(operation_id="sendCosignDraft", summary="答复稿送会签（主办单位的用户）", tag="proposals",
               body=COSIGN_DRAFT, ok=(200, "CosignState", "送会签后的协办意见与会签"), errors=STEP_WRITE_ERRORS,
               description="主办单位把答复稿送已签收的协办单位会签，会签期限为若干工作日；再次送出的答复稿须重新会签。"
                           "不是该件主办单位的 403；没有已签收的协办单位的 422。")
    def send_cosign_draft(proposal_id: int):
        found = visible_proposal(proposal_id)
        values = body_values()
        return jsonify(run(proposal_cosign.send_draft, actor(), found, values["text"], today=today(), now=utcnow(),
                           respond=lambda _draft: render_cosign_state(proposal_id)))

    @bp.post("/proposals/<int:proposal_id>/cosign")
    @operation(operation_id="cosignProposalReply", summary="会签答复稿（协办单位的用户）", tag="proposals",
               body=COSIGN, ok=(200, "CosignState", "会签后的协办意见与会签"), errors=STEP_WRITE_ERRORS,
               description="对主办单位最新的答复稿会签：同意，或不同意并说明理由（主办单位可见）。每个已签收的协办单位"
                           "都会签后才能答复。不是该件协办单位的 403；尚无答复稿、已会签或不同意而无理由的 422。")
    def cosign_proposal_reply(proposal_id: int):
        found = visible_proposal(proposal_id)
        values = body_values()
        return jsonify(run(proposal_cosign.cosign, actor(), found, agreed=values["decision"] == "agree",
                           reason=values.get("reason") or "", now=utcnow(),
                           respond=lambda _signed: render_cosign_state(proposal_id)))

    # 延期 --------------------------------------------------------------------------------------------------

    @bp.get("/proposals/<int:proposal_id>/extensions")
    @operation(operation_id="listReplyExtensions", summary="答复延期申请", tag="proposals", paged=True,
               ok=(200, "ReplyExtensionPage"), errors=(400, 403, 404),
               description="按申请先后，含审批结果。督办、管理员、领导和主办单位可以查看，协办单位 403（与网页相同）。")
    def reply_extensions(proposal_id: int):
        from tracker.api.representations import reply_extension_json

        found = visible_proposal(proposal_id)
        if not proposal_clock.can_view_extensions(actor(), found):
            raise forbid()
        args = query_values()
        return list_page(proposal_clock.extensions(found), args, reply_extension_json)

    @bp.post("/proposals/<int:proposal_id>/extensions")
    @operation(operation_id="requestReplyExtension", summary="申请延期答复（主办单位的用户）", tag="proposals",
               body=NEW_REPLY_EXTENSION, ok=(201, "ReplyExtension", "已提交，待审批"), errors=STEP_WRITE_ERRORS,
               description="主办单位说明理由申请延期，同时只能有一个待审批的申请；申请的日期须晚于现在的答复期限，"
                           "且不晚于交办后的最长期限。不是主办单位的 403；不符合规则的 422。")
    def request_reply_extension(proposal_id: int):
        from tracker.api.representations import reply_extension_json

        found = visible_proposal(proposal_id)
        values = body_values()
        return _created(run(proposal_clock.request_extension, actor(), found,
                            requested_due_on=values["requested_due_on"], reason=values["reason"], now=utcnow(),
                            respond=lambda created: reply_extension_json(fetch(ReplyExtension, created.id))))

    @bp.post("/proposals/extensions/<int:extension_id>/decision")
    @operation(operation_id="decideReplyExtension", summary="审批答复延期（督办、管理员）", tag="proposals",
               body=REPLY_EXTENSION_DECISION, ok=(200, "ReplyExtension", "审批后的申请"), errors=STEP_WRITE_ERRORS,
               description="approve=true 批准，申请的日期成为该件的答复期限；approve=false 不予批准，须填写意见。"
                           "已审批的申请 422。申请的编号见 listReplyExtensions。")
    def decide_reply_extension(extension_id: int):
        from tracker.api.representations import reply_extension_json

        extension = fetch(ReplyExtension, extension_id)
        if not is_manager(actor()):
            raise forbid()
        values = body_values()
        return jsonify(run(proposal_clock.decide_extension, actor(), extension, approve=values["approve"],
                           note=values.get("note") or "", now=utcnow(),
                           respond=lambda _decided: reply_extension_json(fetch(ReplyExtension, extension_id))))

    # 承诺事项 ----------------------------------------------------------------------------------------------

    @bp.get("/proposals/<int:proposal_id>/promises")
    @operation(operation_id="listProposalPromises", summary="承诺事项", tag="proposals", paged=True,
               ok=(200, "ProposalPromisePage"), errors=(400, 403, 404),
               description="B类（正在解决）、C类（列入计划）答复的承诺事项，按完成时限先后，含再次答复和跟踪任务；"
                           "能查看该件的用户都能查看。")
    def proposal_promises_list(proposal_id: int):
        found = visible_proposal(proposal_id)
        return list_page(proposal_promises.promises_of(found), query_values(),
                         render_chunk=lambda chunk: render_promises(found, chunk))

    @bp.post("/proposals/<int:proposal_id>/promises")
    @operation(operation_id="addProposalPromise", summary="登记承诺事项（主办单位、督办、管理员）", tag="proposals",
               body=NEW_PROMISE, ok=(201, "ProposalPromise", "已登记的承诺事项"), errors=STEP_WRITE_ERRORS,
               description="只有办理结果为B类或C类的已答复件才登记承诺事项（否则 422）；完成时限不早于答复日期。"
                           "协办单位、领导 403。")
    def add_proposal_promise(proposal_id: int):
        found = fetch(Proposal, proposal_id, *PROPOSAL_LOAD)
        if not proposal_promises.can_handle_promises(actor(), found):
            raise forbid()
        values = body_values()
        return _created(run(proposal_promises.add_promise, actor(), found, text=values["text"],
                            due_on=values["due_on"], today=today(),
                            respond=lambda created: render_promise(created.id)))

    @bp.post("/proposals/<int:proposal_id>/promises/derive")
    @operation(operation_id="deriveProposalPromises", summary="由答复中的承诺生成承诺事项（主办单位、督办、管理员）",
               tag="proposals", body={}, ok=(201, "ProposalPromiseList", "新生成的承诺事项"),
               errors=STEP_WRITE_ERRORS,
               description="请求体为空对象。由导入答复时提取的承诺生成尚未登记的承诺事项（完成时限取跟踪任务的时限、"
                           "承诺写明的时限，或答复后若干个月）；没有可生成的 422。")
    def derive_proposal_promises(proposal_id: int):
        found = fetch(Proposal, proposal_id, *PROPOSAL_LOAD)
        if not proposal_promises.can_handle_promises(actor(), found):
            raise forbid()
        body_values()
        return _created(run(proposal_promises.derive_promises, actor(), found, today=today(),
                            respond=lambda created: {"items": render_promises(
                                fetch(Proposal, proposal_id), [fetch(ProposalPromise, p.id) for p in created])}))

    @bp.post("/proposals/<int:proposal_id>/promises/<int:promise_id>/answer")
    @operation(operation_id="answerProposalPromise", summary="办结后再次答复（主办单位、督办、管理员）",
               tag="proposals", body=PROMISE_ANSWER, ok=(200, "ProposalPromise", "已兑现的承诺事项"),
               errors=STEP_WRITE_ERRORS,
               description="承诺的工作完成后再次答复提案人，该承诺事项即为已兑现（kept）。已再次答复的 422。")
    def answer_proposal_promise(proposal_id: int, promise_id: int):
        found = fetch(Proposal, proposal_id, *PROPOSAL_LOAD)
        promise = fetch(ProposalPromise, promise_id)
        if promise.proposal_id != found.id:
            raise ApiError(404, "not_found", _("请求的对象或地址不存在。"))
        if not proposal_promises.can_handle_promises(actor(), found):
            raise forbid()
        values = body_values()
        return jsonify(run(proposal_promises.answer_promise, actor(), found, promise, text=values["text"],
                           answered_on=values["answered_on"], answered_by=values["answered_by"], today=today(),
                           respond=lambda _promise: render_promise(promise_id)))


    # 重点提案 and 督办意见 (tracker.proposals.key_items) ------------------------------------------------------

    KEY_ITEM = {
        "leader_id": Identifier(required=True, description="督办领导：在用的领导用户（用户编号）", example=1),
    }
    SUPERVISION_NOTE = {
        "text": Text(max_length=proposal_key_items.MAX_NOTE_CHARS, min_length=1, required=True,
                     description="督办意见", example="请加快推进，月底前报送进展。"),
    }

    @bp.post("/proposals/<int:proposal_id>/key")
    @operation(operation_id="markProposalKey", summary="确定重点提案、更换督办领导（督办、管理员）", tag="proposals",
               body=KEY_ITEM, ok=(200, "ProposalDetail", "重点提案（is_key、key_leader）"), errors=STEP_WRITE_ERRORS,
               description="确定为重点提案并指定督办领导；已是重点提案的，改由另一位领导督办。督办领导须为在用的领导用户，"
                           "指定现任督办领导的 422，什么也不改。承办单位、领导 403。")
    def mark_proposal_key(proposal_id: int):
        found = fetch(Proposal, proposal_id, *PROPOSAL_LOAD)
        if not is_manager(actor()):
            raise forbid()
        values = body_values()
        return jsonify(run(proposal_key_items.mark_key, actor(), found, leader_id=values["leader_id"], now=utcnow(),
                           respond=lambda _key: render_proposal(proposal_id)))

    @bp.delete("/proposals/<int:proposal_id>/key")
    @operation(operation_id="unmarkProposalKey", summary="取消重点提案（督办、管理员）", tag="proposals",
               ok=(200, "ProposalDetail", "取消后的件"), errors=(403, 404, 409, 422),
               description="不再是重点提案；督办意见仍在办理过程中，督办、领导仍可查看。不是重点提案的 422。"
                           "承办单位、领导 403。")
    def unmark_proposal_key(proposal_id: int):
        found = fetch(Proposal, proposal_id, *PROPOSAL_LOAD)
        if not is_manager(actor()):
            raise forbid()
        return jsonify(run(proposal_key_items.unmark_key, actor(), found,
                           respond=lambda _none: render_proposal(proposal_id)))

    @bp.get("/proposals/<int:proposal_id>/supervision-notes")
    @operation(operation_id="listSupervisionNotes", summary="督办意见", tag="proposals", paged=True,
               ok=(200, "SupervisionNotePage"), errors=(400, 403, 404),
               description="重点提案的督办领导的督办意见，按先后；能查看该件的用户都能查看（与网页相同）。"
                           "取消重点提案后，只有督办、管理员和领导还能看到。")
    def supervision_notes(proposal_id: int):
        from tracker.api.representations import supervision_note_json

        found = visible_proposal(proposal_id)
        return list_page(proposal_key_items.notes_for(actor(), found), query_values(), supervision_note_json)

    @bp.post("/proposals/<int:proposal_id>/supervision-notes")
    @operation(operation_id="recordSupervisionNote", summary="提出督办意见（该件的督办领导）", tag="proposals",
               body=SUPERVISION_NOTE, ok=(201, "SupervisionNote", "已记录的督办意见"), errors=STEP_WRITE_ERRORS,
               description="只有该重点提案的督办领导可以提出，其他人（督办人员、其他领导、承办单位）403；"
                           "不是重点提案的件也 403。意见在件的办理过程中。")
    def record_supervision_note(proposal_id: int):
        from tracker.api.representations import supervision_note_json
        from tracker.proposals.models import SupervisionNote

        found = visible_proposal(proposal_id)
        values = body_values()
        return _created(run(proposal_key_items.add_note, actor(), found, values["text"], now=utcnow(),
                            respond=lambda note: supervision_note_json(fetch(SupervisionNote, note.id))))


if HAS_INDICATORS:
    from tracker.indicators.models import Indicator

    INDICATOR_FILTERS = {
        "plan_id": Identifier(description="方案"),
        "unit_id": Identifier(description="责任单位"),
    }

    @bp.get("/indicators")
    @operation(operation_id="listIndicators", summary="指标列表", tag="indicators", query=INDICATOR_FILTERS,
               paged=True, ok=(200, "IndicatorPage"), errors=(400, 403), description="含按序时进度的完成情况。")
    def indicators():
        from tracker.api.representations import indicator_json
        from tracker.indicators.services import visible_indicators

        args = query_values()
        # The visibility rule needs each indicator's task (tracker.indicators.services), so the list is
        # filtered in Python; visible_indicators loads it in a fixed number of queries.
        rows = visible_indicators(actor(), args["plan_id"])
        if args["unit_id"]:
            rows = [row for row in rows if row.responsible_unit_id == args["unit_id"]]
        day = today()
        return list_page(rows, args, lambda row: indicator_json(row, day))

    @bp.get("/indicators/<int:indicator_id>")
    @operation(operation_id="getIndicator", summary="指标", tag="indicators", ok=(200, "Indicator"),
               errors=(403, 404))
    def indicator(indicator_id: int):
        from tracker.api.representations import indicator_json
        from tracker.indicators.services import can_view_indicator

        found = fetch(Indicator, indicator_id, selectinload(Indicator.readings), selectinload(Indicator.plan),
                      selectinload(Indicator.responsible_unit), selectinload(Indicator.task))
        if not can_view_indicator(actor(), found):
            raise forbid()
        return jsonify(indicator_json(found, today()))
