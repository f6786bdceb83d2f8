"""Users, API keys and sessions in the database; password checks that leak nothing.

* Passwords are hashed with Argon2id (argon2-cffi's defaults). Signing in as an unknown user
  verifies the password against a dummy hash of the same parameters, so it costs the same
  work as a wrong password for a known user.
* Failed sign-ins are counted per user name and per client address; after
  :data:`FREE_FAILURES` in a row each further attempt waits twice as long as the last (from
  1 s up to :data:`MAX_DELAY_SECONDS`), answered 429 with ``Retry-After`` until then. A
  successful sign-in clears both counts.
* A session's cookie token and an API key are stored only as their SHA-256; each session has
  its own CSRF token (synchronizer pattern).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db.models import ApiKey, SignInFailure, User, UserSession, utcnow
from ..exceptions import SignInError
from ..settings import ROLES

__all__ = [
    "FREE_FAILURES", "MAX_DELAY_SECONDS", "Actor", "SignInError", "add_api_key", "add_user", "authenticate",
    "end_session", "has_role", "resolve_key", "resolve_session", "start_session",
]

FREE_FAILURES = 3
MAX_DELAY_SECONDS = 300
MIN_PASSWORD_LENGTH = 10
_NAME = re.compile(r"^[A-Za-z0-9_.@\-\u4e00-\u9fff]{1,64}$")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Actor:
    """Who makes a request: a user (``via="session"``), a key (``"key"``) or nobody (``"anonymous"``)."""

    name: str
    role: str | None
    via: str
    csrf_token: str | None = None


def has_role(actor: Actor | None, role: str) -> bool:
    return actor is not None and actor.role in ROLES and ROLES.index(actor.role) >= ROLES.index(role)


def _hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _check_name_role(name: str, role: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"invalid name {name!r}: 1–64 letters, digits, Chinese characters or _ . @ -")
    if role not in ROLES:
        raise ValueError(f"invalid role {role!r}; one of {', '.join(ROLES)}")


def add_user(db: Session, name: str, password: str, role: str, *, actor: str) -> User:
    """Create a user (the password is hashed here and never stored or returned in clear)."""
    _check_name_role(name, role)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if db.scalar(select(User.id).where(User.name == name)) is not None:
        raise ValueError(f"user {name!r} exists already")
    user = User(name=name, password_hash=_hash_password(password), role=role, active=True, created_by=actor)
    db.add(user)
    db.flush()
    return user


def add_api_key(db: Session, name: str, role: str, *, actor: str) -> str:
    """Create an API key for a machine client; returns the key (shown once, stored as its hash)."""
    _check_name_role(name, role)
    if db.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise ValueError(f"API key {name!r} exists already")
    key = secrets.token_urlsafe(32)
    db.add(ApiKey(name=name, key_sha256=_sha256(key), role=role, created_by=actor))
    db.flush()
    return key


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def resolve_key(db: Session, key: str) -> Actor | None:
    """The actor of a database API key (None: unknown or revoked)."""
    row = db.scalar(select(ApiKey).where(ApiKey.key_sha256 == _sha256(key), ApiKey.revoked_at.is_(None)))
    return Actor(row.name, row.role, "key") if row is not None else None


# -- sign-in -----------------------------------------------------------------------------------
def _delay(failures: int) -> int:
    return 0 if failures < FREE_FAILURES else min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


def _wait_seconds(db: Session, keys: list[str], now: dt.datetime) -> int:
    wait = 0
    for row in db.scalars(select(SignInFailure).where(SignInFailure.key.in_(keys))):
        until = row.last_at + dt.timedelta(seconds=_delay(row.failures))
        wait = max(wait, int((until - now).total_seconds() + 0.999))
    return wait


def _record_failure(db: Session, keys: list[str], now: dt.datetime) -> None:
    for key in keys:
        row = db.get(SignInFailure, key)
        if row is None:
            db.add(SignInFailure(key=key, failures=1, last_at=now))
        else:
            row.failures += 1
            row.last_at = now


def authenticate(db: Session, name: str, password: str, *, ip: str | None, now: dt.datetime | None = None) -> User:
    """The active user with this name and password.

    Raises
    ------
    SignInError
        429 while the name or the address is waiting after failures; 401 for an unknown user,
        an inactive one or a wrong password (the same message and the same hash work).
    """
    now = now or utcnow()
    keys = [f"user:{name[:120]}", f"ip:{ip or '-'}"]
    wait = _wait_seconds(db, keys, now)
    if wait > 0:
        raise SignInError(429, f"登录失败次数过多，请 {wait} 秒后再试 / too many failed sign-ins; try again in {wait} s", wait)
    user = db.scalar(select(User).where(User.name == name))
    ok = _verify(user.password_hash if user is not None else _dummy_hash(), password)
    if user is None or not ok or not user.active:
        _record_failure(db, keys, now)
        raise SignInError(401, "用户名或密码错误 / wrong user name or password")
    db.execute(delete(SignInFailure).where(SignInFailure.key.in_(keys)))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hash_password(password)
    return user


def start_session(db: Session, user: User, *, hours: float, ip: str | None, now: dt.datetime | None = None) -> tuple[str, str]:
    """A new session for ``user``: (the cookie's token, the CSRF token)."""
    now = now or utcnow()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.add(UserSession(token_sha256=_sha256(token), user_id=user.id, csrf_token=csrf, created_at=now,
                       expires_at=now + dt.timedelta(hours=hours), ip=(ip or None)))
    db.execute(delete(UserSession).where(UserSession.expires_at < now))  # tidy expired sessions
    db.flush()
    return token, csrf


def resolve_session(db: Session, token: str, *, now: dt.datetime | None = None) -> Actor | None:
    """The actor of a session cookie (None: unknown, expired, or its user is inactive)."""
    now = now or utcnow()
    row = db.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id).where(UserSession.token_sha256 == _sha256(token))
    ).first()
    if row is None:
        return None
    session, user = row
    if session.expires_at <= now or not user.active:
        return None
    return Actor(user.name, user.role, "session", session.csrf_token)


def end_session(db: Session, token: str) -> None:
    db.execute(delete(UserSession).where(UserSession.token_sha256 == _sha256(token)))
