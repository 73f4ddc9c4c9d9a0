"""Shared helpers for the wire tests (imported by conftest.py and the tests).

Nothing here is a fixture: these are plain functions so that tests which need
their own server (durability, flags) can use them too. The fixtures built on
them (the shared server, clients, tables, a test's own ddbd) are in conftest.py.
"""
import http.client
import inspect
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


def run_ddbd(args, timeout=10, **kw):
    """Runs ddbd to its end (--help, a bad flag): the CompletedProcess, with text stdout and stderr."""
    return subprocess.run([ddbd_binary()] + list(args), capture_output=True, text=True, timeout=timeout, **kw)


# ---- waiting -------------------------------------------------------------------------------------


def _describe(what, predicate):
    if callable(what):
        return what()
    if what:
        return what
    try:
        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)


def wait_until(predicate, timeout=15.0, interval=0.02, what=None):
    """Polls predicate() until it returns something true, and returns that. Fails after `timeout`
    seconds saying what it waited for (`what`: a text, a function giving one, or by default the
    predicate's source line) and the last value it saw. For every wait for something to happen:
    it takes as long as the server needs and no longer."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {_describe(what, predicate)} "
                                 f"(last value: {value!r})")
        time.sleep(interval)


def holds_for(predicate, seconds, interval=0.02, what=None):
    """Asserts that predicate() stays true for `seconds`, failing as soon as it does not. Only for
    proving that something does NOT happen (no second delivery, a frozen clock), which only time
    can show: keep `seconds` short."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if not value:
            raise AssertionError(f"no longer true within {seconds}s: {_describe(what, predicate)} "
                                 f"(value: {value!r})")
        if time.monotonic() >= deadline:
            return value
        time.sleep(interval)


# ---- a ddbd of the test's own ----------------------------------------------------------------------


class DdbdProcess:
    """A ddbd child process on a free loopback port.

    args are ddbd's arguments, after "--port N" unless one of them is "PORT", which then becomes
    the port (DynamoDB Local's "-port PORT"); program runs instead of ddbd_binary() (a link to it,
    looked up in env's PATH)."""

    def __init__(self, args, log_path=None, env=None, cwd=None, port=None, program=None):
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        args = list(args)
        if "PORT" in args:
            args = [str(self.port) if a == "PORT" else a for a in args]
        else:
            args = ["--port", str(self.port)] + args
        self.argv = [program or ddbd_binary()] + args
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

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"ddbd exited with {self.proc.returncode} before answering: {self.argv} "
                    f"(log: {self.log_path})"
                )
            return health_ok(self.endpoint, timeout=0.3)

        try:
            wait_until(ready, timeout=timeout, interval=0.05, what="GET / to answer 200")
        except AssertionError:
            self.kill()
            raise RuntimeError(f"ddbd did not answer GET / within {timeout}s: {self.argv}") from None
        return self

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

    def log_text(self):
        """What ddbd has written to its log so far ("" without one)."""
        if not self.log_path or not Path(self.log_path).exists():
            return ""
        return Path(self.log_path).read_text(errors="replace")

    def _close_log(self):
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
            self._log = None


class DdbdSet:
    """The ddbd processes a test (or a module) starts for itself, each logging to
    log_dir/ddbd-<n>.log. stop() ends every one still running with SIGTERM and returns what went
    wrong: a ddbd must exit 0, and under the sanitizers a leak or memory error shows up so."""

    def __init__(self, log_dir):
        self.log_dir = Path(log_dir)
        self.started = []

    def start(self, *flags, ready_timeout=5.0, **kw):
        """start("--in-memory", ...) -> a DdbdProcess that answers requests (kw: env, cwd, port, program)."""
        p = DdbdProcess(list(flags), log_path=self.log_dir / f"ddbd-{len(self.started) + 1}.log", **kw)
        self.started.append(p)
        return p.wait_ready(ready_timeout)

    def stop(self):
        problems = []
        for p in self.started:
            if p.proc.poll() is not None:  # stopped or killed by the test, which judged the exit itself
                p._close_log()
                continue
            try:
                rc = p.terminate()
            except RuntimeError as e:
                problems.append(f"{p.argv}: {e}")
                continue
            if rc != 0:
                problems.append(f"{p.argv} exited with {rc}; log tail:\n{p.log_text()[-4000:]}")
        return problems


# ---- clients and raw requests ----------------------------------------------------------------------


def _client(service, endpoint, access_key, region, secret, validate, connect_timeout, read_timeout):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        config=Config(
            retries={"max_attempts": 1, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            parameter_validation=validate,
        ),
    )


def make_client(endpoint, access_key=DEFAULT_ACCESS_KEY, region=DEFAULT_REGION, secret=DEFAULT_SECRET_KEY,
                validate=True, connect_timeout=5, read_timeout=30):
    """A boto3 client that never retries; validate=False turns off botocore's client-side parameter
    checks so the server's own validation is what answers."""
    return _client("dynamodb", endpoint, access_key, region, secret, validate, connect_timeout, read_timeout)


def make_streams_client(endpoint, access_key=DEFAULT_ACCESS_KEY, region=DEFAULT_REGION, secret=DEFAULT_SECRET_KEY,
                        validate=True):
    """A boto3 DynamoDB Streams client (same endpoint, signed as "dynamodb" like AWS)."""
    return _client("dynamodbstreams", endpoint, access_key, region, secret, validate, 5, 30)


def err(e):
    """(code, message) of a boto3 ClientError, or of pytest.raises' ExceptionInfo holding one."""
    error = getattr(e, "value", e).response["Error"]
    return error["Code"], error["Message"]


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


