"""The OpenAPI 3.0.3 document of /api/v1, served at /api/v1/openapi.json.

Written out here by hand: paths, responses and the response schemas (which mirror
representations.py). Query parameters and request bodies come from the field specs the views check
input with (tracker.api.inputs), so what the document promises is what the server enforces.
tests/api/test_schemathesis.py sends generated requests for every operation and checks each response
against this document.
"""
from __future__ import annotations

import copy

from tracker.api.inputs import MAX_ID, body_schema, query_parameters
from tracker.plans.models import PlanKind, PlanStatus
from tracker.supervision.models import ClosureState, DocumentKind, ExtensionState, ReceiptState
from tracker.tasks.models import ReportingCycle, TaskStatus
from tracker.units.models import UnitKind
from tracker.updates.models import ReviewState

VERSION = "1.0.0"
JSON = "application/json"

DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}
ID = {"type": "integer", "minimum": 1}
TEXT = {"type": "string"}
DECIMAL = {"type": "string", "description": "十进制数，字符串形式以免精度损失，如 \"170.0000\""}


def nullable(schema: dict) -> dict:
    return {**copy.deepcopy(schema), "nullable": True}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, description: str = "") -> dict:
    """A closed object: every property always present, nothing else."""
    schema = {"type": "object", "additionalProperties": False, "required": list(properties),
              "properties": properties}
    if description:
        schema["description"] = description
    return schema


def enum(values) -> dict:
    return {"type": "string", "enum": [member.value for member in values]}


def page_of(item: str) -> dict:
    return obj({"items": {"type": "array", "items": ref(item)}, "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": 200},
                "total": {"type": "integer", "minimum": 0}}, f"一页{item}，按 page/per_page 分页")


UNIT_REF = obj({"id": ID, "name": TEXT, "short_name": TEXT})
USER_REF = obj({"id": ID, "display_name": TEXT})
DOCUMENT = obj({"id": ID, "number": {**TEXT, "description": "文号，如 督办〔2026〕12号"},
                "kind": {**enum(DocumentKind), "description": "urge_notice 催办单 / supervision_notice 督办通知单"},
                "task_id": ID, "unit": ref("UnitRef"), "level": {"type": "integer", "minimum": 1, "maximum": 4},
                "issued_on": DATE, "overdue_days": {"type": "integer"},
                "reply_by": {**DATE, "description": "反馈时限"}, "replied_at": nullable(DATE_TIME),
                "replied_by": nullable(USER_REF), "reply_text": TEXT},
               "督办文书（Word 文件在网页任务页下载）")


def error_schema(current: dict | None = None) -> dict:
    properties = {"code": {"type": "string", "description": "机器可读的错误代码"},
                  "message": {"type": "string", "description": "错误说明（中文）"},
                  "fields": {"type": "object", "additionalProperties": {"type": "string"},
                             "description": "字段 → 该字段的问题"}}
    if current is not None:
        properties["current"] = current
    return {"type": "object", "additionalProperties": False, "required": ["error"],
            "properties": {"error": {"type": "object", "additionalProperties": False,
                                     "required": ["code", "message"], "properties": properties}}}


