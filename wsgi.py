"""WSGI entry point: ``gunicorn wsgi:app`` / ``flask --app wsgi ...``.

With TRACKER_SCHEDULER=1 (``make run``) the reminder scheduler runs in this process; it only
runs jobs while it holds the deployment-wide scheduler lock, so extra workers stay idle.
"""
from tracker import create_app

app = create_app()

if app.config["SCHEDULER_ENABLED"]:
    from tracker.reminders.scheduler import start_in_app

    start_in_app(app)
