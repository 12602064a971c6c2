"""What keeps the books honest below the services: balanced, append-only entries.

Two layers, as in double-entry systems that are trusted with money: the Python check in
`post_entry` (a clear error before anything is written), and the database itself, so that
no other code path (a raw SQL statement, a future bug) can write an unbalanced or edited entry.

- PostgreSQL: a DEFERRABLE INITIALLY DEFERRED constraint trigger checks, at commit, that the
  postings of every touched entry sum to zero per currency; plain triggers refuse UPDATE and
  DELETE of postings and of sealed entries.
- SQLite has no deferred triggers, so an entry is sealed after its postings are written:
  sealing checks the balance, and a sealed entry takes no more postings and no edits.
  Both databases use the same sealing rule, so reconcile treats an unsealed entry as an error.
"""
from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from marketplace.schema import declare_database_only

from .errors import LedgerImmutable

SQLITE_GUARDS = [
    """CREATE TRIGGER IF NOT EXISTS ledger_entry_born_unsealed
    BEFORE INSERT ON ledger_entries WHEN NEW.sealed = 1
    BEGIN SELECT RAISE(ABORT, 'a ledger entry is sealed after its postings are written'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_entry_seal_balanced
    BEFORE UPDATE OF sealed ON ledger_entries
    WHEN NEW.sealed = 1 AND OLD.sealed = 0 AND (
        (SELECT COUNT(*) FROM ledger_postings WHERE entry_id = NEW.id) < 2
        OR EXISTS (SELECT 1 FROM ledger_postings WHERE entry_id = NEW.id
                   GROUP BY currency HAVING SUM(amount) <> 0))
    BEGIN SELECT RAISE(ABORT, 'ledger entry does not balance'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_entry_append_only
    BEFORE UPDATE ON ledger_entries WHEN OLD.sealed = 1
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only; post a reversing entry'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_entry_no_delete
    BEFORE DELETE ON ledger_entries
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only; post a reversing entry'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_posting_no_update
    BEFORE UPDATE ON ledger_postings
    BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only; post a reversing entry'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_posting_no_delete
    BEFORE DELETE ON ledger_postings
    BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only; post a reversing entry'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_posting_not_after_seal
    BEFORE INSERT ON ledger_postings
    WHEN (SELECT sealed FROM ledger_entries WHERE id = NEW.entry_id) = 1
    BEGIN SELECT RAISE(ABORT, 'a sealed ledger entry takes no more postings'); END""",
]

POSTGRES_GUARDS = [
    """CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'ledger % are append-only; post a reversing entry', TG_TABLE_NAME;
    END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION ledger_entry_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.sealed THEN
                RAISE EXCEPTION 'a ledger entry is sealed after its postings are written';
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' OR OLD.sealed THEN
            RAISE EXCEPTION 'ledger entries are append-only; post a reversing entry';
        END IF;
        IF NEW.sealed AND (
            (SELECT COUNT(*) FROM ledger_postings WHERE entry_id = NEW.id) < 2
            OR EXISTS (SELECT 1 FROM ledger_postings WHERE entry_id = NEW.id
                       GROUP BY currency HAVING SUM(amount) <> 0)) THEN
            RAISE EXCEPTION 'ledger entry % does not balance', NEW.id;
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION ledger_posting_guard() RETURNS trigger AS $$
    BEGIN
        IF (SELECT sealed FROM ledger_entries WHERE id = NEW.entry_id) THEN
            RAISE EXCEPTION 'a sealed ledger entry takes no more postings';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM ledger_postings WHERE entry_id = NEW.entry_id
                   GROUP BY currency HAVING SUM(amount) <> 0) THEN
            RAISE EXCEPTION 'ledger entry % does not balance', NEW.entry_id;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS ledger_entry_guard ON ledger_entries",
    """CREATE TRIGGER ledger_entry_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_guard()""",
    "DROP TRIGGER IF EXISTS ledger_posting_no_change ON ledger_postings",
    """CREATE TRIGGER ledger_posting_no_change BEFORE UPDATE OR DELETE ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    "DROP TRIGGER IF EXISTS ledger_posting_not_after_seal ON ledger_postings",
    """CREATE TRIGGER ledger_posting_not_after_seal BEFORE INSERT ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION ledger_posting_guard()""",
    "DROP TRIGGER IF EXISTS ledger_postings_balance ON ledger_postings",
    """CREATE CONSTRAINT TRIGGER ledger_postings_balance AFTER INSERT ON ledger_postings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced()""",
]

declare_database_only("ledger_entry_born_unsealed", "ledger_entry_seal_balanced", "ledger_entry_append_only", "ledger_entry_no_delete",
                      "ledger_posting_no_update", "ledger_posting_no_delete", "ledger_posting_not_after_seal",
                      "ledger_entry_guard", "ledger_posting_no_change", "ledger_postings_balance")


def install_guards(connection) -> None:
    """Create the triggers on this connection's database (called by the migration and by create_all)."""
    statements = POSTGRES_GUARDS if connection.dialect.name == "postgresql" else SQLITE_GUARDS
    for statement in statements:
        connection.execute(text(statement))


def _after_postings_table_created(_table, connection, **_kw) -> None:
    install_guards(connection)


def _refuse_edits(session: Session, _flush_context, _instances) -> None:
    """The Python side of append-only: editing or deleting a posted entry fails before the SQL."""
    from .models import JournalEntry, Posting

    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Posting) or (isinstance(obj, JournalEntry) and _was_sealed(obj)):
            if obj in session.deleted or session.is_modified(obj, include_collections=False):
                raise LedgerImmutable("Ledger entries are append-only; post a reversing entry instead.")


def _was_sealed(entry) -> bool:
    from sqlalchemy import inspect

    history = inspect(entry).attrs.sealed.history
    return bool(history.deleted[0]) if history.deleted else bool(entry.sealed)


def register_guards() -> None:
    from .models import Posting

    if not event.contains(Posting.__table__, "after_create", _after_postings_table_created):
        event.listen(Posting.__table__, "after_create", _after_postings_table_created)
    if not event.contains(Session, "before_flush", _refuse_edits):
        event.listen(Session, "before_flush", _refuse_edits)
