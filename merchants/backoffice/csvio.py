"""CSV export and import of a shop's products and stock counts.

Import checks every row first and reports each error with its line and column; only a file with
no errors is written, in one transaction. Rows are matched to products by SKU: a known SKU updates
that product, a new one adds it. A `stock_on_hand` cell is a count: the difference from on-hand is
recorded as a counted adjustment (an opening stock movement for a new product); blank leaves stock alone.
Prices are in major units (12.80), as people type them in a spreadsheet.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from marketplace.catalog.models import AdjustmentReason, Product, StockReason
from marketplace.catalog.stock import set_counted_stock
from marketplace.extensions import db
from marketplace.money import Money, MoneyError

from . import rules
from .errors import BadFile, ValidationError

__all__ = ["BadFile", "COLUMNS", "CsvError", "CsvRejected", "ImportResult", "export_products", "import_products"]
from .services import owned_shop, unit_of_work
from .wording import N_

COLUMNS = ("sku", "name", "name_en", "category", "unit", "price", "stock_on_hand", "low_stock_threshold", "status",
           "description")
REQUIRED = ("sku", "name", "price")
MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
IMPORT_NOTE = "CSV import"


@dataclass(frozen=True)
class CsvError:
    line: int  # 1 is the header
    column: str
    message: str


class CsvRejected(BadFile):
    """The file had errors; nothing was written."""

    def __init__(self, errors: list[CsvError]):
        first = errors[0]
        super().__init__(f"{len(errors)} error(s) in the file; nothing was imported. "
                         f"First: line {first.line}, {first.column}: {first.message}", param="file")
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    counted: int = 0
    skus: list[str] = field(default_factory=list)


def export_products(user_id: int, shop_key) -> str:
    shop = owned_shop(user_id, shop_key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    products = db.session.execute(select(Product).where(Product.shop_id == shop.id).order_by(Product.sku)).scalars()
    for p in products:
        writer.writerow([p.sku, p.name, p.name_en, p.category, p.unit, f"{p.price.major}", p.stock_on_hand,
                         p.low_stock_threshold, p.status.value, _safe_cell(p.description)])
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise BadFile(N_("The file is larger than %(n)d MB.", n=MAX_BYTES // (1024 * 1024)), param="file")
    if not data.strip():
        raise BadFile(N_("The file is empty."), param="file")
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves GBK unless told otherwise
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadFile(N_("The file is not text in UTF-8 or GBK; save it as CSV UTF-8."), param="file")


def _int_cell(value: str, column: str, low: int, high: int) -> int:
    value = value.strip()
    if not value.lstrip("-").isdigit():
        raise ValidationError(N_("'%(value)s' is not a whole number.", value=value), param=column)
    return rules.whole_number(int(value), column, low, high)


def parse_products(data: bytes, currency: str) -> list[tuple[int, dict, int | None]]:
    """Every row checked: [(line, product fields, stock count or None)], or CsvRejected with all errors."""
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    errors: list[CsvError] = []
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    for name in unknown:
        errors.append(CsvError(1, name, N_("unknown column; the columns are %(columns)s",
                                           columns=", ".join(COLUMNS))))
    for name in missing:
        errors.append(CsvError(1, name, N_("required column is missing")))
    if errors:
        raise CsvRejected(errors)
    reader.fieldnames = header
    rows, seen = [], {}
    for index, raw in enumerate(reader):
        line = index + 2
        if line - 1 > MAX_ROWS:
            raise CsvRejected([CsvError(line, "sku", N_("more than %(n)d rows; split the file", n=MAX_ROWS))])
        if None in raw:
            errors.append(CsvError(line, header[-1],
                                   N_("more cells than columns (a comma inside a cell needs quotes)")))
            continue
        cells = {k: (v or "").strip() for k, v in raw.items()}
        if not any(cells.values()):
            continue
        fields, count, row_errors = {}, None, []
        for column, value in cells.items():
            if value == "" and column not in REQUIRED:
                continue
            try:
                if column == "price":
                    try:
                        fields["price_amount"] = Money.from_major(value, currency).amount
                    except MoneyError:
                        raise ValidationError(N_("'%(value)s' is not a price such as 12.80.", value=value),
                                              param="price") from None
                elif column == "stock_on_hand":
                    count = _int_cell(value, column, 0, rules.MAX_THRESHOLD)
                elif column == "low_stock_threshold":
                    fields[column] = _int_cell(value, column, 0, rules.MAX_THRESHOLD)
                else:
                    fields[column] = value
            except ValidationError as exc:
                row_errors.append(CsvError(line, column, exc.message))
        cleaned = {}
        for key, value in fields.items():  # one field at a time, so every bad cell of the row is reported
            try:
                cleaned.update(rules.clean_product_fields({key: value}, partial=True))
            except ValidationError as exc:
                row_errors.append(CsvError(line, key.removesuffix("_amount"), exc.message))
        for column in REQUIRED:
            key = "price_amount" if column == "price" else column
            if key not in fields and not any(e.column == column for e in row_errors):
                row_errors.append(CsvError(line, column, N_("required; this cell is empty")))
        fields = cleaned
        if not row_errors:
            sku = fields["sku"]
            if sku in seen:
                row_errors.append(CsvError(line, "sku", N_("SKU %(sku)s is also on line %(line)d",
                                                           sku=sku, line=seen[sku])))
            seen.setdefault(sku, line)
        if row_errors:
            errors.extend(row_errors)
        else:
            rows.append((line, fields, count))
    if errors:
        raise CsvRejected(errors)
    if not rows:
        raise CsvRejected([CsvError(2, "sku", N_("the file has a header but no products"))])
    return rows


def import_products(user_id: int, shop_key, data: bytes) -> ImportResult:
    """Write a checked file in one transaction: the products in one flush, then every stock count that
    differs from on-hand in one batch, applied only if on-hand is still what was read (a sale made
    meanwhile refuses the whole import instead of being overwritten)."""
    shop = owned_shop(user_id, shop_key)
    rows = parse_products(data, shop.currency)
    existing = {p.sku: p for p in db.session.execute(
        select(Product).where(Product.shop_id == shop.id, Product.sku.in_([f["sku"] for _l, f, _c in rows]))
        .with_for_update()).scalars()}
    result = ImportResult()
    opening: list[tuple[Product, int]] = []
    counted: list[tuple[Product, int, int]] = []
    with unit_of_work():
        for _line, fields, count in rows:
            product = existing.get(fields["sku"])
            if product is None:
                fields.setdefault("category", shop.category)
                fields.setdefault("unit", "piece")
                product = Product(shop_id=shop.id, currency=shop.currency, stock_on_hand=0, **fields)
                db.session.add(product)
                result.created += 1
                if count:
                    opening.append((product, count))
            else:
                before = product.stock_on_hand
                for key, value in fields.items():
                    setattr(product, key, value)
                result.updated += 1
                if count is not None and count != before:
                    counted.append((product, before, count))
            result.skus.append(fields["sku"])
        db.session.flush()
        set_counted_stock([(p.id, 0, count) for p, count in opening], StockReason.initial, user_id=user_id,
                          note=IMPORT_NOTE)
        set_counted_stock([(p.id, before, count) for p, before, count in counted], StockReason.adjustment,
                          user_id=user_id, note=IMPORT_NOTE, adjustment_reason=AdjustmentReason.counted)
        result.counted = len(counted)
    return result
