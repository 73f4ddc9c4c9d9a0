"""Reset, snapshots and restores on a running ddbd (POST /_ddbd/reset, /_ddbd/snapshots): what a
restore brings back (tables, items, indexes, streams, TTL, trigger positions), namespaces, bad
input, and a restore while clients are connected and a trigger is delivering.

Every test runs a ddbd of its own: a reset or restore on the shared server would take other tests'
tables with it.
"""
import json
import os
import threading
import time

import pytest

import helpers
from helpers import N, S, holds_for, wait_until
from test_triggers import Receiver

pytestmark = pytest.mark.ddbd_only

KEY_A, KEY_B = "snapkeya", "snapkeyb"
NS_A, NS_B = f"{KEY_A}/us-east-1", f"{KEY_B}/us-east-1"


def admin_ok(endpoint, path, body=None, method=None, status=200):
    got, doc = helpers.admin(endpoint, path, body, method)
    assert got == status, (got, doc)
    return doc


def save(endpoint, name, **extra):
    return admin_ok(endpoint, "/_ddbd/snapshots", {"name": name, **extra}, status=201)


def restore(endpoint, name):
    return admin_ok(endpoint, f"/_ddbd/snapshots/{name}/restore", {})


def reset(endpoint, body=None):
    return admin_ok(endpoint, "/_ddbd/reset", body if body is not None else {})


@pytest.fixture
def own(start_ddbd):
    """A ddbd of the test's own (in memory, no background sweeper)."""
    return start_ddbd("--in-memory", "--ttl-sweep-seconds", "0").endpoint


