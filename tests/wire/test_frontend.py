"""AWS's front end: validation stages and wording, compressed requests and replies, CORS, the
health check, Date/Server headers, SigV4 verification, and the control-plane rules issue 13 names.

AWS's answers come from the conformance suite recorded against AWS (../shared/conformance), from
dynalite's and ScyllaDB's AWS-verified tests, and from AWS's documentation; each test says which.
"""
import binascii
import gzip
import http.client
import json
import os
import subprocess
import zlib
from pathlib import Path
from urllib.parse import urlparse

import pytest
from botocore.exceptions import ClientError

import helpers

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "tests" / "node" / "node_modules"


def err(e):
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def raw(endpoint, op, body, headers=None, **kw):
    return helpers.raw_request(endpoint, op, body if isinstance(body, (bytes, str)) else json.dumps(body),
                               headers=headers, **kw)


def plain(endpoint, method, path="/", headers=None):
    u = urlparse(endpoint)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


# ---- validation: the model's constraints first, in AWS's stages and words --------------------------


@pytest.mark.aws_differs("DynamoDB Local checks the operation's parameters first; AWS reports an invalid "
                         "TableName alone, before anything else (conformance suite, tier3 validation-ordering)")
def test_table_name_reported_alone(raw_ddb):
    for op, extra in (("put_item", {"Item": {}, "ReturnValues": "INVALID"}), ("delete_item", {"Key": {}}),
                      ("update_item", {"Key": {}, "ReturnValues": "BAD"})):
        with pytest.raises(ClientError) as e:
            getattr(raw_ddb, op)(TableName="", **extra)
        assert err(e) == ("ValidationException", "1 validation error detected: Value '' at 'tableName' failed to "
                                                  "satisfy constraint: Member must have length greater than or equal "
                                                  "to 1")
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName="x!", KeySchema=[], AttributeDefinitions=[])
    assert err(e) == ("ValidationException", "2 validation errors detected: Value 'x!' at 'tableName' failed to "
                                              "satisfy constraint: Member must satisfy regular expression pattern: "
                                              "[a-zA-Z0-9_.-]+; Value 'x!' at 'tableName' failed to satisfy "
                                              "constraint: Member must have length greater than or equal to 3")


@pytest.mark.aws_differs("DynamoDB Local's wording for a missing TableName differs")
def test_missing_table_name_words(endpoint):
    st, _, body = raw(endpoint, "CreateTable", {"KeySchema": []})
    assert (st, helpers.error_message(body)) == (400, "The parameter 'TableName' is required but was not present in "
                                                      "the request")
    st, _, body = raw(endpoint, "PutItem", {"Item": {}})
    assert helpers.error_message(body) == ("1 validation error detected: Value null at 'tableName' failed to satisfy "
                                           "constraint: Member must not be null")
    for op in ("BatchGetItem", "BatchWriteItem"):
        st, _, body = raw(endpoint, op, {"RequestItems": {}})
        assert helpers.error_message(body) == f"The requestItems parameter is required for {op}"


@pytest.mark.aws_differs("DynamoDB Local orders enum values its own way")
def test_violations_collected_with_paths_and_aws_enum_order(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=table_name, AttributeDefinitions=[{"AttributeName": "pk",
                                                                          "AttributeType": "SS"}],
                             KeySchema=[{"AttributeName": "pk", "KeyType": "SORT"}], BillingMode="FREE",
                             ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1})
    code, msg = err(e)
    assert code == "ValidationException"
    assert msg.startswith("4 validation errors detected: ")
    for part in ("Value 'SS' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member "
                 "must satisfy enum value set: [B, N, S]",
                 "Value 'SORT' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy "
                 "enum value set: [HASH, RANGE]",
                 "Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: "
                 "[PROVISIONED, PAY_PER_REQUEST]",
                 "Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must "
                 "have value greater than or equal to 1"):
        assert part in msg
    with pytest.raises(ClientError) as e:
        raw_ddb.query(TableName=table_name, KeyConditionExpression="pk = :v", Select="ALL",
                      ExpressionAttributeValues={":v": {"S": "a"}})
    assert err(e)[1] == ("1 validation error detected: Value 'ALL' at 'select' failed to satisfy constraint: Member "
                         "must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
                         "ALL_PROJECTED_ATTRIBUTES]")


