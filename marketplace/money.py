"""Money as an integer count of minor units with its currency, and exact splitting."""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Iterable, Sequence

# Minor units per major unit for the currencies the platform handles.
MINOR_UNITS = {"CNY": 2, "USD": 2, "EUR": 2, "GBP": 2, "HKD": 2, "JPY": 0}


class MoneyError(ValueError):
    """A Money value was built or combined in a way that would lose or invent money."""


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units (fen, cents) and an ISO 4217 currency code.

    Floats are refused: money is counted, never approximated.
    """

    amount: int
    currency: str

    def __post_init__(self):
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise MoneyError(f"amount must be an integer count of minor units, got {self.amount!r}")
        if not isinstance(self.currency, str) or self.currency.upper() not in MINOR_UNITS:
            raise MoneyError(f"unknown currency {self.currency!r}")
        if self.currency != self.currency.upper():
            object.__setattr__(self, "currency", self.currency.upper())

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls(0, currency)

    @classmethod
    def from_major(cls, value: str | Decimal | int, currency: str) -> "Money":
        """Parse a typed amount such as "12.50" exactly; more decimals than the currency has are refused."""
        if isinstance(value, float):
            raise MoneyError("floats are not accepted for money; pass a string or Decimal")
        try:
            dec = Decimal(str(value).strip())
        except ArithmeticError as exc:
            raise MoneyError(f"{value!r} is not an amount") from exc
        if not dec.is_finite():
            raise MoneyError(f"{value!r} is not an amount")
        places = MINOR_UNITS.get(currency.upper())
        if places is None:
            raise MoneyError(f"unknown currency {currency!r}")
        minor = dec.scaleb(places)
        if minor != minor.to_integral_value():
            raise MoneyError(f"{value} has more than {places} decimal places")
        return cls(int(minor), currency)

    def _check(self, other: "Money") -> None:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __lt__(self, other: "Money") -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: "Money") -> bool:
        self._check(other)
        return self.amount <= other.amount

    def __gt__(self, other: "Money") -> bool:
        self._check(other)
        return self.amount > other.amount

    def __ge__(self, other: "Money") -> bool:
        self._check(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def times(self, quantity: int) -> "Money":
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise MoneyError("quantity must be an integer")
        return Money(self.amount * quantity, self.currency)

    def apply_rate(self, rate: Decimal, rounding: str = ROUND_HALF_EVEN) -> "Money":
        """This amount times a Decimal rate, rounded once to a minor unit."""
        if not isinstance(rate, Decimal):
            raise MoneyError("rates must be Decimal")
        return Money(int((Decimal(self.amount) * rate).to_integral_value(rounding=rounding)), self.currency)

    def allocate(self, weights: Sequence[int | Decimal]) -> list["Money"]:
        """Split into parts proportional to weights; largest remainder, so parts add up exactly."""
        parts = largest_remainder(self.amount, weights)
        return [Money(p, self.currency) for p in parts]

    @property
    def major(self) -> Decimal:
        return Decimal(self.amount).scaleb(-MINOR_UNITS[self.currency])

    def format(self) -> str:
        places = MINOR_UNITS[self.currency]
        symbol = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "¥"}[self.currency]
        sign = "-" if self.amount < 0 else ""
        return f"{sign}{symbol}{abs(self.major):,.{places}f}"

    def __str__(self) -> str:
        return self.format()

    def to_json(self) -> dict:
        return {"amount": self.amount, "currency": self.currency}

    def __composite_values__(self):
        return self.amount, self.currency


def largest_remainder(total: int, weights: Sequence[int | Decimal]) -> list[int]:
    """Split an integer total into integer parts proportional to weights that sum to total exactly."""
    if not weights:
        raise MoneyError("nothing to split between")
    weights = [Decimal(w) for w in weights]
    if any(w < 0 for w in weights):
        raise MoneyError("weights cannot be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise MoneyError("weights cannot all be zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    exact = [Decimal(magnitude) * w / weight_sum for w in weights]
    floors = [int(e) for e in exact]
    leftover = magnitude - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (exact[i] - floors[i], -i), reverse=True)
    for i in order[:leftover]:
        floors[i] += 1
    return [sign * f for f in floors]


def total(amounts: Iterable[Money], currency: str) -> Money:
    result = Money.zero(currency)
    for m in amounts:
        result = result + m
    return result
