from tracker.audit import append_only  # noqa: F401  (registers the append-only guard on the audit log)
