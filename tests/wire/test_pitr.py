"""Point-in-time recovery with boto3, on a ddbd whose clock the tests hold (frozen, moved by hand):
UpdateContinuousBackups / DescribeContinuousBackups (status, the restorable window on ddbd's clock, the
35-day default, disable and re-enable), RestoreTableToPointInTime (any millisecond of the window, the latest
restorable time, source by name or ARN, overrides) and its errors. RecoveryPeriodInDays, which botocore
(2023) does not know, is in test_pitr_node.py."""
import json

import pytest
from botocore.exceptions import ClientError

from helpers import (N, S, admin, advance_clock, create_table, drop_table, err, error_message, error_type,
                     make_client, raw_request, scan_all, unique_name, wait_active, wait_until)

pytestmark = pytest.mark.ddbd_only  # holds the clock of a ddbd of its own

DAY = 24 * 3600


def canon(items):
    return sorted(json.dumps(i, sort_keys=True) for i in items)


def set_clock(endpoint, iso):
    status, doc = admin(endpoint, "/_ddbd/clock", {"set": iso, "frozen": True})
    assert status == 200, doc
    return doc["now_ms"] / 1000.0


def pitr(ddb, table):
    return ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]


def enable(ddb, table, on=True):
    return ddb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": on}
    )["ContinuousBackupsDescription"]


def restored(ddb, name):
    def done():
        t = ddb.describe_table(TableName=name)["Table"]
        return t if t["TableStatus"] == "ACTIVE" else None

    return wait_until(done, timeout=30, what=f"{name} to be ACTIVE")


@pytest.fixture
def ddb(clocked):
    return make_client(clocked)


@pytest.fixture
def tables(ddb):
    made = []

    def make(**kw):
        name = create_table(ddb, **kw)
        wait_active(ddb, name)
        made.append(name)
        return name

    make.name = lambda prefix="t": made.append(unique_name(prefix)) or made[-1]
    yield make
    for t in made:
        drop_table(ddb, t)


