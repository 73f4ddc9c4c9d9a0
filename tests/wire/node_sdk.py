"""The AWS SDK for JavaScript v3 (npm @aws-sdk/client-dynamodb, the version tests/node pins) for wire tests of
members that Debian's botocore (2023) does not know, such as PointInTimeRecoverySpecification.RecoveryPeriodInDays.

node_calls(endpoint, [(operation, input), ...]) runs the calls in one node process (tests/node/call.js) and returns
one result per call: {"ok": output} or {"error": name, "message": text}. Timestamps travel as
{"$date": epoch seconds} both ways (date() makes one).

The SDK is tests/node's (scripts/test installs it with npm ci; so does the first use here when it is missing), or
the node_modules directory DDBD_NODE_MODULES names.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import helpers

NODE_DIR = helpers.REPO_ROOT / "tests" / "node"


def _modules():
    given = os.environ.get("DDBD_NODE_MODULES")
    if given:
        return Path(given)
    mods = NODE_DIR / "node_modules"
    if not (mods / "@aws-sdk" / "client-dynamodb").is_dir():
        npm = shutil.which("npm")
        if not npm:
            raise RuntimeError("npm is needed for the JavaScript SDK tests (scripts/test installs it)")
        subprocess.run([npm, "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", "--loglevel=error"],
                       check=True, timeout=600)
    return mods


def date(epoch_seconds):
    return {"$date": epoch_seconds}


def node_calls(endpoint, calls, access_key=helpers.DEFAULT_ACCESS_KEY, region=helpers.DEFAULT_REGION, timeout=60):
    env = dict(os.environ, DDBD_NODE_MODULES=str(_modules()))
    req = {"endpoint": endpoint, "region": region, "accessKey": access_key, "calls": [list(c) for c in calls]}
    p = subprocess.run(["node", str(NODE_DIR / "call.js")], input=json.dumps(req), capture_output=True, text=True,
                       env=env, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"node call.js failed ({p.returncode}): {p.stderr}")
    return json.loads(p.stdout)


def node_call(endpoint, operation, params, **kw):
    """One call: the output; an error raises NodeError (its name and message)."""
    (res,) = node_calls(endpoint, [(operation, params)], **kw)
    if "error" in res:
        raise NodeError(res["error"], res.get("message"))
    return res["ok"]


class NodeError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message
