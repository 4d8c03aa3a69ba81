"""check-key: verdicts on keys, the key never shown, and SECRET_KEY found in files."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

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


def test_scan_every_yaml_document(tmp_path: Path) -> None:
    path = tmp_path / "stream.yaml"
    path.write_text(
        "app: 1\n---\nSECRET_KEY: changeme\n---\n- FLASK_SECRET_KEY: dev\n...\n---\nx: 2\n"
    )
    found = [(a.line, a.name, a.value) for a in scan_file(path)]
    assert found == [(3, "SECRET_KEY", b"changeme"), (5, "FLASK_SECRET_KEY", b"dev")]


# Each file mentions the name in a comment (and in text) before the assignment itself.
ASSIGNMENT_LINES = {
    "config.py": (
        '"""SECRET_KEY is read from the environment."""\n'
        "# SECRET_KEY is set below\n"
        "settings = dict(\n"
        "    debug=True,\n"
        '    SECRET_KEY=(\n        "changeme"\n    ),\n'
        ")\n",
        [(5, "SECRET_KEY")],
    ),
    "app.yaml": (
        "# SECRET_KEY is set below\n"
        "notes: |\n  SECRET_KEY: not-this\n"
        "flask:\n"
        "  SECRET_KEY:\n    changeme\n"
        "  SECRET_KEY_FALLBACKS:\n    - old-one\n",
        [(5, "SECRET_KEY"), (7, "SECRET_KEY_FALLBACKS")],
    ),
    "app.toml": (
        "# SECRET_KEY is set below\n"
        "notes = '''\nSECRET_KEY = \"not-this\"\n'''\n"
        "[flask]\n"
        "SECRET_KEY = 'changeme'\n"
        "[other]\n"
        "x = { SECRET_KEY = 'dev' }\n",
        [(6, "SECRET_KEY"), (8, "SECRET_KEY")],
    ),
    "app.cfg": (
        "# SECRET_KEY is set below\n"
        "[DEFAULT]\n"
        "notes = mention\n  SECRET_KEY = not-this\n"
        "[flask]\n"
        "SECRET_KEY = changeme\n",
        [(6, "secret_key")],
    ),
    ".env": (
        "# SECRET_KEY is set below\n\n"
        "NOTES='\nSECRET_KEY=not-this\n'\n"
        "\n\n  export SECRET_KEY=changeme # rotated\n",
        [(8, "SECRET_KEY")],
    ),
}


@pytest.mark.parametrize("name", sorted(ASSIGNMENT_LINES))
def test_scan_reports_the_line_of_the_assignment(tmp_path: Path, name: str) -> None:
    content, expected = ASSIGNMENT_LINES[name]
    path = tmp_path / name
    path.write_text(content)
    assert [(a.line, a.name) for a in scan_file(path)] == expected


def test_scan_toml_lines_follow_the_values(tmp_path: Path) -> None:
    # tomllib gives no positions, and [a.c] is read into [a], out of the file's order.
    path = tmp_path / "app.toml"
    path.write_text(
        "[a]\nx = 1\n[b]\nSECRET_KEY = 'second'\n[a.c]\nSECRET_KEY = 'third'\n"
        '[d]\n"SECRET_KEY" = \'fourth\'\n[e]\nSECRET_KEY = "fi\\u0066th"\n'
    )
    found = [(a.line, a.value) for a in scan_file(path)]
    assert found == [(4, b"second"), (6, b"third"), (8, b"fourth"), (10, b"fifth")]


def test_scan_ini_default_section_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "app.ini"
    path.write_text(
        "[DEFAULT]\nsecret_key = changeme\n[one]\nx = 1\n[two]\nsecret_key = other-one\n"
    )
    assert [(a.line, a.value) for a in scan_file(path)] == [(2, b"changeme"), (6, b"other-one")]


def test_scan_dotenv_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # python-dotenv fills ${...} from the environment: the scan judges the file, not that.
    monkeypatch.setenv("FROM_ENV", "unguessable-value-from-the-environment")
    path = tmp_path / ".env"
    path.write_text(
        "SECRET_KEY=${FROM_ENV}\nFLASK_SECRET_KEY=${FROM_ENV:-dev}\nX_SECRET_KEY=a${FROM_ENV}\n"
    )
    found = [(a.line, a.name, a.value, a.fallback) for a in scan_file(path)]
    assert found == [
        (2, "FLASK_SECRET_KEY", b"dev", True),
        (3, "X_SECRET_KEY", b"a${FROM_ENV}", False),
    ]


ENV_PIECES = st.sampled_from(
    ["A", "SECRET_KEY", "export ", "=", " ", "\t", "\n", "#", " #", "'", '"', "\\", "\\'", "x"]
)


@given(text=st.lists(ENV_PIECES, max_size=30).map("".join))
def test_dotenv_reading_agrees_with_python_dotenv(text: str) -> None:
    import io

    from dotenv.parser import parse_stream

    ours = list(keycheck._dotenv_bindings(text))
    theirs = [b for b in parse_stream(io.StringIO(text)) if b.key is not None and not b.error]
    assert [(name, value) for name, value, _ in ours] == [(b.key, b.value) for b in theirs]
    for (_, _, line), binding in zip(ours, theirs, strict=True):
        leading = binding.original.string
        assert line == binding.original.line + leading[
            : len(leading) - len(leading.lstrip())
        ].count("\n")


@given(line=st.text(st.sampled_from(" \t\x0bab=:#;[]"), max_size=20).map(str.strip))
def test_ini_option_pattern_agrees_with_configparser(line: str) -> None:
    import configparser

    theirs = configparser.ConfigParser.OPTCRE.match(line)
    ours = keycheck._INI_OPTION.match(line)
    assert (ours is None) == (theirs is None)
    if ours is not None and theirs is not None:
        assert ours.group("option", "vi", "value") == theirs.group("option", "vi", "value")


def test_scan_paths_reports_keys_and_skipped_files(tmp_path: Path) -> None:
    strong = keys.generate()
    (tmp_path / "good.py").write_text(f'SECRET_KEY = "{strong}"\n')
    (tmp_path / "bad.yaml").write_text("SECRET_KEY: changeme\n")
    (tmp_path / "broken.toml").write_text("SECRET_KEY = \n")
    (tmp_path / "notes.txt").write_text("SECRET_KEY = dev\n")
    names = ["good.py", "bad.yaml", "broken.toml", "missing.cfg", "notes.txt"]
    report = keycheck.scan_paths([tmp_path / name for name in names], extra_known=frozenset())
    assert report.files == 5 and report.scanned == 2 and report.weak == 1
    assert [(f.assignment.path, f.verdict.weak) for f in report.found] == [
        (str(tmp_path / "good.py"), False),
        (str(tmp_path / "bad.yaml"), True),
    ]
    assert [
        (Path(s.path).name, s.reason.removeprefix(f"{tmp_path}{os.sep}")) for s in report.skipped
    ] == [
        ("broken.toml", "broken.toml is not valid TOML (line 1)"),
        ("missing.cfg", "missing.cfg cannot be read: No such file or directory"),
        ("notes.txt", "notes.txt is not a .py, .env, .toml, .yaml/.yml or .ini/.cfg file"),
    ]
    known = keycheck.scan_paths([str(tmp_path / "good.py")], extra_known={strong.encode()})
    assert known.found[0].verdict.known is not None


def test_scan_python_line_is_the_name_not_the_value(tmp_path: Path) -> None:
    path = tmp_path / "config.py"
    path.write_text(
        'SECRET_KEY = (\n    "dev"\n)\n'
        'config = {\n    "FLASK_SECRET_KEY":\n        "dev2",\n}\n'
        'app.config[\n    "SECRET_KEY"\n] = "dev3"\n'
    )
    assert [(a.line, a.value) for a in scan_file(path)] == [
        (1, b"dev"),
        (5, b"dev2"),
        (8, b"dev3"),
    ]


def test_random_keys_never_read_as_words() -> None:
    # Measured once over 3,600,000 genkey keys (600,000 of each format and size): none.
    # Here 60,000 keep the false-positive rate honest on every run.
    for fmt in ("base64", "urlsafe", "hex"):
        for nbytes in (16, 32):
            for _ in range(10_000):
                assert not keycheck.looks_like_words(keys.generate(nbytes, fmt).encode())
    for words in (b"sunshine2024", b"BlueHorse-Staple7", b"CorrectHorseBattery9", b"dragonFly99"):
        assert keycheck.looks_like_words(words)
