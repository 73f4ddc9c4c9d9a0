"""Global tables. Version 2019.11.21 through UpdateTable's ReplicaUpdates: a replica's region sees
the table and its data (ddbd links the replica's namespace to the one table, so a write in any
region is read in every region), each replica keeps its own TableId, ARN, tags and deletion
protection, and any member can leave. Version 2017.11.29 answers as AWS does today: nothing can be
created. Replica auto scaling is stored and described.

AWS's texts as the ack-api-quirks lab recorded them (2026-10). npm's SDK where Debian's botocore
lacks members (MultiRegionConsistency), boto3 elsewhere.
"""
import json

import pytest
from botocore.exceptions import ClientError

import helpers
import node_sdk

pytestmark = pytest.mark.ddbd_only

EAST, WEST, EU = "us-east-1", "us-west-2", "eu-west-1"


@pytest.fixture
def regions(endpoint):
    """Clients of one fresh access key in three regions (namespaces of their own)."""
    key = helpers.fresh_access_key()
    return {r: helpers.make_client(endpoint, access_key=key, region=r) for r in (EAST, WEST, EU)}


def sdk(endpoint, clients, region, op, params):
    key = clients[region]._request_signer._credentials.access_key
    return node_sdk.call(endpoint, op, params, region=region, access_key=key)


def sdk_error(endpoint, clients, region, op, params):
    key = clients[region]._request_signer._credentials.access_key
    return node_sdk.error_of(endpoint, op, params, region=region, access_key=key)


def add_replica(client, table, region):
    return client.update_table(TableName=table, ReplicaUpdates=[{"Create": {"RegionName": region}}])["TableDescription"]


def err(e):
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def test_replica_sees_the_table_and_its_data(regions):
    east, west = regions[EAST], regions[WEST]
    t = helpers.create_table(east, range=("sk", "S"))
    east.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "v": {"N": "1"}})
    answer = add_replica(east, t, WEST)
    assert answer["TableStatus"] == "UPDATING" and answer["GlobalTableVersion"] == "2019.11.21"
    assert [(r["RegionName"], r["ReplicaStatus"]) for r in answer["Replicas"]] == [(WEST, "CREATING")]
    # replication needs a stream: DynamoDB enables one
    assert answer["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}

    # the replica's region reads what the home wrote, and the other way round
    assert helpers.get(west, t, helpers.K("a", helpers.S("1")))["v"] == {"N": "1"}
    west.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"S": "2"}, "v": {"N": "2"}})
    west.update_item(TableName=t, Key=helpers.K("a", helpers.S("1")), UpdateExpression="SET v = v + :one",
                     ExpressionAttributeValues={":one": {"N": "10"}})
    assert helpers.get(east, t, helpers.K("a", helpers.S("1")))["v"] == {"N": "11"}
    assert [i["sk"]["S"] for i in east.query(TableName=t, KeyConditionExpression="pk = :p",
                                             ExpressionAttributeValues={":p": {"S": "a"}})["Items"]] == ["1", "2"]
    assert west.scan(TableName=t)["Count"] == 2
    got = west.batch_get_item(RequestItems={t: {"Keys": [helpers.K("a", helpers.S("1")), helpers.K("a", helpers.S("2"))]}})
    assert len(got["Responses"][t]) == 2
    west.transact_write_items(TransactItems=[{"Delete": {"TableName": t, "Key": helpers.K("a", helpers.S("2"))}}])
    assert helpers.get(east, t, helpers.K("a", helpers.S("2"))) is None
    assert t in west.list_tables()["TableNames"]

    de, dw = east.describe_table(TableName=t)["Table"], west.describe_table(TableName=t)["Table"]
    assert de["TableArn"].split(":")[3] == EAST and dw["TableArn"].split(":")[3] == WEST
    assert de["TableId"] != dw["TableId"]
    assert [r["RegionName"] for r in de["Replicas"]] == [WEST]  # never lists itself
    assert [r["RegionName"] for r in dw["Replicas"]] == [EAST]
    assert {r["ReplicaStatus"] for r in de["Replicas"] + dw["Replicas"]} == {"ACTIVE"}
    assert de["GlobalTableVersion"] == dw["GlobalTableVersion"] == "2019.11.21"
    assert de["ItemCount"] == dw["ItemCount"] == 1
    assert de["KeySchema"] == dw["KeySchema"]


