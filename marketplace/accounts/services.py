"""Account use cases: register, authenticate, passwords, roles and API tokens."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
import email_validator
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ..errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..statemachine import utcnow
from .models import SELF_SERVICE_ROLES, ApiToken, Role, User, UserRole, hash_token
from .tokens import new_token_value, token_lifetime

# The demo town's accounts live under demo.local and the tests' under example.test: reserved names
# that email_validator refuses by default.
for _reserved in ("local", "test"):
    if _reserved in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        email_validator.SPECIAL_USE_DOMAIN_NAMES.remove(_reserved)

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8
# Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def normalise_email(email: str) -> str:
    try:
        return validate_email(email or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationError(f"That email address is not valid: {exc}", param="email") from None


def check_password_strength(password: str, *, param: str = "password") -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.", param=param)
    if len(password) > 256:
        raise ValidationError("The password is too long (256 characters at most).", param=param)
    if password.isdigit() or password.isalpha():
        raise ValidationError("Mix letters with digits or symbols in the password.", param=param)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError(
            f"Role must be one of: {', '.join(r.value for r in SELF_SERVICE_ROLES)}.", param="role"
        ) from None


def register_user(email: str, password: str, name: str, role: str = "resident", *, locale: str | None = None) -> User:
    """Create an account with one self-service role. Nobody makes themselves a lender."""
    email = normalise_email(email)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError("Give a name of 1 to 120 characters.", param="name")
    parsed = _parse_role(role)
    if parsed not in SELF_SERVICE_ROLES:
        raise PermissionDenied("Lender accounts are created by the bank, not by sign-up.", code="role_not_allowed")
    check_password_strength(password)
    if db.session.execute(select(User.id).where(func.lower(User.email) == email)).scalar() is not None:
        raise Conflict("An account with this email already exists; log in instead.", param="email",
                       code="email_taken")
    user = User(email=email, name=name, password_hash=hash_password(password), locale=locale)
    user.roles.append(UserRole(role=parsed))
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User:
    """The user with this email and password, or AuthenticationFailed (the same for either mistake)."""
    try:
        email = normalise_email(email)
    except ValidationError:
        email = None
    user = (
        db.session.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none()
        if email else None
    )
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        raise AuthenticationFailed("Wrong email or password.", code="invalid_credentials") from None
    if user is None:
        raise AuthenticationFailed("Wrong email or password.", code="invalid_credentials")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def change_password(user_id: int, current_password: str, new_password: str) -> None:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    try:
        _hasher.verify(user.password_hash, current_password or "")
    except (VerificationError, InvalidHashError):
        raise ValidationError("The current password is wrong.", param="current_password") from None
    check_password_strength(new_password, param="new_password")
    if new_password == current_password:
        raise ValidationError("Choose a password different from the current one.", param="new_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    db.session.commit()


def grant_role(user_id: int, role: str, *, granted_by_id: int | None = None) -> None:
    """Add a role to an account (a merchant who also shops, a supplier who also retails)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    parsed = Role(role)
    if parsed == Role.lender:
        granter = db.session.get(User, granted_by_id) if granted_by_id else None
        if granter is None or not granter.has_role(Role.lender):
            raise PermissionDenied("Only a lender can make another lender.")
    if not user.has_role(parsed):
        user.roles.append(UserRole(role=parsed, granted_by_id=granted_by_id))
        db.session.commit()


def create_lender(email: str, password: str, name: str, *, created_by_id: int | None = None) -> User:
    """A lender account, from the `flask users create-lender` command (no creator) or by another lender."""
    if created_by_id is not None:
        creator = db.session.get(User, created_by_id)
        if creator is None or not creator.has_role(Role.lender):
            raise PermissionDenied("Only a lender can make another lender.")
    email = normalise_email(email)
    check_password_strength(password)
    if db.session.execute(select(User.id).where(func.lower(User.email) == email)).scalar() is not None:
        raise Conflict("An account with this email already exists.", param="email", code="email_taken")
    user = User(email=email, name=(name or email).strip()[:120], password_hash=hash_password(password))
    user.roles.append(UserRole(role=Role.lender, granted_by_id=created_by_id))
    db.session.add(user)
    db.session.commit()
    return user


def issue_token(email: str, password: str, *, name: str = "api") -> tuple[ApiToken, str]:
    """Log in for the API: returns the stored token row and the raw value, shown only this once."""
    user = authenticate(email, password)
    raw = new_token_value()
    token = ApiToken(user_id=user.id, token_hash=hash_token(raw), name=name[:80],
                     expires_at=utcnow() + token_lifetime())
    db.session.add(token)
    db.session.commit()
    return token, raw


def revoke_token(user_id: int, token_public_id: str | None = None, *, raw: str | None = None) -> ApiToken:
    """Revoke one of the user's tokens, by its id or by its raw value (the one in use)."""
    stmt = select(ApiToken).where(ApiToken.user_id == user_id)
    if raw is not None:
        stmt = stmt.where(ApiToken.token_hash == hash_token(raw))
    else:
        stmt = stmt.where(ApiToken.public_id == token_public_id)
    token = db.session.execute(stmt).scalar_one_or_none()
    if token is None:
        raise NotFound("No such token.", param="token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token


def load_user(public_id: str) -> User | None:
    return db.session.execute(select(User).where(User.public_id == public_id)).scalar_one_or_none()
