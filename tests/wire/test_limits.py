"""Limits and safety (README "Limits and safety"): the connection limit, read and idle timeouts,
the cap on replies a client leaves unread, running out of file descriptors, and who may use the
/_ddbd/ admin endpoints and where triggers made at run time may point."""
import json
import os
import resource
import socket
import subprocess
import sys
import textwrap
import time

import pytest

import helpers
from helpers import admin, create_table, ddbd_binary, health_ok, make_client, run_ddbd, signed_headers, wait_until

pytestmark = pytest.mark.ddbd_only


def connect(endpoint, timeout=5):
    host, port = endpoint.rsplit("/", 1)[-1].split(":")
    s = socket.create_connection((host, int(port)), timeout=timeout)
    return s


def read_all(s, limit=1 << 20):
    """Everything until the server closes the connection."""
    out = b""
    while len(out) < limit:
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            break
        if not b:
            break
        out += b
    return out


def status_and_type(reply):
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    return status, json.loads(body)["__type"] if body.strip() else None, head


# ---- connections and timeouts --------------------------------------------------------------------


def test_connection_limit_refuses_with_503_then_accepts_again(start_ddbd):
    import http.client
    p = start_ddbd("--in-memory", "--max-connections", "4")
    host, port = p.endpoint.rsplit("/", 1)[-1].split(":")

    def served():
        """A keep-alive connection ddbd has answered on: it holds a slot (a 503 means the start-up
        health check's connection still held one; it goes soon)."""
        for _ in range(100):
            c = http.client.HTTPConnection(host, int(port), timeout=5)
            c.request("GET", "/")
            r = c.getresponse()
            r.read()
            if r.status == 200:
                return c
            c.close()
            time.sleep(0.05)
        raise AssertionError("no slot came free")

    held = [served() for _ in range(4)]
    extra = connect(p.endpoint)
    status, etype, head = status_and_type(read_all(extra))
    assert status == 503 and etype == "com.amazon.coral.service#ServiceUnavailable", head
    assert b"Connection: close" in head
    held.pop().close()
    wait_until(lambda: health_ok(p.endpoint), timeout=5, what="a connection to be accepted once one closed")
    for s in held:
        s.close()


def test_header_timeout_answers_408_even_to_a_steady_trickle(start_ddbd):
    p = start_ddbd("--in-memory", "--header-timeout", "0.5")
    s = connect(p.endpoint)
    t0 = time.monotonic()
    s.settimeout(0.2)
    got = b""
    for ch in b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:  # one byte every 0.1 s
        try:
            s.send(bytes([ch]))
        except OSError:
            break
        try:
            got += s.recv(4096)
        except socket.timeout:
            pass
        if got:
            break
        time.sleep(0.1)
    s.settimeout(5)
    got += read_all(s)
    status, etype, _ = status_and_type(got)
    assert status == 408 and etype == "com.amazon.coral.service#RequestTimeoutException"
    assert time.monotonic() - t0 < 3


def test_body_timeout_answers_408(start_ddbd):
    p = start_ddbd("--in-memory", "--body-timeout", "0.5")
    s = connect(p.endpoint)
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"Tab")
    t0 = time.monotonic()
    status, etype, _ = status_and_type(read_all(s))
    assert status == 408 and etype.endswith("#RequestTimeoutException")
    assert 0.4 < time.monotonic() - t0 < 3


def test_idle_keep_alive_connections_are_closed(start_ddbd):
    p = start_ddbd("--in-memory", "--idle-timeout", "0.5")
    used, silent = connect(p.endpoint), connect(p.endpoint)
    used.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert used.recv(4096).startswith(b"HTTP/1.1 200")
    t0 = time.monotonic()
    assert read_all(used) == b"" and read_all(silent) == b""  # closed without a word
    assert time.monotonic() - t0 < 3
    busy = connect(p.endpoint)  # a connection in use stays open past the idle time
    for _ in range(8):
        busy.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert busy.recv(4096).startswith(b"HTTP/1.1 200")
        time.sleep(0.2)


