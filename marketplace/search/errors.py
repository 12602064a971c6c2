"""Search's errors: the shared domain errors, plus one for an index that cannot be reached."""
from ..errors import ServiceUnavailable, ValidationError  # noqa: F401


class SearchUnavailable(ServiceUnavailable):
    code = "search_unavailable"
