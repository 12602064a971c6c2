"""Account endpoints of the JSON API: tokens, sign-up and the current user."""
from flask import jsonify, request

from ..api_support import api_blueprint, api_login_required, current_api_user, field, json_body
from ..extensions import limiter
from . import services

bp = api_blueprint("accounts_api", __name__)


def _login_limit():
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.post("/auth/token")
@limiter.limit(_login_limit)
def create_token():
    """Exchange an email and password for an API token.
    ---
    post:
      tags: [auth]
      summary: Log in and get a bearer token
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [email, password]
              properties:
                email: {type: string}
                password: {type: string}
      responses:
        201: {description: "`{token, id, expires}`; the token is shown only once"}
        401: {description: wrong email or password}
    """
    body = json_body()
    token, raw = services.issue_token(field(body, "email"), field(body, "password"))
    return jsonify({"object": "token", "id": token.public_id, "token": raw,
                    "expires": int(token.expires_at.timestamp())}), 201


@bp.post("/auth/register")
@limiter.limit(_login_limit)
def register():
    """Create a resident, merchant or supplier account.
    ---
    post:
      tags: [auth]
      summary: Sign up
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [email, password, name, role]
              properties:
                email: {type: string}
                password: {type: string, minLength: 8}
                name: {type: string}
                role: {type: string, enum: [resident, merchant, supplier]}
      responses:
        201: {description: the new user}
        400: {description: a field is missing or invalid}
        403: {description: lender accounts cannot be self-created}
        409: {description: the email is taken}
    """
    body = json_body()
    user = services.register_user(field(body, "email"), field(body, "password"), field(body, "name"),
                                  field(body, "role", required=False, default="resident"))
    return jsonify(user.to_json()), 201


@bp.post("/auth/revoke")
@api_login_required()
def revoke():
    """Revoke a token: the one in use, or another of yours named by `token` (its `tok_` id).
    ---
    post:
      tags: [auth]
      summary: Revoke an API token
      security: [{bearer: []}]
      responses:
        200: {description: the revoked token}
    """
    body = request.get_json(silent=True) or {}
    user = current_api_user()
    target = body.get("token") if isinstance(body, dict) else None
    if target:
        token = services.revoke_token(user.id, str(target))
    else:
        raw = request.headers["Authorization"].partition(" ")[2].strip()
        token = services.revoke_token(user.id, raw=raw)
    return jsonify({"object": "token", "id": token.public_id, "revoked": True})


@bp.get("/me")
@api_login_required()
def me():
    """The user the token belongs to, with their roles.
    ---
    get:
      tags: [auth]
      summary: The current user
      security: [{bearer: []}]
      responses:
        200: {description: the user}
        401: {description: no or bad token}
    """
    return jsonify(current_api_user().to_json())


@bp.post("/lenders")
@api_login_required("lender")
def create_lender():
    """A lender creates another lender (nobody can sign up as one).
    ---
    post:
      tags: [auth]
      summary: Create a lender account
      security: [{bearer: []}]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [email, password, name]
              properties:
                email: {type: string}
                password: {type: string, minLength: 8}
                name: {type: string}
      responses:
        201: {description: the new lender}
        400: {description: a field is missing or invalid}
        403: {description: the caller is not a lender}
        409: {description: the email is taken}
    """
    body = json_body()
    user = services.create_lender(field(body, "email"), field(body, "password"), field(body, "name"),
                                  created_by_id=current_api_user().id)
    return jsonify(user.to_json()), 201
