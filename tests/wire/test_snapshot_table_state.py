"""Reset, snapshots and restores with the rest of a table's state: the item history behind
point-in-time recovery, backups, resource policies, Contributor Insights, Kinesis destinations,
table settings and global tables' replicas in other regions.

A snapshot is the store (or a namespace) as it was: its tables and everything about them. So a
restore brings back each table's settings, its PITR window and history (a point-in-time restore
to a moment before the snapshot still works), the namespace's backups; and takes away tables,
backups, policies made after it. A reset leaves nothing of a namespace behind. A global table
belongs to every namespace it has a member in: a namespace's reset deletes it in every region, a
namespace's restore brings the group back as it was.

Each test runs a ddbd of its own (a reset would take other tests' tables with it).
"""
import json

import pytest
from botocore.exceptions import ClientError

import helpers
import node_sdk
from helpers import N, S, scan_all, wait_until
from test_snapshots import reset, restore, save

pytestmark = pytest.mark.ddbd_only

EAST, EU = "us-east-1", "eu-west-1"


@pytest.fixture
def own(start_ddbd):
    return start_ddbd("--in-memory", "--ttl-sweep-seconds", "0").endpoint


def set_clock(endpoint, iso):
    status, doc = helpers.admin(endpoint, "/_ddbd/clock", {"set": iso, "frozen": True})
    assert status == 200, doc
    return doc["now_ms"] / 1000.0


def code(fn, *a, **kw):
    with pytest.raises(ClientError) as e:
        fn(*a, **kw)
    return helpers.err(e)[0]


def table_arn(name, key, region=EAST):
    return f"arn:aws:dynamodb:{region}:{helpers.account_of(key)}:table/{name}"


def policy_doc(arn, action):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": [action], "Resource": [arn]}]})


def get_policy(endpoint, key, arn):
    try:
        return node_sdk.call(endpoint, "GetResourcePolicy", {"ResourceArn": arn}, access_key=key)
    except node_sdk.SdkError as e:
        return e.name


def pitr(c, table):
    return c.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]


def wait_restored(c, name):
    wait_until(lambda: c.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE", timeout=30,
               what=f"{name} ACTIVE")


def backups(c):
    return sorted(b["BackupName"] for b in c.list_backups(BackupType="ALL")["BackupSummaries"])


