"""ddbd's controllable clock: --clock, GET/POST /_ddbd/clock, and what follows it.

ddbd only (the admin endpoints are ddbd's own). Every test here runs its own ddbd.
"""
import datetime
import time

import pytest

import helpers

pytestmark = pytest.mark.ddbd_only

Y2030 = 1893456000000  # 2030-01-01T00:00:00Z in ms


@pytest.fixture
def run(start_ddbd):
    """run(*flags) → the endpoint of a new in-memory ddbd of the test's own."""
    return lambda *flags: start_ddbd("--in-memory", *flags).endpoint


def test_get_clock_is_real_time_by_default(run):
    ep = run()
    doc = helpers.clock(ep)
    assert set(doc) == {"now_ms", "now", "frozen"}
    assert abs(doc["now_ms"] - time.time() * 1000) < 5000
    assert doc["frozen"] is False
    assert doc["now"].endswith("Z")


def test_set_advance_and_freeze(run):
    ep = run()
    st, doc = helpers.admin(ep, "/_ddbd/clock", {"set": "2030-01-01T00:00:00Z", "frozen": True})
    assert st == 200 and doc == {"now_ms": Y2030, "now": "2030-01-01T00:00:00.000Z", "frozen": True}
    helpers.holds_for(lambda: helpers.clock(ep)["now_ms"] == Y2030, 0.05, what="a frozen clock to stand still")
    st, doc = helpers.admin(ep, "/_ddbd/clock", {"advance_seconds": 90.5})
    assert doc["now_ms"] == Y2030 + 90500
    st, doc = helpers.admin(ep, "/_ddbd/clock", {"set_ms": Y2030 + 1})
    assert doc["now_ms"] == Y2030 + 1
    st, doc = helpers.admin(ep, "/_ddbd/clock", {"advance_ms": -1})
    assert doc["now_ms"] == Y2030
    st, doc = helpers.admin(ep, "/_ddbd/clock", {"frozen": False})
    assert doc["frozen"] is False
    helpers.wait_until(lambda: helpers.clock(ep)["now_ms"] > Y2030, what="the clock to run on from where it stood")


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
    doc = helpers.clock(ep)
    assert Y2030 <= doc["now_ms"] < Y2030 + 60000 and doc["frozen"] is False
    ddb = helpers.make_client(ep)
    helpers.create_table(ddb, "clocked")
    created = ddb.describe_table(TableName="clocked")["Table"]["CreationDateTime"]
    assert created.year == 2030


def test_clock_flag_frozen(run):
    ep = run("--clock", "frozen:2030-01-01T00:00:00Z")
    assert helpers.clock(ep) == {"now_ms": Y2030, "now": "2030-01-01T00:00:00.000Z", "frozen": True}
    ddb = helpers.make_client(ep)
    helpers.create_table(ddb, "frozen", stream="KEYS_ONLY")
    t = ddb.describe_table(TableName="frozen")["Table"]
    assert t["LatestStreamLabel"] == "2030-01-01T00:00:00.000"
    ddb.put_item(TableName="frozen", Item={"pk": {"S": "x"}})
    rec = helpers.read_all(helpers.make_streams_client(ep), t["LatestStreamArn"])[0]
    assert rec["dynamodb"]["ApproximateCreationDateTime"] == datetime.datetime(
        2030, 1, 1, tzinfo=rec["dynamodb"]["ApproximateCreationDateTime"].tzinfo)


def test_bad_ttl_sweep_flag():
    p = helpers.run_ddbd(["--in-memory", "--port", "0", "--ttl-sweep-seconds", "-1"])
    assert p.returncode == 2 and "--ttl-sweep-seconds" in p.stderr


@pytest.mark.parametrize("arg", ["tomorrow", "frozen:never", "frozen-ish", ""])
def test_bad_clock_flag(arg):
    p = helpers.run_ddbd(["--in-memory", "--port", "0", "--clock", arg])
    assert p.returncode == 2
    assert "--clock" in p.stderr


def test_transaction_token_window_follows_the_clock(run):
    ep = run()
    ddb = helpers.make_client(ep)
    helpers.create_table(ddb, "tokens")
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
    a = helpers.make_client(ep, access_key="AKONE")
    b = helpers.make_client(ep, access_key="AKTWO")
    arns = []
    for c in (a, b):  # same table name in two namespaces, same instant
        helpers.create_table(c, "same", stream="KEYS_ONLY")
        arns.append(c.describe_table(TableName="same")["Table"]["LatestStreamArn"])
    a.update_table(TableName="same", StreamSpecification={"StreamEnabled": False})
    a.update_table(TableName="same", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    arns.append(a.describe_table(TableName="same")["Table"]["LatestStreamArn"])
    assert len(set(arns)) == 3, arns
    a.put_item(TableName="same", Item={"pk": {"S": "in-a"}})
    b.put_item(TableName="same", Item={"pk": {"S": "in-b"}})
    sb = helpers.make_streams_client(ep, access_key="AKTWO")
    assert [s["StreamArn"] for s in sb.list_streams()["Streams"]] == [arns[1]]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in helpers.read_all(sb, arns[1])] == ["in-b"]
