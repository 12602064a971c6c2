"""What the benchmarks share."""
from __future__ import annotations

import os


def percentile(samples: list[float], q: float) -> float:
    """The sample at quantile q (0 to 1) by the nearest-rank rule."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def database_server_cpu_seconds() -> float | None:
    """CPU time the PostgreSQL server process behind the app's session has used so far (same machine
    only); None on SQLite or when the server's process cannot be read."""
    from sqlalchemy import text

    from marketplace.extensions import db

    if db.engine.dialect.name != "postgresql":
        return None
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def add_user(email: str, role):
    """A user with one role and no usable password, added to the session."""
    from marketplace.accounts.models import User, UserRole
    from marketplace.extensions import db

    user = User(email=email, name=email, password_hash="!")
    user.roles.append(UserRole(role=role))
    db.session.add(user)
    return user
