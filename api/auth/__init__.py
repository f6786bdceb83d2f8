"""Users, roles, API keys and sign-in sessions (data layer in :mod:`.accounts`, request
handling in :mod:`.guard`)."""

from .accounts import Actor, SignInError, add_api_key, add_user, authenticate, end_session, has_role, start_session

__all__ = ["Actor", "SignInError", "add_api_key", "add_user", "authenticate", "end_session", "has_role", "start_session"]
