"""On-demand backups with boto3: CreateBackup, DescribeBackup, ListBackups (filters, time ranges, paging),
DeleteBackup, RestoreTableFromBackup (indexes, overrides, what a restore leaves behind), the system backup of a
table deleted with point-in-time recovery on, a backup's consistency while its table changes, and the error
paths with AWS's exception types."""
import json
import os
import re
import time

import pytest
from botocore.exceptions import ClientError

from helpers import (N, S, advance_clock, create_table, drop_table, err, make_client, query_all, scan_all, unique_name, wait_active,
                     wait_until)

LOCAL_NO_BACKUPS = "DynamoDB Local has no CreateBackup or UpdateContinuousBackups (UnknownOperationException)"
ARN_RE = re.compile(r"^arn:aws:dynamodb:us-east-1:\d{12}:table/(?P<table>[A-Za-z0-9_.-]+)/backup/"
                    r"(?P<ms>\d{14})-(?P<suffix>[0-9a-f]{8})$")


def canon(items):
    return sorted(json.dumps(i, sort_keys=True, default=lambda b: b.hex()) for i in items)


def details(ddb, arn):
    return ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]


def backup(ddb, table, name="nightly-1"):
    """CreateBackup, then the backup once AVAILABLE."""
    arn = ddb.create_backup(TableName=table, BackupName=name)["BackupDetails"]["BackupArn"]
    wait_until(lambda: details(ddb, arn)["BackupStatus"] == "AVAILABLE", timeout=30)
    return arn


def restored(ddb, name):
    def done():
        t = ddb.describe_table(TableName=name)["Table"]
        return t if t["TableStatus"] == "ACTIVE" else None

    return wait_until(done, timeout=30, what=f"{name} to be ACTIVE")


def fill(ddb, table, n, **attrs):
    for i in range(n):
        it = {"pk": S(f"k{i:04d}"), "n": N(i)}
        it.update(attrs)
        ddb.put_item(TableName=table, Item=it)


@pytest.fixture
def cleanup(ddb):
    """cleanup(name) drops the table after the test; cleanup(arn=...) deletes the backup."""
    tables, arns = [], []

    def add(name=None, arn=None):
        if name:
            tables.append(name)
        if arn:
            arns.append(arn)
        return name or arn

    yield add
    for t in tables:
        drop_table(ddb, t)
    for a in arns:
        try:
            ddb.delete_backup(BackupArn=a)
        except ClientError:
            pass


def indexed_table(ddb, cleanup, **extra):
    name = cleanup(create_table(
        ddb, hash=("pk", "S"), range=("sk", "S"), extra_attrs={"g": "S", "l": "N"},
        GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}}],
        LocalSecondaryIndexes=[{"IndexName": "byL", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                   {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}],
        stream="KEYS_ONLY", Tags=[{"Key": "team", "Value": "core"}], **extra))
    wait_active(ddb, name)
    for i in range(20):
        ddb.put_item(TableName=name, Item={"pk": S(f"p{i % 4}"), "sk": S(f"s{i}"), "g": S(f"g{i % 3}"),
                                           "l": N(i), "v": N(i * 10), "w": S("x" * i)})
    return name


# ---- CreateBackup / DescribeBackup ---------------------------------------------------------------