SCHEMAS: dict[str, dict] = {
    "Error": error_schema(),
    "TaskConflict": error_schema(current={**ref("Task"), "description": "对方保存后的当前内容"}),
    "UpdateConflict": error_schema(current={**ref("Update"), "description": "对方保存后的当前内容"}),
    "ReceiptConflict": error_schema(current={**ref("Receipt"), "description": "对方保存后的当前内容"}),
    "ExtensionConflict": error_schema(current={**ref("Extension"), "description": "对方保存后的当前内容"}),
    "ClosureConflict": error_schema(current={**ref("Closure"), "description": "对方保存后的当前内容"}),
    "UnitRef": UNIT_REF,
    "UserRef": USER_REF,
    "Unit": obj({"id": ID, "name": TEXT, "short_name": TEXT, "kind": enum(UnitKind), "parent_id": nullable(ID),
                 "contact_person": TEXT, "phone": TEXT,
                 "notification_emails": {"type": "array", "items": TEXT}}, "单位"),
    "ActionGroup": obj({"id": ID, "position": {"type": "integer"}, "number": TEXT, "title": TEXT}, "行动"),
    "Plan": obj({"id": ID, "title": TEXT, "short_name": TEXT, "doc_number": TEXT, "issuer": TEXT,
                 "issued_on": nullable(DATE), "period_start": nullable(DATE), "period_end": nullable(DATE),
                 "kind": enum(PlanKind), "status": enum(PlanStatus), "created_at": DATE_TIME,
                 "version": {"type": "integer"}, "groups": {"type": "array", "items": ref("ActionGroup")}},
                "方案（草稿只对督办、管理员和领导可见）"),
    "Task": obj({"id": ID, "plan_id": ID, "group_id": nullable(ID), "parent_id": nullable(ID), "number": TEXT,
                 "title": TEXT, "text": TEXT, "lead_unit": ref("UnitRef"),
                 "cooperating_units": {"type": "array", "items": ref("UnitRef")},
                 "start_on": nullable(DATE),
                 "due_on": {**nullable(DATE), "description": "现行完成时限（批准延期后为调整后时限）"},
                 "original_due_on": {**nullable(DATE), "description": "原定时限：首次批准延期前的完成时限（未延期时同 due_on）"},
                 "escalation_level": {"type": "integer", "minimum": 0, "maximum": 4,
                                      "description": "督办等级：0 未进入，1 提醒，2 催办，3 督办，4 通报（按现行完成时限）"},
                 "reporting_cycle": enum(ReportingCycle),
                 "report_day": {"type": "integer", "minimum": 1, "maximum": 31}, "status": enum(TaskStatus),
                 "progress": {"type": "integer", "minimum": 0, "maximum": 100}, "completed_on": nullable(DATE),
                 "overdue": {"type": "boolean", "description": "已过完成时限且未完成、未暂缓（方案已生效）"},
                 "created_at": DATE_TIME, "updated_at": DATE_TIME,
                 "version": {"type": "integer", "description": "修改时原样带回（乐观锁）"}}, "任务"),
    "Evidence": obj({"id": ID, "original_name": TEXT, "content_type": TEXT, "size": {"type": "integer"}},
                    "佐证材料（下载见网页）"),
    "Update": obj({"id": ID, "task_id": ID, "unit": ref("UnitRef"),
                   "counts_as_report": {"type": "boolean", "description": "牵头单位的报送才计为任务的报送"},
                   "author": ref("UserRef"), "period": TEXT, "progress_text": TEXT,
                   "percent": {"type": "integer", "minimum": 0, "maximum": 100}, "problems": TEXT,
                   "next_steps": TEXT, "submitted_at": DATE_TIME, "review_state": enum(ReviewState),
                   "reviewer": nullable(USER_REF), "reviewed_at": nullable(DATE_TIME), "review_comment": TEXT,
                   "resubmission_of_id": nullable(ID), "evidence": {"type": "array", "items": ref("Evidence")},
                   "version": {"type": "integer"}}, "进展报送"),
    "Receipt": obj({"id": ID, "task_id": ID, "unit": ref("UnitRef"),
                    "role": {"type": "string", "enum": ["lead", "cooperating"], "description": "牵头 / 配合"},
                    "state": {**enum(ReceiptState), "description": "pending 待签收、signed 已签收、refused 退回交办、"
                                                                    "withdrawn 已改派"},
                    "assigned_at": DATE_TIME, "assigned_by": nullable(USER_REF),
                    "sign_by": {**DATE, "description": "签收时限"}, "answered_at": nullable(DATE_TIME),
                    "answered_by": nullable(USER_REF), "refusal_reason": TEXT, "suggested_unit": nullable(UNIT_REF),
                    "version": {"type": "integer"}}, "签收：交办给一个单位（牵头或配合）的任务"),
    "Extension": obj({"id": ID, "task_id": ID, "unit": ref("UnitRef"), "requested_by": ref("UserRef"),
                      "requested_at": DATE_TIME, "due_on_before": {**nullable(DATE), "description": "申请时的完成时限"},
                      "requested_due_on": DATE, "reason": TEXT,
                      "is_late": {"type": "boolean", "description": "过了完成时限才申请"},
                      "state": enum(ExtensionState), "decided_by": nullable(USER_REF),
                      "decided_at": nullable(DATE_TIME), "approved_due_on": nullable(DATE), "decision_comment": TEXT,
                      "evidence": {"type": "array", "items": ref("Evidence")}, "version": {"type": "integer"}},
                     "延期申请"),
    "Closure": obj({"id": ID, "task_id": ID, "unit": ref("UnitRef"), "requested_by": ref("UserRef"),
                    "requested_at": DATE_TIME, "due_on": {**nullable(DATE), "description": "申请时的完成时限"},
                    "summary": TEXT, "state": {**enum(ClosureState), "description": "pending 待核查、verified 已核查销号、"
                                                                                   "returned 退回"},
                    "decided_by": nullable(USER_REF), "decided_at": nullable(DATE_TIME), "decision_comment": TEXT,
                    "evidence": {"type": "array", "items": ref("Evidence")}, "version": {"type": "integer"}},
                   "办结申请（办结报告）及核查"),
    "Document": DOCUMENT,
    "LadderStep": obj({"id": ID, "kind": {"type": "string", "enum": ["task", "report"],
                                          "description": "task 任务逾期 / report 进展逾期未报"},
                       "due_on": {**DATE, "description": "所对应的完成时限或报送日"}, "period": nullable(TEXT),
                       "level": {"type": "integer", "minimum": 1, "maximum": 4}, "reached_on": DATE,
                       "overdue_days": {"type": "integer"},
                       "reason": {"type": "string", "enum": ["days", "no_reply"],
                                  "description": "days 逾期工作日 / no_reply 文书逾期未反馈"},
                       "document": {**nullable(DOCUMENT), "description": "本级发出的文书（如有）"}},
                      "达到的督办等级"),
    "Interview": obj({"id": ID, "held_on": DATE, "attendees": TEXT, "agreed": TEXT, "follow_up_on": nullable(DATE),
                      "recorded_by": nullable(USER_REF), "recorded_at": DATE_TIME}, "约谈"),
    "Ladder": obj({"task_id": ID, "due_on": nullable(DATE), "original_due_on": nullable(DATE),
                   "level": {"type": "integer", "minimum": 0, "maximum": 4, "description": "现行督办等级"},
                   "steps": {"type": "array", "items": ref("LadderStep")},
                   "interviews": {"type": "array", "items": ref("Interview")}}, "任务的督办等级、文书和约谈"),
    "ReceiptPage": page_of("Receipt"),
    "ExtensionPage": page_of("Extension"),
    "ClosurePage": page_of("Closure"),
    "PlanPage": page_of("Plan"),
    "TaskPage": page_of("Task"),
    "UpdatePage": page_of("Update"),
    "UnitPage": page_of("Unit"),
}


