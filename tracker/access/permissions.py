"""Who may do what: the one module that decides permissions.

Unit users see and report on tasks where their unit leads (牵头) or cooperates (配合);
coordinators (督办) manage everything; leaders (领导) read everything and change nothing.

三员分立 (等保三级): the system administrator (系统管理员, ``admin``) manages plans, units and settings;
the security administrator (安全管理员) manages accounts and roles only; the audit administrator
(审计管理员) alone reads the audit log and the login log. None can do the others' work, and the last two
open nothing but their own pages (``may_open_endpoint``).
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import and_, select, union
from sqlalchemy.orm import aliased

from tracker.auth.models import SEPARATED_ADMINS, Role
from tracker.plans.models import Plan, PlanStatus
from tracker.tasks.models import Task, task_cooperating_units


def is_manager(user) -> bool:
    """Coordinators and admins manage plans, tasks, units and users and review updates."""
    return user.is_authenticated and user.role in (Role.admin, Role.coordinator)


def can_read_everything(user) -> bool:
    return user.is_authenticated and user.role in (Role.admin, Role.coordinator, Role.leader)


def can_manage_users(user) -> bool:
    """Accounts and roles (用户): the security administrator (安全管理员) only."""
    return user.is_authenticated and user.role == Role.security_admin


def is_system_admin(user) -> bool:
    """系统管理员: plans, units and settings (and re-sending failed mail)."""
    return user.is_authenticated and user.role == Role.admin


def can_read_audit_log(user) -> bool:
    """The audit log and the login log (审计日志, 登录日志): the audit administrator (审计管理员) only."""
    return user.is_authenticated and user.role == Role.audit_admin


# What the security and audit administrators may open besides their own pages: their account, the
# language switch, logging out, the public pages and the health check.
SEPARATED_ADMIN_ENDPOINTS = frozenset({
    "index", "auth.login", "auth.logout", "auth.set_language", "auth.change_password", "ops.healthz",
    "static", "bootstrap.static",
})
OWN_PAGES = {
    Role.security_admin: frozenset({"auth.users", "auth.edit_user", "auth.end_sessions"}),
    Role.audit_admin: frozenset({"audit.events", "audit.logins"}),
}


def may_open_endpoint(user, endpoint: str | None) -> bool:
    """三员分立: a security or audit administrator opens only their own pages; everybody else is decided
    by each view's own check. Unknown endpoints (404s) are left to Flask."""
    if not user.is_authenticated or user.role not in SEPARATED_ADMINS or endpoint is None:
        return True
    return (endpoint in SEPARATED_ADMIN_ENDPOINTS or endpoint in OWN_PAGES[user.role]
            or endpoint.startswith(("public.", "api.")))  # the API takes bearer tokens, never this session


def can_view_plan(user, plan) -> bool:
    """Draft plans (草稿) are visible to those who read everything; units see them once active."""
    return can_read_everything(user) or (user.is_authenticated and plan.status != PlanStatus.draft)


def unit_involvement(user, task: Task) -> str | None:
    """"lead", "cooperating" or None for a unit user's relation to a task (none while its plan is a draft)."""
    if not user.is_authenticated or user.role != Role.unit or user.unit_id is None:
        return None
    if task.plan.status == PlanStatus.draft:
        return None
    if task.lead_unit_id == user.unit_id:
        return "lead"
    if any(unit.id == user.unit_id for unit in task.cooperating_units):
        return "cooperating"
    return None


def can_view_task(user, task: Task) -> bool:
    return can_read_everything(user) or unit_involvement(user, task) is not None


def can_submit_update(user, task: Task) -> bool:
    """Lead and cooperating units report progress; only the lead unit's report counts."""
    return unit_involvement(user, task) is not None


def can_review_updates(user) -> bool:
    return is_manager(user)


def can_report_on_behalf(user) -> bool:
    """督办代报: entering a lead unit's progress report on its behalf (a coordinator's filled 进展报送表 for
    several units): coordinators (督办人员) only, not admins, leaders or units."""
    return user.is_authenticated and user.role == Role.coordinator


def can_view_overdue(user) -> bool:
    return can_read_everything(user)


def visible_task_condition(user):
    """SQL condition restricting tasks to those ``user`` may see."""
    if can_read_everything(user):
        return True
    if user.is_authenticated and user.role == Role.unit:
        # The unit's tasks as a union of two index reads (lead_unit_id, and the cooperation table's
        # unit_id): "leads OR EXISTS(cooperates)" made PostgreSQL filter every task of the city (a search
        # as a unit: 480 ms, now the ~200 tasks of the unit).
        led = aliased(Task)
        involved = union(select(led.id).where(led.lead_unit_id == user.unit_id),
                         select(task_cooperating_units.c.task_id)
                         .where(task_cooperating_units.c.unit_id == user.unit_id))
        published = Task.plan_id.in_(select(Plan.id).where(Plan.status != PlanStatus.draft))
        return and_(published, Task.id.in_(involved))
    return False


def home_endpoint(user) -> str:
    return {
        Role.unit: "tasks.mine",
        Role.coordinator: "updates.review_queue",
        Role.leader: "tasks.overdue",
        Role.admin: "plans.index",
        Role.security_admin: "auth.users",
        Role.audit_admin: "audit.events",
    }[user.role]


def require(check):
    """View decorator: login required, then ``check(current_user)`` or 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def ensure(allowed: bool) -> None:
    if not allowed:
        abort(403)


def visible_tasks(user, plan_id: int | None = None):
    """SELECT the tasks ``user`` may see (of one plan if given)."""
    query = select(Task).where(visible_task_condition(user))
    if plan_id:
        query = query.where(Task.plan_id == plan_id)
    return query
