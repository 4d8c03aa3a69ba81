"""A small shop as a Flask user writes it: login, cart, flashes, a permanent session."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, flash, redirect, request, session
from flask.typing import ResponseReturnValue

app = Flask(__name__)
app.config.from_mapping(
    SECRET_KEY="shop-current-key-0123456789abcdef",
    SECRET_KEY_FALLBACKS=["shop-old-key-0123456789abcdef"],
    SESSION_COOKIE_NAME="shop_session",
    SESSION_COOKIE_SAMESITE="Lax",
    PERMANENT_SESSION_LIFETIME=timedelta(days=7),
)


@app.post("/login")
def login() -> ResponseReturnValue:
    session.permanent = True
    session["user_id"] = int(request.form.get("user", "1"))
    flash("Welcome back!")
    return redirect("/cart")


@app.post("/cart")
def add_to_cart() -> ResponseReturnValue:
    cart = session.setdefault("cart", [])
    cart.extend(request.get_json(silent=True) or [request.form.get("item", "x")])
    session.modified = True
    return {"items": len(session["cart"])}


@app.get("/cart")
def show_cart() -> ResponseReturnValue:
    return {"items": len(session.get("cart", []))}
