"""``cookietool size-check``: cookie and header sizes against real limits, for CI."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import click

from cookietool import defaults
from cookietool.cli.base import Command, ExitCode
from cookietool.cli.options import (
    app_options,
    current_caps,
    fetch_url,
    read_stdin,
    stdout_console,
    url_options,
)
from cookietool.cli.sign import permanent_option
from cookietool.formats import FORMATS

#: The report's forms; --format also takes a cookie format, told apart by the word.
OUTPUTS = ("text", "json", "github", "junit")
FORMAT_NAMES = tuple(FORMATS)

if TYPE_CHECKING:
    from cookietool.appsettings import AppSettings
    from cookietool.har import HarCookies


class ServerOption(click.Option):
    """--server, whose help lists the server names of the limits data when it is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from cookietool import sizes

        names = ", ".join(sizes.server_names(sizes.load_limits()))
        self.help = (
            "Also check the Cookie request header against these servers' limits, or 'all'. "
            f"Servers: {names}."
        )
        return super().get_help_record(ctx)


@click.command("size-check", cls=Command)
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option(
    "--har",
    "har_file",
    metavar="FILE",
    help="Check every Set-Cookie and Cookie header of a browser HAR export, by host.",
)
@click.option(
    "--payload",
    metavar="JSON",
    help="Check the cookie Flask would set for this session ('-' for stdin); needs a key.",
)
@app_options(cookie="all", format_option=False)
@url_options
@permanent_option
@click.option("--server", "server_spec", cls=ServerOption, metavar="NAME[,NAME]")
@click.option("--list-limits", is_flag=True, help="Print the limits with their sources, and exit.")
@click.option(
    "--warn-at",
    type=click.IntRange(1, 100),
    default=defaults.WARN_AT,
    show_default=True,
    metavar="PERCENT",
    help="Warn when a size reaches this share of a limit.",
)
@click.option(
    "--budget",
    type=click.IntRange(min=1),
    metavar="BYTES",
    help="Your own limit on a cookie's name + value bytes; going over it is an error.",
)
@click.option(
    "--head-bytes",
    type=click.IntRange(min=0),
    default=defaults.HEAD_BYTES,
    show_default=True,
    metavar="BYTES",
    help="Request head bytes besides the Cookie line, for whole-request server limits.",
)
@click.option(
    "--response-head-bytes",
    type=click.IntRange(min=0),
    default=defaults.RESPONSE_HEAD_BYTES,
    show_default=True,
    metavar="BYTES",
    help="Response head bytes besides the Set-Cookie lines (status line, other headers), "
    "for the servers' response limits; an estimate, which --url replaces with the real one.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Exit 1 on errors only, or on warnings too.",
)
@click.option(
    "--format",
    "format_words",
    multiple=True,
    type=click.Choice([*OUTPUTS, "auto", *FORMAT_NAMES]),
    metavar="OUTPUT|FORMAT",
    help="The report's form (text, json, github, junit) or the sessions' cookie format "
    "(auto, flask, quart, starlette, django, jwt); give it twice for both.",
)
@click.option(
    "--output",
    type=click.Choice(OUTPUTS),
    help="The report's form: text (a table, the default), json, github (workflow "
    "annotations) or junit (XML).",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option(
    "--request",
    "requests",
    multiple=True,
    metavar="'METHOD /PATH [DATA]'",
    help="With --app: make this request on the app's test client, in order, cookies carried "
    "(DATA: JSON when it starts with { or [, else form data a=1&b=2); check every cookie set.",
)
@click.option(
    "--baseline",
    "baseline_path",
    metavar="FILE",
    help="Fail when a cookie grew past --max-growth since this baseline.",
)
@click.option(
    "--save-baseline",
    "save_baseline_path",
    metavar="FILE",
    help="Record the cookies' sizes in FILE, for --baseline in later runs.",
)
@click.option(
    "--max-growth",
    default="0",
    show_default=True,
    metavar="BYTES|PERCENT%",
    help="How much a cookie may grow past the baseline: bytes (200) or a percentage (5%).",
)
@click.pass_context
def command(
    ctx: click.Context,
    inputs: tuple[str, ...],
    har_file: str | None,
    payload: str | None,
    app: AppSettings,
    url: str | None,
    headers: tuple[str, ...],
    data: str | None,
    timeout: float,
    permanent: bool,
    server_spec: str | None,
    list_limits: bool,
    warn_at: int,
    budget: int | None,
    head_bytes: int,
    response_head_bytes: int,
    fail_on: str,
    format_words: tuple[str, ...],
    output: str | None,
    as_json: bool,
    requests: tuple[str, ...],
    baseline_path: str | None,
    save_baseline_path: str | None,
    max_growth: str,
) -> ExitCode:
    """Check cookie sizes against browser, Werkzeug and server limits, for CI.

    Each INPUT is a cookie in any form 'decode' takes, or '-' for standard input: a curl
    header dump (curl -D - or -i: its Set-Cookie lines), a Netscape cookie jar (curl -c,
    wget), or one cookie per line. A bare value must be a session cookie, and is named
    after --name; other input is refused. With --server, each response's Set-Cookie
    lines and head are checked against the servers' response limits (nginx answers 502
    when an upstream's head is over proxy_buffer_size), and the Cookie header against
    their request limits. Exit codes: 0 within limits (warnings are printed), 1 a browser
    would drop a cookie, a selected server would refuse the request or the response, a
    budget is exceeded, or a warning under --fail-on warning.
    """
    from cookietool import render, render_sizes, sizes

    fmt, cookie_format = _split_formats(format_words, output, as_json)
    limits = sizes.load_limits()
    if app.max_cookie_size:
        # The app's MAX_COOKIE_SIZE is the size Werkzeug warns at for this app.
        limits = tuple(
            dataclasses.replace(limit, limit=app.max_cookie_size)
            if limit.id == "werkzeug-set-cookie"
            else limit
            for limit in limits
        )
    if list_limits:
        if fmt == "json":
            click.echo(render.dump_json(render_sizes.limits_document(limits)))
        else:
            render_sizes.render_limits_text(stdout_console(ctx), limits)
        return ExitCode.OK
    if not (inputs or har_file or payload or requests or url):
        raise click.UsageError(
            "give cookies to check, --har FILE, --payload JSON, --url URL or --app with --request"
        )
    caps = current_caps()
    har: tuple[HarCookies, ...] = ()
    if har_file is not None:
        from cookietool.har import read_har_file

        har = tuple(read_har_file(har_file, max_bytes=caps.har_bytes))
    specs, observed = sizes.gather(
        inputs,
        app.cookie.name,
        stdin_text=read_stdin("INPUT") if "-" in inputs else None,
        har=har,
        signed=_payload_cookie(payload, app, permanent) if payload is not None else None,
        max_cookies=caps.cookies,
        max_line=caps.line_bytes,
        cookie_format=cookie_format,
    )
    if requests:
        specs += _driven_cookies(ctx, requests)
    measured_heads: dict[str, int] = {}
    if url is not None:
        fetched = fetch_url(url, headers, data, timeout)
        for number, response in enumerate(fetched.responses, start=1):
            label = f"--url response {number} ({response.status})"
            cookies = response.set_cookies
            specs += [
                sizes.CookieSpec(
                    label, cookie.name, cookie.value, set_cookie=cookie, response=label
                )
                for cookie in cookies
            ]
            # The head as received, less its Set-Cookie lines: the rest, measured.
            lines = sum(len(b"Set-Cookie: ") + len(raw) + 2 for raw in response.set_cookie_raw)
            measured_heads[label] = response.head_bytes - lines
    report = sizes.check(
        specs,
        observed_headers=observed,
        servers=sizes.select_servers(server_spec, limits) if server_spec else (),
        limits=limits,
        warn_at=warn_at,
        budget=budget,
        head_bytes=head_bytes,
        response_head_bytes=response_head_bytes,
        measured_heads=measured_heads,
    )
    if baseline_path is not None:
        from cookietool import baseline
        from cookietool.readfile import read_limited

        text = read_limited(
            baseline_path, caps.input_bytes, f"--baseline {baseline_path}", "input-bytes"
        )
        before = baseline.load(text.decode("utf-8", "replace"))
        growth = baseline.parse_growth(max_growth)
        report = dataclasses.replace(
            report, baseline=tuple(baseline.compare(report, before, growth))
        )
    if save_baseline_path is not None:
        _save_baseline(save_baseline_path, report)
    if fmt == "json":
        click.echo(render.dump_json(render_sizes.size_document(report, fail_on)))
    elif fmt == "github":
        click.echo(render_sizes.github_annotations(report, fail_on))
    elif fmt == "junit":
        click.echo(render_sizes.junit_xml(report, fail_on))
    else:
        render_sizes.render_size_text(stdout_console(ctx), report, fail_on)
    return ExitCode.CHECK_FAILED if report.failed(fail_on) else ExitCode.OK


def _split_formats(words: tuple[str, ...], output: str | None, as_json: bool) -> tuple[str, str]:
    """The report's form and the cookie format, from --format (either, or both), --output
    and --json; two different answers to one question are refused."""
    outputs = [word for word in words if word in OUTPUTS]
    outputs += [output] if output else []
    outputs += ["json"] if as_json else []
    cookie_formats = [word for word in words if word not in OUTPUTS]
    for what, given in (("report form", outputs), ("cookie format", cookie_formats)):
        if len(set(given)) > 1:
            raise click.UsageError(f"two {what}s given: {' and '.join(dict.fromkeys(given))}")
    return (outputs or ["text"])[0], (cookie_formats or ["auto"])[0]


def _payload_cookie(payload: str, app: AppSettings, permanent: bool) -> Any:
    """The Set-Cookie line Flask would send for --payload, split."""
    from cookietool.cookieinput import parse_set_cookie
    from cookietool.signing import parse_payload, sign_session

    signed = sign_session(
        parse_payload(read_stdin("--payload") if payload == "-" else payload, current_caps()),
        app.keys,
        scheme=app.scheme,
        settings=app.cookie,
        set_cookie=True,
        permanent=permanent,
    )
    assert signed.set_cookie is not None
    return parse_set_cookie(signed.set_cookie)


def _driven_cookies(ctx: click.Context, requests: tuple[str, ...]) -> list[Any]:
    """The cookies the app sets through --request, each with its Set-Cookie line."""
    from cookietool import appdrive, sizes
    from cookietool.cli.options import FLASK_APP_META
    from cookietool.cookieinput import parse_set_cookie

    app = ctx.meta.get(FLASK_APP_META)
    if app is None:
        raise click.UsageError("--request needs the app: give --app IMPORT (or $FLASK_APP)")
    parsed = [appdrive.parse_request(text) for text in requests]
    specs = []
    for seen in appdrive.drive(app, parsed):
        cookie = parse_set_cookie(seen.header)
        specs.append(
            sizes.CookieSpec(
                seen.label, cookie.name, cookie.value, set_cookie=cookie, response=seen.label
            )
        )
    return specs


def _save_baseline(path: str, report: Any) -> None:
    """Write the baseline atomically, so a failed write never leaves half a file."""
    import json
    import os
    import tempfile

    from cookietool import baseline
    from cookietool.errors import InputError

    text = json.dumps(baseline.document(report), indent=2, sort_keys=True) + "\n"
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".cookietool-baseline-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as e:
        raise InputError(f"cannot write --save-baseline {path}: {e.strerror or e}") from e
