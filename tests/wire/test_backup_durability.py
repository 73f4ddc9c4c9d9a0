"""Backups and restores survive their server: a backup copy or a restore killed (kill -9) in the middle
resumes after a restart from its last committed chunk and ends with exactly the right items; backups, the
PITR history and the window survive a restart; and every one of these writes survives the writer's retried
commit (DDBD_TEST_FAIL_BATCH_COMMIT) unchanged. The copies are slowed down (DDBD_TEST_BACKUP_CHUNK,
DDBD_TEST_BACKUP_PAUSE_MS) so that a kill lands in the middle."""
import json
import os

import pytest

from helpers import DATA_DIR_FLAG, N, S, admin, create_table, make_client, scan_all, unique_name, wait_until

pytestmark = pytest.mark.ddbd_only

SLOW = {"DDBD_TEST_BACKUP_CHUNK": "4", "DDBD_TEST_BACKUP_PAUSE_MS": "25"}


def canon(items):
    return sorted(json.dumps(i, sort_keys=True) for i in items)


def slow_env():
    return dict(os.environ, **SLOW)


def fill(ddb, table, n, tag="v0"):
    for start in range(0, n, 25):
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": S(f"k{i:05d}"), "tag": S(tag), "n": N(i)}}}
            for i in range(start, min(n, start + 25))]})


def status(ddb, arn):
    return ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"]


def table_status(ddb, name):
    return ddb.describe_table(TableName=name)["Table"]["TableStatus"]


def test_backup_killed_mid_copy_resumes(start_ddbd, tmp_path):
    data = str(tmp_path / "data")
    d = start_ddbd(DATA_DIR_FLAG, data, "--log-level", "info", env=slow_env())
    ddb = make_client(d.endpoint)
    table = create_table(ddb)
    fill(ddb, table, 600)
    expected = canon(scan_all(ddb, TableName=table, ConsistentRead=True))
    arn = ddb.create_backup(TableName=table, BackupName="interrupted")["BackupDetails"]["BackupArn"]
    fill(ddb, table, 620, tag="after")  # overwrites and additions the backup must not see
    for i in range(0, 600, 7):
        ddb.delete_item(TableName=table, Key={"pk": S(f"k{i:05d}")})
    # the first progress line: 50 chunks (200 items) are in, 100 more to go
    wait_until(lambda: "items" in d.log_text(), timeout=30)
    assert status(ddb, arn) == "CREATING"
    d.kill()
    d = start_ddbd(DATA_DIR_FLAG, data, "--log-level", "info")  # full speed now
    ddb = make_client(d.endpoint)
    wait_until(lambda: status(ddb, arn) == "AVAILABLE", timeout=60)
    target = unique_name("resumed")
    ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    wait_until(lambda: table_status(ddb, target) == "ACTIVE", timeout=60)
    assert canon(scan_all(ddb, TableName=target, ConsistentRead=True)) == expected
    desc = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert desc["BackupDetails"]["BackupSizeBytes"] == desc["SourceTableDetails"]["TableSizeBytes"]
    # the source is no longer pinned by the finished copy: it can go
    ddb.delete_table(TableName=table)


