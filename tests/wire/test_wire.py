"""The wire protocol: targets, JSON, authentication, response headers, HTTP framing, namespaces.

AWS behaviour sources: dynalite's index.js (architect/dynalite, built against live DynamoDB) for the
coral-service error types; scylladb test/alternator/test_crc.py (run against AWS) for the CRC header
on every response, errors included.
"""
import json
import socket
import time
from urllib.parse import urlparse

import pytest

import helpers

JSON_CT = "application/x-amz-json-1.0"


def check_common_headers(headers, body):
    assert headers["content-type"] == JSON_CT
    assert headers.get("x-amzn-requestid"), headers
    assert int(headers["content-length"]) == len(body)


def check_crc(headers, body):
    assert "x-amz-crc32" in headers, headers
    assert int(headers["x-amz-crc32"]) == helpers.crc32_of(body)


# --------------------------------------------------------------------------- targets, JSON, auth


def test_unknown_operation(endpoint):
    status, headers, body = helpers.raw_request(endpoint, "DynamoDB_20120810.NoSuchOperation", "{}")
    assert status == 400
    assert helpers.error_type(body) == "UnknownOperationException"
    check_common_headers(headers, body)


@pytest.mark.aws_differs(
    "DynamoDB Local answers an unknown target prefix with 'InvalidAction'; AWS answers UnknownOperationException "
    "for any target it cannot route (dynalite index.js)"
)
def test_unknown_target_prefix(endpoint):
    status, headers, body = helpers.raw_request(endpoint, "NotDynamoDB_20120810.ListTables", "{}")
    assert status == 400
    assert helpers.error_type(body) == "UnknownOperationException"


def test_malformed_json_rejected_and_server_keeps_serving(endpoint):
    status, headers, body = helpers.raw_request(endpoint, "ListTables", "{bad json")
    assert 400 <= status < 600
    assert "__type" in json.loads(body)
    status, headers, body = helpers.raw_request(endpoint, "ListTables", "{}")
    assert status == 200 and "TableNames" in json.loads(body)


@pytest.mark.aws_differs("DynamoDB Local answers malformed JSON with HTTP 500 InternalFailure")
@pytest.mark.parametrize("payload", ["{bad json", "", "{\"TableName\": "])
def test_malformed_json_serialization_exception(endpoint, payload):
    status, headers, body = helpers.raw_request(endpoint, "ListTables", payload)
    assert status == 400
    assert helpers.error_type(body) == "SerializationException"


def test_missing_authorization(endpoint):
    status, headers, body = helpers.raw_request(endpoint, "ListTables", "{}", sign=False)
    assert status == 400
    assert helpers.error_type(body).startswith("MissingAuthenticationToken")


@pytest.mark.aws_differs(
    "DynamoDB Local's type is 'MissingAuthenticationToken' with its own text; AWS: "
    "com.amazon.coral.service#MissingAuthenticationTokenException 'Request is missing Authentication Token'"
)
def test_missing_authorization_aws_shape(endpoint):
    status, headers, body = helpers.raw_request(endpoint, "ListTables", "{}", sign=False)
    assert status == 400
    doc = json.loads(body)
    assert doc["__type"] == "com.amazon.coral.service#MissingAuthenticationTokenException"
    assert helpers.error_message(body) == "Request is missing Authentication Token"


# --------------------------------------------------------------------------- response headers


def test_success_response_headers_and_crc(endpoint, ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "crc"}, "v": {"S": "\u00e9" * 3000}})
    for target, payload in [
        ("ListTables", {}),
        ("DescribeTable", {"TableName": hash_table}),
        ("GetItem", {"TableName": hash_table, "Key": {"pk": {"S": "crc"}}}),
        ("PutItem", {"TableName": hash_table, "Item": {"pk": {"S": "crc2"}}}),
    ]:
        status, headers, body = helpers.raw_request(endpoint, target, json.dumps(payload))
        assert status == 200, (target, body)
        check_common_headers(headers, body)
        check_crc(headers, body)
        json.loads(body)


def test_crc_on_large_response(endpoint, ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "big"}, "v": {"S": "y" * 350_000}})
    status, headers, body = helpers.raw_request(
        endpoint, "GetItem", json.dumps({"TableName": hash_table, "Key": {"pk": {"S": "big"}}})
    )
    assert status == 200 and len(body) > 350_000
    check_crc(headers, body)


