"""Backups and point-in-time recovery through the newest AWS SDK for JavaScript (npm @aws-sdk/client-dynamodb),
for what Debian's botocore (2023) lacks: PointInTimeRecoverySpecification.RecoveryPeriodInDays (1-35, 35 by
default) and the window it sets, restores to the millisecond (the JS SDK sends fractions of a second), the
OnDemandThroughputOverride member; and that the newest SDK reads every answer of these operations."""
import json

import pytest

from helpers import S, admin, advance_clock, create_table, make_client, scan_all, unique_name, wait_active, wait_until
from node_sdk import date, node_call, node_calls

pytestmark = pytest.mark.ddbd_only  # holds the clock of a ddbd of its own

DAY = 24 * 3600


def canon(items):
    return sorted(json.dumps(i, sort_keys=True) for i in items)


def set_clock(endpoint, iso):
    status, doc = admin(endpoint, "/_ddbd/clock", {"set": iso, "frozen": True})
    assert status == 200, doc
    return doc["now_ms"] / 1000.0


def spec(on, days=None):
    s = {"PointInTimeRecoveryEnabled": on}
    if days is not None:
        s["RecoveryPeriodInDays"] = days
    return s


def test_recovery_period(clocked):
    t0 = set_clock(clocked, "2033-01-01T00:00:00Z")
    ddb = make_client(clocked)
    table = create_table(ddb)
    wait_active(ddb, table)
    out = node_call(clocked, "UpdateContinuousBackups", {"TableName": table, "PointInTimeRecoverySpecification":
                                                          spec(True, 7)})
    d = out["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert d == {"PointInTimeRecoveryStatus": "ENABLED", "RecoveryPeriodInDays": 7,
                 "EarliestRestorableDateTime": date(t0), "LatestRestorableDateTime": date(t0)}
    advance_clock(clocked, 8 * DAY)
    d = node_call(clocked, "DescribeContinuousBackups", {"TableName": table})[
        "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert d["RecoveryPeriodInDays"] == 7
    assert d["LatestRestorableDateTime"]["$date"] - d["EarliestRestorableDateTime"]["$date"] == 7 * DAY
    # a restore before the window is refused; the window's first millisecond is fine
    res = node_calls(clocked, [
        ("RestoreTableToPointInTime", {"SourceTableName": table, "TargetTableName": unique_name("early"),
                                       "RestoreDateTime": date(d["EarliestRestorableDateTime"]["$date"] - 1)}),
        ("RestoreTableToPointInTime", {"SourceTableName": table, "TargetTableName": unique_name("first"),
                                       "RestoreDateTime": d["EarliestRestorableDateTime"]})])
    assert res[0]["error"] == "InvalidRestoreTimeException"
    assert res[1]["ok"]["TableDescription"]["TableStatus"] == "CREATING"
    # a longer period cannot bring back what the shorter one let go: the window grows from here
    d = node_call(clocked, "UpdateContinuousBackups", {"TableName": table, "PointInTimeRecoverySpecification":
                                                        spec(True, 30)})["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]
    assert d["RecoveryPeriodInDays"] == 30
    assert d["LatestRestorableDateTime"]["$date"] - d["EarliestRestorableDateTime"]["$date"] == 7 * DAY
    # enabled without a period: 35 days
    d = node_call(clocked, "UpdateContinuousBackups", {"TableName": table, "PointInTimeRecoverySpecification":
                                                        spec(True)})["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]
    assert d["RecoveryPeriodInDays"] == 35
    # off: no period shown
    d = node_call(clocked, "UpdateContinuousBackups", {"TableName": table, "PointInTimeRecoverySpecification":
                                                        spec(False)})["ContinuousBackupsDescription"]
    assert d == {"ContinuousBackupsStatus": "ENABLED",
                 "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    for bad in (0, 36):
        (r,) = node_calls(clocked, [("UpdateContinuousBackups", {"TableName": table,
                                                                 "PointInTimeRecoverySpecification": spec(True, bad)})])
        assert r["error"] == "ValidationException"
        assert "'pointInTimeRecoverySpecification.recoveryPeriodInDays'" in r["message"]


def test_restore_to_the_millisecond(clocked):
    set_clock(clocked, "2033-02-01T00:00:00Z")
    ddb = make_client(clocked)
    table = create_table(ddb)
    wait_active(ddb, table)
    node_call(clocked, "UpdateContinuousBackups", {"TableName": table,
                                                   "PointInTimeRecoverySpecification": spec(True)})
    moments = []
    for i in range(6):
        at = advance_clock(clocked, 0.25) / 1000.0
        ddb.put_item(TableName=table, Item={"pk": S("counter"), "v": {"N": str(i)}})
        if i == 3:
            ddb.delete_item(TableName=table, Key={"pk": S("counter")})
        moments.append((at, canon(scan_all(ddb, TableName=table, ConsistentRead=True))))
    advance_clock(clocked, 0.25)
    calls, targets = [], []
    for at, _ in moments:
        targets.append(unique_name("ms"))
        calls.append(("RestoreTableToPointInTime", {"SourceTableName": table, "TargetTableName": targets[-1],
                                                    "RestoreDateTime": date(at)}))
    for (at, _), r in zip(moments, node_calls(clocked, calls)):
        assert r["ok"]["TableDescription"]["RestoreSummary"]["RestoreDateTime"] == date(at)
    for (at, expected), target in zip(moments, targets):
        wait_until(lambda: ddb.describe_table(TableName=target)["Table"]["TableStatus"] == "ACTIVE", timeout=30)
        assert canon(scan_all(ddb, TableName=target, ConsistentRead=True)) == expected, at


def test_backup_operations_through_the_newest_sdk(clocked):
    set_clock(clocked, "2033-03-01T00:00:00Z")
    ddb = make_client(clocked)
    table = create_table(ddb)
    wait_active(ddb, table)
    ddb.put_item(TableName=table, Item={"pk": S("a")})
    arn = node_call(clocked, "CreateBackup", {"TableName": table, "BackupName": "js-backup"})[
        "BackupDetails"]["BackupArn"]
    wait_until(lambda: node_call(clocked, "DescribeBackup", {"BackupArn": arn})["BackupDescription"][
        "BackupDetails"]["BackupStatus"] == "AVAILABLE", timeout=30)
    target = unique_name("js-restore")
    res = node_calls(clocked, [
        ("ListBackups", {"TableName": table, "BackupType": "ALL"}),
        ("RestoreTableFromBackup", {"TargetTableName": target, "BackupArn": arn,
                                    "OnDemandThroughputOverride": {"MaxReadRequestUnits": 100,
                                                                   "MaxWriteRequestUnits": 50}}),
        ("DescribeBackup", {"BackupArn": arn[:-8] + "0badc0de"}),
    ])
    assert [b["BackupArn"] for b in res[0]["ok"]["BackupSummaries"]] == [arn]
    assert res[0]["ok"]["BackupSummaries"][0]["BackupCreationDateTime"] == date(
        set_clock(clocked, "2033-03-01T00:00:00Z"))
    summary = res[1]["ok"]["TableDescription"]["RestoreSummary"]
    assert summary["SourceBackupArn"] == arn and summary["RestoreInProgress"] is True
    assert res[2]["error"] == "BackupNotFoundException"
    wait_until(lambda: node_call(clocked, "DescribeTable", {"TableName": target})["Table"]["TableStatus"] == "ACTIVE",
               timeout=30)
    t = node_call(clocked, "DescribeTable", {"TableName": target})["Table"]
    assert t["RestoreSummary"]["RestoreInProgress"] is False and t["ItemCount"] == 1
    d = node_call(clocked, "DeleteBackup", {"BackupArn": arn})["BackupDescription"]
    assert d["BackupDetails"]["BackupStatus"] == "DELETED"