@pytest.mark.aws_differs("DynamoDB Local lists every violation; AWS at most ten (dynalite's recorded tests)")
def test_at_most_ten_violations_reported(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=table_name, AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                             GlobalSecondaryIndexes=[{} for _ in range(6)])
    msg = err(e)[1]
    assert msg.startswith("10 validation errors detected: ")
    assert msg.count("; ") == 9


@pytest.mark.aws_differs("DynamoDB Local checks Query's Limit like Scan's")
def test_operation_words_its_own_constraints(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.query(TableName=hash_table, KeyConditionExpression="pk = :v", Limit=0,
                      ExpressionAttributeValues={":v": {"S": "a"}})
    assert err(e)[1] == ("1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must "
                         "have value greater than or equal to 1")
    with pytest.raises(ClientError) as e:
        raw_ddb.scan(TableName=hash_table, Limit=0)
    assert err(e)[1] == ("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must "
                         "have value greater than or equal to 1")


@pytest.mark.aws_differs("DynamoDB Local answers a string Limit with HTTP 500 InternalFailure")
def test_wrong_json_types_are_serialization_errors(endpoint, hash_table):
    st, _, body = raw(endpoint, "Scan", {"TableName": hash_table, "Limit": "ten"})
    assert (st, helpers.error_type(body), helpers.error_message(body)) == (
        400, "SerializationException", "STRING_VALUE cannot be converted to Integer")
    st, _, body = raw(endpoint, "CreateTable", {"TableName": hash_table, "KeySchema": {}})
    assert helpers.error_message(body) == "Start of structure or map found where not expected."


@pytest.mark.aws_differs("DynamoDB Local's Streams API reports only its first violation")
def test_every_operation_in_the_model_is_validated(endpoint):
    """The tables cover every operation of both services, DynamoDB Streams' too."""
    st, _, body = raw(endpoint, "DynamoDBStreams_20120810.DescribeStream", {"StreamArn": "arn:x", "Limit": 0})
    assert helpers.error_message(body) == (
        "2 validation errors detected: Value 'arn:x' at 'streamArn' failed to satisfy constraint: Member must have "
        "length greater than or equal to 37; Value '0' at 'limit' failed to satisfy constraint: Member must have "
        "value greater than or equal to 1")


# ---- the control plane in AWS's words -------------------------------------------------------------


def _keys(*pairs):
    return [{"AttributeName": a, "KeyType": k} for a, k in pairs]


@pytest.mark.aws_differs("DynamoDB Local accepts an LSI on a hash-only table and words key errors its own way")
def test_table_definition_rules(raw_ddb, table_name):
    defs = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "S"}]
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=table_name, AttributeDefinitions=defs[:1], BillingMode="PAY_PER_REQUEST",
                             KeySchema=_keys(("pk", "HASH"), ("pk", "RANGE")))
    assert err(e)[1] == "Invalid KeySchema: Some index key attribute have no definition"
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=table_name, AttributeDefinitions=defs, BillingMode="PAY_PER_REQUEST",
                             KeySchema=_keys(("pk", "HASH")),
                             LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": _keys(("pk", "HASH"),
                                                                                            ("l", "RANGE")),
                                                     "Projection": {"ProjectionType": "ALL"}}])
    assert err(e)[1] == ("One or more parameter values were invalid: Table KeySchema does not have a range key, "
                         "which is required when specifying a LocalSecondaryIndex")


