"""Extensions created once here and bound to the app in create_app."""
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .i18n import MarketplaceBabel

# Named constraints so Alembic migrations can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = MarketplaceBabel()
cache = Cache()  # whole pages for visitors (marketplace.pagecache)
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _reading_is_never_limited() -> bool:
    """Rate limits guard what is sent (sign-in and sign-up attempts); a page or API read is never limited,
    which spares every view the limiter's bookkeeping. A limit on a GET route would have no effect."""
    from flask import request

    return request.method in ("GET", "HEAD")
