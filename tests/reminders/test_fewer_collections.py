"""The reminder scan defers Python's cycle collection while it runs and leaves it as it found it."""
import gc

from tracker.reminders.scan import fewer_collections


def test_overlapping_scans_leave_the_collector_as_they_found_it():
    before = gc.get_threshold()
    first, second = fewer_collections(), fewer_collections()
    first.__enter__()
    second.__enter__()
    assert gc.get_threshold()[0] == 100_000
    first.__exit__(None, None, None)  # the first scan ends while the second still runs
    assert gc.get_threshold()[0] == 100_000
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


def test_a_failing_scan_restores_the_collector():
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise RuntimeError("the scan failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
