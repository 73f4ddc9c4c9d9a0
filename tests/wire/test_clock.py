"""ddbd's controllable clock: --clock, GET/POST /_ddbd/clock, and what follows it.

ddbd only (the admin endpoints are ddbd's own). Every test here runs its own ddbd.
"""
import datetime
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

import helpers

pytestmark = pytest.mark.ddbd_only

Y2030 = 1893456000000  # 2030-01-01T00:00:00Z in ms


@pytest.fixture
def run(tmp_path):
    started = []

    def start(*args):
        p = helpers.DdbdProcess(["--in-memory", *args], log_path=tmp_path / f"ddbd-{len(started)}.log")
        p.wait_ready(5.0)
        started.append(p)
        return p.endpoint

    yield start
    for p in started:
        assert p.terminate() == 0


def clock(endpoint):
    st, doc = helpers.admin(endpoint, "/_ddbd/clock")
    assert st == 200
    return doc


def test_get_clock_is_real_time_by_default(run):
    ep = run()
    doc = clock(ep)
    assert set(doc) == {"now_ms", "now", "frozen"}
    assert abs(doc["now_ms"] - time.time() * 1000) < 5000
    assert doc["frozen"] is False
    assert doc["now"].endswith("Z")


def test_set_advance_and_freeze(run):
    ep = run()
    st, doc = helpers.admin(ep, "/_ddbd/clock", {"set": "2030-01-01T00:00:00Z", "frozen": True})
    assert st == 200 and doc == {"now_ms": Y2030, "now": "2030-01-01T00:00:00.000Z", "frozen": True}
    time.sleep(0.05)
    assert clock(ep)["now_ms"] == Y2030  # frozen stands still
    st, doc = helpers.admin(ep, "/_ddbd/clock", {"advance_seconds": 90.5})
    assert doc["now_ms"] == Y2030 + 90500
    st, doc = helpers.admin(ep, "/_ddbd/clock", {"set_ms": Y2030 + 1})
    assert doc["now_ms"] == Y2030 + 1
    st, doc = helpers.admin(ep, "/_ddbd/clock", {"advance_ms": -1})
    assert doc["now_ms"] == Y2030
    st, doc = helpers.admin(ep, "/_ddbd/clock", {"frozen": False})
    assert doc["frozen"] is False
    time.sleep(0.05)
    assert clock(ep)["now_ms"] > Y2030  # runs on from where it stood


@pytest.mark.parametrize("body", [
    {}, {"set_ms": "soon"}, {"set": "yesterday"}, {"set_ms": 1, "advance_seconds": 1}, [1], "not json",
])
def test_bad_clock_requests(run, body):
    ep = run()
    st, doc = helpers.admin(ep, "/_ddbd/clock", body if not isinstance(body, str) else body.encode(), method="POST")
    assert st == 400
    assert isinstance(doc["error"], str) and doc["error"]


def test_unknown_admin_path_and_method(run):
    ep = run()
    assert helpers.admin(ep, "/_ddbd/nope")[0] == 404
    assert helpers.admin(ep, "/_ddbd/ttl/sweep", method="GET")[0] == 405
    assert helpers.admin(ep, "/_ddbd/clock", method="DELETE")[0] == 405
    # the DynamoDB API and the health check are unaffected
    assert helpers.health_ok(ep)
    assert helpers.make_client(ep).list_tables()["TableNames"] == []


def test_clock_flag_starts_at_a_time_and_runs(run):
    ep = run("--clock", "2030-01-01T00:00:00Z")
    doc = clock(ep)
    assert Y2030 <= doc["now_ms"] < Y2030 + 60000 and doc["frozen"] is False
    ddb = helpers.make_client(ep)
    ddb.create_table(TableName="clocked", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    created = ddb.describe_table(TableName="clocked")["Table"]["CreationDateTime"]
    assert created.year == 2030


def test_clock_flag_frozen(run):
    ep = run("--clock", "frozen:2030-01-01T00:00:00Z")
    assert clock(ep) == {"now_ms": Y2030, "now": "2030-01-01T00:00:00.000Z", "frozen": True}
    ddb = helpers.make_client(ep)
    ddb.create_table(TableName="frozen", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    t = ddb.describe_table(TableName="frozen")["Table"]
    assert t["LatestStreamLabel"] == "2030-01-01T00:00:00.000"
    ddb.put_item(TableName="frozen", Item={"pk": {"S": "x"}})
    streams = helpers.make_streams_client(ep)
    arn = t["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    rec = streams.get_records(ShardIterator=it)["Records"][0]
    assert rec["dynamodb"]["ApproximateCreationDateTime"] == datetime.datetime(
        2030, 1, 1, tzinfo=rec["dynamodb"]["ApproximateCreationDateTime"].tzinfo)


def test_bad_ttl_sweep_flag():
    p = subprocess.run([helpers.ddbd_binary(), "--in-memory", "--port", "0", "--ttl-sweep-seconds", "-1"],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 2 and "--ttl-sweep-seconds" in p.stderr


@pytest.mark.parametrize("arg", ["tomorrow", "frozen:never", "frozen-ish", ""])
def test_bad_clock_flag(arg):
    p = subprocess.run([helpers.ddbd_binary(), "--in-memory", "--port", "0", "--clock", arg],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 2
    assert "--clock" in p.stderr


def test_transaction_token_window_follows_the_clock(run):
    ep = run()
    ddb = helpers.make_client(ep)
    ddb.create_table(TableName="tokens", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    req = dict(ClientRequestToken="same-token", TransactItems=[{"Update": {
        "TableName": "tokens", "Key": {"pk": {"S": "c"}}, "UpdateExpression": "ADD n :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}}}}])

    def n():
        return ddb.get_item(TableName="tokens", Key={"pk": {"S": "c"}}, ConsistentRead=True)["Item"]["n"]["N"]

    ddb.transact_write_items(**req)
    ddb.transact_write_items(**req)  # within 10 minutes: the same request, applied once
    assert n() == "1"
    helpers.advance_clock(ep, 9 * 60)
    ddb.transact_write_items(**req)
    assert n() == "1"
    helpers.advance_clock(ep, 11 * 60)  # past the window: a new request
    ddb.transact_write_items(**req)
    assert n() == "2"


def test_stream_arns_stay_unique_under_a_frozen_clock(run):
    ep = run("--clock", "frozen:2030-01-01T00:00:00Z")
    spec = {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    a = helpers.make_client(ep, access_key="AKONE")
    b = helpers.make_client(ep, access_key="AKTWO")
    arns = []
    for c in (a, b):  # same table name in two namespaces, same instant
        c.create_table(TableName="same", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST", StreamSpecification=spec)
        arns.append(c.describe_table(TableName="same")["Table"]["LatestStreamArn"])
    a.update_table(TableName="same", StreamSpecification={"StreamEnabled": False})
    a.update_table(TableName="same", StreamSpecification=spec)
    arns.append(a.describe_table(TableName="same")["Table"]["LatestStreamArn"])
    assert len(set(arns)) == 3, arns
    a.put_item(TableName="same", Item={"pk": {"S": "in-a"}})
    b.put_item(TableName="same", Item={"pk": {"S": "in-b"}})
    sb = helpers.make_streams_client(ep, access_key="AKTWO")
    assert [s["StreamArn"] for s in sb.list_streams()["Streams"]] == [arns[1]]
    shard = sb.describe_stream(StreamArn=arns[1])["StreamDescription"]["Shards"][0]["ShardId"]
    it = sb.get_shard_iterator(StreamArn=arns[1], ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in sb.get_records(ShardIterator=it)["Records"]] == ["in-b"]