def _proposal_schemas() -> dict[str, dict]:
    from tracker.proposals.models import ProposalState

    properties = {"id": ID, "meeting": TEXT, "number": TEXT, "title": TEXT, "proposers": TEXT,
                  "main_unit": ref("UnitRef"), "co_units": {"type": "array", "items": ref("UnitRef")},
                  "assigned_on": nullable(DATE), "reply_due_on": nullable(DATE), "state": enum(ProposalState),
                  "reply_doc_number": TEXT, "reply_on": nullable(DATE), "result_category": TEXT,
                  "publicity": TEXT, "feedback": TEXT, "follow_up_plan_id": nullable(ID),
                  "commitments": {"type": "array", "items": obj({"text": TEXT, "due_hint": nullable(TEXT)})},
                  "created_at": DATE_TIME, "updated_at": DATE_TIME, "version": {"type": "integer"}}
    return {"Proposal": obj(properties, "提案"),
            "ProposalDetail": obj({**properties, "reply_text": TEXT}, "提案（含答复全文）"),
            "ProposalPage": page_of("Proposal")}


def _indicator_schemas() -> dict[str, dict]:
    from tracker.indicators.models import Direction

    progress = obj({"state": {"type": "string", "enum": ["no_data", "achieved", "behind", "on_track"]},
                    "current": nullable(DECIMAL), "current_period": nullable(TEXT),
                    "percent": nullable({"type": "number"}), "expected_today": DECIMAL,
                    "expected_percent": {"type": "number"}, "achieved": {"type": "boolean"},
                    "behind": {"type": "boolean", "description": "落后于序时进度"}})
    return {"Indicator": obj({"id": ID, "plan_id": ID, "task_id": nullable(ID),
                              "responsible_unit": nullable(UNIT_REF), "name": TEXT, "unit_of_measure": TEXT,
                              "baseline": DECIMAL, "baseline_on": nullable(DATE), "target_value": DECIMAL,
                              "target_on": DATE, "direction": enum(Direction), "note": TEXT,
                              "version": {"type": "integer"}, "progress": progress}, "指标"),
            "IndicatorPage": page_of("Indicator")}


