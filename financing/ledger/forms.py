"""Money page forms: shape checks only; the rules live in services."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional


class BankAccountForm(FlaskForm):
    holder_name = StringField(_l("Account holder"), validators=[DataRequired(), Length(max=120)])
    bank_name = StringField(_l("Bank"), validators=[DataRequired(), Length(max=120)])
    account_number = StringField(_l("Account number"), validators=[DataRequired(), Length(max=40)])
    branch_code = StringField(_l("Bank code (optional)"), validators=[Optional(), Length(max=20)])
