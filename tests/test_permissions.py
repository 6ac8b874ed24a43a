"""Who may do what, through the real HTTP routes (rules in tracker/access/permissions.py).

``TABLE`` has one row per (route, method) and one expected outcome per role.  Every route the app
registers must have its rows (``test_every_route_has_permission_rows``), so a new route without a
permission decision fails the suite.  The rows run in groups by the first part of the path (auth,
plans, tasks, ...), one test and one seeded database per group; every role runs every row in TABLE
order, and after each request the whole database (every row of every table) and the evidence folder
are compared with their state before it.

The people, all from the demo seed, relative to task "4" of the Xicen plan (seeds/xicen_plan.py):
lead unit 区科委 (kejiwei), cooperating unit 区数据局 (shujuju), unrelated unit 区经委 (jingwei); and the
two administrators of 三员分立 besides the system administrator (admin): the security administrator
(secadmin: accounts and roles) and the audit administrator (auditor: the audit log and the login log).

A row has 7 outcomes (anonymous … other) and may have 9: the last two are the security and the audit
administrator's. A row of 7 gives them ``separated_default``: what the public may open, the API's 401,
and 403 everywhere else (they open only their own pages: tracker/access/permissions.py).
"""
from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from seeds import units as unit_seed
from seeds import xicen_plan
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.common.clock import today
from tracker.extensions import db
from tracker.plans.models import ActionGroup, Plan, PlanKind, PlanStatus
from tracker.tasks.models import Task
from tracker.units.models import Unit
from tracker.updates.models import EvidenceFile, ReviewState, StatusUpdate
from tracker.updates.services import reportable_periods

DEMO_DAY = date(2026, 6, 30)
TABLE_ROLES = ("anonymous", "admin", "coordinator", "leader", "lead_unit", "coop_unit", "other_unit")
SEPARATED_ROLES = ("security_admin", "audit_admin")  # 三员分立
ROLES = TABLE_ROLES + SEPARATED_ROLES

TASK_NUMBER = "4"
TASK_SEED = next(t for t in xicen_plan.TASKS if t["number"] == TASK_NUMBER)
COOP_UNIT = "区数据局"  # cooperates on task 4 and has a submitted (待审核) June update on it
OTHER_UNIT = "区经委"  # leads tasks 6, 7, 8 but is not on task 4
assert COOP_UNIT in TASK_SEED["cooperating"]
assert OTHER_UNIT != TASK_SEED["lead"] and OTHER_UNIT not in TASK_SEED["cooperating"]
EDITED_UNIT = "普陀区科委"  # the unit and the unit user that the edit routes change; no role above uses them

LOGINS = {
    "anonymous": None,
    "admin": "admin",
    "coordinator": "coordinator",
    "leader": "leader",
    "lead_unit": unit_seed.UNITS_BY_SHORT_NAME[TASK_SEED["lead"]]["login"],  # kejiwei
    "coop_unit": unit_seed.UNITS_BY_SHORT_NAME[COOP_UNIT]["login"],  # shujuju
    "other_unit": unit_seed.UNITS_BY_SHORT_NAME[OTHER_UNIT]["login"],  # jingwei
    "security_admin": "secadmin",
    "audit_admin": "auditor",
}
HOME = {"admin": "/plans/", "coordinator": "/reviews", "leader": "/overdue",
        "lead_unit": "/tasks/mine", "coop_unit": "/tasks/mine", "other_unit": "/tasks/mine",
        "security_admin": "/users", "audit_admin": "/audit/"}

# Outcomes: "200"/"401"/"403"/"404" that status and nothing changed; "login": 302 to /login, nothing
# changed; "home": 302 to the role's start page; "moved": 302 to the row's REDIRECT, nothing changed in
# the database; "saved": 302 to the row's REDIRECT and the database changed; "made": 200 and the
# database changed (a page that shows what it just created).
L, OK, NO, SAVED, MOVED, HOME_, MADE, TOKEN = "login", "200", "403", "saved", "moved", "home", "made", "401"
API_401 = (TOKEN,) * 7  # /api/v1 takes bearer tokens only: a browser session (any role) is no login there

