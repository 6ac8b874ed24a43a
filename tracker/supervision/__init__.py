from tracker.supervision import sentences  # noqa: F401 (registers the loop's history sentences)
