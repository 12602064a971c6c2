"""gunicorn settings for the site: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be changed from the environment (see docs/OPERATIONS.md). The web tier keeps no
state between requests, so more hosts behind a load balancer is the whole scale-out story.
"""
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


# Loopback by default: a demo on a laptop is not served to the network unless asked (HOST=0.0.0.0).
bind = f"{os.environ.get('HOST') or '127.0.0.1'}:{_int('PORT', 8000)}"
# Requests spend much of their time waiting on the database, so more workers than cores pays off.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
# A request that runs longer than this is killed and its worker replaced.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak never takes a host down; jitter spreads the restarts.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = max(1, max_requests // 10) if max_requests else 0

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or "-"
errorlog = os.environ.get("GUNICORN_ERROR_LOG") or "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Behind a load balancer, trust its X-Forwarded-* headers (comma-separated addresses, or *).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1"
# Not preloaded: each worker opens its own database connections after the fork.
preload_app = False
proc_name = "marketplace"
