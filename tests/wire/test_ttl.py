"""Time to Live: the setting (UpdateTimeToLive / DescribeTimeToLive) and real expiry.

Expiry tests run against a ddbd of this module's own (the `clocked` fixture) whose clock they move
(POST /_ddbd/clock) and sweep (POST /_ddbd/ttl/sweep); the shared server's clock stays real.
"""
import pytest

import helpers


def now_s(endpoint):
    return helpers.clock(endpoint)["now_ms"] // 1000


def ttl_table(endpoint, attr="exp", stream=True, enable=True):
    ddb = helpers.make_client(endpoint)
    name = helpers.create_table(ddb, stream="NEW_AND_OLD_IMAGES" if stream else None)
    if enable:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attr})
    return ddb, name


def keys(ddb, name):
    return sorted(i["pk"]["S"] for i in ddb.scan(TableName=name, ConsistentRead=True)["Items"])


def raw_stream_records(endpoint, arn):
    """GetRecords over the raw wire, to see the exact member names."""
    def call(op, body):
        return helpers.raw_call(endpoint, "DynamoDBStreams_20120810." + op, body)

    shard = call("DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"][0]["ShardId"]
    it = call("GetShardIterator", {"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"})
    return call("GetRecords", {"ShardIterator": it["ShardIterator"]})["Records"]


@pytest.mark.ddbd_only
def test_describe_ttl_passes_through_enabling_and_disabling(clocked):
    ddb, name = ttl_table(clocked, stream=False, enable=False)
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    r = ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert r["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    d = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert d == {"TimeToLiveStatus": "ENABLING", "AttributeName": "exp"}
    helpers.advance_clock(clocked, 2)
    d = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert d == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    d = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert d == {"TimeToLiveStatus": "DISABLING", "AttributeName": "exp"}
    helpers.advance_clock(clocked, 2)
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}


@pytest.mark.ddbd_only
def test_due_items_expire_through_the_write_path(clocked):
    ddb, name = ttl_table(clocked)
    now = now_s(clocked)
    items = {
        "due-soon": {"N": str(now + 60)},
        "past": {"N": str(now - 3600)},
        "fraction": {"N": f"{now + 30}.75"},
        "future": {"N": str(now + 10 * 86400)},
        "as-string": {"S": str(now - 10)},            # not a Number: never expires
        "ancient": {"N": str(now - 6 * 365 * 86400)},  # over five years in the past: ignored, as on AWS
    }
    for k, v in items.items():
        ddb.put_item(TableName=name, Item={"pk": {"S": k}, "exp": v})
    ddb.put_item(TableName=name, Item={"pk": {"S": "no-ttl"}})
    helpers.advance_clock(clocked, 120)
    swept = helpers.ttl_sweep(clocked)
    assert swept["expired"] == 3
    assert keys(ddb, name) == ["ancient", "as-string", "future", "no-ttl"]
    assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == 4
    assert helpers.ttl_sweep(clocked)["expired"] == 0  # nothing left due


@pytest.mark.ddbd_only
def test_expiry_is_a_remove_record_with_the_service_identity(clocked):
    ddb, name = ttl_table(clocked)
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    item = {"pk": {"S": "session"}, "exp": {"N": str(now_s(clocked) + 5)}, "user": {"S": "u1"}}
    ddb.put_item(TableName=name, Item=item)
    ddb.delete_item(TableName=name, Key={"pk": {"S": "session-never"}})
    helpers.advance_clock(clocked, 60)
    assert helpers.ttl_sweep(clocked)["expired"] == 1
    recs = raw_stream_records(clocked, arn)
    assert [r["eventName"] for r in recs] == ["INSERT", "REMOVE"]
    assert "userIdentity" not in recs[0]
    # The Streams API uses the model's member names (SDKs parse these); Lambda events use
    # lower-case ones (see test_triggers.py).
    assert recs[1]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    streams = helpers.make_streams_client(clocked)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    parsed = streams.get_records(ShardIterator=it)["Records"]
    assert parsed[1]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    assert recs[1]["dynamodb"]["OldImage"] == item
    assert recs[1]["dynamodb"]["Keys"] == {"pk": {"S": "session"}}
    assert "NewImage" not in recs[1]["dynamodb"]


