"""check-key: verdicts on keys, the key never shown, and SECRET_KEY found in files."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
import yaml

from cookietool import keycheck, keys
from cookietool.keycheck import judge, scan_file
from tests.test_cli import run

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("fmt", ["hex", "urlsafe", "base64"])
@pytest.mark.parametrize("nbytes", [16, 32, 64])
def test_generated_keys_are_strong(fmt: str, nbytes: int) -> None:
    for _ in range(300):
        verdict = judge(keys.generate(nbytes, fmt).encode())
        assert not verdict.weak, verdict.reasons
    assert not judge(secrets.token_bytes(32)).weak


@pytest.mark.parametrize(
    "key",
    [
        "dev",
        "CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET",
        "change-me-please-this-is-not-real",
        "my_super_secret_flask_key_2024!!",
        "YourSecretKeyHere_ReplaceMeNow123",
        "x" * 64,
        "abababababababababababababababab",
        "sunshine2024",
    ],
)
def test_weak_keys(key: str) -> None:
    assert judge(key.encode()).weak


def test_reasons_name_what_is_wrong() -> None:
    known = judge(b"temporary_key")
    assert known.known is not None and "Airflow" in known.known.origin
    assert any("publicly known" in r for r in known.reasons)
    placeholder = judge(b"please-change-this-secret-key-in-production")
    assert placeholder.placeholder and not placeholder.known
    words = judge(b"BlueHorse-Staple7")
    assert words.dictionary and not words.placeholder
    short = judge(secrets.token_hex(7).encode())
    assert any("14 bytes long" in r for r in short.reasons)


def test_flask_unsign_wordlist_entries_are_known() -> None:
    extra = keycheck.wordlist_keys()
    assert len(extra) > 50_000
    entry = next(k for k in sorted(extra) if len(k) > 20 and not judge(k).known)
    assert judge(entry, extra).known is not None


def test_fingerprint_is_stable_and_not_the_key() -> None:
    assert keycheck.fingerprint(b"dev") == "sha256:ef260e9a"
    assert "dev" not in keycheck.fingerprint(b"dev")[7:]


def test_cli_never_prints_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = "unguessable-but-in-shell-history"
    for args, kwargs in (
        (["check-key", key], {}),
        (["check-key", key, "--json"], {}),
        (["check-key", "-"], {"input": key + "\n"}),
        (["check-key", "--env", "APP_KEY"], {"env": {"APP_KEY": key}}),
    ):
        result = run(*args, **kwargs)
        assert key not in result.stdout + result.stderr
        assert keycheck.fingerprint(key.encode()) in result.stdout
    keyfile = tmp_path / "key"
    keyfile.write_text(key + "\n")
    assert keycheck.fingerprint(key.encode()) in run("check-key", "--key-file", str(keyfile)).stdout


def test_cli_exit_codes_and_json() -> None:
    assert run("check-key", "dev").exit_code == 1
    strong = keys.generate()
    assert run("check-key", strong).exit_code == 0
    doc = json.loads(run("check-key", "dev", "--json").stdout)
    assert doc["command"] == "check-key" and doc["weak"] == 1
    assert doc["keys"][0]["known"]["origin"].startswith("Flask tutorial")
    assert run("check-key").exit_code == 2
    assert run("check-key", "a", "--env", "X").exit_code == 2
    missing = run("check-key", "--env", "NO_SUCH_KEY_VAR")
    assert missing.exit_code == 2
    assert missing.stderr == "Error: environment variable NO_SUCH_KEY_VAR is not set or empty\n"


PYTHON = """
import os
SECRET_KEY = "dev"
app.secret_key = b"A0Zr98j/3yX R~XHH!jmN]LWX/,?RT"
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "you-will-never-guess")
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"])
SECRET_KEY_FALLBACKS = ["{strong}", "changeme"]
class Config:
    SECRET_KEY = os.getenv("SECRET_KEY") or "hard to guess string"
settings = {{"FLASK_SECRET_KEY": "{strong}"}}
OTHER = "not a key"
"""


def test_scan_python(tmp_path: Path) -> None:
    strong = keys.generate()
    path = tmp_path / "config.py"
    path.write_text(PYTHON.format(strong=strong))
    found = [(a.line, a.name, a.value, a.fallback) for a in scan_file(path)]
    assert sorted(found) == sorted(
        [
            (3, "SECRET_KEY", b"dev", False),
            (4, "secret_key", b"A0Zr98j/3yX R~XHH!jmN]LWX/,?RT", False),
            (5, "SECRET_KEY", b"you-will-never-guess", True),
            (7, "SECRET_KEY_FALLBACKS", strong.encode(), False),
            (7, "SECRET_KEY_FALLBACKS", b"changeme", False),
            (9, "SECRET_KEY", b"hard to guess string", True),
            (10, "FLASK_SECRET_KEY", strong.encode(), False),
        ]
    )


def test_scan_other_formats(tmp_path: Path) -> None:
    strong = keys.generate()
    (tmp_path / ".env").write_text(
        f"FLASK_SECRET_KEY=dev\nOTHER=1\nSUPERSET_SECRET_KEY='{strong}'\n"
    )
    (tmp_path / "app.toml").write_text(
        f'[flask]\nSECRET_KEY = "changeme"\n[other]\nsecret_key = "{strong}"\n'
    )
    (tmp_path / "app.yaml").write_text(
        yaml.safe_dump({"app": {"SECRET_KEY": "secret", "list": [{"secret_key": strong}]}})
    )
    (tmp_path / "airflow.cfg").write_text("[webserver]\nsecret_key = temporary_key\nworkers = 4\n")
    weak = {}
    for name in (".env", "app.toml", "app.yaml", "airflow.cfg"):
        weak[name] = sorted((a.name, judge(a.value).weak) for a in scan_file(tmp_path / name))
    assert weak == {
        ".env": [("FLASK_SECRET_KEY", True), ("SUPERSET_SECRET_KEY", False)],
        "app.toml": [("SECRET_KEY", True), ("secret_key", False)],
        "app.yaml": [("SECRET_KEY", True), ("secret_key", False)],
        "airflow.cfg": [("secret_key", True)],
    }
    assert next(iter(scan_file(tmp_path / ".env"))).line == 1


def test_scan_cli_as_pre_commit_runs_it(tmp_path: Path) -> None:
    good = tmp_path / "good.py"
    good.write_text(f'SECRET_KEY = "{keys.generate()}"\n')
    bad = tmp_path / "bad.py"
    bad.write_text('SECRET_KEY = "changeme"\n')
    broken = tmp_path / "broken.py"
    broken.write_text("def (:\n")
    assert run("check-key", "--scan", str(good)).exit_code == 0
    result = run("check-key", "--scan", str(good), str(bad), str(broken))
    assert result.exit_code == 1
    assert f"{bad}:1 SECRET_KEY {keycheck.fingerprint(b'changeme')}: WEAK" in result.stdout
    assert "changeme" not in result.stdout.replace(str(tmp_path), "")
    assert result.stderr.startswith(f"warning: skipped: {broken} is not valid Python")
    nothing = run("check-key", "--scan", str(broken))
    assert nothing.exit_code == 2
    assert nothing.stderr.splitlines()[-1] == "Error: no file could be scanned"
    doc = json.loads(run("check-key", "--scan", str(bad), "--json").stdout)
    assert doc["keys"][0]["path"] == str(bad) and doc["weak"] == 1


def test_pre_commit_hook_file() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["id"] == "cookietool-check-key"
    assert hooks[0]["entry"] == "cookietool check-key --scan"