@pytest.mark.aws_differs("DynamoDB Local accepts an UpdateTable that changes nothing")
def test_update_table_that_changes_nothing(raw_ddb, make_table):
    t = make_table(ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}, BillingMode="PROVISIONED")
    with pytest.raises(ClientError) as e:
        raw_ddb.update_table(TableName=t, BillingMode="PROVISIONED",
                             ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    assert err(e)[1].startswith("The provisioned throughput for the table will not change.")


@pytest.mark.aws_differs("DynamoDB Local has one account and does not check ARNs' accounts")
def test_tag_arns_of_other_accounts_and_regions(ddb, hash_table):
    arn = ddb.describe_table(TableName=hash_table)["Table"]["TableArn"]
    parts = arn.split(":")
    other_account = ":".join(parts[:4] + ["000000000000"] + parts[5:])
    with pytest.raises(ClientError) as e:
        ddb.list_tags_of_resource(ResourceArn=other_account)
    assert err(e)[0] == "AccessDeniedException"
    other_region = ":".join(parts[:3] + ["eu-west-1"] + parts[4:])
    with pytest.raises(ClientError) as e:
        ddb.list_tags_of_resource(ResourceArn=other_region)
    assert err(e) == ("ValidationException", f"Invalid TableArn: Invalid ResourceArn provided as input {other_region}")
    with pytest.raises(ClientError) as e:
        ddb.tag_resource(ResourceArn="table/x", Tags=[{"Key": "k", "Value": "v"}])
    assert err(e)[1].startswith("Invalid TableArn: ARNs must start with 'arn:'")
    # the caller's own account: the table's ARN works
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


@pytest.mark.ddbd_only  # ddbd's design (AWS derives the account from the key; two keys may share one)
def test_each_access_key_is_its_own_account(client_factory, endpoint):
    a = client_factory(access_key=helpers.fresh_access_key())
    b = client_factory(access_key=helpers.fresh_access_key())
    name = helpers.unique_name()
    for c in (a, b):
        c.create_table(TableName=name, KeySchema=_keys(("pk", "HASH")), BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    arn_a = a.describe_table(TableName=name)["Table"]["TableArn"]
    arn_b = b.describe_table(TableName=name)["Table"]["TableArn"]
    assert arn_a.split(":")[4] != arn_b.split(":")[4]
    assert len(arn_a.split(":")[4]) == 12
    with pytest.raises(ClientError) as e:
        b.list_tags_of_resource(ResourceArn=arn_a)
    assert err(e)[0] == "AccessDeniedException"
    for c in (a, b):
        c.delete_table(TableName=name)


@pytest.mark.aws_differs("DynamoDB Local does not limit a transaction's size")
def test_transact_write_over_4mb(raw_ddb, hash_table):
    items = [{"Put": {"TableName": hash_table, "Item": {"pk": {"S": f"big{i}"}, "v": {"S": "x" * 350_000}}}}
             for i in range(12)]
    with pytest.raises(ClientError) as e:
        raw_ddb.transact_write_items(TransactItems=items)
    assert err(e) == ("ValidationException", "Transaction request cannot be larger than 4 MB")
    assert "Item" not in raw_ddb.get_item(TableName=hash_table, Key={"pk": {"S": "big0"}})


@pytest.mark.aws_differs("DynamoDB Local answers a key that does not fit with a ValidationException")
def test_transact_get_with_a_bad_key_cancels(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.transact_get_items(TransactItems=[{"Get": {"TableName": hash_table, "Key": {"pk": {"S": "a"}}}},
                                                  {"Get": {"TableName": hash_table, "Key": {}}}])
    assert err(e) == ("TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for "
                                                      "specific reasons [None, ValidationError]")
    assert [r["Code"] for r in e.value.response["CancellationReasons"]] == ["None", "ValidationError"]


# ---- HTTP: compressed requests and replies ------------------------------------------------------


def _put_body(table, key, size=5000):
    return json.dumps({"TableName": table, "Item": {"pk": {"S": key}, "v": {"S": "x" * size}}}).encode()


@pytest.mark.ddbd_only
def test_compressed_requests_by_a_real_sdk(endpoint, hash_table):
    """npm's AWS SDK with its request-compression middleware: gzip bodies, signed as sent."""
    r = subprocess.run(["node", str(REPO / "tests" / "node" / "compressed_client.js"), endpoint, hash_table],
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, DDBD_NODE_MODULES=str(NODE_MODULES)))
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert r.returncode == 0, out
    assert out == {"sent": [{"encoding": "gzip", "magic": "1f8b"}] * 2, "length": 10000}


@pytest.mark.ddbd_only
@pytest.mark.parametrize("encoding,pack", [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("GZIP", gzip.compress),
    ("gzip, deflate", lambda b: zlib.compress(gzip.compress(b))),
    ("gzip", lambda b: gzip.compress(b[:10]) + gzip.compress(b[10:])),  # two gzip members are one body
])
def test_compressed_request_bodies(endpoint, ddb, hash_table, encoding, pack):
    st, _, body = raw(endpoint, "PutItem", pack(_put_body(hash_table, "z")), headers={"Content-Encoding": encoding})
    assert st == 200, body
    assert ddb.get_item(TableName=hash_table, Key={"pk": {"S": "z"}})["Item"]["v"]["S"] == "x" * 5000


@pytest.mark.ddbd_only
@pytest.mark.parametrize("encoding,data", [("br", b"{}"), ("gzip", b'{"TableName": "x"}'),
                                           ("gzip", gzip.compress(b"{}")[:-1]), ("gzip", b"")])
def test_broken_or_unknown_codings_are_refused(endpoint, ddb, hash_table, encoding, data):
    """AWS answers 500 for these (ScyllaDB's tests, verified against DynamoDB)."""
    st, _, body = raw(endpoint, "PutItem", data, headers={"Content-Encoding": encoding})
    assert st == 500
    assert helpers.error_type(body) == "InternalServerError"


@pytest.mark.ddbd_only
def test_decoded_size_is_limited(endpoint, hash_table):
    huge = gzip.compress(b"{" + b" " * (17 * 1024 * 1024) + b"}")
    st, _, body = raw(endpoint, "PutItem", huge, headers={"Content-Encoding": "gzip"})
    assert st == 413


@pytest.mark.ddbd_only
@pytest.mark.parametrize("accept,want", [
    ("gzip", "gzip"), ("deflate", "deflate"), ("gzip, deflate", "gzip"), ("br, identity, deflate, gzip", "deflate"),
    ("*", "gzip"), ("*, deflate", "deflate"), ("*, gzip;q=0.5", "deflate"), ("gzip;q=0", None), ("identity", None),
    ("br", None), ("", None), ("deflate;q=0.5, gzip;q=0.x", "gzip"), ("br;q=0.8,identity;q=0.5,*;q=0", None),
])
def test_compressed_replies(endpoint, ddb, hash_table, accept, want):
    """Accept-Encoding's choices as DynamoDB makes them (ScyllaDB's tests), for replies from 4 KB; the CRC32 is
    of the bytes sent, which is what botocore checks."""
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "big"}, "v": {"S": "x" * 5000}})
    st, h, body = raw(endpoint, "GetItem", {"TableName": hash_table, "Key": {"pk": {"S": "big"}}},
                      headers={"Accept-Encoding": accept})
    assert st == 200
    assert h.get("content-encoding") == want
    assert int(h["x-amz-crc32"]) == binascii.crc32(body)
    plain_body = gzip.decompress(body) if want == "gzip" else zlib.decompress(body) if want == "deflate" else body
    assert json.loads(plain_body)["Item"]["v"]["S"] == "x" * 5000
    # a small reply stays as it is
    st, h, body = raw(endpoint, "DescribeLimits", {}, headers={"Accept-Encoding": accept})
    assert "content-encoding" not in h