def test_error_response_headers(endpoint):
    status, headers, body = helpers.raw_request(
        endpoint, "DescribeTable", json.dumps({"TableName": helpers.unique_name("missing")})
    )
    assert status == 400
    check_common_headers(headers, body)
    doc = json.loads(body)
    assert doc["__type"].endswith("#ResourceNotFoundException")


@pytest.mark.aws_differs("DynamoDB Local sends no x-amz-crc32 on error responses; AWS always does")
def test_error_response_crc(endpoint):
    status, headers, body = helpers.raw_request(
        endpoint, "GetItem", json.dumps({"TableName": helpers.unique_name("missing"), "Key": {"pk": {"S": "x"}}})
    )
    assert status == 400
    check_crc(headers, body)


@pytest.mark.aws_differs("DynamoDB Local spells the error member 'Message'; AWS JSON 1.0 errors use 'message'")
def test_error_body_shape(endpoint):
    status, headers, body = helpers.raw_request(
        endpoint, "GetItem", json.dumps({"TableName": helpers.unique_name("missing"), "Key": {"pk": {"S": "x"}}})
    )
    doc = json.loads(body)
    assert doc == {
        "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
        "message": "Requested resource not found",
    }


def test_request_ids_unique(endpoint):
    ids = set()
    for _ in range(5):
        status, headers, body = helpers.raw_request(endpoint, "ListTables", "{}")
        ids.add(headers["x-amzn-requestid"])
    assert len(ids) == 5


def test_botocore_sees_request_id(ddb):
    meta = ddb.list_tables()["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200
    assert meta["RequestId"]


# --------------------------------------------------------------------------- namespaces


def test_namespaces_by_access_key_and_region(client_factory, make_table):
    key_a = helpers.fresh_access_key()
    key_b = helpers.fresh_access_key()
    a = client_factory(access_key=key_a, region="us-east-1")
    b = client_factory(access_key=key_b, region="us-east-1")
    c = client_factory(access_key=key_a, region="eu-west-1")
    a2 = client_factory(access_key=key_a, region="us-east-1")
    name = make_table(client=a, name="ns-" + helpers.unique_name())
    a.put_item(TableName=name, Item={"pk": {"S": "only-in-a"}})
    assert a2.list_tables()["TableNames"] == [name]
    assert a2.get_item(TableName=name, Key={"pk": {"S": "only-in-a"}})["Item"] == {"pk": {"S": "only-in-a"}}
    for other in (b, c):
        assert name not in other.list_tables()["TableNames"]
        with pytest.raises(other.exceptions.ResourceNotFoundException):
            other.describe_table(TableName=name)
        with pytest.raises(other.exceptions.ResourceNotFoundException):
            other.get_item(TableName=name, Key={"pk": {"S": "only-in-a"}})
    # the same name in another namespace is a different table
    make_table(client=b, name=name, range=("sk", "N"))
    assert len(b.describe_table(TableName=name)["Table"]["KeySchema"]) == 2
    assert len(a.describe_table(TableName=name)["Table"]["KeySchema"]) == 1
    assert "Item" not in b.get_item(TableName=name, Key={"pk": {"S": "only-in-a"}, "sk": {"N": "1"}})


# --------------------------------------------------------------------------- raw HTTP framing (ddbd only)


def _signed_raw(endpoint, target, payload, extra=None):
    body = payload.encode() if isinstance(payload, str) else payload
    h = helpers.signed_headers(endpoint, target, body)
    u = urlparse(endpoint)
    h["Host"] = f"{u.hostname}:{u.port}"
    h["Content-Length"] = str(len(body))
    if extra:
        h.update(extra)
    head = "POST / HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return head.encode() + body


class RawReader:
    """Reads successive HTTP/1.1 responses from one socket."""

    def __init__(self, sock):
        self.f = sock.makefile("rb")

    def read_response(self):
        status_line = self.f.readline()
        if not status_line:
            return None
        parts = status_line.decode().split(" ", 2)
        assert parts[0].startswith("HTTP/1."), status_line
        status = int(parts[1])
        headers = {}
        while True:
            line = self.f.readline()
            assert line, "connection closed inside headers"
            if line in (b"\r\n", b"\n"):
                break
            k, v = line.decode().split(":", 1)
            headers[k.strip().lower()] = v.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.f.readline().split(b";")[0], 16)
                chunk = self.f.read(size + 2)[:size]
                if size == 0:
                    while self.f.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                body += chunk
        else:
            body = self.f.read(int(headers.get("content-length", "0")))
        return status, headers, body


