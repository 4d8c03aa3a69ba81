"""Session keys that Flask and its common extensions write, and what they mean."""

from __future__ import annotations

#: Each entry says who writes the key and what its value means.
WELL_KNOWN = {
    "_permanent": "Flask: the session is permanent; the cookie expires "
    "PERMANENT_SESSION_LIFETIME (31 days by default) after it was signed",
    "_flashes": "Flask: flashed messages not shown yet, as (category, message) pairs",
    "_fresh": "Flask-Login: True when the user logged in with a password in this session, "
    "False when restored from a remember-me cookie",
    "_user_id": "Flask-Login: the id of the logged-in user (what user_loader receives)",
    "_id": "Flask-Login: session identifier, a SHA-512 of the client's IP address and "
    "User-Agent, checked by session protection",
    "_remember": "Flask-Login: 'set' or 'clear' the remember-me cookie on the next response",
    "_remember_seconds": "Flask-Login: lifetime in seconds of the remember-me cookie to set",
    "csrf_token": "Flask-WTF: the raw CSRF secret; forms carry a signed, timed copy of it",
}


def explain(key: str) -> str | None:
    """What a well-known session key means, or None for an app's own key."""
    return WELL_KNOWN.get(key)