def test_regional_and_group_settings(regions, endpoint):
    east, west = regions[EAST], regions[WEST]
    t = helpers.create_table(east)
    add_replica(east, t, WEST)
    de, dw = east.describe_table(TableName=t)["Table"], west.describe_table(TableName=t)["Table"]
    # tags and deletion protection are each replica's own
    west.tag_resource(ResourceArn=dw["TableArn"], Tags=[{"Key": "where", "Value": "west"}])
    east.tag_resource(ResourceArn=de["TableArn"], Tags=[{"Key": "where", "Value": "east"}])
    assert west.list_tags_of_resource(ResourceArn=dw["TableArn"])["Tags"] == [{"Key": "where", "Value": "west"}]
    assert east.list_tags_of_resource(ResourceArn=de["TableArn"])["Tags"] == [{"Key": "where", "Value": "east"}]
    sdk(endpoint, regions, WEST, "UpdateTable", {"TableName": t, "DeletionProtectionEnabled": True})
    assert sdk(endpoint, regions, WEST, "DescribeTable", {"TableName": t})["Table"]["DeletionProtectionEnabled"] is True
    assert sdk(endpoint, regions, EAST, "DescribeTable", {"TableName": t})["Table"]["DeletionProtectionEnabled"] is False
    with pytest.raises(ClientError) as e:
        west.delete_table(TableName=t)
    assert "protected against deletion" in err(e)[1]
    # TTL and indexes are the group's
    west.update_time_to_live(TableName=t, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert east.describe_time_to_live(TableName=t)["TimeToLiveDescription"]["AttributeName"] == "exp"
    west.update_table(TableName=t, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                      GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                               "Projection": {"ProjectionType": "ALL"}}}])
    helpers.wait_until(lambda: east.describe_table(TableName=t)["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE")
    east.put_item(TableName=t, Item={"pk": {"S": "x"}, "g": {"S": "G"}})
    assert west.query(TableName=t, IndexName="byG", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": "G"}})["Count"] == 1
    with pytest.raises(ClientError) as e:
        west.update_table(TableName=t, StreamSpecification={"StreamEnabled": False})
    assert err(e) == ("ValidationException",
                      "One or more parameter values were invalid: Disabling Stream is not allowed for a Global Table replica.")
    sdk(endpoint, regions, WEST, "UpdateTable", {"TableName": t, "DeletionProtectionEnabled": False})


def test_replica_reads_the_group_stream(regions, endpoint):
    east, west = regions[EAST], regions[WEST]
    t = helpers.create_table(east)
    add_replica(east, t, WEST)
    west.put_item(TableName=t, Item={"pk": {"S": "w"}})
    arn = west.describe_table(TableName=t)["Table"]["LatestStreamArn"]
    key = west._request_signer._credentials.access_key
    wstreams = helpers.make_streams_client(endpoint, access_key=key, region=WEST)
    records = helpers.read_all(wstreams, arn)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [("INSERT", "w")]
    assert arn in [s["StreamArn"] for s in wstreams.list_streams(TableName=t)["Streams"]]


@pytest.mark.parametrize("how", ["update_table", "delete_table"])
def test_group_stream_outlives_its_home(regions, endpoint, how):
    """The home region leaves (removed by another member, or by DeleteTable in its own region): the
    remaining members keep reading the group's stream, and the old home's namespace no longer can."""
    east, west = regions[EAST], regions[WEST]
    key = west._request_signer._credentials.access_key
    estreams, wstreams = (helpers.make_streams_client(endpoint, access_key=key, region=r) for r in (EAST, WEST))
    t = helpers.create_table(east)
    add_replica(east, t, WEST)
    east.put_item(TableName=t, Item={"pk": {"S": "e"}})
    arn = west.describe_table(TableName=t)["Table"]["LatestStreamArn"]
    if how == "update_table":
        west.update_table(TableName=t, ReplicaUpdates=[{"Delete": {"RegionName": EAST}}])
    else:
        east.delete_table(TableName=t)
    west.put_item(TableName=t, Item={"pk": {"S": "w"}})
    assert west.describe_table(TableName=t)["Table"]["LatestStreamArn"] == arn
    assert wstreams.describe_stream(StreamArn=arn)["StreamDescription"]["TableName"] == t
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in helpers.read_all(wstreams, arn)] == \
        [("INSERT", "e"), ("INSERT", "w")]
    assert arn in [s["StreamArn"] for s in wstreams.list_streams(TableName=t)["Streams"]]
    with pytest.raises(ClientError) as e:
        estreams.describe_stream(StreamArn=arn)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert arn not in [s["StreamArn"] for s in estreams.list_streams()["Streams"]]


def test_replica_update_errors(regions, endpoint):
    east, west, eu = regions[EAST], regions[WEST], regions[EU]
    t = helpers.create_table(east)
    add_replica(east, t, WEST)
    standalone = helpers.create_table(east)
    helpers.create_table(eu, name=standalone)  # a table of that name already in the target region
    cases = [
        (t, [{"Create": {"RegionName": WEST}}],
         f"Failed to create a the new replica of table with name: \u2018{t}\u2019 because one or more replicas already existed as tables."),
        (standalone, [{"Create": {"RegionName": EU}}],
         f"Failed to create a the new replica of table with name: \u2018{standalone}\u2019 because one or more replicas already existed as tables."),
        (t, [{"Create": {"RegionName": EAST}}],
         "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or UpdateTable as required."),
        (t, [{"Delete": {"RegionName": EAST}}],
         "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or UpdateTable as required."),
        (t, [{"Delete": {"RegionName": "ca-central-1"}}],
         "Update global table operation failed because one or more replicas were not part of the global table. "
         "Please retry the request without these replicas: [ca-central-1]."),
        (t, [{"Update": {"RegionName": "ca-central-1", "TableClassOverride": "STANDARD"}}],
         "Update global table operation failed because one or more replicas were not part of the global table. "
         "Please retry the request without these replicas: [ca-central-1]."),
        (t, [{"Create": {"RegionName": EU}}, {"Create": {"RegionName": "ap-south-1"}}],
         "Update table operation with more than one create or delete replica actions not allowed"),
        (t, [{"Create": {"RegionName": EU}, "Delete": {"RegionName": WEST}}],
         "Update table operation with more than one type of replica actions not allowed."),
        (t, [{"Update": {"RegionName": WEST}}], "There are no actions specified in the Replica Update Action of the request."),
        (t, [{"Create": {"RegionName": "EU-WEST-1"}}],
         "Region EU-WEST-1 is not supported. The latest version of global tables are only supported in the following "
         "regions: [af-south-1, ap-east-1, ap-east-2, ap-northeast-1, ap-northeast-2, ap-northeast-3, ap-south-1, "
         "ap-south-2, ap-southeast-1, ap-southeast-2, ap-southeast-3, ap-southeast-4, ap-southeast-5, ap-southeast-6, "
         "ap-southeast-7, ca-central-1, ca-west-1, eu-central-1, eu-central-2, eu-north-1, eu-south-1, eu-south-2, "
         "eu-west-1, eu-west-2, eu-west-3, il-central-1, me-central-1, me-south-1, me-west-1, mx-central-1, sa-east-1, "
         "sa-west-1, us-east-1, us-east-2, us-west-1, us-west-2]"),
        (t, [{"Update": {"RegionName": WEST, "ProvisionedThroughputOverride": {"ReadCapacityUnits": 5}}}],
         "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"),
    ]
    for table, updates, message in cases:
        with pytest.raises(ClientError) as e:
            east.update_table(TableName=table, ReplicaUpdates=updates)
        assert err(e) == ("ValidationException", message), updates
    with pytest.raises(ClientError) as e:
        east.update_table(TableName=t, ReplicaUpdates=[{"Create": {"RegionName": EU}}], TableClass="STANDARD")
    assert err(e) == ("ValidationException",
                      "One or more parameter values were invalid: Replica modification must be the only operation in the request")
    # the same action twice counts once; an Update sets an override the others describe
    east.update_table(TableName=t, ReplicaUpdates=[{"Create": {"RegionName": EU}}, {"Create": {"RegionName": EU}}])
    east.update_table(TableName=t, ReplicaUpdates=[{"Update": {"RegionName": EU, "TableClassOverride": "STANDARD_INFREQUENT_ACCESS"}}])
    eu_entry = [r for r in west.describe_table(TableName=t)["Table"]["Replicas"] if r["RegionName"] == EU][0]
    assert eu_entry["ReplicaTableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    assert eu.describe_table(TableName=t)["Table"]["TableName"] == t


def test_members_leave_in_any_order(regions):
    east, west, eu = regions[EAST], regions[WEST], regions[EU]
    t = helpers.create_table(east)
    east.put_item(TableName=t, Item={"pk": {"S": "k"}, "v": {"S": "east"}})
    add_replica(east, t, WEST)
    add_replica(west, t, EU)  # a Create may be issued from any member
    west_arn = west.describe_table(TableName=t)["Table"]["TableArn"]
    west.tag_resource(ResourceArn=west_arn, Tags=[{"Key": "k", "Value": "w"}])
    # the home leaves, deleted from another member: the table lives on
    answer = west.update_table(TableName=t, ReplicaUpdates=[{"Delete": {"RegionName": EAST}}])["TableDescription"]
    assert {(r["RegionName"], r["ReplicaStatus"]) for r in answer["Replicas"]} == {(EU, "ACTIVE"), (EAST, "DELETING")}
    assert t not in east.list_tables()["TableNames"]
    assert helpers.get(eu, t, {"pk": {"S": "k"}})["v"] == {"S": "east"}
    assert [r["RegionName"] for r in eu.describe_table(TableName=t)["Table"]["Replicas"]] == [WEST]
    assert west.list_tags_of_resource(ResourceArn=west_arn)["Tags"] == [{"Key": "k", "Value": "w"}]
    # the east namespace can make a table of that name again, its own
    helpers.create_table(east, name=t)
    assert east.scan(TableName=t)["Count"] == 0 and west.scan(TableName=t)["Count"] == 1
    # DeleteTable in a member's region removes that replica only
    eu.delete_table(TableName=t)
    assert t not in eu.list_tables()["TableNames"]
    alone = west.describe_table(TableName=t)["Table"]
    assert "Replicas" not in alone and "GlobalTableVersion" not in alone and alone["ItemCount"] == 1
    west.delete_table(TableName=t)
    assert t not in west.list_tables()["TableNames"]
    east.delete_table(TableName=t)


def test_home_deleted_by_delete_table(regions):
    east, west, eu = regions[EAST], regions[WEST], regions[EU]
    t = helpers.create_table(east)
    east.update_time_to_live(TableName=t, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    add_replica(east, t, WEST)
    add_replica(east, t, EU)
    east.put_item(TableName=t, Item={"pk": {"S": "k"}})
    deleted = east.delete_table(TableName=t)["TableDescription"]
    assert deleted["TableStatus"] == "DELETING"
    for c in (west, eu):
        d = c.describe_table(TableName=t)["Table"]
        assert d["ItemCount"] == 1 and len(d["Replicas"]) == 1
        assert c.describe_time_to_live(TableName=t)["TimeToLiveDescription"]["TimeToLiveStatus"] in ("ENABLED", "ENABLING")
    west.put_item(TableName=t, Item={"pk": {"S": "k2"}})
    assert eu.scan(TableName=t)["Count"] == 2


def test_strong_consistency(regions, endpoint):
    east, west = regions[EAST], regions[WEST]
    t = helpers.create_table(east)
    call = lambda op, p, r=EAST: sdk(endpoint, regions, r, op, p)
    fail = lambda op, p, r=EAST: sdk_error(endpoint, regions, r, op, p)
    inv = "One or more parameter values were invalid: "
    assert fail("UpdateTable", {"TableName": t, "MultiRegionConsistency": "STRONG",
                                "ReplicaUpdates": [{"Create": {"RegionName": WEST}}]}) == (
        "ValidationException", inv + "Unsupported replica count for global tables with MultiRegionConsistency set to STRONG.")
    assert fail("UpdateTable", {"TableName": t, "ReplicaUpdates": [{"Create": {"RegionName": WEST}}],
                                "GlobalTableWitnessUpdates": [{"Create": {"RegionName": "us-east-2"}}]}) == (
        "ValidationException", inv + "MultiRegionConsistency must be set as STRONG when GlobalTableWitnessUpdates parameter is present.")
    answer = call("UpdateTable", {"TableName": t, "MultiRegionConsistency": "STRONG",
                                  "ReplicaUpdates": [{"Create": {"RegionName": WEST}}],
                                  "GlobalTableWitnessUpdates": [{"Create": {"RegionName": "us-east-2"}}]})["TableDescription"]
    assert answer["MultiRegionConsistency"] == "STRONG"
    d = call("DescribeTable", {"TableName": t}, WEST)["Table"]
    assert d["MultiRegionConsistency"] == "STRONG"
    assert d["GlobalTableWitnesses"] == [{"RegionName": "us-east-2", "WitnessStatus": "ACTIVE"}]
    assert fail("UpdateTable", {"TableName": t, "ReplicaUpdates": [{"Create": {"RegionName": EU}}]}) == (
        "ValidationException", inv + "Cannot add replicas to a global table with strong MultiRegionConsistency")
    assert fail("UpdateTable", {"TableName": t, "ReplicaUpdates": [{"Delete": {"RegionName": WEST}}]}) == (
        "ValidationException", inv + "Update table delete operation does not include all witnesses.")
    assert fail("DeleteTable", {"TableName": t}, WEST) == (
        "ValidationException",
        "Deletion of only one table replica is not supported for global tables with MultiRegionConsistency set to STRONG.")
    # teardown: every replica and the witness in one call
    call("UpdateTable", {"TableName": t, "ReplicaUpdates": [{"Delete": {"RegionName": WEST}}],
                         "GlobalTableWitnessUpdates": [{"Delete": {"RegionName": "us-east-2"}}]})
    d = east.describe_table(TableName=t)["Table"]
    assert "MultiRegionConsistency" not in d and "Replicas" not in d
    assert t not in west.list_tables()["TableNames"]


def test_legacy_version_is_refused_as_on_aws(ddb, hash_table):
    refused = ("One or more parameter values were invalid: DynamoDB global tables version 2017.11.29 is not supported. "
               "We recommend using DynamoDB global tables version 2019.11.21, instead of version 2017.11.29 (Legacy).")
    with pytest.raises(ClientError) as e:
        ddb.create_global_table(GlobalTableName=hash_table, ReplicationGroup=[{"RegionName": EAST}, {"RegionName": WEST}])
    assert err(e) == ("ValidationException", refused)
    with pytest.raises(ClientError) as e:
        ddb.update_global_table(GlobalTableName=hash_table, ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    assert err(e) == ("ValidationException", refused)
    with pytest.raises(ClientError) as e:
        ddb.describe_global_table(GlobalTableName=hash_table)
    assert err(e) == ("GlobalTableNotFoundException",
                      f"Global table not found: Global table with name: '{hash_table}' does not exist.")
    for call in (lambda: ddb.describe_global_table_settings(GlobalTableName=hash_table),
                 lambda: ddb.update_global_table_settings(GlobalTableName=hash_table, GlobalTableBillingMode="PAY_PER_REQUEST"),
                 lambda: ddb.update_global_table(GlobalTableName=hash_table, ReplicaUpdates=[{"Delete": {"RegionName": WEST}}])):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e) == ("GlobalTableNotFoundException", f"Global table with name: '{hash_table}' does not exist.")
    assert ddb.list_global_tables()["GlobalTables"] == []
    assert ddb.list_global_tables(RegionName=EAST, Limit=1)["GlobalTables"] == []


def test_replica_auto_scaling(regions):
    east, west = regions[EAST], regions[WEST]
    regional = helpers.create_table(east, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    for call in (lambda: east.describe_table_replica_auto_scaling(TableName=regional),
                 lambda: east.update_table_replica_auto_scaling(TableName=regional, ProvisionedWriteCapacityAutoScalingUpdate={"AutoScalingDisabled": True})):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e) == ("ResourceNotFoundException", f"Global table with name: '{regional}' does not exist.")
    add_replica(east, regional, WEST)
    never = {"AutoScalingDisabled": True, "ScalingPolicies": []}
    d = west.describe_table_replica_auto_scaling(TableName=regional)["TableAutoScalingDescription"]
    assert [r["RegionName"] for r in d["Replicas"]] == [EAST, WEST]  # every replica, by region
    assert d["Replicas"][0]["ReplicaProvisionedReadCapacityAutoScalingSettings"] == never
    update = {"MinimumUnits": 1, "MaximumUnits": 10,
              "ScalingPolicyUpdate": {"TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70}}}
    d = east.update_table_replica_auto_scaling(
        TableName=regional, ProvisionedWriteCapacityAutoScalingUpdate=update,
        ReplicaUpdates=[{"RegionName": WEST, "ReplicaProvisionedReadCapacityAutoScalingUpdate": update}])["TableAutoScalingDescription"]
    w = [r for r in d["Replicas"] if r["RegionName"] == WEST][0]
    read = w["ReplicaProvisionedReadCapacityAutoScalingSettings"]
    assert read["MinimumUnits"] == 1 and read["MaximumUnits"] == 10 and "AutoScalingDisabled" not in read
    assert read["ScalingPolicies"] == [{"PolicyName": f"DynamoDBReadCapacityUtilization:table/{regional}",
                                        "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70.0}}]
    assert w["ReplicaProvisionedWriteCapacityAutoScalingSettings"]["ScalingPolicies"][0]["PolicyName"] == \
        f"DynamoDBWriteCapacityUtilization:table/{regional}"
    e_ = [r for r in d["Replicas"] if r["RegionName"] == EAST][0]
    assert e_["ReplicaProvisionedReadCapacityAutoScalingSettings"] == never  # read settings are per replica
    name = f"\u2018{regional}\u2019"
    cases = [
        ({"ProvisionedWriteCapacityAutoScalingUpdate": {"MinimumUnits": 1, "MaximumUnits": 10}},
         f"Failed to update settings for global table with name: {name}: Parameters 'ScalingPolicyUpdate' are required unless auto scaling is being disabled."),
        ({"ProvisionedWriteCapacityAutoScalingUpdate": {"AutoScalingDisabled": False}},
         f"Failed to update settings for global table with name: {name}: Parameters 'MaximumUnits', 'ScalingPolicyUpdate', 'MinimumUnits' are required unless auto scaling is being disabled."),
        ({"ProvisionedWriteCapacityAutoScalingUpdate": {"AutoScalingDisabled": True, "MinimumUnits": 1, "MaximumUnits": 2}},
         f"Failed to update settings for global table with name {name}: Parameters 'MaximumUnits', 'MinimumUnits' must be left blank when disabling auto scaling."),
        ({"ReplicaUpdates": [{"RegionName": WEST}]},
         f"Failed to update settings for global table with name: {name} because at least one update parameter must be specified for region: \u2018{WEST}\u2019."),
        ({"ProvisionedWriteCapacityAutoScalingUpdate": dict(update, ScalingPolicyUpdate={"TargetTrackingScalingPolicyConfiguration": {"TargetValue": 95}})},
         "For predefined metric type DynamoDBWriteCapacityUtilization, target value must be between '10.0' and '90.0', but was '95.0'."),
    ]
    for extra, message in cases:
        with pytest.raises(ClientError) as e:
            east.update_table_replica_auto_scaling(TableName=regional, **extra)
        assert err(e)[0] == "ValidationException" and err(e)[1].startswith(message), extra
    d = east.update_table_replica_auto_scaling(TableName=regional, ProvisionedWriteCapacityAutoScalingUpdate={"AutoScalingDisabled": True})
    assert d["TableAutoScalingDescription"]["Replicas"][0]["ReplicaProvisionedWriteCapacityAutoScalingSettings"] == never
    # an on-demand group: only disabling
    ppr = helpers.create_table(east)
    add_replica(east, ppr, WEST)
    with pytest.raises(ClientError) as e:
        east.update_table_replica_auto_scaling(TableName=ppr, ProvisionedWriteCapacityAutoScalingUpdate=update)
    assert err(e) == ("ValidationException",
                      f"Failed to update global table with name \u2018{ppr}\u2018. Replicas '{EAST}', '{WEST}' BillingMode is "
                      "PayPerRequest. You must convert table's BillingMode to PROVISIONED to set parameters: "
                      "'ProvisionedWriteCapacityAutoScalingUpdate'.")


def test_replicas_survive_a_restart(start_ddbd, tmp_path):
    data = tmp_path / "data"
    p = start_ddbd(helpers.DATA_DIR_FLAG, str(data))
    east = helpers.make_client(p.endpoint, region=EAST)
    west = helpers.make_client(p.endpoint, region=WEST)
    t = helpers.create_table(east)
    add_replica(east, t, WEST)
    west.put_item(TableName=t, Item={"pk": {"S": "durable"}})
    p.terminate()
    p = start_ddbd(helpers.DATA_DIR_FLAG, str(data))
    east = helpers.make_client(p.endpoint, region=EAST)
    west = helpers.make_client(p.endpoint, region=WEST)
    assert helpers.get(east, t, {"pk": {"S": "durable"}}) is not None
    assert [r["RegionName"] for r in west.describe_table(TableName=t)["Table"]["Replicas"]] == [EAST]


def test_shared_db_records_the_group(start_ddbd):
    p = start_ddbd("--in-memory", "--shared-db")
    east = helpers.make_client(p.endpoint, region=EAST)
    west = helpers.make_client(p.endpoint, region=WEST)
    t = helpers.create_table(east)
    add_replica(east, t, WEST)
    west.put_item(TableName=t, Item={"pk": {"S": "one"}})
    assert [r["RegionName"] for r in east.describe_table(TableName=t)["Table"]["Replicas"]] == [WEST]
    assert [r["RegionName"] for r in west.describe_table(TableName=t)["Table"]["Replicas"]] == [EAST]
    assert east.scan(TableName=t)["Count"] == 1
    east.update_table(TableName=t, ReplicaUpdates=[{"Delete": {"RegionName": WEST}}])
    assert "Replicas" not in west.describe_table(TableName=t)["Table"]
