"""Issue 15's scenario with a real client, on a ddbd whose clock the test holds: enable point-in-time
recovery, write, note the time, move the clock on, write and delete more (single writes, a batch, a
transaction, a TTL expiry), restore to the noted time: the restored table equals the table as it was,
item for item, indexes included. Then back the table up, delete it, restore the backup under the
same name: equal again. (The export/import leg of the scenario is in test_export_import.py.)"""
import json

import pytest

from helpers import (B, N, S, admin, advance_clock, clock, create_table, drop_table, make_client, query_all,
                     scan_all, ttl_sweep, unique_name, wait_active, wait_until)

pytestmark = pytest.mark.ddbd_only  # moves the clock of a ddbd of its own


def canon(items):
    """Items in a canonical order, for comparing tables item for item."""
    return sorted(json.dumps(i, sort_keys=True, default=lambda b: b.hex()) for i in items)


def set_clock(endpoint, iso):
    status, doc = admin(endpoint, "/_ddbd/clock", {"set": iso, "frozen": True})
    assert status == 200, doc
    return doc["now_ms"]


def item(pk, sk, **attrs):
    it = {"pk": S(pk), "sk": N(sk)}
    it.update(attrs)
    return it


def wait_restored(ddb, name):
    def done():
        t = ddb.describe_table(TableName=name)["Table"]
        return t if t["TableStatus"] == "ACTIVE" else None

    return wait_until(done, timeout=30, what=f"restored table {name} to be ACTIVE")


def make_source(ddb):
    name = create_table(
        ddb, hash=("pk", "S"), range=("sk", "N"), extra_attrs={"g": "S", "l": "N"},
        GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "byL", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                   {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        stream="NEW_AND_OLD_IMAGES")
    wait_active(ddb, name)
    return name


def test_restore_to_a_noted_time_then_backup_delete_restore(clocked):
    ddb = make_client(clocked)
    set_clock(clocked, "2031-03-01T10:00:00Z")
    name = make_source(ddb)
    restored = unique_name("restored")
    try:
        ddb.update_continuous_backups(TableName=name,
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        # 10:00:00 - the first items, of every type
        for p in range(12):
            for s in range(10):
                ddb.put_item(TableName=name, Item=item(
                    f"p{p}", s, g=S(f"g{(p + s) % 4}"), l=N(s * 3), blob=B(bytes([p, s])),
                    doc={"M": {"list": {"L": [N(s), S("x" * s)]}, "set": {"SS": ["a", f"b{s}"]}}}))
        # 10:04:37 - more changes, then the moment to come back to
        set_clock(clocked, "2031-03-01T10:04:37Z")
        ddb.update_item(TableName=name, Key={"pk": S("p1"), "sk": N(1)}, UpdateExpression="SET v = :v",
                        ExpressionAttributeValues={":v": N(1)})
        ddb.delete_item(TableName=name, Key={"pk": S("p2"), "sk": N(2)})
        ddb.put_item(TableName=name, Item=item("p3", 3, g=S("g9"), exp=N(1924995000)))  # expires 2031-01-01
        noted = clock(clocked)["now_ms"] / 1000.0
        expected = canon(scan_all(ddb, TableName=name, ConsistentRead=True))
        expected_g1 = canon(query_all(ddb, TableName=name, IndexName="byG", KeyConditionExpression="g = :g",
                                      ExpressionAttributeValues={":g": S("g1")}))
        # an hour later: everything changes
        advance_clock(clocked, 3600)
        for s in range(10):
            ddb.delete_item(TableName=name, Key={"pk": S("p0"), "sk": N(s)})
        ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": item("p5", s, g=S("g1"), l=N(99))}}
                                                  for s in range(5, 15)]})
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": name, "Key": {"pk": S("p6"), "sk": N(0)}, "UpdateExpression": "REMOVE doc"}},
            {"Delete": {"TableName": name, "Key": {"pk": S("p7"), "sk": N(7)}}},
            {"Put": {"TableName": name, "Item": item("new", 1, g=S("g1"))}}])
        assert ttl_sweep(clocked)["expired"] >= 1  # p3/3 expires: a deletion after the noted time
        assert canon(scan_all(ddb, TableName=name, ConsistentRead=True)) != expected

        r = ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=restored,
                                               RestoreDateTime=noted)["TableDescription"]
        assert r["TableStatus"] == "CREATING"
        assert r["RestoreSummary"]["RestoreInProgress"] is True
        desc = wait_restored(ddb, restored)
        assert desc["RestoreSummary"]["RestoreInProgress"] is False
        assert canon(scan_all(ddb, TableName=restored, ConsistentRead=True)) == expected
        assert desc["ItemCount"] == len(expected)
        # the indexes are built from the restored items
        assert canon(query_all(ddb, TableName=restored, IndexName="byG", KeyConditionExpression="g = :g",
                               ExpressionAttributeValues={":g": S("g1")})) == expected_g1
        byl = query_all(ddb, TableName=restored, IndexName="byL", KeyConditionExpression="pk = :p AND l > :l",
                        ExpressionAttributeValues={":p": S("p0"), ":l": N(20)})
        assert sorted(int(i["sk"]["N"]) for i in byl) == [7, 8, 9]

        # back up, delete, restore the backup under the same name
        before = canon(scan_all(ddb, TableName=name, ConsistentRead=True))
        arn = ddb.create_backup(TableName=name, BackupName="before-delete")["BackupDetails"]["BackupArn"]
        wait_until(lambda: ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
                   ["BackupStatus"] == "AVAILABLE", timeout=30)
        ddb.delete_table(TableName=name)
        wait_until(lambda: name not in ddb.list_tables()["TableNames"])
        ddb.restore_table_from_backup(TargetTableName=name, BackupArn=arn)
        desc = wait_restored(ddb, name)
        assert desc["RestoreSummary"]["SourceBackupArn"] == arn
        assert canon(scan_all(ddb, TableName=name, ConsistentRead=True)) == before
        # what a restore leaves behind: no stream, no TTL, no PITR
        assert "StreamSpecification" not in desc
        assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
        pitr = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    finally:
        drop_table(ddb, name)
        drop_table(ddb, restored)
