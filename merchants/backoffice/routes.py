"""Back-office pages: the merchant dashboard, shop profile and poster, products, stock, CSV, bulk edits."""
from __future__ import annotations

from flask import (
    Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from marketplace.catalog.models import ProductStatus
from marketplace.errors import DomainError
from marketplace.web import dashboard_panels, role_required

from . import bulk, csvio, inventory, listing, poster, reports, services
from .forms import ActionForm, AdjustForm, CountForm, ImportForm, ProductForm, ShopForm
from .wording import localise

bp = Blueprint("backoffice", __name__, url_prefix="/merchant")
media_bp = Blueprint("media", __name__)
SHOP_ROLES = services.SHOP_ROLES


def _refused(exc: DomainError, form=None) -> None:
    """Show a refusal, in the merchant's language, next to its field when the form has it (a weekday's
    hours for `opening_hours`), else as a flash message."""
    name = exc.param
    day = getattr(exc.message, "params", {}).get("day")
    if name == "opening_hours" and day:
        name = str(day)
    field = getattr(form, name, None) if form is not None and name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [localise(exc.message)]
        form.refused = True
    else:
        flash(localise(exc.message), "error")
        if form is not None:
            form.refused = True


def _status(form) -> int:
    """400 when the form was refused, by its own checks or by a service."""
    return 400 if form.errors or getattr(form, "refused", False) else 200


def _shop_or_setup():
    return services.home_shop(current_user.id)


def _upload(field) -> bytes | None:
    storage = field.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return storage.read()


@media_bp.get("/media/<path:filename>")
def uploaded(filename: str):
    """Logos and product photos (public: they show on the storefront)."""
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], filename, max_age=86400)


# -- dashboard --------------------------------------------------------------------------------------


@bp.get("/")
@role_required(*SHOP_ROLES)
def dashboard():
    shop = _shop_or_setup()
    if shop is None:
        return redirect(url_for("backoffice.shop_profile"))
    days = 90 if request.args.get("days") == "90" else 30
    return render_template("backoffice/dashboard.html", shop=shop, board=reports.dashboard(shop), days=days,
                           series=reports.daily_sales(shop.id, days=days), panels=dashboard_panels(shop))


# -- shop profile -----------------------------------------------------------------------------------


@bp.route("/shop", methods=["GET", "POST"])
@role_required(*SHOP_ROLES)
def shop_profile():
    shop = _shop_or_setup()
    form = ShopForm()
    if request.method == "GET":
        if shop is not None:
            form.fill_from(shop)
        else:
            form.delivery_enabled.data = form.pickup_enabled.data = form.is_open.data = True
            form.delivery_radius_km.data = 3
            form.kind.data = "retail" if current_user.has_role("merchant") else "supplier"
            for day in form.day_fields():
                day.data = "08:00-20:00"
    elif form.validate_on_submit():
        currency = shop.currency if shop else current_app.config.get("CURRENCY", "CNY")
        try:
            fields, logo = form.to_fields(currency), _upload(form.logo)
            if shop is None:
                shop = services.create_shop(current_user.id, fields, logo=logo)
            else:
                services.update_shop(current_user.id, shop.id, fields, logo=logo)
        except DomainError as exc:
            _refused(exc, form)
        else:
            flash(_("Shop saved."), "success")
            return redirect(url_for("backoffice.shop_profile"))
    return render_template("backoffice/shop.html", shop=shop, form=form), _status(form)


# -- products ---------------------------------------------------------------------------------------


@bp.get("/products")
@role_required(*SHOP_ROLES)
def products():
    shop = _shop_or_setup()
    if shop is None:
        return redirect(url_for("backoffice.shop_profile"))
    query = listing.ProductQuery.from_args(request.args)
    page = listing.search_products(shop.id, query)
    return render_template("backoffice/products.html", shop=shop, query=query, page=page, form=ActionForm())


