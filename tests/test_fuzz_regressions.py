"""Replay the fuzzing corpus and every crash atheris ever found (fuzz/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fuzz.targets import NAMES, run_one

FUZZ = Path(__file__).parents[1] / "fuzz"
CASES = sorted((FUZZ / "corpus").iterdir()) + sorted((FUZZ / "crashes").glob("crash-*"))


def test_the_corpus_reaches_every_target() -> None:
    assert {NAMES[path.read_bytes()[0] % len(NAMES)] for path in CASES} == set(NAMES)


@pytest.mark.parametrize("path", CASES, ids=[path.name for path in CASES])
def test_replay_raises_only_our_errors(path: Path) -> None:
    run_one(path.read_bytes())
