"""Display labels for enum values, translated lazily (Chinese source strings, English catalogue)."""
from flask_babel import lazy_gettext as _l

LABELS = {
    # task status
    "not_started": _l("未开始"), "in_progress": _l("推进中"), "completed": _l("已完成"), "suspended": _l("暂缓"),
    # review state
    "submitted": _l("待审核"), "accepted": _l("已采纳"), "returned": _l("已退回"),
    # reporting cycle
    "monthly": _l("每月"), "quarterly": _l("每季度"), "once": _l("一次性"),
    # plan kind / status
    "action_plan": _l("行动方案"), "proposal_reply": _l("提案答复"), "meeting_decision": _l("会议决定"),
    "other": _l("其他"), "draft": _l("草稿"), "active": _l("实施中"), "archived": _l("已归档"),
    # unit kind
    "district_bureau": _l("区级部门"), "town": _l("镇/街道"), "state_owned_company": _l("国有企业"),
    "municipal_commission": _l("市级部门"),
    # roles
    "admin": _l("系统管理员"), "coordinator": _l("督办人员"), "unit": _l("单位用户"), "leader": _l("领导"),
    "security_admin": _l("安全管理员"), "audit_admin": _l("审计管理员"),
    # login log outcomes (登录日志)
    "success": _l("登录成功"), "failure": _l("登录失败"), "locked": _l("账户锁定"), "blocked": _l("拒绝登录"),
    "logout": _l("退出"),
    # involvement
    "lead": _l("牵头"), "cooperating": _l("配合"),
    # overdue kinds
    "task": _l("任务逾期"), "report": _l("报送逾期"), "receipt": _l("未签收"),
    # 督办 loop states
    "pending": _l("待办理"), "signed": _l("已签收"), "refused": _l("退回交办"), "withdrawn": _l("已改派"),
    "approved": _l("已批准"), "rejected": _l("不予批准"), "verified": _l("已核查销号"),
    "urge_notice": _l("催办单"), "supervision_notice": _l("督办通知单"), "bulletin": _l("督查通报"),
    "proposed": _l("待印发"), "void": _l("已作废"),
    # notification kinds (reminder and review events)
    "report_due": _l("报送提醒"), "deadline": _l("到期提醒"), "overdue_digest": _l("逾期汇总"),
    "weekly_digest": _l("每周汇总"), "escalation": _l("督办升级"), "proposal_due": _l("提案答复提醒"),
    "update_returned": _l("报送被退回"), "update_resubmitted": _l("退回后重新提交"), "update_accepted": _l("报送已采纳"),
    "receipt_due": _l("签收提醒"), "receipt_refused": _l("退回交办"), "extension_requested": _l("延期申请"),
    "extension_decided": _l("延期审批结果"), "closure_requested": _l("办结申请"), "closure_returned": _l("办结申请被退回"),
    "closure_verified": _l("核查销号"), "ladder_reached": _l("督办等级上升"), "document_issued": _l("督办文书发出"),
    "task_assigned": _l("交办通知"), "document_replied": _l("督办文书反馈"), "document_voided": _l("督办文书作废"),
    "proposal_assigned": _l("建议提案交办"), "proposal_received": _l("建议提案签收"),
    "proposal_returned": _l("建议提案退回"), "proposal_answered": _l("建议提案答复"),
    "proposal_rated": _l("提案人评价"), "proposal_rehandling": _l("建议提案重新办理"),
    "promise_due": _l("承诺事项提醒"), "proposal_urge": _l("提案办理催办"),
    "proposal_co_opinion": _l("提案协办意见"), "proposal_cosigned": _l("提案会签"),
    "proposal_extension_requested": _l("提案延期申请"), "proposal_extension_decided": _l("提案延期审批结果"),
    "proposal_key_marked": _l("确定重点提案"), "proposal_key_unmarked": _l("取消重点提案"),
    "proposal_supervision_note": _l("重点提案督办意见"),
    "promise_answered": _l("承诺事项再次答复"), "proposal_ladder": _l("提案答复督办等级"),
    # webhook formats
    "wecom": _l("企业微信群机器人"), "dingtalk": _l("钉钉群机器人"), "generic": _l("通用JSON（签名）"),
}

BADGES = {
    "not_started": "secondary", "in_progress": "primary", "completed": "success", "suspended": "warning",
    "submitted": "info", "accepted": "success", "returned": "danger", "task": "danger", "report": "warning",
    "receipt": "dark", "pending": "info", "signed": "success", "refused": "danger", "withdrawn": "secondary",
    "approved": "success", "rejected": "danger", "verified": "success",
}


FIELD_LABELS = {
    "number": _l("序号"), "title": _l("名称"), "text": _l("内容"), "group_id": _l("所属行动"),
    "parent_id": _l("上级任务"), "lead_unit_id": _l("牵头单位"), "cooperating_unit_ids": _l("配合单位"),
    "start_on": _l("开始日期"), "due_on": _l("完成时限"), "reporting_cycle": _l("报送周期"),
    "report_day": _l("报送日"), "status": _l("状态"), "progress": _l("进度"), "completed_on": _l("完成日期"),
    "doc_number": _l("文号"), "issuer": _l("发文机关"), "issued_on": _l("印发日期"), "short_name": _l("简称"),
    "period_start": _l("实施开始"), "period_end": _l("实施结束"), "kind": _l("类型"),
    "body": _l("正文"),
}


def label(value, table: dict | None = None) -> str:
    """The display label of an enum value (or of each of a list's), from ``table`` when given (labels
    already translated, see ``translated_labels``), else translated now."""
    if isinstance(value, (list, tuple, set)):
        return "、".join(label(item, table) for item in value)
    key = getattr(value, "value", value)
    return str((table or LABELS).get(key, key if key is not None else ""))


def translated_labels() -> dict[str, str]:
    """Every label in the current locale, for code that shows many of them in one language (an email
    translating each lazily looks the locale up again every time)."""
    return {key: str(text) for key, text in LABELS.items()}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def choices(enum_cls) -> list[tuple[str, str]]:
    return [(member.value, LABELS.get(member.value, member.value)) for member in enum_cls]