@pytest.mark.ddbd_only
def test_enabling_ttl_indexes_existing_items(clocked):
    ddb, name = ttl_table(clocked, enable=False)
    now = now_s(clocked)
    ddb.put_item(TableName=name, Item={"pk": {"S": "old-due"}, "ttl": {"N": str(now - 10)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "old-later"}, "ttl": {"N": str(now + 86400)}})
    assert helpers.ttl_sweep(clocked)["expired"] == 0  # TTL not enabled yet
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    assert helpers.ttl_sweep(clocked)["expired"] == 1
    assert keys(ddb, name) == ["old-later"]


@pytest.mark.ddbd_only
def test_updating_or_removing_the_attribute_moves_the_expiry(clocked):
    ddb, name = ttl_table(clocked, stream=False)
    now = now_s(clocked)
    for k in ("extended", "cleared", "kept"):
        ddb.put_item(TableName=name, Item={"pk": {"S": k}, "exp": {"N": str(now + 30)}})
    ddb.update_item(TableName=name, Key={"pk": {"S": "extended"}}, UpdateExpression="SET exp = :e",
                    ExpressionAttributeValues={":e": {"N": str(now + 86400)}})
    ddb.update_item(TableName=name, Key={"pk": {"S": "cleared"}}, UpdateExpression="REMOVE exp")
    helpers.advance_clock(clocked, 60)
    assert helpers.ttl_sweep(clocked)["expired"] == 1
    assert keys(ddb, name) == ["cleared", "extended"]


@pytest.mark.ddbd_only
def test_disabling_ttl_stops_expiry(clocked):
    ddb, name = ttl_table(clocked, stream=False)
    ddb.put_item(TableName=name, Item={"pk": {"S": "x"}, "exp": {"N": str(now_s(clocked) + 10)}})
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    helpers.advance_clock(clocked, 60)
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    assert helpers.ttl_sweep(clocked)["expired"] == 0
    assert keys(ddb, name) == ["x"]


@pytest.mark.ddbd_only
def test_deleted_table_with_ttl_sweeps_cleanly(clocked):
    ddb, name = ttl_table(clocked, stream=False)
    ddb.put_item(TableName=name, Item={"pk": {"S": "x"}, "exp": {"N": str(now_s(clocked) + 10)}})
    ddb.delete_table(TableName=name)
    helpers.advance_clock(clocked, 60)
    assert helpers.ttl_sweep(clocked)["expired"] == 0
    ddb2, name2 = ttl_table(clocked, stream=False)  # a new table is unaffected
    assert keys(ddb2, name2) == []


@pytest.mark.ddbd_only
def test_background_sweeper_expires_without_being_asked(start_ddbd):
    own = start_ddbd("--in-memory", "--ttl-sweep-seconds", "1").endpoint
    ddb, name = ttl_table(own, stream=False)
    ddb.put_item(TableName=name, Item={"pk": {"S": "bg"}, "exp": {"N": str(now_s(own) - 1)}})
    # the sweeper looks every second
    helpers.wait_until(lambda: keys(ddb, name) == [], timeout=10, what="the sweeper to expire the item")


@pytest.mark.ddbd_only
def test_many_due_items_expire_in_bounded_steps(clocked):
    ddb, name = ttl_table(clocked, stream=False)
    due = str(now_s(clocked) + 5)
    with_batches = [{"PutRequest": {"Item": {"pk": {"S": f"k{i:04d}"}, "exp": {"N": due}}}} for i in range(1100)]
    for i in range(0, len(with_batches), 25):
        ddb.batch_write_item(RequestItems={name: with_batches[i:i + 25]})
    helpers.advance_clock(clocked, 30)
    assert helpers.ttl_sweep(clocked)["expired"] == 1100  # more than one writer job's worth
    assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == 0
