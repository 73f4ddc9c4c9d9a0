"""CreateTable/UpdateTable settings that are about the cloud, echoed by DescribeTable as AWS does:
SSESpecification (SSEDescription), OnDemandThroughput, WarmThroughput, GlobalTableSettingsReplicationMode,
DisassociationProtectionEnabled; and DescribeStream's ShardFilter. Through npm's SDK where Debian's
botocore lacks the members.

AWS's behaviour and texts as the ack-api-quirks lab recorded them (2026-10): warm throughput always
shown and never decreasing, OnDemandThroughput merged member by member with -1 clearing one, SSE changes
UPDATING in the answer with the key before, the "must be the only operation" rules.
"""
import pytest

import helpers
import node_sdk

pytestmark = pytest.mark.ddbd_only

INVALID = "One or more parameter values were invalid: "
KEYS = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}


@pytest.fixture
def new_name(ddb):
    names = []

    def make():
        names.append(helpers.unique_name())
        return names[-1]

    yield make
    for n in names:
        helpers.drop_table(ddb, n)


def describe(endpoint, t):
    return node_sdk.call(endpoint, "DescribeTable", {"TableName": t})["Table"]


def test_defaults_of_a_new_table(endpoint, new_name):
    ppr, prov = new_name(), new_name()
    r = node_sdk.calls(endpoint, [
        ("CreateTable", {"TableName": ppr, "BillingMode": "PAY_PER_REQUEST", **KEYS}),
        ("CreateTable", {"TableName": prov, "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 2}, **KEYS}),
        ("DescribeTable", {"TableName": ppr}),
        ("DescribeTable", {"TableName": prov}),
    ])
    created = r[0][1]["TableDescription"]
    assert "WarmThroughput" not in created  # CreateTable's answer has it only when asked for
    d_ppr, d_prov = r[2][1]["Table"], r[3][1]["Table"]
    assert d_ppr["WarmThroughput"] == {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    assert d_prov["WarmThroughput"] == {"ReadUnitsPerSecond": 3, "WriteUnitsPerSecond": 2, "Status": "ACTIVE"}
    for d in (d_ppr, d_prov):  # the AWS owned key is not described; no limits set, none shown
        assert "SSEDescription" not in d and "OnDemandThroughput" not in d
        assert "GlobalTableVersion" not in d and "Replicas" not in d and "GlobalTableSettingsReplicationMode" not in d


def test_create_with_settings(endpoint, new_name):
    t = new_name()
    r = node_sdk.calls(endpoint, [
        ("CreateTable", {"TableName": t, "BillingMode": "PAY_PER_REQUEST", **KEYS,
                         "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": "arn:aws:kms:us-east-1:000000000000:key/abc"},
                         "OnDemandThroughput": {"MaxReadRequestUnits": 100},
                         "WarmThroughput": {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000}}),
        ("DescribeTable", {"TableName": t}),
    ])
    assert r[0][1]["TableDescription"]["WarmThroughput"]["ReadUnitsPerSecond"] == 15000
    d = r[1][1]["Table"]
    assert d["SSEDescription"] == {"Status": "ENABLED", "SSEType": "KMS",
                                   "KMSMasterKeyArn": "arn:aws:kms:us-east-1:000000000000:key/abc"}
    assert d["OnDemandThroughput"] == {"MaxReadRequestUnits": 100}
    assert d["WarmThroughput"] == {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000, "Status": "ACTIVE"}


def test_create_refusals(endpoint, new_name, ddb):
    cases = [
        ({"BillingMode": "PAY_PER_REQUEST", "SSESpecification": {"Enabled": False, "SSEType": "KMS"}},
         INVALID + "SSEType can not be specified if Enabled is false"),
        ({"BillingMode": "PAY_PER_REQUEST", "SSESpecification": {"Enabled": False, "KMSMasterKeyId": "k"}},
         INVALID + "KMSMasterKeyId can not be specified if Enabled is false"),
        ({"BillingMode": "PAY_PER_REQUEST", "SSESpecification": {"SSEType": "AES256"}}, INVALID + "SSEType AES256 is not supported"),
        ({"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}, "OnDemandThroughput": {"MaxReadRequestUnits": 5}},
         INVALID + "MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED"),
        ({"BillingMode": "PAY_PER_REQUEST", "OnDemandThroughput": {"MaxWriteRequestUnits": -1}},
         INVALID + "Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range"),
        ({"ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 1}, "WarmThroughput": {"ReadUnitsPerSecond": 5}},
         INVALID + "Requested ReadUnitsPerSecond for WarmThroughput for table is lower than ReadCapacityUnits of ProvisionedThroughput"),
    ]
    names = [new_name() for _ in cases]
    r = node_sdk.calls(endpoint, [("CreateTable", {"TableName": n, **KEYS, **extra}) for n, (extra, _) in zip(names, cases)])
    for (extra, message), got in zip(cases, r):
        assert got == ("error", "ValidationException", message), extra
    low = node_sdk.error_of(endpoint, "CreateTable", {"TableName": new_name(), **KEYS, "BillingMode": "PAY_PER_REQUEST",
                                                      "WarmThroughput": {"WriteUnitsPerSecond": 10}})
    assert low[0] == "ValidationException" and low[1].startswith(
        INVALID + "Requested WriteUnitsPerSecond for WarmThroughput for table is lower than initial throughput for OnDemand.")
    assert not set(names) & set(ddb.list_tables()["TableNames"])


def test_sse_updates(endpoint, hash_table):
    t = hash_table
    key2 = "arn:aws:kms:us-east-1:000000000000:key/second"
    r = node_sdk.calls(endpoint, [
        ("UpdateTable", {"TableName": t, "SSESpecification": {"Enabled": False}}),
        ("UpdateTable", {"TableName": t, "SSESpecification": {"Enabled": True}}),
        ("DescribeTable", {"TableName": t}),
        ("UpdateTable", {"TableName": t, "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key2}}),
        ("UpdateTable", {"TableName": t, "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key2}}),
        ("UpdateTable", {"TableName": t, "SSESpecification": {"Enabled": True}, "DeletionProtectionEnabled": True}),
        ("UpdateTable", {"TableName": t, "SSESpecification": {"Enabled": False}}),
        ("DescribeTable", {"TableName": t}),
    ])
    assert r[0] == ("error", "ValidationException", INVALID + "Table is already encrypted by default")
    enabling = r[1][1]["TableDescription"]
    assert enabling["TableStatus"] == "ACTIVE" and enabling["SSEDescription"] == {"Status": "UPDATING"}
    managed = r[2][1]["Table"]["SSEDescription"]
    assert managed["Status"] == "ENABLED" and managed["SSEType"] == "KMS"
    assert managed["KMSMasterKeyArn"].startswith(f"arn:aws:kms:us-east-1:{helpers.account_of()}:key/")
    # the answer shows the key being replaced
    assert r[3][1]["TableDescription"]["SSEDescription"] == {"Status": "UPDATING", "SSEType": "KMS",
                                                              "KMSMasterKeyArn": managed["KMSMasterKeyArn"]}
    assert r[4] == ("error", "ValidationException", INVALID + "Table is already encrypted with given KMSMasterKeyId. Use "
                    "KMSMasterKeyId parameter if you want to change Master Key")
    assert r[5] == ("error", "ValidationException",
                    INVALID + "Server-Side Encryption modification must be the only operation in the request")
    assert r[6][1]["TableDescription"]["SSEDescription"] == {"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": key2}
    assert "SSEDescription" not in r[7][1]["Table"]
    # the same alias always names the same key
    assert describe(endpoint, t).get("SSEDescription") is None


def test_on_demand_throughput_updates(endpoint, hash_table, make_table):
    t = hash_table
    r = node_sdk.calls(endpoint, [
        ("UpdateTable", {"TableName": t, "OnDemandThroughput": {"MaxReadRequestUnits": 1000, "MaxWriteRequestUnits": 500}}),
        ("UpdateTable", {"TableName": t, "OnDemandThroughput": {"MaxReadRequestUnits": -1}}),
        ("DescribeTable", {"TableName": t}),
        ("UpdateTable", {"TableName": t, "OnDemandThroughput": {"MaxWriteRequestUnits": -1}}),
        ("DescribeTable", {"TableName": t}),
        ("UpdateTable", {"TableName": t, "OnDemandThroughput": {"MaxReadRequestUnits": 0}}),
        ("UpdateTable", {"TableName": t, "OnDemandThroughput": {"MaxReadRequestUnits": 5}, "DeletionProtectionEnabled": False}),
    ])
    first = r[0][1]["TableDescription"]
    assert first["TableStatus"] == "ACTIVE" and first["OnDemandThroughput"] == {"MaxReadRequestUnits": 1000, "MaxWriteRequestUnits": 500}
    assert r[1][1]["TableDescription"]["OnDemandThroughput"] == {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": 500}
    assert r[2][1]["Table"]["OnDemandThroughput"] == {"MaxWriteRequestUnits": 500}
    assert r[3][1]["TableDescription"]["OnDemandThroughput"] == {"MaxWriteRequestUnits": -1}
    assert "OnDemandThroughput" not in r[4][1]["Table"]
    assert r[5] == ("error", "ValidationException",
                    INVALID + "Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range")
    assert r[6] == ("error", "ValidationException",
                    INVALID + "OnDemandThroughput can only be combined with BillingMode in an UpdateTable request")
    prov = make_table(ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    assert node_sdk.error_of(endpoint, "UpdateTable", {"TableName": prov, "OnDemandThroughput": {"MaxWriteRequestUnits": 5}}) == (
        "ValidationException",
        INVALID + "MaxWriteRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED")
    # switching to on-demand may set the limits in the same call
    d = node_sdk.call(endpoint, "UpdateTable", {"TableName": prov, "BillingMode": "PAY_PER_REQUEST",
                                                "OnDemandThroughput": {"MaxWriteRequestUnits": 5}})["TableDescription"]
    assert d["OnDemandThroughput"] == {"MaxWriteRequestUnits": 5}


def test_warm_throughput_only_grows(endpoint, make_table):
    t = make_table(ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2})
    r = node_sdk.calls(endpoint, [
        ("UpdateTable", {"TableName": t, "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 3}}),
        ("UpdateTable", {"TableName": t, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
        ("DescribeTable", {"TableName": t}),
        ("UpdateTable", {"TableName": t, "WarmThroughput": {"ReadUnitsPerSecond": 4}}),
        ("UpdateTable", {"TableName": t, "WarmThroughput": {"ReadUnitsPerSecond": 9}}),
        ("DescribeTable", {"TableName": t}),
        ("UpdateTable", {"TableName": t, "WarmThroughput": {"WriteUnitsPerSecond": 9}, "TableClass": "STANDARD"}),
        ("UpdateTable", {"TableName": t, "BillingMode": "PAY_PER_REQUEST"}),
        ("DescribeTable", {"TableName": t}),
    ])
    # the highest capacity ever provisioned
    assert r[2][1]["Table"]["WarmThroughput"] == {"ReadUnitsPerSecond": 5, "WriteUnitsPerSecond": 3, "Status": "ACTIVE"}
    assert r[3] == ("error", "ValidationException",
                    INVALID + "Requested ReadUnitsPerSecond for WarmThroughput for table is lower than current "
                    "WarmThroughput, decreasing WarmThroughput is not supported")
    raised = r[4][1]["TableDescription"]
    assert raised["TableStatus"] == "ACTIVE"
    assert raised["WarmThroughput"] == {"ReadUnitsPerSecond": 9, "WriteUnitsPerSecond": 3, "Status": "UPDATING"}
    assert r[5][1]["Table"]["WarmThroughput"]["Status"] == "ACTIVE"
    assert r[6] == ("error", "ValidationException", INVALID + "WarmThroughput must be the only operation in the request")
    # on-demand: at least DynamoDB's initial 12000/4000
    assert r[8][1]["Table"]["WarmThroughput"] == {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}


def test_other_members(endpoint, hash_table):
    t = hash_table
    r = node_sdk.calls(endpoint, [
        ("UpdateTable", {"TableName": t}),
        ("UpdateTable", {"TableName": t, "MultiRegionConsistency": "EVENTUAL"}),
        ("UpdateTable", {"TableName": t, "GlobalTableSettingsReplicationMode": "ENABLED_WITH_OVERRIDES"}),
        ("UpdateTable", {"TableName": t, "GlobalTableSettingsReplicationMode": "DISABLED"}),
        ("UpdateTable", {"TableName": t, "DisassociationProtectionEnabled": True}),
        ("DescribeTable", {"TableName": t}),
    ])
    every = ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, "
             "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, {}"
             "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required")
    assert r[0] == ("error", "ValidationException", every.format("MultiRegionConsistency, "))
    assert r[1] == ("error", "ValidationException", every.format(""))
    assert r[2] == ("error", "ValidationException",
                    "Value 'ENABLED_WITH_OVERRIDES' at 'GlobalTableSettingsReplicationMode' failed to satisfy constraint: "
                    "Only ENABLED and DISABLED settings replication are supported for a Regional Table.")
    d = r[5][1]["Table"]
    assert d["GlobalTableSettingsReplicationMode"] == "DISABLED"
    assert d["DisassociationProtectionEnabled"] is True


def test_sse_with_boto3(ddb, make_table):
    """boto3 knows SSESpecification: the same answers through Debian's botocore."""
    t = make_table(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/my-key"})
    sse = ddb.describe_table(TableName=t)["Table"]["SSEDescription"]
    assert sse["Status"] == "ENABLED" and sse["SSEType"] == "KMS"
    again = make_table(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/my-key"})
    assert ddb.describe_table(TableName=again)["Table"]["SSEDescription"]["KMSMasterKeyArn"] == sse["KMSMasterKeyArn"]


def test_shard_filter_child_shards(start_ddbd):
    p = start_ddbd("--in-memory", "--clock", "frozen:2030-01-01T00:00:00Z")
    ddb = helpers.make_client(p.endpoint)
    t = helpers.create_table(ddb, stream="KEYS_ONLY")
    ddb.put_item(TableName=t, Item={"pk": {"S": "a"}})
    helpers.advance_clock(p.endpoint, 5 * 3600)  # shards roll over every 4 hours
    ddb.put_item(TableName=t, Item={"pk": {"S": "b"}})
    arn = helpers.latest_stream_arn(ddb, t)
    shards = node_sdk.call(p.endpoint, "DescribeStream", {"StreamArn": arn}, service="streams")["StreamDescription"]["Shards"]
    assert len(shards) == 2 and shards[1]["ParentShardId"] == shards[0]["ShardId"]
    r = node_sdk.calls(p.endpoint, [
        ("DescribeStream", {"StreamArn": arn, "ShardFilter": {"Type": "CHILD_SHARDS", "ShardId": shards[0]["ShardId"]}}, "streams"),
        ("DescribeStream", {"StreamArn": arn, "ShardFilter": {"Type": "CHILD_SHARDS", "ShardId": shards[1]["ShardId"]}}, "streams"),
        ("DescribeStream", {"StreamArn": arn, "ShardFilter": {"Type": "PARENT_SHARDS", "ShardId": shards[1]["ShardId"]}}, "streams"),
    ])
    assert [s["ShardId"] for s in r[0][1]["StreamDescription"]["Shards"]] == [shards[1]["ShardId"]]
    assert r[1][1]["StreamDescription"]["Shards"] == []
    assert r[2][:2] == ("error", "ValidationException") and "[CHILD_SHARDS]" in r[2][2]


def test_index_settings(endpoint, make_table):
    t = make_table(extra_attrs={"g": "S"}, GlobalSecondaryIndexes=[{
        "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}])
    upd = lambda u: ("UpdateTable", {"TableName": t, "GlobalSecondaryIndexUpdates": [{"Update": dict(IndexName="byG", **u)}]})
    r = node_sdk.calls(endpoint, [
        ("DescribeTable", {"TableName": t}),
        upd({"OnDemandThroughput": {"MaxReadRequestUnits": 40, "MaxWriteRequestUnits": 20}}),
        upd({"WarmThroughput": {"ReadUnitsPerSecond": 20000}}),
        upd({"OnDemandThroughput": {"MaxWriteRequestUnits": -1}}),
        ("DescribeTable", {"TableName": t}),
        upd({"WarmThroughput": {"ReadUnitsPerSecond": 15000}}),
        upd({"OnDemandThroughput": {"MaxReadRequestUnits": 0}}),
        upd({"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}, "WarmThroughput": {"ReadUnitsPerSecond": 30000}}),
    ])
    before = r[0][1]["Table"]["GlobalSecondaryIndexes"][0]
    assert before["WarmThroughput"] == {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    assert "OnDemandThroughput" not in before
    assert all(x[0] == "ok" for x in r[1:4]), r[1:4]
    after = r[4][1]["Table"]["GlobalSecondaryIndexes"][0]
    assert after["OnDemandThroughput"] == {"MaxReadRequestUnits": 40}
    assert after["WarmThroughput"] == {"ReadUnitsPerSecond": 20000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    assert r[5] == ("error", "ValidationException",
                    INVALID + "Requested ReadUnitsPerSecond for WarmThroughput for index byG is lower than current "
                    "WarmThroughput, decreasing WarmThroughput is not supported")
    assert r[6] == ("error", "ValidationException",
                    INVALID + "Requested MaxReadRequestUnits for OnDemandThroughput for index : byG is outside of valid range")
    assert r[7] == ("error", "ValidationException",
                    INVALID + "The only Updates for index: byG when TableThroughputMode is PAY_PER_REQUEST can be to "
                    "OnDemandThroughput, WarmThroughput")