# ---- HTTP: health, headers, CORS ----------------------------------------------------------------


@pytest.mark.ddbd_only
def test_health_check_as_aws_answers(endpoint):
    host = urlparse(endpoint).netloc
    st, h, body = plain(endpoint, "GET", "/")
    assert (st, body) == (200, f"healthy: {host}".encode())
    for path in ("/health", "/abc", "/index.htm"):
        st, _, _ = plain(endpoint, "GET", path)
        assert 400 <= st <= 404


@pytest.mark.ddbd_only
def test_date_and_server_headers(endpoint):
    st, h, _ = raw(endpoint, "ListTables", {})
    assert h["server"] == "Server"
    assert h["date"].endswith(" GMT")
    st, h, _ = plain(endpoint, "GET", "/")
    assert "date" in h and h["server"] == "Server"


@pytest.mark.ddbd_only
def test_browser_cors_preflight_and_reply(endpoint):
    st, h, body = plain(endpoint, "OPTIONS", "/", {
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-date,authorization"})
    assert st == 200
    assert h["access-control-allow-origin"] == "*"
    assert h["access-control-allow-methods"] == "POST"
    assert h["access-control-allow-headers"] == "content-type,x-amz-target,x-amz-date,authorization"
    assert "access-control-max-age" in h
    st, h, _ = raw(endpoint, "ListTables", {}, headers={"Origin": "http://localhost:3000"})
    assert h["access-control-allow-origin"] == "*"
    assert "x-amz-crc32" in h["access-control-expose-headers"].lower()
    assert "access-control-max-age" not in h
    st, h, _ = raw(endpoint, "ListTables", {})
    assert "access-control-allow-origin" not in h


@pytest.mark.ddbd_only
def test_cors_origin_list(tmp_path):
    p = helpers.DdbdProcess(["--in-memory", "--cors", "http://a.example,http://b.example"],
                            log_path=tmp_path / "ddbd.log").wait_ready()
    try:
        st, h, _ = raw(p.endpoint, "ListTables", {}, headers={"Origin": "http://b.example"})
        assert h["access-control-allow-origin"] == "http://b.example"
        st, h, _ = raw(p.endpoint, "ListTables", {}, headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in h
    finally:
        assert p.terminate() == 0


# ---- signatures -------------------------------------------------------------------------------------


@pytest.mark.ddbd_only
def test_signatures_verified_with_real_credentials(tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = filesecret\n")
    p = helpers.DdbdProcess(["--in-memory", "--auth", "verify", "--credentials", "AKIDFLAG:flagsecret",
                             "--credentials-file", str(creds)], log_path=tmp_path / "ddbd.log").wait_ready()
    try:
        for key, secret in (("AKIDFLAG", "flagsecret"), ("AKIDFILE", "filesecret")):
            assert helpers.make_client(p.endpoint, access_key=key, secret=secret).list_tables()["TableNames"] == []
        with pytest.raises(ClientError) as e:
            helpers.make_client(p.endpoint, access_key="AKIDFLAG", secret="wrong").list_tables()
        assert err(e) == ("InvalidSignatureException",
                          "The request signature we calculated does not match the signature you provided. Check your "
                          "AWS Secret Access Key and signing method. Consult the service documentation for details.")
        with pytest.raises(ClientError) as e:
            helpers.make_client(p.endpoint, access_key="AKIDUNKNOWN", secret="x").list_tables()
        assert err(e) == ("UnrecognizedClientException", "The security token included in the request is invalid.")
        # a body changed after signing
        h = helpers.signed_headers(p.endpoint, "ListTables", b"{}", access_key="AKIDFLAG", secret="flagsecret")
        st, _, body = raw(p.endpoint, "ListTables", b'{"Limit":1}', headers=h, sign=False)
        assert helpers.error_type(body) == "InvalidSignatureException"
        # a date more than 15 minutes off
        h = helpers.signed_headers(p.endpoint, "ListTables", b"{}", access_key="AKIDFLAG", secret="flagsecret")
        h["X-Amz-Date"] = "20200101T000000Z"
        st, _, body = raw(p.endpoint, "ListTables", b"{}", headers=h, sign=False)
        assert helpers.error_type(body) == "InvalidSignatureException"
        assert helpers.error_message(body).startswith("Signature expired: 20200101T000000Z is now earlier than ")
        # a compressed body is signed as sent
        body = gzip.compress(b"{}")
        h = helpers.signed_headers(p.endpoint, "ListTables", body, access_key="AKIDFILE", secret="filesecret")
        h["Content-Encoding"] = "gzip"
        st, _, _ = raw(p.endpoint, "ListTables", body, headers=h, sign=False)
        assert st == 200
    finally:
        assert p.terminate() == 0


@pytest.mark.ddbd_only
def test_auth_verify_needs_credentials(tmp_path):
    r = subprocess.run([helpers.ddbd_binary(), "--in-memory", "--port", "0", "--auth", "verify"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 2
    assert "--credentials" in r.stderr
