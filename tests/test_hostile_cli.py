"""Hostile command lines found by trying the tool as an attacker: each is a regression test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cookietool.cli import ExitCode
from tests.test_cli import assert_one_line_error, run

COOKIETOOL = [sys.executable, "-m", "cookietool"]
SIG = "A" * 27


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["sign", '{"a": 1}', "--key", ""], "--key #1 is empty"),
        (["sign", '{"a": 1}', "--key-hex", ""], "--key-hex #1 is empty"),
        (["size-check", "--payload", '{"a": 1}', "--key", ""], "is empty"),
        (["sign", '{"a": 1}', "--key", "k", "--lifetime", "1" + "0" * 30], "lifetime is at most"),
        (["sign", '{"a": 1}', "--key", "k", "--lifetime", "86400000000000"], "lifetime is at most"),
        (["sign", '{"a": 1}', "--key", "k", "--salt", "\udcff"], "salt is not UTF-8"),
        (["decode", f"e30.AAAA.{SIG}", "--key", "k", "--salt", "\udcff"], "salt is not UTF-8"),
        (["audit", f"e30.AAAA.{SIG}", "--salt", "\udcff"], "salt is not UTF-8"),
        (["decode", f"e30.AAAA.{SIG}", "--inflate-limit", str(2**64)], "--inflate-limit"),
    ],
)
def test_bad_values_are_usage_errors(args: list[str], fragment: str) -> None:
    assert_one_line_error(run(*args), ExitCode.USAGE, fragment)


def test_a_tagged_date_past_any_calendar_is_not_a_session() -> None:
    value = "eyJhIjogeyIgZCI6ICJNb24sIDAxIEphbiA5OTk5OTk5OTk5OTk5OTk5OTk5OSAwMDowMDowMCBHTVQifX0"
    result = run("decode", f"{value}.ZVPxAA.{SIG}", "--json")
    assert result.exit_code == ExitCode.CHECK_FAILED
    doc = json.loads(result.stdout)
    assert doc["verdict"] == "not-a-session" and "'d'" in doc["session_error"]


def test_size_check_counts_bytes_that_were_not_utf8_as_themselves() -> None:
    result = run("size-check", "a=\udcff\udcfe", "--format", "json")
    assert result.exit_code == ExitCode.OK
    assert json.loads(result.stdout)["cookies"][0]["name_value_bytes"] == 3


def test_dates_and_max_ages_browsers_ignore_are_ignored() -> None:
    for line in (
        "a=b; Expires=Mon, 01 Jan 99999999999999999999 00:00:00 GMT",
        "a=b; Max-Age=\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662",
        "a=b; Max-Age=" + "9" * 40,
    ):
        result = run("size-check", f"Set-Cookie: {line}", "--format", "json")
        assert result.exit_code == ExitCode.OK
        findings = json.loads(result.stdout)["cookies"][0]["findings"]
        measures = [f["measure"] for f in findings]
        assert measures == (["lifetime_seconds"] if "9" * 40 in line else []), line


def test_output_that_cannot_be_written_is_code_74() -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*COOKIETOOL, "genkey"], stdout=full, stderr=subprocess.PIPE, timeout=60
        )
    assert result.returncode == ExitCode.OUTPUT_FAILED
    assert (
        result.stderr.decode().strip() == "Error: cannot write the output: No space left on device"
    )
    closed = subprocess.run(
        ["bash", "-c", f"{' '.join(COOKIETOOL)} genkey >&-"], capture_output=True, timeout=60
    )
    assert closed.returncode == ExitCode.OUTPUT_FAILED
    assert b"Traceback" not in closed.stderr


def test_closed_standard_input_reads_as_empty_input() -> None:
    for command in ("decode -", "sign - --key k", "check-key -"):
        result = subprocess.run(
            ["bash", "-c", f"{' '.join(COOKIETOOL)} {command} <&-"],
            capture_output=True,
            timeout=60,
        )
        assert result.returncode in (ExitCode.USAGE, ExitCode.CHECK_FAILED), command
        assert b"Traceback" not in result.stderr and b"internal error" not in result.stderr


def test_names_from_the_command_line_are_escaped_in_messages(tmp_path: Path) -> None:
    path = tmp_path / "new\nline\x1b[2J.env"
    result = run("genkey", "--dotenv", str(path))
    assert result.exit_code == ExitCode.OK
    assert result.stderr.count("\n") == 1 and "new\\nline\\x1b[2J.env" in result.stderr