TABLE = [
    # rule                                          method  anonymous admin coordinator leader lead   coop   other
    # 工作台 (tracker/workbench/): every logged-in user's own sections
    # rule                                          method  anonymous admin coordinator leader lead   coop   other  security audit
    ("/", "GET", L, OK, OK, OK, OK, OK, OK, HOME_, HOME_),
    # search (tracker/search/): any logged-in user, over the tasks that user may see
    ("/search", "GET", L, OK, OK, OK, OK, OK, OK),
    # 政务公开 (tracker/public/): no login by design; the Xicen plan marked 主动公开 here
    ("/public", "GET", OK, OK, OK, OK, OK, OK, OK),
    ("/public/", "GET", OK, OK, OK, OK, OK, OK, OK),
    ("/public/plans/<int:plan_id>", "GET", OK, OK, OK, OK, OK, OK, OK),
    ("/login", "GET", OK, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED),
    ("/login", "POST", MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED),
    ("/logout", "POST", MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED),
    ("/language/<code>", "POST", MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED),
    # everybody changes their own password, and nobody else's
    ("/account/password", "GET", L, OK, OK, OK, OK, OK, OK, OK, OK),
    ("/account/password", "POST", L, SAVED, SAVED, SAVED, SAVED, SAVED, SAVED, SAVED, SAVED),
    # monitoring: no login by design (tracker/ops/health.py), and no data but the service's health
    ("/healthz", "GET", OK, OK, OK, OK, OK, OK, OK),
    # API tokens (/account/tokens): each user makes and revokes their own; the token revoked here is the
    # lead unit user's, and to anybody else it does not exist (404)
    ("/account/tokens", "GET", L, OK, OK, OK, OK, OK, OK),
    ("/account/tokens", "POST", L, MADE, MADE, MADE, MADE, MADE, MADE),
    ("/account/tokens/<int:token_id>/revoke", "POST", L, "404", "404", "404", SAVED, "404", "404"),
    # accounts and roles (三员分立): the security administrator only, not the system administrator
    ("/users", "GET", L, NO, NO, NO, NO, NO, NO, OK, NO),
    ("/users/new", "GET", L, NO, NO, NO, NO, NO, NO, OK, NO),
    ("/users/new", "POST", L, NO, NO, NO, NO, NO, NO, SAVED, NO),
    ("/users/<int:user_id>/edit", "GET", L, NO, NO, NO, NO, NO, NO, OK, NO),
    ("/users/<int:user_id>/edit", "POST", L, NO, NO, NO, NO, NO, NO, SAVED, NO),
    ("/users/<int:user_id>/sessions/end", "POST", L, NO, NO, NO, NO, NO, NO, SAVED, NO),
    # the audit log and the login log (三员分立): the audit administrator only
    ("/audit/", "GET", L, NO, NO, NO, NO, NO, NO, NO, OK),
    ("/audit/logins", "GET", L, NO, NO, NO, NO, NO, NO, NO, OK),
    ("/plans/", "GET", L, OK, OK, OK, OK, OK, OK),
    ("/plans/<int:plan_id>", "GET", L, OK, OK, OK, OK, OK, OK),
    # suggestions for the search boxes of long menus (tracker/common/pickers.py): drafts only for readers
    ("/plans/lookup", "GET", L, OK, OK, OK, OK, OK, OK),
    ("/units/lookup", "GET", L, OK, OK, OK, OK, OK, OK),
    ("/plans/new", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/plans/new", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/edit", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/edit", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/groups/new", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/groups/new", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/groups/<int:group_id>/edit", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/groups/<int:group_id>/edit", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/tasks/new", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/tasks/new", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/tasks/mine", "GET", L, NO, NO, NO, OK, OK, OK),
    ("/tasks/<int:task_id>", "GET", L, OK, OK, OK, OK, OK, NO),
    ("/tasks/<int:task_id>/edit", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/tasks/<int:task_id>/edit", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/overdue", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/overdue.csv", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/units/", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/units/new", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/units/new", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/units/<int:unit_id>/edit", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/units/<int:unit_id>/edit", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/units/<int:unit_id>/aliases", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/units/<int:unit_id>/aliases", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/tasks/<int:task_id>/updates/new", "GET", L, NO, NO, NO, OK, OK, NO),
    ("/tasks/<int:task_id>/updates/new", "POST", L, NO, NO, NO, SAVED, SAVED, NO),
    # a returned (退回) update of the cooperating unit on task 4: only that unit may resubmit it
    ("/updates/<int:update_id>/resubmit", "GET", L, NO, NO, NO, NO, OK, NO),
    ("/updates/<int:update_id>/resubmit", "POST", L, NO, NO, NO, NO, SAVED, NO),
    ("/reviews", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/updates/<int:update_id>/review", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/reviews/accept", "POST", L, SAVED, SAVED, NO, NO, NO, NO),  # 批量采纳
    # evidence of an update the lead unit submitted on task 4
    ("/evidence/<int:evidence_id>", "GET", L, OK, OK, OK, OK, OK, NO),
    # reports (tracker/pages/reports.py): leaders, coordinators and admins; a unit user gets a plan's
    # ledger (only its own tasks listed) and nothing else
    ("/dashboard", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/dashboard/tasks", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/units/scoreboard", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/units/scoreboard.xlsx", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/overdue.xlsx", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/plans/<int:plan_id>/ledger", "GET", L, OK, OK, OK, OK, OK, OK),
    ("/plans/<int:plan_id>/ledger.xlsx", "GET", L, OK, OK, OK, OK, OK, OK),
    ("/plans/<int:plan_id>/report.docx", "GET", L, OK, OK, OK, NO, NO, NO),
    # the notice (督办通知单) button of overdue task 12, whose lead unit is also 区科委: no document in the
    # register yet, so the page offering a coordinator to issue one (readers and the task's units see it)
    ("/tasks/<int:task_id>/notice.docx", "GET", L, OK, OK, OK, OK, NO, NO),
    # indicators (tracker/indicators): an indicator of the Xicen plan linked to task 4, no responsible
    # unit: task 4's lead unit reports readings, its cooperating units may look at it
    ("/indicators", "GET", L, OK, OK, OK, OK, OK, OK),
    ("/indicators/<int:indicator_id>", "GET", L, OK, OK, OK, OK, OK, NO),
    ("/indicators/<int:indicator_id>/readings/new", "GET", L, NO, NO, NO, OK, NO, NO),
    ("/indicators/<int:indicator_id>/readings/new", "POST", L, NO, NO, NO, SAVED, NO, NO),
    ("/indicators/readings/<int:reading_id>/review", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/indicators/evidence/<int:evidence_id>", "GET", L, OK, OK, OK, OK, OK, NO),
    ("/plans/<int:plan_id>/indicators/new", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/indicators/new", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/indicators/<int:indicator_id>/edit", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/indicators/<int:indicator_id>/edit", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    # reminders (tracker/pages/reminders.py): own notifications for everybody; the outbox, the plan's
    # reminder settings and the holiday calendar for managers; only the system administrator re-sends failed mail
    ("/notifications", "GET", L, OK, OK, OK, OK, OK, OK),
    ("/admin/outbox", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/admin/outbox/<int:notification_id>/retry", "POST", L, SAVED, NO, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/reminders", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/reminders", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/admin/calendar", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/admin/calendar", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    # webhooks (tracker/webhooks): managers set up group robots; each manager edits, tests and deletes
    # a webhook of their own here (the test message goes to a closed port: a failure flash and an audit event)
    ("/admin/webhooks/", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/admin/webhooks/new", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/admin/webhooks/new", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/admin/webhooks/<int:webhook_id>/edit", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/admin/webhooks/<int:webhook_id>/edit", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/admin/webhooks/<int:webhook_id>/test", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/admin/webhooks/<int:webhook_id>/delete", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    # proposals (tracker/proposals): a proposal whose main unit (主办) is task 4's lead unit and whose
    # co-handling unit (会办) is task 4's cooperating unit; managers edit and track its commitments
    ("/proposals", "GET", L, OK, OK, OK, OK, OK, OK),
    ("/proposals/<int:proposal_id>", "GET", L, OK, OK, OK, OK, OK, NO),
    ("/proposals/new", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/proposals/new", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/proposals/<int:proposal_id>/edit", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/proposals/<int:proposal_id>/reply.docx", "GET", L, OK, OK, OK, OK, OK, NO),
    # the signed and sealed 答复函 (tracker/proposals/signed_reply.py): the 主办 or a coordinator uploads it;
    # everyone who sees the item downloads it (a 协办 and a leader read, never upload)
    ("/proposals/<int:proposal_id>/signed-reply", "POST", L, SAVED, SAVED, NO, SAVED, NO, NO),
    ("/proposals/<int:proposal_id>/signed-reply", "GET", L, OK, OK, OK, OK, OK, NO),
    # the proposer's personal rating link: the proposer (no login) rates; no one logged in rates for them
    ("/proposals/<int:proposal_id>/rating-links", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/proposals/<int:proposal_id>/assign", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    # entry from the pages (tracker/proposals/entry.py, importing.py): managers register the proposers and
    # points, 交办 (主办+协办 or 分办), 并案, answer the merged items, and import the list of items (.xlsx)
    ("/proposals/<int:proposal_id>/people", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/proposals/<int:proposal_id>/people", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/proposals/<int:proposal_id>/assignment", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/proposals/<int:proposal_id>/assignment", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/proposals/<int:proposal_id>/merge", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/proposals/<int:proposal_id>/merged-replies", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/proposals/import", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/proposals/import", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/proposals/import/template.xlsx", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/rate/<token>", "GET", OK, NO, NO, NO, NO, NO, NO, NO, NO),
    ("/rate/<token>", "POST", SAVED, NO, NO, NO, NO, NO, NO, NO, NO),
    ("/proposals/<int:proposal_id>/edit", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/proposals/<int:proposal_id>/commitments", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    # 签收 by the unit itself only (主办 and 协办 each sign their own receipt; no one signs for them)
    ("/proposals/<int:proposal_id>/receipt", "POST", L, NO, NO, NO, SAVED, SAVED, NO),
    # 沟通协商 by the units handling the item (主办, 会办) or the office; 承诺事项 and 再次答复 by the 主办 or the office
    # (each role on its own answered C item); the statistics for those who read everything
    ("/proposals/<int:proposal_id>/contacts", "POST", L, SAVED, SAVED, NO, SAVED, SAVED, NO),
    ("/proposals/<int:proposal_id>/promises", "POST", L, SAVED, SAVED, NO, SAVED, NO, NO),
    ("/proposals/<int:proposal_id>/promises/derive", "POST", L, SAVED, SAVED, NO, SAVED, NO, NO),
    ("/proposals/<int:proposal_id>/promises/<int:promise_id>/answer", "POST", L, SAVED, SAVED, NO, SAVED, NO, NO),
    ("/proposals/statistics", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/proposals/statistics.xlsx", "GET", L, OK, OK, OK, NO, NO, NO),
    # published replies (答复公开): no login; a reply not published is a 404
    ("/public/proposals", "GET", OK, OK, OK, OK, OK, OK, OK),
    ("/public/proposals/<int:proposal_id>", "GET", OK, OK, OK, OK, OK, OK, OK),
    # 协办意见 and 会签, 延期, 重点提案 (tracker/proposals/cosign.py, clock.py, key_items.py) on an item both units
    # signed with a draft out for 会签: each unit acts for itself on its own step (the 协办 its opinion and
    # 会签, the 主办 its draft and its extension request); managers decide extensions and choose key items;
    # only the supervising leader writes 督办意见; /proposals/deadlines: units and readers of every item
    ("/proposals/deadlines", "GET", L, OK, OK, OK, OK, OK, OK),
    ("/proposals/<int:proposal_id>/co-opinion", "POST", L, NO, NO, NO, NO, SAVED, NO),
    ("/proposals/<int:proposal_id>/cosign-draft", "POST", L, NO, NO, NO, SAVED, NO, NO),
    ("/proposals/<int:proposal_id>/cosign", "POST", L, NO, NO, NO, NO, SAVED, NO),
    ("/proposals/<int:proposal_id>/extension", "POST", L, NO, NO, NO, SAVED, NO, NO),
    ("/proposals/extensions/<int:extension_id>/decide", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/proposals/<int:proposal_id>/key", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/proposals/<int:proposal_id>/supervision-note", "POST", L, NO, NO, SAVED, NO, NO, NO),
    # document import (tracker/imports): managers only; the draft is the Xicen plan document
    ("/imports/", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/imports/template.xlsx", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/imports/new", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/imports/new", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/imports/<int:draft_id>", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/imports/<int:draft_id>", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    # 列对应 on a draft read from a table with unknown headers (World.table_draft_id)
    ("/imports/<int:draft_id>/columns", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    # 逐项识别方式 on the prose draft (World.draft_id): what marks an item and its units, remembered
    ("/imports/<int:draft_id>/prose", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    # 进展报送表 (tracker/imports/progress.py): unit accounts download their tasks and upload them filled in;
    # the valid post is the download with its first row filled in (FORMS: progress_form)
    ("/imports/progress", "GET", L, NO, NO, NO, OK, OK, OK),
    ("/imports/progress.xlsx", "GET", L, NO, NO, NO, OK, OK, OK),
    ("/imports/progress", "POST", L, NO, NO, NO, SAVED, SAVED, SAVED),  # each unit reports its own first task
    # 督办代报 (permissions.can_report_on_behalf): coordinators only download several units' tasks and upload
    # them filled in (FORMS: progress_form, its first row filled in)
    ("/imports/progress/units", "GET", L, NO, OK, NO, NO, NO, NO),
    ("/imports/progress/units.xlsx", "GET", L, NO, OK, NO, NO, NO, NO),
    ("/imports/progress/units", "POST", L, NO, SAVED, NO, NO, NO, NO),
    # the 督办 loop (tracker/supervision): task 4's lead unit signs for it (its pending 签收), asks for an
    # extension and files a closure; managers re-assign task 16, decide requests, reopen completed tasks 1
    # and 2 and record an interview on task 12 (at level 4); a 督办通知单 to 区科委 on task 4 is read by
    # readers and its unit, and answered by its unit
    ("/receipts/<int:receipt_id>/sign", "POST", L, NO, NO, NO, SAVED, NO, NO),
    ("/tasks/<int:task_id>/reassign", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/tasks/<int:task_id>/extension/new", "GET", L, NO, NO, NO, OK, NO, NO),
    ("/tasks/<int:task_id>/extension/new", "POST", L, NO, NO, NO, SAVED, NO, NO),
    ("/tasks/<int:task_id>/closure/new", "GET", L, NO, NO, NO, OK, NO, NO),
    ("/tasks/<int:task_id>/closure/new", "POST", L, NO, NO, NO, SAVED, NO, NO),
    ("/extensions/<int:extension_id>/decide", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/closures/<int:closure_id>/decide", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/tasks/<int:task_id>/reopen", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/tasks/<int:task_id>/interviews", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/documents/<int:document_id>.docx", "GET", L, OK, OK, OK, OK, OK, NO),
    # the register of documents (发文登记) and its 待印发 queue: readers; a document's page: readers and the
    # units on its task; managers issue a proposed document (each their own) and void one, and issue a
    # 督办通知单 for overdue task 12 through the register
    ("/documents", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/documents/<int:document_id>", "GET", L, OK, OK, OK, OK, OK, NO),
    ("/documents/<int:document_id>/issue", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/documents/<int:document_id>/void", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/tasks/<int:task_id>/documents", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/documents/<int:document_id>/reply", "POST", L, NO, NO, NO, SAVED, NO, NO),
    ("/workflow-evidence/<int:file_id>", "GET", L, OK, OK, OK, OK, OK, NO),
    ("/requests", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/plans/<int:plan_id>/ladder", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/ladder", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    # 督查通报 (tracker/bulletins): managers draft, edit and issue (each its own draft month), leaders read,
    # units are refused; a plan's 考评 weights are set by managers
    ("/bulletins", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/bulletins", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/bulletins/<int:bulletin_id>", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/bulletins/<int:bulletin_id>/edit", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/bulletins/<int:bulletin_id>/issue", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    ("/bulletins/<int:bulletin_id>.docx", "GET", L, OK, OK, OK, NO, NO, NO),
    ("/plans/<int:plan_id>/scoring", "GET", L, OK, OK, NO, NO, NO, NO),
    ("/plans/<int:plan_id>/scoring", "POST", L, SAVED, SAVED, NO, NO, NO, NO),
    # the JSON API (tracker/api/views.py) with the browser session's cookie and no bearer token: 401 for
    # everybody and nothing written; only its OpenAPI description is public
    ("/api/v1/openapi.json", "GET", OK, OK, OK, OK, OK, OK, OK),
    ("/api/v1/plans", "GET", *API_401),
    ("/api/v1/plans/<int:plan_id>", "GET", *API_401),
    ("/api/v1/tasks", "GET", *API_401),
    ("/api/v1/tasks/<int:task_id>", "GET", *API_401),
    ("/api/v1/tasks/<int:task_id>", "PATCH", *API_401),
    ("/api/v1/tasks/<int:task_id>/updates", "GET", *API_401),
    ("/api/v1/tasks/<int:task_id>/updates", "POST", *API_401),
    ("/api/v1/updates", "GET", *API_401),
    ("/api/v1/updates/<int:update_id>", "GET", *API_401),
    ("/api/v1/updates/<int:update_id>/review", "POST", *API_401),
    ("/api/v1/tasks/<int:task_id>/receipts", "GET", *API_401),
    ("/api/v1/receipts/<int:receipt_id>/sign", "POST", *API_401),
    ("/api/v1/tasks/<int:task_id>/reassign", "POST", *API_401),
    ("/api/v1/tasks/<int:task_id>/reopen", "POST", *API_401),
    ("/api/v1/tasks/<int:task_id>/interviews", "POST", *API_401),
    ("/api/v1/tasks/<int:task_id>/extensions", "GET", *API_401),
    ("/api/v1/tasks/<int:task_id>/extensions", "POST", *API_401),
    ("/api/v1/extensions/<int:extension_id>/decision", "POST", *API_401),
    ("/api/v1/tasks/<int:task_id>/closures", "GET", *API_401),
    ("/api/v1/tasks/<int:task_id>/closures", "POST", *API_401),
    ("/api/v1/closures/<int:closure_id>/decision", "POST", *API_401),
    ("/api/v1/tasks/<int:task_id>/ladder", "GET", *API_401),
    ("/api/v1/documents/<int:document_id>/reply", "POST", *API_401),
    ("/api/v1/units", "GET", *API_401),
    ("/api/v1/units/<int:unit_id>", "GET", *API_401),
    ("/api/v1/proposals", "GET", *API_401),
    ("/api/v1/proposals/<int:proposal_id>", "GET", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/signed-reply", "GET", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/documents/<int:document_id>.docx", "GET", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/assign", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/receipt", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/reply", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/rating-links", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/contacts", "GET", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/contacts", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/cosign", "GET", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/co-opinion", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/cosign-draft", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/cosign", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/extensions", "GET", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/extensions", "POST", *API_401),
    ("/api/v1/proposals/extensions/<int:extension_id>/decision", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/promises", "GET", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/promises", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/promises/derive", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/promises/<int:promise_id>/answer", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/key", "POST", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/key", "DELETE", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/supervision-notes", "GET", *API_401),
    ("/api/v1/proposals/<int:proposal_id>/supervision-notes", "POST", *API_401),
    ("/api/v1/indicators", "GET", *API_401),
    ("/api/v1/indicators/<int:indicator_id>", "GET", *API_401),
]
UNCHECKED_ENDPOINTS = {"static", "bootstrap.static"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
XICEN_DOCUMENT = Path(xicen_plan.__file__).parent / "documents" / xicen_plan.PLAN["source_document"]
PDF = b"%PDF-1.4\n% evidence for a permission test\n%%EOF\n"


# --- test plumbing shared with test_csrf.py ---------------------------------------------------------

# Caches a page may write while only reading: the dashboard's stored figures (tracker/reports/snapshots.py);
# and the session bookkeeping every login and logout writes, the login log and the login sessions
# (tracker/auth/sessions.py; tests/security/test_sessions.py and test_dengbao.py check them).
CACHE_TABLES = {"report_snapshots", "login_events", "login_sessions"}


def fingerprint() -> dict:
    """Every row of every table but the caches, read on a connection of its own (committed data only)."""
    db.session.remove()
    with db.engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables if table.name not in CACHE_TABLES}


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def evidence_files(app) -> list[str]:
    folder = app.config["EVIDENCE_FOLDER"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def count(model) -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(model))


def path_of(response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


class Actor:
    """One browser (conftest's IsolatedClient: each request in its own app context), logged in as a role."""

    def __init__(self, browser, role: str, login: str | None = None):
        self.role, self.login = role, login or LOGINS[role]
        self.browser = browser(self.login)

    def get(self, url, **kwargs):
        return self.browser.get(url, **kwargs)

    def token(self) -> str:
        return self.browser.token("/login" if self.login is None else "/plans/")

    def post(self, url, data=None, *, csrf: str | None = "own", **kwargs):
        """``csrf``: "own" (this session's real token), None (no token) or a token string."""
        data = dict(data or {})
        if csrf == "own":
            data["csrf_token"] = self.token()
        elif csrf is not None:
            data["csrf_token"] = csrf
        return self.browser.client.post(url, data=data, **kwargs)


@dataclass
class World:
    """Ids looked up in the seeded database, and the objects some routes need, made on demand."""

    app: object
    browser: object
    plan_id: int = 0
    group_id: int = 0
    task_id: int = 0
    unit_ids: dict = field(default_factory=dict)  # short_name -> id
    edited_user_id: int = 0
    review_targets: dict = field(default_factory=dict)  # role -> id of a submitted update
    batch_targets: dict = field(default_factory=dict)  # role -> id of another one, for 批量采纳
    actors: dict = field(default_factory=dict)
    overdue_task_id: int = 0
    _returned_id: int | None = None
    _evidence_id: int | None = None
    _indicator: dict | None = None
    _failed_mail_id: int | None = None
    _public_plan: bool = False
    _proposal_id: int | None = None
    _rating_tokens: dict = field(default_factory=dict)  # role -> a personal rating link's token
    _rated_proposals: dict = field(default_factory=dict)  # role -> the answered item of that link
    _unassigned_proposals: dict = field(default_factory=dict)  # role -> an item without receipts
    _entry_pairs: dict = field(default_factory=dict)  # (role, replied) -> (handled item, other item) for 并案
    _draft_id: int | None = None
    _table_draft_id: int | None = None
    _token_id: int | None = None
    _webhook_ids: dict = field(default_factory=dict)  # role -> id of a webhook made for that role
    _loop: dict = field(default_factory=dict)  # objects of the 督办 loop, made on demand
    snapshot: dict | None = None  # fingerprint() after the last request, while nothing else wrote

    def __post_init__(self):
        plan = db.session.scalar(select(Plan).where(Plan.doc_number == xicen_plan.PLAN["doc_number"]))
        self.plan_id = plan.id
        self.group_id = db.session.scalar(select(ActionGroup.id).where(ActionGroup.plan_id == plan.id)
                                          .order_by(ActionGroup.position))
        task = db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == TASK_NUMBER))
        self.task_id = task.id
        self.unit_ids = {unit.short_name: unit.id for unit in db.session.scalars(select(Unit))}
        # The seed really has the relations the roles are named after.
        assert task.lead_unit.short_name == TASK_SEED["lead"]
        assert {u.short_name for u in task.cooperating_units} == set(TASK_SEED["cooperating"])
        self.edited_user_id = db.session.scalar(select(User.id).where(
            User.login == unit_seed.UNITS_BY_SHORT_NAME[EDITED_UNIT]["login"]))
        submitted = {(u.task.number, u.unit.short_name): u.id for u in db.session.scalars(
            select(StatusUpdate).where(StatusUpdate.review_state == ReviewState.submitted))}
        coop_update = submitted[(TASK_NUMBER, COOP_UNIT)]
        # Managers each accept a different update; everybody else tries the one on task 4.
        self.review_targets = {role: coop_update for role in ROLES}
        self.review_targets["admin"] = submitted[("5", "区科委")]
        self.review_targets["coordinator"] = submitted[("9", "区科委")]
        # 批量采纳 (after the single reviews): the admin takes task 14's, the coordinator the newest on task 4.
        self.batch_targets = {role: coop_update for role in ROLES}
        self.batch_targets["admin"] = submitted[("14", "区金融办")]
        self.overdue_task_id = db.session.scalar(select(Task.id).where(Task.plan_id == plan.id, Task.number == "12"))
        db.session.remove()

    def actor(self, role: str, fresh: bool = False) -> Actor:
        if fresh:
            return Actor(self.browser, role)
        if role not in self.actors:
            self.actors[role] = Actor(self.browser, role)
        return self.actors[role]

    def row(self, model, object_id: int):
        db.session.remove()
        return db.session.get(model, object_id)

    @property
    def returned_update_id(self) -> int:
        """The cooperating unit's update on task 4, returned (退回) by the coordinator."""
        if self._returned_id is None:
            update = db.session.scalar(select(StatusUpdate).where(
                StatusUpdate.task_id == self.task_id, StatusUpdate.unit_id == self.unit_ids[COOP_UNIT]))
            update.review_state = ReviewState.returned
            update.review_comment = "请补充数据。"
            update.reviewer_id = db.session.scalar(select(User.id).where(User.login == "coordinator"))
            db.session.commit()
            self._returned_id = update.id
            self.snapshot = None  # the database changed
            db.session.remove()
        return self._returned_id

    @property
    def evidence_id(self) -> int:
        """Evidence of an update that the lead unit submits on task 4 through the real form."""
        if self._evidence_id is None:
            response = self.actor("lead_unit").post(f"/tasks/{self.task_id}/updates/new", {
                **update_form(self, "lead_unit"), "evidence": (io.BytesIO(PDF), "会议纪要.pdf")},
                content_type="multipart/form-data")
            assert response.status_code == 302, response.text
            self._evidence_id = db.session.scalar(
                select(EvidenceFile.id).join(StatusUpdate).where(StatusUpdate.task_id == self.task_id))
            assert self._evidence_id is not None
            self.snapshot = None  # the database changed
            db.session.remove()
        return self._evidence_id

    def unassigned_proposal_id(self, role: str) -> int:
        """An item not yet assigned (交办) through the flow (no receipts), one per role."""
        if role not in self._unassigned_proposals:
            from tracker.proposals.models import Proposal

            proposal = Proposal(meeting="区政协六届五次会议", number=f"第097{ROLES.index(role)}号", title="关于交办的提案",
                                main_unit_id=self.unit_ids[TASK_SEED["lead"]], assigned_on=date(2026, 3, 1),
                                reply_due_on=date(2026, 6, 1))
            proposal.co_units = [db.session.get(Unit, self.unit_ids[COOP_UNIT])]
            db.session.add(proposal)
            db.session.commit()
            self._unassigned_proposals[role] = proposal.id
            self.snapshot = None  # the database changed
            db.session.remove()
        return self._unassigned_proposals[role]

    @property
    def rated_proposal_id(self) -> int:
        """An answered item with a proposer (the one of the administrator's rating link)."""
        self.rating_token("admin")
        return self._rated_proposals["admin"]

    def rating_token(self, role: str) -> str:
        """A personal rating link (one per role) on a replied item of its own, with one proposer."""
        if role not in self._rating_tokens:
            from tracker.common.clock import utcnow
            from tracker.proposals.handling import issue_rating_link
            from tracker.proposals.models import Proposal, ProposalState, Proposer

            proposal = Proposal(meeting="区政协六届五次会议", number=f"第098{ROLES.index(role)}号", title="关于评价的提案",
                                main_unit_id=self.unit_ids[TASK_SEED["lead"]], assigned_on=date(2026, 3, 1),
                                reply_due_on=date(2026, 6, 1), state=ProposalState.replied, reply_on=date(2026, 5, 1),
                                result_category="解决采纳")
            proposal.people = [Proposer(position=1, name="张三")]
            db.session.add(proposal)
            db.session.flush()
            self._rating_tokens[role] = issue_rating_link(None, proposal, proposal.people[0],
                                                          now=utcnow())
            self._rated_proposals[role] = proposal.id
            db.session.commit()
            self.snapshot = None  # the database changed
            db.session.remove()
        return self._rating_tokens[role]

    def entry_proposal_ids(self, role: str, replied: bool = False) -> tuple[int, int]:
        """(handled item, another item) for 并案 (tracker/proposals/entry.py), one pair per role: open items
        without receipts, or (``replied``) an answered item with an open item already merged into it."""
        key = (role, replied)
        if key not in self._entry_pairs:
            from tracker.proposals.models import Proposal, ProposalMerge, ProposalState, Proposer

            base = 950 if replied else 930
            handled = Proposal(meeting="区政协六届五次会议", number=f"第{base + ROLES.index(role):04d}号",
                               title="关于并案的提案", main_unit_id=self.unit_ids[TASK_SEED["lead"]],
                               assigned_on=date(2026, 3, 1), reply_due_on=date(2026, 6, 1))
            other = Proposal(meeting="区政协六届五次会议", number=f"第{base + 10 + ROLES.index(role):04d}号",
                             title="关于同一主题的提案", main_unit_id=self.unit_ids[TASK_SEED["lead"]],
                             assigned_on=date(2026, 3, 1), reply_due_on=date(2026, 6, 1))
            other.people = [Proposer(position=1, name="李四")]
            if replied:
                handled.state, handled.reply_on, handled.result_category = (ProposalState.replied,
                                                                            date(2026, 5, 1), "解决采纳")
            db.session.add_all([handled, other])
            db.session.flush()
            if replied:
                db.session.add(ProposalMerge(proposal_id=other.id, handled_id=handled.id))
            db.session.commit()
            self._entry_pairs[key] = (handled.id, other.id)
            self.snapshot = None  # the database changed
            db.session.remove()
        return self._entry_pairs[key]

    @property
    def proposal_id(self) -> int:
        if self._proposal_id is None:
            from tracker.proposals.models import Proposal

            proposal = Proposal(meeting="区政协六届五次会议", number="第0999号", title="关于加快西岑园科创生态建设的提案",
                                main_unit_id=self.unit_ids[TASK_SEED["lead"]], assigned_on=date(2026, 3, 1),
                                reply_due_on=date(2026, 6, 1))
            proposal.co_units = [db.session.get(Unit, self.unit_ids[COOP_UNIT])]
            from tracker.proposals.models import ProposalReceipt, ReceiptRole

            proposal.receipts = [ProposalReceipt(unit_id=self.unit_ids[unit], role=role, assigned_on=date(2026, 3, 1),
                                                 sign_due_on=date(2026, 7, 15))
                                 for unit, role in ((TASK_SEED["lead"], ReceiptRole.main), (COOP_UNIT, ReceiptRole.co))]
            db.session.add(proposal)
            db.session.commit()
            self._proposal_id = proposal.id
            self.snapshot = None  # the database changed
            db.session.remove()
        return self._proposal_id

    @property
    def signed_reply_proposal_id(self) -> int:
        """The item (``proposal_id``) with a 盖章答复函 its 主办 (task 4's lead unit) uploaded through the form."""
        from tracker.proposals.models import SignedReplyLetter

        proposal_id = self.proposal_id
        if db.session.scalar(select(SignedReplyLetter.id).where(SignedReplyLetter.proposal_id == proposal_id)) is None:
            response = self.actor("lead_unit").post(f"/proposals/{proposal_id}/signed-reply", {
                "signed_reply": (io.BytesIO(PDF), "答复函.pdf")}, content_type="multipart/form-data")
            assert response.status_code == 302, response.text
            self.snapshot = None  # the database changed
            db.session.remove()
        return proposal_id

    def promised_proposal_id(self, role: str) -> int:
        """An answered C (列入计划) item per role, 主办 task 4's lead unit, 会办 its cooperating unit, with a
        commitment of its reply and an open promise (承诺事项)."""
        from tracker.proposals.models import Proposal, ProposalPromise, ProposalState

        def make():
            proposal = Proposal(meeting="区政协六届五次会议", number=f"第091{ROLES.index(role)}号", title="关于列入计划的提案",
                                main_unit_id=self.unit_ids[TASK_SEED["lead"]], assigned_on=date(2026, 3, 1),
                                reply_due_on=date(2026, 6, 1), state=ProposalState.replied, reply_on=date(2026, 5, 20),
                                result_category="列入计划",
                                commitments=[{"text": f"年内完成科创服务平台建设（{role}）。", "due_hint": "2026年"}])
            proposal.co_units = [db.session.get(Unit, self.unit_ids[COOP_UNIT])]
            db.session.add(proposal)
            db.session.flush()
            db.session.add(ProposalPromise(proposal_id=proposal.id, text="年底前完成。", due_on=date(2026, 12, 31)))
            return proposal.id
        return self._made(f"promised-{role}", make)

    def promise_id(self, role: str) -> int:
        from tracker.proposals.models import ProposalPromise

        proposal_id = self.promised_proposal_id(role)
        db.session.remove()
        return db.session.scalar(select(ProposalPromise.id).where(ProposalPromise.proposal_id == proposal_id,
                                                                  ProposalPromise.text == "年底前完成。"))

    @property
    def public_reply_id(self) -> int:
        """The seed's reply 第0746号, 主动公开 and answered: on the public pages."""
        from tracker.proposals.models import Proposal

        db.session.remove()
        return db.session.scalar(select(Proposal.id).where(Proposal.number == "第0746号"))

    @property
    def handled_proposal_id(self) -> int:
        """An item (第0998号) both units signed: 主办 the lead unit, 协办 the cooperating unit, with the 主办's
        draft reply out for 会签 (tracker/proposals/cosign.py)."""
        from tracker.proposals.models import CosignDraft, Proposal, ProposalReceipt, ReceiptRole

        def make():
            proposal = Proposal(meeting="区政协六届五次会议", number="第0998号", title="关于建设算力中心的提案",
                                main_unit_id=self.unit_ids[TASK_SEED["lead"]], assigned_on=date(2026, 3, 2),
                                reply_due_on=date(2026, 6, 2))
            proposal.co_units = [db.session.get(Unit, self.unit_ids[COOP_UNIT])]
            signed = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)
            proposal.receipts = [ProposalReceipt(unit_id=self.unit_ids[unit], role=role, assigned_on=date(2026, 3, 2),
                                                 sign_due_on=date(2026, 3, 16), signed_at=signed)
                                 for unit, role in ((TASK_SEED["lead"], ReceiptRole.main), (COOP_UNIT, ReceiptRole.co))]
            db.session.add(proposal)
            db.session.flush()
            db.session.add(CosignDraft(proposal_id=proposal.id, round=1, text="一、关于算力中心……", sent_on=DEMO_DAY,
                                       due_on=date(2026, 7, 7), sent_at=signed))
            return proposal.id
        return self._made("handled-proposal", make)

    def reply_extension_id(self, role: str) -> int:
        """A pending 延期申请 on the role's own not-yet-assigned item (the admin's for the roles refused)."""
        from tracker.proposals.models import Proposal, ReplyExtension

        owner = role if role in ("admin", "coordinator") else "admin"
        proposal_id = self.unassigned_proposal_id(owner)

        def make():
            proposal = db.session.get(Proposal, proposal_id)
            extension = ReplyExtension(proposal_id=proposal_id, previous_due_on=proposal.reply_due_on,
                                       requested_due_on=proposal.reply_due_on + timedelta(days=14), reason="需协调。")
            db.session.add(extension)
            db.session.flush()
            return extension.id
        return self._made(f"reply-extension-{owner}", make)

    @property
    def leader_id(self) -> int:
        db.session.remove()
        return db.session.scalar(select(User.id).where(User.login == LOGINS["leader"]))

    @property
    def key_proposal_id(self) -> int:
        """The world's item (第0999号) as a 重点提案 supervised by the leader."""
        from tracker.proposals.models import KeyProposal

        proposal_id, leader_id = self.proposal_id, self.leader_id

        def make():
            db.session.add(KeyProposal(proposal_id=proposal_id, leader_id=leader_id))
            db.session.flush()
            return proposal_id
        return self._made("key-proposal", make)

    @property
    def table_draft_id(self) -> int:
        """An import draft of a pasted table whose columns the reader cannot tell (abbreviated unit names)."""
        if self._table_draft_id is None:
            from tracker.imports.drafts import create_draft

            text = "序号\t重点事项\t主抓部门\t办结时间\n1\t完成老旧小区改造12个。\t住建\t2026年10月底前\n"
            draft = create_draft(None, "plan", None, text=text)
            db.session.commit()
            self._table_draft_id = draft.id
            self.snapshot = None  # the database changed
            db.session.remove()
        return self._table_draft_id

    @property
    def draft_id(self) -> int:
        """An import draft of the Xicen plan document, made through the import service."""
        if self._draft_id is None:
            from tracker.imports.drafts import create_draft

            draft = create_draft(None, "plan", None, text=XICEN_DOCUMENT.read_text(encoding="utf-8"))
            db.session.commit()
            self._draft_id = draft.id
            self.snapshot = None  # the database changed
            db.session.remove()
        return self._draft_id

    @property
    def token_id(self) -> int:
        """An API token of the lead unit's user."""
        if self._token_id is None:
            from tracker.api.services import create_token

            user = db.session.scalar(select(User).where(User.login == LOGINS["lead_unit"]))
            token, _secret = create_token(user, "报表同步")
            db.session.commit()
            self._token_id = token.id
            self.snapshot = None  # the database changed
            db.session.remove()
        return self._token_id

    def webhook_id(self, role: str) -> int:
        """A WeCom robot per role (managers delete theirs), pointing at a closed local port."""
        if role not in self._webhook_ids:
            from tracker.webhooks.models import Webhook, WebhookFormat

            hook = Webhook(name=f"督查室群（{role}）", format=WebhookFormat.wecom, url="http://127.0.0.1:9/send?key=k",
                           events="overdue_digest")
            db.session.add(hook)
            db.session.commit()
            self._webhook_ids[role] = hook.id
            self.snapshot = None  # the database changed
            db.session.remove()
        return self._webhook_ids[role]

    def task_numbered(self, number: str) -> int:
        db.session.remove()
        return db.session.scalar(select(Task.id).where(Task.plan_id == self.plan_id, Task.number == number))

    def _made(self, key: str, make) -> int:
        """An object of the loop made once (``make`` returns its id), the database snapshot forgotten."""
        if key not in self._loop:
            self._loop[key] = make()
            db.session.commit()
            self.snapshot = None  # the database changed
            db.session.remove()
        return self._loop[key]

    def _lead_user(self) -> User:
        return db.session.scalar(select(User).where(User.login == LOGINS["lead_unit"]))

    @property
    def receipt_id(self) -> int:
        """Task 4 assigned again to its lead unit: its 签收 is pending."""
        from tracker.supervision.models import Receipt

        def make():
            receipt = Receipt(task_id=self.task_id, unit_id=self.unit_ids[TASK_SEED["lead"]], role="lead",
                              sign_by=date(2026, 7, 2))
            db.session.add(receipt)
            db.session.flush()
            return receipt.id
        return self._made("receipt", make)

    def extension_id(self, role: str) -> int:
        """A pending extension request of 区科委: on task 4 for the admin (and the roles refused), on task
        12 for the coordinator, with evidence on task 4's."""
        from tracker.supervision.services import request_extension
        from tracker.updates.evidence import EvidenceStore, IncomingFile

        number = "12" if role == "coordinator" else TASK_NUMBER

        def make():
            task = db.session.get(Task, self.task_numbered(number))
            extension = request_extension(self._lead_user(), task, requested_due_on=date(2027, 3, 31),
                                          reason="资金下达推迟", today=DEMO_DAY,
                                          files=[IncomingFile("延期说明.pdf", PDF)],
                                          store=EvidenceStore(self.app.config["EVIDENCE_FOLDER"]),
                                          allowed_extensions=("pdf",), max_bytes=10**6)
            return extension.id
        return self._made(f"extension-{number}", make)

    @property
    def workflow_evidence_id(self) -> int:
        from tracker.supervision.models import WorkflowEvidenceFile

        extension_id = self.extension_id("admin")
        db.session.remove()
        return db.session.scalar(select(WorkflowEvidenceFile.id).where(WorkflowEvidenceFile.extension_id == extension_id))

    def closure_id(self, role: str) -> int:
        from tracker.supervision.services import request_closure

        number = "12" if role == "coordinator" else TASK_NUMBER

        def make():
            task = db.session.get(Task, self.task_numbered(number))
            return request_closure(self._lead_user(), task, summary="已全部完成。", today=DEMO_DAY).id
        return self._made(f"closure-{number}", make)

    @property
    def document_id(self) -> int:
        """A 督办通知单 to 区科委 on task 4, issued by the ladder."""
        from tracker.supervision.models import DocumentKind, LadderStep, SupervisionDocument

        def make():
            document = SupervisionDocument(
                kind=DocumentKind.supervision_notice, prefix="督办", year=2026, serial=1, task_id=self.task_id,
                unit_id=self.unit_ids[TASK_SEED["lead"]], level=3, issued_on=DEMO_DAY, reply_by=date(2026, 7, 7),
                overdue_days=10, facts={"task_label": "4. 测试", "task_number": TASK_NUMBER, "task_title": "测试",
                                        "plan_title": "西岑方案", "plan_doc_number": "", "unit_name": "区科委",
                                        "due_on": "2026-06-15", "overdue_kind": "task", "period": None,
                                        "progress": 40, "reason": "days"})
            db.session.add(document)
            db.session.flush()
            db.session.add(LadderStep(task_id=self.task_id, kind="task", due_on=date(2026, 6, 15), level=3,
                                      reached_on=DEMO_DAY, overdue_days=10, lead_unit_id=document.unit_id,
                                      document_id=document.id))
            return document.id
        return self._made("document", make)

    @property
    def interview_task_id(self) -> int:
        """Task 12 (overdue) at level 4 of the ladder: 约谈 may be recorded."""
        from tracker.supervision.models import LadderStep

        def make():
            task = db.session.get(Task, self.overdue_task_id)
            db.session.add(LadderStep(task_id=task.id, kind="task", due_on=task.due_on, level=4, reached_on=DEMO_DAY,
                                      overdue_days=15, lead_unit_id=task.lead_unit_id))
            return task.id
        return self._made("interview", make)

    def proposed_document_id(self, role: str) -> int:
        """A 催办单 on task 4 proposed by the ladder (待印发), one per role that may issue it."""
        from tracker.supervision.models import DocumentKind, DocumentState, SupervisionDocument

        def make():
            document = SupervisionDocument(
                kind=DocumentKind.urge_notice, prefix="催办", state=DocumentState.proposed, task_id=self.task_id,
                unit_id=self.unit_ids[TASK_SEED["lead"]], level=2, proposed_on=DEMO_DAY, issued_at=None,
                overdue_days=5, facts={"task_label": "4. 测试", "task_number": TASK_NUMBER, "task_title": "测试",
                                       "plan_title": "西岑方案", "plan_doc_number": "", "unit_name": "区科委",
                                       "due_on": "2026-06-22", "overdue_kind": "task", "period": None,
                                       "progress": 40, "reason": "days"})
            db.session.add(document)
            db.session.flush()
            return document.id
        return self._made(f"proposed-{role}", make)

    def bulletin_id(self, role: str) -> int:
        """A draft 督查通报: March 2026 (the admin's, also read by the other roles), April (the coordinator's)."""
        from tracker.bulletins.services import draft_bulletin

        month = "2026-04" if role == "coordinator" else "2026-03"

        def make():
            coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
            return draft_bulletin(coordinator, month_key=month, today=DEMO_DAY).id
        return self._made(f"bulletin-{month}", make)

    @property
    def public_plan_id(self) -> int:
        """The Xicen plan, marked 主动公开 (tracker/public/)."""
        if not self._public_plan:
            plan = db.session.get(Plan, self.plan_id)
            plan.is_public = True
            db.session.commit()
            self._public_plan = True
            self.snapshot = None  # the database changed
            db.session.remove()
        return self.plan_id

    @property
    def failed_mail_id(self) -> int:
        """A reminder e-mail to the lead unit that gave up after its attempts (发送失败)."""
        if self._failed_mail_id is None:
            from tracker.outbox.models import DeliveryState, Notification, NotificationKind

            mail = Notification(idempotency_key="permission-test", kind=NotificationKind.report_due,
                                recipient_email="kejiwei@example.gov.cn",
                                recipient_unit_id=self.unit_ids[TASK_SEED["lead"]], task_id=self.task_id,
                                subject="报送提醒", body_text="请报送。", body_html="<p>请报送。</p>",
                                state=DeliveryState.failed, attempts=5, last_error="timeout")
            db.session.add(mail)
            db.session.commit()
            self._failed_mail_id = mail.id
            self.snapshot = None  # the database changed
            db.session.remove()
        return self._failed_mail_id

    @property
    def indicator(self) -> dict:
        """An indicator linked to task 4 with three readings of the lead unit awaiting review (one per
        manager to accept, one for everybody else to try) and evidence the lead unit uploads."""
        if self._indicator is None:
            from tracker.indicators.models import Indicator, IndicatorEvidenceFile, IndicatorReading

            lead_unit = self.unit_ids[TASK_SEED["lead"]]
            author = db.session.scalar(select(User.id).where(User.login == LOGINS["lead_unit"]))
            indicator = Indicator(plan_id=self.plan_id, task_id=self.task_id, name="权限测试指标", unit_of_measure="个",
                                  baseline=0, target_value=10, target_on=date(2026, 12, 31))
            readings = [IndicatorReading(unit_id=lead_unit, author_id=author, period=f"2026-0{month}", value=month,
                                         source_note="区统计局月报") for month in (3, 4, 5)]
            indicator.readings = readings
            db.session.add(indicator)
            db.session.commit()
            ids = {"id": indicator.id, "readings": {role: readings[2].id for role in ROLES}}
            ids["readings"]["admin"], ids["readings"]["coordinator"] = readings[0].id, readings[1].id
            db.session.remove()
            response = self.actor("lead_unit").post(f"/indicators/{ids['id']}/readings/new", {
                **reading_form(self, "lead_unit", ids["id"], "2026-02"), "evidence": (io.BytesIO(PDF), "统计月报.pdf")},
                content_type="multipart/form-data")
            assert response.status_code == 302, response.text
            ids["evidence"] = db.session.scalar(select(IndicatorEvidenceFile.id).join(IndicatorReading)
                                                .where(IndicatorReading.indicator_id == ids["id"]))
            assert ids["evidence"] is not None
            db.session.remove()
            self._indicator = ids
            self.snapshot = None  # the database changed
        return self._indicator


@pytest.fixture
def world(seeded, on_date, browser, app, tmp_path):
    on_date(DEMO_DAY)
    app.config["EVIDENCE_FOLDER"] = str(tmp_path / "evidence")  # conftest restores the config afterwards
    return World(app, browser)


# --- form data: what a real form of each route sends ------------------------------------------------

def update_form(world: World, role: str, period: str | None = None) -> dict:
    task = world.row(Task, world.task_id)
    period = period or reportable_periods(task, today())[0].key
    return {"period": period, "progress_text": f"{role}：本月完成算力需求摸底。", "percent": "50",
            "problems": "", "next_steps": "下月继续推进。"}


def task_form(world: World, role: str, task_id: int | None) -> dict:
    if task_id is None:
        return {"number": f"99-{role}", "title": f"新增任务（{role}）", "text": "",
                "group_id": str(world.group_id), "parent_id": "0",
                "lead_unit_id": str(world.unit_ids[TASK_SEED["lead"]]), "start_on": "2026-07-01",
                "due_on": "2026-12-31", "reporting_cycle": "monthly", "report_day": "25",
                "status": "not_started", "progress": "0", "version": ""}
    task = world.row(Task, task_id)
    return {"number": task.number, "title": f"{task.title}（{role}）", "text": task.text,
            "group_id": str(task.group_id or 0), "parent_id": str(task.parent_id or 0),
            "lead_unit_id": str(task.lead_unit_id),
            "cooperating_unit_ids": [str(unit.id) for unit in task.cooperating_units],
            "start_on": task.start_on.isoformat() if task.start_on else "",
            "due_on": task.due_on.isoformat() if task.due_on else "",
            "reporting_cycle": task.reporting_cycle.value, "report_day": str(task.report_day),
            "status": task.status.value, "progress": str(task.progress), "version": str(task.version)}


def plan_form(world: World, role: str, plan_id: int | None) -> dict:
    if plan_id is None:
        return {"title": f"测试方案（{role}）", "doc_number": "", "issuer": "", "issued_on": "",
                "period_start": "2026-01-01", "period_end": "2026-12-31", "kind": "action_plan",
                "status": "draft", "source_text": "", "version": ""}
    plan = world.row(Plan, plan_id)
    return {"title": f"{plan.title}（{role}）", "doc_number": plan.doc_number, "issuer": plan.issuer,
            "issued_on": plan.issued_on.isoformat(), "period_start": plan.period_start.isoformat(),
            "period_end": plan.period_end.isoformat(), "kind": plan.kind.value, "status": plan.status.value,
            "source_text": plan.source_text or "", "version": str(plan.version)}


def group_form(world: World, role: str, group_id: int | None) -> dict:
    if group_id is None:
        return {"number": "（七）", "title": f"新增行动（{role}）", "position": ""}
    group = world.row(ActionGroup, group_id)
    return {"number": group.number, "title": f"{group.title}（{role}）", "position": str(group.position)}


def unit_form(world: World, role: str, unit_id: int | None) -> dict:
    if unit_id is None:
        return {"name": f"测试单位（{role}）", "short_name": f"测试{role}", "kind": "other", "parent_id": "0",
                "contact_person": "", "notification_emails": "", "phone": ""}
    unit = world.row(Unit, unit_id)
    return {"name": unit.name, "short_name": unit.short_name, "kind": unit.kind.value,
            "parent_id": str(unit.parent_id or 0), "contact_person": f"联系人{role}",
            "notification_emails": unit.notification_emails, "phone": unit.phone}


def user_form(world: World, role: str, user_id: int | None) -> dict:
    if user_id is None:
        return {"login": f"new-{role}", "display_name": f"新用户（{role}）", "email": "", "role": "leader",
                "unit_id": "0", "locale": "zh_CN", "is_active_user": "y", "password": "Duban2026xyz"}
    user = world.row(User, user_id)
    return {"login": user.login, "display_name": f"{user.display_name}（{role}）", "email": user.email,
            "role": user.role.value, "unit_id": str(user.unit_id or 0), "locale": user.locale,
            "is_active_user": "y", "password": ""}


def indicator_form(world: World, role: str, indicator_id: int | None) -> dict:
    if indicator_id is None:
        return {"name": f"新增指标（{role}）", "unit_of_measure": "家", "baseline": "0", "baseline_on": "",
                "target_value": "20", "target_on": "2026-12-31", "direction": "higher", "task_id": "0",
                "responsible_unit_id": str(world.unit_ids[OTHER_UNIT]), "note": "", "version": ""}
    from tracker.indicators.models import Indicator

    indicator = world.row(Indicator, indicator_id)
    return {"name": f"{indicator.name}（{role}）", "unit_of_measure": indicator.unit_of_measure,
            "baseline": str(indicator.baseline), "baseline_on": "", "target_value": str(indicator.target_value),
            "target_on": indicator.target_on.isoformat(), "direction": indicator.direction.value,
            "task_id": str(indicator.task_id or 0), "responsible_unit_id": str(indicator.responsible_unit_id or 0),
            "note": indicator.note, "version": str(indicator.version)}


def reading_form(world: World, role: str, indicator_id: int, period: str | None = None) -> dict:
    from tracker.indicators.services import reading_periods

    return {"period": period or reading_periods(today())[0], "value": "6", "source_note": f"区统计局月报（{role}）"}


def indicator_review_form(world: World, role: str) -> dict:
    from tracker.indicators.models import IndicatorReading

    reading = world.row(IndicatorReading, world.indicator["readings"][role])
    return {"accept": "1", "comment": "同意。", "version": str(reading.version)}


def reminder_settings_form(world: World, role: str) -> dict:
    from tracker.reminders.models import ReminderSettings

    db.session.remove()
    row = db.session.scalar(select(ReminderSettings).where(ReminderSettings.plan_id == world.plan_id))
    return {"report_due_offsets": "3,0", "deadline_offsets": "10,5,1",
            "escalate_after_days": str(10 + ROLES.index(role)), "overdue_digest_enabled": "y",
            "version": str(row.version) if row else ""}


def webhook_form(world: World, role: str, webhook_id: int | None) -> dict:
    form = {"name": f"督查室群（{role}）", "format": "wecom", "url": "http://127.0.0.1:9/send?key=k", "secret": "",
            "events": ["overdue_digest", "escalation"], "unit_id": "0", "enabled": "y", "version": ""}
    if webhook_id is not None:
        from tracker.webhooks.models import Webhook

        form.update(name=f"督查室群（{role}，已改）", version=str(world.row(Webhook, webhook_id).version))
    return form


def proposal_form(world: World, role: str, proposal_id: int | None) -> dict:
    if proposal_id is None:
        return {"meeting": "区政协六届五次会议", "number": f"第090{ROLES.index(role)}号", "title": f"新提案（{role}）",
                "proposers": "", "main_unit_id": str(world.unit_ids[OTHER_UNIT]), "assigned_on": "2026-06-01",
                "reply_due_on": "", "state": "assigned", "reply_doc_number": "", "reply_on": "",
                "result_category": "", "publicity": "", "contact_name": "", "contact_phone": "",
                "contact_address": "", "postal_code": "", "reply_text": "", "feedback": "", "version": ""}
    from tracker.proposals.models import Proposal

    proposal = world.row(Proposal, proposal_id)
    return {"meeting": proposal.meeting, "number": proposal.number, "title": f"{proposal.title}（{role}）",
            "proposers": proposal.proposers, "main_unit_id": str(proposal.main_unit_id),
            "co_unit_ids": [str(unit.id) for unit in proposal.co_units],
            "assigned_on": proposal.assigned_on.isoformat() if proposal.assigned_on else "",
            "reply_due_on": proposal.reply_due_on.isoformat() if proposal.reply_due_on else "",
            "state": proposal.state.value, "reply_doc_number": proposal.reply_doc_number, "reply_on": "",
            "result_category": "", "publicity": "", "contact_name": "", "contact_phone": "", "contact_address": "",
            "postal_code": "", "reply_text": proposal.reply_text, "feedback": "", "version": str(proposal.version)}


def proposer_names(proposal_id: int) -> list[str]:
    """The item's proposers as registered so far (the people page may have added some): a contact names them."""
    from tracker.proposals.models import Proposer

    names = list(db.session.scalars(select(Proposer.name).where(Proposer.proposal_id == proposal_id)))
    db.session.remove()
    return names


def proposal_list_form(world: World, role: str) -> dict:
    """交办清单 (tracker/proposals/importing.py): one row, an item numbered for the role, 主办 task 4's lead unit."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["案号", "标题", "提案人", "界别", "主办单位", "协办单位", "交办日期"])
    sheet.append([f"092{ROLES.index(role)}", f"清单中的提案（{role}）", "王五、赵六", "经济界", TASK_SEED["lead"], COOP_UNIT,
                  "2026-06-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    return {"meeting": "区政协六届五次会议", "kind": "cppcc", "document": (io.BytesIO(buffer.getvalue()), "交办清单.xlsx")}


def commitment_form(world: World, role: str) -> dict:
    return {"text": f"年内建成科创服务平台（{role}）", "title": f"建设科创服务平台（{role}）",
            "lead_unit_id": str(world.unit_ids[TASK_SEED["lead"]]), "due_on": "2026-12-31"}


def progress_form(world: World, role: str, on_behalf: bool = False) -> dict:
    """进展报送表: the role's own download (a coordinator's 代报 sheet of every unit ``on_behalf``) with its first
    task's row filled (nothing for a role without one)."""
    import openpyxl

    from tracker.common.clock import today
    from tracker.imports.progress import FILLED, progress_workbook, units_workbook

    user = db.session.scalar(select(User).where(User.login == LOGINS["coordinator" if on_behalf else role]))
    if user is None or (user.unit_id is None and not on_behalf):
        return {}
    data = units_workbook(user, today()) if on_behalf else progress_workbook(user, today())  # 代报: the office's sheet
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["进展报送"]
    headers = [cell.value for cell in sheet[1]]
    for name, value in zip(FILLED, ("按计划推进，本月完成方案评审。", 60, "无", "下月组织实施。")):
        sheet.cell(row=2, column=headers.index(name) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return {"document": (io.BytesIO(buffer.getvalue()), "进展报送表.xlsx")}


def columns_form(world: World, role: str) -> dict:
    from tracker.imports.models import ImportDraft

    draft = world.row(ImportDraft, world.table_draft_id)
    table = draft.payload["tables"][0]
    chosen = {"admin": "lead", "coordinator": "responsible"}.get(role, "lead")
    return {"version": str(draft.version), "signature": table["signature"], "column-0": "number", "column-1": "task",
            "column-2": chosen, "column-3": "due"}


def prose_form(world: World, role: str) -> dict:
    from tracker.imports.models import ImportDraft

    draft = world.row(ImportDraft, world.draft_id)
    return {"version": str(draft.version), "items": "auto", "units": "lines" if role == "admin" else "auto"}


def draft_review_form(world: World, role: str) -> dict:
    from tracker.imports.models import ImportDraft

    draft = world.row(ImportDraft, world.draft_id)
    return {"save": "1", "version": str(draft.version), "plan-title": f"{draft.payload.get('title') or ''}（{role}）"}


def review_form(world: World, role: str) -> dict:
    update = world.row(StatusUpdate, world.review_targets[role])
    return {"accept": "1", "comment": "同意。", "version": str(update.version)}


def batch_accept_form(world: World, role: str) -> dict:
    update = world.row(StatusUpdate, world.batch_targets[role])
    if role == "coordinator":  # the newest update waiting on task 4 (the coop unit's resubmission by now)
        update = db.session.scalar(select(StatusUpdate).where(
            StatusUpdate.task_id == world.task_id, StatusUpdate.review_state == ReviewState.submitted)
            .order_by(StatusUpdate.id.desc()).limit(1)) or update
    return {"update_id": str(update.id), f"version_{update.id}": str(update.version)}


# --- per rule: the URL, the form a POST sends, where a POST that worked redirects ------------------

def _edited_unit(w):
    return w.unit_ids[EDITED_UNIT]


URLS = {
    "/": lambda w, r: "/",
    "/search": lambda w, r: "/search?q=算力",
    "/public": lambda w, r: "/public",
    "/public/": lambda w, r: "/public/",
    "/public/plans/<int:plan_id>": lambda w, r: f"/public/plans/{w.public_plan_id}",
    "/login": lambda w, r: "/login",
    "/logout": lambda w, r: "/logout",
    "/language/<code>": lambda w, r: "/language/en",
    "/account/password": lambda w, r: "/account/password",
    "/healthz": lambda w, r: "/healthz",
    "/account/tokens": lambda w, r: "/account/tokens",
    "/account/tokens/<int:token_id>/revoke": lambda w, r: f"/account/tokens/{w.token_id}/revoke",
    "/users": lambda w, r: "/users",
    "/users/new": lambda w, r: "/users/new",
    "/users/<int:user_id>/edit": lambda w, r: f"/users/{w.edited_user_id}/edit",
    "/users/<int:user_id>/sessions/end": lambda w, r: f"/users/{w.edited_user_id}/sessions/end",
    "/audit/": lambda w, r: "/audit/",
    "/audit/logins": lambda w, r: "/audit/logins",
    "/plans/": lambda w, r: "/plans/",
    "/plans/<int:plan_id>": lambda w, r: f"/plans/{w.plan_id}",
    "/plans/new": lambda w, r: "/plans/new",
    "/plans/<int:plan_id>/edit": lambda w, r: f"/plans/{w.plan_id}/edit",
    "/plans/<int:plan_id>/groups/new": lambda w, r: f"/plans/{w.plan_id}/groups/new",
    "/plans/<int:plan_id>/groups/<int:group_id>/edit": lambda w, r: f"/plans/{w.plan_id}/groups/{w.group_id}/edit",
    "/plans/<int:plan_id>/tasks/new": lambda w, r: f"/plans/{w.plan_id}/tasks/new",
    "/tasks/mine": lambda w, r: "/tasks/mine",
    "/tasks/<int:task_id>": lambda w, r: f"/tasks/{w.task_id}",
    "/tasks/<int:task_id>/edit": lambda w, r: f"/tasks/{w.task_id}/edit",
    "/overdue": lambda w, r: "/overdue",
    "/overdue.csv": lambda w, r: "/overdue.csv",
    "/units/": lambda w, r: "/units/",
    "/units/lookup": lambda w, r: "/units/lookup?q=区",
    "/plans/lookup": lambda w, r: "/plans/lookup?q=西岑",
    "/units/new": lambda w, r: "/units/new",
    "/units/<int:unit_id>/edit": lambda w, r: f"/units/{_edited_unit(w)}/edit",
    "/units/<int:unit_id>/aliases": lambda w, r: f"/units/{_edited_unit(w)}/aliases",
    "/tasks/<int:task_id>/updates/new": lambda w, r: f"/tasks/{w.task_id}/updates/new",
    "/updates/<int:update_id>/resubmit": lambda w, r: f"/updates/{w.returned_update_id}/resubmit",
    "/reviews": lambda w, r: "/reviews",
    "/updates/<int:update_id>/review": lambda w, r: f"/updates/{w.review_targets[r]}/review",
    "/reviews/accept": lambda w, r: "/reviews/accept",
    "/evidence/<int:evidence_id>": lambda w, r: f"/evidence/{w.evidence_id}",
    "/dashboard": lambda w, r: "/dashboard",
    "/dashboard/tasks": lambda w, r: "/dashboard/tasks",
    "/units/scoreboard": lambda w, r: "/units/scoreboard",
    "/units/scoreboard.xlsx": lambda w, r: "/units/scoreboard.xlsx",
    "/overdue.xlsx": lambda w, r: "/overdue.xlsx",
    "/plans/<int:plan_id>/ledger": lambda w, r: f"/plans/{w.plan_id}/ledger",
    "/plans/<int:plan_id>/ledger.xlsx": lambda w, r: f"/plans/{w.plan_id}/ledger.xlsx",
    "/plans/<int:plan_id>/report.docx": lambda w, r: f"/plans/{w.plan_id}/report.docx",
    "/tasks/<int:task_id>/notice.docx": lambda w, r: f"/tasks/{w.overdue_task_id}/notice.docx",
    "/indicators": lambda w, r: "/indicators",
    "/indicators/<int:indicator_id>": lambda w, r: f"/indicators/{w.indicator['id']}",
    "/indicators/<int:indicator_id>/readings/new": lambda w, r: f"/indicators/{w.indicator['id']}/readings/new",
    "/indicators/readings/<int:reading_id>/review":
        lambda w, r: f"/indicators/readings/{w.indicator['readings'][r]}/review",
    "/indicators/evidence/<int:evidence_id>": lambda w, r: f"/indicators/evidence/{w.indicator['evidence']}",
    "/plans/<int:plan_id>/indicators/new": lambda w, r: f"/plans/{w.plan_id}/indicators/new",
    "/indicators/<int:indicator_id>/edit": lambda w, r: f"/indicators/{w.indicator['id']}/edit",
    "/notifications": lambda w, r: "/notifications",
    "/admin/outbox": lambda w, r: "/admin/outbox",
    "/admin/outbox/<int:notification_id>/retry": lambda w, r: f"/admin/outbox/{w.failed_mail_id}/retry",
    "/plans/<int:plan_id>/reminders": lambda w, r: f"/plans/{w.plan_id}/reminders",
    "/admin/calendar": lambda w, r: "/admin/calendar?year=2026",
    "/admin/webhooks/": lambda w, r: "/admin/webhooks/",
    "/admin/webhooks/new": lambda w, r: "/admin/webhooks/new",
    "/admin/webhooks/<int:webhook_id>/edit": lambda w, r: f"/admin/webhooks/{w.webhook_id(r)}/edit",
    "/admin/webhooks/<int:webhook_id>/test": lambda w, r: f"/admin/webhooks/{w.webhook_id(r)}/test",
    "/admin/webhooks/<int:webhook_id>/delete": lambda w, r: f"/admin/webhooks/{w.webhook_id(r)}/delete",
    "/proposals": lambda w, r: "/proposals",
    "/proposals/<int:proposal_id>": lambda w, r: f"/proposals/{w.proposal_id}",
    "/proposals/new": lambda w, r: "/proposals/new",
    "/proposals/<int:proposal_id>/edit": lambda w, r: f"/proposals/{w.proposal_id}/edit",
    "/proposals/<int:proposal_id>/commitments": lambda w, r: f"/proposals/{w.proposal_id}/commitments",
    "/proposals/<int:proposal_id>/receipt": lambda w, r: f"/proposals/{w.proposal_id}/receipt",
    "/proposals/<int:proposal_id>/reply.docx": lambda w, r: f"/proposals/{w.proposal_id}/reply.docx",
    "/proposals/<int:proposal_id>/signed-reply": lambda w, r: f"/proposals/{w.signed_reply_proposal_id}/signed-reply",
    "/rate/<token>": lambda w, r: f"/rate/{w.rating_token(r)}",
    "/proposals/<int:proposal_id>/rating-links": lambda w, r: f"/proposals/{w.rated_proposal_id}/rating-links",
    "/proposals/<int:proposal_id>/assign": lambda w, r: f"/proposals/{w.unassigned_proposal_id(r)}/assign",
    "/proposals/<int:proposal_id>/people": lambda w, r: f"/proposals/{w.proposal_id}/people",
    "/proposals/<int:proposal_id>/assignment": lambda w, r: f"/proposals/{w.entry_proposal_ids(r)[1]}/assignment",
    "/proposals/<int:proposal_id>/merge": lambda w, r: f"/proposals/{w.entry_proposal_ids(r)[0]}/merge",
    "/proposals/<int:proposal_id>/merged-replies":
        lambda w, r: f"/proposals/{w.entry_proposal_ids(r, replied=True)[0]}/merged-replies",
    "/proposals/import": lambda w, r: "/proposals/import",
    "/proposals/import/template.xlsx": lambda w, r: "/proposals/import/template.xlsx",
    "/proposals/<int:proposal_id>/contacts": lambda w, r: f"/proposals/{w.proposal_id}/contacts",
    "/proposals/<int:proposal_id>/promises": lambda w, r: f"/proposals/{w.promised_proposal_id(r)}/promises",
    "/proposals/<int:proposal_id>/promises/derive":
        lambda w, r: f"/proposals/{w.promised_proposal_id(r)}/promises/derive",
    "/proposals/<int:proposal_id>/promises/<int:promise_id>/answer":
        lambda w, r: f"/proposals/{w.promised_proposal_id(r)}/promises/{w.promise_id(r)}/answer",
    "/proposals/statistics": lambda w, r: "/proposals/statistics",
    "/proposals/statistics.xlsx": lambda w, r: "/proposals/statistics.xlsx",
    "/public/proposals": lambda w, r: "/public/proposals",
    "/public/proposals/<int:proposal_id>": lambda w, r: f"/public/proposals/{w.public_reply_id}",
    "/proposals/deadlines": lambda w, r: "/proposals/deadlines",
    "/proposals/<int:proposal_id>/co-opinion": lambda w, r: f"/proposals/{w.handled_proposal_id}/co-opinion",
    "/proposals/<int:proposal_id>/cosign-draft": lambda w, r: f"/proposals/{w.handled_proposal_id}/cosign-draft",
    "/proposals/<int:proposal_id>/cosign": lambda w, r: f"/proposals/{w.handled_proposal_id}/cosign",
    "/proposals/<int:proposal_id>/extension": lambda w, r: f"/proposals/{w.handled_proposal_id}/extension",
    "/proposals/extensions/<int:extension_id>/decide":
        lambda w, r: f"/proposals/extensions/{w.reply_extension_id(r)}/decide",
    "/proposals/<int:proposal_id>/key": lambda w, r: f"/proposals/{w.unassigned_proposal_id(r)}/key",
    "/proposals/<int:proposal_id>/supervision-note": lambda w, r: f"/proposals/{w.key_proposal_id}/supervision-note",
    "/imports/": lambda w, r: "/imports/",
    "/imports/template.xlsx": lambda w, r: "/imports/template.xlsx",
    "/imports/new": lambda w, r: "/imports/new",
    "/imports/<int:draft_id>": lambda w, r: f"/imports/{w.draft_id}",
    "/imports/<int:draft_id>/columns": lambda w, r: f"/imports/{w.table_draft_id}/columns",
    "/imports/<int:draft_id>/prose": lambda w, r: f"/imports/{w.draft_id}/prose",
    "/imports/progress": lambda w, r: "/imports/progress",
    "/imports/progress.xlsx": lambda w, r: "/imports/progress.xlsx",
    "/imports/progress/units": lambda w, r: "/imports/progress/units",
    "/imports/progress/units.xlsx": lambda w, r: "/imports/progress/units.xlsx",
    "/receipts/<int:receipt_id>/sign": lambda w, r: f"/receipts/{w.receipt_id}/sign",
    "/tasks/<int:task_id>/reassign": lambda w, r: f"/tasks/{w.task_numbered('16')}/reassign",
    "/tasks/<int:task_id>/extension/new": lambda w, r: f"/tasks/{w.task_id}/extension/new",
    "/tasks/<int:task_id>/closure/new": lambda w, r: f"/tasks/{w.task_id}/closure/new",
    "/extensions/<int:extension_id>/decide": lambda w, r: f"/extensions/{w.extension_id(r)}/decide",
    "/closures/<int:closure_id>/decide": lambda w, r: f"/closures/{w.closure_id(r)}/decide",
    "/tasks/<int:task_id>/reopen": lambda w, r: f"/tasks/{w.task_numbered('2' if r == 'coordinator' else '1')}/reopen",
    "/tasks/<int:task_id>/interviews": lambda w, r: f"/tasks/{w.interview_task_id}/interviews",
    "/documents/<int:document_id>.docx": lambda w, r: f"/documents/{w.document_id}.docx",
    "/documents/<int:document_id>/reply": lambda w, r: f"/documents/{w.document_id}/reply",
    "/documents": lambda w, r: "/documents?state=proposed",
    "/documents/<int:document_id>": lambda w, r: f"/documents/{w.document_id}",
    "/documents/<int:document_id>/issue": lambda w, r: f"/documents/{w.proposed_document_id(r)}/issue",
    "/documents/<int:document_id>/void": lambda w, r: f"/documents/{w.proposed_document_id(r)}/void",
    "/tasks/<int:task_id>/documents": lambda w, r: f"/tasks/{w.overdue_task_id}/documents",
    "/workflow-evidence/<int:file_id>": lambda w, r: f"/workflow-evidence/{w.workflow_evidence_id}",
    "/requests": lambda w, r: "/requests",
    "/plans/<int:plan_id>/ladder": lambda w, r: f"/plans/{w.plan_id}/ladder",
    "/bulletins": lambda w, r: "/bulletins",
    "/bulletins/<int:bulletin_id>": lambda w, r: f"/bulletins/{w.bulletin_id(r)}",
    "/bulletins/<int:bulletin_id>/edit": lambda w, r: f"/bulletins/{w.bulletin_id(r)}/edit",
    "/bulletins/<int:bulletin_id>/issue": lambda w, r: f"/bulletins/{w.bulletin_id(r)}/issue",
    "/bulletins/<int:bulletin_id>.docx": lambda w, r: f"/bulletins/{w.bulletin_id(r)}.docx",
    "/plans/<int:plan_id>/scoring": lambda w, r: f"/plans/{w.plan_id}/scoring",
    "/api/v1/openapi.json": lambda w, r: "/api/v1/openapi.json",
    "/api/v1/plans": lambda w, r: "/api/v1/plans",
    "/api/v1/plans/<int:plan_id>": lambda w, r: f"/api/v1/plans/{w.plan_id}",
    "/api/v1/tasks": lambda w, r: "/api/v1/tasks",
    "/api/v1/tasks/<int:task_id>": lambda w, r: f"/api/v1/tasks/{w.task_id}",
    "/api/v1/tasks/<int:task_id>/updates": lambda w, r: f"/api/v1/tasks/{w.task_id}/updates",
    "/api/v1/updates": lambda w, r: "/api/v1/updates",
    "/api/v1/updates/<int:update_id>": lambda w, r: f"/api/v1/updates/{w.review_targets[r]}",
    "/api/v1/updates/<int:update_id>/review": lambda w, r: f"/api/v1/updates/{w.review_targets[r]}/review",
    "/api/v1/tasks/<int:task_id>/receipts": lambda w, r: f"/api/v1/tasks/{w.task_id}/receipts",
    "/api/v1/receipts/<int:receipt_id>/sign": lambda w, r: f"/api/v1/receipts/{w.receipt_id}/sign",
    "/api/v1/tasks/<int:task_id>/reassign": lambda w, r: f"/api/v1/tasks/{w.task_numbered('16')}/reassign",
    "/api/v1/tasks/<int:task_id>/reopen": lambda w, r: f"/api/v1/tasks/{w.task_numbered('1')}/reopen",
    "/api/v1/tasks/<int:task_id>/interviews": lambda w, r: f"/api/v1/tasks/{w.interview_task_id}/interviews",
    "/api/v1/tasks/<int:task_id>/extensions": lambda w, r: f"/api/v1/tasks/{w.task_id}/extensions",
    "/api/v1/extensions/<int:extension_id>/decision": lambda w, r: f"/api/v1/extensions/{w.extension_id(r)}/decision",
    "/api/v1/tasks/<int:task_id>/closures": lambda w, r: f"/api/v1/tasks/{w.task_id}/closures",
    "/api/v1/closures/<int:closure_id>/decision": lambda w, r: f"/api/v1/closures/{w.closure_id(r)}/decision",
    "/api/v1/tasks/<int:task_id>/ladder": lambda w, r: f"/api/v1/tasks/{w.task_id}/ladder",
    "/api/v1/documents/<int:document_id>/reply": lambda w, r: f"/api/v1/documents/{w.document_id}/reply",
    "/api/v1/units": lambda w, r: "/api/v1/units",
    "/api/v1/units/<int:unit_id>": lambda w, r: f"/api/v1/units/{w.unit_ids[TASK_SEED['lead']]}",
    "/api/v1/proposals": lambda w, r: "/api/v1/proposals",
    "/api/v1/proposals/<int:proposal_id>": lambda w, r: f"/api/v1/proposals/{w.proposal_id}",
    "/api/v1/proposals/<int:proposal_id>/signed-reply": lambda w, r: f"/api/v1/proposals/{w.proposal_id}/signed-reply",
    "/api/v1/proposals/<int:proposal_id>/documents/<int:document_id>.docx":
        lambda w, r: f"/api/v1/proposals/{w.proposal_id}/documents/{w.document_id}.docx",
    "/api/v1/proposals/<int:proposal_id>/assign": lambda w, r: f"/api/v1/proposals/{w.proposal_id}/assign",
    "/api/v1/proposals/<int:proposal_id>/receipt": lambda w, r: f"/api/v1/proposals/{w.proposal_id}/receipt",
    "/api/v1/proposals/<int:proposal_id>/reply": lambda w, r: f"/api/v1/proposals/{w.proposal_id}/reply",
    "/api/v1/proposals/<int:proposal_id>/rating-links":
        lambda w, r: f"/api/v1/proposals/{w.proposal_id}/rating-links",
    "/api/v1/proposals/<int:proposal_id>/contacts": lambda w, r: f"/api/v1/proposals/{w.proposal_id}/contacts",
    "/api/v1/proposals/<int:proposal_id>/cosign": lambda w, r: f"/api/v1/proposals/{w.proposal_id}/cosign",
    "/api/v1/proposals/<int:proposal_id>/co-opinion": lambda w, r: f"/api/v1/proposals/{w.proposal_id}/co-opinion",
    "/api/v1/proposals/<int:proposal_id>/cosign-draft":
        lambda w, r: f"/api/v1/proposals/{w.proposal_id}/cosign-draft",
    "/api/v1/proposals/<int:proposal_id>/extensions": lambda w, r: f"/api/v1/proposals/{w.proposal_id}/extensions",
    "/api/v1/proposals/extensions/<int:extension_id>/decision":
        lambda w, r: f"/api/v1/proposals/extensions/{w.reply_extension_id(r)}/decision",
    "/api/v1/proposals/<int:proposal_id>/promises": lambda w, r: f"/api/v1/proposals/{w.proposal_id}/promises",
    "/api/v1/proposals/<int:proposal_id>/promises/derive":
        lambda w, r: f"/api/v1/proposals/{w.proposal_id}/promises/derive",
    "/api/v1/proposals/<int:proposal_id>/promises/<int:promise_id>/answer":
        lambda w, r: f"/api/v1/proposals/{w.promised_proposal_id(r)}/promises/{w.promise_id(r)}/answer",
    "/api/v1/proposals/<int:proposal_id>/key": lambda w, r: f"/api/v1/proposals/{w.key_proposal_id}/key",
    "/api/v1/proposals/<int:proposal_id>/supervision-notes":
        lambda w, r: f"/api/v1/proposals/{w.key_proposal_id}/supervision-notes",
    "/api/v1/indicators": lambda w, r: "/api/v1/indicators",
    "/api/v1/indicators/<int:indicator_id>": lambda w, r: f"/api/v1/indicators/{w.indicator['id']}",
}

FORMS = {
    "/proposals/<int:proposal_id>/signed-reply": lambda w, r: {
        "signed_reply": (io.BytesIO(PDF), f"答复函（{r}）.pdf")},
    "/login": lambda w, r: {"login": "leader", "password": "demo-password"},
    "/logout": lambda w, r: {},
    "/language/<code>": lambda w, r: {"next": "/login" if r == "anonymous" else "/plans/"},
    "/account/password": lambda w, r: {"current_password": "demo-password", "new_password": "Xicen2026own",
                                       "confirm": "Xicen2026own"},
    "/account/tokens": lambda w, r: {"name": f"令牌（{r}）"},
    "/account/tokens/<int:token_id>/revoke": lambda w, r: {},
    "/users/new": lambda w, r: user_form(w, r, None),
    "/users/<int:user_id>/edit": lambda w, r: user_form(w, r, w.edited_user_id),
    "/users/<int:user_id>/sessions/end": lambda w, r: {},
    "/plans/new": lambda w, r: plan_form(w, r, None),
    "/plans/<int:plan_id>/edit": lambda w, r: plan_form(w, r, w.plan_id),
    "/plans/<int:plan_id>/groups/new": lambda w, r: group_form(w, r, None),
    "/plans/<int:plan_id>/groups/<int:group_id>/edit": lambda w, r: group_form(w, r, w.group_id),
    "/plans/<int:plan_id>/tasks/new": lambda w, r: task_form(w, r, None),
    "/tasks/<int:task_id>/edit": lambda w, r: task_form(w, r, w.task_id),
    "/units/new": lambda w, r: unit_form(w, r, None),
    "/units/<int:unit_id>/edit": lambda w, r: unit_form(w, r, _edited_unit(w)),
    "/units/<int:unit_id>/aliases": lambda w, r: {"alias": f"别名（{r}）"},
    "/tasks/<int:task_id>/updates/new": lambda w, r: update_form(w, r),
    "/updates/<int:update_id>/resubmit": lambda w, r: update_form(
        w, r, w.row(StatusUpdate, w.returned_update_id).period),
    "/updates/<int:update_id>/review": lambda w, r: review_form(w, r),
    "/reviews/accept": lambda w, r: batch_accept_form(w, r),
    "/indicators/<int:indicator_id>/readings/new": lambda w, r: reading_form(w, r, w.indicator["id"]),
    "/indicators/readings/<int:reading_id>/review": lambda w, r: indicator_review_form(w, r),
    "/plans/<int:plan_id>/indicators/new": lambda w, r: indicator_form(w, r, None),
    "/indicators/<int:indicator_id>/edit": lambda w, r: indicator_form(w, r, w.indicator["id"]),
    "/admin/outbox/<int:notification_id>/retry": lambda w, r: {},
    "/plans/<int:plan_id>/reminders": lambda w, r: reminder_settings_form(w, r),
    "/admin/calendar": lambda w, r: {"holidays": f"2026-10-0{ROLES.index(r) + 1}", "makeup_workdays": ""},
    "/admin/webhooks/new": lambda w, r: webhook_form(w, r, None),
    "/admin/webhooks/<int:webhook_id>/edit": lambda w, r: webhook_form(w, r, w.webhook_id(r)),
    "/admin/webhooks/<int:webhook_id>/test": lambda w, r: {},
    "/admin/webhooks/<int:webhook_id>/delete": lambda w, r: {},
    "/proposals/new": lambda w, r: proposal_form(w, r, None),
    "/proposals/<int:proposal_id>/edit": lambda w, r: proposal_form(w, r, w.proposal_id),
    "/proposals/<int:proposal_id>/commitments": lambda w, r: commitment_form(w, r),
    "/proposals/<int:proposal_id>/receipt": lambda w, r: {"sign": "1", "reason": ""},
    "/rate/<token>": lambda w, r: {"rating": "满意"},
    "/proposals/<int:proposal_id>/rating-links": lambda w, r: {},
    "/proposals/<int:proposal_id>/assign": lambda w, r: {},
    "/proposals/<int:proposal_id>/people": lambda w, r: {"name": ["王五", f"赵六{ROLES.index(r)}"], "group": ["经济界", ""],
                                                         "contact": ["", ""], "points": f"第一条建议（{r}）"},
    "/proposals/<int:proposal_id>/assignment": lambda w, r: {
        "mode": "main", "main_unit_id": str(w.unit_ids[TASK_SEED["lead"]]), "co_unit_ids": [str(w.unit_ids[COOP_UNIT])]},
    "/proposals/<int:proposal_id>/merge": lambda w, r: {"proposal_ids": [str(w.entry_proposal_ids(r)[1])]},
    "/proposals/<int:proposal_id>/merged-replies": lambda w, r: {},
    "/proposals/import": lambda w, r: proposal_list_form(w, r),
    "/proposals/<int:proposal_id>/contacts": lambda w, r: {
        "contact_on": "2026-06-01", "way": "见面", "stage": "during", "unit_people": f"王科长（{r}）",
        "agreed": "商定年内建成科创服务平台。", "proposer_names": proposer_names(w.proposal_id)},
    "/proposals/<int:proposal_id>/promises": lambda w, r: {"text": f"年底前建成科创服务平台（{r}）。",
                                                           "due_on": "2026-12-31"},
    "/proposals/<int:proposal_id>/promises/derive": lambda w, r: {},
    "/proposals/<int:proposal_id>/promises/<int:promise_id>/answer": lambda w, r: {
        "text": "科创服务平台已建成。", "answered_on": "2026-06-30", "answered_by": "李局长"},
    "/proposals/<int:proposal_id>/co-opinion": lambda w, r: {"text": f"建议统筹算力资源（{r}）。"},
    "/proposals/<int:proposal_id>/cosign-draft": lambda w, r: {"text": f"一、关于科创生态建设……（{r}）"},
    "/proposals/<int:proposal_id>/cosign": lambda w, r: {"decision": "disagree", "reason": "第二条数据需核实。"},
    "/proposals/<int:proposal_id>/extension": lambda w, r: {"requested_due_on": "2026-08-31",
                                                           "reason": "需市级部门协调用地指标。"},
    "/proposals/extensions/<int:extension_id>/decide":
        lambda w, r: {"decision": "refuse", "note": "请按期答复。"} if r == "coordinator"
        else {"decision": "approve", "note": "同意。"},
    "/proposals/<int:proposal_id>/key": lambda w, r: {"leader_id": str(w.leader_id)},
    "/proposals/<int:proposal_id>/supervision-note": lambda w, r: {"text": "请加快推进，月底前报进展。"},
    "/imports/new": lambda w, r: {"kind": "plan", "text": XICEN_DOCUMENT.read_text(encoding="utf-8")},
    "/imports/<int:draft_id>": lambda w, r: draft_review_form(w, r),
    "/imports/<int:draft_id>/columns": lambda w, r: columns_form(w, r),
    "/imports/<int:draft_id>/prose": lambda w, r: prose_form(w, r),
    "/imports/progress": lambda w, r: progress_form(w, r),
    "/imports/progress/units": lambda w, r: progress_form(w, r, on_behalf=True),
    "/receipts/<int:receipt_id>/sign": lambda w, r: {"sign": "1", "version": ""},
    "/tasks/<int:task_id>/reassign": lambda w, r: {
        "lead_unit_id": str(w.unit_ids[OTHER_UNIT if r == "admin" else EDITED_UNIT]), "version": ""},
    "/tasks/<int:task_id>/extension/new": lambda w, r: {"requested_due_on": "2027-03-31", "reason": f"资金推迟（{r}）"},
    "/tasks/<int:task_id>/closure/new": lambda w, r: {"summary": f"已全部完成（{r}）。"},
    "/extensions/<int:extension_id>/decide": lambda w, r: {"approve": "1", "due_on": "2027-03-31",
                                                            "comment": "同意。", "version": ""},
    "/closures/<int:closure_id>/decide": lambda w, r: {"reject": "1", "comment": f"缺少验收材料（{r}）", "version": ""},
    "/tasks/<int:task_id>/reopen": lambda w, r: {"reason": f"复查发现问题（{r}）", "version": ""},
    "/tasks/<int:task_id>/interviews": lambda w, r: {"held_on": "2026-06-29", "attendees": "区科委主要负责人",
                                                     "agreed": f"7月底前完成（{r}）", "follow_up_on": "2026-07-31"},
    "/documents/<int:document_id>/reply": lambda w, r: {"text": "逾期原因：资金未到位；整改措施：专班推进。"},
    "/documents/<int:document_id>/issue": lambda w, r: {"version": "", "submit": "1"},
    "/documents/<int:document_id>/void": lambda w, r: {"version": "", "reason": f"文号有误（{r}）", "submit": "1"},
    "/tasks/<int:task_id>/documents": lambda w, r: {"submit": "1"},
    "/plans/<int:plan_id>/ladder": lambda w, r: {
        "sign_within_days": str(2 + ROLES.index(r)), "reply_within_days": "5", "level1_days": "1", "level2_days": "5",
        "level3_days": "10", "level4_days": "15", "level1_recipients": "unit", "level2_recipients": "unit_head",
        "level3_recipients": "leaders", "level4_recipients": "coordinators", "level2_document": "y",
        "level3_document": "y"},
    "/bulletins": lambda w, r: {"month": {"admin": "2026-01", "coordinator": "2026-02"}.get(r, "2026-05")},
    "/bulletins/<int:bulletin_id>/edit": lambda w, r: {"title": f"2026年3月督查通报（{r}）", "body": f"现将情况通报如下（{r}）。",
                                                       "version": ""},
    "/bulletins/<int:bulletin_id>/issue": lambda w, r: {"version": ""},
    "/plans/<int:plan_id>/scoring": lambda w, r: {
        "on_time_report": str(1 + ROLES.index(r)), "closure_on_time": "3", "overdue_day": "0.5", "returned": "1",
        "extension": "1", "escalation": "2", "version": ""},
    # JSON bodies a token holder could send
    "/api/v1/tasks/<int:task_id>": lambda w, r: {"title": f"改名（{r}）", "progress": 90},
    "/api/v1/tasks/<int:task_id>/updates": lambda w, r: {"period": "2026-06", "progress_text": "伪造的报送",
                                                         "percent": 90},
    "/api/v1/updates/<int:update_id>/review": lambda w, r: {"decision": "accept", "comment": "同意"},
    "/api/v1/receipts/<int:receipt_id>/sign": lambda w, r: {"decision": "sign"},
    "/api/v1/tasks/<int:task_id>/reassign": lambda w, r: {"lead_unit_id": w.unit_ids[EDITED_UNIT]},
    "/api/v1/tasks/<int:task_id>/reopen": lambda w, r: {"reason": f"复查发现问题（{r}）"},
    "/api/v1/tasks/<int:task_id>/interviews": lambda w, r: {"held_on": "2026-06-29", "attendees": "区科委主要负责人",
                                                            "agreed": f"7月底前完成（{r}）"},
    "/api/v1/tasks/<int:task_id>/extensions": lambda w, r: {"requested_due_on": "2027-03-31", "reason": f"资金推迟（{r}）"},
    "/api/v1/extensions/<int:extension_id>/decision": lambda w, r: {"approve": True, "due_on": "2027-03-31"},
    "/api/v1/tasks/<int:task_id>/closures": lambda w, r: {"summary": f"已全部完成（{r}）。"},
    "/api/v1/closures/<int:closure_id>/decision": lambda w, r: {"verify": False, "comment": f"缺少验收材料（{r}）"},
    "/api/v1/documents/<int:document_id>/reply": lambda w, r: {"text": "逾期原因：资金未到位；整改措施：专班推进。"},
    "/api/v1/proposals/<int:proposal_id>/assign": lambda w, r: {},
    "/api/v1/proposals/<int:proposal_id>/receipt": lambda w, r: {"decision": "sign"},
    "/api/v1/proposals/<int:proposal_id>/reply": lambda w, r: {"reply_on": "2026-06-29", "result_category": "解决采纳"},
    "/api/v1/proposals/<int:proposal_id>/rating-links": lambda w, r: {},
    "/api/v1/proposals/<int:proposal_id>/contacts": lambda w, r: {
        "contact_on": "2026-06-29", "way": "电话", "stage": "during", "unit_people": "联络员", "agreed": f"沟通（{r}）"},
    "/api/v1/proposals/<int:proposal_id>/co-opinion": lambda w, r: {"text": f"协办意见（{r}）"},
    "/api/v1/proposals/<int:proposal_id>/cosign-draft": lambda w, r: {"text": f"答复稿（{r}）"},
    "/api/v1/proposals/<int:proposal_id>/cosign": lambda w, r: {"decision": "agree"},
    "/api/v1/proposals/<int:proposal_id>/extensions": lambda w, r: {"requested_due_on": "2026-09-30",
                                                                    "reason": f"需会商（{r}）"},
    "/api/v1/proposals/extensions/<int:extension_id>/decision": lambda w, r: {"approve": True},
    "/api/v1/proposals/<int:proposal_id>/promises": lambda w, r: {"text": f"承诺（{r}）", "due_on": "2026-12-31"},
    "/api/v1/proposals/<int:proposal_id>/promises/derive": lambda w, r: {},
    "/api/v1/proposals/<int:proposal_id>/promises/<int:promise_id>/answer": lambda w, r: {
        "text": f"已完成（{r}）", "answered_on": "2026-06-29", "answered_by": "联络员"},
    "/api/v1/proposals/<int:proposal_id>/key": lambda w, r: {"leader_id": w.leader_id},
    "/api/v1/proposals/<int:proposal_id>/supervision-notes": lambda w, r: {"text": "请加快推进（伪造）。"},
}

# Where a "moved" or "saved" cell redirects: a regular expression for the Location's path.
REDIRECTS = {
    ("/login", "GET"): lambda w, r: "/",
    ("/login", "POST"): lambda w, r: "/",
    ("/logout", "POST"): lambda w, r: "/login",
    ("/language/<code>", "POST"): lambda w, r: "/login" if r == "anonymous" else "/plans/",
    ("/account/password", "POST"): lambda w, r: "/",
    ("/account/tokens/<int:token_id>/revoke", "POST"): lambda w, r: "/account/tokens",
    ("/users/new", "POST"): lambda w, r: "/users",
    ("/users/<int:user_id>/edit", "POST"): lambda w, r: "/users",
    ("/users/<int:user_id>/sessions/end", "POST"): lambda w, r: f"/users/{w.edited_user_id}/edit",
    ("/plans/new", "POST"): lambda w, r: r"/plans/\d+",
    ("/plans/<int:plan_id>/edit", "POST"): lambda w, r: f"/plans/{w.plan_id}",
    ("/plans/<int:plan_id>/groups/new", "POST"): lambda w, r: f"/plans/{w.plan_id}",
    ("/plans/<int:plan_id>/groups/<int:group_id>/edit", "POST"): lambda w, r: f"/plans/{w.plan_id}",
    ("/plans/<int:plan_id>/tasks/new", "POST"): lambda w, r: r"/tasks/\d+",
    ("/tasks/<int:task_id>/edit", "POST"): lambda w, r: f"/tasks/{w.task_id}",
    ("/units/new", "POST"): lambda w, r: "/units/",
    ("/units/<int:unit_id>/edit", "POST"): lambda w, r: "/units/",
    ("/units/<int:unit_id>/aliases", "POST"): lambda w, r: f"/units/{_edited_unit(w)}/aliases",
    ("/tasks/<int:task_id>/updates/new", "POST"): lambda w, r: f"/tasks/{w.task_id}",
    ("/updates/<int:update_id>/resubmit", "POST"): lambda w, r: f"/tasks/{w.task_id}",
    ("/updates/<int:update_id>/review", "POST"): lambda w, r: "/reviews",
    ("/reviews/accept", "POST"): lambda w, r: "/reviews",
    ("/indicators/<int:indicator_id>/readings/new", "POST"): lambda w, r: f"/indicators/{w.indicator['id']}",
    ("/indicators/readings/<int:reading_id>/review", "POST"): lambda w, r: f"/indicators/{w.indicator['id']}",
    ("/plans/<int:plan_id>/indicators/new", "POST"): lambda w, r: r"/indicators/\d+",
    ("/indicators/<int:indicator_id>/edit", "POST"): lambda w, r: f"/indicators/{w.indicator['id']}",
    ("/admin/outbox/<int:notification_id>/retry", "POST"): lambda w, r: "/admin/outbox",
    ("/plans/<int:plan_id>/reminders", "POST"): lambda w, r: f"/plans/{w.plan_id}/reminders",
    ("/admin/calendar", "POST"): lambda w, r: "/admin/calendar",
    ("/admin/webhooks/new", "POST"): lambda w, r: "/admin/webhooks/",
    ("/admin/webhooks/<int:webhook_id>/edit", "POST"): lambda w, r: "/admin/webhooks/",
    ("/admin/webhooks/<int:webhook_id>/test", "POST"): lambda w, r: "/admin/webhooks/",
    ("/admin/webhooks/<int:webhook_id>/delete", "POST"): lambda w, r: "/admin/webhooks/",
    ("/proposals/new", "POST"): lambda w, r: r"/proposals/\d+",
    ("/proposals/<int:proposal_id>/edit", "POST"): lambda w, r: f"/proposals/{w.proposal_id}",
    ("/proposals/<int:proposal_id>/commitments", "POST"): lambda w, r: f"/proposals/{w.proposal_id}",
    ("/proposals/<int:proposal_id>/receipt", "POST"): lambda w, r: f"/proposals/{w.proposal_id}",
    ("/proposals/<int:proposal_id>/signed-reply", "POST"): lambda w, r: f"/proposals/{w.signed_reply_proposal_id}",
    ("/rate/<token>", "POST"): lambda w, r: f"/rate/{w.rating_token(r)}",
    ("/proposals/<int:proposal_id>/rating-links", "POST"): lambda w, r: f"/proposals/{w.rated_proposal_id}",
    ("/proposals/<int:proposal_id>/assign", "POST"): lambda w, r: f"/proposals/{w.unassigned_proposal_id(r)}",
    ("/proposals/<int:proposal_id>/people", "POST"): lambda w, r: f"/proposals/{w.proposal_id}",
    ("/proposals/<int:proposal_id>/assignment", "POST"): lambda w, r: f"/proposals/{w.entry_proposal_ids(r)[1]}",
    ("/proposals/<int:proposal_id>/merge", "POST"): lambda w, r: f"/proposals/{w.entry_proposal_ids(r)[0]}",
    ("/proposals/<int:proposal_id>/merged-replies", "POST"):
        lambda w, r: f"/proposals/{w.entry_proposal_ids(r, replied=True)[0]}",
    ("/proposals/import", "POST"): lambda w, r: "/proposals/import",
    ("/proposals/<int:proposal_id>/contacts", "POST"): lambda w, r: f"/proposals/{w.proposal_id}",
    ("/proposals/<int:proposal_id>/promises", "POST"): lambda w, r: f"/proposals/{w.promised_proposal_id(r)}",
    ("/proposals/<int:proposal_id>/promises/derive", "POST"): lambda w, r: f"/proposals/{w.promised_proposal_id(r)}",
    ("/proposals/<int:proposal_id>/promises/<int:promise_id>/answer", "POST"):
        lambda w, r: f"/proposals/{w.promised_proposal_id(r)}",
    ("/proposals/<int:proposal_id>/co-opinion", "POST"): lambda w, r: f"/proposals/{w.handled_proposal_id}",
    ("/proposals/<int:proposal_id>/cosign-draft", "POST"): lambda w, r: f"/proposals/{w.handled_proposal_id}",
    ("/proposals/<int:proposal_id>/cosign", "POST"): lambda w, r: f"/proposals/{w.handled_proposal_id}",
    ("/proposals/<int:proposal_id>/extension", "POST"): lambda w, r: f"/proposals/{w.handled_proposal_id}",
    ("/proposals/extensions/<int:extension_id>/decide", "POST"):
        lambda w, r: f"/proposals/{w.unassigned_proposal_id(r)}",
    ("/proposals/<int:proposal_id>/key", "POST"): lambda w, r: f"/proposals/{w.unassigned_proposal_id(r)}",
    ("/proposals/<int:proposal_id>/supervision-note", "POST"): lambda w, r: f"/proposals/{w.key_proposal_id}",
    ("/receipts/<int:receipt_id>/sign", "POST"): lambda w, r: f"/tasks/{w.task_id}",
    ("/tasks/<int:task_id>/reassign", "POST"): lambda w, r: f"/tasks/{w.task_numbered('16')}",
    ("/tasks/<int:task_id>/extension/new", "POST"): lambda w, r: f"/tasks/{w.task_id}",
    ("/tasks/<int:task_id>/closure/new", "POST"): lambda w, r: f"/tasks/{w.task_id}",
    ("/extensions/<int:extension_id>/decide", "POST"): lambda w, r: r"/tasks/\d+",
    ("/closures/<int:closure_id>/decide", "POST"): lambda w, r: r"/tasks/\d+",
    ("/tasks/<int:task_id>/reopen", "POST"): lambda w, r: r"/tasks/\d+",
    ("/tasks/<int:task_id>/interviews", "POST"): lambda w, r: f"/tasks/{w.interview_task_id}",
    ("/documents/<int:document_id>/reply", "POST"): lambda w, r: f"/tasks/{w.task_id}",
    ("/documents/<int:document_id>/issue", "POST"): lambda w, r: f"/documents/{w.proposed_document_id(r)}",
    ("/documents/<int:document_id>/void", "POST"): lambda w, r: f"/documents/{w.proposed_document_id(r)}",
    ("/tasks/<int:task_id>/documents", "POST"): lambda w, r: r"/documents/\d+",
    ("/plans/<int:plan_id>/ladder", "POST"): lambda w, r: f"/plans/{w.plan_id}/ladder",
    ("/bulletins", "POST"): lambda w, r: r"/bulletins/\d+",
    ("/bulletins/<int:bulletin_id>/edit", "POST"): lambda w, r: f"/bulletins/{w.bulletin_id(r)}",
    ("/bulletins/<int:bulletin_id>/issue", "POST"): lambda w, r: f"/bulletins/{w.bulletin_id(r)}",
    ("/plans/<int:plan_id>/scoring", "POST"): lambda w, r: f"/plans/{w.plan_id}/scoring",
    ("/imports/new", "POST"): lambda w, r: r"/imports/\d+",
    ("/imports/<int:draft_id>", "POST"): lambda w, r: f"/imports/{w.draft_id}",
    ("/imports/<int:draft_id>/columns", "POST"): lambda w, r: f"/imports/{w.table_draft_id}",
    ("/imports/<int:draft_id>/prose", "POST"): lambda w, r: f"/imports/{w.draft_id}",
    ("/imports/progress", "POST"): lambda w, r: "/imports/progress",
    ("/imports/progress/units", "POST"): lambda w, r: "/imports/progress/units",
}


def registered_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in UNCHECKED_ENDPOINTS:
            continue
        routes |= {(rule.rule, method) for method in WRITE_METHODS | {"GET"} if method in rule.methods}
    return routes


def test_every_route_has_permission_rows(app):
    in_table = [(rule, method) for rule, method, *_ in TABLE]
    assert len(in_table) == len(set(in_table)), "a (route, method) appears twice in TABLE"
    registered = registered_routes(app)
    assert registered - set(in_table) == set(), "routes without a permission row in TABLE"
    assert set(in_table) - registered == set(), "TABLE rows for routes the app does not have"
    for rule, method, *outcomes in TABLE:
        assert len(outcomes) in (len(TABLE_ROLES), len(ROLES))
        assert rule in URLS and (method == "GET" or rule in FORMS)
        for outcome in outcomes:
            assert outcome in (L, OK, NO, SAVED, MOVED, HOME_, MADE, TOKEN, "404")
            if outcome in (SAVED, MOVED):
                assert (rule, method) in REDIRECTS


# Routes that log in, log out or switch the language get a new browser for each request, so that the
# shared browsers of the other routes stay as they are.
SESSION_ROUTES = {"/login", "/logout", "/language/<code>", "/account/password"}


def restore_demo_password(world: World, role: str) -> None:
    """A password change ends the account's other sessions (tracker/auth/sessions.py), the role's shared
    browser's too: the demo password is put back and that browser logs in again when next used."""
    from tracker.auth.services import hash_password

    db.session.remove()
    user = db.session.scalar(select(User).where(User.login == LOGINS[role]))
    user.password_hash = hash_password("demo-password")
    db.session.commit()
    db.session.remove()
    world.actors.pop(role, None)
    world.snapshot = None  # the database changed


def check_cell(world: World, rule: str, method: str, role: str, expected: str) -> str | None:
    """Runs one request; returns a description of the mismatch, or None."""
    actor = world.actor(role, fresh=rule in SESSION_ROUTES)
    url = URLS[rule](world, role)
    data = FORMS[rule](world, role) if method != "GET" else None
    before = world.snapshot if world.snapshot is not None else fingerprint()
    files_before = evidence_files(world.app)
    if method == "GET":
        response = actor.get(url)
    elif rule.startswith("/api/"):
        response = actor.browser.client.open(url, method=method, json=data)
    else:
        response = actor.post(url, data)
    after, files_after = fingerprint(), evidence_files(world.app)
    world.snapshot = after
    if rule == "/account/password" and method == "POST" and role != "anonymous":
        restore_demo_password(world, role)
    where = f"{method} {url} as {role}:"
    status, location = response.status_code, path_of(response)
    if expected in ("200", "401", "403", "404", MADE):
        expected = "200" if expected == MADE else expected
        if status != int(expected):
            return f"{where} expected {expected}, got {status} {location}"
    elif expected == L:
        if status != 302 or location != "/login":
            return f"{where} expected 302 to /login, got {status} {location}"
    elif expected == HOME_:
        if status != 302 or location != HOME[role]:
            return f"{where} expected 302 to {HOME[role]}, got {status} {location}"
    else:
        target = REDIRECTS[(rule, method)](world, role)
        if status != 302 or not re.fullmatch(target, location):
            return f"{where} expected 302 to {target}, got {status} {location}"
    if outcome(rule, method, role) in (SAVED, MADE):
        if before == after:
            return f"{where} the database did not change"
    elif before != after or files_before != files_after:
        return f"{where} changed {changed_tables(before, after)} files {files_before} -> {files_after}"
    return None


def separated_default(row: tuple) -> str:
    """The security and audit administrators' outcome on a row of 7 (三员分立: they open only their own
    pages): what anybody may open without logging in, the API's 401 (it takes bearer tokens only), else 403."""
    rule, _method, anonymous, _admin, _coordinator, leader, *_units = row
    if rule.startswith("/api/"):
        return leader
    return OK if anonymous == OK else NO


def row_outcomes(row: tuple) -> tuple:
    """A TABLE row's outcomes for every role in ROLES."""
    outcomes = tuple(row[2:])
    if len(outcomes) == len(TABLE_ROLES):
        outcomes += (separated_default(row),) * len(SEPARATED_ROLES)
    return outcomes


def outcome(rule: str, method: str, role: str) -> str:
    row = next(row for row in TABLE if row[:2] == (rule, method))
    return row_outcomes(row)[ROLES.index(role)]


AREAS = {"": "auth", "login": "auth", "logout": "auth", "language": "auth", "users": "auth", "account": "auth",
         "healthz": "auth", "audit": "auth",
         "overdue": "reports", "overdue.csv": "reports", "overdue.xlsx": "reports", "dashboard": "reports",
         "reviews": "updates", "evidence": "updates", "notifications": "reminders", "admin": "reminders"}


def area(rule: str) -> str:
    """Rows are run in groups by the first part of the path, one seeded database per group."""
    first = rule.strip("/").split("/")[0]
    return AREAS.get(first, first)


@pytest.mark.parametrize("group", list(dict.fromkeys(area(row[0]) for row in TABLE)))
def test_route_permissions(world, group):
    """Every role on every route of the group, in TABLE order, on one seeded database."""
    mismatches = [check_cell(world, row[0], row[1], role, expected)
                  for row in TABLE if area(row[0]) == group
                  for role, expected in zip(ROLES, row_outcomes(row))]
    assert [m for m in mismatches if m] == []


# --- 404s: unknown ids --------------------------------------------------------------------------

ID_ROUTES = [(rule, method) for rule, method, *_ in TABLE if "<int:" in rule and not rule.startswith("/api/")]
# Routes whose check needs the object (is this unit on the task?) answer 404 for an unknown id;
# the others check the role first and answer 403 to a role that may not use them at all.
OBJECT_CHECKED = {"/plans/<int:plan_id>", "/tasks/<int:task_id>", "/tasks/<int:task_id>/updates/new",
                  "/updates/<int:update_id>/resubmit", "/evidence/<int:evidence_id>", "/plans/<int:plan_id>/ledger",
                  "/plans/<int:plan_id>/ledger.xlsx", "/indicators/<int:indicator_id>",
                  "/indicators/<int:indicator_id>/readings/new", "/indicators/evidence/<int:evidence_id>",
                  "/proposals/<int:proposal_id>", "/proposals/<int:proposal_id>/receipt",
                  "/proposals/<int:proposal_id>/reply.docx", "/account/tokens/<int:token_id>/revoke",
                  "/proposals/<int:proposal_id>/signed-reply",
                  "/proposals/<int:proposal_id>/co-opinion", "/proposals/<int:proposal_id>/cosign-draft",
                  "/proposals/<int:proposal_id>/cosign", "/proposals/<int:proposal_id>/extension",
                  "/proposals/<int:proposal_id>/supervision-note",
                  "/receipts/<int:receipt_id>/sign", "/tasks/<int:task_id>/extension/new",
                  "/tasks/<int:task_id>/closure/new", "/documents/<int:document_id>.docx",
                  "/documents/<int:document_id>", "/tasks/<int:task_id>/notice.docx",
                  "/documents/<int:document_id>/reply", "/workflow-evidence/<int:file_id>",
                  "/proposals/<int:proposal_id>/contacts", "/proposals/<int:proposal_id>/promises",
                  "/proposals/<int:proposal_id>/promises/derive",
                  "/proposals/<int:proposal_id>/promises/<int:promise_id>/answer"}
# Where an unknown id is not a 404: re-sending unknown mail ids re-sends nothing (302 back to the outbox);
# accounts are not the system administrator's (三员分立): refused before the id is looked at.
UNKNOWN_ID_STATUS = {("/admin/outbox/<int:notification_id>/retry", "admin"): 302,
                     ("/users/<int:user_id>/edit", "admin"): 403,
                     ("/users/<int:user_id>/sessions/end", "admin"): 403}
# Pages without login by design (tracker/public/): an unknown id is a 404 for everybody, anonymous too.
NO_LOGIN_ID_ROUTES = {"/public/plans/<int:plan_id>", "/public/proposals/<int:proposal_id>"}


def test_unknown_ids(world):
    """An unknown id is a 404 for the admin, and for a unit user where the check needs the object;
    anonymous users still only get the login redirect.  Nothing is written."""
    before = fingerprint()
    mismatches = []
    for rule, method in ID_ROUTES:
        url = re.sub(r"<int:\w+>", "999999", rule)
        expected = {"anonymous": 302, "admin": 404, "lead_unit": 404 if rule in OBJECT_CHECKED else 403}
        if rule in NO_LOGIN_ID_ROUTES:
            expected = {"anonymous": 404, "admin": 404, "lead_unit": 404}
        for role, status in expected.items():
            status = UNKNOWN_ID_STATUS.get((rule, role), status)
            actor = world.actor(role)
            response = actor.get(url) if method == "GET" else actor.post(url, {"accept": "1"})
            if response.status_code != status or (role == "anonymous" and rule not in NO_LOGIN_ID_ROUTES
                                                  and path_of(response) != "/login"):
                mismatches.append(f"{method} {url} as {role}: {response.status_code} {path_of(response)}")
    assert mismatches == []
    assert fingerprint() == before


def test_group_of_another_plan_is_404(world):
    other = Plan(title="另一个方案", status=PlanStatus.active, kind=PlanKind.other)
    db.session.add(other)
    db.session.commit()
    other_id = other.id
    admin = world.actor("admin")
    assert admin.get(f"/plans/{other_id}/groups/{world.group_id}/edit").status_code == 404
    before = fingerprint()
    response = admin.post(f"/plans/{other_id}/groups/{world.group_id}/edit", group_form(world, "admin", world.group_id))
    assert response.status_code == 404
    assert fingerprint() == before


# --- what unit users see -------------------------------------------------------------------------

def involved_task_ids(unit_id: int) -> set[int]:
    db.session.remove()
    return {task.id for task in db.session.scalars(select(Task)) if task.lead_unit_id == unit_id
            or any(unit.id == unit_id for unit in task.cooperating_units)}


def linked_task_ids(html: str) -> set[int]:
    return {int(task_id) for task_id in re.findall(r'href="/tasks/(\d+)"', html)}


@pytest.mark.parametrize("role", ["lead_unit", "coop_unit", "other_unit"])
def test_unit_user_sees_exactly_its_units_tasks(world, role):
    unit_id = world.unit_ids[{"lead_unit": TASK_SEED["lead"], "coop_unit": COOP_UNIT, "other_unit": OTHER_UNIT}[role]]
    mine = involved_task_ids(unit_id)
    assert mine, "the seed gives every role's unit some tasks"
    actor = world.actor(role)
    plan_page, mine_page = actor.get(f"/plans/{world.plan_id}"), actor.get("/tasks/mine")
    assert plan_page.status_code == 200 and mine_page.status_code == 200
    assert linked_task_ids(plan_page.text) == mine
    assert linked_task_ids(mine_page.text) == mine
    db.session.remove()
    all_tasks = set(db.session.scalars(select(Task.id)))
    for task_id in sorted(all_tasks):
        status = actor.get(f"/tasks/{task_id}").status_code
        assert status == (200 if task_id in mine else 403), f"task {task_id} as {role}"
        status = actor.get(f"/tasks/{task_id}/updates/new").status_code
        assert status == (200 if task_id in mine else 403), f"update form of task {task_id} as {role}"


def test_leader_reads_every_task_and_the_overdue_export(world):
    leader = world.actor("leader")
    db.session.remove()
    task_ids = list(db.session.scalars(select(Task.id)))
    assert len(task_ids) == len(xicen_plan.TASKS)
    plan_page = leader.get(f"/plans/{world.plan_id}")
    assert linked_task_ids(plan_page.text) == set(task_ids)
    for task_id in task_ids:
        assert leader.get(f"/tasks/{task_id}").status_code == 200
    export = leader.get("/overdue.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    # the leader sees no editing controls
    task_page = leader.get(f"/tasks/{world.task_id}").text
    assert f"/tasks/{world.task_id}/edit" not in task_page and "/review" not in task_page


def test_leader_reads_draft_plans(world):
    draft = Plan(title="草稿方案", status=PlanStatus.draft, kind=PlanKind.action_plan)
    db.session.add(draft)
    db.session.commit()
    draft_id = draft.id
    leader = world.actor("leader")
    assert f"/plans/{draft_id}\"" in leader.get("/plans/").text
    assert leader.get(f"/plans/{draft_id}").status_code == 200


def test_draft_plans_are_hidden_from_unit_users(world):
    draft = Plan(title="草稿方案", status=PlanStatus.draft, kind=PlanKind.action_plan)
    db.session.add(draft)
    db.session.commit()
    draft_id = draft.id
    for role in ("lead_unit", "other_unit"):
        actor = world.actor(role)
        assert f"/plans/{draft_id}\"" not in actor.get("/plans/").text
        assert actor.get(f"/plans/{draft_id}").status_code == 403
    assert world.actor("coordinator").get(f"/plans/{draft_id}").status_code == 200


# --- forged POSTs: refused, and nothing written ----------------------------------------------------

def counts() -> dict:
    db.session.remove()
    return {"updates": count(StatusUpdate), "audit": count(AuditEvent), "evidence": count(EvidenceFile),
            "task_versions": db.session.scalar(select(func.sum(Task.version))),
            "plan_versions": db.session.scalar(select(func.sum(Plan.version))),
            "update_versions": db.session.scalar(select(func.sum(StatusUpdate.version)))}


def test_unit_cannot_submit_an_update_to_another_units_task(world, app):
    other = world.actor("other_unit")
    url = f"/tasks/{world.task_id}/updates/new"
    assert other.get(url).status_code == 403
    before, files, whole = counts(), evidence_files(app), fingerprint()
    response = other.post(url, {**update_form(world, "other_unit"), "evidence": (io.BytesIO(PDF), "伪造.pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 403
    assert counts() == before
    assert evidence_files(app) == files == []
    assert fingerprint() == whole
    # control: the same form from the lead unit is taken, with its file
    response = world.actor("lead_unit").post(url, {**update_form(world, "lead_unit"),
                                                   "evidence": (io.BytesIO(PDF), "纪要.pdf")},
                                             content_type="multipart/form-data")
    assert response.status_code == 302
    after = counts()
    assert (after["updates"], after["evidence"]) == (before["updates"] + 1, before["evidence"] + 1)
    assert after["audit"] > before["audit"]
    assert len(evidence_files(app)) == 1


@pytest.mark.parametrize("role", ["lead_unit", "coop_unit", "other_unit", "leader"])
def test_only_managers_review_updates(world, role):
    """Task 4's lead unit may not accept the cooperating unit's update on its own task, nor may that
    unit accept its own; the leader may not review either."""
    update_id = world.review_targets["lead_unit"]
    before, whole = counts(), fingerprint()
    response = world.actor(role).post(f"/updates/{update_id}/review", review_form(world, "lead_unit"))
    assert response.status_code == 403
    assert world.row(StatusUpdate, update_id).review_state == ReviewState.submitted
    assert counts() == before
    assert fingerprint() == whole
    response = world.actor("coordinator").post(f"/updates/{update_id}/review", review_form(world, "lead_unit"))
    assert response.status_code == 302
    assert world.row(StatusUpdate, update_id).review_state == ReviewState.accepted


def test_leader_changes_nothing(world):
    leader = world.actor("leader")
    returned_id = world.returned_update_id
    routes = [
        (f"/tasks/{world.task_id}/edit", task_form(world, "leader", world.task_id)),
        (f"/plans/{world.plan_id}/tasks/new", task_form(world, "leader", None)),
        (f"/plans/{world.plan_id}/edit", plan_form(world, "leader", world.plan_id)),
        ("/plans/new", plan_form(world, "leader", None)),
        (f"/plans/{world.plan_id}/groups/{world.group_id}/edit", group_form(world, "leader", world.group_id)),
        (f"/plans/{world.plan_id}/groups/new", group_form(world, "leader", None)),
        (f"/units/{world.unit_ids[EDITED_UNIT]}/edit", unit_form(world, "leader", world.unit_ids[EDITED_UNIT])),
        ("/units/new", unit_form(world, "leader", None)),
        (f"/users/{world.edited_user_id}/edit", {**user_form(world, "leader", world.edited_user_id),
                                                 "role": "admin", "unit_id": "0"}),
        ("/users/new", {**user_form(world, "leader", None), "role": "admin"}),
        (f"/updates/{world.review_targets['leader']}/review", review_form(world, "leader")),
        (f"/tasks/{world.task_id}/updates/new", update_form(world, "leader")),
        (f"/updates/{returned_id}/resubmit", update_form(world, "leader", "2026-06")),
    ]
    task_before = world.row(Task, world.task_id)
    task_values = (task_before.title, task_before.version, task_before.progress)
    before, whole, files = counts(), fingerprint(), evidence_files(world.app)
    for url, data in routes:
        response = leader.post(url, data)
        assert response.status_code == 403, url
    assert counts() == before
    assert fingerprint() == whole
    assert evidence_files(world.app) == files
    task_after = world.row(Task, world.task_id)
    assert (task_after.title, task_after.version, task_after.progress) == task_values
    db.session.remove()
    assert db.session.scalar(select(User.role).where(User.id == world.edited_user_id)).value == "unit"


def test_unit_cannot_resubmit_another_units_returned_update(world):
    """Task 13's June update of 青浦科创集团 was returned (seed).  区科委 cooperates on task 13, so it may
    report on the task, but the returned update is not its own."""
    db.session.remove()
    returned = db.session.scalar(
        select(StatusUpdate).join(Task).where(Task.number == "13", StatusUpdate.review_state == ReviewState.returned))
    assert returned.unit.short_name == "青浦科创集团"
    returned_id, period, task_13 = returned.id, returned.period, returned.task_id
    assert world.unit_ids[TASK_SEED["lead"]] in {u.id for u in returned.task.cooperating_units}
    lead, other = world.actor("lead_unit"), world.actor("other_unit")
    assert lead.get(f"/tasks/{task_13}").status_code == 200
    before, whole = counts(), fingerprint()
    for actor in (lead, other):
        assert actor.get(f"/updates/{returned_id}/resubmit").status_code == 403
        response = actor.post(f"/updates/{returned_id}/resubmit", update_form(world, actor.role, period))
        assert response.status_code == 403
    assert counts() == before
    assert fingerprint() == whole
    # control: the unit that was returned resubmits
    owner = Actor(world.browser, "unit", login=unit_seed.UNITS_BY_SHORT_NAME["青浦科创集团"]["login"])
    response = owner.post(f"/updates/{returned_id}/resubmit", update_form(world, "kechuangjituan", period))
    assert response.status_code == 302
    db.session.remove()
    assert db.session.scalar(select(func.count()).where(StatusUpdate.resubmission_of_id == returned_id)) == 1


def test_evidence_only_for_units_on_the_task(world):
    evidence_id = world.evidence_id
    url = f"/evidence/{evidence_id}"
    for role in ("lead_unit", "coop_unit", "leader", "coordinator"):
        response = world.actor(role).get(url)
        assert response.status_code == 200, role
        assert response.data == PDF
    before = fingerprint()
    response = world.actor("other_unit").get(url)
    assert response.status_code == 403
    assert PDF not in response.data
    response = world.actor("anonymous").get(url)
    assert (response.status_code, path_of(response)) == (302, "/login")
    assert fingerprint() == before
