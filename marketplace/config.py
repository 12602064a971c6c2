"""Settings read from environment variables, each with an embedded default."""
from __future__ import annotations

import os
from decimal import Decimal


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, got {raw!r}")


def env_decimal(name: str, default: str) -> Decimal:
    raw = env_str(name, default)
    try:
        return Decimal(raw)
    except ArithmeticError as exc:
        raise ValueError(f"{name} must be a decimal number, got {raw!r}") from exc


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Every setting of the site. Instantiated once per app, so tests can override fields."""

    def __init__(self, instance_path: str):
        self.SECRET_KEY = env_str("SECRET_KEY", "dev-only-secret-change-me")
        database_url = env_str("DATABASE_URL")
        self.SQLALCHEMY_DATABASE_URI = (
            normalise_database_url(database_url)
            if database_url
            else "sqlite:///" + os.path.join(instance_path, "marketplace.db")
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.SQLALCHEMY_TRACK_MODIFICATIONS = False

        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_ENABLED = True
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

        self.BABEL_DEFAULT_LOCALE = env_str("DEFAULT_LOCALE", "zh_CN")
        self.BABEL_DEFAULT_TIMEZONE = env_str("TIMEZONE", "Asia/Shanghai")
        self.LANGUAGES = ["zh_CN", "en"]
        self.CURRENCY = env_str("CURRENCY", "CNY")

        self.REDIS_URL = env_str("REDIS_URL")
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True
        # Pages kept for visitors (marketplace.pagecache): in each worker process by default, shared by
        # every worker through Redis when there is one. Entries are checked against what the page shows
        # on every view, so the timeout only bounds how long an unvisited page takes memory.
        self.CACHE_TYPE = "RedisCache" if self.REDIS_URL else "SimpleCache"
        self.CACHE_REDIS_URL = self.REDIS_URL
        self.CACHE_KEY_PREFIX = "marketplace:"
        self.CACHE_DEFAULT_TIMEOUT = env_int("PAGE_CACHE_SECONDS", 600)
        self.CACHE_THRESHOLD = env_int("PAGE_CACHE_ENTRIES", 2000)
        self.PAGE_CACHE_RECHECK_SECONDS = float(env_decimal("PAGE_CACHE_RECHECK_SECONDS", "1"))
        self.LOGIN_RATE_LIMIT = env_str("LOGIN_RATE_LIMIT", "10 per minute")

        self.STRIPE_API_BASE = env_str("STRIPE_API_BASE", "http://127.0.0.1:8420")
        self.STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "sk_test_demo")
        self.STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "pk_test_demo")
        self.STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "whsec_demo")
        self.PAYMENT_TIMEOUT_SECONDS = env_int("PAYMENT_TIMEOUT_SECONDS", 10)
        self.PAYMENT_CONNECT_TIMEOUT_SECONDS = env_int("PAYMENT_CONNECT_TIMEOUT_SECONDS", 3)
        self.PAYMENT_MAX_RETRIES = env_int("PAYMENT_MAX_RETRIES", 3)
        self.PAYMENT_RETRY_BACKOFF_SECONDS = float(env_decimal("PAYMENT_RETRY_BACKOFF_SECONDS", "0.25"))
        self.STRIPE_WEBHOOK_TOLERANCE_SECONDS = env_int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", 300)
        # A card order still unpaid this long after it was placed (the bank's check abandoned or failed) is
        # cancelled by `flask orders release-unpaid` and its goods go back on the shelf.
        self.UNPAID_CARD_ORDER_MINUTES = env_int("UNPAID_CARD_ORDER_MINUTES", 30)

        self.PLATFORM_COMMISSION_RATE = env_decimal("PLATFORM_COMMISSION_RATE", "0.006")
        self.SETTLEMENT_DELAY_DAYS = env_int("SETTLEMENT_DELAY_DAYS", 1)
        self.PAYOUT_MINIMUM_AMOUNT = env_int("PAYOUT_MINIMUM_AMOUNT", 100)  # minor units
        self.PAYOUTS_VIA_PROVIDER = env_bool("PAYOUTS_VIA_PROVIDER", False)

        self.ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
        self.ELASTICSEARCH_INDEX = env_str("ELASTICSEARCH_INDEX", "marketplace-search")
        self.ELASTICSEARCH_TIMEOUT_SECONDS = env_int("ELASTICSEARCH_TIMEOUT_SECONDS", 5)
        # Where search looks when a visitor gives no point and has no saved address: the town centre.
        self.SEARCH_DEFAULT_LAT = float(env_str("SEARCH_DEFAULT_LAT", "28.656"))
        self.SEARCH_DEFAULT_LON = float(env_str("SEARCH_DEFAULT_LON", "121.421"))
        # Drain the search outbox right after each commit (off: only `flask search drain-outbox` does).
        self.SEARCH_INDEX_ON_COMMIT = env_bool("SEARCH_INDEX_ON_COMMIT", True)
        self.UPLOAD_FOLDER = env_str("UPLOAD_FOLDER", os.path.join(instance_path, "uploads"))
        self.MAX_CONTENT_LENGTH = env_int("MAX_UPLOAD_BYTES", 8 * 1024 * 1024)
        self.API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 90)
