"""Shared helpers for the wire tests (imported by conftest.py and the tests).

Nothing here is a fixture: these are plain functions so that tests which need
their own server (durability, flags) can use them too.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import time
import uuid
import zlib
from pathlib import Path
from urllib.parse import urlparse

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

REPO_ROOT = Path(__file__).resolve().parents[2]
AWS_CLI = "/usr/bin/aws"  # AWS CLI v2 (the first `aws` on PATH is an old v1)

DEFAULT_ACCESS_KEY = "ddbdtestkey"
DEFAULT_SECRET_KEY = "ddbdtestsecret"
DEFAULT_REGION = "us-east-1"

# Flag ddbd takes for an on-disk data directory (durability tests).
DATA_DIR_FLAG = os.environ.get("DDBD_DATA_DIR_FLAG", "--data-dir")

ERR_PREFIX = "com.amazonaws.dynamodb.v20120810#"


def ddbd_binary():
    path = os.environ.get("DDBD_BIN", str(REPO_ROOT / "build" / "ddbd"))
    return str(Path(path).resolve())


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique_name(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex}"


def fresh_access_key():
    """An access key of letters and digits only (DynamoDB Local insists)."""
    return "AK" + uuid.uuid4().hex.upper()


def health_ok(endpoint, timeout=0.5):
    u = urlparse(endpoint)
    try:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        c.request("GET", "/")
        r = c.getresponse()
        r.read()
        c.close()
        return r.status == 200
    except OSError:
        return False


class DdbdProcess:
    """A ddbd child process on a free loopback port."""

    def __init__(self, args, log_path=None, env=None, cwd=None, port=None):
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.argv = [ddbd_binary(), "--port", str(self.port)] + list(args)
        self.log_path = log_path
        self._log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            self.argv,
            stdout=self._log,
            stderr=self._log,
            env=env,
            cwd=cwd,
        )

    def wait_ready(self, timeout=5.0):
        """Poll GET / until it answers 200; DDBD_START_TIMEOUT (seconds) overrides the default."""
        timeout = float(os.environ.get("DDBD_START_TIMEOUT", timeout))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"ddbd exited with {self.proc.returncode} before answering: {self.argv} "
                    f"(log: {self.log_path})"
                )
            if health_ok(self.endpoint, timeout=0.3):
                return self
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"ddbd did not answer GET / within {timeout}s: {self.argv}")

    def terminate(self, timeout=10.0):
        """SIGTERM by PID and wait; returns the exit code."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                raise RuntimeError("ddbd did not exit within %ss of SIGTERM" % timeout)
        self._close_log()
        return self.proc.returncode

    def kill(self):
        """SIGKILL by PID (a crash, as far as ddbd can tell)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._close_log()

    def _close_log(self):
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
            self._log = None


def make_client(endpoint, access_key=DEFAULT_ACCESS_KEY, region=DEFAULT_REGION, secret=DEFAULT_SECRET_KEY,
                validate=True):
    """A boto3 client; validate=False turns off botocore's client-side parameter checks so the
    server's own validation is what answers."""
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        config=Config(
            retries={"max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
            parameter_validation=validate,
        ),
    )


def signed_headers(endpoint, target, body, access_key=DEFAULT_ACCESS_KEY, region=DEFAULT_REGION,
                   secret=DEFAULT_SECRET_KEY):
    """SigV4 headers for a raw DynamoDB JSON request (`target` like "ListTables")."""
    if "." not in target:
        target = "DynamoDB_20120810." + target
    req = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": target,
        },
    )
    SigV4Auth(Credentials(access_key, secret), "dynamodb", region).add_auth(req)
    return dict(req.headers.items())


def raw_request(endpoint, target, body, headers=None, sign=True, timeout=10):
    """POST one request with http.client; returns (status, headers dict lower-cased, body bytes)."""
    if isinstance(body, str):
        body = body.encode()
    if sign:
        h = signed_headers(endpoint, target, body)
    else:
        h = {"Content-Type": "application/x-amz-json-1.0"}
        if target is not None:
            h["X-Amz-Target"] = target if "." in target else "DynamoDB_20120810." + target
    if headers:
        h.update(headers)
    u = urlparse(endpoint)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        c.request("POST", "/", body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        c.close()


def error_type(body):
    """The part of __type after '#' (what SDKs read)."""
    doc = json.loads(body)
    return doc["__type"].split("#")[-1]


def error_message(body):
    doc = json.loads(body)
    return doc.get("message", doc.get("Message"))


def crc32_of(body):
    return zlib.crc32(body) & 0xFFFFFFFF


def run_cli(endpoint, *args, access_key=DEFAULT_ACCESS_KEY, region=DEFAULT_REGION, check=True, timeout=60):
    """Run the AWS CLI v2 against the endpoint; returns parsed JSON (None if no output).

    With check=False returns (returncode, parsed-or-None, stderr).
    """
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID=access_key,
        AWS_SECRET_ACCESS_KEY=DEFAULT_SECRET_KEY,
        AWS_DEFAULT_REGION=region,
        AWS_PAGER="",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_MAX_ATTEMPTS="1",
    )
    env.pop("AWS_PROFILE", None)
    argv = [AWS_CLI] + list(args) + ["--endpoint-url", endpoint, "--output", "json"]
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    out = json.loads(p.stdout) if p.stdout.strip() else None
    if not check:
        return p.returncode, out, p.stderr
    if p.returncode != 0:
        raise AssertionError(f"{argv} failed ({p.returncode}): {p.stderr}")
    return out


def wait_active(client, name, timeout=10.0):
    """Tables are ACTIVE at once in ddbd and DynamoDB Local; bounded poll just in case."""
    deadline = time.monotonic() + timeout
    while True:
        t = client.describe_table(TableName=name)["Table"]
        if t["TableStatus"] == "ACTIVE":
            return t
        if time.monotonic() > deadline:
            raise AssertionError(f"table {name} not ACTIVE after {timeout}s: {t['TableStatus']}")
        time.sleep(0.05)


def make_streams_client(endpoint, access_key=DEFAULT_ACCESS_KEY, region=DEFAULT_REGION, secret=DEFAULT_SECRET_KEY,
                        validate=True):
    """A boto3 DynamoDB Streams client (same endpoint, signed as "dynamodb" like AWS)."""
    return boto3.client(
        "dynamodbstreams",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30,
                      parameter_validation=validate),
    )


def admin(endpoint, path, body=None, method=None):
    """Calls a ddbd admin endpoint (/_ddbd/...); returns (status, parsed JSON body)."""
    u = urlparse(endpoint)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        c.request(method or ("POST" if body is not None else "GET"), path, body=data,
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        raw = r.read()
        return r.status, (json.loads(raw) if raw else None)
    finally:
        c.close()


def advance_clock(endpoint, seconds):
    status, doc = admin(endpoint, "/_ddbd/clock", {"advance_seconds": seconds})
    assert status == 200, doc
    return doc["now_ms"]


def ttl_sweep(endpoint):
    status, doc = admin(endpoint, "/_ddbd/ttl/sweep", {})
    assert status == 200, doc
    return doc
