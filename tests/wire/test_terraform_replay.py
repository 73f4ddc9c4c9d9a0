"""Replays what Terraform's AWS provider (hashicorp/terraform-provider-aws, internal/service/dynamodb:
table.go's resourceTableCreate/Read/Delete, wait.go, status.go, and the tagging interceptor's
ListTagsOfResource) sends to create, read and destroy this resource, and checks each answer the way the
provider uses it:

    resource "aws_dynamodb_table" "t" {
      name         = "<name>"
      billing_mode = "PAY_PER_REQUEST"
      hash_key     = "pk"
      range_key    = "sk"
      attribute { name = "pk"     type = "S" }
      attribute { name = "sk"     type = "S" }
      attribute { name = "gsi_pk" type = "S" }
      global_secondary_index { name = "byGsi" hash_key = "gsi_pk" projection_type = "ALL" }
      ttl { attribute_name = "expires_at" enabled = true }
      point_in_time_recovery { enabled = true recovery_period_in_days = 14 }
      stream_enabled   = true
      stream_view_type = "NEW_AND_OLD_IMAGES"
      tags = { env = "test", owner = "ddbd" }
    }

The calls go through the newest AWS SDK for JavaScript (as the provider's SDK for Go v2 is generated from the
newest model), so members botocore (2023) does not know are seen. The stages run in order on one ddbd.
The provider's read of the table calls nothing another branch owns (resource policies, contributor insights
and Kinesis destinations are separate resources); its wait for WarmThroughput needs DescribeTable's
WarmThroughput, which the "described faithfully" branch adds."""
import time

import pytest

from helpers import unique_name
from node_sdk import node_call, node_calls

pytestmark = pytest.mark.ddbd_only  # a ddbd of its own (the module's)

NAME = unique_name("tf-replay")
TAGS = [{"Key": "env", "Value": "test"}, {"Key": "owner", "Value": "ddbd"}]


@pytest.fixture(scope="module")
def ep(clocked):
    return clocked


def poll(ep, operation, params, state, pending, target, timeout=60):
    """retry.StateChangeConf: refreshes until state(output) is in target; a state in neither list, or
    an error, fails as the provider's waiter would."""
    deadline = time.monotonic() + timeout
    while True:
        out = node_call(ep, operation, params)
        s = state(out)
        if s in target:
            return out
        assert s in pending, f"{operation}: unexpected state {s!r} (pending {pending}, target {target})"
        assert time.monotonic() < deadline, f"{operation}: still {s!r} after {timeout}s"
        time.sleep(0.2)


def describe(ep):
    return node_call(ep, "DescribeTable", {"TableName": NAME})["Table"]


