"""check-key --scan FOLDER: what git lists (so .gitignore holds), no virtual environments;
and check-key --dotenv."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cookietool.cli import ExitCode
from tests.test_cli import run


def _project(root: Path) -> None:
    (root / "app").mkdir()
    (root / "app" / "settings.py").write_text("SECRET_KEY = 'dev'\n")
    (root / "config.yaml").write_text("SECRET_KEY: a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8\n")
    (root / "secrets.env").write_text("FLASK_SECRET_KEY=changeme\n")  # ignored by git
    (root / ".gitignore").write_text("secrets.env\n")
    venv = root / "env"
    (venv / "lib").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr\n")
    (venv / "lib" / "conf.py").write_text("SECRET_KEY = 'venv-dev'\n")
    (root / "node_modules").mkdir()
    (root / "node_modules" / "x.py").write_text("SECRET_KEY = 'npm'\n")


def _paths(result_stdout: str) -> list[str]:
    return sorted(Path(k["path"]).name for k in json.loads(result_stdout)["keys"])


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_git_work_tree_is_scanned_as_git_lists_it(tmp_path: Path) -> None:
    _project(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = run("check-key", "--scan", str(tmp_path), "--json")
    assert result.exit_code == ExitCode.CHECK_FAILED  # 'dev' is weak
    assert _paths(result.stdout) == ["config.yaml", "settings.py"]


def test_a_plain_folder_is_walked_without_virtual_environments(tmp_path: Path) -> None:
    _project(tmp_path)
    result = run("check-key", "--scan", str(tmp_path), "--json")
    # No git here: .gitignore is not git's to apply, so secrets.env is scanned too.
    assert _paths(result.stdout) == ["config.yaml", "secrets.env", "settings.py"]


def test_check_key_reads_a_dotenv_like_the_other_commands(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "FLASK_SECRET_KEY=0f3a9c2d7e6b5a4f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899\n"
        "FLASK_SECRET_KEY_FALLBACKS='[\"changeme\"]'\n"
    )
    result = run("check-key", "--dotenv", str(dotenv), "--json")
    assert result.exit_code == ExitCode.CHECK_FAILED
    doc = json.loads(result.stdout)
    assert [(k["source"], k["weak"]) for k in doc["keys"]] == [
        (f"{dotenv}: FLASK_SECRET_KEY_FALLBACKS[0]", True),
        (f"{dotenv}: FLASK_SECRET_KEY", False),
    ]
    assert "changeme" not in result.stdout


def test_scan_judges_each_key_of_a_fallbacks_list_in_a_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "FLASK_SECRET_KEY=0f3a9c2d7e6b5a4f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899\n"
        'FLASK_SECRET_KEY_FALLBACKS=\'["abc123", "7d1e9c2d7e6b5a4f1e2d3c4b5a6978879"]\'\n'
    )
    scanned = json.loads(run("check-key", "--scan", str(dotenv), "--json").stdout)
    by_dotenv = json.loads(run("check-key", "--dotenv", str(dotenv), "--json").stdout)
    assert [k["weak"] for k in scanned["keys"]] == [False, True, False]
    assert {k["fingerprint"] for k in scanned["keys"]} == {
        k["fingerprint"] for k in by_dotenv["keys"]
    }