@pytest.mark.aws_differs(LOCAL_NO_BACKUPS)
def test_create_describe(ddb, cleanup):
    table = indexed_table(ddb, cleanup)
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    t = ddb.describe_table(TableName=table)["Table"]
    before = time.time()
    d = ddb.create_backup(TableName=table, BackupName="my-backup_1.0")["BackupDetails"]
    cleanup(arn=d["BackupArn"])
    m = ARN_RE.match(d["BackupArn"])
    assert m and m["table"] == table
    assert d["BackupName"] == "my-backup_1.0" and d["BackupType"] == "USER"
    assert d["BackupStatus"] in ("CREATING", "AVAILABLE")
    assert abs(d["BackupCreationDateTime"].timestamp() - before) < 5
    assert int(m["ms"]) == round(d["BackupCreationDateTime"].timestamp() * 1000)
    wait_until(lambda: details(ddb, d["BackupArn"])["BackupStatus"] == "AVAILABLE", timeout=30)
    desc = ddb.describe_backup(BackupArn=d["BackupArn"])["BackupDescription"]
    bd = desc["BackupDetails"]
    assert bd["BackupSizeBytes"] == t["TableSizeBytes"] > 0
    assert "BackupExpiryDateTime" not in bd
    src = desc["SourceTableDetails"]
    assert src["TableName"] == table and src["TableId"] == t["TableId"] and src["TableArn"] == t["TableArn"]
    assert src["KeySchema"] == t["KeySchema"] and src["ItemCount"] == 20
    assert src["TableSizeBytes"] == t["TableSizeBytes"]
    assert src["TableCreationDateTime"] == t["CreationDateTime"]
    assert src["BillingMode"] == "PAY_PER_REQUEST"
    assert src["ProvisionedThroughput"] == {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    f = desc["SourceTableFeatureDetails"]
    assert [g["IndexName"] for g in f["GlobalSecondaryIndexes"]] == ["byG"]
    assert f["GlobalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}
    assert [i["IndexName"] for i in f["LocalSecondaryIndexes"]] == ["byL"]
    assert f["StreamDescription"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert f["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}


@pytest.mark.aws_differs(LOCAL_NO_BACKUPS)
def test_describe_plain_table_and_by_arn(ddb, cleanup):
    table = cleanup(create_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}))
    wait_active(ddb, table)
    arn_of_table = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    arn = cleanup(arn=backup(ddb, arn_of_table, "by-arn"))  # TableName may be the table's ARN
    desc = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert desc["BackupDetails"]["BackupSizeBytes"] == 0
    assert desc["SourceTableDetails"]["BillingMode"] == "PROVISIONED"
    assert desc["SourceTableDetails"]["ProvisionedThroughput"] == {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}
    assert desc["SourceTableFeatureDetails"] == {}


@pytest.mark.aws_differs(LOCAL_NO_BACKUPS)
def test_create_errors(ddb, raw_ddb, cleanup):
    table = cleanup(create_table(ddb))
    wait_active(ddb, table)
    missing = unique_name("missing")
    with pytest.raises(ClientError) as e:
        ddb.create_backup(TableName=missing, BackupName="abc")
    assert err(e) == ("TableNotFoundException", f"Table not found: {missing}")
    with pytest.raises(ClientError) as e:
        raw_ddb.create_backup(TableName=table, BackupName="a b")
    assert err(e) == ("ValidationException", "1 validation error detected: Value 'a b' at 'backupName' failed to "
                      "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
    with pytest.raises(ClientError) as e:
        raw_ddb.create_backup(TableName=table, BackupName="ab")
    assert err(e)[0] == "ValidationException" and "Member must have length greater than or equal to 3" in err(e)[1]
    with pytest.raises(ClientError) as e:
        raw_ddb.create_backup(TableName=table)
    assert err(e) == ("ValidationException", "1 validation error detected: Value null at 'backupName' failed to "
                      "satisfy constraint: Member must not be null")


@pytest.mark.aws_differs(LOCAL_NO_BACKUPS)
def test_describe_delete_errors(ddb, raw_ddb, cleanup):
    table = cleanup(create_table(ddb))
    wait_active(ddb, table)
    arn = backup(ddb, table)
    gone = arn[:-8] + "00000001"
    for call in (ddb.describe_backup, ddb.delete_backup):
        with pytest.raises(ClientError) as e:
            call(BackupArn=gone)
        assert err(e) == ("BackupNotFoundException", f"Backup not found: {gone}")
    with pytest.raises(ClientError) as e:
        raw_ddb.describe_backup(BackupArn="arn:too-short")
    assert err(e)[0] == "ValidationException" and "'backupArn'" in err(e)[1]
    # another table's name with this backup's id is not this backup
    other = arn.replace(f"table/{table}/", "table/someone-else/")
    with pytest.raises(ClientError) as e:
        ddb.describe_backup(BackupArn=other)
    assert err(e)[0] == "BackupNotFoundException"
    d = ddb.delete_backup(BackupArn=arn)["BackupDescription"]
    assert d["BackupDetails"]["BackupStatus"] == "DELETED" and d["SourceTableDetails"]["TableName"] == table
    with pytest.raises(ClientError) as e:
        ddb.describe_backup(BackupArn=arn)
    assert err(e)[0] == "BackupNotFoundException"


@pytest.mark.aws_differs(LOCAL_NO_BACKUPS)
def test_backups_are_per_namespace(ddb, client_factory, cleanup):
    table = cleanup(create_table(ddb))
    wait_active(ddb, table)
    arn = cleanup(arn=backup(ddb, table))
    other = client_factory(access_key="OTHERKEY" + unique_name("").replace("-", "")[:8].upper())
    with pytest.raises(ClientError) as e:
        other.describe_backup(BackupArn=arn)
    assert err(e)[0] == "BackupNotFoundException"
    assert arn not in [b["BackupArn"] for b in other.list_backups(BackupType="ALL")["BackupSummaries"]]


# ---- ListBackups -----------------------------------------------------------------------------------


def test_list_filters_ranges_paging(start_ddbd):
    """On a ddbd with a frozen clock moved 10 s between backups: botocore sends the time bounds in whole
    seconds."""
    d = start_ddbd("--in-memory", "--clock", "frozen:2031-05-01T00:00:00Z")
    ddb, raw_ddb = make_client(d.endpoint), make_client(d.endpoint, validate=False)
    a, b = create_table(ddb), create_table(ddb)

    def tick():
        return advance_clock(d.endpoint, 10) / 1000.0

    arns_a = []
    for i in range(5):
        tick()
        arns_a.append(backup(ddb, a, f"a-{i}"))
    mid = tick()
    arns_b = [backup(ddb, b, "b-0")]
    tick()  # a list is in id order: backups of one millisecond come in any order
    arns_b.append(backup(ddb, b, "b-1"))
    summaries = ddb.list_backups(TableName=a)["BackupSummaries"]
    assert [s["BackupArn"] for s in summaries] == arns_a  # in creation order
    by_arn = raw_ddb.list_backups(TableName=ddb.describe_table(TableName=a)["Table"]["TableArn"])
    assert [s["BackupArn"] for s in by_arn["BackupSummaries"]] == arns_a
    s0 = summaries[0]
    t = ddb.describe_table(TableName=a)["Table"]
    assert s0["TableName"] == a and s0["TableId"] == t["TableId"] and s0["TableArn"] == t["TableArn"]
    assert s0["BackupName"] == "a-0" and s0["BackupStatus"] == "AVAILABLE" and s0["BackupType"] == "USER"
    assert s0["BackupSizeBytes"] == 0 and "BackupCreationDateTime" in s0
    assert [s["BackupArn"] for s in ddb.list_backups()["BackupSummaries"]] == arns_a + arns_b
    # by type: USER by default, SYSTEM has none of these, ALL has them all
    assert ddb.list_backups(TableName=a, BackupType="SYSTEM")["BackupSummaries"] == []
    assert len(ddb.list_backups(TableName=a, BackupType="ALL")["BackupSummaries"]) == 5
    # time ranges: the lower bound inclusive, the upper exclusive
    created = [details(ddb, x)["BackupCreationDateTime"] for x in arns_a + arns_b]
    got = ddb.list_backups(TimeRangeLowerBound=created[1], TimeRangeUpperBound=created[3])["BackupSummaries"]
    assert [s["BackupArn"] for s in got] == arns_a[1:3]
    got = ddb.list_backups(TimeRangeLowerBound=mid)["BackupSummaries"]
    assert [s["BackupArn"] for s in got] == arns_b
    assert ddb.list_backups(TimeRangeUpperBound=created[0])["BackupSummaries"] == []
    # paging: Limit, LastEvaluatedBackupArn, ExclusiveStartBackupArn
    seen, kw = [], {"TableName": a, "Limit": 2}
    for _ in range(10):
        page = ddb.list_backups(**kw)
        assert len(page["BackupSummaries"]) <= 2
        seen += [s["BackupArn"] for s in page["BackupSummaries"]]
        if "LastEvaluatedBackupArn" not in page:
            break
        assert page["LastEvaluatedBackupArn"] == seen[-1]
        kw["ExclusiveStartBackupArn"] = page["LastEvaluatedBackupArn"]
    assert seen == arns_a
    # the paginator follows the same tokens
    assert [s["BackupArn"] for p in ddb.get_paginator("list_backups").paginate(TableName=a, Limit=1)
            for s in p["BackupSummaries"]] == arns_a
    for bad in (0, 101):
        with pytest.raises(ClientError) as e:
            raw_ddb.list_backups(Limit=bad)
        assert err(e)[0] == "ValidationException" and "'limit'" in err(e)[1]
    with pytest.raises(ClientError) as e:
        raw_ddb.list_backups(BackupType="NIGHTLY")
    assert err(e)[0] == "ValidationException" and "Member must satisfy enum value set" in err(e)[1]
    with pytest.raises(ClientError) as e:
        raw_ddb.list_backups(TimeRangeLowerBound=created[3], TimeRangeUpperBound=created[1])
    assert err(e)[0] == "ValidationException"


# ---- RestoreTableFromBackup ---------------------------------------------------------------------------


@pytest.mark.aws_differs(LOCAL_NO_BACKUPS)
def test_restore_carries_indexes_not_stream_ttl_tags(ddb, cleanup):
    table = indexed_table(ddb, cleanup)
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.update_continuous_backups(TableName=table,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    arn = cleanup(arn=backup(ddb, table))
    target = cleanup(unique_name("from-backup"))
    r = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)["TableDescription"]
    assert r["TableName"] == target and r["TableStatus"] == "CREATING"
    assert r["RestoreSummary"]["SourceBackupArn"] == arn
    assert r["RestoreSummary"]["SourceTableArn"] == ddb.describe_table(TableName=table)["Table"]["TableArn"]
    assert r["RestoreSummary"]["RestoreDateTime"] == details(ddb, arn)["BackupCreationDateTime"]
    t = restored(ddb, target)
    assert t["RestoreSummary"]["RestoreInProgress"] is False
    assert t["TableId"] != ddb.describe_table(TableName=table)["Table"]["TableId"]
    assert canon(scan_all(ddb, TableName=target)) == canon(scan_all(ddb, TableName=table))
    assert [g["IndexName"] for g in t["GlobalSecondaryIndexes"]] == ["byG"]
    assert t["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert t["GlobalSecondaryIndexes"][0]["ItemCount"] == 20
    assert [i["IndexName"] for i in t["LocalSecondaryIndexes"]] == ["byL"]
    q = query_all(ddb, TableName=target, IndexName="byG", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": S("g1")})
    assert sorted(i["sk"]["S"] for i in q) == sorted(f"s{i}" for i in range(20) if i % 3 == 1)
    assert set(q[0]) == {"pk", "sk", "g", "v"}  # the INCLUDE projection
    q = query_all(ddb, TableName=target, IndexName="byL", KeyConditionExpression="pk = :p AND l >= :l",
                  ExpressionAttributeValues={":p": S("p1"), ":l": N(9)})
    assert [int(i["l"]["N"]) for i in q] == [9, 13, 17]
    # not carried: stream, TTL, tags, PITR
    assert "StreamSpecification" not in t and "LatestStreamArn" not in t
    assert ddb.describe_time_to_live(TableName=target)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    assert ddb.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"] == []
    pitr = ddb.describe_continuous_backups(TableName=target)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    # a restored table is a table like any other
    ddb.put_item(TableName=target, Item={"pk": S("new"), "sk": S("1")})
    assert ddb.describe_table(TableName=target)["Table"]["ItemCount"] == 21


@pytest.mark.aws_differs(LOCAL_NO_BACKUPS)
def test_restore_overrides(ddb, raw_ddb, cleanup):
    table = indexed_table(ddb, cleanup)
    arn = cleanup(arn=backup(ddb, table))
    # provisioned, without the GSI (and its key's definition), LSI kept with another projection
    target = cleanup(unique_name("overridden"))
    ddb.restore_table_from_backup(
        TargetTableName=target, BackupArn=arn, BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 7, "WriteCapacityUnits": 8},
        GlobalSecondaryIndexOverride=[],
        LocalSecondaryIndexOverride=[{"IndexName": "byL", "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        SSESpecificationOverride={"Enabled": False})
    t = restored(ddb, target)
    assert t["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 8
    assert "GlobalSecondaryIndexes" not in t
    assert sorted(a["AttributeName"] for a in t["AttributeDefinitions"]) == ["l", "pk", "sk"]
    assert t["LocalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert t["ItemCount"] == 20
    # a GSI override keeps the named index, with its throughput
    target2 = cleanup(unique_name("gsi"))
    ddb.restore_table_from_backup(
        TargetTableName=target2, BackupArn=arn, BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        GlobalSecondaryIndexOverride=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                       "Projection": {"ProjectionType": "ALL"},
                                       "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}}])
    t = restored(ddb, target2)
    g = t["GlobalSecondaryIndexes"][0]
    assert g["Projection"] == {"ProjectionType": "ALL"}
    assert (g["ProvisionedThroughput"]["ReadCapacityUnits"], g["ProvisionedThroughput"]["WriteCapacityUnits"]) == (2, 3)
    assert g["ItemCount"] == 20
    # what does not fit
    cases = [
        (dict(GlobalSecondaryIndexOverride=[{"IndexName": "nope", "KeySchema": [{"AttributeName": "g",
              "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]), "GlobalSecondaryIndexOverride"),
        (dict(GlobalSecondaryIndexOverride=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "l",
              "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]), "GlobalSecondaryIndexOverride"),
        (dict(BillingModeOverride="PAY_PER_REQUEST",
              ProvisionedThroughputOverride={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
         "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"),
        (dict(BillingModeOverride="PROVISIONED"), "ReadCapacityUnits and WriteCapacityUnits must both be specified"),
        (dict(BillingModeOverride="PROVISIONED",
              ProvisionedThroughputOverride={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
         "ProvisionedThroughput must be specified for index: byG"),
    ]
    for kw, words in cases:
        name = unique_name("bad")
        with pytest.raises(ClientError) as e:
            ddb.restore_table_from_backup(TargetTableName=name, BackupArn=arn, **kw)
        assert err(e)[0] == "ValidationException" and words in err(e)[1], kw
        assert name not in ddb.list_tables()["TableNames"]
    with pytest.raises(ClientError) as e:
        raw_ddb.restore_table_from_backup(TargetTableName="x", BackupArn=arn)
    assert err(e)[0] == "ValidationException" and "'targetTableName'" in err(e)[1]
    with pytest.raises(ClientError) as e:
        raw_ddb.restore_table_from_backup(TargetTableName=unique_name(), BackupArn=arn,
                                          ProvisionedThroughputOverride={"ReadCapacityUnits": 0,
                                                                         "WriteCapacityUnits": 1})
    assert err(e)[0] == "ValidationException" and \
        "'provisionedThroughputOverride.readCapacityUnits'" in err(e)[1]


@pytest.mark.aws_differs(LOCAL_NO_BACKUPS)
def test_restore_errors(ddb, cleanup):
    table = cleanup(create_table(ddb))
    wait_active(ddb, table)
    arn = cleanup(arn=backup(ddb, table))
    with pytest.raises(ClientError) as e:
        ddb.restore_table_from_backup(TargetTableName=table, BackupArn=arn)
    assert err(e) == ("TableAlreadyExistsException", f"Table already exists: {table}")
    gone = arn[:-8] + "ffffffff"
    with pytest.raises(ClientError) as e:
        ddb.restore_table_from_backup(TargetTableName=unique_name(), BackupArn=gone)
    assert err(e) == ("BackupNotFoundException", f"Backup not found: {gone}")


@pytest.mark.aws_differs(LOCAL_NO_BACKUPS)
def test_backup_outlives_its_table(ddb, cleanup):
    table = cleanup(create_table(ddb))
    wait_active(ddb, table)
    fill(ddb, table, 30)
    expected = canon(scan_all(ddb, TableName=table))
    arn = cleanup(arn=backup(ddb, table))
    ddb.delete_table(TableName=table)
    # PITR was off: no system backup
    assert ddb.list_backups(TableName=table, BackupType="SYSTEM")["BackupSummaries"] == []
    ddb.restore_table_from_backup(TargetTableName=table, BackupArn=arn)
    restored(ddb, table)
    assert canon(scan_all(ddb, TableName=table)) == expected


@pytest.mark.aws_differs(LOCAL_NO_BACKUPS)
def test_system_backup_of_a_table_deleted_with_pitr(ddb, cleanup):
    table = cleanup(create_table(ddb))
    wait_active(ddb, table)
    fill(ddb, table, 25)
    ddb.update_continuous_backups(TableName=table,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    expected = canon(scan_all(ddb, TableName=table))
    ddb.delete_table(TableName=table)

    def system():
        s = ddb.list_backups(TableName=table, BackupType="SYSTEM")["BackupSummaries"]
        return s[0] if s and s[0]["BackupStatus"] == "AVAILABLE" else None

    s = wait_until(system, timeout=30)
    cleanup(arn=s["BackupArn"])
    assert s["BackupType"] == "SYSTEM" and s["BackupName"] == f"{table}$DeletedTableBackup"
    assert ARN_RE.match(s["BackupArn"])["suffix"] == "00000000"
    life = s["BackupExpiryDateTime"] - s["BackupCreationDateTime"]
    assert life.total_seconds() == 35 * 24 * 3600
    assert s["BackupSizeBytes"] > 0
    # listed by default only when asked for SYSTEM or ALL
    assert s["BackupArn"] not in [b["BackupArn"] for b in ddb.list_backups(TableName=table)["BackupSummaries"]]
    target = cleanup(unique_name("undeleted"))
    ddb.restore_table_from_backup(TargetTableName=target, BackupArn=s["BackupArn"])
    restored(ddb, target)
    assert canon(scan_all(ddb, TableName=target)) == expected


def test_deleting_a_backup_being_restored_or_created(start_ddbd):
    """With the copies slowed down: DeleteBackup of a backup still CREATING, or being restored, is
    BackupInUseException; restoring from it while CREATING too; the source table cannot be deleted
    while its backup copies it, and the restoring table is CREATING and takes no item operations."""
    env = dict(os.environ, DDBD_TEST_BACKUP_CHUNK="5", DDBD_TEST_BACKUP_PAUSE_MS="40")
    d = start_ddbd("--in-memory", env=env)
    ddb = make_client(d.endpoint)
    table = create_table(ddb)
    ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"pk": S(f"k{i}")}}} for i in range(25)]})
    ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"pk": S(f"j{i}")}}} for i in range(25)]})
    arn = ddb.create_backup(TableName=table, BackupName="slow")["BackupDetails"]["BackupArn"]
    assert details(ddb, arn)["BackupStatus"] == "CREATING"
    for call in (lambda: ddb.delete_backup(BackupArn=arn),
                 lambda: ddb.restore_table_from_backup(TargetTableName=unique_name(), BackupArn=arn)):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e)[0] == "BackupInUseException"
    with pytest.raises(ClientError) as e:
        ddb.delete_table(TableName=table)
    assert err(e) == ("ResourceInUseException",
                      f"Attempt to change a resource which is still in use: Table is being backed up: {table}")
    wait_until(lambda: details(ddb, arn)["BackupStatus"] == "AVAILABLE", timeout=30)
    target = unique_name("slow-restore")
    ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    assert ddb.describe_table(TableName=target)["Table"]["TableStatus"] == "CREATING"
    assert target in ddb.list_tables()["TableNames"]
    for call in (lambda: ddb.put_item(TableName=target, Item={"pk": S("x")}),
                 lambda: ddb.get_item(TableName=target, Key={"pk": S("x")}),
                 lambda: ddb.scan(TableName=target),
                 lambda: ddb.batch_write_item(RequestItems={target: [{"PutRequest": {"Item": {"pk": S("x")}}}]}),
                 lambda: ddb.transact_write_items(TransactItems=[{"Put": {"TableName": target,
                                                                          "Item": {"pk": S("x")}}}])):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        ddb.delete_table(TableName=target)
    assert err(e) == ("ResourceInUseException",
                      f"Attempt to change a resource which is still in use: Table is being created: {target}")
    with pytest.raises(ClientError) as e:
        ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    assert err(e) == ("TableInUseException", f"Table is being created: {target}")
    with pytest.raises(ClientError) as e:
        ddb.delete_backup(BackupArn=arn)
    assert err(e)[0] == "BackupInUseException"
    restored(ddb, target)
    assert len(scan_all(ddb, TableName=target)) == 50
    ddb.delete_backup(BackupArn=arn)
    ddb.delete_table(TableName=table)


def test_backup_is_the_table_at_its_request(start_ddbd):
    """Writes that land while the copy runs (slowed down to a few items per chunk) are not in the backup:
    it holds the table exactly as it was when CreateBackup committed."""
    env = dict(os.environ, DDBD_TEST_BACKUP_CHUNK="3", DDBD_TEST_BACKUP_PAUSE_MS="20")
    d = start_ddbd("--in-memory", env=env)
    ddb = make_client(d.endpoint)
    table = create_table(ddb, range=("sk", "N"))
    for p in range(4):
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {
            "pk": S(f"p{p}"), "sk": N(s), "v": N(s)}}} for s in range(20)]})
    expected = canon(scan_all(ddb, TableName=table, ConsistentRead=True))
    arn = ddb.create_backup(TableName=table, BackupName="moving")["BackupDetails"]["BackupArn"]
    # while it copies: overwrite, delete, insert, transact
    for s in range(20):
        ddb.update_item(TableName=table, Key={"pk": S("p1"), "sk": N(s)}, UpdateExpression="SET v = v + :one",
                        ExpressionAttributeValues={":one": N(1)})
        ddb.delete_item(TableName=table, Key={"pk": S("p2"), "sk": N(s)})
        ddb.put_item(TableName=table, Item={"pk": S("p9"), "sk": N(s)})
    assert details(ddb, arn)["BackupStatus"] == "CREATING"  # the writes overlapped the copy
    ddb.transact_write_items(TransactItems=[{"Delete": {"TableName": table, "Key": {"pk": S("p3"), "sk": N(0)}}}])
    wait_until(lambda: details(ddb, arn)["BackupStatus"] == "AVAILABLE", timeout=60)
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["SourceTableDetails"]["ItemCount"] == 80
    target = unique_name("as-it-was")
    ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    restored(ddb, target)
    assert canon(scan_all(ddb, TableName=target, ConsistentRead=True)) == expected
