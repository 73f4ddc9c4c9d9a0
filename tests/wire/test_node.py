"""Runs the node wire tests (tests/node/*.test.mjs, npm's @aws-sdk/client-dynamodb) against the suite's
ddbd: the operations Debian's botocore does not know (vector indexes, SearchVectors, ...). scripts/test
installs the npm packages (npm ci in tests/node); when they are missing, this does it once."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


def _npm_ready():
    if (NODE_DIR / "node_modules" / "@aws-sdk" / "client-dynamodb" / "package.json").exists():
        return
    assert shutil.which("node") and shutil.which("npm"), "node and npm are needed (scripts/deps.sh installs them)"
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR, check=True,
                   timeout=600)


@pytest.mark.ddbd_only  # DynamoDB Local has no vector indexes
@pytest.mark.parametrize("script", sorted(p.name for p in NODE_DIR.glob("*.test.mjs")))
def test_node(endpoint, script):
    _npm_ready()
    env = dict(os.environ, DDBD_ENDPOINT=endpoint)
    r = subprocess.run(["node", "--test", "--test-reporter=spec", script], cwd=NODE_DIR, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-3000:]