def raw_call(endpoint, target, body):
    """A raw signed request that must succeed: returns the parsed answer (target like
    "DescribeTable" or "DynamoDBStreams_20120810.GetRecords"; body a dict). For operations
    Debian's botocore lacks, and for seeing the exact member names on the wire."""
    status, _, data = raw_request(endpoint, target, json.dumps(body))
    assert status == 200, data
    return json.loads(data)


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


# ---- values, items and tables ----------------------------------------------------------------------


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def B(v):
    return {"B": v}


def K(pk, sk=None):
    """The key {"pk": S(pk)}, plus "sk" when given (an AttributeValue)."""
    k = {"pk": S(pk)}
    if sk is not None:
        k["sk"] = sk
    return k


def get(client, table, key, **kw):
    """The item at key (a consistent read), or None."""
    return client.get_item(TableName=table, Key=key, ConsistentRead=True, **kw).get("Item")


def create_table(client, name=None, hash=("pk", "S"), range=None, extra_attrs=None, stream=None, **extra):
    """CreateTable with the key's (name, type) pairs; returns the table's name (a fresh one unless
    given). PAY_PER_REQUEST unless extra sets the billing; stream: a StreamViewType to enable a
    stream with; extra_attrs: {name: type} of index keys; extra: any other CreateTable parameter."""
    name = name or unique_name()
    attrs = {hash[0]: hash[1]}
    keys = [{"AttributeName": hash[0], "KeyType": "HASH"}]
    if range:
        attrs[range[0]] = range[1]
        keys.append({"AttributeName": range[0], "KeyType": "RANGE"})
    attrs.update(extra_attrs or {})
    if "BillingMode" not in extra and "ProvisionedThroughput" not in extra:
        extra["BillingMode"] = "PAY_PER_REQUEST"
    if stream:
        extra["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    client.create_table(
        TableName=name,
        KeySchema=keys,
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in attrs.items()],
        **extra,
    )
    return name


def drop_table(client, name):
    """DeleteTable when cleaning up: a table already gone, or a broken server, must not hide the
    test's own outcome."""
    try:
        client.delete_table(TableName=name)
    except Exception:
        pass


def wait_active(client, name, timeout=10.0):
    """Tables are ACTIVE at once in ddbd and DynamoDB Local; bounded poll just in case."""
    def active():
        t = client.describe_table(TableName=name)["Table"]
        return t if t["TableStatus"] == "ACTIVE" else None

    return wait_until(active, timeout=timeout, interval=0.05, what=f"table {name} to be ACTIVE")


def pages(call, max_pages=10000, **kw):
    """Every page of a Query or Scan (call: client.query or client.scan), following
    LastEvaluatedKey; bounded, so a listing that never ends fails the test."""
    out = []
    while True:
        r = call(**kw)
        out.append(r)
        if "LastEvaluatedKey" not in r:
            return out
        assert len(out) < max_pages, f"more than {max_pages} pages"
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]


def query_all(client, **kw):
    """The items of every page of a Query."""
    return [i for r in pages(client.query, **kw) for i in r.get("Items", [])]


def scan_all(client, **kw):
    """The items of every page of a Scan."""
    return [i for r in pages(client.scan, **kw) for i in r.get("Items", [])]


# ---- streams ---------------------------------------------------------------------------------------


def latest_stream_arn(client, table):
    return client.describe_table(TableName=table)["Table"]["LatestStreamArn"]


def shards_of(streams, arn):
    """Every shard of the stream (DescribeStream, paged)."""
    out, kw = [], {"StreamArn": arn}
    while True:
        d = streams.describe_stream(**kw)["StreamDescription"]
        out += d["Shards"]
        if "LastEvaluatedShardId" not in d:
            return out
        kw["ExclusiveStartShardId"] = d["LastEvaluatedShardId"]


def read_shard(streams, arn, shard_id, it_type="TRIM_HORIZON", **kw):
    """(records, next iterator) of a shard read from `it_type` until a page comes back empty."""
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=it_type, **kw)["ShardIterator"]
    records = []
    for _ in range(1000):
        r = streams.get_records(ShardIterator=it)
        records += r["Records"]
        if not r["Records"] or "NextShardIterator" not in r:
            return records, r.get("NextShardIterator")
        it = r["NextShardIterator"]
    raise AssertionError("shard did not end")


def read_all(streams, arn):
    """Every record of the stream, shard by shard from TRIM_HORIZON."""
    records = []
    for s in shards_of(streams, arn):
        records += read_shard(streams, arn, s["ShardId"])[0]
    return records


# ---- ddbd's admin endpoints ------------------------------------------------------------------------


def admin(endpoint, path, body=None, method=None):
    """Calls a ddbd admin endpoint (/_ddbd/...); returns (status, parsed JSON body).
    A dict or list body is sent as JSON, a str or bytes as it is."""
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


def clock(endpoint):
    """GET /_ddbd/clock: {"now_ms", "now", "frozen"}."""
    status, doc = admin(endpoint, "/_ddbd/clock")
    assert status == 200, doc
    return doc


def advance_clock(endpoint, seconds):
    status, doc = admin(endpoint, "/_ddbd/clock", {"advance_seconds": seconds})
    assert status == 200, doc
    return doc["now_ms"]


def ttl_sweep(endpoint):
    status, doc = admin(endpoint, "/_ddbd/ttl/sweep", {})
    assert status == 200, doc
    return doc


def account_of(access_key=DEFAULT_ACCESS_KEY):
    """The 12-digit account id ddbd gives an access key (FNV-1a of the key, mod 10^12; api/service.c):
    the account in the ARNs it answers with, unless --shared-db."""
    h = 14695981039346656037
    for b in access_key.encode():
        h = ((h ^ b) * 1099511628211) % (1 << 64)
    return f"{h % 1000000000000:012d}"
