"""What the benchmarks share."""
from __future__ import annotations


def percentile(samples: list[float], q: float) -> float:
    """The sample at quantile q (0 to 1) by the nearest-rank rule."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def fresh_schema() -> None:
    """Empty the app's database and create every table (PostgreSQL: the whole public schema, triggers
    included). Call inside an app context."""
    from sqlalchemy import text

    from marketplace.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
    db.create_all()


def add_user(email: str, role):
    """A user with one role and no usable password, added to the session."""
    from marketplace.accounts.models import User, UserRole
    from marketplace.extensions import db

    user = User(email=email, name=email, password_hash="!")
    user.roles.append(UserRole(role=role))
    db.session.add(user)
    return user
