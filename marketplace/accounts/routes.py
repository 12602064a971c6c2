"""Pages to sign up, log in, log out and change a password."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DomainError
from ..extensions import limiter
from ..web import home_for, safe_next_url
from . import services
from .forms import ChangePasswordForm, LoginForm, RegisterForm

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _form_status(form, refused: bool) -> int:
    """A form shown again because of bad input answers 400, so clients and tests can tell."""
    return 400 if refused or form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm()
    refused = False
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError:
            flash(_("Wrong email or password."), "error")
            refused = True
        else:
            login_user(user, remember=True)
            return redirect(safe_next_url(request.args.get("next")) or home_for(user))
    return render_template("marketplace/login.html", form=form), _form_status(form, refused)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def register():
    form = RegisterForm()
    refused = False
    if form.validate_on_submit():
        try:
            user = services.register_user(form.email.data, form.password.data, form.name.data, form.role.data)
        except DomainError as exc:
            flash(_(exc.message), "error")  # translated when the catalogue knows it
            refused = True
        else:
            login_user(user)
            flash(_("Welcome, %(name)s!", name=user.name), "success")
            return redirect(home_for(user))
    return render_template("marketplace/register.html", form=form), _form_status(form, refused)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    refused = False
    if form.validate_on_submit():
        try:
            services.change_password(current_user.id, form.current_password.data, form.new_password.data)
        except DomainError as exc:
            flash(_(exc.message), "error")  # translated when the catalogue knows it
            refused = True
        else:
            flash(_("Your password is changed."), "success")
            return redirect(url_for("core.index"))
    return render_template("marketplace/change_password.html", form=form), _form_status(form, refused)