def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_a_client_that_never_reads_is_held_back_then_dropped(start_ddbd):
    """Pipelined requests whose replies are never read: ddbd stops reading that connection once
    SERVER_MAX_QUEUED_BYTES of replies wait, so its memory stays bounded; other clients are served
    at full speed; after --idle-timeout without progress the connection is closed."""
    p = start_ddbd("--in-memory", "--idle-timeout", "3")
    c = make_client(p.endpoint)
    t = create_table(c)
    c.put_item(TableName=t, Item={"pk": {"S": "k"}, "v": {"S": "x" * 20000}})
    body = json.dumps({"TableName": t, "Key": {"pk": {"S": "k"}}}).encode()
    h = signed_headers(p.endpoint, "GetItem", body)
    req = (b"POST / HTTP/1.1\r\nHost: x\r\n" + b"".join(f"{k}: {v}\r\n".encode() for k, v in h.items()) +
           f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    before = rss_kb(p.proc.pid)
    hog = socket.create_connection(("127.0.0.1", p.port))
    hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    hog.settimeout(0.5)
    sent = 0
    try:
        while sent < 20000 * len(req):  # 400 MB of replies if ddbd kept answering
            sent += hog.send(req * 50)
    except socket.timeout:
        pass  # ddbd stopped reading: back-pressure
    assert sent < 20000 * len(req)
    grown = rss_kb(p.proc.pid) - before
    assert grown < 64 * 1024, f"ddbd grew by {grown} KB"
    t0 = time.monotonic()
    for _ in range(20):
        c.get_item(TableName=t, Key={"pk": {"S": "k"}})
    assert time.monotonic() - t0 < 2  # the others are served meanwhile
    time.sleep(4.5)  # no progress for longer than --idle-timeout: ddbd drops the connection
    hog.settimeout(5)
    got = 0
    while True:  # what the kernel still held, then the end
        try:
            b = hog.recv(1 << 20)
        except ConnectionResetError:
            break
        if not b:
            break
        got += len(b)
    assert got < 16 << 20, got  # replies queued in ddbd were dropped with the connection
    hog.close()


def test_running_out_of_descriptors_neither_spins_nor_stops_accepting(tmp_path):
    """With an open-file limit of 40, 80 clients at once: ddbd answers the ones it cannot take with
    a 503 (or they see the connection close), uses no CPU while it waits, and serves again as soon
    as descriptors are free."""
    port = helpers.free_port()
    log = open(tmp_path / "ddbd.log", "wb")

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (40, 40))

    proc = subprocess.Popen([ddbd_binary(), "--in-memory", "--port", str(port), "--max-connections", "1000"],
                            stdout=log, stderr=log, preexec_fn=limit)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: health_ok(endpoint), timeout=5, what="ddbd to answer")
        clients = []
        for _ in range(80):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.settimeout(0.05)
            clients.append(s)
        time.sleep(0.5)
        replies = []
        for s in clients:
            try:
                replies.append(s.recv(4096))
            except (socket.timeout, ConnectionResetError):
                replies.append(None)
        refused = [r for r in replies if r and r.startswith(b"HTTP/1.1 503")]
        assert refused, "no client was told ddbd is out of descriptors"

        def cpu():
            f = open(f"/proc/{proc.pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

        c0 = cpu()
        time.sleep(1.0)
        assert cpu() - c0 < 0.2, "ddbd spins while it cannot accept"
        for s in clients:
            s.close()
        wait_until(lambda: health_ok(endpoint), timeout=5, what="accepting to resume")
        assert proc.poll() is None
        assert "refusing new connections" in (tmp_path / "ddbd.log").read_text()
    finally:
        proc.terminate()
        assert proc.wait(10) == 0
        log.close()


# ---- the admin door --------------------------------------------------------------------------------


def admin_with(endpoint, path, headers=None):
    import http.client
    host, port = endpoint.rsplit("/", 1)[-1].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=10)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, json.loads(body) if body else None


def test_admin_token_is_required_once_set(start_ddbd, tmp_path):
    p = start_ddbd("--in-memory", "--admin-token", "s3cret-token")
    status, doc = admin_with(p.endpoint, "/_ddbd/clock")
    assert status == 401 and "X-Ddbd-Admin-Token" in doc["error"]
    assert admin_with(p.endpoint, "/_ddbd/clock", {"X-Ddbd-Admin-Token": "wrong-token"})[0] == 403
    assert admin_with(p.endpoint, "/_ddbd/clock", {"X-Ddbd-Admin-Token": "s3cret-token"})[0] == 200
    assert admin_with(p.endpoint, "/_ddbd/clock?token=s3cret-token")[0] == 200
    assert admin_with(p.endpoint, "/_ddbd/faults?x=1&token=s3cret-token")[0] == 200
    assert admin_with(p.endpoint, "/_ddbd/clock?token=s3cret-tokenX")[0] == 403
    assert admin_with(p.endpoint, "/_ddbd/nothing-here")[0] == 401  # even a wrong path says nothing
    make_client(p.endpoint).list_tables()  # DynamoDB itself is not behind the token
    f = tmp_path / "token"
    f.write_text("from-a-file-123\n")
    q = start_ddbd("--in-memory", "--admin-token-file", str(f))
    assert admin_with(q.endpoint, "/_ddbd/clock", {"X-Ddbd-Admin-Token": "from-a-file-123"})[0] == 200
    assert admin_with(q.endpoint, "/_ddbd/clock")[0] == 401


