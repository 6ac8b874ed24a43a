"""API tokens: creation (the secret is shown once), revocation, and authenticating a request's token."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.api.models import ApiToken
from tracker.audit.services import record
from tracker.auth.models import User
from tracker.common.clock import utcnow
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.access.permissions import can_manage_users
from tracker.extensions import db

SECRET_PREFIX = "dbn_"
PREFIX_LENGTH = 8
MAX_NAME_LENGTH = 80
MAX_ACTIVE_TOKENS = 20
# Writing last_used_at on every request would make each read a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def active_tokens(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken)
                             .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))) or 0


def create_token(actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``actor``; returns the row and the secret, which is never stored and never shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写令牌名称。"))
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(_("令牌名称不能超过%(n)d个字符。", n=MAX_NAME_LENGTH))
    if active_tokens(actor) >= MAX_ACTIVE_TOKENS:
        raise ValidationFailed(_("每个用户最多可有%(n)d个有效令牌，请先吊销不用的令牌。", n=MAX_ACTIVE_TOKENS))
    # 32 random bytes: guessing is hopeless, so a plain SHA-256 (no slow hash) is enough to store it.
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, token_hash=hash_secret(secret), prefix=secret[:PREFIX_LENGTH],
                     created_at=utcnow())
    db.session.add(token)
    record(actor, "api_token.created", token, changes={"name": name, "prefix": token.prefix, "user_id": actor.id},
           summary=name)
    return token, secret


def revoke_token(actor: User, token: ApiToken) -> ApiToken:
    """The owner (or an admin) revokes a token; requests with it are refused from then on."""
    if token.user_id != actor.id and not can_manage_users(actor):
        raise PermissionDenied(_("只能吊销自己的令牌。"))
    if token.revoked_at is not None:
        raise ValidationFailed(_("该令牌已吊销。"))
    token.revoked_at = utcnow()
    record(actor, "api_token.revoked", token, changes={"name": token.name, "prefix": token.prefix,
                                                      "user_id": token.user_id}, summary=token.name)
    return token


def user_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, active ones first, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                                             ApiToken.id.desc())))


def authenticate(secret: str | None) -> User | None:
    """The active user owning this unrevoked token, else None. Never commits (the caller saves last_used_at).

    The lookup is by the secret's hash, so the database never compares secrets; the final
    compare_digest keeps the check constant-time even if the index lookup were case-insensitive."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 200 or not secret.isascii():
        return None
    digest = hash_secret(secret)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest) or token.revoked_at is not None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active_user:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return user
