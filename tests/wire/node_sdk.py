"""Calls through npm's AWS SDK for JavaScript v3 (tests/node/sdk_call.js), for
the operations and members Debian's botocore (2023) does not know.

calls()/call()/error_of() take and give plain JSON; timestamps travel as
{"$date": epoch seconds} both ways (date() makes one), binaries come back as
{"$bytes": base64}. node_calls()/node_call() are the same calls with
per-call dicts ({"ok": output} or {"error": name, "message": text}).

scripts/test installs the SDK with `npm ci --prefix tests/node`; a test run
without it installs it the same way once (node and npm must be on PATH).
"""
import json
import os
import shutil
import subprocess
import threading

import pytest

import helpers

NODE_DIR = helpers.REPO_ROOT / "tests" / "node"
_installed = threading.Lock()


def _ensure_installed():
    with _installed:
        if (NODE_DIR / "node_modules" / "@aws-sdk" / "client-dynamodb").is_dir():
            return
        npm = shutil.which("npm")
        if not npm:
            pytest.fail("npm not found: install nodejs and npm (scripts/test does)", pytrace=False)
        subprocess.run([npm, "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", "--loglevel=error"],
                       check=True, timeout=600)


class SdkError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def calls(endpoint, batch, region=helpers.DEFAULT_REGION, access_key=helpers.DEFAULT_ACCESS_KEY):
    """Runs [(op, input) or (op, input, service)] in order in one node process;
    returns, per call, ("ok", output) or ("error", name, message)."""
    return [("ok", r["ok"]) if "ok" in r else ("error", r["error"], r["message"]) for r in _run(endpoint, batch, region,
                                                                                              access_key)]


def _run(endpoint, batch, region, access_key):
    """The raw per-call results of one node process."""
    _ensure_installed()
    req = {"endpoint": endpoint, "region": region, "accessKeyId": access_key,
           "calls": [{"op": c[0], "input": c[1], **({"service": c[2]} if len(c) > 2 else {})} for c in batch]}
    env = dict(os.environ, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE="1", NODE_NO_WARNINGS="1")
    p = subprocess.run(["node", str(NODE_DIR / "sdk_call.js")], input=json.dumps(req), capture_output=True,
                       text=True, timeout=120, env=env)
    if not p.stdout.strip():
        raise AssertionError(f"sdk_call.js printed nothing (exit {p.returncode}): {p.stderr}")
    return json.loads(p.stdout)


def date(epoch_seconds):
    return {"$date": epoch_seconds}


def node_calls(endpoint, batch, access_key=helpers.DEFAULT_ACCESS_KEY, region=helpers.DEFAULT_REGION):
    """[(op, input), ...] in one node process: per call {"ok": output} or {"error": name, "message": text}."""
    return _run(endpoint, batch, region, access_key)


def node_call(endpoint, op, params, **kw):
    """One call: its output, or NodeError."""
    return call(endpoint, op, params, **kw)


def call(endpoint, op, params=None, service=None, **kw):
    """One call: its output, or SdkError."""
    c = (op, params or {}) + ((service,) if service else ())
    r = calls(endpoint, [c], **kw)[0]
    if r[0] == "error":
        raise SdkError(r[1], r[2])
    return r[1]


def error_of(endpoint, op, params=None, **kw):
    """(name, message) of a call that must fail."""
    try:
        out = call(endpoint, op, params, **kw)
    except SdkError as e:
        return e.name, e.message
    raise AssertionError(f"{op} succeeded: {out}")


NodeError = SdkError