ERROR_TEXT = {
    400: "请求格式不正确（字段类型、取值范围、未知字段、无效JSON），见 error.fields",
    401: "缺少有效的API令牌，或令牌已吊销、用户已停用",
    403: "无权执行（与网页相同的权限规则）",
    404: "对象不存在",
    409: "版本冲突：对方已先保存（error.current 为当前内容）",
    413: "请求体过大",
    415: "请求体不是 application/json",
    422: "业务规则不允许（如已审核的报送不能再审核、退回须填写意见、报送周期不可报送、已有待审批的延期申请），"
         "error.message 说明原因，什么也不改",
}


def responses(ok_status: int, ok_description: str, ok_schema: dict, *errors: int, conflict: str = "Error",
              ok_headers: dict | None = None) -> dict:
    result = {str(ok_status): {"description": ok_description, "content": {JSON: {"schema": ok_schema}}}}
    if ok_headers:
        result[str(ok_status)]["headers"] = ok_headers
    for status in (401, *errors):
        schema = ref(conflict if status == 409 else "Error")
        result[str(status)] = {"description": ERROR_TEXT[status], "content": {JSON: {"schema": schema}}}
    return result


def path_id(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "example": 1}


def list_operation(operation_id: str, summary: str, tag: str, filters: dict, paging: dict, item_page: str,
                   description: str) -> dict:
    return {"get": {"operationId": operation_id, "summary": summary, "description": description, "tags": [tag],
                    "parameters": query_parameters({**filters, **paging}),
                    "responses": responses(200, summary, ref(item_page), 400, 403)}}


def detail_operation(operation_id: str, summary: str, tag: str, parameter: dict, schema: str,
                     description: str) -> dict:
    return {"get": {"operationId": operation_id, "summary": summary, "description": description, "tags": [tag],
                    "parameters": [parameter], "responses": responses(200, summary, ref(schema), 403, 404)}}


def json_body(specs: dict) -> dict:
    return {"required": True, "content": {JSON: {"schema": body_schema(specs)}}}