def test_restore_brings_back_history_backups_and_settings(own):
    key = helpers.fresh_access_key()
    c = helpers.make_client(own, access_key=key)
    set_clock(own, "2033-03-01T00:00:00Z")
    helpers.create_table(c, "Tab")
    c.update_continuous_backups(TableName="Tab", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    c.put_item(TableName="Tab", Item={"pk": S("a"), "v": N(1)})
    moment = helpers.advance_clock(own, 2) / 1000.0  # T held a=1 then
    helpers.advance_clock(own, 2)
    c.put_item(TableName="Tab", Item={"pk": S("a"), "v": N(2)})
    c.create_backup(TableName="Tab", BackupName="before")
    c.update_contributor_insights(TableName="Tab", ContributorInsightsAction="ENABLE")
    c.enable_kinesis_streaming_destination(TableName="Tab", StreamArn="arn:aws:kinesis:us-east-1:123456789012:stream/s1")
    arn = table_arn("Tab", key)
    rev = node_sdk.call(own, "PutResourcePolicy", {"ResourceArn": arn, "Policy": policy_doc(arn, "dynamodb:GetItem")},
                        access_key=key)["RevisionId"]
    c.update_table(TableName="Tab", SSESpecification={"Enabled": True, "SSEType": "KMS",
                                                     "KMSMasterKeyId": "arn:aws:kms:us-east-1:123456789012:key/k1"})
    was = c.describe_table(TableName="Tab")["Table"]
    window = pitr(c, "Tab")
    save(own, "s1")

    # everything changes after the snapshot
    helpers.advance_clock(own, 5)
    c.put_item(TableName="Tab", Item={"pk": S("a"), "v": N(3)})
    c.create_backup(TableName="Tab", BackupName="after")
    c.update_continuous_backups(TableName="Tab", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    c.update_contributor_insights(TableName="Tab", ContributorInsightsAction="DISABLE")
    c.disable_kinesis_streaming_destination(TableName="Tab", StreamArn="arn:aws:kinesis:us-east-1:123456789012:stream/s1")
    node_sdk.call(own, "DeleteResourcePolicy", {"ResourceArn": arn}, access_key=key)
    c.update_table(TableName="Tab", SSESpecification={"Enabled": False})
    helpers.create_table(c, "Uta")
    c.update_continuous_backups(TableName="Uta", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    u_arn = table_arn("Uta", key)
    node_sdk.call(own, "PutResourcePolicy", {"ResourceArn": u_arn, "Policy": policy_doc(u_arn, "dynamodb:Query")},
                  access_key=key)
    c.create_backup(TableName="Uta", BackupName="u-after")
    assert backups(c) == ["after", "before", "u-after"]

    done = restore(own, "s1")
    assert done["Tables"] == 1
    assert c.list_tables()["TableNames"] == ["Tab"]
    assert code(c.describe_continuous_backups, TableName="Uta") == "TableNotFoundException"
    assert get_policy(own, key, u_arn) == "ResourceNotFoundException"
    assert helpers.get(c, "Tab", {"pk": S("a")})["v"] == N(2)
    now = c.describe_table(TableName="Tab")["Table"]
    for member in ("TableId", "TableArn", "CreationDateTime", "SSEDescription", "KeySchema", "ItemCount"):
        assert now.get(member) == was.get(member), member
    after = pitr(c, "Tab")
    assert after.pop("LatestRestorableDateTime") > window.pop("LatestRestorableDateTime")  # the clock moved on
    assert after == window  # on, the same window start and recovery period
    assert c.describe_contributor_insights(TableName="Tab")["ContributorInsightsStatus"] == "ENABLED"
    dest = c.describe_kinesis_streaming_destination(TableName="Tab")["KinesisDataStreamDestinations"]
    assert [d["DestinationStatus"] for d in dest] == ["ACTIVE"]
    got = get_policy(own, key, arn)
    assert got["RevisionId"] == rev and '"dynamodb:GetItem"' in got["Policy"]
    assert backups(c) == ["before"]

    # the history came back with the table: a point-in-time restore to before the snapshot
    c.restore_table_to_point_in_time(SourceTableName="Tab", TargetTableName="AtMoment", RestoreDateTime=moment)
    wait_restored(c, "AtMoment")
    assert scan_all(c, TableName="AtMoment") == [{"pk": S("a"), "v": N(1)}]
    # and the backup taken before it still restores
    b = [x for x in c.list_backups()["BackupSummaries"] if x["BackupName"] == "before"][0]
    c.restore_table_from_backup(TargetTableName="FromBackup", BackupArn=b["BackupArn"])
    wait_restored(c, "FromBackup")
    assert scan_all(c, TableName="FromBackup") == [{"pk": S("a"), "v": N(2)}]


def test_reset_leaves_nothing_of_a_namespace(own):
    ka, kb = helpers.fresh_access_key(), helpers.fresh_access_key()
    a, b = helpers.make_client(own, access_key=ka), helpers.make_client(own, access_key=kb)
    for c, key in ((a, ka), (b, kb)):
        helpers.create_table(c, "Tab")
        c.update_continuous_backups(TableName="Tab",
                                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        c.put_item(TableName="Tab", Item={"pk": S("x")})
        c.create_backup(TableName="Tab", BackupName="bkp")
        arn = table_arn("Tab", key)
        node_sdk.call(own, "PutResourcePolicy", {"ResourceArn": arn, "Policy": policy_doc(arn, "dynamodb:GetItem")},
                      access_key=key)
    # a table deleted with PITR on leaves a system backup: the reset takes it too
    helpers.create_table(a, "Gone")
    a.update_continuous_backups(TableName="Gone", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    a.delete_table(TableName="Gone")
    wait_until(lambda: len(a.list_backups(BackupType="ALL")["BackupSummaries"]) == 2, what="the system backup")

    reset(own, {"namespace": f"{ka}/{EAST}"})
    assert a.list_tables()["TableNames"] == []
    assert a.list_backups(BackupType="ALL")["BackupSummaries"] == []
    # the same name again is a new table: no PITR, no policy, no past
    helpers.create_table(a, "Tab")
    assert pitr(a, "Tab")["PointInTimeRecoveryStatus"] == "DISABLED"
    assert get_policy(own, ka, table_arn("Tab", ka)) == "PolicyNotFoundException"
    # the other namespace keeps everything
    assert backups(b) == ["bkp"]
    assert pitr(b, "Tab")["PointInTimeRecoveryStatus"] == "ENABLED"
    assert get_policy(own, kb, table_arn("Tab", kb))["Policy"]

    reset(own)
    assert b.list_backups(BackupType="ALL")["BackupSummaries"] == []
    assert b.list_tables()["TableNames"] == []


def test_global_table_in_a_namespace_scope(own):
    key = helpers.fresh_access_key()
    east, eu = (helpers.make_client(own, access_key=key, region=r) for r in (EAST, EU))
    helpers.create_table(east, "Glo", stream="NEW_AND_OLD_IMAGES")
    east.update_table(TableName="Glo", ReplicaUpdates=[{"Create": {"RegionName": EU}}])
    helpers.create_table(eu, "Solo")
    eu.put_item(TableName="Solo", Item={"pk": S("mine")})
    east.put_item(TableName="Glo", Item={"pk": S("g1")})
    eu_id = eu.describe_table(TableName="Glo")["Table"]["TableId"]
    save(own, "east", namespace=f"{key}/{EAST}")

    # eu leaves the group; the home goes on alone
    eu.delete_table(TableName="Glo")
    wait_until(lambda: "Glo" not in eu.list_tables()["TableNames"], what="eu's replica gone")
    east.put_item(TableName="Glo", Item={"pk": S("g2")})
    assert "Replicas" not in east.describe_table(TableName="Glo")["Table"]

    restore(own, "east")
    # the group as it was: eu's replica back with its own TableId, the data of then
    assert sorted(eu.list_tables()["TableNames"]) == ["Glo", "Solo"]
    assert eu.describe_table(TableName="Glo")["Table"]["TableId"] == eu_id
    assert [r["RegionName"] for r in east.describe_table(TableName="Glo")["Table"]["Replicas"]] == [EU]
    assert scan_all(eu, TableName="Glo") == [{"pk": S("g1")}]
    eu.put_item(TableName="Glo", Item={"pk": S("g3")})
    assert sorted(i["pk"]["S"] for i in scan_all(east, TableName="Glo")) == ["g1", "g3"]
    assert scan_all(eu, TableName="Solo") == [{"pk": S("mine")}]

    # a reset of the home's namespace deletes the global table in every region, nothing else
    reset(own, {"namespace": f"{key}/{EAST}"})
    assert east.list_tables()["TableNames"] == []
    assert eu.list_tables()["TableNames"] == ["Solo"]
    helpers.create_table(east, "Glo")
    assert "Replicas" not in east.describe_table(TableName="Glo")["Table"]
    assert scan_all(east, TableName="Glo") == []


def test_reset_from_a_replica_region_and_restore_over_a_same_named_table(own):
    key = helpers.fresh_access_key()
    east, eu = (helpers.make_client(own, access_key=key, region=r) for r in (EAST, EU))
    helpers.create_table(east, "Glo")
    east.update_table(TableName="Glo", ReplicaUpdates=[{"Create": {"RegionName": EU}}])
    east.put_item(TableName="Glo", Item={"pk": S("g1")})
    save(own, "eu", namespace=f"{key}/{EU}")  # eu's scope holds the home in east too

    reset(own, {"namespace": f"{key}/{EU}"})
    assert east.list_tables()["TableNames"] == [] and eu.list_tables()["TableNames"] == []
    # a plain table of the same name in east is replaced by the restored group, items and all
    helpers.create_table(east, "Glo")
    east.put_item(TableName="Glo", Item={"pk": S("other")})
    restore(own, "eu")
    assert scan_all(east, TableName="Glo") == [{"pk": S("g1")}]
    assert scan_all(eu, TableName="Glo") == [{"pk": S("g1")}]
    assert [r["RegionName"] for r in eu.describe_table(TableName="Glo")["Table"]["Replicas"]] == [EAST]


def test_restore_resumes_a_backup_copy_it_caught_half_done(start_ddbd):
    """A snapshot taken while a backup is being copied holds the copy's progress with it: after a
    restore the copy goes on from there and the backup holds the table as it was when it began."""
    endpoint = start_ddbd("--in-memory", "--ttl-sweep-seconds", "0",
                          env={"DDBD_TEST_BACKUP_CHUNK": "1", "DDBD_TEST_BACKUP_PAUSE_MS": "50"}).endpoint
    c = helpers.make_client(endpoint)
    helpers.create_table(c, "Src")
    items = [{"pk": S(f"k{i:02}"), "v": N(i)} for i in range(20)]
    for item in items:
        c.put_item(TableName="Src", Item=item)
    arn = c.create_backup(TableName="Src", BackupName="slow")["BackupDetails"]["BackupArn"]
    save(endpoint, "mid")
    desc = lambda: c.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"]
    assert desc() == "CREATING"  # 20 chunks 50 ms apart: not done yet
    for item in items[:5]:
        c.put_item(TableName="Src", Item={**item, "v": N(-1)})  # later writes stay out of the backup
    wait_until(lambda: desc() == "AVAILABLE", timeout=30, what="the copy")

    restore(endpoint, "mid")
    assert desc() == "CREATING"
    wait_until(lambda: desc() == "AVAILABLE", timeout=30, what="the copy, resumed")
    c.restore_table_from_backup(TargetTableName="Copy", BackupArn=arn)
    wait_restored(c, "Copy")
    assert sorted(scan_all(c, TableName="Copy"), key=lambda i: i["pk"]["S"]) == items
    assert sorted(scan_all(c, TableName="Src"), key=lambda i: i["pk"]["S"]) == items


def test_dump_and_load_keep_encryption_and_on_demand_throughput(start_ddbd, tmp_path):
    """A dumped definition (describe-table's output) loads back with its KMS key and its on-demand
    throughput limits, the table's and each GSI's (what CreateTable takes of the new settings)."""
    src, dst, out = str(tmp_path / "src"), str(tmp_path / "dst"), str(tmp_path / "out")
    key = helpers.fresh_access_key()
    ns = f"{key}/{EAST}"
    p = start_ddbd("--data-dir", src)
    node_sdk.call(p.endpoint, "CreateTable", {
        "TableName": "Settings", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "g", "AttributeType": "S"}],
        "OnDemandThroughput": {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50},
        "GlobalSecondaryIndexes": [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "ALL"},
                                    "OnDemandThroughput": {"MaxReadRequestUnits": 40, "MaxWriteRequestUnits": 20}}],
        "SSESpecification": {"Enabled": True, "SSEType": "KMS",
                             "KMSMasterKeyId": "arn:aws:kms:us-east-1:123456789012:key/k1"}}, access_key=key)
    helpers.make_client(p.endpoint, access_key=key).put_item(TableName="Settings", Item={"pk": S("a"), "g": S("x")})

    def settings(endpoint):
        t = node_sdk.call(endpoint, "DescribeTable", {"TableName": "Settings"}, access_key=key)["Table"]
        return (t["SSEDescription"], t["OnDemandThroughput"],
                [g["OnDemandThroughput"] for g in t["GlobalSecondaryIndexes"]], t["ItemCount"])

    want = settings(p.endpoint)
    assert want[0]["KMSMasterKeyArn"] == "arn:aws:kms:us-east-1:123456789012:key/k1"
    p.terminate()
    for args in (["dump", "--data-dir", src, "--namespace", ns, "--out", out],
                 ["load", "--data-dir", dst, "--namespace", ns, out]):
        r = helpers.run_ddbd(args, timeout=60)
        assert r.returncode == 0, r.stderr
    q = start_ddbd("--data-dir", dst)
    assert settings(q.endpoint) == want


def test_reset_of_a_home_that_left_keeps_the_group_stream(own):
    """When the home region leaves a global table, another member holds it, stream included: a
    reset of the old home's namespace no longer owns that stream and leaves it."""
    key = helpers.fresh_access_key()
    east, eu = (helpers.make_client(own, access_key=key, region=r) for r in (EAST, EU))
    helpers.create_table(east, "Glo", stream="NEW_IMAGE")
    east.update_table(TableName="Glo", ReplicaUpdates=[{"Create": {"RegionName": EU}}])
    east.delete_table(TableName="Glo")  # eu holds the table now
    eu.put_item(TableName="Glo", Item={"pk": S("kept")})
    arn = eu.describe_table(TableName="Glo")["Table"]["LatestStreamArn"]
    # the stream went with the table to eu's namespace (test_global_tables: the old home cannot read it)
    streams = helpers.make_streams_client(own, access_key=key, region=EU)
    before = helpers.read_all(streams, arn)
    assert [r["dynamodb"]["Keys"] for r in before] == [{"pk": S("kept")}]

    reset(own, {"namespace": f"{key}/{EAST}"})
    assert eu.list_tables()["TableNames"] == ["Glo"]
    assert scan_all(eu, TableName="Glo") == [{"pk": S("kept")}]
    assert helpers.read_all(streams, arn) == before


def test_load_on_a_stopped_data_dir_keeps_the_item_history(start_ddbd, tmp_path):
    """`ddbd load` into a table with point-in-time recovery on writes the items' history as any
    write does: a restore to a moment before the load has none of the loaded items."""
    import time
    data, lines = str(tmp_path / "data"), tmp_path / "Hist.items.jsonl"
    key = helpers.fresh_access_key()
    p = start_ddbd("--data-dir", data)
    c = helpers.make_client(p.endpoint, access_key=key)
    helpers.create_table(c, "Hist")
    c.put_item(TableName="Hist", Item={"pk": S("old"), "v": N(1)})
    c.update_continuous_backups(TableName="Hist", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    time.sleep(2)
    moment = int(time.time())  # whole seconds, as botocore sends them; after PITR began
    time.sleep(1.2)
    p.terminate()
    lines.write_text('{"pk": "new", "v": 2}\n{"pk": "old", "v": 3}\n')
    r = helpers.run_ddbd(["load", "--data-dir", data, "--namespace", f"{key}/{EAST}", str(lines)], timeout=60)
    assert r.returncode == 0, r.stderr
    q = start_ddbd("--data-dir", data)
    c = helpers.make_client(q.endpoint, access_key=key)
    assert sorted(scan_all(c, TableName="Hist"), key=lambda i: i["pk"]["S"]) == [
        {"pk": S("new"), "v": N(2)}, {"pk": S("old"), "v": N(3)}]
    c.restore_table_to_point_in_time(SourceTableName="Hist", TargetTableName="Before", RestoreDateTime=moment)
    wait_restored(c, "Before")
    assert scan_all(c, TableName="Before") == [{"pk": S("old"), "v": N(1)}]
