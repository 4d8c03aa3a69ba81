"""``cookietool audit``: find a cookie's secret key among known and listed keys."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from cookietool.cli.base import Command, ExitCode
from cookietool.cli.options import (
    app_options,
    current_caps,
    fetch_url,
    json_option,
    read_stdin,
    url_options,
)

if TYPE_CHECKING:
    from cookietool.appsettings import AppSettings
    from cookietool.audit import AuditResult, Target
    from cookietool.wordlists import CandidateSource, Shard


@click.command("audit", cls=Command)
@click.argument("cookies", nargs=-1, metavar="COOKIE...")
@click.option(
    "--wordlist",
    "wordlist_paths",
    multiple=True,
    metavar="FILE",
    help="Candidate keys, one per line as raw bytes; .gz read directly; '-' streams stdin.",
)
@click.option(
    "--quoted",
    is_flag=True,
    help="Wordlist lines are Flask-Unsign's quoted Python literals ('key', b'key').",
)
@click.option(
    "--no-builtin",
    is_flag=True,
    help="Skip the built-in known keys and Flask-Unsign's wordlist.",
)
@click.option(
    "--shard",
    "shard_text",
    metavar="I/N",
    help="Try only this machine's part of the candidates: those whose line position in the "
    "whole candidate stream is I-1 modulo N. N machines running 1/N to N/N of the same "
    "command try each candidate once.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 256),
    help="Worker processes (default: one per CPU; at most 256).",
)
@app_options(keys=False)
@url_options
@click.option(
    "--hashcat",
    "for_hashcat",
    is_flag=True,
    help="Print the line hashcat takes (mode 29100 for Flask, 16500 for JWTs) instead of "
    "searching, and for which hashcat versions; or why none takes it. Exit 0 only if the "
    "hashcat installed (or --hashcat-version) takes every line.",
)
@click.option(
    "--hashcat-version",
    metavar="VERSION",
    help="Judge --hashcat for this hashcat version (such as 6.2.6) instead of the installed one.",
)
@json_option
def command(
    cookies: tuple[str, ...],
    wordlist_paths: tuple[str, ...],
    quoted: bool,
    no_builtin: bool,
    shard_text: str | None,
    jobs: int | None,
    app: AppSettings,
    url: str | None,
    headers: tuple[str, ...],
    data: str | None,
    timeout: float,
    for_hashcat: bool,
    hashcat_version: str | None,
    as_json: bool,
) -> ExitCode:
    """Find a session cookie's secret key among known and listed keys.

    Tries every candidate against every COOKIE (any form 'decode' takes) and stops at the
    first match. Candidates: the built-in list of framework defaults and documentation
    keys, Flask-Unsign's wordlist when cookietool[wordlist] is installed, and --wordlist
    files. Exit codes: 1 a key was found (the key is weak), 0 none was, 2 bad input.
    """
    from cookietool import audit as engine
    from cookietool import cookieinput, render, render_keys, wordlists

    if not cookies and url is None:
        raise click.UsageError("give at least one COOKIE, or --url URL")
    shard = None if shard_text is None else wordlists.parse_shard(shard_text)
    texts = [read_stdin("COOKIE") if c == "-" else c for c in cookies]
    if url is not None:
        from cookietool.cli.decode import _cookie_from_url

        texts.append(_cookie_from_url(fetch_url(url, headers, data, timeout), app.cookie.name, url))
    values = [cookieinput.extract(text, app.cookie.name).value for text in texts]
    from cookietool.session import choose_format

    targets = []
    for value in values:
        fmt, scheme, _ = choose_format(
            value, app.format, (), app.scheme if app.scheme_given else None
        )
        targets.append(engine.Target(value, scheme, fmt.name))
    if for_hashcat:
        from cookietool import hashcat

        exports = [hashcat.export(t.value, t.scheme, t.format) for t in targets]
        # The verdict is for the hashcat that will run: the one named, else the one
        # installed, else the newest release.
        installed = False
        version = None
        if hashcat_version is not None:
            version = hashcat.parse_version(hashcat_version)
        else:
            version = hashcat.installed_version()
            installed = version is not None
        if as_json:
            document = render_keys.hashcat_document(exports, version, installed)
            click.echo(render.dump_json(document))
        else:
            lines, notes = render_keys.hashcat_text(exports, version, installed)
            for line in lines:
                click.echo(line)
            for note in notes:
                click.echo(note, err=True)
        taken = all(e.judge(version).ok for e in exports)
        return ExitCode.OK if taken else ExitCode.CHECK_FAILED
    engine.groups_for(targets)  # bad cookies are refused before any work starts
    sources = wordlists.candidate_sources(
        not no_builtin, wordlist_paths, quoted, current_caps().wordlist_line_bytes
    )
    result = _run_audit(targets, sources, jobs, shard, show_progress=not as_json)
    origin = None if result.key is None else wordlists.origin_of(result.key)
    if as_json:
        click.echo(render.dump_json(render_keys.audit_document(result, origin, len(targets))))
    else:
        click.echo(render_keys.audit_text(result, origin, len(targets)))
    return ExitCode.CHECK_FAILED if result.key is not None else ExitCode.OK


def _run_audit(
    targets: list[Target],
    sources: list[CandidateSource],
    jobs: int | None,
    shard: Shard | None,
    show_progress: bool,
) -> AuditResult:
    """The search, with a progress bar on stderr when it is a terminal."""
    import gc

    from cookietool import audit as engine

    gc.enable()  # a long run: let the collector work again (__main__ pauses it at start-up)
    if not (show_progress and sys.stderr.isatty()):
        return engine.audit(targets, sources, jobs=jobs, shard=shard)
    import time

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    sizes = [source.size for source in sources]
    total = None if None in sizes else sum(size or 0 for size in sizes)
    part = "" if shard is None else f" (shard {shard})"
    columns: Any = [
        TextColumn("{task.fields[tried]:,} keys tried" + part + ", {task.fields[rate]:,.0f}/s")
    ]
    if total is not None:
        # The wordlists' size is known: how far through them, and of how much.
        columns += [
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}% of " + _megabytes(total)),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        ]
    else:
        columns += [BarColumn(), TimeElapsedColumn()]
    started = time.perf_counter()
    console = Console(stderr=True, markup=False, highlight=False)
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("audit", total=total, tried=0, rate=0.0)

        def update(tried: int, done: int) -> None:
            rate = tried / max(time.perf_counter() - started, 1e-9)
            progress.update(task, completed=done, tried=tried, rate=rate)

        return engine.audit(targets, sources, jobs=jobs, on_progress=update, shard=shard)


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size >= 100_000 else f"{size:,} bytes"
