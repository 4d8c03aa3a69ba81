"""cookietool: Flask secret keys and session cookies, exactly as Flask writes them."""

from __future__ import annotations

__version__ = "0.1.0"