def test_no_admin_turns_the_endpoints_off(start_ddbd):
    p = start_ddbd("--in-memory", "--no-admin")
    status, doc = admin_with(p.endpoint, "/_ddbd/clock")
    assert status == 404 and "--no-admin" in doc["error"]
    assert admin(p.endpoint, "/_ddbd/faults", {"Error": "ThrottlingException"})[0] == 404
    make_client(p.endpoint).list_tables()


@pytest.mark.parametrize("flags,words", [
    (["--admin-token", "short"], "8 to 512"),
    (["--admin-token", "has space x"], "printable"),
    (["--admin-token-file", "/nonexistent/token"], "--admin-token-file"),
    (["--max-connections", "0"], "--max-connections"),
    (["--header-timeout", "-1"], "--header-timeout"),
    (["--max-size", "12XB"], "--max-size"),
])
def test_bad_flags(flags, words):
    r = run_ddbd(flags)
    assert r.returncode == 2 and words in r.stderr, r.stderr


BEYOND_LOOPBACK = textwrap.dedent("""
    import fcntl, http.client, json, socket, struct, subprocess, sys, time
    ddbd = sys.argv[1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # bring lo up in this new network namespace
    flags = struct.unpack("16sH14s", fcntl.ioctl(s, 0x8913, struct.pack("16sH14s", b"lo", 0, b"")))[1]
    fcntl.ioctl(s, 0x8914, struct.pack("16sH14s", b"lo", flags | 1, b""))

    def get(path, headers={}):
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", 8000, timeout=5)
                c.request("GET", path, headers=headers)
                r = c.getresponse()
                return r.status, r.read().decode()
            except OSError:
                time.sleep(0.05)
        return None, None

    out = {}
    for name, extra in (("open", []), ("token", ["--admin-token", "0123456789abcdef"])):
        p = subprocess.Popen([ddbd, "--in-memory", "--host", "0.0.0.0", "--port", "8000"] + extra,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out[name] = [get("/"), get("/_ddbd/clock"), get("/_ddbd/clock", {"X-Ddbd-Admin-Token": "0123456789abcdef"}),
                     get("/_ddbd/console/"), get("/_ddbd/streams/tail?arn=x")]
        p.terminate()
        out[name + "_rc"] = p.wait(10)
    print(json.dumps(out))
""")


