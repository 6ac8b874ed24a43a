"""The OpenAPI 3.0.3 document of /api/v1, served at /api/v1/openapi.json, generated.

Paths and methods come from the blueprint's url_map; each operation from its view's declaration
(tracker.api.operations, ``@operation`` in views.py): its query parameters and request body are the
very input schemas (tracker.api.inputs) the view checks its input with, so the document cannot promise
a field, a type, a limit or an enum value the server does not enforce, nor miss one it does. A route
without a declaration makes the build fail. Only the response schemas are written here (they mirror
representations.py); tests/api/test_schemathesis.py sends generated requests for every operation and
checks each response against them, and tests/api/test_openapi.py checks the document against the routes
and the input schemas.
"""
from __future__ import annotations

import copy
import functools
import re

from flask import Blueprint, Flask

from tracker.api.inputs import MAX_ID, body_schema, query_parameters
from tracker.api.operations import Operation, operation_of
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
    "OpenApiDocument": {"type": "object", "description": "OpenAPI 3.0.3 文档"},
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
    from tracker.proposals.contacts import CONTACT_WAYS
    from tracker.proposals.models import (ContactStage, ExtensionState, PromiseState, ProposalKind, ProposalState,
                                          ReceiptRole)

    properties = {"id": ID, "kind": {**enum(ProposalKind), "description": "cppcc 政协提案 / npc 人大建议"},
                  "meeting": {**TEXT, "description": "届次会议"}, "number": TEXT, "title": TEXT,
                  "proposers": TEXT, "main_unit": ref("UnitRef"),
                  "co_units": {"type": "array", "items": ref("UnitRef")},
                  "assigned_on": nullable(DATE), "reply_due_on": nullable(DATE), "state": enum(ProposalState),
                  "reply_doc_number": TEXT, "reply_on": nullable(DATE), "result_category": TEXT,
                  "publicity": TEXT, "feedback": {**TEXT, "description": "提案人评价：满意、基本满意（不满意则重新办理）"},
                  "rehandling_count": {"type": "integer", "minimum": 0, "description": "重新办理次数"},
                  "follow_up_plan_id": nullable(ID),
                  "commitments": {"type": "array", "items": obj({"text": TEXT, "due_hint": nullable(TEXT)})},
                  "created_at": DATE_TIME, "updated_at": DATE_TIME, "version": {"type": "integer"},
                  "is_key": {"type": "boolean", "description": "重点提案"},
                  "key_leader": {**nullable(USER_REF), "description": "重点提案的督办领导（不是重点提案时为 null）"}}
    receipt = obj({"id": ID, "unit": ref("UnitRef"),
                   "role": {**enum(ReceiptRole), "description": "main 主办 / co 协办 / split 分办"},
                   "state": {"type": "string", "enum": ["pending", "signed", "returned"],
                             "description": "pending 待签收 / signed 已签收 / returned 已退回"},
                   "assigned_on": DATE, "sign_due_on": {**DATE, "description": "签收/退回期限"},
                   "signed_at": nullable(DATE_TIME), "returned_at": nullable(DATE_TIME), "return_reason": TEXT},
                  "交办签收")
    person = obj({"id": ID, "position": {"type": "integer", "description": "1 为领衔"}, "name": TEXT,
                  "group": {**TEXT, "description": "界别（委员）或代表团（代表）"}, "contact": TEXT}, "提案人")
    step = obj({"at": nullable(DATE_TIME), "actor": TEXT,
                "action": {**TEXT, "description": "步骤代码，如 proposal.assigned"},
                "text": {**TEXT, "description": "这一步，如网页上所写"}, "details": {"type": "array", "items": TEXT},
                "note": TEXT}, "办理过程的一步")
    signed_reply = obj({"original_name": {**TEXT, "description": "上传时的文件名"}, "content_type": TEXT,
                        "size": {"type": "integer", "minimum": 1, "description": "字节数"},
                        "sha256": {**TEXT, "description": "文件内容的SHA-256"}, "uploaded_at": DATE_TIME,
                        "uploaded_by": nullable(USER_REF),
                        "url": {**TEXT, "description": "下载地址（GET，与查看本件的权限相同）"}},
                       "已上传的盖章答复函（最新一次上传）")
    level = {"type": "integer", "minimum": 1, "maximum": 4, "description": "1 提醒 / 2 催办 / 3 督办 / 4 通报"}
    level_label = {**TEXT, "description": "等级名称：提醒、催办、督办、通报"}
    ladder_document = obj({"id": ID, "number": {**TEXT, "description": "文号，如 催办〔2026〕3号"},
                           "kind": {**enum(DocumentKind), "description": "urge_notice 催办单 / supervision_notice 督办通知单"},
                           "state": {"type": "string", "enum": ["issued", "void"], "description": "issued 已印发 / void 已作废"},
                           "issued_on": nullable(DATE), "reply_by": {**nullable(DATE), "description": "反馈时限"},
                           "url": {**TEXT, "description": "Word文件的下载地址（GET downloadProposalDocument）"}},
                          "本级发出的督办文书")
    ladder = obj({"due_on": {**nullable(DATE), "description": "现行答复期限（本轮督办）"},
                  "level": {"type": "integer", "minimum": 0, "maximum": 4,
                            "description": "现行答复期限下达到的最高督办等级（0：未督办）"},
                  "units": {"type": "array", "description": "现行答复期限下各承办单位（主办或各分办单位）达到的等级",
                            "items": obj({"unit": ref("UnitRef"), "level": level, "level_label": level_label})},
                  "steps": {"type": "array", "description": "达到的每一级（含此前答复期限的），先后为序",
                            "items": obj({"id": ID, "level": level, "level_label": level_label,
                                          "unit": {**ref("UnitRef"), "description": "逾期未答复的承办单位"},
                                          "due_on": {**DATE, "description": "所对应的答复期限"},
                                          "overdue_days": {"type": "integer", "minimum": 0,
                                                           "description": "达到时逾期的工作日"},
                                          "reached_on": DATE,
                                          "current": {"type": "boolean", "description": "属于现行答复期限（本轮）"},
                                          "document": {**nullable(ladder_document),
                                                       "description": "本级发出的催办单或督办通知单（如有）"}})}},
                 "答复逾期的督办等级（提醒→催办→督办→通报）")
    detail = obj({**properties, "reply_text": TEXT, "points": {"type": "array", "items": TEXT},
                  "ladder": ladder,
                  "signed_reply": {**nullable(signed_reply), "description": "盖章答复函，尚未上传时为 null"},
                  "people": {"type": "array", "items": person}, "receipts": {"type": "array", "items": receipt},
                  "history": {"type": "array", "items": step, "description": "办理过程，先后为序"}},
                 "建议提案（含答复全文、提案人、签收和办理过程）")
    link = obj({"proposer": obj({"id": ID, "name": TEXT}),
                "url": {**TEXT, "description": "提案人本人的评价页面（/rate/<token>），只显示这一次"}})
    contact = obj({"id": ID, "proposal_id": ID, "unit": {**ref("UnitRef"), "description": "登记沟通的承办单位"},
                   "contact_on": DATE, "way": {"type": "string", "enum": list(CONTACT_WAYS), "description": "沟通方式"},
                   "stage": {**enum(ContactStage), "description": "before 办前 / during 办中 / after 办后"},
                   "proposer_names": {"type": "array", "items": TEXT, "description": "参与沟通的提案人"},
                   "unit_people": {**TEXT, "description": "承办单位参与人员"},
                   "agreed": {**TEXT, "description": "商定内容"}, "recorded_by": nullable(USER_REF),
                   "created_at": DATE_TIME}, "沟通协商（与提案人的一次沟通）")
    opinion = obj({"text": TEXT, "sent_at": DATE_TIME, "sent_by": nullable(USER_REF)})
    cosign = obj({"unit": ref("UnitRef"), "agreed": {"type": "boolean", "description": "true 同意 / false 不同意"},
                  "reason": {**TEXT, "description": "不同意的理由"}, "signed_at": DATE_TIME,
                  "signed_by": nullable(USER_REF)}, "一个协办单位的会签")
    draft = obj({"id": ID, "round": {"type": "integer", "minimum": 1, "description": "第几轮答复（重新办理后加一）"},
                 "text": TEXT, "sent_on": DATE, "due_on": {**DATE, "description": "会签期限"}, "sent_at": DATE_TIME,
                 "sent_by": nullable(USER_REF), "cosigns": {"type": "array", "items": cosign}},
                "主办单位最新的答复稿（本轮）及其会签")
    cosign_state = obj({
        "proposal_id": ID,
        "own_role": {"type": "string", "enum": ["", "main", "co"],
                     "description": "调用者在此可办理的角色：main 主办（送会签）/ co 协办（提出意见、会签）/ 空"},
        "opinions": {"type": "array", "items": obj({"unit": ref("UnitRef"), "due_on": {**DATE, "description": "意见期限"},
                                                    "opinion": nullable(opinion)}),
                     "description": "协办单位及其意见（尚未提出的为 null）"},
        "draft": nullable(draft),
        "missing": {"type": "array", "items": ref("UnitRef"),
                    "description": "已签收而尚未会签最新答复稿的协办单位：有这样的单位时不能答复"}},
        "协办意见与会签，如网页所示")
    extension = obj({"id": ID, "proposal_id": ID, "state": {**enum(ExtensionState),
                                                           "description": "pending 待审批 / approved 已批准 / refused 未批准"},
                     "previous_due_on": {**nullable(DATE), "description": "申请时的答复期限"},
                     "requested_due_on": {**DATE, "description": "申请延至"}, "reason": TEXT,
                     "requested_at": DATE_TIME, "requested_by": nullable(USER_REF),
                     "decided_at": nullable(DATE_TIME), "decided_by": nullable(USER_REF),
                     "decision_note": {**TEXT, "description": "审批意见"}}, "答复延期申请")
    promise = obj({"id": ID, "proposal_id": ID, "text": TEXT, "due_on": {**DATE, "description": "承诺完成时限"},
                   "state": {**enum(PromiseState), "description": "open 待再次答复 / kept 已再次答复（已兑现）"},
                   "overdue": {"type": "boolean", "description": "待再次答复且已过完成时限"},
                   "task_id": {**nullable(ID), "description": "同一承诺转成的跟踪任务"},
                   "answer_text": {**TEXT, "description": "再次答复的内容"}, "answered_on": nullable(DATE),
                   "answered_by": {**TEXT, "description": "签发人或经办人"}, "created_at": DATE_TIME},
                  "承诺事项（B类、C类答复）及其办结后再次答复")
    note = obj({"id": ID, "proposal_id": ID, "leader": {**nullable(USER_REF), "description": "督办领导"},
                "text": {**TEXT, "description": "督办意见"}, "written_at": DATE_TIME}, "重点提案的督办意见")
    return {"Proposal": obj(properties, "建议提案"), "ProposalDetail": detail,
            "SupervisionNote": note, "SupervisionNotePage": page_of("SupervisionNote"),
            "ProposalContact": contact, "ProposalContactPage": page_of("ProposalContact"),
            "CosignState": cosign_state, "ReplyExtension": extension, "ReplyExtensionPage": page_of("ReplyExtension"),
            "ProposalPromise": promise, "ProposalPromisePage": page_of("ProposalPromise"),
            "ProposalPromiseList": obj({"items": {"type": "array", "items": ref("ProposalPromise")}}, "承诺事项"),
            "ProposalConflict": error_schema(current={**ref("ProposalDetail"), "description": "对方保存后的当前内容"}),
            "RatingLinks": obj({"links": {"type": "array", "items": link}}, "个人评价链接"),
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


def responses(operation: Operation) -> dict:
    status, schema, *description = operation.ok
    content = {media: {"schema": {"type": "string", "format": "binary"}} for media in operation.ok_files} \
        if operation.ok_files else {JSON: {"schema": ref(schema)}}
    ok = {"description": description[0] if description else operation.summary, "content": content}
    if operation.ok_headers:
        ok["headers"] = copy.deepcopy(dict(operation.ok_headers))
    result = {str(status): ok}
    for error in ((() if operation.public else (401,)) + tuple(operation.errors)):
        schema_name = operation.conflict if error == 409 else "Error"
        result[str(error)] = {"description": ERROR_TEXT[error], "content": {JSON: {"schema": ref(schema_name)}}}
    return result


# Path parameters by name: every ``<int:…>`` of a route must have its description here.
PATH_PARAMETERS = {
    "plan_id": "方案编号", "task_id": "任务编号", "update_id": "报送编号", "receipt_id": "签收记录编号",
    "extension_id": "延期申请编号", "closure_id": "办结申请编号", "document_id": "督办文书编号", "unit_id": "单位编号",
    "proposal_id": "提案（建议）编号", "indicator_id": "指标编号", "proposer_id": "提案人编号", "promise_id": "承诺事项编号",
}
RULE_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def path_parameter(converter: str | None, name: str) -> dict:
    if converter != "int":
        raise ValueError(f"path parameter <{converter}:{name}> has no schema: only <int:…> is documented")
    return {"name": name, "in": "path", "required": True, "description": PATH_PARAMETERS[name],
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "example": 1}


@functools.lru_cache(maxsize=4)
def blueprint_rules(blueprint: Blueprint) -> tuple[tuple[str, list[str], str], ...]:
    """(rule, methods, endpoint) of every route of ``blueprint``, read from the url_map of an app that holds
    only this blueprint (the routes are the blueprint's own, whatever app serves them)."""
    holder = Flask(f"{__name__}.routes")
    holder.register_blueprint(blueprint)
    return tuple(sorted((rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}), rule.endpoint)
                  for rule in holder.url_map.iter_rules() if rule.endpoint.startswith(blueprint.name + ".")))


