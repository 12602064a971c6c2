"""Purchasing pages: merchants find suppliers, order, receive and pay; suppliers confirm, ship and get paid."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from marketplace.catalog.models import Product, Shop
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.money import Money, MoneyError
from marketplace.web import role_required

from . import payments, services
from .forms import ActionForm, AddToOrderForm, PayForm, RejectForm, TermsForm, WholesaleTermsForm
from .models import InvoiceStatus, PurchaseOrder, PurchaseOrderStatus, SupplierInvoice

bp = Blueprint("purchasing", __name__, url_prefix="/purchasing")

BUYERS = ("merchant", "supplier")


def _refused(exc: DomainError) -> None:
    flash(exc.message, "error")


def _back(po_id: str):
    return redirect(url_for("purchasing.order", po_id=po_id))


def _my_shop_ids() -> list[int]:
    return list(db.session.execute(select(Shop.id).where(Shop.owner_id == current_user.id)).scalars())


def _shop_or_setup():
    try:
        return services.buyer_shop_for(current_user.id)
    except DomainError:
        return None


# -- the buyer's pages ------------------------------------------------------------------------------


@bp.get("/")
@role_required(*BUYERS)
def orders():
    shop = _shop_or_setup()
    if shop is None:
        return render_template("purchasing/no_shop.html")
    status = request.args.get("status") or None
    stmt = select(PurchaseOrder).where(PurchaseOrder.buyer_shop_id == shop.id)
    if status in PurchaseOrderStatus.__members__:
        stmt = stmt.where(PurchaseOrder.status == PurchaseOrderStatus(status))
    rows = db.session.execute(stmt.order_by(PurchaseOrder.id.desc()).limit(100)).scalars().all()
    low = services.low_stock_products(shop.id)
    return render_template("purchasing/orders.html", shop=shop, orders=rows, low=low, status=status,
                           form=ActionForm())


@bp.post("/reorder")
@role_required(*BUYERS)
def reorder():
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = services.reorder_low_stock(current_user.id)
    except DomainError as exc:
        _refused(exc)
        return redirect(url_for("purchasing.orders"))
    if result.orders:
        flash(_("%(n)d draft order(s) made from your low stock. Check the quantities and send them.",
                n=len(result.orders)), "success")
    if result.without_supplier:
        flash(_("Never bought here, so no supplier to ask: %(names)s",
                names=", ".join(p.name for p in result.without_supplier[:10])), "warning")
    if len(result.orders) == 1:
        return _back(result.orders[0].public_id)
    return redirect(url_for("purchasing.orders", status="draft"))


@bp.get("/suppliers")
@role_required(*BUYERS)
def suppliers():
    shop = _shop_or_setup()
    words = request.args.get("q", "")[:100]
    category = request.args.get("category") or None
    try:
        radius = float(request.args.get("radius_km") or 30)
    except ValueError:
        radius = 30.0
    error = None
    try:
        hits = services.find_suppliers(shop.latitude if shop else None, shop.longitude if shop else None,
                                       radius_km=radius, category=category, words=words)
    except DomainError as exc:
        hits, error = [], exc.message
    categories = sorted(set(db.session.execute(
        select(Shop.category).where(Shop.kind == "supplier").distinct()).scalars()))
    return render_template("purchasing/suppliers.html", hits=hits, words=words, category=category,
                           radius=radius, categories=categories, error=error), (400 if error else 200)


@bp.get("/suppliers/<supplier_id>")
@role_required(*BUYERS)
def supplier(supplier_id):
    try:
        offers = services.supplier_catalogue(supplier_id, words=request.args.get("q", "")[:100])
    except DomainError:
        abort(404)
    shop = db.session.execute(select(Shop).where(Shop.public_id == supplier_id)).scalar_one()
    mine = _shop_or_setup()
    draft = services.open_draft(mine.id, shop.id) if mine else None
    return render_template("purchasing/supplier.html", supplier=shop, offers=offers, draft=draft,
                           form=AddToOrderForm(formdata=None))


@bp.post("/suppliers/products/<product_id>/add")
@role_required(*BUYERS)
def add_to_order(product_id):
    form = AddToOrderForm()
    product = db.session.execute(select(Product).where(Product.public_id == product_id)).scalar()
    if product is None:
        abort(404)
    if not form.validate_on_submit():
        flash(_("Enter a whole number of at least 1."), "error")
        return redirect(url_for("purchasing.supplier", supplier_id=product.shop.public_id))
    try:
        order = services.add_to_draft(current_user.id, product_id, form.quantity.data)
    except DomainError as exc:
        _refused(exc)
        return redirect(url_for("purchasing.supplier", supplier_id=product.shop.public_id))
    flash(_("%(name)s is on your draft order.", name=product.name), "success")
    return redirect(url_for("purchasing.supplier", supplier_id=order.supplier_shop.public_id))


def _party_order(po_id: str) -> PurchaseOrder:
    try:
        return services.order_for_party(current_user.id, po_id)
    except DomainError:
        abort(404)


@bp.get("/orders/<po_id>")
@role_required(*BUYERS)
def order(po_id):
    po = _party_order(po_id)
    is_buyer = po.buyer_shop.owner_id == current_user.id
    if not is_buyer and po.status == PurchaseOrderStatus.draft:
        abort(404)  # a draft is the buyer's own until it is sent
    my_products = []
    if is_buyer and po.status in (PurchaseOrderStatus.shipped, PurchaseOrderStatus.partially_received):
        my_products = db.session.execute(select(Product).where(Product.shop_id == po.buyer_shop_id)
                                         .order_by(Product.name)).scalars().all()
    terms_form = TermsForm(formdata=None, payment_terms=po.payment_terms.value, note=po.note)
    available = None
    if is_buyer and po.invoice is not None and po.invoice.status == InvoiceStatus.open:
        available = payments.balance_of(po.buyer_shop_id, po.currency)
    return render_template("purchasing/order.html", po=po, is_buyer=is_buyer, form=ActionForm(),
                           terms_form=terms_form, reject_form=RejectForm(formdata=None), pay_form=PayForm(),
                           available=available,
                           my_products=my_products, offers=services.offers_for(l.supplier_product_id for l in po.lines))


@bp.post("/orders/<po_id>/update")
@role_required(*BUYERS)
def update(po_id):
    form = TermsForm()
    if not form.validate_on_submit():
        flash(_("Check the terms and the note."), "error")
        return _back(po_id)
    quantities = {}
    for key, raw in request.form.items():
        if key.startswith("qty-"):
            try:
                quantities[key[4:]] = int(raw)
            except ValueError:
                flash(_("Quantities are whole numbers."), "error")
                return _back(po_id)
    try:
        services.update_draft(current_user.id, po_id, quantities=quantities,
                              payment_terms=form.payment_terms.data, note=form.note.data or "")
    except DomainError as exc:
        _refused(exc)
    else:
        if request.form.get("then") == "submit":
            return _step(po_id, services.submit_purchase_order, _("Sent to the supplier."))
        flash(_("Saved."), "success")
    return _back(po_id)


def _step(po_id: str, call, done: str, *args):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        call(current_user.id, po_id, *args)
    except NotFound:
        abort(404)
    except DomainError as exc:
        _refused(exc)
    else:
        flash(done, "success")
    return _back(po_id)


@bp.post("/orders/<po_id>/submit")
@role_required(*BUYERS)
def submit(po_id):
    return _step(po_id, services.submit_purchase_order, _("Sent to the supplier."))


@bp.post("/orders/<po_id>/cancel")
@role_required(*BUYERS)
def cancel(po_id):
    return _step(po_id, services.cancel_purchase_order, _("The order is cancelled."))


@bp.post("/orders/<po_id>/confirm")
@role_required(*BUYERS)
def confirm(po_id):
    return _step(po_id, services.confirm_purchase_order, _("Confirmed: the goods are set aside and the invoice is sent."))


@bp.post("/orders/<po_id>/ship")
@role_required(*BUYERS)
def ship(po_id):
    return _step(po_id, services.ship_purchase_order, _("Marked as shipped."))


@bp.post("/orders/<po_id>/reject")
@role_required(*BUYERS)
def reject(po_id):
    form = RejectForm()
    if not form.validate_on_submit():
        flash(_("Say why you reject the order."), "error")
        return _back(po_id)
    return _step(po_id, services.reject_purchase_order, _("The order is rejected."), form.reason.data)


@bp.post("/orders/<po_id>/receive")
@role_required(*BUYERS)
def receive(po_id):
    if not ActionForm().validate_on_submit():
        abort(400)
    lines = []
    for key, raw in request.form.items():
        if not key.startswith("recv-"):
            continue
        line_id = key[5:]
        try:
            quantity = int(raw or 0)
        except ValueError:
            flash(_("Quantities are whole numbers."), "error")
            return _back(po_id)
        lines.append({"line": line_id, "quantity": quantity, "into": request.form.get(f"into-{line_id}") or None})
    try:
        services.receive_purchase_order(current_user.id, po_id, lines)
    except NotFound:
        abort(404)
    except DomainError as exc:
        _refused(exc)
    else:
        flash(_("Received into your stock."), "success")
    return _back(po_id)


# -- invoices ---------------------------------------------------------------------------------------


@bp.get("/invoices")
@role_required(*BUYERS)
def invoices():
    shops = _my_shop_ids()
    rows = db.session.execute(select(SupplierInvoice).where(SupplierInvoice.buyer_shop_id.in_(shops))
                              .order_by(SupplierInvoice.status, SupplierInvoice.due_at.desc()).limit(200)
                              ).scalars().all()
    owed = sum(i.amount for i in rows if i.status == InvoiceStatus.open)
    overdue = [i for i in rows if i.is_overdue()]
    return render_template("purchasing/invoices.html", invoices=rows, owed=owed, overdue=overdue, side="buyer")


@bp.post("/invoices/<invoice_id>/pay")
@role_required(*BUYERS)
def pay(invoice_id):
    form = PayForm()
    invoice = db.session.execute(select(SupplierInvoice).where(SupplierInvoice.public_id == invoice_id)).scalar()
    if invoice is None:
        abort(404)
    po_id = invoice.order.public_id
    if not form.validate_on_submit() or form.method.data != "balance":
        flash(_("Pay from your balance here; cards are taken through the app."), "error")
        return _back(po_id)
    try:
        payments.pay_invoice(current_user.id, invoice_id, "balance")
    except NotFound:
        abort(404)
    except DomainError as exc:
        _refused(exc)
    else:
        flash(_("Paid. The supplier has the money."), "success")
    return _back(po_id)


# -- the supplier's pages ---------------------------------------------------------------------------


@bp.get("/incoming")
@role_required("supplier")
def incoming():
    shops = _my_shop_ids()
    status = request.args.get("status") or None
    stmt = select(PurchaseOrder).where(PurchaseOrder.supplier_shop_id.in_(shops),
                                       PurchaseOrder.status != PurchaseOrderStatus.draft)
    if status in PurchaseOrderStatus.__members__:
        stmt = stmt.where(PurchaseOrder.status == PurchaseOrderStatus(status))
    rows = db.session.execute(stmt.order_by(PurchaseOrder.id.desc()).limit(100)).scalars().all()
    waiting = sum(1 for o in rows if o.status == PurchaseOrderStatus.submitted)
    return render_template("purchasing/incoming.html", orders=rows, waiting=waiting, status=status)


@bp.get("/receivables")
@role_required("supplier")
def receivables():
    shops = _my_shop_ids()
    rows = db.session.execute(select(SupplierInvoice).where(SupplierInvoice.supplier_shop_id.in_(shops))
                              .order_by(SupplierInvoice.status, SupplierInvoice.due_at.desc()).limit(200)
                              ).scalars().all()
    owed = sum(i.amount for i in rows if i.status == InvoiceStatus.open)
    overdue = [i for i in rows if i.is_overdue()]
    sales = sum(i.amount for i in rows if i.status != InvoiceStatus.void)
    return render_template("purchasing/invoices.html", invoices=rows, owed=owed, overdue=overdue, side="supplier",
                           sales=sales)


@bp.route("/catalogue", methods=["GET"])
@role_required("supplier")
def catalogue():
    try:
        shop = services.supplier_shop_for(current_user.id)
    except DomainError:
        return render_template("purchasing/no_shop.html")
    offers = services.supplier_catalogue(shop.id)
    return render_template("purchasing/catalogue.html", shop=shop, offers=offers, form=WholesaleTermsForm(formdata=None))


def parse_tiers(raw: str, currency: str) -> list[tuple[int, int]]:
    """"10:48.00, 50:45" -> [(10, 4800), (50, 4500)]; a malformed entry raises ValueError."""
    tiers = []
    for part in (raw or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        quantity, _sep, price = part.partition(":")
        tiers.append((int(quantity), Money.from_major(price.strip(), currency).amount))
    return tiers


@bp.post("/catalogue/<product_id>/terms")
@role_required("supplier")
def save_terms(product_id):
    form = WholesaleTermsForm()
    product = db.session.execute(select(Product).where(Product.public_id == product_id)).scalar()
    if product is None:
        abort(404)
    if not form.validate_on_submit():
        flash(_("Minimum order and lead time are whole numbers."), "error")
        return redirect(url_for("purchasing.catalogue"))
    try:
        tiers = parse_tiers(form.tiers.data, product.currency)
    except (ValueError, MoneyError):
        flash(_("Write tiers as quantity:price, for example 10:48.00, 50:45.00"), "error")
        return redirect(url_for("purchasing.catalogue"))
    try:
        services.set_wholesale_terms(current_user.id, product_id, min_order_quantity=form.min_order_quantity.data,
                                     lead_time_days=form.lead_time_days.data, tiers=tiers)
    except DomainError as exc:
        _refused(exc)
    else:
        flash(_("Terms saved for %(name)s.", name=product.name), "success")
    return redirect(url_for("purchasing.catalogue"))
