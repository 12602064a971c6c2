"""Credit endpoints of the JSON API: the offer, draws, repayments and contracts."""
from __future__ import annotations

from datetime import datetime

from flask import jsonify, request
from sqlalchemy import select

from marketplace.api_support import api_blueprint, api_login_required, current_api_user, field, json_body, paginate
from marketplace.idempotency import idempotent

from . import invoice_payments, lending, services
from .models import CreditContract, Loan, Repayment, aware

bp = api_blueprint("credit_api", __name__)


def _ts(value: datetime | None) -> int | None:
    return int(aware(value).timestamp()) if value else None


def offer_json(summary: dict) -> dict:
    offer, line, decision = summary["offer"], summary["line"], summary["decision"]
    terms = summary.get("terms")
    disclosure = summary.get("disclosure")
    eligible = terms is not None and (line is None or line.status.value == "open" or offer is not None)
    return {
        "object": "credit_offer",
        "id": offer.public_id if offer else None,
        "line": line.public_id if line else None,
        "line_status": line.status.value if line else None,
        "eligible": bool(eligible),
        "limit": summary["limit"].amount if terms else 0,
        "available": summary["available"].amount if terms else 0,
        "owed": summary["owed"].amount,
        "currency": summary["currency"],
        "grade": (offer.grade if offer else (decision.grade if decision else None)),
        "fee_rate": terms.fee_rate if terms else None,
        "withhold_rate": terms.withhold_rate if terms else None,
        "estimated_apr": str(disclosure.estimated_apr) if disclosure else None,
        "estimated_daily_sales": summary.get("estimated_daily_sales", 0),
        "estimated_term_days": disclosure.estimated_term_days if disclosure else None,
        "disclosure": disclosure.to_json() if disclosure else None,
        "expires_at": _ts(offer.expires_at) if offer else None,
        "reasons": (decision.reasons if decision else []) if not terms else [],
        "decision": decision.public_id if decision else None,
    }


def loan_json(loan: Loan) -> dict:
    return {
        "id": loan.public_id, "object": "credit_draw", "status": loan.status.value,
        "delinquency": loan.delinquency_bucket, "days_past_due": loan.days_past_due,
        "line": loan.line.public_id, "contract": loan.contract.public_id,
        "amount": loan.principal_amount, "fee": loan.fee_amount, "total": loan.total_amount,
        "repaid": loan.repaid_amount, "outstanding": loan.outstanding_amount, "currency": loan.currency,
        "fee_rate": loan.fee_rate, "withhold_rate": loan.withhold_rate,
        "minimum_period_days": loan.minimum_period_days, "minimum_period_amount": loan.minimum_period_amount,
        "purpose": loan.purpose,
        "supplier_invoice": loan.supplier_invoice.public_id if loan.supplier_invoice_id else None,
        "created": _ts(loan.drawn_at),
    }


def repayment_json(r: Repayment) -> dict:
    return {"id": r.public_id, "object": "credit_repayment", "draw": r.loan.public_id, "source": r.source.value,
            "amount": r.amount, "principal": r.principal_amount, "fee": r.fee_amount, "currency": r.currency,
            "created": _ts(r.created_at)}


@bp.get("/credit/offer")
@api_login_required("merchant")
def get_offer():
    """The merchant's pre-approved credit, refreshed after new sales.
    ---
    get:
      tags: [credit]
      summary: The credit offer (or line) and its estimated terms, or why there is none
      security: [{bearer: []}]
      responses:
        200: {description: "eligible, limit, available, currency, fee_rate, withhold_rate, estimated_apr, estimated_daily_sales, estimated_term_days, expires_at, reasons"}
        401: {description: no or a bad token}
        404: {description: the user has no shop}
    """
    shop = lending.merchant_shop(current_api_user().id, None)
    return jsonify(offer_json(services.credit_summary(shop.id)))


@bp.post("/credit/draws")
@api_login_required("merchant")
@idempotent
def create_draw():
    """Draw on the offer or line into the merchant's balance, or straight to a supplier for one of its invoices.
    ---
    post:
      tags: [credit]
      summary: Draw funds (accepting the offer on the first draw), or pay a supplier invoice with them
      security: [{bearer: []}]
      parameters:
        - {name: Idempotency-Key, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [accept_terms, signature_name]
              properties:
                amount: {type: integer, description: "minor units, minimum 1; required unless paying a supplier invoice, whose amount it must equal"}
                supplier_invoice: {type: string, description: "an open supplier invoice of the merchant's (inv_...): the draw pays it in full"}
                accept_terms: {type: boolean, description: must be true}
                signature_name: {type: string, description: the signer's full name}
      responses:
        201: {description: the draw}
        400: {description: "a zero, negative or malformed amount, an amount other than the invoice's, terms not accepted, no signature"}
        404: {description: "no offer, or no such supplier invoice of the merchant's"}
        409: {description: "above the undrawn limit, an expired offer, a frozen line, a repayment past due, an invoice already paid or voided"}
    """
    body = json_body()
    user = current_api_user()
    invoice_id = field(body, "supplier_invoice", required=False)
    if invoice_id is not None:
        loan = invoice_payments.pay_supplier_invoice(
            user.id, invoice_id, amount=field(body, "amount", int, required=False),
            accept_terms=field(body, "accept_terms", bool), signature_name=field(body, "signature_name"),
            ip=request.remote_addr or "", user_agent=request.headers.get("User-Agent", ""))
        return jsonify(loan_json(loan)), 201
    loan = lending.draw(
        user.id, field(body, "amount", int), accept_terms=field(body, "accept_terms", bool),
        signature_name=field(body, "signature_name"), ip=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""), request_key=None)
    return jsonify(loan_json(loan)), 201


@bp.get("/credit/draws")
@api_login_required("merchant")
def list_draws():
    """The merchant's draws, newest first.
    ---
    get:
      tags: [credit]
      summary: List draws
      security: [{bearer: []}]
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: starting_after, in: query, schema: {type: string}}
      responses:
        200: {description: a list of draws}
    """
    shop = lending.merchant_shop(current_api_user().id, None)
    return jsonify(paginate(select(Loan).where(Loan.shop_id == shop.id), Loan, loan_json))


@bp.post("/credit/repayments")
@api_login_required("merchant")
@idempotent
def create_repayment():
    """Repay early from the available balance, oldest draw first.
    ---
    post:
      tags: [credit]
      summary: Repay any amount
      security: [{bearer: []}]
      parameters:
        - {name: Idempotency-Key, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [amount]
              properties:
                amount: {type: integer, description: minor units, minimum: 1}
      responses:
        201: {description: "the repayments made, one per draw reached"}
        400: {description: "a zero or negative amount, more than is owed or than the balance holds"}
        409: {description: nothing is owed}
    """
    body = json_body()
    made = lending.repay(current_api_user().id, field(body, "amount", int))
    return jsonify({"object": "list", "data": [repayment_json(r) for r in made], "has_more": False}), 201


@bp.get("/credit/contracts/<contract_id>")
@api_login_required("merchant")
def get_contract(contract_id: str):
    """A signed agreement: its text, hash, signer, time and address.
    ---
    get:
      tags: [credit]
      summary: Retrieve a contract
      security: [{bearer: []}]
      responses:
        200: {description: the contract}
        404: {description: no such contract of yours}
    """
    contract = lending.contract_for(current_api_user().id, contract_id)
    return jsonify({"id": contract.public_id, "object": "credit_contract", "terms": contract.terms_text,
                    "sha256": contract.terms_sha256, "signature_name": contract.signature_name,
                    "signed_at": _ts(contract.signed_at), "signed_from_ip": contract.signed_from_ip})
