"""Inspecting a Flask session cookie: payload, signing time, signature and expiry."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cookietool import flaskcookie, tagged
from cookietool.errors import InputError, TagError
from cookietool.flaskcookie import ParsedCookie, Scheme

if TYPE_CHECKING:
    from cookietool.keys import SecretKey

EPOCHS = ("auto", "unix", "legacy")


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on a cookie's signature for the keys given (oldest first)."""

    status: str
    keys_tried: int
    key_index: int | None = None
    key_label: str | None = None

    @property
    def matched_newest(self) -> bool:
        """True when the current key (the last) matched rather than a fallback."""
        return self.key_index is not None and self.key_index == self.keys_tried - 1


@dataclass(frozen=True)
class Inspection:
    """Everything ``decode`` learns about one cookie."""

    cookie: ParsedCookie
    name: str | None
    payload: Any
    session: Any
    session_error: str | None
    legacy_epoch: bool
    timestamp: int
    now: int
    signature: SignatureCheck
    max_age: int | None
    expired: bool | None
    scheme: Scheme

    @property
    def age(self) -> int:
        """Seconds since signing (negative when signed in the future)."""
        return self.now - self.timestamp

    @property
    def ok(self) -> bool:
        """False when a check that was asked for failed."""
        return self.signature.status != "invalid" and self.expired is not True


def check_signature(
    cookie: ParsedCookie, keys: Sequence[SecretKey], scheme: Scheme
) -> SignatureCheck:
    """Verify the signature against ``keys`` as Flask's SECRET_KEY_FALLBACKS do."""
    if not keys:
        return SignatureCheck("unchecked", 0)
    index = flaskcookie.find_key(cookie, [key.value for key in keys], scheme)
    if index is None:
        return SignatureCheck("invalid", len(keys))
    return SignatureCheck("valid", len(keys), index, keys[index].label)


def inspect_cookie(
    value: str,
    keys: Sequence[SecretKey] = (),
    *,
    name: str | None = None,
    scheme: Scheme | None = None,
    max_age: int | None = None,
    epoch: str = "auto",
    now: int | None = None,
    inflate_limit: int = flaskcookie.DEFAULT_INFLATE_LIMIT,
) -> Inspection:
    """Decode a session cookie value and check it against the keys and ``max_age``."""
    if epoch not in EPOCHS:
        raise InputError(f"unknown epoch {epoch!r}; choose one of {', '.join(EPOCHS)}")
    if max_age is not None and max_age < 0:
        raise InputError("--max-age must not be negative")
    scheme = scheme or Scheme()
    cookie = flaskcookie.parse(value, inflate_limit)
    payload = flaskcookie.load_json(cookie.json_text)
    session: Any = None
    session_error = None
    try:
        session = tagged.untag(payload)
    except TagError as e:
        session_error = str(e)
    legacy = (
        flaskcookie.looks_legacy(cookie.timestamp_raw) if epoch == "auto" else (epoch == "legacy")
    )
    timestamp = flaskcookie.to_unix(cookie.timestamp_raw, legacy)
    now = int(time.time()) if now is None else now
    expired = None
    if max_age is not None:
        # itsdangerous TimestampSigner.unsign: too old, or signed in the future.
        age = now - timestamp
        expired = age > max_age or age < 0
    return Inspection(
        cookie=cookie,
        name=name,
        payload=payload,
        session=session,
        session_error=session_error,
        legacy_epoch=legacy,
        timestamp=timestamp,
        now=now,
        signature=check_signature(cookie, keys, scheme),
        max_age=max_age,
        expired=expired,
        scheme=scheme,
    )
