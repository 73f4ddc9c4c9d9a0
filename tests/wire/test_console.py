"""The console's server side, over raw HTTP: its embedded files (content types, ETags, the
Content-Security-Policy, compression, no shadowing of POST /), the stream tail
(/_ddbd/streams/tail: server-sent events pushed after each commit, resumable with
Last-Event-ID, a closed client forgotten) and the stats endpoint. The browser tests
(tests/console) drive the same pieces through chromium."""
import gzip
import http.client
import json
import socket
import time
from urllib.parse import quote, urlparse

import pytest

import helpers
from helpers import S, N

pytestmark = pytest.mark.ddbd_only


def get(endpoint, path, headers=None, method="GET"):
    u = urlparse(endpoint)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


# ---- the files ----------------------------------------------------------------------------------


def test_console_files_have_types_csp_and_etags(endpoint):
    status, h, body = get(endpoint, "/_ddbd/console/")
    assert status == 200
    assert h["content-type"] == "text/html; charset=utf-8"
    assert b'<script type="module" src="js/app.js">' in body
    csp = h["content-security-policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                      "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert h["x-content-type-options"] == "nosniff"
    assert h["cache-control"] == "no-cache"
    etag = h["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    status, h2, body2 = get(endpoint, "/_ddbd/console/", {"If-None-Match": etag})
    assert status == 304 and body2 == b"" and h2["etag"] == etag
    for path, ctype in (("js/app.js", "text/javascript; charset=utf-8"), ("css/console.css", "text/css; charset=utf-8"),
                        ("favicon.svg", "image/svg+xml")):
        status, h, body = get(endpoint, "/_ddbd/console/" + path)
        assert status == 200 and h["content-type"] == ctype and body
    status, h, body = get(endpoint, "/_ddbd/console/js/app.js", {"Accept-Encoding": "gzip"})
    assert h["content-encoding"] == "gzip"
    assert gzip.decompress(body) == get(endpoint, "/_ddbd/console/js/app.js")[2]


def test_console_routes(endpoint, ddb):
    status, h, _ = get(endpoint, "/_ddbd/console?token=abc")
    assert status == 301 and h["location"] == "/_ddbd/console/?token=abc"
    assert get(endpoint, "/_ddbd/console/no/such.js")[0] == 404
    assert get(endpoint, "/_ddbd/console/../console/index.html")[0] == 404
    assert get(endpoint, "/_ddbd/consoles")[0] == 404  # an admin route miss, not the console
    status, h, _ = get(endpoint, "/_ddbd/console/", method="POST")
    assert status == 405 and h["allow"] == "GET, HEAD"
    # POST / is DynamoDB's, whatever the console serves
    assert "TableNames" in ddb.list_tables()


# ---- the stream tail ----------------------------------------------------------------------------


class Sse:
    """A raw server-sent-events client: events as (name, id, data) tuples."""

    def __init__(self, endpoint, path, headers=None):
        u = urlparse(endpoint)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=5)
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {u.hostname}\r\nAccept: text/event-stream\r\n{extra}\r\n".encode())
        self.buf = b""
        head = self._until(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}

    def _until(self, sep, timeout=5.0):
        deadline = time.monotonic() + timeout
        while sep not in self.buf:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        out, _, self.buf = self.buf.partition(sep)
        return out

    def event(self, timeout=5.0):
        """The next event (comments skipped)."""
        while True:
            block = self._until(b"\n\n", timeout).decode()
            fields = {}
            for line in block.split("\n"):
                if line.startswith(":"):
                    continue
                k, _, v = line.partition(": ")
                fields[k] = v
            if "event" in fields:
                return fields["event"], fields.get("id"), json.loads(fields.get("data", "null"))

    def close(self):
        self.sock.close()


def tail_path(table, **q):
    q = {"table": table, "key": helpers.DEFAULT_ACCESS_KEY, "region": helpers.DEFAULT_REGION, **q}
    return "/_ddbd/streams/tail?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in q.items())


def test_tail_pushes_each_record_as_getrecords_returns_it(endpoint, ddb, streams, make_table):
    table = make_table(stream="NEW_AND_OLD_IMAGES")
    ddb.put_item(TableName=table, Item={"pk": S("before")})  # before the tail: not sent (start=latest)
    sse = Sse(endpoint, tail_path(table))
    try:
        assert sse.status == 200
        assert sse.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert sse.headers["cache-control"] == "no-store"
        name, _, opened = sse.event()
        arn = helpers.latest_stream_arn(ddb, table)
        assert name == "open" and opened["StreamArn"] == arn and opened["TableName"] == table
        started = time.monotonic()
        ddb.put_item(TableName=table, Item={"pk": S("a"), "v": N("1")})
        name, seq, rec = sse.event(timeout=1.0)
        assert time.monotonic() - started < 1.0
        ddb.put_item(TableName=table, Item={"pk": S("a"), "v": N("2")})
        _, seq2, rec2 = sse.event(timeout=1.0)
        assert (name, rec["eventName"], rec2["eventName"]) == ("record", "INSERT", "MODIFY")
        assert rec2["dynamodb"]["OldImage"]["v"] == N("1") and rec2["dynamodb"]["NewImage"]["v"] == N("2")
        assert seq == rec["dynamodb"]["SequenceNumber"] and int(seq2) > int(seq)
        by_seq = {r["dynamodb"]["SequenceNumber"]: r for r in helpers.read_all(streams, arn)}
        for r in (rec, rec2):  # exactly GetRecords' record (boto3 parses dates; compare the rest)
            want = by_seq[r["dynamodb"]["SequenceNumber"]]
            assert r["eventID"] == want["eventID"] and r["dynamodb"]["Keys"] == want["dynamodb"]["Keys"]
    finally:
        sse.close()
    # EventSource's reconnect: Last-Event-ID resumes after the record it names
    again = Sse(endpoint, tail_path(table), {"Last-Event-ID": seq})
    try:
        again.event()
        _, resumed, _ = again.event(timeout=1.0)
        assert resumed == seq2
    finally:
        again.close()
    whole = Sse(endpoint, tail_path(table, start="trim_horizon"))
    try:
        whole.event()
        assert [whole.event()[2]["dynamodb"]["Keys"]["pk"]["S"] for _ in range(3)] == ["before", "a", "a"]
    finally:
        whole.close()


def test_tail_by_arn_and_many_clients_coming_and_going(endpoint, ddb, make_table):
    table = make_table(stream="KEYS_ONLY")
    arn = helpers.latest_stream_arn(ddb, table)
    tails = [Sse(endpoint, "/_ddbd/streams/tail?arn=" + quote(arn, safe="")) for _ in range(5)]
    for t in tails:
        assert t.event()[0] == "open"
    for t in tails[:3]:
        t.close()  # clients that leave are forgotten; the others go on
    for i in range(30):
        ddb.put_item(TableName=table, Item={"pk": S(f"k{i}")})
    for t in tails[3:]:
        assert [t.event()[2]["dynamodb"]["Keys"]["pk"]["S"] for _ in range(30)] == [f"k{i}" for i in range(30)]
        t.close()
    assert "TableNames" in ddb.list_tables()


def test_tail_errors(endpoint, make_table):
    plain = make_table()
    for path, status, words in (
        (tail_path("no-such-table"), 404, "no such table"),
        (tail_path(plain), 400, "no stream"),
        ("/_ddbd/streams/tail", 400, "give arn="),
        ("/_ddbd/streams/tail?table=x", 400, "key="),
        ("/_ddbd/streams/tail?arn=arn%3Aaws%3Adynamodb%3Aus-east-1%3A1%3Atable%2Fx%2Fstream%2Fy", 404, "no such stream"),
        ("/_ddbd/streams/tail?arn=%zz", 400, "give arn="),
    ):
        s, h, body = get(endpoint, path)
        assert (s, h["content-type"]) == (status, "application/json"), path
        assert words in json.loads(body)["error"], (path, body)
    assert get(endpoint, "/_ddbd/streams/tail", method="POST")[0] == 405


def test_tail_bad_start(endpoint, make_table):
    table = make_table(stream="KEYS_ONLY")
    for q in ({"start": "middle"}, {"after": "-1"}, {"after": "12x"}):
        s, _, body = get(endpoint, tail_path(table, **q))
        assert s == 400 and "start is latest or trim_horizon" in json.loads(body)["error"]


# ---- stats ----------------------------------------------------------------------------------------


def test_stats_count_requests_and_keep_recent_errors(endpoint, ddb, hash_table):
    before = helpers.admin(endpoint, "/_ddbd/stats")[1]
    ddb.put_item(TableName=hash_table, Item={"pk": S("x")})
    with pytest.raises(Exception):
        ddb.put_item(TableName=hash_table, Item={"pk": S("x")}, ConditionExpression="attribute_not_exists(pk)")
    status, after = helpers.admin(endpoint, "/_ddbd/stats")
    assert status == 200
    assert after["version"] and after["flags"]["in_memory"] is True and after["data_dir_bytes"] > 0
    put_before = before["operations"].get("PutItem", {"requests": 0, "errors": 0})
    assert after["operations"]["PutItem"]["requests"] - put_before["requests"] == 2
    assert after["operations"]["PutItem"]["errors"] - put_before["errors"] == 1
    assert after["requests"] - before["requests"] >= 2 and after["uptime_seconds"] >= before["uptime_seconds"]
    newest = after["recent_errors"][0]
    assert (newest["operation"], newest["type"], newest["message"]) == (
        "PutItem", "ConditionalCheckFailedException", "The conditional request failed")
    assert helpers.admin(endpoint, "/_ddbd/stats", {})[0] == 405