def operation_document(operation: Operation, parameters: list[dict]) -> dict:
    document = {"operationId": operation.operation_id, "summary": operation.summary, "tags": [operation.tag]}
    if operation.description:
        document["description"] = operation.description
    if operation.public:
        document["security"] = []
    parameters = parameters + query_parameters(operation.query_fields())
    if parameters:
        document["parameters"] = parameters
    if operation.body is not None:
        document["requestBody"] = {"required": True, "content": {JSON: {"schema": body_schema(operation.body)}}}
    document["responses"] = responses(operation)
    return document


TAG_ORDER = ("plans", "tasks", "updates", "supervision", "units", "proposals", "indicators", "meta")


def build_document(blueprint: Blueprint) -> dict:
    """The document of ``blueprint`` (the API's): one path per route, one operation per method, each from
    the view's declaration (tracker.api.operations): parameters and bodies are its input schemas."""
    prefix = blueprint.url_prefix or ""
    paths: dict[str, dict] = {}
    tags: set[str] = set()
    for rule, methods, endpoint in blueprint_rules(blueprint):
        operation = operation_of(endpoint)
        parameters = [path_parameter(converter, name) for converter, name in RULE_ARGUMENT.findall(rule)]
        path = RULE_ARGUMENT.sub(lambda match: "{" + match.group(2) + "}", rule.removeprefix(prefix)) or "/"
        for method in methods:
            paths.setdefault(path, {})[method.lower()] = operation_document(operation, parameters)
        tags.add(operation.tag)
    schemas = copy.deepcopy(SCHEMAS)
    if "proposals" in tags:
        schemas.update(_proposal_schemas())
    if "indicators" in tags:
        schemas.update(_indicator_schemas())
    return {
        "openapi": "3.0.3",
        "info": {"title": "督办 Duban API", "version": VERSION,
                 "description": "方案、任务、进展报送、督办闭环（签收、延期申请、办结销号、督办等级和文书）、单位、"
                                "提案和指标的读写接口。用 API 令牌认证"
                                "（在“API令牌”页面创建）：`Authorization: Bearer dbn_…`。权限规则与网页相同。"
                                "日期为 ISO 8601，枚举为其取值。错误一律为 JSON："
                                "`{\"error\": {\"code\", \"message\", \"fields\"?, \"current\"?}}`。"
                                "本文档由各接口的输入声明生成：文档所列字段即服务端所校验的字段。"},
        "servers": [{"url": prefix}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name} for name in TAG_ORDER if name in tags],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "dbn_…",
                                               "description": "API令牌（/account/tokens 创建，只显示一次）"}},
            "schemas": schemas,
        },
    }
