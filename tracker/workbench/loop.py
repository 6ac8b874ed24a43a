"""The 督办 loop's sections of the 工作台, read from tracker/supervision (and the latest 督查通报 from
tracker/bulletins): what a unit must sign for or answer, the requests a coordinator (or a leader
overseeing the units) must decide, the tasks nobody has signed for."""
from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l

from tracker.auth.models import Role
from tracker.workbench.services import OVERDUE_COUNTS, Item, Section, provides


@provides(Role.unit)
def unit_loop(user, today: date) -> Section:
    from tracker.supervision.queries import tasks_closure_returned, tasks_to_answer, tasks_to_sign
    from tracker.workbench.lists import CLOSURE_RETURNED, TO_ANSWER, TO_SIGN

    return Section(_l("交办与督办"), [
        Item(_l("待签收"), len(tasks_to_sign(user.unit_id)), url_for("tasks.mine", show=TO_SIGN), tone="primary"),
        Item(_l("督办文书待反馈"), len(tasks_to_answer(user.unit_id)), url_for("tasks.mine", show=TO_ANSWER)),
        Item(_l("办结申请被退回"), len(tasks_closure_returned(user.unit_id)), url_for("tasks.mine", show=CLOSURE_RETURNED)),
    ], key="unit-loop")


@provides(Role.coordinator, Role.admin, Role.leader)
def pending_loop_requests(user, today: date) -> Section:
    """Extension and closure requests to decide (a leader: those of the units he oversees), and the lead
    units that have not signed for their tasks in time (未签收, on the overdue list)."""
    from tracker.common.pagination import count_of
    from tracker.supervision.queries import pending_closures_query, pending_extensions_query
    from tracker.overdue.queries import overdue_count
    from tracker.tasks.queries import OverdueFilters

    items = [Item(_l("待审批的延期申请"), count_of(pending_extensions_query(user)),
                  url_for("supervision.requests_list", kind="extension"), tone="primary"),
             Item(_l("待核查的办结申请"), count_of(pending_closures_query(user)),
                  url_for("supervision.requests_list", kind="closure"), tone="primary")]
    if user.role != Role.leader:
        items.append(Item(_l("未签收"), overdue_count(today, OverdueFilters(), "receipt"),
                          url_for("tasks.overdue", kind="receipt")))
    return Section(_l("延期、办结与签收"), items, key="loop-requests")


@provides(Role.leader, Role.coordinator, Role.admin)
def latest_bulletin(user, today: date) -> Section | None:
    """督查通报, once there is one: the list (every bulletin), with the latest issued one named."""
    from sqlalchemy import func, select

    from tracker.bulletins.models import Bulletin, BulletinState
    from tracker.extensions import db

    total = db.session.scalar(select(func.count()).select_from(Bulletin))
    if not total:
        return None
    latest = db.session.scalar(select(Bulletin).where(Bulletin.state == BulletinState.issued)
                               .order_by(Bulletin.month.desc()).limit(1))
    note = f"{latest.number} {latest.title}" if latest is not None else str(_l("尚未印发"))
    return Section(_l("督查通报"), [Item(_l("督查通报"), total, url_for("bulletins.index"), note, tone="primary")],
                   key="bulletins")


@provides(Role.coordinator, Role.admin)
def document_queue(user, today: date) -> Section:
    """督办文书: the 待印发 queue (documents the ladder proposed, to preview and issue), the 反馈 of the last
    five working days, and the assignments refused (退回交办) waiting to be re-assigned."""
    from tracker.common.pagination import count_of
    from tracker.overdue.queries import kept
    from tracker.supervision.queries import refused_assignments_query
    from tracker.supervision.register import proposed_count, register_count, replies_since

    since = replies_since(today)

    def count() -> tuple[int, int, int]:
        return (proposed_count(), register_count(state="replied", since=since),
                count_of(refused_assignments_query(user)))

    # Kept per web process under the overdue list's stamp like the other counts (OVERDUE_COUNTS): issuing,
    # answering and voiding a document, a refusal and a re-assignment are each an audit event.
    proposed, replied, refused = kept(OVERDUE_COUNTS, today, ("documents", user.id), count)
    return Section(_l("督办文书"), [
        Item(_l("待印发"), proposed, url_for("supervision.register", state="proposed"), tone="primary"),
        Item(_l("近5个工作日的文书反馈"), replied,
             url_for("supervision.register", state="replied", since=since.isoformat()), tone="primary"),
        Item(_l("退回交办待重新交办"), refused, url_for("supervision.requests_list", kind="refused")),
    ], key="documents")
