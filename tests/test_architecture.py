"""The architecture holds: the core never imports the command line or the renderers, and
decode of a bare cookie stays light."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import click

from cookietool.cli import cli

PACKAGE = Path(__file__).parents[1] / "cookietool"
#: What only the command line and the renderers may import.
PRESENTATION = ("click", "rich", "cookietool.cli", "cookietool.render")
#: Modules that are presentation themselves.
RENDERERS = {"render.py", "render_keys.py", "render_sizes.py"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_core_modules_import_no_presentation() -> None:
    core = [p for p in PACKAGE.glob("*.py") if p.name not in RENDERERS | {"__main__.py"}]
    assert len(core) > 20
    for path in core:
        for name in imported_modules(path):
            assert not name.startswith(PRESENTATION), f"{path.name} imports {name}"


def test_only_the_format_seam_names_a_format() -> None:
    # session, sizes, audit and the renderers ask cookietool.formats, never a format module.
    for name in ("session.py", "sizes.py", "audit.py", *sorted(RENDERERS)):
        for module in imported_modules(PACKAGE / name):
            assert not module.startswith("cookietool.flaskcookie"), f"{name} imports {module}"


def test_decode_of_a_bare_cookie_imports_neither_flask_nor_werkzeug() -> None:
    probe = (
        "import sys, json\n"
        "from cookietool.cli import cli\n"
        "try:\n"
        "    cli.main(['decode', 'eyJhIjoxfQ.aVd4MQ." + "A" * 27 + "', '--key', 'k'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    modules = json.loads(result.stderr.strip().splitlines()[-1])
    heavy = [m for m in modules if m.split(".")[0] in ("flask", "werkzeug", "itsdangerous")]
    assert heavy == []
    # Only the command that runs is imported.
    assert [m for m in modules if m.startswith("cookietool.cli.")] == [
        "cookietool.cli.base",
        "cookietool.cli.decode",
        "cookietool.cli.options",
    ]
    assert "cookietool.flaskcookie" in modules  # the probe did decode


def test_every_command_has_help_and_lists_its_choices() -> None:
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None, name
        assert command.help and command.short_help != "", name
        text = command.get_help(click.Context(command, info_name=name, parent=ctx))
        for param in command.params:
            if isinstance(param.type, click.Choice):
                assert all(str(choice) in text for choice in param.type.choices), (name, param)
        assert "--json" in text, name
    size_check = cli.get_command(ctx, "size-check")
    assert size_check is not None
    size_help = size_check.get_help(click.Context(size_check))
    assert "nginx" in size_help and "gunicorn" in size_help
