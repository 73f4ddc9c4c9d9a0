"""Durability (ddbd only): an acknowledged write survives kill -9; a clean restart keeps everything.

ddbd is started on a data directory under tmp_path (flag: helpers.DATA_DIR_FLAG, default --data-dir).
"""
import os
import random
import threading
import time

import pytest
from botocore.exceptions import BotoCoreError, ClientError

import helpers

pytestmark = pytest.mark.ddbd_only

WRITERS = 8
LOAD_SECONDS = 3.0


def make_item(writer, seq, rnd):
    return {
        "pk": {"S": f"w{writer}-{seq:07d}"},
        "n": {"N": f"{rnd.randint(-10**12, 10**12)}.{rnd.randint(0, 99)}{rnd.randint(1, 9)}"},  # already normal
        "s": {"S": "%08x" % rnd.getrandbits(32) * rnd.randint(1, 8)},
        "b": {"B": bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 32)))},
        "m": {"M": {"seq": {"N": str(seq)}, "l": {"L": [{"BOOL": True}, {"NULL": True}]}}},
    }


def test_kill9_mid_load_keeps_every_acknowledged_write(tmp_path, start_ddbd):
    data = tmp_path / "data"
    data.mkdir()
    p = start_ddbd(helpers.DATA_DIR_FLAG, str(data))
    table = "durable"
    try:
        c = helpers.make_client(p.endpoint)
        helpers.create_table(c, table)
        helpers.wait_active(c, table)

        acked = [dict() for _ in range(WRITERS)]
        stop = threading.Event()
        errors_before_kill = []
        killed = threading.Event()

        def writer(w):
            client = helpers.make_client(p.endpoint, connect_timeout=2, read_timeout=5)  # fails fast at the kill
            rnd = random.Random(w)
            seq = 0
            while not stop.is_set():
                item = make_item(w, seq, rnd)
                try:
                    client.put_item(TableName=table, Item=item)
                except (BotoCoreError, ClientError, OSError) as e:
                    if not killed.is_set():
                        errors_before_kill.append(repr(e))
                    return
                acked[w][item["pk"]["S"]] = item  # recorded only once acknowledged
                seq += 1

        threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(WRITERS)]
        for t in threads:
            t.start()
        time.sleep(LOAD_SECONDS)  # the load itself: writes in flight when the kill comes
        killed.set()
        p.kill()  # SIGKILL while the writers are mid-flight
        stop.set()
        for t in threads:
            t.join(timeout=15)
            assert not t.is_alive(), "a writer thread hung after the kill"
        assert not errors_before_kill, errors_before_kill[:3]
        total = sum(len(a) for a in acked)
        assert total > WRITERS * 10, f"only {total} writes acknowledged in {LOAD_SECONDS}s"
    finally:
        p.kill()

    p2 = start_ddbd(helpers.DATA_DIR_FLAG, str(data), ready_timeout=10.0)
    c2 = helpers.make_client(p2.endpoint)
    assert table in c2.list_tables()["TableNames"]
    stored = {i["pk"]["S"]: i for i in helpers.scan_all(c2, TableName=table, ConsistentRead=True)}
    missing = [k for a in acked for k in a if k not in stored]
    assert not missing, f"{len(missing)} of {total} acknowledged writes lost, e.g. {missing[:5]}"
    wrong = [k for a in acked for k, v in a.items() if stored[k] != v]
    assert not wrong, f"{len(wrong)} items changed, e.g. {wrong[0]}: {stored[wrong[0]]}"
    # per writer, acknowledged items are a prefix of what is stored (nothing out of order beyond in-flight)
    for w in range(WRITERS):
        got = sorted(k for k in stored if k.startswith(f"w{w}-"))
        assert got[: len(acked[w])] == sorted(acked[w])
        assert len(got) - len(acked[w]) <= 1  # at most the one write in flight at the kill
    # and the restarted server takes writes
    c2.put_item(TableName=table, Item={"pk": {"S": "after-restart"}})
    assert c2.get_item(TableName=table, Key={"pk": {"S": "after-restart"}}, ConsistentRead=True)["Item"]
    assert p2.terminate() == 0


def test_clean_restart_keeps_tables_and_items(tmp_path, start_ddbd):
    data = tmp_path / "data"
    data.mkdir()
    p = start_ddbd(helpers.DATA_DIR_FLAG, str(data))
    c = helpers.make_client(p.endpoint)
    other_ns = helpers.make_client(p.endpoint, access_key="OTHERKEY1", region="eu-west-1")
    helpers.create_table(c, "events", hash=("aggregateId", "S"), range=("version", "N"),
                         ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6})
    helpers.create_table(c, "plain", hash=("pk", "B"))
    helpers.create_table(other_ns, "plain", hash=("id", "N"))
    for v in range(1, 51):
        c.put_item(TableName="events", Item={"aggregateId": {"S": "a1"}, "version": {"N": str(v)},
                                             "body": {"S": "e%d" % v}})
    c.put_item(TableName="plain", Item={"pk": {"B": b"\x00\xff"}, "x": {"NS": ["1", "2.5"]}})
    c.delete_item(TableName="events", Key={"aggregateId": {"S": "a1"}, "version": {"N": "50"}})
    other_ns.put_item(TableName="plain", Item={"id": {"N": "7"}})
    before = {t: c.describe_table(TableName=t)["Table"] for t in ("events", "plain")}
    assert p.terminate() == 0

    p2 = start_ddbd(helpers.DATA_DIR_FLAG, str(data), ready_timeout=10.0)
    c = helpers.make_client(p2.endpoint)
    other_ns = helpers.make_client(p2.endpoint, access_key="OTHERKEY1", region="eu-west-1")
    assert c.list_tables()["TableNames"] == ["events", "plain"]
    assert other_ns.list_tables()["TableNames"] == ["plain"]
    for t, d in before.items():
        after = c.describe_table(TableName=t)["Table"]
        for k in ("TableName", "KeySchema", "AttributeDefinitions", "TableArn", "CreationDateTime"):
            assert after[k] == d[k], (t, k)
        assert after.get("TableId") == d.get("TableId")
    assert c.describe_table(TableName="events")["Table"]["ProvisionedThroughput"]["WriteCapacityUnits"] == 6
    q = c.query(TableName="events", KeyConditionExpression="aggregateId = :a",
                ExpressionAttributeValues={":a": {"S": "a1"}}, ConsistentRead=True)
    assert [int(i["version"]["N"]) for i in q["Items"]] == list(range(1, 50))
    assert q["Items"][0]["body"] == {"S": "e1"}
    it = c.get_item(TableName="plain", Key={"pk": {"B": b"\x00\xff"}})["Item"]
    assert sorted(it["x"]["NS"]) == ["1", "2.5"]
    assert other_ns.get_item(TableName="plain", Key={"id": {"N": "7"}})["Item"] == {"id": {"N": "7"}}
    # a duplicate version is still refused after the restart
    with pytest.raises(c.exceptions.ConditionalCheckFailedException):
        c.put_item(TableName="events", Item={"aggregateId": {"S": "a1"}, "version": {"N": "1"}},
                   ConditionExpression="attribute_not_exists(aggregateId)")
    # a deleted table stays deleted across a restart
    c.delete_table(TableName="plain")
    assert p2.terminate() == 0

    p3 = start_ddbd(helpers.DATA_DIR_FLAG, str(data), ready_timeout=10.0)
    assert helpers.make_client(p3.endpoint).list_tables()["TableNames"] == ["events"]
    assert p3.terminate() == 0
    assert any(os.scandir(data)), "the data directory is empty after a durable run"