def _connect(endpoint, timeout=10):
    u = urlparse(endpoint)
    s = socket.create_connection((u.hostname, u.port), timeout=timeout)
    return s


@pytest.mark.ddbd_only
def test_keep_alive_sequential_requests(endpoint, hash_table):
    s = _connect(endpoint)
    try:
        r = RawReader(s)
        for i in range(5):
            payload = json.dumps({"TableName": hash_table, "Item": {"pk": {"S": f"ka{i}"}}})
            s.sendall(_signed_raw(endpoint, "PutItem", payload))
            status, headers, body = r.read_response()
            assert status == 200, body
            assert headers.get("connection", "keep-alive").lower() != "close"
    finally:
        s.close()


@pytest.mark.ddbd_only
def test_pipelined_requests_answered_in_order(endpoint, ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "pipe"}, "v": {"N": "7"}})
    reqs = [
        ("GetItem", json.dumps({"TableName": hash_table, "Key": {"pk": {"S": "pipe"}}})),
        ("DescribeTable", json.dumps({"TableName": helpers.unique_name("missing")})),
        ("PutItem", json.dumps({"TableName": hash_table, "Item": {"pk": {"S": "pipe2"}, "v": {"N": "8"}}})),
        ("GetItem", json.dumps({"TableName": hash_table, "Key": {"pk": {"S": "pipe2"}}})),
        ("ListTables", "{}"),
        ("NoSuchOp", "{}"),
        ("GetItem", json.dumps({"TableName": hash_table, "Key": {"pk": {"S": "pipe"}}})),
    ]
    blob = b"".join(_signed_raw(endpoint, t, p) for t, p in reqs)
    s = _connect(endpoint)
    try:
        s.sendall(blob)  # everything in one write: the server must answer in order
        r = RawReader(s)
        got = [r.read_response() for _ in reqs]
    finally:
        s.close()
    assert got[0][0] == 200 and json.loads(got[0][2])["Item"]["v"] == {"N": "7"}
    assert got[1][0] == 400 and helpers.error_type(got[1][2]) == "ResourceNotFoundException"
    assert got[2][0] == 200 and json.loads(got[2][2]) == {}
    assert got[3][0] == 200 and json.loads(got[3][2])["Item"]["v"] == {"N": "8"}
    assert got[4][0] == 200 and "TableNames" in json.loads(got[4][2])
    assert got[5][0] == 400 and helpers.error_type(got[5][2]) == "UnknownOperationException"
    assert got[6][0] == 200 and json.loads(got[6][2])["Item"]["v"] == {"N": "7"}
    for status, headers, body in got:
        check_crc(headers, body)


@pytest.mark.ddbd_only
def test_request_split_across_writes(endpoint, hash_table):
    payload = json.dumps({"TableName": hash_table, "Item": {"pk": {"S": "split"}, "v": {"S": "x" * 5000}}})
    raw = _signed_raw(endpoint, "PutItem", payload)
    s = _connect(endpoint)
    try:
        for i in range(0, len(raw), 700):
            s.sendall(raw[i:i + 700])
            time.sleep(0.002)  # so the pieces arrive as separate reads: time has to pass here
        status, headers, body = RawReader(s).read_response()
        assert status == 200, body
    finally:
        s.close()


@pytest.mark.ddbd_only
def test_connection_close_honoured(endpoint):
    s = _connect(endpoint)
    try:
        s.sendall(_signed_raw(endpoint, "ListTables", "{}", extra={"Connection": "close"}))
        r = RawReader(s)
        status, headers, body = r.read_response()
        assert status == 200
        assert r.f.read() == b""  # server closed the connection after the response
    finally:
        s.close()


@pytest.mark.ddbd_only
def test_request_over_16mb_rejected_server_keeps_serving(endpoint):
    size = 16 * 1024 * 1024 + 1
    head = helpers.signed_headers(endpoint, "ListTables", b"")
    u = urlparse(endpoint)
    head.update({"Host": f"{u.hostname}:{u.port}", "Content-Length": str(size)})
    data = ("POST / HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n").encode()
    s = _connect(endpoint, timeout=20)
    try:
        s.sendall(data)
        chunk = b"{" + b" " * (1024 * 1024 - 1)
        sent = 0
        try:
            while sent < size:
                n = min(len(chunk), size - sent)
                s.sendall(chunk[:n])
                sent += n
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may stop reading once it has decided
        status, headers, body = RawReader(s).read_response()
        assert status in (400, 413), (status, body)
    finally:
        s.close()
    # and the server is fine
    status, headers, body = helpers.raw_request(endpoint, "ListTables", "{}")
    assert status == 200


