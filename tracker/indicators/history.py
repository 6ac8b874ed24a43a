"""What the history (tracker/audit/sentences.py) states about an indicator reading (which indicator, unit,
period, value): registered at start-up (``tracker.register_event_handlers``), so the audit domain reads it
without importing indicators."""
from __future__ import annotations

from sqlalchemy import select

from tracker.audit.sentences import ReadingFacts, register_facts
from tracker.extensions import db
from tracker.indicators.models import Indicator, IndicatorReading
from tracker.units.models import Unit


def reading_facts(ids: list[int]) -> dict[int, ReadingFacts]:
    """{reading id: facts}; the value raw (the history formats it)."""
    return {reading_id: ReadingFacts(indicator, unit or "", period, value)
            for reading_id, period, value, indicator, unit in db.session.execute(
                select(IndicatorReading.id, IndicatorReading.period, IndicatorReading.value, Indicator.name,
                       Unit.short_name)
                .join(Indicator, Indicator.id == IndicatorReading.indicator_id)
                .outerjoin(Unit, Unit.id == IndicatorReading.unit_id)
                .where(IndicatorReading.id.in_(ids)))}


def register() -> None:
    register_facts("reading", reading_facts)
