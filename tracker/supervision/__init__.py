from tracker.supervision import sentences  # noqa: F401 (registers the loop's history sentences)
from tracker.supervision import workbench  # noqa: F401,E402 (registers the loop's 工作台 sections)
