"""One transition table per status enum; named verbs call `_move_to`, the only writer of `.status`."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from .clock import utcnow  # noqa: F401  (models and services import it from here too)
from .errors import InvalidTransition


class StateMachineMixin:
    """Models with a `status` column declare TRANSITIONS = {from_status: {to_status, ...}}.

    Moving to a status also stamps a `<status>_at` column when the model has one.
    """

    TRANSITIONS: ClassVar[dict[StrEnum, frozenset[StrEnum]]] = {}

    def can_move_to(self, new_status: StrEnum) -> bool:
        return new_status in self.TRANSITIONS.get(self.status, frozenset())

    def _move_to(self, new_status: StrEnum, *, at: datetime | None = None) -> None:
        if not self.can_move_to(new_status):
            noun = type(self).__name__.lower()
            raise InvalidTransition(
                f"A {noun} that is {self.status} cannot become {new_status}.",
                param="status",
            )
        self.status = new_status
        stamp = f"{new_status.value}_at"
        if hasattr(type(self), stamp):
            setattr(self, stamp, at or utcnow())
