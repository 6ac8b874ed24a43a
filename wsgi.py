"""WSGI entry point: ``gunicorn wsgi:app`` / ``flask --app wsgi ...``.

With TRACKER_SCHEDULER=1 (``make run``) the reminder scheduler runs in this process; it only
runs jobs while it holds the deployment-wide scheduler lock, so extra workers stay idle.
"""
import gc

from tracker import create_app

app = create_app()
# What the app keeps for its whole life is loaded by now (the models' metadata, the blueprints, the
# message catalogues, the libraries): frozen out of the cycle collector's reach, a full collection
# walks only what requests leave behind. Without it about one view in eight of a large page (the plan
# page, 294 tasks) paid 55-80 ms for a full collection of these 160,000 objects.
gc.freeze()

if app.config["SCHEDULER_ENABLED"]:
    from tracker.reminders.scheduler import start_in_app

    start_in_app(app)
