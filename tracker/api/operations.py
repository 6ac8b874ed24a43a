"""What each /api/v1 route accepts and answers, declared once beside the view (``@documented``).

The view reads its input through the same declaration (``query_specs``/``body_specs`` of the endpoint
being served, see tracker.api.views.query_values and body_values), and openapi.py builds the document
from the blueprint's url_map and these declarations. So a field added, removed or narrowed in an input
schema changes what the server checks and what the document says at once; a route without a
declaration cannot be served (the view raises) nor documented (build_document raises).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from tracker.api.inputs import Field, Integer

PAGING = {
    "page": Integer(minimum=1, maximum=100_000, default=1, description="页码，从1开始"),
    "per_page": Integer(minimum=1, maximum=200, default=50, description="每页条数，最多200"),
}


@dataclass(frozen=True)
class Operation:
    """One operation: ``ok`` is (status, response schema name[, its description]); ``errors`` the
    documented error statuses besides 401; ``conflict`` the schema of its 409 body; ``paged`` adds
    page/per_page to ``query``; ``ok_files``: the answer is a file of one of these media types (then
    ``ok``'s schema name is None)."""

    operation_id: str
    summary: str
    tag: str
    ok: tuple
    description: str = ""
    query: Mapping[str, Field] | None = None
    paged: bool = False
    body: Mapping[str, Field] | None = None
    errors: tuple[int, ...] = ()
    conflict: str = "Error"
    ok_headers: Mapping[str, dict] = field(default_factory=dict)
    public: bool = False
    ok_files: tuple[str, ...] = ()

    def query_fields(self) -> dict[str, Field]:
        return {**(self.query or {}), **(PAGING if self.paged else {})}


OPERATIONS: dict[str, Operation] = {}  # endpoint ("api.plans") → its operation


def documented(blueprint_name: str, **declaration) -> Callable:
    """Declares the operation of the view it decorates (put it below ``@bp.get``/``@bp.post``)."""

    def register(view: Callable) -> Callable:
        endpoint = f"{blueprint_name}.{view.__name__}"
        if endpoint in OPERATIONS:
            raise RuntimeError(f"{endpoint} is declared twice")
        OPERATIONS[endpoint] = Operation(**declaration)
        return view

    return register


def operation_of(endpoint: str | None) -> Operation:
    try:
        return OPERATIONS[endpoint or ""]
    except KeyError:
        raise LookupError(f"{endpoint} has no @documented declaration") from None