def test_create(ep):
    out = node_call(ep, "CreateTable", {
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "TableName": NAME,
        "Tags": TAGS,
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in ("gsi_pk", "pk", "sk")],
        "GlobalSecondaryIndexes": [{"IndexName": "byGsi",
                                    "KeySchema": [{"AttributeName": "gsi_pk", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "ALL"}}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    })
    assert out["TableDescription"]["TableName"] == NAME  # "empty response" otherwise
    # waitTableActive: CREATING/UPDATING until ACTIVE, twice in a row
    for _ in range(2):
        poll(ep, "DescribeTable", {"TableName": NAME}, lambda o: o["Table"]["TableStatus"],
             ["CREATING", "UPDATING"], ["ACTIVE"])
    # waitGSIActive for each index
    poll(ep, "DescribeTable", {"TableName": NAME},
         lambda o: next(g["IndexStatus"] for g in o["Table"]["GlobalSecondaryIndexes"] if g["IndexName"] == "byGsi"),
         ["CREATING", "UPDATING"], ["ACTIVE"])
    # updateTimeToLive, then waitTTLUpdated
    node_call(ep, "UpdateTimeToLive", {"TableName": NAME, "TimeToLiveSpecification": {
        "AttributeName": "expires_at", "Enabled": True}})
    poll(ep, "DescribeTimeToLive", {"TableName": NAME}, lambda o: o["TimeToLiveDescription"]["TimeToLiveStatus"],
         ["DISABLED", "ENABLING"], ["ENABLED"])
    # updatePITR (RecoveryPeriodInDays only when set), then waitPITRUpdated
    node_call(ep, "UpdateContinuousBackups", {"TableName": NAME, "PointInTimeRecoverySpecification": {
        "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 14}})
    poll(ep, "DescribeContinuousBackups", {"TableName": NAME},
         lambda o: o["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
         ["ENABLING", "DISABLED"], ["ENABLED"])


def test_create_waits_for_warm_throughput(ep):
    # waitTableWarmThroughputActive: a table without WarmThroughput is "not found" to the waiter
    poll(ep, "DescribeTable", {"TableName": NAME},
         lambda o: (o["Table"].get("WarmThroughput") or {}).get("Status", "missing"),
         ["CREATING", "UPDATING"], ["ACTIVE"], timeout=5)


def test_read(ep):
    """resourceTableRead after the create, and on every refresh: each value the provider flattens."""
    (t, pitr, ttl, tags) = [r["ok"] for r in node_calls(ep, [
        ("DescribeTable", {"TableName": NAME}),
        ("DescribeContinuousBackups", {"TableName": NAME}),
        ("DescribeTimeToLive", {"TableName": NAME}),
        ("ListTagsOfResource", {"ResourceArn": describe(ep)["TableArn"]}),
    ])]
    t = t["Table"]
    assert t["TableArn"].endswith(f":table/{NAME}") and t["TableName"] == NAME
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert t["DeletionProtectionEnabled"] is False
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 0 == t["ProvisionedThroughput"]["WriteCapacityUnits"]
    assert sorted((a["AttributeName"], a["AttributeType"]) for a in t["AttributeDefinitions"]) == [
        ("gsi_pk", "S"), ("pk", "S"), ("sk", "S")]
    assert {k["KeyType"]: k["AttributeName"] for k in t["KeySchema"]} == {"HASH": "pk", "RANGE": "sk"}
    (g,) = t["GlobalSecondaryIndexes"]
    assert g["IndexName"] == "byGsi" and g["Projection"] == {"ProjectionType": "ALL"}
    assert g["KeySchema"] == [{"AttributeName": "gsi_pk", "KeyType": "HASH"}] and g["IndexStatus"] == "ACTIVE"
    assert t["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert t["LatestStreamArn"].startswith(t["TableArn"] + "/stream/") and t["LatestStreamLabel"]
    assert "Replicas" not in t or t["Replicas"] == []
    assert "TableClassSummary" not in t or t["TableClassSummary"]["TableClass"] == "STANDARD"
    d = pitr["ContinuousBackupsDescription"]
    assert d["ContinuousBackupsStatus"] == "ENABLED"
    assert d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert d["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 14
    assert ttl["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    assert sorted(tags["Tags"], key=lambda x: x["Key"]) == TAGS and "NextToken" not in tags


def test_refresh_is_stable(ep):
    """A plan after the apply reads again: nothing drifts."""
    a, b = describe(ep), describe(ep)
    for k in ("TableStatus", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "StreamSpecification",
              "LatestStreamArn", "BillingModeSummary", "ProvisionedThroughput"):
        assert a.get(k) == b.get(k), k


def test_destroy(ep):
    out = node_call(ep, "DeleteTable", {"TableName": NAME})
    assert out["TableDescription"]["TableStatus"] == "DELETING"
    # waitTableDeleted: ACTIVE/DELETING until DescribeTable says the table is not found
    deadline = time.monotonic() + 30
    while True:
        (r,) = node_calls(ep, [("DescribeTable", {"TableName": NAME})])
        if "error" in r:
            break
        assert r["ok"]["Table"]["TableStatus"] in ("ACTIVE", "DELETING")
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert r["error"] == "ResourceNotFoundException"
    assert r["message"].startswith("Requested resource not found: Table: ")  # what the provider matches on
    # a second destroy (the resource already gone) gets the same, which the provider treats as done
    (again,) = node_calls(ep, [("DeleteTable", {"TableName": NAME})])
    assert again["error"] == "ResourceNotFoundException"
    assert again["message"].startswith("Requested resource not found: Table: ")
    # as on AWS, a table deleted with PITR on leaves a system backup
    backups = node_call(ep, "ListBackups", {"TableName": NAME, "BackupType": "SYSTEM"})["BackupSummaries"]
    assert [b["BackupName"] for b in backups] == [f"{NAME}$DeletedTableBackup"]