@pytest.mark.ddbd_only
def test_health_endpoint(endpoint):
    assert helpers.health_ok(endpoint)
    import http.client

    u = urlparse(endpoint)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
    c.request("GET", "/")
    r = c.getresponse()
    r.read()
    assert r.status == 200
    c.close()


@pytest.mark.ddbd_only
def test_garbage_http_then_server_still_serves(endpoint):
    s = _connect(endpoint)
    try:
        s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        s.settimeout(5)
        try:
            data = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            data = b""
        assert data == b"" or data.startswith(b"HTTP/1.1 4")
    finally:
        s.close()
    status, headers, body = helpers.raw_request(endpoint, "ListTables", "{}")
    assert status == 200


def _chunked(raw_request_bytes, sizes=(7, 1, 100)):
    """The same request with its body sent chunked, in chunks of the given sizes."""
    head, body = raw_request_bytes.split(b"\r\n\r\n", 1)
    lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"content-length:")]
    out, i, k = [], 0, 0
    while i < len(body):
        n = sizes[k % len(sizes)]
        piece = body[i:i + n]
        out.append(b"%x\r\n%s\r\n" % (len(piece), piece))
        i += n
        k += 1
    return b"\r\n".join(lines + [b"Transfer-Encoding: chunked"]) + b"\r\n\r\n" + b"".join(out) + b"0\r\n\r\n"


@pytest.mark.ddbd_only
def test_chunked_request_body(endpoint, ddb, hash_table):
    payload = json.dumps({"TableName": hash_table, "Item": {"pk": {"S": "chunked"}, "v": {"S": "y" * 3000}}})
    s = _connect(endpoint)
    try:
        s.sendall(_chunked(_signed_raw(endpoint, "PutItem", payload)))
        status, headers, body = RawReader(s).read_response()
        assert status == 200, body
    finally:
        s.close()
    assert ddb.get_item(TableName=hash_table, Key={"pk": {"S": "chunked"}})["Item"]["v"]["S"] == "y" * 3000


@pytest.mark.ddbd_only
def test_expect_100_continue(endpoint, hash_table):
    payload = json.dumps({"TableName": hash_table, "Item": {"pk": {"S": "continue"}}}).encode()
    raw = _signed_raw(endpoint, "PutItem", payload, extra={"Expect": "100-continue"})
    head, body = raw.split(b"\r\n\r\n", 1)
    s = _connect(endpoint)
    try:
        s.sendall(head + b"\r\n\r\n")
        interim = s.recv(64)  # the server must invite the body before it is sent
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim
        s.sendall(body)
        status, headers, reply = RawReader(s).read_response()
        assert status == 200, reply
    finally:
        s.close()


@pytest.mark.ddbd_only
def test_many_concurrent_connections(endpoint, hash_table):
    """300 connections open at once, each writing and reading its own item."""
    import concurrent.futures
    socks = [_connect(endpoint) for _ in range(300)]

    def work(i):
        s = socks[i]
        r = RawReader(s)
        s.sendall(_signed_raw(endpoint, "PutItem", json.dumps({"TableName": hash_table, "Item": {"pk": {"S": f"c{i}"}}})))
        assert r.read_response()[0] == 200
        s.sendall(_signed_raw(endpoint, "GetItem", json.dumps({"TableName": hash_table, "Key": {"pk": {"S": f"c{i}"}}})))
        status, _, body = r.read_response()
        return status, json.loads(body)["Item"]["pk"]["S"]

    try:
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            results = list(pool.map(work, range(300)))
    finally:
        for s in socks:
            s.close()
    assert results == [(200, f"c{i}") for i in range(300)]


@pytest.mark.ddbd_only
def test_overlong_access_key_rejected(endpoint):
    """An access key longer than AWS allows (128) is not a caller ddbd can
    file tables under: UnrecognizedClientException, as AWS answers unknown keys."""
    from botocore.exceptions import ClientError
    c = helpers.make_client(endpoint, access_key="A" * 129)
    with pytest.raises(ClientError) as e:
        c.list_tables()
    assert e.value.response["Error"]["Code"] == "UnrecognizedClientException"