def test_enable_describe_window(ddb, clocked, tables):
    t0 = set_clock(clocked, "2032-01-10T08:00:00Z")
    table = tables()
    d = pitr(ddb, table)
    assert d == {"ContinuousBackupsStatus": "ENABLED",
                 "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    d = enable(ddb, table)["PointInTimeRecoveryDescription"]
    assert d["PointInTimeRecoveryStatus"] == "ENABLED"
    assert d["EarliestRestorableDateTime"].timestamp() == t0 == d["LatestRestorableDateTime"].timestamp()
    advance_clock(clocked, 90)
    d = pitr(ddb, table)["PointInTimeRecoveryDescription"]
    assert d["EarliestRestorableDateTime"].timestamp() == t0
    assert d["LatestRestorableDateTime"].timestamp() == t0 + 90
    # enabling again changes nothing about the window
    assert enable(ddb, table)["PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"].timestamp() == t0
    # the window is 35 days by default, on ddbd's clock
    advance_clock(clocked, 40 * DAY)
    d = pitr(ddb, table)["PointInTimeRecoveryDescription"]
    assert d["LatestRestorableDateTime"].timestamp() - d["EarliestRestorableDateTime"].timestamp() == 35 * DAY
    # off, then on again: the window starts over
    d = enable(ddb, table, False)
    assert d["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}
    advance_clock(clocked, 60)
    d = enable(ddb, table)["PointInTimeRecoveryDescription"]
    now = d["LatestRestorableDateTime"].timestamp()
    assert d["EarliestRestorableDateTime"].timestamp() == now
    # by ARN too
    arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    assert pitr(ddb, arn)["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_update_describe_errors(ddb, raw_ddb, clocked, tables):
    raw = make_client(clocked, validate=False)
    missing = unique_name("missing")
    for call in (lambda: pitr(ddb, missing), lambda: enable(ddb, missing)):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e) == ("TableNotFoundException", f"Table not found: {missing}")
    table = tables()
    with pytest.raises(ClientError) as e:
        raw.update_continuous_backups(TableName=table)
    assert err(e) == ("ValidationException", "1 validation error detected: Value null at "
                      "'pointInTimeRecoverySpecification' failed to satisfy constraint: Member must not be null")
    with pytest.raises(ClientError) as e:
        raw.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={})
    assert err(e) == ("ValidationException", "1 validation error detected: Value null at "
                      "'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy constraint: "
                      "Member must not be null")


def test_restore_to_each_second(ddb, clocked, tables):
    """A value changed every second of ddbd's clock (an insert, an update, a delete); a restore to each
    second gives that second's table. (botocore sends whole seconds: milliseconds are in
    test_pitr_node.py.)"""
    set_clock(clocked, "2032-02-01T00:00:00Z")
    table = tables()
    enable(ddb, table)
    moments = []
    for i in range(6):
        at = advance_clock(clocked, 1) / 1000.0
        ddb.put_item(TableName=table, Item={"pk": S("counter"), "v": N(i)})
        if i % 2:
            ddb.delete_item(TableName=table, Key={"pk": S(f"other{i - 1}")})
        else:
            ddb.put_item(TableName=table, Item={"pk": S(f"other{i}"), "v": N(i)})
        moments.append((at, canon(scan_all(ddb, TableName=table, ConsistentRead=True))))
    advance_clock(clocked, 1)
    ddb.put_item(TableName=table, Item={"pk": S("counter"), "v": N(100)})
    for at, expected in moments:
        target = tables.name("at")
        r = ddb.restore_table_to_point_in_time(SourceTableName=table, TargetTableName=target,
                                               RestoreDateTime=at)["TableDescription"]
        assert r["RestoreSummary"]["RestoreDateTime"].timestamp() == at
        restored(ddb, target)
        assert canon(scan_all(ddb, TableName=target, ConsistentRead=True)) == expected, at


def test_restore_latest_and_by_arn(ddb, clocked, tables):
    set_clock(clocked, "2032-03-01T12:00:00Z")
    table = tables(range=("sk", "N"))
    enable(ddb, table)
    for s in range(10):
        ddb.put_item(TableName=table, Item={"pk": S("a"), "sk": N(s)})
    ddb.delete_item(TableName=table, Key={"pk": S("a"), "sk": N(3)})
    expected = canon(scan_all(ddb, TableName=table, ConsistentRead=True))
    target = tables.name("latest")
    r = ddb.restore_table_to_point_in_time(SourceTableName=table, TargetTableName=target,
                                           UseLatestRestorableTime=True)["TableDescription"]
    src_arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    assert r["RestoreSummary"]["SourceTableArn"] == src_arn and "SourceBackupArn" not in r["RestoreSummary"]
    restored(ddb, target)
    assert canon(scan_all(ddb, TableName=target, ConsistentRead=True)) == expected
    target2 = tables.name("by-arn")
    ddb.restore_table_to_point_in_time(SourceTableArn=src_arn, TargetTableName=target2,
                                       UseLatestRestorableTime=True)
    restored(ddb, target2)
    assert canon(scan_all(ddb, TableName=target2, ConsistentRead=True)) == expected


def test_restore_errors(ddb, clocked, tables):
    t0 = set_clock(clocked, "2032-04-01T00:00:00Z")
    raw = make_client(clocked, validate=False)
    off = tables()
    on = tables()
    enable(ddb, on)
    advance_clock(clocked, 100)
    target = unique_name("never")
    missing = unique_name("missing")
    with pytest.raises(ClientError) as e:
        ddb.restore_table_to_point_in_time(SourceTableName=missing, TargetTableName=target,
                                           UseLatestRestorableTime=True)
    assert err(e) == ("TableNotFoundException", f"Table not found: {missing}")
    with pytest.raises(ClientError) as e:
        ddb.restore_table_to_point_in_time(SourceTableName=off, TargetTableName=target, UseLatestRestorableTime=True)
    assert err(e)[0] == "PointInTimeRecoveryUnavailableException" and off in err(e)[1]
    for at in (t0 - 1, t0 + 101):  # before the window, after now
        with pytest.raises(ClientError) as e:
            ddb.restore_table_to_point_in_time(SourceTableName=on, TargetTableName=target, RestoreDateTime=at)
        assert err(e)[0] == "InvalidRestoreTimeException"
    with pytest.raises(ClientError) as e:
        ddb.restore_table_to_point_in_time(SourceTableName=on, TargetTableName=off, UseLatestRestorableTime=True)
    assert err(e) == ("TableAlreadyExistsException", f"Table already exists: {off}")
    cases = [
        dict(SourceTableName=on, TargetTableName=target),  # neither a time nor the latest
        dict(SourceTableName=on, TargetTableName=target, UseLatestRestorableTime=True, RestoreDateTime=t0 + 10),
        dict(TargetTableName=target, UseLatestRestorableTime=True),  # no source
        dict(SourceTableName=on, SourceTableArn=f"arn:aws:dynamodb:us-east-1:000000000000:table/{on}",
             TargetTableName=target, UseLatestRestorableTime=True),
        dict(SourceTableName=on, TargetTableName="t!", UseLatestRestorableTime=True),
        dict(SourceTableName=on, UseLatestRestorableTime=True),
    ]
    for kw in cases:
        with pytest.raises(ClientError) as e:
            raw.restore_table_to_point_in_time(**kw)
        assert err(e)[0] == "ValidationException", kw
    assert target not in ddb.list_tables()["TableNames"]
    # a timestamp is epoch seconds, as a number
    for bad, words in (("2032-04-01T00:00:00Z", "STRING_VALUE cannot be converted to Timestamp"),
                       ({"s": 1}, "Unexpected value type in payload")):
        status, _, body = raw_request(clocked, "RestoreTableToPointInTime", json.dumps(
            {"SourceTableName": on, "TargetTableName": target, "RestoreDateTime": bad}))
        assert (status, error_type(body), error_message(body)) == (400, "SerializationException", words)
    # the window starts where PITR was (re-)enabled
    enable(ddb, on, False)
    enable(ddb, on)
    with pytest.raises(ClientError) as e:
        ddb.restore_table_to_point_in_time(SourceTableName=on, TargetTableName=target, RestoreDateTime=t0 + 50)
    assert err(e)[0] == "InvalidRestoreTimeException"


def test_restore_overrides_and_what_is_left_behind(ddb, clocked, tables):
    set_clock(clocked, "2032-05-01T00:00:00Z")
    table = tables(extra_attrs={"g": "S"}, stream="NEW_IMAGE", Tags=[{"Key": "k", "Value": "v"}],
                   GlobalSecondaryIndexes=[{"IndexName": "byG",
                                            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    enable(ddb, table)
    for i in range(6):
        ddb.put_item(TableName=table, Item={"pk": S(f"k{i}"), "g": S("x")})
    advance_clock(clocked, 5)
    target = tables.name("prov")
    ddb.restore_table_to_point_in_time(
        SourceTableName=table, TargetTableName=target, UseLatestRestorableTime=True,
        BillingModeOverride="PROVISIONED", ProvisionedThroughputOverride={"ReadCapacityUnits": 4,
                                                                          "WriteCapacityUnits": 5},
        GlobalSecondaryIndexOverride=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                       "Projection": {"ProjectionType": "ALL"},
                                       "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}])
    t = restored(ddb, target)
    assert t["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 4
    assert t["GlobalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "ALL"}
    assert t["GlobalSecondaryIndexes"][0]["ItemCount"] == 6
    assert "StreamSpecification" not in t
    assert ddb.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"] == []
    assert ddb.describe_time_to_live(TableName=target)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    assert pitr(ddb, target)["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    with pytest.raises(ClientError) as e:
        ddb.restore_table_to_point_in_time(SourceTableName=table, TargetTableName=tables.name("bad"),
                                           UseLatestRestorableTime=True, LocalSecondaryIndexOverride=[
                                               {"IndexName": "byL", "KeySchema": [
                                                   {"AttributeName": "pk", "KeyType": "HASH"},
                                                   {"AttributeName": "g", "KeyType": "RANGE"}],
                                                "Projection": {"ProjectionType": "ALL"}}])
    assert err(e)[0] == "ValidationException" and "LocalSecondaryIndexOverride" in err(e)[1]


def test_delete_restores_and_trims(ddb, clocked, tables):
    """The source of a running restore cannot be deleted; a deleted PITR table leaves a system backup;
    the history kept for a window that has passed stops mattering (the window moves with the clock)."""
    set_clock(clocked, "2032-06-01T00:00:00Z")
    table = tables()
    enable(ddb, table)
    ddb.put_item(TableName=table, Item={"pk": S("old")})
    advance_clock(clocked, 36 * DAY)
    ddb.put_item(TableName=table, Item={"pk": S("new")})
    d = pitr(ddb, table)["PointInTimeRecoveryDescription"]
    # the write of 36 days ago is outside the window: the earliest restorable state has it already
    target = tables.name("earliest")
    ddb.restore_table_to_point_in_time(SourceTableName=table, TargetTableName=target,
                                       RestoreDateTime=d["EarliestRestorableDateTime"])
    restored(ddb, target)
    assert [i["pk"]["S"] for i in scan_all(ddb, TableName=target)] == ["old"]
    ddb.delete_table(TableName=table)
    s = wait_until(lambda: [b for b in ddb.list_backups(TableName=table, BackupType="SYSTEM")["BackupSummaries"]
                            if b["BackupStatus"] == "AVAILABLE"], timeout=30)
    assert len(s) == 1
    # system backups expire after 35 days (the trimmer looks every few seconds)
    advance_clock(clocked, 36 * DAY)
    wait_until(lambda: ddb.list_backups(TableName=table, BackupType="SYSTEM")["BackupSummaries"] == [],
               timeout=20)
