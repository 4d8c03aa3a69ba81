"""The README's table of limits is the limits data, entry for entry."""

from __future__ import annotations

from pathlib import Path

from cookietool.sizes import Limit, load_limits

README = Path(__file__).parent.parent / "README.md"
BEGIN = "<!-- limits table: made from the limits data by tests/test_readme_limits.py -->"
END = "<!-- end of limits table -->"


def _row(lim: Limit) -> str:
    who = lim.who + ("" if lim.confirmed else " (unconfirmed)")
    over = lim.level + ("" if lim.status is None else f", {lim.status}")
    version = lim.version or ""
    return (
        f"| {who} | {lim.server or ''} | {lim.side} | `{lim.measure}` | {lim.limit} | {over} "
        f"| {version} |"
    )


def table() -> str:
    head = [
        "| who | `--server` | side | measure | limit | over it | versions |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    return "\n".join(head + [_row(lim).replace("|  |", "| |") for lim in load_limits()])


def test_the_readme_table_is_the_data() -> None:
    text = README.read_text("utf-8")
    start = text.index(BEGIN) + len(BEGIN)
    end = text.index(END)
    assert text[start:end].strip() == table(), (
        "regenerate: python -c 'from tests.test_readme_limits import table; print(table())'"
    )
