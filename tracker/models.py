"""Imports every model so that metadata (Alembic, create_all in tests) sees them all."""
from tracker.audit.models import AuditEvent  # noqa: F401
from tracker.auth.models import LoginEvent, LoginSession, PasswordHistory, Role, User  # noqa: F401
from tracker.plans.models import ActionGroup, Plan, PlanKind, PlanStatus  # noqa: F401
from tracker.tasks.models import ReportingCycle, Task, TaskStatus, task_cooperating_units  # noqa: F401
from tracker.units.models import Unit, UnitKind  # noqa: F401
from tracker.updates.models import EvidenceFile, ReviewState, StatusUpdate  # noqa: F401
from tracker.indicators.models import Direction, Indicator, IndicatorEvidenceFile, IndicatorReading  # noqa: F401
from tracker.workcalendar.models import HolidayYear  # noqa: F401
from tracker.outbox.models import Notification  # noqa: F401
from tracker.reminders.models import Escalation, ReminderSettings  # noqa: F401
from tracker.reminders.heartbeat import Heartbeat  # noqa: F401
from tracker.proposals.models import Proposal, ProposalState, SignedReplyLetter, proposal_co_units  # noqa: F401
from tracker.imports.models import ColumnMapping, DraftKind, DraftState, ImportDraft  # noqa: F401
from tracker.api.models import ApiToken  # noqa: F401
from tracker.webhooks.models import Webhook, WebhookFormat  # noqa: F401
from tracker.audit.snapshots import ReportSnapshot  # noqa: F401
from tracker.overdue.store import OverdueEntry  # noqa: F401
from tracker.supervision.models import (ClosureRequest, DocumentSequence, EscalationRule, ExtensionRequest,  # noqa: F401
                                       Interview, LadderStep, ProposalLadderStep, Receipt, SupervisionDocument,
                                       WorkflowEvidenceFile)
from tracker.bulletins.models import Bulletin  # noqa: F401
from tracker.reports.models import ScoringRule  # noqa: F401
