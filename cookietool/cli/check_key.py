"""``cookietool check-key``: judge a secret key, or every SECRET_KEY written in files."""

from __future__ import annotations

import click

from cookietool.cli.base import Command, ExitCode
from cookietool.cli.options import current_caps, json_option


@click.command("check-key", cls=Command)
@click.argument("targets", nargs=-1, metavar="[KEY | - | FILE...]")
@click.option(
    "--key-file",
    metavar="FILE",
    help="Read the key from FILE (its content, one trailing newline removed; at most 1 MiB).",
)
@click.option(
    "--key-env",
    "--env",
    "env_var",
    metavar="VAR",
    help="Read the key from environment variable VAR (--env is the older spelling).",
)
@click.option(
    "--app",
    "app_import",
    metavar="IMPORT",
    help="Judge the SECRET_KEY and SECRET_KEY_FALLBACKS of this Flask app, found as "
    "'flask --app' finds it.",
)
@click.option(
    "--dotenv",
    "dotenv_path",
    metavar="PATH",
    help="Judge the keys of this .env file: FLASK_SECRET_KEY and FLASK_SECRET_KEY_FALLBACKS "
    "(or COOKIETOOL_SECRET_KEY), read as Flask's from_prefixed_env() reads them.",
)
@click.option(
    "--scan",
    is_flag=True,
    help="The arguments are files: judge every SECRET_KEY written in them (.py, .env, "
    ".toml, .yaml, .ini).",
)
@json_option
def command(
    targets: tuple[str, ...],
    key_file: str | None,
    env_var: str | None,
    app_import: str | None,
    dotenv_path: str | None,
    scan: bool,
    as_json: bool,
) -> ExitCode:
    """Judge a secret key without a cookie: length, entropy, known lists, placeholders.

    With --scan, FILE may be a folder: its files are found recursively (git's own list in
    a work tree, so .gitignore holds; virtual environments left out).

    The key is never printed: it is named by the first 8 hex digits of its SHA-256.
    Prefer '-', --key-file or --key-env over KEY, which stays in shell history. With
    --scan, the arguments are files to search for SECRET_KEY assignments (a pre-commit
    hook). Exit codes: 1 a key is weak, 0 all are strong, 2 bad input.
    """
    from cookietool import keycheck, keys, render, render_keys
    from cookietool.errors import InputError
    from cookietool.escape import for_humans

    caps = current_caps()
    if scan:
        if not targets:
            raise click.UsageError("--scan needs files to scan")
        report = keycheck.scan_paths(
            targets, keycheck.wordlist_keys(), max_bytes=caps.scan_file_bytes
        )
        for skipped in report.skipped:
            click.echo(f"warning: skipped: {for_humans(skipped.reason)}", err=True)
        if report.scanned == 0:
            raise InputError("no file could be scanned")
        if as_json:
            click.echo(render.dump_json(render_keys.scan_document(report.found, report.skipped)))
        else:
            for assignment, verdict in report.found:
                where = f"{assignment.path}:{assignment.line} {assignment.name}"
                if assignment.fallback:
                    where += " (fallback value)"
                click.echo(render_keys.verdict_text(verdict, where))
            click.echo(
                f"{len(report.found)} key{'' if len(report.found) == 1 else 's'} found in "
                f"{report.scanned} file{'' if report.scanned == 1 else 's'}, {report.weak} weak"
            )
        return ExitCode.CHECK_FAILED if report.weak else ExitCode.OK
    given = sum(1 for source in (targets, key_file, env_var, dotenv_path, app_import) if source)
    if given != 1 or len(targets) > 1:
        raise click.UsageError(
            "give exactly one key: KEY, '-', --key-file, --key-env, --dotenv or --app"
        )
    if dotenv_path is not None or app_import is not None:
        from cookietool import flaskapp, keysources

        if app_import is not None:
            found_keys = flaskapp.facts(flaskapp.load_app(app_import)).keys
            if not found_keys:
                raise InputError(f"the app {app_import} has no SECRET_KEY")
        else:
            source = keysources.from_dotenv(dotenv_path or "")
            assert source is not None  # from_dotenv refuses a file without keys
            found_keys = source.keys
        verdicts = [
            (key.label, keycheck.judge(key.value, keycheck.wordlist_keys())) for key in found_keys
        ]
        if as_json:
            click.echo(render.dump_json(render_keys.keys_document(verdicts)))
        else:
            for label, verdict in verdicts:
                click.echo(render_keys.verdict_text(verdict, label))
        return ExitCode.CHECK_FAILED if any(v.weak for _, v in verdicts) else ExitCode.OK
    if env_var:
        key = keys.env_key(env_var, "--key-env").value
    elif key_file is not None:
        key = keys.strip_newline(keys.read_capped(key_file, "--key-file", caps.key_file_bytes))
    elif targets[0] == "-":
        data = keys.read_capped("-", "standard input", caps.input_bytes, "input-bytes")
        key = keys.strip_newline(data)
    else:
        key = targets[0].encode("utf-8", "surrogateescape")
    verdict = keycheck.judge(key, keycheck.wordlist_keys())
    if as_json:
        click.echo(render.dump_json(render_keys.key_document(verdict)))
    else:
        click.echo(render_keys.verdict_text(verdict))
    return ExitCode.CHECK_FAILED if verdict.weak else ExitCode.OK