def test_restore_killed_midway_resumes(start_ddbd, tmp_path):
    data = str(tmp_path / "data")
    d = start_ddbd(DATA_DIR_FLAG, data)
    ddb = make_client(d.endpoint)
    table = create_table(ddb, extra_attrs={"tag": "S"}, GlobalSecondaryIndexes=[{
        "IndexName": "byTag", "KeySchema": [{"AttributeName": "tag", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    fill(ddb, table, 500)
    expected = canon(scan_all(ddb, TableName=table, ConsistentRead=True))
    arn = ddb.create_backup(TableName=table, BackupName="to-restore")["BackupDetails"]["BackupArn"]
    wait_until(lambda: status(ddb, arn) == "AVAILABLE", timeout=30)
    d.terminate()
    d = start_ddbd(DATA_DIR_FLAG, data, "--log-level", "info", env=slow_env())
    ddb = make_client(d.endpoint)
    target = unique_name("half")
    ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    wait_until(lambda: "restore of table" in d.log_text(), timeout=30)  # 200 of 500 items in
    assert table_status(ddb, target) == "CREATING"
    d.kill()
    d = start_ddbd(DATA_DIR_FLAG, data)
    ddb = make_client(d.endpoint)
    wait_until(lambda: table_status(ddb, target) == "ACTIVE", timeout=60)
    t = ddb.describe_table(TableName=target)["Table"]
    assert t["ItemCount"] == 500 and t["GlobalSecondaryIndexes"][0]["ItemCount"] == 500
    assert canon(scan_all(ddb, TableName=target, ConsistentRead=True)) == expected
    assert len(ddb.query(TableName=target, IndexName="byTag", KeyConditionExpression="tag = :t",
                         ExpressionAttributeValues={":t": S("v0")})["Items"]) == 500
    ddb.delete_backup(BackupArn=arn)  # no restore holds it any more


def test_pitr_history_survives_restarts(start_ddbd, tmp_path):
    data = str(tmp_path / "data")
    flags = (DATA_DIR_FLAG, data, "--clock", "frozen:2034-01-01T00:00:00Z")
    d = start_ddbd(*flags)
    ddb = make_client(d.endpoint)
    table = create_table(ddb)
    ddb.update_continuous_backups(TableName=table,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    fill(ddb, table, 120)
    admin(d.endpoint, "/_ddbd/clock", {"advance_seconds": 60})
    noted = admin(d.endpoint, "/_ddbd/clock")[1]["now_ms"] / 1000.0
    expected = canon(scan_all(ddb, TableName=table, ConsistentRead=True))
    admin(d.endpoint, "/_ddbd/clock", {"advance_seconds": 60})
    fill(ddb, table, 150, tag="later")
    for i in range(0, 120, 3):
        ddb.delete_item(TableName=table, Key={"pk": S(f"k{i:05d}")})
    d.kill()  # the history is in the writes' own transactions
    d = start_ddbd(DATA_DIR_FLAG, data, "--clock", "frozen:2034-01-01T00:02:00Z", env=slow_env())
    ddb = make_client(d.endpoint)
    win = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]
    assert win["EarliestRestorableDateTime"].timestamp() == noted - 60
    target = unique_name("pitr")
    ddb.restore_table_to_point_in_time(SourceTableName=table, TargetTableName=target, RestoreDateTime=noted)
    wait_until(lambda: table_status(ddb, target) == "CREATING", timeout=5)
    d.kill()  # mid-restore: the source stays pinned, the restore resumes
    d = start_ddbd(DATA_DIR_FLAG, data, "--clock", "frozen:2034-01-01T00:02:00Z")
    ddb = make_client(d.endpoint)
    wait_until(lambda: table_status(ddb, target) == "ACTIVE", timeout=60)
    assert canon(scan_all(ddb, TableName=target, ConsistentRead=True)) == expected


def test_backup_writes_survive_the_retried_commit(start_ddbd):
    """With every batch commit failing once, each backup and PITR write runs twice: the answers and the
    results are those of a clean run."""
    d = start_ddbd("--in-memory", "--clock", "frozen:2034-02-01T00:00:00Z",
                   env=dict(os.environ, DDBD_TEST_FAIL_BATCH_COMMIT="1"))
    ddb = make_client(d.endpoint)
    table = create_table(ddb)
    on = ddb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert on["PointInTimeRecoveryStatus"] == "ENABLED"
    fill(ddb, table, 60)
    expected = canon(scan_all(ddb, TableName=table, ConsistentRead=True))
    arn = ddb.create_backup(TableName=table, BackupName="retried")["BackupDetails"]["BackupArn"]
    wait_until(lambda: status(ddb, arn) == "AVAILABLE", timeout=30)
    assert len(ddb.list_backups(TableName=table)["BackupSummaries"]) == 1
    admin(d.endpoint, "/_ddbd/clock", {"advance_seconds": 5})
    fill(ddb, table, 80, tag="later")
    a, b = unique_name("from-backup"), unique_name("from-pitr")
    ddb.restore_table_from_backup(TargetTableName=a, BackupArn=arn)
    ddb.restore_table_to_point_in_time(SourceTableName=table, TargetTableName=b,
                                       RestoreDateTime=on["LatestRestorableDateTime"].timestamp() + 1)
    for t in (a, b):
        wait_until(lambda: table_status(ddb, t) == "ACTIVE", timeout=30)
        assert canon(scan_all(ddb, TableName=t, ConsistentRead=True)) == expected
        assert ddb.describe_table(TableName=t)["Table"]["ItemCount"] == 60
    ddb.delete_table(TableName=table)
    s = wait_until(lambda: [x for x in ddb.list_backups(TableName=table, BackupType="SYSTEM")["BackupSummaries"]
                            if x["BackupStatus"] == "AVAILABLE"], timeout=30)
    assert len(s) == 1
    ddb.delete_backup(BackupArn=arn)
