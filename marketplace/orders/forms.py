"""Order forms: shape checks only (whole numbers, lengths, choices); the rules live in services."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token to check."""


class AddToCartForm(FlaskForm):
    product = HiddenField(validators=[InputRequired(), Length(max=40)])
    quantity = IntegerField(_l("Quantity"), default=1, validators=[InputRequired(), NumberRange(min=0, max=999)])


class CheckoutForm(FlaskForm):
    fulfilment = RadioField(_l("How you get it"), choices=[("pickup", _l("Pick up at the shop")),
                                                          ("delivery", _l("Deliver to me"))],
                            validators=[InputRequired()])
    payment_method = RadioField(_l("How you pay"), choices=[("cash", _l("Cash on pickup or delivery")),
                                                           ("card", _l("Card"))],
                                default="cash", validators=[InputRequired()])
    address = StringField(_l("Delivery address"), validators=[Optional(), Length(max=255)])
    lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(min=-90, max=90)])
    lon = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(min=-180, max=180)])
    note = TextAreaField(_l("Note for the shop"), validators=[Optional(), Length(max=500)])
    payment_method_id = HiddenField(validators=[Optional(), Length(max=255)])
    checkout_key = HiddenField(validators=[InputRequired(), Length(max=255)])


class PayByCardForm(FlaskForm):
    """Pay an order with another card: the provider's payment method id, and a key that makes a resent
    form pay once."""

    payment_method_id = HiddenField(validators=[InputRequired(), Length(max=255)])
    payment_key = HiddenField(validators=[InputRequired(), Length(max=200)])


class RejectForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(min=1, max=255)])


class RefundForm(FlaskForm):
    """The merchant gives money back: an amount typed in major units ("5.50"), and why."""

    amount = StringField(_l("Amount to refund"), validators=[InputRequired(), Length(max=20)])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class ReviewForm(FlaskForm):
    rating = RadioField(_l("Rating"), choices=[(str(n), str(n)) for n in range(5, 0, -1)],
                        validators=[InputRequired()])
    text = TextAreaField(_l("Your review"), validators=[Optional(), Length(max=2000)])
