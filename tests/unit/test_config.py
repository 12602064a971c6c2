"""Every setting has an embedded default and is read from the environment through a typed parser."""
import os
from decimal import Decimal

import pytest

from marketplace.config import Config, normalise_database_url

CONFIG_VARIABLES = ("DATABASE_URL", "SECRET_KEY", "PAYMENT_TIMEOUT_SECONDS", "SESSION_COOKIE_SECURE",
                    "PLATFORM_COMMISSION_RATE", "REDIS_URL", "DEFAULT_LOCALE")


@pytest.fixture
def clean_env(monkeypatch):
    for name in CONFIG_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_database_url_the_database_is_a_sqlite_file_in_the_instance_folder(clean_env, tmp_path):
    config = Config(str(tmp_path))
    assert config.SQLALCHEMY_DATABASE_URI == "sqlite:///" + os.path.join(str(tmp_path), "marketplace.db")


@pytest.mark.parametrize("url", ["postgresql://app:pw@db.internal:5432/market", "postgres://app:pw@db.internal/market"])
def test_database_url_switches_to_postgresql_through_psycopg_3(clean_env, tmp_path, url):
    clean_env.setenv("DATABASE_URL", url)
    assert Config(str(tmp_path)).SQLALCHEMY_DATABASE_URI.startswith("postgresql+psycopg://app:pw@db.internal")


def test_a_url_already_naming_its_driver_is_kept():
    assert normalise_database_url("postgresql+psycopg://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_the_defaults_are_safe_for_a_fresh_machine(clean_env, tmp_path):
    config = Config(str(tmp_path))
    assert config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"
    assert config.REMEMBER_COOKIE_HTTPONLY
    assert config.WTF_CSRF_ENABLED
    assert config.BABEL_DEFAULT_LOCALE == "zh_CN" and config.LANGUAGES == ["zh_CN", "en"]
    assert config.RATELIMIT_STORAGE_URI == "memory://"
    assert config.PLATFORM_COMMISSION_RATE == Decimal("0.006")
    assert config.STRIPE_API_BASE.startswith("http://127.0.0.1:")


def test_redis_url_moves_rate_limits_to_redis(clean_env, tmp_path):
    clean_env.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    assert Config(str(tmp_path)).RATELIMIT_STORAGE_URI == "redis://cache.internal:6379/0"


@pytest.mark.parametrize("name, value, attr, expected", [
    ("PAYMENT_TIMEOUT_SECONDS", "3", "PAYMENT_TIMEOUT_SECONDS", 3),
    ("SESSION_COOKIE_SECURE", "yes", "SESSION_COOKIE_SECURE", True),
    ("PLATFORM_COMMISSION_RATE", "0.01", "PLATFORM_COMMISSION_RATE", Decimal("0.01")),
    ("DEFAULT_LOCALE", "en", "BABEL_DEFAULT_LOCALE", "en"),
])
def test_environment_variables_override_the_defaults_with_the_right_type(clean_env, tmp_path, name, value, attr,
                                                                          expected):
    clean_env.setenv(name, value)
    assert getattr(Config(str(tmp_path)), attr) == expected


@pytest.mark.parametrize("name, value", [("PAYMENT_TIMEOUT_SECONDS", "ten"), ("SESSION_COOKIE_SECURE", "maybe"),
                                         ("PLATFORM_COMMISSION_RATE", "a lot")])
def test_a_malformed_setting_stops_start_up_with_a_message_naming_it(clean_env, tmp_path, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        Config(str(tmp_path))
