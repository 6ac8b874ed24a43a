"""The scheduled scan's pipeline (定时扫描): each domain registers its own step at start-up, and
``tracker.reminders.scan.run_scan`` calls them in the order it declares (``SCAN_ORDER``), so the scan
does not import the domains above it (the 督办 ladder, 签收 reminders)."""
from __future__ import annotations

from typing import Callable

_steps: dict[str, Callable] = {}


def register(name: str, step: Callable) -> None:
    """``step(at, result)`` runs as the scan's step ``name`` (registering again replaces it)."""
    _steps[name] = step


def steps(order: tuple[str, ...]) -> list[tuple[str, Callable]]:
    """The registered steps in ``order``; a declared step nobody registered is an error, not a skip."""
    missing = [name for name in order if name not in _steps]
    if missing:
        raise RuntimeError(f"scan steps not registered: {', '.join(missing)} (tracker.register_event_handlers)")
    return [(name, _steps[name]) for name in order]


def registered() -> dict[str, str]:
    """{step: dotted name of its function}, for ARCHITECTURE.md and its test."""
    return {name: f"{step.__module__}.{step.__qualname__}" for name, step in _steps.items()}