@bp.route("/products/new", methods=["GET", "POST"])
@role_required(*SHOP_ROLES)
def new_product():
    shop = _shop_or_setup()
    if shop is None:
        return redirect(url_for("backoffice.shop_profile"))
    form = ProductForm()
    if request.method == "GET":
        form.category.data = shop.category
    elif form.validate_on_submit():
        try:
            product = services.create_product(current_user.id, shop.id, form.to_fields(shop.currency),
                                              initial_stock=form.initial_stock.data or 0, photo=_upload(form.photo))
        except DomainError as exc:
            _refused(exc, form)
        else:
            flash(_("Product added."), "success")
            return redirect(url_for("backoffice.product_stock", product_id=product.public_id))
    return render_template("backoffice/product_form.html", shop=shop, form=form, product=None), _status(form)


@bp.route("/products/<product_id>", methods=["GET", "POST"])
@role_required(*SHOP_ROLES)
def edit_product(product_id: str):
    product = _owned_product_or_404(product_id)
    form = ProductForm()
    del form.initial_stock
    if request.method == "GET":
        form.fill_from(product)
    elif form.validate_on_submit():
        try:
            services.update_product(current_user.id, product.id, form.to_fields(product.currency),
                                    photo=_upload(form.photo))
        except DomainError as exc:
            _refused(exc, form)
        else:
            flash(_("Product saved."), "success")
            return redirect(url_for("backoffice.edit_product", product_id=product.public_id))
    return render_template("backoffice/product_form.html", shop=product.shop, form=form, product=product,
                           action=ActionForm()), _status(form)


