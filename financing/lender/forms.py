"""Officer action and policy editor forms."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from financing.credit.policy import DEFAULT_PARAMS

from .models import ActionKind
from .portfolio import GRADES

ACTION_LABELS = {
    ActionKind.note: _l("Note a contact"),
    ActionKind.freeze: _l("Freeze the undrawn limit"),
    ActionKind.unfreeze: _l("Unfreeze the limit"),
    ActionKind.payment_plan: _l("Agree a payment plan"),
    ActionKind.charge_off: _l("Charge off"),
    ActionKind.resolve: _l("Resolve the alert"),
}


class ActionForm(FlaskForm):
    kind = SelectField(_l("Action"), choices=[(k.value, label) for k, label in ACTION_LABELS.items()])
    reason = TextAreaField(_l("Why (kept in the record)"), validators=[DataRequired(), Length(min=3, max=2000)])
    alert = HiddenField()
    weekly_amount = DecimalField(_l("Plan: amount a week"), places=2, validators=[Optional(), NumberRange(min=0.01)])
    until = DateField(_l("Plan: last day"), validators=[Optional()])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# Labels for the policy parameters, in the order the editor shows them.
PARAM_LABELS = {
    "min_tenure_days": _l("Minimum trading history (days)"),
    "min_sales_90": _l("Minimum sales in the last 90 days (minor units)"),
    "max_days_since_last_sale": _l("Most days since the last sale"),
    "max_zero_sale_day_share": _l("Most share of days without a sale"),
    "max_supplier_overdue_count": _l("Most overdue supplier invoices"),
    "max_credit_days_past_due": _l("Most days past due on credit"),
    "allow_after_charge_off": _l("Lend again after a charge-off"),
    "min_limit": _l("Smallest limit (minor units)"),
    "max_limit": _l("Largest limit (minor units)"),
    "limit_rounding": _l("Round limits down to (minor units)"),
    "withhold_rate": _l("Share of each settlement withheld"),
    "max_term_days": _l("Longest term (days)"),
    "minimum_period_days": _l("Minimum-repayment period (days)"),
    "minimum_period_share": _l("Share of the total due each period"),
    "offer_valid_days": _l("Offer valid for (days)"),
    "repeat_offer_repaid_share": _l("Repaid share before a new offer"),
    "charge_off_days_past_due": _l("Charge off at days past due"),
    "freeze_days_past_due": _l("Freeze the limit at days past due"),
}
BY_GRADE = ("limit_multiple_by_grade", "fee_rate_by_grade")


def policy_form_class(params: dict) -> type[FlaskForm]:
    """A form with one input per policy parameter (per grade for the graded ones), filled from `params`."""

    class PolicyForm(FlaskForm):
        note = StringField(_l("Why this change (kept with the version)"), validators=[Optional(), Length(max=255)])
        declined_grades = MultiCheckboxField(_l("Grades declined"), choices=[(g, g) for g in GRADES],
                                             default=params.get("declined_grades", []))

    for name, label in PARAM_LABELS.items():
        default = params.get(name, DEFAULT_PARAMS.get(name))
        if isinstance(DEFAULT_PARAMS.get(name), bool):
            field = BooleanField(label, default=bool(default))
        elif isinstance(DEFAULT_PARAMS.get(name), int):
            field = DecimalField(label, places=0, default=Decimal(int(default)), validators=[InputRequired()])
        else:
            field = StringField(label, default=str(default), validators=[InputRequired()])
        setattr(PolicyForm, name, field)
    for name in BY_GRADE:
        for grade in GRADES:
            value = params.get(name, {}).get(grade)
            setattr(PolicyForm, f"{name}__{grade}", StringField(f"{grade}", default="" if value is None else str(value)))
    return PolicyForm


def params_from_form(form: FlaskForm) -> dict:
    """The form's values as policy parameters (strings for rates, ints for counts)."""
    params: dict = {"declined_grades": list(form.declined_grades.data or [])}
    for name in PARAM_LABELS:
        value = getattr(form, name).data
        if isinstance(DEFAULT_PARAMS.get(name), bool):
            params[name] = bool(value)
        elif isinstance(DEFAULT_PARAMS.get(name), int):
            params[name] = int(value) if value is not None else None
        else:
            params[name] = (value or "").strip()
    for name in BY_GRADE:
        params[name] = {g: getattr(form, f"{name}__{g}").data.strip() for g in GRADES
                        if (getattr(form, f"{name}__{g}").data or "").strip()}
    return params
