"""Production web server: ``gunicorn -c gunicorn.conf.py`` (from the repository root).

Behind a reverse proxy (nginx) that terminates TLS and sets X-Forwarded-Proto and X-Request-ID:

    TRACKER_ENV=production TRACKER_SECRET_KEY=... TRACKER_DATABASE_URL=postgresql+psycopg://... \\
        gunicorn -c gunicorn.conf.py

Environment (all optional):
    TRACKER_BIND                   address:port or unix:/path (default 127.0.0.1:8000: only the proxy reaches it)
    TRACKER_WORKERS                worker processes (default 2 x cores + 1, at most 9)
    TRACKER_THREADS                threads per worker (default 4; 1 means the plain sync worker)
    TRACKER_TIMEOUT                seconds a request may take before its worker is restarted (default 60)
    TRACKER_FORWARDED_ALLOW_IPS    proxies whose X-Forwarded-Proto is trusted (default 127.0.0.1,::1)

No reminder scheduler runs in the web workers: it runs as its own process, one per deployment,
``flask --app wsgi scheduler run`` (see README). Health checks: ``GET /healthz``.
"""
import multiprocessing
import os
import sys


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


# The app refuses to start in production with a default secret key or debug on (tracker.config).
os.environ.setdefault("TRACKER_ENV", "production")

# The scheduler is its own process; in the workers it would only wait on the lock (and hold a
# database connection per worker for nothing). Forced off here, before any worker imports the app.
if os.environ.get("TRACKER_SCHEDULER", "0") != "0":
    print("gunicorn.conf.py: TRACKER_SCHEDULER is ignored in web workers; run `flask --app wsgi scheduler run` "
          "as its own process.", file=sys.stderr)
os.environ["TRACKER_SCHEDULER"] = "0"

wsgi_app = "wsgi:app"
bind = [os.environ.get("TRACKER_BIND", "127.0.0.1:8000")]

# 2 x cores + 1 is gunicorn's rule of thumb for request/response work; capped because every worker
# holds its own database pool and the app is small (a few hundred users).
workers = _int("TRACKER_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9))
threads = max(1, _int("TRACKER_THREADS", 4))
# gthread: a slow client uploading 20 MB of evidence occupies a thread, not the whole worker.
worker_class = "gthread" if threads > 1 else "sync"

# Exports (Excel, Word) and evidence uploads are the slowest requests; 60 s leaves them room while a
# stuck worker is still replaced within a minute. Graceful: finish in-flight requests on reload/stop.
timeout = _int("TRACKER_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5  # the proxy keeps connections open; a little longer than nginx's keepalive to upstream
# Recycle workers now and then so a slow leak never grows; jitter keeps them from restarting together.
max_requests = 2000
max_requests_jitter = 200

# Only the proxy may say a request came in over HTTPS (secure cookies, url_for(_external=True)).
forwarded_allow_ips = os.environ.get("TRACKER_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Request size limits against malformed or hostile requests (uploads are in the body, not here).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Logs to stdout/stderr for journald or the container runtime. The request id is the X-Request-ID
# response header: the proxy's id when it sent a valid one, otherwise the one the app generated;
# the app's JSON log lines carry the same id.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("TRACKER_LOG_LEVEL", "info")
access_log_format = ('%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(B)s %(M)sms '
                     'req=%({x-request-id}o)s "%(a)s"')

# The runtime control socket (gunicornc) is not used; none is left in the service user's home.
control_socket_disable = True
proc_name = "duban"