def test_beyond_loopback_admin_needs_a_token():
    """In a network namespace of its own (nothing outside can reach it), ddbd on 0.0.0.0."""
    r = subprocess.run(["unshare", "-n", sys.executable, "-c", BEYOND_LOOPBACK, ddbd_binary()],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    health, bare, with_token, console, tail = out["open"]
    assert health[0] == 200
    assert bare[0] == 403 and "--admin-token" in json.loads(bare[1])["error"]
    assert with_token[0] == 403  # no token configured: a header cannot open it
    assert console[0] == 403 and tail[0] == 403  # nor the console and the stream tail
    health, bare, with_token, console, tail = out["token"]
    assert bare[0] == 401 and with_token[0] == 200 and console[0] == 401 and tail[0] == 401
    assert out["open_rc"] == 0 and out["token_rc"] == 0


# ---- where triggers made at run time may point ---------------------------------------------------------


def post_trigger(endpoint, **settings):
    settings.setdefault("TableName", "NoSuchTable")
    return admin(endpoint, "/_ddbd/triggers", settings)


def test_run_time_triggers_call_loopback_only(start_ddbd, tmp_path):
    p = start_ddbd("--in-memory", "--trigger-dir", str(tmp_path / "dlq"))
    (tmp_path / "dlq").mkdir()
    for url in ("http://10.1.2.3:3000/", "http://example.com/", "http://127.0.0.1.example.com/"):
        status, doc = post_trigger(p.endpoint, Url=url)
        assert status == 403 and "--allow-any-trigger-target" in doc["error"], (url, doc)
    for url in ("http://127.0.0.1:9/", "http://localhost:9/", "http://127.1.2.3:9/"):
        status, doc = post_trigger(p.endpoint, Url=url)
        assert status == 201, (url, doc)
    status, doc = post_trigger(p.endpoint, Url="http://127.0.0.1:9/x",
                               DestinationConfig={"OnFailure": {"Destination": "http://10.0.0.1/dlq"}})
    assert status == 403 and "DestinationConfig" in doc["error"]


def test_run_time_on_failure_files_stay_in_the_trigger_dir(start_ddbd, tmp_path):
    d = tmp_path / "dlq"
    d.mkdir()
    (d / "sub").mkdir()
    os.symlink("/etc", d / "link")
    p = start_ddbd("--in-memory", "--trigger-dir", str(d))
    for path in ("/etc/passwd", str(d / ".." / "escape.jsonl"), str(d / "link" / "x"), str(tmp_path / "x.jsonl")):
        status, doc = post_trigger(p.endpoint, Url="http://127.0.0.1:9/y",
                                   DestinationConfig={"OnFailure": {"Destination": path}})
        assert status == 403 and "--trigger-dir" in doc["error"], (path, doc)
    for path in (str(d / "f.jsonl"), "file://" + str(d / "sub" / "g.jsonl")):
        status, doc = post_trigger(p.endpoint, Url="http://127.0.0.1:9/z",
                                   DestinationConfig={"OnFailure": {"Destination": path}})
        assert status == 201, (path, doc)
    q = start_ddbd("--in-memory")  # no --trigger-dir: no files at all
    status, doc = post_trigger(q.endpoint, Url="http://127.0.0.1:9/y",
                               DestinationConfig={"OnFailure": {"Destination": str(d / "f.jsonl")}})
    assert status == 403 and "none was given" in doc["error"]


def test_allow_any_trigger_target(start_ddbd, tmp_path):
    p = start_ddbd("--in-memory", "--allow-any-trigger-target")
    status, doc = post_trigger(p.endpoint, Url="http://10.1.2.3:3000/",
                               DestinationConfig={"OnFailure": {"Destination": str(tmp_path / "any.jsonl")}})
    assert status == 201, doc
    assert admin(p.endpoint, f"/_ddbd/triggers/{doc['UUID']}", method="DELETE")[0] == 200


def test_flag_triggers_are_not_limited(start_ddbd, tmp_path):
    """What the operator starts ddbd with is trusted: only run-time definitions are limited."""
    p = start_ddbd("--in-memory", "--trigger", f"Remote=http://10.1.2.3:3000/,on-failure={tmp_path / 'f.jsonl'}")
    status, doc = admin(p.endpoint, "/_ddbd/triggers")
    assert status == 200 and doc["Triggers"][0]["Url"] == "http://10.1.2.3:3000/"


# ---- signatures: with --auth verify nothing unsigned reaches an operation ------------------------------


def test_verify_lets_no_unsigned_write_through(start_ddbd):
    p = start_ddbd("--in-memory", "--auth", "verify", "--credentials", "AKIDSOAK:soaksecret")
    good = make_client(p.endpoint, access_key="AKIDSOAK", secret="soaksecret")
    t = create_table(good)
    body = json.dumps({"TableName": t, "Item": {"pk": {"S": "sneaky"}}}).encode()
    h = signed_headers(p.endpoint, "PutItem", body, access_key="AKIDSOAK", secret="soaksecret")
    tries = {
        "unsigned": ({"X-Amz-Target": "DynamoDB_20120810.PutItem"}, body),
        "wrong secret": (signed_headers(p.endpoint, "PutItem", body, access_key="AKIDSOAK", secret="nope"), body),
        "unknown key": (signed_headers(p.endpoint, "PutItem", body, access_key="AKIDOTHER", secret="soaksecret"), body),
        "body changed after signing": (h, body.replace(b"sneaky", b"sneakz")),
        "target changed after signing": (dict(h, **{"X-Amz-Target": "DynamoDB_20120810.DeleteTable"}), body),
        "garbage header": (dict(h, Authorization="AWS4-HMAC-SHA256 Credential=/,,,"), body),
    }
    for name, (headers, b) in tries.items():
        st, _, data = helpers.raw_request(p.endpoint, None, b, headers=headers, sign=False)
        assert st == 400 and json.loads(data)["__type"].startswith("com.amazon.coral.service#"), (name, data)
    assert good.scan(TableName=t)["Items"] == []  # none of them ran
    assert good.describe_table(TableName=t)["Table"]["TableStatus"] == "ACTIVE"
    st, _, _ = helpers.raw_request(p.endpoint, None, body, headers=h, sign=False)
    assert st == 200  # the signed one does
