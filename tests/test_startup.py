"""What a decode imports: nothing heavy may creep back into the path users feel most.

decode's start-up is measured by benchmarks/bench_decode.py against Flask-Unsign; this
test guards the cause, not the figure: it runs decode in a fresh interpreter and lists the
modules it loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.test_cli import run

#: Packages decode must never load: each costs tens of milliseconds, and decode has its
#: own code for what it needs of them (tests hold that code equal to the package).
FORBIDDEN = (
    "rich",  # decode's report is cookietool.plaintext
    "werkzeug",  # Cookie headers: cookieinput.parse_cookie_header
    "flask",
    "itsdangerous",  # signatures: cookietool.signer
    "jinja2",
    "yaml",
    "dotenv",
    "publicsuffixlist",
    "multiprocessing",
    "http",
    "email",
    "asyncio",
    "concurrent",
    "cookietool.sizes",
    "cookietool.audit",
    "cookietool.signing",
    "cookietool.flaskapp",
)

PROBE = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.__stderr__))
sys.argv = ["cookietool", *json.loads(sys.argv[1])]
from cookietool.__main__ import main
main()
"""


def loaded_by(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "80"},
    )
    assert result.returncode in (0, 1), result.stderr
    modules: list[str] = json.loads(result.stderr.strip().splitlines()[-1])
    return set(modules)


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))


@pytest.fixture(scope="module")
def cookie() -> str:
    result = run("sign", '{"user_id": 42, "cart": {" t": [3, 7]}}', "--key", "startup-key")
    return result.stdout.strip()


@pytest.mark.parametrize(
    "form",
    ["{}", "session={}", "Cookie: theme=dark; session={}", "Set-Cookie: session={}; Path=/"],
)
def test_decode_loads_nothing_heavy(cookie: str, form: str) -> None:
    text = form.format(cookie)
    for extra in ((), ("--key", "startup-key"), ("--json",), ("--key", "wrong")):
        modules = loaded_by("decode", text, *extra)
        assert "cookietool.session" in modules  # the probe did run a decode
        assert heavy(modules) == [], (text, extra)


def test_help_and_genkey_load_nothing_heavy() -> None:
    for args in (("--help",), ("genkey",), ("decode", "--help")):
        modules = loaded_by(*args)
        assert "click" in modules
        assert heavy(modules) == [], args
    # The command list comes from the group: no command module is imported to show it.
    assert not {m for m in loaded_by("--help") if m.startswith("cookietool.cli.")} - {
        "cookietool.cli.base"
    }


def test_the_guard_can_fail() -> None:
    # size-check needs the Public Suffix List and rich's tables: the probe sees them.
    modules = loaded_by("size-check", "a=1")
    assert "publicsuffixlist" in heavy(modules) or "rich" in heavy(modules)
