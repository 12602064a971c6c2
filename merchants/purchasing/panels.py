"""The purchasing panel on the merchant dashboard: invoices due or overdue, deliveries to count in, low stock."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template
from markupsafe import Markup
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.statemachine import utcnow

from . import services
from .models import InvoiceStatus, PurchaseOrder, PurchaseOrderStatus, SupplierInvoice


def purchasing_panel(shop) -> Markup | None:
    now = utcnow()
    open_invoices = db.session.execute(select(SupplierInvoice).where(
        SupplierInvoice.buyer_shop_id == shop.id, SupplierInvoice.status == InvoiceStatus.open)
        .order_by(SupplierInvoice.due_at)).scalars().all()
    overdue = [i for i in open_invoices if i.is_overdue(now)]
    due_soon = [i for i in open_invoices if not i.is_overdue(now) and i.is_overdue(now + timedelta(days=3))]
    arriving = db.session.execute(select(func.count()).select_from(PurchaseOrder).where(
        PurchaseOrder.buyer_shop_id == shop.id,
        PurchaseOrder.status.in_([PurchaseOrderStatus.shipped, PurchaseOrderStatus.partially_received]))).scalar()
    low = len(services.low_stock_products(shop.id))
    if not (open_invoices or arriving or low):
        return None
    return Markup(render_template("purchasing/_panel.html", overdue=overdue, due_soon=due_soon,
                                  owed=sum(i.amount for i in open_invoices), currency=shop.currency,
                                  arriving=arriving, low=low))
