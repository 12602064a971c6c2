"""Purchasing forms: shape checks only (whole numbers, lengths); the rules live in services."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token to check."""


class AddToOrderForm(FlaskForm):
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(), NumberRange(min=1, max=1_000_000)])


class RejectForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)])


class TermsForm(FlaskForm):
    payment_terms = SelectField(_l("Payment terms"), choices=[
        ("now", _l("Pay now")), ("net_7", _l("Net 7 days")), ("net_30", _l("Net 30 days"))])
    note = StringField(_l("Note to the supplier"), validators=[Optional(), Length(max=500)])


class WholesaleTermsForm(FlaskForm):
    min_order_quantity = IntegerField(_l("Minimum order"), validators=[InputRequired(), NumberRange(min=1)])
    lead_time_days = IntegerField(_l("Lead time (days)"), validators=[InputRequired(), NumberRange(min=0, max=365)])
    tiers = StringField(_l("Price tiers"), validators=[Optional(), Length(max=500)])


class PayForm(FlaskForm):
    method = SelectField(_l("Pay with"), choices=[("balance", _l("My available balance")), ("card", _l("Card"))])
