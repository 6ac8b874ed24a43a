"""Domain errors raised by services; views turn them into messages or status codes."""
from __future__ import annotations


class DomainError(Exception):
    """A rule refused the change; ``message`` is already in the user's language."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationFailed(DomainError):
    status_code = 400


class PermissionDenied(DomainError):
    status_code = 403


class ConflictError(DomainError):
    """Optimistic locking: somebody else saved first (``current`` holds their values)."""

    status_code = 409

    def __init__(self, message: str, current: dict | None = None):
        super().__init__(message)
        self.current = current or {}
