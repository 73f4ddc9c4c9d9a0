"""A short run of the kill -9 soak (tests/soak/kill9_soak.py; the full one is 20 rounds): mixed
load, SIGKILL at a random moment, restart, then every acknowledged write, the stream, the indexes
and the trigger's checkpoint are checked."""
import sys
from pathlib import Path

import pytest

import helpers

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "soak"))
import kill9_soak  # noqa: E402

pytestmark = pytest.mark.ddbd_only


def test_kill9_soak_short():
    assert kill9_soak.main(["--ddbd", helpers.ddbd_binary(), "--rounds", "3", "--seconds", "1.5", "--seed", "7"]) == 0
