"""A credit reason in the reader's language: stored with its English text, its wording and values."""
from __future__ import annotations

from flask import has_request_context


def reason_text(reason: dict, part: str = "message") -> str:
    """`part` ("message" or "remedy") of a stored reason, translated inside a request. Reasons
    recorded before their wording was kept show their English text."""
    wording = reason.get(f"{part}_id")
    if not wording:
        return reason.get(part, "")
    if has_request_context():
        from flask_babel import gettext

        wording = gettext(wording)
    return wording % reason.get("values", {})