def build_document(specs: dict[str, dict], *, proposals: bool, indicators: bool) -> dict:
    """The document; ``specs`` are the views' input specs (tracker.api.views.route_specs)."""
    paging = specs["PAGING"]
    task_id = path_id("task_id", "任务编号")
    update_id = path_id("update_id", "报送编号")
    receipt_id = path_id("receipt_id", "签收记录编号")
    extension_id = path_id("extension_id", "延期申请编号")
    closure_id = path_id("closure_id", "办结申请编号")
    document_id = path_id("document_id", "督办文书编号")
    schemas = copy.deepcopy(SCHEMAS)
    paths = {
        "/openapi.json": {"get": {
            "operationId": "openapi", "summary": "本文档（OpenAPI 3.0.3）", "tags": ["meta"], "security": [],
            "responses": {"200": {"description": "OpenAPI 文档",
                                  "content": {JSON: {"schema": {"type": "object"}}}}}}},
        "/plans": list_operation("listPlans", "方案列表", "plans", specs["PLAN_FILTERS"], paging, "PlanPage",
                                 "单位用户看不到草稿方案。"),
        "/plans/{plan_id}": detail_operation("getPlan", "方案", "plans", path_id("plan_id", "方案编号"), "Plan",
                                             "草稿方案只对督办、管理员和领导可见（其他用户 403）。"),
        "/tasks": list_operation("listTasks", "任务列表", "tasks", specs["TASK_FILTERS"], paging, "TaskPage",
                                 "单位用户只看到本单位牵头或配合的任务；督办、管理员、领导看到全部。"
                                 "按方案、牵头单位、单位（牵头或配合）、状态、完成时限区间筛选。"),
        "/tasks/{task_id}": {
            **detail_operation("getTask", "任务", "tasks", task_id, "Task", "无权查看的任务返回 403。"),
            "patch": {
                "operationId": "changeTask", "summary": "修改任务（督办、管理员）", "tags": ["tasks"],
                "description": "只改请求里给出的字段。必须带上读取时的 version；他人已先保存则 409，"
                               "error.current 为当前内容，什么也不改。",
                "parameters": [task_id], "requestBody": json_body(specs["TASK_CHANGES"]),
                "responses": responses(200, "修改后的任务", ref("Task"), 400, 403, 404, 409, 413, 415, 422,
                                       conflict="TaskConflict")},
        },
        "/tasks/{task_id}/updates": {
            "get": {"operationId": "listTaskUpdates", "summary": "任务的进展报送", "tags": ["updates"],
                    "description": "最新的在前。",
                    "parameters": [task_id, *query_parameters({**specs["TASK_UPDATE_FILTERS"], **paging})],
                    "responses": responses(200, "任务的进展报送", ref("UpdatePage"), 400, 403, 404)},
            "post": {"operationId": "submitUpdate", "summary": "报送进展（牵头或配合单位的用户）", "tags": ["updates"],
                     "description": "只收 JSON，不含附件（佐证材料在网页上传）。报送周期须为当前或之前几个周期"
                                    "（与网页表单相同）。被退回后重新提交时给出 resubmission_of_id。",
                     "parameters": [task_id], "requestBody": json_body(specs["NEW_UPDATE"]),
                     "responses": responses(201, "已提交，待审核", ref("Update"), 400, 403, 404, 409, 413, 415, 422,
                                            ok_headers={"Location": {"description": "新报送的地址",
                                                                     "schema": {"type": "string"}}})},
        },
        "/updates": list_operation("listUpdates", "进展报送列表", "updates", specs["UPDATE_FILTERS"], paging,
                                   "UpdatePage", "可见任务的报送，最新的在前；如 review_state=submitted 为待审核。"),
        "/updates/{update_id}": detail_operation("getUpdate", "进展报送", "updates", update_id, "Update",
                                                 "无权查看其任务的报送返回 403。"),
        "/updates/{update_id}/review": {"post": {
            "operationId": "reviewUpdate", "summary": "审核报送：采纳或退回（督办、管理员）", "tags": ["updates"],
            "description": "采纳牵头单位的报送会更新任务进度（100% 即完成）；退回须填写审核意见。"
                           "给出 version 时，报送已被改动则 409。",
            "parameters": [update_id], "requestBody": json_body(specs["REVIEW"]),
            "responses": responses(200, "审核后的报送", ref("Update"), 400, 403, 404, 409, 413, 415, 422,
                                   conflict="UpdateConflict")}},
        "/tasks/{task_id}/receipts": {"get": {
            "operationId": "listTaskReceipts", "summary": "任务的交办签收", "tags": ["supervision"],
            "description": "每次交办（含重新交办、增加配合单位）一条，最新的在前；历史记录保留。",
            "parameters": [task_id, *query_parameters(paging)],
            "responses": responses(200, "任务的交办签收", ref("ReceiptPage"), 400, 403, 404)}},
        "/receipts/{receipt_id}/sign": {"post": {
            "operationId": "signReceipt", "summary": "签收或退回交办（被交办单位的用户）", "tags": ["supervision"],
            "description": "decision=sign 签收；decision=refuse 退回交办，须说明理由，可建议责任单位（督办人员随后"
                           "重新交办）。只能办理交办给本单位、待签收的记录。给出 version 时，记录已被改动则 409。",
            "parameters": [receipt_id], "requestBody": json_body(specs["SIGN"]),
            "responses": responses(200, "签收后的记录", ref("Receipt"), 400, 403, 404, 409, 413, 415, 422,
                                   conflict="ReceiptConflict")}},
        "/tasks/{task_id}/reassign": {"post": {
            "operationId": "reassignTask", "summary": "重新交办（督办、管理员）", "tags": ["supervision"],
            "description": "交给另一牵头单位，或在退回交办后再交同一单位；新的牵头单位待签收。原牵头单位不再在任务上。"
                           "给出 version 时，任务已被改动则 409。",
            "parameters": [task_id], "requestBody": json_body(specs["REASSIGN"]),
            "responses": responses(200, "重新交办后的任务", ref("Task"), 400, 403, 404, 409, 413, 415, 422,
                                   conflict="TaskConflict")}},
        "/tasks/{task_id}/extensions": {
            "get": {"operationId": "listTaskExtensions", "summary": "任务的延期申请", "tags": ["supervision"],
                    "description": "按申请时间先后；含审批结果（原定时限见 due_on_before，调整后时限见 approved_due_on）。",
                    "parameters": [task_id, *query_parameters(paging)],
                    "responses": responses(200, "任务的延期申请", ref("ExtensionPage"), 400, 403, 404)},
            "post": {"operationId": "requestExtension", "summary": "提出延期申请（牵头单位的用户）",
                     "tags": ["supervision"],
                     "description": "每个任务同时只能有一个待审批的申请；申请的日期须晚于今天和现行完成时限；"
                                    "过了完成时限才申请的记为逾期申请（is_late）。只收 JSON，佐证材料在网页上传。",
                     "parameters": [task_id], "requestBody": json_body(specs["NEW_EXTENSION"]),
                     "responses": responses(201, "已提交，待审批", ref("Extension"), 400, 403, 404, 409, 413, 415,
                                            422)},
        },
        "/extensions/{extension_id}/decision": {"post": {
            "operationId": "decideExtension", "summary": "审批延期申请（督办、管理员）", "tags": ["supervision"],
            "description": "approve=true 批准（可用 due_on 改批其他日期），任务的完成时限随之调整，督办等级不再按原时限"
                           "升级；approve=false 不予批准，须填写意见。给出 version 时，申请已被改动则 409。",
            "parameters": [extension_id], "requestBody": json_body(specs["EXTENSION_DECISION"]),
            "responses": responses(200, "审批后的申请", ref("Extension"), 400, 403, 404, 409, 413, 415, 422,
                                   conflict="ExtensionConflict")}},
        "/tasks/{task_id}/closures": {
            "get": {"operationId": "listTaskClosures", "summary": "任务的办结申请", "tags": ["supervision"],
                    "description": "按申请时间先后；verified 为已核查销号（decided_by、decided_at 为核查人和时间）。",
                    "parameters": [task_id, *query_parameters(paging)],
                    "responses": responses(200, "任务的办结申请", ref("ClosurePage"), 400, 403, 404)},
            "post": {"operationId": "requestClosure", "summary": "提交办结申请（牵头单位的用户）",
                     "tags": ["supervision"],
                     "description": "办结报告写明完成情况；任务经督办人员核查通过才销号（进度100%不再自动办结）。"
                                    "每个任务同时只能有一个待核查的申请。只收 JSON，佐证材料在网页上传。",
                     "parameters": [task_id], "requestBody": json_body(specs["NEW_CLOSURE"]),
                     "responses": responses(201, "已提交，待核查", ref("Closure"), 400, 403, 404, 409, 413, 415,
                                            422)},
        },
        "/closures/{closure_id}/decision": {"post": {
            "operationId": "decideClosure", "summary": "核查办结申请：销号或退回（督办、管理员）", "tags": ["supervision"],
            "description": "verify=true 核查通过，任务销号（已完成，100%）；verify=false 退回，须说明理由。"
                           "给出 version 时，申请已被改动则 409。",
            "parameters": [closure_id], "requestBody": json_body(specs["CLOSURE_DECISION"]),
            "responses": responses(200, "核查后的申请", ref("Closure"), 400, 403, 404, 409, 413, 415, 422,
                                   conflict="ClosureConflict")}},
        "/tasks/{task_id}/reopen": {"post": {
            "operationId": "reopenTask", "summary": "重新打开已销号的任务（督办、管理员）", "tags": ["supervision"],
            "description": "须说明理由，记入审计日志。给出 version 时，任务已被改动则 409。",
            "parameters": [task_id], "requestBody": json_body(specs["REOPEN"]),
            "responses": responses(200, "重新打开的任务", ref("Task"), 400, 403, 404, 409, 413, 415, 422,
                                   conflict="TaskConflict")}},
        "/tasks/{task_id}/interviews": {"post": {
            "operationId": "recordInterview", "summary": "记录约谈（督办、管理员）", "tags": ["supervision"],
            "description": "任务达到第四级（通报）后才可以记录；约谈日期不晚于今天，跟踪日期不早于约谈日期。",
            "parameters": [task_id], "requestBody": json_body(specs["NEW_INTERVIEW"]),
            "responses": responses(201, "已记录的约谈", ref("Interview"), 400, 403, 404, 409, 413, 415, 422)}},
        "/tasks/{task_id}/ladder": {"get": {
            "operationId": "getTaskLadder", "summary": "任务的督办等级、督办文书和约谈", "tags": ["supervision"],
            "description": "提醒→催办→督办→通报各级达到的日期和逾期工作日，各级发出的催办单、督办通知单（文号、"
                           "反馈时限、反馈情况），以及约谈记录。",
            "parameters": [task_id], "responses": responses(200, "任务的督办等级", ref("Ladder"), 403, 404)}},
        "/documents/{document_id}/reply": {"post": {
            "operationId": "replyDocument", "summary": "反馈督办文书（收文单位的用户）", "tags": ["supervision"],
            "description": "写明逾期原因、整改措施和预计完成时间；每份文书反馈一次，已反馈的（包括同时提交的两次"
                           "反馈中后到的一次）409，什么也不改。反馈时限内未反馈的，任务升一级。",
            "parameters": [document_id], "requestBody": json_body(specs["DOCUMENT_REPLY"]),
            "responses": responses(200, "已反馈的文书", ref("Document"), 400, 403, 404, 409, 413, 415, 422)}},
        "/units": list_operation("listUnits", "单位列表（督办、管理员、领导）", "units", specs["UNIT_FILTERS"], paging,
                                 "UnitPage", "单位用户 403。"),
        "/units/{unit_id}": detail_operation("getUnit", "单位", "units", path_id("unit_id", "单位编号"), "Unit",
                                             "单位用户只能查看本单位。"),
    }
    if proposals:
        schemas.update(_proposal_schemas())
        paths["/proposals"] = list_operation("listProposals", "提案列表", "proposals", specs["PROPOSAL_FILTERS"],
                                             paging, "ProposalPage", "单位用户只看到本单位主办或会办的提案。")
        paths["/proposals/{proposal_id}"] = detail_operation(
            "getProposal", "提案", "proposals", path_id("proposal_id", "提案编号"), "ProposalDetail", "含答复全文。")
    if indicators:
        schemas.update(_indicator_schemas())
        paths["/indicators"] = list_operation("listIndicators", "指标列表", "indicators", specs["INDICATOR_FILTERS"],
                                              paging, "IndicatorPage", "含按序时进度的完成情况。")
        paths["/indicators/{indicator_id}"] = detail_operation(
            "getIndicator", "指标", "indicators", path_id("indicator_id", "指标编号"), "Indicator", "")
    return {
        "openapi": "3.0.3",
        "info": {"title": "督办 Duban API", "version": VERSION,
                 "description": "方案、任务、进展报送、督办闭环（签收、延期申请、办结销号、督办等级和文书）、单位、"
                                "提案和指标的读写接口。用 API 令牌认证"
                                "（在“API令牌”页面创建）：`Authorization: Bearer dbn_…`。权限规则与网页相同。"
                                "日期为 ISO 8601，枚举为其取值。错误一律为 JSON："
                                "`{\"error\": {\"code\", \"message\", \"fields\"?, \"current\"?}}`。"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name} for name in ("plans", "tasks", "updates", "supervision", "units", "proposals",
                                             "indicators", "meta")
                 if (name != "proposals" or proposals) and (name != "indicators" or indicators)],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "dbn_…",
                                               "description": "API令牌（/account/tokens 创建，只显示一次）"}},
            "schemas": schemas,
        },
    }