def events_table(client, name="Events", stream="NEW_IMAGE"):
    """pk/sk table with a GSI on g and an LSI on l, a stream, TTL on exp."""
    helpers.create_table(client, name, hash=("pk", "S"), range=("sk", "N"), stream=stream,
                         extra_attrs={"g": "S", "l": "S"},
                         GlobalSecondaryIndexes=[{"IndexName": "byG",
                                                  "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                  "Projection": {"ProjectionType": "ALL"}}],
                         LocalSecondaryIndexes=[{"IndexName": "byL",
                                                 "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                               {"AttributeName": "l", "KeyType": "RANGE"}],
                                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    client.update_time_to_live(TableName=name, TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True})
    return name


def put(client, table, pk, sk, **attrs):
    item = {"pk": S(pk), "sk": N(sk)}
    for k, v in attrs.items():
        item[k] = N(v) if isinstance(v, int) else S(v)
    client.put_item(TableName=table, Item=item)


def all_items(client, table):
    return sorted(helpers.scan_all(client, TableName=table, ConsistentRead=True),
                  key=lambda i: (i["pk"]["S"], i["sk"]["N"]))


# ---- the API ---------------------------------------------------------------------------------------


def test_save_list_describe_restore_delete(own):
    c = helpers.make_client(own)
    t = events_table(c)
    put(c, t, "a", 1, g="x", l="1", v=1)
    put(c, t, "b", 1, g="x", l="1", v=1)
    d = save(own, "base")
    assert d["Name"] == "base" and d["Namespace"] is None
    assert (d["Tables"], d["Items"], d["Streams"]) == (1, 2, 1)
    assert d["CreatedAt"].endswith("Z") and isinstance(d["CreatedMs"], int) and d["ElapsedMs"] >= 0
    listed = admin_ok(own, "/_ddbd/snapshots")["Snapshots"]
    assert [s["Name"] for s in listed] == ["base"]
    one = admin_ok(own, "/_ddbd/snapshots/base")
    assert one["Items"] == 2 and one["CreatedMs"] == d["CreatedMs"]

    # everything changes: an item updated, one deleted, one added, a table created, the original deleted
    put(c, t, "a", 1, g="y", l="2", v=2)
    c.delete_item(TableName=t, Key={"pk": S("b"), "sk": N(1)})
    put(c, t, "c", 1, g="x", l="1", v=1)
    other = helpers.create_table(c, "Other")
    c.update_table(TableName=t, StreamSpecification={"StreamEnabled": False})

    r = restore(own, "base")
    assert (r["Name"], r["Tables"], r["Items"], r["Streams"]) == ("base", 1, 2, 1)
    assert c.list_tables()["TableNames"] == [t]
    assert [(i["pk"]["S"], i["v"]["N"], i["g"]["S"]) for i in all_items(c, t)] == [("a", "1", "x"), ("b", "1", "x")]
    desc = c.describe_table(TableName=t)["Table"]
    assert desc["ItemCount"] == 2 and desc["StreamSpecification"]["StreamEnabled"]
    assert c.describe_time_to_live(TableName=t)["TimeToLiveDescription"]["AttributeName"] == "exp"
    # the indexes are the snapshot's too
    byg = helpers.query_all(c, TableName=t, IndexName="byG", KeyConditionExpression="g = :g",
                            ExpressionAttributeValues={":g": S("x")})
    assert sorted(i["pk"]["S"] for i in byg) == ["a", "b"]
    assert helpers.query_all(c, TableName=t, IndexName="byG", KeyConditionExpression="g = :g",
                             ExpressionAttributeValues={":g": S("y")}) == []
    byl = helpers.query_all(c, TableName=t, IndexName="byL", KeyConditionExpression="pk = :p AND l = :l",
                            ExpressionAttributeValues={":p": S("a"), ":l": S("1")})
    assert len(byl) == 1
    # the restored table takes writes as before
    put(c, t, "d", 1, g="x", l="1")
    assert len(all_items(c, t)) == 3
    assert other not in c.list_tables()["TableNames"]

    assert admin_ok(own, "/_ddbd/snapshots/base", method="DELETE")["Deleted"] == "base"
    assert admin_ok(own, "/_ddbd/snapshots")["Snapshots"] == []
    status, doc = helpers.admin(own, "/_ddbd/snapshots/base/restore", {})
    assert status == 404 and doc["error"] == "no snapshot named base"


def test_restore_brings_back_streams_and_new_records_are_new(own):
    c, s = helpers.make_client(own), helpers.make_streams_client(own)
    t = events_table(c)
    for i in range(3):
        put(c, t, "p", i, g="x", l="1")
    arn = helpers.latest_stream_arn(c, t)
    before = helpers.read_all(s, arn)
    assert len(before) == 3
    save(own, "three")
    for i in range(3, 6):
        put(c, t, "p", i, g="x", l="1")
    discarded = helpers.read_all(s, arn)[3:]
    restore(own, "three")
    after = helpers.read_all(s, arn)
    assert [r["dynamodb"]["SequenceNumber"] for r in after] == [r["dynamodb"]["SequenceNumber"] for r in before]
    # a record written after the restore never reuses a number handed out before it
    put(c, t, "p", 9, g="x", l="1")
    newest = helpers.read_all(s, arn)[-1]
    assert newest["dynamodb"]["Keys"]["sk"] == N(9)
    highest_discarded = max(int(r["dynamodb"]["SequenceNumber"]) for r in discarded)
    assert int(newest["dynamodb"]["SequenceNumber"]) > highest_discarded


def test_restore_brings_back_ttl_state(own):
    c = helpers.make_client(own)
    t = events_table(c)
    now = helpers.clock(own)["now_ms"] // 1000
    put(c, t, "soon", 1, g="x", l="1", exp=now + 60)
    put(c, t, "later", 1, g="x", l="1", exp=now + 3600)
    save(own, "ttl")
    c.update_time_to_live(TableName=t, TimeToLiveSpecification={"AttributeName": "exp", "Enabled": False})
    restore(own, "ttl")
    assert c.describe_time_to_live(TableName=t)["TimeToLiveDescription"]["TimeToLiveStatus"] in ("ENABLED",
                                                                                                   "ENABLING")
    helpers.advance_clock(own, 120)
    assert helpers.ttl_sweep(own)["expired"] == 1
    assert [i["pk"]["S"] for i in all_items(c, t)] == ["later"]


def test_snapshot_of_one_namespace(own):
    a, b = helpers.make_client(own, access_key=KEY_A), helpers.make_client(own, access_key=KEY_B)
    ta, tb = helpers.create_table(a, "Shared"), helpers.create_table(b, "Shared")
    a.put_item(TableName=ta, Item={"pk": S("a1")})
    b.put_item(TableName=tb, Item={"pk": S("b1")})
    d = save(own, "only-a", namespace=NS_A)
    assert d["Namespace"] == NS_A and d["Tables"] == 1 and d["Items"] == 1
    a.put_item(TableName=ta, Item={"pk": S("a2")})
    b.put_item(TableName=tb, Item={"pk": S("b2")})
    helpers.create_table(a, "Extra")
    r = restore(own, "only-a")
    assert r["Namespace"] == NS_A and r["Tables"] == 1
    assert a.list_tables()["TableNames"] == ["Shared"]
    assert [i["pk"]["S"] for i in helpers.scan_all(a, TableName=ta)] == ["a1"]
    assert sorted(i["pk"]["S"] for i in helpers.scan_all(b, TableName=tb)) == ["b1", "b2"]


def test_reset_everything_or_one_namespace(own):
    a, b = helpers.make_client(own, access_key=KEY_A), helpers.make_client(own, access_key=KEY_B)
    events_table(a)
    helpers.create_table(b, "Kept", stream="KEYS_ONLY")
    b.put_item(TableName="Kept", Item={"pk": S("k")})
    put(a, "Events", "a", 1, g="x", l="1")
    r = reset(own, {"namespace": NS_A})
    assert (r["Namespace"], r["Tables"], r["Items"], r["Streams"]) == (NS_A, 1, 1, 1)
    assert a.list_tables()["TableNames"] == []
    assert helpers.make_streams_client(own, access_key=KEY_A).list_streams()["Streams"] == []
    assert b.list_tables()["TableNames"] == ["Kept"] and len(helpers.scan_all(b, TableName="Kept")) == 1
    # a table of the same name can be made at once, and starts empty
    events_table(a)
    assert all_items(a, "Events") == []
    r = reset(own)
    assert r["Namespace"] is None and r["Tables"] == 2
    assert a.list_tables()["TableNames"] == [] and b.list_tables()["TableNames"] == []
    assert helpers.make_streams_client(own, access_key=KEY_B).list_streams()["Streams"] == []


def test_bad_input_is_refused_and_changes_nothing(own):
    c = helpers.make_client(own)
    helpers.create_table(c, "Keep")
    c.put_item(TableName="Keep", Item={"pk": S("1")})
    save(own, "ok")
    cases = [
        ("/_ddbd/reset", b"{not json", 400, "the body must be a JSON object"),
        ("/_ddbd/reset", {"namespace": 5}, 400, "namespace is a string"),
        ("/_ddbd/reset", {"namespace": "no-slash"}, 400, "namespace is ACCESSKEY/REGION"),
        ("/_ddbd/reset", {"everything": True}, 400, "unknown member"),
        ("/_ddbd/reset", {"seed": "yes"}, 400, "seed a boolean"),
        ("/_ddbd/snapshots", {}, 400, "name (1-255"),
        ("/_ddbd/snapshots", {"name": "a/b"}, 400, "name (1-255"),
        ("/_ddbd/snapshots", {"name": "x" * 256}, 400, "name (1-255"),
        ("/_ddbd/snapshots", {"name": "fine", "replace": "yes"}, 400, "replace a boolean"),
        ("/_ddbd/snapshots", {"name": "fine", "extra": 1}, 400, "unknown member"),
        ("/_ddbd/snapshots", [], 400, "the body must be a JSON object"),
        ("/_ddbd/snapshots", {"name": "ok"}, 409, "a snapshot named ok exists"),
        ("/_ddbd/snapshots/nope/restore", {}, 404, "no snapshot named nope"),
        ("/_ddbd/snapshots/bad%20name/restore", {}, 404, "no such snapshot"),
    ]
    for path, body, status, words in cases:
        got, doc = helpers.admin(own, path, body)
        assert got == status and words in doc["error"], (path, body, got, doc)
    for method, path, status in [("DELETE", "/_ddbd/snapshots/nope", 404), ("GET", "/_ddbd/snapshots/nope", 404),
                                 ("PUT", "/_ddbd/snapshots", 405), ("GET", "/_ddbd/reset", 405),
                                 ("DELETE", "/_ddbd/snapshots/ok/restore", 405)]:
        got, _ = helpers.admin(own, path, method=method)
        assert got == status, (method, path, got)
    # nothing was lost, and the server goes on answering
    assert [i["pk"]["S"] for i in helpers.scan_all(c, TableName="Keep")] == ["1"]
    assert [s["Name"] for s in admin_ok(own, "/_ddbd/snapshots")["Snapshots"]] == ["ok"]
    # replace overwrites
    c.put_item(TableName="Keep", Item={"pk": S("2")})
    assert save(own, "ok", replace=True)["Items"] == 2


def test_shared_db_has_one_namespace(start_ddbd):
    e = start_ddbd("--in-memory", "--shared-db").endpoint
    helpers.create_table(helpers.make_client(e, access_key="anyone"), "Tab")
    got, doc = helpers.admin(e, "/_ddbd/reset", {"namespace": NS_A})
    assert got == 400 and "--shared-db" in doc["error"]
    assert helpers.make_client(e, access_key="someone-else").list_tables()["TableNames"] == ["Tab"]
    assert reset(e)["Tables"] == 1


def test_snapshots_survive_a_restart(start_ddbd, tmp_path):
    data = str(tmp_path / "data")
    p = start_ddbd("--data-dir", data)
    c = helpers.make_client(p.endpoint)
    helpers.create_table(c, "Durable")
    c.put_item(TableName="Durable", Item={"pk": S("before")})
    save(p.endpoint, "disk")
    c.put_item(TableName="Durable", Item={"pk": S("after")})
    p.terminate()
    p = start_ddbd("--data-dir", data)
    c = helpers.make_client(p.endpoint)
    assert len(helpers.scan_all(c, TableName="Durable")) == 2
    restore(p.endpoint, "disk")
    assert [i["pk"]["S"] for i in helpers.scan_all(c, TableName="Durable")] == ["before"]
    p.terminate()
    p = start_ddbd("--data-dir", data)  # the restore is durable too
    assert [i["pk"]["S"] for i in helpers.scan_all(helpers.make_client(p.endpoint), TableName="Durable")] == ["before"]


# ---- while clients are connected -------------------------------------------------------------------


def test_restore_while_clients_read_and_write(own):
    """Readers never see a mix of the old and the new state: a Scan, a GSI Query and a
    TransactGetItems across two tables each see every item at one version. Writers keep being
    answered."""
    c = helpers.make_client(own)
    n = 150
    for t in ("Left", "Right"):
        helpers.create_table(c, t, extra_attrs={"g": "S"},
                             GlobalSecondaryIndexes=[{"IndexName": "byG",
                                                      "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                      "Projection": {"ProjectionType": "ALL"}}])

    def load_version(v):
        for t in ("Left", "Right"):
            lines = "\n".join(json.dumps({"pk": f"k{i:03d}", "g": "all", "v": v}) for i in range(n))
            status, doc = helpers.admin(own, f"/_ddbd/load?namespace={helpers.DEFAULT_ACCESS_KEY}/us-east-1&table={t}",
                                        lines)
            assert status == 200 and doc["Items"] == n, doc

    helpers.create_table(c, "Writes")  # in both snapshots: its items come and go, the table stays
    load_version(1)
    save(own, "v1")
    load_version(2)
    save(own, "v2")

    stop = threading.Event()
    problems, seen = [], {"scan": set(), "query": set(), "txn": set(), "writes": 0}

    def reader(kind):
        rc = helpers.make_client(own)
        while not stop.is_set():
            try:
                if kind == "scan":
                    items = rc.scan(TableName="Left")["Items"]
                elif kind == "query":
                    items = rc.query(TableName="Right", IndexName="byG", KeyConditionExpression="g = :g",
                                     ExpressionAttributeValues={":g": S("all")})["Items"]
                else:
                    keys = [{"Get": {"TableName": t, "Key": {"pk": S(f"k{i:03d}")}}}
                            for t in ("Left", "Right") for i in (0, 77, n - 1)]
                    items = [r["Item"] for r in rc.transact_get_items(TransactItems=keys)["Responses"]]
                    assert len(items) == 6
                versions = {i["v"]["N"] for i in items}
                if kind != "txn" and len(items) != n:
                    problems.append(f"{kind}: {len(items)} items")
                if len(versions) != 1:
                    problems.append(f"{kind}: versions {versions}")
                seen[kind] |= versions
            except Exception as e:  # any error answer is a failure too
                problems.append(f"{kind}: {e!r}")

    def writer():
        wc = helpers.make_client(own)
        i = 0
        while not stop.is_set():
            try:
                wc.put_item(TableName="Writes", Item={"pk": S(f"w{i}")})
                seen["writes"] += 1
            except Exception as e:
                problems.append(f"writer: {e!r}")
            i += 1

    threads = [threading.Thread(target=reader, args=(k,)) for k in ("scan", "query", "txn")]
    threads.append(threading.Thread(target=writer))
    for th in threads:
        th.start()
    try:
        for r in range(12):
            restore(own, "v1" if r % 2 == 0 else "v2")
            time.sleep(0.05)
    finally:
        stop.set()
        for th in threads:
            th.join(30)
    assert not problems, problems[:5]
    assert seen["scan"] == {"1", "2"} or seen["query"] == {"1", "2"}, seen
    assert seen["writes"] > 0
    assert helpers.health_ok(own)


def test_restore_while_a_trigger_delivers(start_ddbd):
    """A batch in flight when the restore commits changes nothing afterwards (no checkpoint from
    it, no retry); the trigger goes on from the snapshot's position, and only records written
    after the restore are delivered as new. ddbd keeps running."""
    rx = Receiver()
    try:
        p = start_ddbd("--in-memory", "--ttl-sweep-seconds", "0")
        e = p.endpoint
        c = helpers.make_client(e)
        helpers.create_table(c, "Feed", stream="NEW_IMAGE")
        status, trig = helpers.admin(e, "/_ddbd/triggers", {"TableName": "Feed", "Url": rx.url(), "BatchSize": 100})
        assert status == 201, trig
        for i in range(5):
            c.put_item(TableName="Feed", Item={"pk": S(f"before-{i}")})
        wait_until(lambda: len(rx.records()) == 5, what="the first 5 records delivered")
        wait_until(lambda: helpers.admin(e, f"/_ddbd/triggers/{trig['UUID']}")[1]["Lag"] == 0)
        save(e, "delivered")
        checkpoint = helpers.admin(e, f"/_ddbd/triggers/{trig['UUID']}")[1]["Checkpoint"]

        # the next batch hangs in the function while the store is restored under it
        n0 = len(rx.batches())
        rx.answer_in_turn((200, "", 1.0), (200, "", 0))
        for i in range(5):
            c.put_item(TableName="Feed", Item={"pk": S(f"discarded-{i}")})
        wait_until(lambda: len(rx.batches()) == n0 + 1, what="a batch of the discarded records posted")
        restore(e, "delivered")
        state = helpers.admin(e, f"/_ddbd/triggers/{trig['UUID']}")[1]
        assert state["Checkpoint"] == checkpoint and state["Lag"] == 0
        time.sleep(1.2)  # the hanging batch is answered now; its outcome must change nothing
        state = helpers.admin(e, f"/_ddbd/triggers/{trig['UUID']}")[1]
        assert state["Checkpoint"] == checkpoint and state["Lag"] == 0, state
        holds_for(lambda: len(rx.batches()) == n0 + 1, 0.3)
        discarded = rx.batches()[n0]
        assert all(r["dynamodb"]["NewImage"]["pk"]["S"].startswith("discarded-") for r in discarded)

        for i in range(2):
            c.put_item(TableName="Feed", Item={"pk": S(f"after-{i}")})
        wait_until(lambda: len(rx.records()) == 5 + len(discarded) + 2, what="the records written after the restore")
        after = [r for b in rx.batches()[n0 + 1:] for r in b]
        assert [r["dynamodb"]["NewImage"]["pk"]["S"] for r in after] == ["after-0", "after-1"]
        assert min(int(r["dynamodb"]["SequenceNumber"]) for r in after) > max(
            int(r["dynamodb"]["SequenceNumber"]) for r in discarded)
        holds_for(lambda: len(rx.records()) == 5 + len(discarded) + 2, 0.3)
        state = wait_until(lambda: (s := helpers.admin(e, f"/_ddbd/triggers/{trig['UUID']}")[1])["Lag"] == 0 and s)
        assert state["Checkpoint"] == after[-1]["dynamodb"]["SequenceNumber"]

        # a reset sends the trigger back to waiting; it follows the table made again
        reset(e)
        assert helpers.admin(e, f"/_ddbd/triggers/{trig['UUID']}")[1]["State"] == "Waiting"
        helpers.create_table(c, "Feed", stream="NEW_IMAGE")
        c.put_item(TableName="Feed", Item={"pk": S("reborn")})
        wait_until(lambda: rx.records()[-1]["dynamodb"]["NewImage"]["pk"]["S"] == "reborn")
        assert helpers.health_ok(e)
    finally:
        rx.close()


@pytest.mark.parametrize("fault", ["1", "all"])
def test_steps_survive_a_failed_commit(start_ddbd, fault):
    """DDBD_TEST_FAIL_BATCH_COMMIT: with "1" every batch's commit fails once and each job runs
    again alone (it must give the same result); with "all" every commit fails: each call answers
    500 and nothing changes."""
    p = start_ddbd("--in-memory", "--shared-db", env=dict(os.environ, DDBD_TEST_FAIL_BATCH_COMMIT=fault))
    e = p.endpoint
    c = helpers.make_client(e)
    if fault == "all":
        for path, body in [("/_ddbd/reset", {}), ("/_ddbd/snapshots", {"name": "x"}),
                           ("/_ddbd/load?table=Nope", '{"pk":"a"}')]:
            status, doc = helpers.admin(e, path, body)
            assert status in (400, 500), (path, status, doc)
        assert admin_ok(e, "/_ddbd/snapshots")["Snapshots"] == []
        return
    helpers.create_table(c, "Retried", stream="KEYS_ONLY")
    c.put_item(TableName="Retried", Item={"pk": S("a")})
    assert save(e, "s")["Items"] == 1
    c.put_item(TableName="Retried", Item={"pk": S("b")})
    assert restore(e, "s")["Items"] == 1
    status, doc = helpers.admin(e, "/_ddbd/load?table=Retried", '{"pk":"c"}\n{"pk":"d"}\n')
    assert status == 200 and doc["Items"] == 2
    assert sorted(i["pk"]["S"] for i in helpers.scan_all(c, TableName="Retried")) == ["a", "c", "d"]
    assert reset(e)["Tables"] == 1 and c.list_tables()["TableNames"] == []
    assert restore(e, "s")["Tables"] == 1
    assert [i["pk"]["S"] for i in helpers.scan_all(c, TableName="Retried")] == ["a"]
    assert "retrying its items one by one" in p.log_text()
