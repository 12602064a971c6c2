"""Ledger errors."""
from marketplace.errors import Conflict, DomainError


class UnbalancedEntry(DomainError):
    code = "unbalanced_entry"


class LedgerImmutable(Conflict):
    code = "ledger_immutable"


class NoBankAccount(DomainError):
    code = "no_bank_account"
