"""``flask cookie ...``: cookietool's commands inside a Flask project, with its app.

Registered with Flask's command line through the ``flask.commands`` entry point group,
so in a project ``flask cookie decode COOKIE`` verifies with the app's keys, scheme and
cookie settings and checks its PERMANENT_SESSION_LIFETIME, with no option at all. The app
is the one ``flask`` found (``--app``, ``$FLASK_APP``, ``app.py``), loaded by Flask's own
``ScriptInfo``; options given on the command line still win.
"""

from __future__ import annotations

from typing import Any, ClassVar

import click

from cookietool.cli import CommandsGroup
from cookietool.cli.options import FLASK_APP_META


class FlaskCookieGroup(CommandsGroup):
    """The commands that take an app; each runs with the app that Flask's CLI loaded."""

    lazy_commands: ClassVar[dict[str, str]] = {
        name: module
        for name, module in CommandsGroup.lazy_commands.items()
        if name in ("decode", "sign", "size-check", "audit")
    }

    def invoke(self, ctx: click.Context) -> Any:
        from flask.cli import ScriptInfo

        info = ctx.ensure_object(ScriptInfo)
        app = info.load_app()
        ctx.meta[FLASK_APP_META] = app
        with app.app_context():
            return super().invoke(ctx)


@click.group("cookie", cls=FlaskCookieGroup)
def cookie() -> None:
    """Decode, sign, size-check and audit this app's session cookies (cookietool)."""
