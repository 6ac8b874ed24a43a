"""A reminder run (``run_reminders``: the scan, then the send pass) whose scan step STEP stops in its middle:
right after the step has queued its first email it says so on stdout ("HOLDING STEP") and waits on stdin,
which the test never answers: it kills the process there (kill -9). Run by tests/proposals/test_scan_kill.py
as ``python -m tests.proposals.held_scan STEP MOMENT`` (MOMENT in Beijing time, e.g. 2026-04-03T09:05)."""
from __future__ import annotations

import sys
from datetime import datetime


def main(step_name: str, moment: str) -> None:
    from tracker import create_app
    from tracker.common import scans
    from tracker.common.workdays import BEIJING
    from tracker.reminders.jobs import run_reminders

    app = create_app()
    with app.app_context():
        [(_name, step)] = scans.steps((step_name,))

        def held(at, result):
            queue = result.queue

            def queue_then_wait(*args, **kwargs):
                queue(*args, **kwargs)
                print(f"HOLDING {step_name}", flush=True)
                sys.stdin.readline()  # killed here

            result.queue = queue_then_wait
            step(at, result)

        scans.register(step_name, held)
        run_reminders(datetime.fromisoformat(moment).replace(tzinfo=BEIJING))
    print("FINISHED", flush=True)  # only if the step queued nothing


if __name__ == "__main__":
    main(*sys.argv[1:3])
