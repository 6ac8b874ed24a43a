"""The web side of evidence files (佐证材料), shared by status updates and indicator readings: the
app's store, the files of a request, and a download."""
from __future__ import annotations

from flask import Response, abort, current_app, request, send_file

from tracker.updates.evidence import EvidenceStore, IncomingFile


def evidence_store() -> EvidenceStore:
    """The store under ``TRACKER_EVIDENCE_FOLDER``."""
    return EvidenceStore(current_app.config["EVIDENCE_FOLDER"])


def upload_limits() -> dict:
    """The ``allowed_extensions`` and ``max_bytes`` the submit services check files against."""
    return dict(allowed_extensions=current_app.config["EVIDENCE_EXTENSIONS"],
                max_bytes=current_app.config["EVIDENCE_MAX_BYTES"])


def incoming_files(field: str = "evidence") -> list[IncomingFile]:
    """The files uploaded in ``field``, as plain data for the services."""
    return [IncomingFile(storage.filename, storage.read())
            for storage in request.files.getlist(field) if storage and storage.filename]


def send_evidence(file) -> Response:
    """A stored evidence file (an ``EvidenceFile`` or ``IndicatorEvidenceFile``) as a download under its
    original name; 404 if it is gone from the store. The caller has checked the permission."""
    path = evidence_store().path_for(file.stored_name)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=file.content_type, as_attachment=True, download_name=file.original_name)