@bp.post("/products/<product_id>/archive")
@role_required(*SHOP_ROLES)
def archive_product(product_id: str):
    product = _owned_product_or_404(product_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if product.status == ProductStatus.archived:
        services.restore_product(current_user.id, product.id)
        flash(_("Product is on sale again."), "success")
    else:
        services.archive_product(current_user.id, product.id)
        flash(_("Product archived: it no longer shows to customers."), "success")
    return redirect(url_for("backoffice.edit_product", product_id=product.public_id))


def _owned_product_or_404(product_id: str):
    try:
        return services.owned_product(current_user.id, product_id)
    except DomainError:
        abort(404)


# -- stock ------------------------------------------------------------------------------------------


@bp.get("/products/<product_id>/stock")
@role_required(*SHOP_ROLES)
def product_stock(product_id: str, adjust: AdjustForm | None = None, count: CountForm | None = None,
                  status: int = 200):
    before = request.args.get("before", type=int)
    try:
        product, lines, more = inventory.ledger(current_user.id, product_id, before_id=before)
    except DomainError:
        abort(404)
    return render_template("backoffice/stock.html", product=product, shop=product.shop, lines=lines, more=more,
                           adjust=adjust or AdjustForm(formdata=None), count=count or CountForm(formdata=None)), status


@bp.post("/products/<product_id>/stock/adjust")
@role_required(*SHOP_ROLES)
def adjust_stock(product_id: str):
    product = _owned_product_or_404(product_id)
    form = AdjustForm()
    if form.validate_on_submit():
        try:
            inventory.adjust_stock(current_user.id, product.id, form.quantity.data, form.reason.data,
                                   note=form.note.data or "")
        except DomainError as exc:
            _refused(exc, form)
        else:
            flash(_("Stock updated."), "success")
            return redirect(url_for("backoffice.product_stock", product_id=product.public_id))
    return product_stock(product.public_id, adjust=form, status=400)


@bp.post("/products/<product_id>/stock/count")
@role_required(*SHOP_ROLES)
def count_stock(product_id: str):
    product = _owned_product_or_404(product_id)
    form = CountForm()
    if form.validate_on_submit():
        try:
            movement = inventory.record_count(current_user.id, product.id, form.counted.data,
                                              note=form.note.data or "")
        except DomainError as exc:
            _refused(exc, form)
        else:
            flash(_("Count recorded.") if movement else _("The count agrees with the stock: nothing changed."),
                  "success")
            return redirect(url_for("backoffice.product_stock", product_id=product.public_id))
    return product_stock(product.public_id, count=form, status=400)


# -- low stock --------------------------------------------------------------------------------------


@bp.get("/low-stock")
@role_required(*SHOP_ROLES)
def low_stock():
    shop = _shop_or_setup()
    if shop is None:
        return redirect(url_for("backoffice.shop_profile"))
    return render_template("backoffice/low_stock.html", shop=shop, lines=reports.low_stock(shop.id, limit=500))


# -- QR poster --------------------------------------------------------------------------------------


def _storefront_url(shop) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return poster.storefront_url(base, shop.public_id)


@bp.get("/shop/poster")
@role_required(*SHOP_ROLES)
def poster_page():
    shop = _shop_or_setup()
    if shop is None:
        return redirect(url_for("backoffice.shop_profile"))
    url = _storefront_url(shop)
    return render_template("backoffice/poster.html", shop=shop, url=url,
                           svg=Markup(poster.qr_svg(url).decode("utf-8").split("?>", 1)[-1]))


@bp.get("/shop/poster.<fmt>")
@role_required(*SHOP_ROLES)
def poster_file(fmt: str):
    shop = _shop_or_setup()
    if shop is None or fmt not in ("png", "svg"):
        abort(404)
    url = _storefront_url(shop)
    if fmt == "svg":
        body, mimetype = poster.qr_svg(url), "image/svg+xml"
    else:
        body, mimetype = poster.poster_png(url, shop.name, _("Scan to order from us")), "image/png"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{shop.public_id}-poster.{fmt}"'})


# -- bulk edits -------------------------------------------------------------------------------------


@bp.route("/products/bulk", methods=["GET", "POST"])
@role_required(*SHOP_ROLES)
def bulk_edit():
    shop = _shop_or_setup()
    if shop is None:
        return redirect(url_for("backoffice.shop_profile"))
    query = listing.ProductQuery.from_args(request.args)
    form = ActionForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            prices, counts = bulk.parse_bulk_form(request.form, shop.currency)
            changed = bulk.apply_bulk_edit(current_user.id, shop.id, prices, counts)
        except bulk.BulkErrors as exc:
            errors = exc.errors
            flash(_("Nothing was saved: fix the marked rows."), "error")
        except DomainError as exc:
            _refused(exc)
        else:
            flash(_("Saved: %(prices)d price(s), %(counts)d stock count(s).", prices=changed[0], counts=changed[1]),
                  "success")
            return redirect(url_for("backoffice.bulk_edit", **query.args()))
    page = listing.search_products(shop.id, query, page_size=200)
    return render_template("backoffice/bulk.html", shop=shop, query=query, page=page, form=form, errors=errors,
                           posted=request.form if request.method == "POST" else {}), (400 if errors else 200)


# -- CSV --------------------------------------------------------------------------------------------


@bp.route("/products/csv", methods=["GET", "POST"])
@role_required(*SHOP_ROLES)
def csv_page():
    shop = _shop_or_setup()
    if shop is None:
        return redirect(url_for("backoffice.shop_profile"))
    form = ImportForm()
    errors, status = [], 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        data = _upload(form.file)
        try:
            if data is None:
                raise csvio.BadFile(_("Choose a CSV file to import."), param="file")
            result = csvio.import_products(current_user.id, shop.id, data)
        except csvio.CsvRejected as exc:
            errors, status = exc.errors, 400
            flash(_("Nothing was imported: %(n)d error(s) in the file.", n=len(exc.errors)), "error")
        except DomainError as exc:
            _refused(exc)
            status = 400
        else:
            flash(_("Imported: %(created)d new, %(updated)d updated, %(counted)d stock count(s) changed.",
                    created=result.created, updated=result.updated, counted=result.counted), "success")
            return redirect(url_for("backoffice.products"))
    return render_template("backoffice/csv.html", shop=shop, form=form, errors=errors,
                           columns=csvio.COLUMNS), status


@bp.get("/products/export.csv")
@role_required(*SHOP_ROLES)
def export_csv():
    shop = _shop_or_setup()
    if shop is None:
        abort(404)
    body = "\ufeff" + csvio.export_products(current_user.id, shop.id)  # the BOM makes Excel read UTF-8
    return Response(body.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{shop.public_id}-products.csv"'})
