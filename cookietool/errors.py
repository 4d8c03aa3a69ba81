"""The one exception tree of cookietool: every error the core raises is a CookietoolError."""

from __future__ import annotations


class CookietoolError(Exception):
    """Base of every error cookietool raises on purpose."""

    #: The name of the cap (cookietool.caps) the input went over, if that is the problem.
    cap: str | None = None


class InputError(CookietoolError):
    """Input that cannot be used as given: the user must change it."""


class CapError(InputError):
    """Input over one of the caps in cookietool.caps; ``cap`` names it."""

    def __init__(self, message: str, cap: str) -> None:
        super().__init__(message)
        self.cap = cap


class CookieFormatError(InputError):
    """A cookie that is not in the Flask session format."""


class MissingTimestampError(CookieFormatError):
    """A value whose format may carry no signing time (a JWT without iat): not damage."""


class PayloadTooLargeError(CookieFormatError):
    """A compressed payload that inflates past the configured limit."""

    cap = "inflate-bytes"

    def __init__(self, limit: int) -> None:
        super().__init__(f"compressed payload inflates to more than {limit} bytes; refused")
        self.limit = limit


class TagError(InputError):
    """A value tagged in Flask's tagged JSON whose content does not fit the tag."""


class PayloadError(InputError):
    """A session payload to sign that is not a JSON object Flask can store."""


class KeyInputError(InputError):
    """A secret key option that cannot be read (bad hex, missing file or variable)."""
