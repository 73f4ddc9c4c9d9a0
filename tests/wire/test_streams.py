"""DynamoDB Streams: StreamSpecification on tables, the DynamoDBStreams_20120810 API and the records.

Tests that move ddbd's clock (iterator expiry, trimming, shard rollover) run against their own ddbd
(the module fixture `clocked`, conftest.py), so the shared server's clock stays real for every other test.
"""
import datetime
import re

import pytest
from botocore.exceptions import ClientError

import helpers
from helpers import err, latest_stream_arn, read_all, read_shard, shards_of

VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
ARN_RE = re.compile(r"^arn:aws:dynamodb:[^:]+:\d{12}:table/(?P<table>[^/]+)/stream/"
                    r"(?P<label>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})$")


def stream_table(make_table, view="NEW_AND_OLD_IMAGES", **kw):
    return make_table(stream=view, **kw)


def summary(records):
    return [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records]


# ---- StreamSpecification and DescribeTable ------------------------------------------------------


def test_create_table_with_stream_describes_it(ddb, make_table):
    name = stream_table(make_table, "NEW_IMAGE")
    t = ddb.describe_table(TableName=name)["Table"]
    assert t["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    m = ARN_RE.match(t["LatestStreamArn"])
    assert m, t["LatestStreamArn"]
    assert m.group("table") == name
    assert t["LatestStreamLabel"] == m.group("label")


def test_table_without_stream_has_no_stream_members(ddb, hash_table):
    t = ddb.describe_table(TableName=hash_table)["Table"]
    for k in ("StreamSpecification", "LatestStreamArn", "LatestStreamLabel"):
        assert k not in t


def test_create_table_stream_disabled_is_no_stream(ddb, make_table):
    name = make_table(StreamSpecification={"StreamEnabled": False})
    assert "LatestStreamArn" not in ddb.describe_table(TableName=name)["Table"]


@pytest.mark.parametrize("spec,msg", [
    ({"StreamEnabled": True},
     "Invalid StreamViewType: Stream ViewType must not be null or empty when enabling streams."),
    ({"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"},
     "Invalid StreamViewType: Stream StreamEnabled was false but a StreamViewType was present."),
])
def test_stream_specification_errors(raw_ddb, table_name, spec, msg):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=table_name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                             BillingMode="PAY_PER_REQUEST", StreamSpecification=spec)
    assert err(e) == ("ValidationException", msg)


@pytest.mark.aws_differs("DynamoDB Local accepts an unknown StreamViewType")
def test_stream_view_type_enum(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=table_name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                             BillingMode="PAY_PER_REQUEST",
                             StreamSpecification={"StreamEnabled": True, "StreamViewType": "ALL"})
    assert err(e) == ("ValidationException",
                      "1 validation error detected: Value 'ALL' at 'streamSpecification.streamViewType' failed to "
                      "satisfy constraint: Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, "
                      "NEW_AND_OLD_IMAGES, NEW_IMAGE]")


def test_disable_without_stream_fails(ddb, hash_table):
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=hash_table, StreamSpecification={"StreamEnabled": False})
    assert err(e) == ("ValidationException", "Table has no stream to disable")


@pytest.mark.aws_differs("DynamoDB Local: 'Table already has an enabled stream' without the table name")
def test_enable_twice_fails(ddb, make_table):
    name = stream_table(make_table, "KEYS_ONLY")
    for view in ("KEYS_ONLY", "NEW_IMAGE"):
        with pytest.raises(ClientError) as e:
            ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
        assert err(e) == ("ValidationException", f"Table already has an enabled stream: TableName: {name}")


def test_enable_on_update_then_disable_then_enable_gives_new_arn(ddb, streams, hash_table):
    t = ddb.update_table(TableName=hash_table,
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    first = t["LatestStreamArn"]
    assert t["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "a"}})
    ddb.update_table(TableName=hash_table, StreamSpecification={"StreamEnabled": False})
    t = ddb.describe_table(TableName=hash_table)["Table"]
    assert "StreamSpecification" not in t or t["StreamSpecification"].get("StreamEnabled") is False
    assert t["LatestStreamArn"] == first  # the last stream is still named
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "not-recorded"}})

    ddb.update_table(TableName=hash_table,
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    second = latest_stream_arn(ddb, hash_table)
    assert second != first
    listed = [s["StreamArn"] for s in streams.list_streams(TableName=hash_table)["Streams"]]
    assert sorted(listed) == sorted([first, second])

    old = streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert old["StreamStatus"] == "DISABLED"
    assert old["StreamViewType"] == "NEW_IMAGE"
    assert all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in old["Shards"])
    assert summary(read_all(streams, first)) == [("INSERT", "a")]  # still readable
    new = streams.describe_stream(StreamArn=second)["StreamDescription"]
    assert new["StreamStatus"] == "ENABLED" and new["StreamViewType"] == "KEYS_ONLY"
    assert read_all(streams, second) == []


# ---- ListStreams / DescribeStream ----------------------------------------------------------------


def test_list_streams_by_table_and_paging(ddb, streams, make_table):
    a = stream_table(make_table)
    b = stream_table(make_table)
    arns = {latest_stream_arn(ddb, a): a, latest_stream_arn(ddb, b): b}
    got, kw = [], {}
    for _ in range(1000):  # every page: an endpoint shared with other runs may list many streams
        r = streams.list_streams(**kw)
        got += r["Streams"]
        if "LastEvaluatedStreamArn" not in r:
            break
        kw["ExclusiveStartStreamArn"] = r["LastEvaluatedStreamArn"]
    mine = [s for s in got if s["StreamArn"] in arns]
    assert len(mine) == 2
    for s in mine:
        assert s["TableName"] == arns[s["StreamArn"]]
        assert s["StreamArn"].endswith("/stream/" + s["StreamLabel"])
    only_a = streams.list_streams(TableName=a)["Streams"]
    assert [s["StreamArn"] for s in only_a] == [latest_stream_arn(ddb, a)]
    assert "LastEvaluatedStreamArn" not in streams.list_streams(TableName=a)

    seen, kw = [], {"Limit": 1}
    for _ in range(len(got) + 10):
        r = streams.list_streams(**kw)
        assert len(r["Streams"]) <= 1
        seen += [s["StreamArn"] for s in r["Streams"]]
        if "LastEvaluatedStreamArn" not in r:
            break
        assert r["LastEvaluatedStreamArn"] == r["Streams"][-1]["StreamArn"]
        kw["ExclusiveStartStreamArn"] = r["LastEvaluatedStreamArn"]
    assert set(arns) <= set(seen)
    assert len(seen) == len(set(seen))


def test_list_streams_limit_validation(raw_streams):
    with pytest.raises(ClientError) as e:
        raw_streams.list_streams(Limit=0)
    assert err(e) == ("ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                                             "constraint: Member must have value greater than or equal to 1")
    with pytest.raises(ClientError) as e:
        raw_streams.list_streams(Limit=101)
    assert err(e) == ("ValidationException", "One or more parameter values were invalid: Limit cannot be greater "
                                             "than the maximum allowed size: 100")


def test_describe_stream_limit_validation(ddb, raw_streams, make_table):
    arn = latest_stream_arn(ddb, stream_table(make_table))
    with pytest.raises(ClientError) as e:
        raw_streams.describe_stream(StreamArn=arn, Limit=101)
    assert err(e) == ("ValidationException",
                      "One or more parameter values were invalid: Limit cannot be greater than the maximum: 100")


def test_describe_stream_shape(ddb, streams, make_table):
    name = stream_table(make_table, "OLD_IMAGE", range=("sk", "N"))
    arn = latest_stream_arn(ddb, name)
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamArn"] == arn
    assert d["StreamLabel"] == ARN_RE.match(arn).group("label")
    assert d["StreamStatus"] == "ENABLED"
    assert d["StreamViewType"] == "OLD_IMAGE"
    assert d["TableName"] == name
    assert d["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert isinstance(d["CreationRequestDateTime"], datetime.datetime)
    assert len(d["Shards"]) == 1
    shard = d["Shards"][0]
    assert re.match(r"^shardId-\d{20}-[0-9a-f]{8}$", shard["ShardId"]), shard
    assert re.match(r"^\d{21,40}$", shard["SequenceNumberRange"]["StartingSequenceNumber"])
    assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    assert "ParentShardId" not in shard


def test_describe_missing_stream(ddb, streams, make_table):
    arn = latest_stream_arn(ddb, stream_table(make_table)) + "x"
    with pytest.raises(ClientError) as e:
        streams.describe_stream(StreamArn=arn)
    assert err(e) == ("ResourceNotFoundException", f"Requested resource not found: Stream: {arn} not found")


def test_stream_of_another_namespace_is_not_found(ddb, make_table, endpoint):
    arn = latest_stream_arn(ddb, stream_table(make_table))
    other = helpers.make_streams_client(endpoint, access_key=helpers.fresh_access_key())
    with pytest.raises(ClientError) as e:
        other.describe_stream(StreamArn=arn)
    assert err(e)[0] == "ResourceNotFoundException"
    assert arn not in [s["StreamArn"] for s in other.list_streams()["Streams"]]


# ---- records ------------------------------------------------------------------------------------------


def check_record_shape(r, region_re=r"^[a-z0-9-]+$"):
    assert r["eventID"]
    assert r["eventName"] in ("INSERT", "MODIFY", "REMOVE")
    assert r["eventVersion"] == "1.1"
    assert r["eventSource"] == "aws:dynamodb"
    assert re.match(region_re, r["awsRegion"])
    d = r["dynamodb"]
    assert isinstance(d["ApproximateCreationDateTime"], datetime.datetime)
    assert re.match(r"^\d{21,40}$", d["SequenceNumber"])
    assert d["SizeBytes"] > 0
    assert "eventSourceARN" not in r


def test_event_store_appends_read_back_in_order(ddb, streams, make_table):
    name = stream_table(make_table, "NEW_AND_OLD_IMAGES", range=("seq", "N"))
    for i in range(1, 6):
        ddb.put_item(TableName=name, Item={"pk": {"S": "order-1"}, "seq": {"N": str(i)}, "type": {"S": f"e{i}"}},
                     ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ClientError):  # a duplicate append fails its condition: no record
        ddb.put_item(TableName=name, Item={"pk": {"S": "order-1"}, "seq": {"N": "3"}, "type": {"S": "dup"}},
                     ConditionExpression="attribute_not_exists(pk)")
    records = read_all(streams, latest_stream_arn(ddb, name))
    assert [r["eventName"] for r in records] == ["INSERT"] * 5
    assert [r["dynamodb"]["NewImage"]["type"]["S"] for r in records] == ["e1", "e2", "e3", "e4", "e5"]
    seqs = [r["dynamodb"]["SequenceNumber"] for r in records]
    assert [int(s) for s in seqs] == sorted(int(s) for s in seqs) and len(set(seqs)) == 5
    for i, r in enumerate(records, 1):
        check_record_shape(r)
        assert r["dynamodb"]["Keys"] == {"pk": {"S": "order-1"}, "seq": {"N": str(i)}}
        assert "OldImage" not in r["dynamodb"]
        assert r["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


@pytest.mark.aws_differs("DynamoDB Local's eventID is a UUID; AWS's is 32 hex digits")
def test_event_id_is_32_hex_and_unique(ddb, streams, make_table):
    name = stream_table(make_table, "KEYS_ONLY")
    for k in "abc":
        ddb.put_item(TableName=name, Item={"pk": {"S": k}})
    ids = [r["eventID"] for r in read_all(streams, latest_stream_arn(ddb, name))]
    assert all(re.match(r"^[0-9a-f]{32}$", i) for i in ids), ids
    assert len(set(ids)) == 3


@pytest.mark.parametrize("view", VIEW_TYPES)
def test_images_by_view_type(ddb, streams, make_table, view):
    name = stream_table(make_table, view)
    v1 = {"pk": {"S": "k"}, "a": {"N": "1"}}
    v2 = {"pk": {"S": "k"}, "a": {"N": "2"}, "b": {"SS": ["x", "y"]}}
    ddb.put_item(TableName=name, Item=v1)
    ddb.put_item(TableName=name, Item=v2)
    ddb.delete_item(TableName=name, Key={"pk": {"S": "k"}})
    recs = [r["dynamodb"] for r in read_all(streams, latest_stream_arn(ddb, name))]
    assert [r["StreamViewType"] for r in recs] == [view] * 3
    new = view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    old = view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
    assert [r.get("NewImage") for r in recs] == ([v1, v2, None] if new else [None] * 3)
    assert [r.get("OldImage") for r in recs] == ([None, v1, v2] if old else [None] * 3)
    assert all(r["Keys"] == {"pk": {"S": "k"}} for r in recs)


def test_no_record_for_writes_that_change_nothing(ddb, streams, make_table):
    name = stream_table(make_table)
    item = {"pk": {"S": "same"}, "n": {"N": "1"}}
    ddb.put_item(TableName=name, Item=item)
    ddb.put_item(TableName=name, Item=item)  # identical: no change
    ddb.update_item(TableName=name, Key={"pk": {"S": "same"}}, UpdateExpression="SET n = :v",
                    ExpressionAttributeValues={":v": {"N": "1"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "missing"}})
    with pytest.raises(ClientError):
        ddb.delete_item(TableName=name, Key={"pk": {"S": "same"}}, ConditionExpression="n = :x",
                        ExpressionAttributeValues={":x": {"N": "9"}})
    assert summary(read_all(streams, latest_stream_arn(ddb, name))) == [("INSERT", "same")]


def test_put_over_existing_is_modify_with_whole_old_image(ddb, streams, make_table):
    name = stream_table(make_table)
    old = {"pk": {"S": "p"}, "keep": {"S": "x"}, "gone": {"L": [{"N": "1"}]}}
    new = {"pk": {"S": "p"}, "other": {"BOOL": True}}
    ddb.put_item(TableName=name, Item=old)
    ddb.put_item(TableName=name, Item=new)
    ddb.update_item(TableName=name, Key={"pk": {"S": "u"}}, UpdateExpression="SET a = :a",
                    ExpressionAttributeValues={":a": {"S": "v"}})
    ddb.update_item(TableName=name, Key={"pk": {"S": "u"}}, UpdateExpression="SET a = :a",
                    ExpressionAttributeValues={":a": {"S": "w"}})
    recs = read_all(streams, latest_stream_arn(ddb, name))
    assert summary(recs) == [("INSERT", "p"), ("MODIFY", "p"), ("INSERT", "u"), ("MODIFY", "u")]
    assert recs[1]["dynamodb"]["OldImage"] == old
    assert recs[1]["dynamodb"]["NewImage"] == new
    assert recs[3]["dynamodb"]["OldImage"] == {"pk": {"S": "u"}, "a": {"S": "v"}}


def test_transaction_records_only_on_commit(ddb, streams, make_table):
    name = stream_table(make_table)
    ddb.put_item(TableName=name, Item={"pk": {"S": "guard"}, "v": {"N": "1"}})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": {"S": "t1"}}}},
        {"Put": {"TableName": name, "Item": {"pk": {"S": "t2"}}}},
        {"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "guard"}},
                            "ConditionExpression": "attribute_exists(pk)"}},
    ])
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "t3"}}}},
            {"Delete": {"TableName": name, "Key": {"pk": {"S": "t1"}}}},
            {"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "guard"}},
                                "ConditionExpression": "v = :two", "ExpressionAttributeValues": {":two": {"N": "2"}}}},
        ])
    assert err(e)[0] == "TransactionCanceledException"
    assert summary(read_all(streams, latest_stream_arn(ddb, name))) == [("INSERT", "guard"), ("INSERT", "t1"), ("INSERT", "t2")]


def test_batch_write_one_record_per_item(ddb, streams, make_table):
    name = stream_table(make_table, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}})
    ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": {"pk": {"S": "b1"}}}},
        {"PutRequest": {"Item": {"pk": {"S": "b2"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "old"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "never-was"}}}},
    ]})
    got = summary(read_all(streams, latest_stream_arn(ddb, name)))
    assert got[0] == ("INSERT", "old")
    assert sorted(got[1:]) == [("INSERT", "b1"), ("INSERT", "b2"), ("REMOVE", "old")]


def test_records_of_other_tables_stay_out(ddb, streams, make_table):
    a = stream_table(make_table)
    b = stream_table(make_table)
    ddb.put_item(TableName=a, Item={"pk": {"S": "in-a"}})
    ddb.put_item(TableName=b, Item={"pk": {"S": "in-b"}})
    assert summary(read_all(streams, latest_stream_arn(ddb, a))) == [("INSERT", "in-a")]


# ---- iterators -----------------------------------------------------------------------------------------


def only_shard(streams, arn):
    shards = shards_of(streams, arn)
    assert len(shards) == 1
    return shards[0]["ShardId"]


def test_latest_on_empty_shard_returns_next_write(ddb, streams, make_table):
    name = stream_table(make_table)
    arn = latest_stream_arn(ddb, name)
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=only_shard(streams, arn),
                                    ShardIteratorType="LATEST")["ShardIterator"]
    r = streams.get_records(ShardIterator=it)
    assert r["Records"] == [] and "NextShardIterator" in r
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}})
    r = streams.get_records(ShardIterator=r["NextShardIterator"])
    assert summary(r["Records"]) == [("INSERT", "after")]


def test_latest_skips_earlier_records(ddb, streams, make_table):
    name = stream_table(make_table)
    arn = latest_stream_arn(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": {"S": "before"}})
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=only_shard(streams, arn),
                                    ShardIteratorType="LATEST")["ShardIterator"]
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}})
    r = streams.get_records(ShardIterator=it)
    assert summary(r["Records"]) == [("INSERT", "after")]


def test_next_iterator_present_on_open_shard_even_when_empty(ddb, streams, make_table):
    name = stream_table(make_table)
    arn = latest_stream_arn(ddb, name)
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=only_shard(streams, arn),
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    for _ in range(3):
        r = streams.get_records(ShardIterator=it)
        assert r["Records"] == []
        it = r["NextShardIterator"]


def test_at_and_after_sequence_number(ddb, streams, make_table):
    name = stream_table(make_table)
    arn = latest_stream_arn(ddb, name)
    for k in "abc":
        ddb.put_item(TableName=name, Item={"pk": {"S": k}})
    shard = only_shard(streams, arn)
    recs = read_shard(streams, arn, shard)[0]
    seq_b = recs[1]["dynamodb"]["SequenceNumber"]
    at = read_shard(streams, arn, shard, "AT_SEQUENCE_NUMBER", SequenceNumber=seq_b)[0]
    after = read_shard(streams, arn, shard, "AFTER_SEQUENCE_NUMBER", SequenceNumber=seq_b)[0]
    assert summary(at) == [("INSERT", "b"), ("INSERT", "c")]
    assert summary(after) == [("INSERT", "c")]


def test_get_records_limit_pages(ddb, streams, make_table):
    name = stream_table(make_table)
    arn = latest_stream_arn(ddb, name)
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}})
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=only_shard(streams, arn),
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    got = []
    for _ in range(3):
        r = streams.get_records(ShardIterator=it, Limit=2)
        assert len(r["Records"]) <= 2
        got += summary(r["Records"])
        it = r["NextShardIterator"]
    assert got == [("INSERT", f"k{i}") for i in range(5)]


@pytest.mark.parametrize("limit,msg", [
    (0, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"),
    (1001, "One or more parameter values were invalid: Limit should be less than or equal to 1000"),
])
def test_get_records_limit_validation(ddb, raw_streams, make_table, limit, msg):
    name = stream_table(make_table)
    arn = latest_stream_arn(ddb, name)
    it = raw_streams.get_shard_iterator(StreamArn=arn, ShardId=only_shard(raw_streams, arn),
                                        ShardIteratorType="LATEST")["ShardIterator"]
    with pytest.raises(ClientError) as e:
        raw_streams.get_records(ShardIterator=it, Limit=limit)
    assert err(e) == ("ValidationException", msg)


@pytest.mark.aws_differs("DynamoDB Local returns more than 1 MB of records in one GetRecords call")
def test_get_records_stops_at_1_mb(ddb, streams, make_table):
    name = stream_table(make_table, "NEW_IMAGE")
    arn = latest_stream_arn(ddb, name)
    for i in range(4):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"big{i}"}, "blob": {"S": "x" * 350_000}})
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=only_shard(streams, arn),
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    r = streams.get_records(ShardIterator=it)
    assert 1 <= len(r["Records"]) <= 2  # 4 x 350 KB is over the 1 MB a call returns
    rest = read_shard(streams, arn, only_shard(streams, arn), "AFTER_SEQUENCE_NUMBER",
                      SequenceNumber=r["Records"][-1]["dynamodb"]["SequenceNumber"])[0]
    assert summary(r["Records"] + rest) == [("INSERT", f"big{i}") for i in range(4)]


def test_invalid_iterator(streams):
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator="garbage")
    assert err(e) == ("ValidationException", "Invalid ShardIterator")


@pytest.mark.ddbd_only  # the iterator's form is ddbd's own
def test_tampered_iterators_are_invalid(ddb, streams, make_table):
    arn = latest_stream_arn(ddb, stream_table(make_table))
    shard = shards_of(streams, arn)[0]["ShardId"]
    good = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert "Records" in streams.get_records(ShardIterator=good)
    fields = good.split("|")
    for bad in [good + "|junk", "|".join(fields[:3] + ["9999999999999999999"]), "|".join(fields[:3])]:
        with pytest.raises(ClientError) as e:
            streams.get_records(ShardIterator=bad)
        assert err(e) == ("ValidationException", "Invalid ShardIterator"), bad


def test_unknown_shard(ddb, streams, make_table):
    arn = latest_stream_arn(ddb, stream_table(make_table))
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId="shardId-00000000000000000000-00000000",
                                   ShardIteratorType="LATEST")
    assert err(e)[0] == "ResourceNotFoundException"


def test_sequence_number_outside_shard(ddb, raw_streams, make_table):
    name = stream_table(make_table)
    arn = latest_stream_arn(ddb, name)
    with pytest.raises(ClientError) as e:
        raw_streams.get_shard_iterator(StreamArn=arn, ShardId=only_shard(raw_streams, arn),
                                       ShardIteratorType="AT_SEQUENCE_NUMBER")
    assert err(e) == ("ValidationException", "One or more parameter values were invalid: Invalid SequenceNumber")


def test_delete_table_leaves_stream_readable(ddb, streams, make_table):
    name = stream_table(make_table, "KEYS_ONLY")
    arn = latest_stream_arn(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": {"S": "x"}})
    ddb.delete_table(TableName=name)
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamStatus"] == "DISABLED"
    assert summary(read_all(streams, arn)) == [("INSERT", "x")]


def test_raw_record_json_has_no_extra_members(ddb, endpoint, make_table):
    """The wire form: exactly AWS's members (botocore would hide extras)."""
    name = stream_table(make_table, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "raw"}})
    arn = latest_stream_arn(ddb, name)

    def call(op, body):
        return helpers.raw_call(endpoint, "DynamoDBStreams_20120810." + op, body)

    shard = call("DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"][0]["ShardId"]
    it = call("GetShardIterator", {"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"})
    rec = call("GetRecords", {"ShardIterator": it["ShardIterator"]})["Records"][0]
    assert set(rec) == {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb"}
    assert set(rec["dynamodb"]) == {"ApproximateCreationDateTime", "Keys", "SequenceNumber", "SizeBytes",
                                    "StreamViewType"}
    assert isinstance(rec["dynamodb"]["ApproximateCreationDateTime"], (int, float))


# ---- the AWS CLI -----------------------------------------------------------------------------------------


def test_cli_dynamodbstreams(ddb, endpoint, make_table):
    name = stream_table(make_table, "NEW_IMAGE")
    ddb.put_item(TableName=name, Item={"pk": {"S": "cli"}, "v": {"N": "7"}})
    listed = helpers.run_cli(endpoint, "dynamodbstreams", "list-streams", "--table-name", name)
    arn = listed["Streams"][0]["StreamArn"]
    d = helpers.run_cli(endpoint, "dynamodbstreams", "describe-stream", "--stream-arn", arn)["StreamDescription"]
    assert d["TableName"] == name and d["StreamViewType"] == "NEW_IMAGE"
    it = helpers.run_cli(endpoint, "dynamodbstreams", "get-shard-iterator", "--stream-arn", arn,
                         "--shard-id", d["Shards"][0]["ShardId"], "--shard-iterator-type", "TRIM_HORIZON")
    r = helpers.run_cli(endpoint, "dynamodbstreams", "get-records", "--shard-iterator", it["ShardIterator"])
    assert [x["dynamodb"]["NewImage"] for x in r["Records"]] == [{"pk": {"S": "cli"}, "v": {"N": "7"}}]
    assert "NextShardIterator" in r


# ---- with a clock of our own (ddbd only) -------------------------------------------------------------------


def clocked_table(endpoint, view="NEW_AND_OLD_IMAGES"):
    ddb = helpers.make_client(endpoint)
    name = helpers.create_table(ddb, stream=view)
    return ddb, helpers.make_streams_client(endpoint), name, latest_stream_arn(ddb, name)


@pytest.mark.ddbd_only
def test_iterator_expires_after_15_minutes(clocked):
    ddb, streams, name, arn = clocked_table(clocked)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    shard = only_shard(streams, arn)
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    helpers.advance_clock(clocked, 14 * 60)
    r = streams.get_records(ShardIterator=it)  # still fine at 14 minutes
    assert summary(r["Records"]) == [("INSERT", "a")]
    helpers.advance_clock(clocked, 16 * 60)
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator=it)
    assert err(e) == ("ExpiredIteratorException", "The provided iterator exceeds the maximum age allowed.")
    # the iterator GetRecords returned is fresh from its own call... but 16 minutes passed for it too
    with pytest.raises(ClientError):
        streams.get_records(ShardIterator=r["NextShardIterator"])


def with_an_old_record(endpoint):
    """A KEYS_ONLY stream holding the record of "old": (ddb, streams, table, stream ARN, shard, its SequenceNumber)."""
    ddb, streams, name, arn = clocked_table(endpoint, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}})
    shard = only_shard(streams, arn)
    return ddb, streams, name, arn, shard, read_shard(streams, arn, shard)[0][0]["dynamodb"]["SequenceNumber"]


@pytest.mark.ddbd_only
def test_records_trimmed_after_24_hours(clocked):
    ddb, streams, name, arn, shard, old_seq = with_an_old_record(clocked)
    helpers.advance_clock(clocked, 23 * 3600)
    ddb.put_item(TableName=name, Item={"pk": {"S": "recent"}})
    helpers.advance_clock(clocked, 2 * 3600)  # "old" is 25 hours old now, "recent" 2 hours
    swept = helpers.ttl_sweep(clocked)
    assert swept["trimmed"] >= 1  # this stream's record, and maybe earlier tests'
    recs = read_all(streams, arn)
    assert summary(recs) == [("INSERT", "recent")]
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shards_of(streams, arn)[0]["ShardId"],
                                   ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=old_seq)
    assert err(e) == ("TrimmedDataAccessException",
                      "The operation attempted to read past the oldest stream record in a shard.")


@pytest.mark.ddbd_only
def test_records_past_retention_count_as_trimmed_before_the_sweep(clocked):
    ddb, streams, name, arn, shard, old_seq = with_an_old_record(clocked)
    helpers.advance_clock(clocked, 3 * 3600)
    ddb.put_item(TableName=name, Item={"pk": {"S": "new"}})
    helpers.advance_clock(clocked, 22 * 3600)  # "old" is 25 h old, and not swept yet
    assert summary(read_shard(streams, arn, shard)[0]) == [("INSERT", "new")]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                    SequenceNumber=old_seq)["ShardIterator"]
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator=it)
    assert err(e) == ("TrimmedDataAccessException",
                      "The operation attempted to read past the oldest stream record in a shard.")


@pytest.mark.ddbd_only
def test_shard_rolls_over_after_4_hours(clocked):
    ddb, streams, name, arn = clocked_table(clocked, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "first"}})
    helpers.advance_clock(clocked, 4 * 3600 + 1)
    ddb.put_item(TableName=name, Item={"pk": {"S": "second"}})
    shards = shards_of(streams, arn)
    assert len(shards) == 2
    parent, child = shards
    assert child["ParentShardId"] == parent["ShardId"]
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    assert "EndingSequenceNumber" not in child["SequenceNumberRange"]
    assert int(child["SequenceNumberRange"]["StartingSequenceNumber"]) > \
        int(parent["SequenceNumberRange"]["EndingSequenceNumber"])
    recs, nxt = read_shard(streams, arn, parent["ShardId"])
    assert summary(recs) == [("INSERT", "first")] and nxt is None  # a closed shard read to its end
    assert summary(read_shard(streams, arn, child["ShardId"])[0]) == [("INSERT", "second")]
    # DescribeStream pages through the shards
    d = streams.describe_stream(StreamArn=arn, Limit=1)["StreamDescription"]
    assert [s["ShardId"] for s in d["Shards"]] == [parent["ShardId"]]
    assert d["LastEvaluatedShardId"] == parent["ShardId"]
    d = streams.describe_stream(StreamArn=arn, Limit=1, ExclusiveStartShardId=parent["ShardId"])["StreamDescription"]
    assert [s["ShardId"] for s in d["Shards"]] == [child["ShardId"]] and "LastEvaluatedShardId" not in d


@pytest.mark.ddbd_only
def test_disabled_stream_disappears_after_retention(clocked):
    ddb, streams, name, arn = clocked_table(clocked, "KEYS_ONLY")
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    assert arn in [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]]
    helpers.advance_clock(clocked, 24 * 3600 + 60)
    helpers.ttl_sweep(clocked)
    assert arn not in [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]]


# ---- durability (ddbd only) ------------------------------------------------------------------------------------


@pytest.mark.ddbd_only
def test_stream_records_survive_kill9(tmp_path, start_ddbd):
    data = tmp_path / "data"
    data.mkdir()
    p = start_ddbd(helpers.DATA_DIR_FLAG, str(data))
    ddb, streams, name, arn = clocked_table(p.endpoint, "NEW_IMAGE")
    for i in range(20):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i:02d}"}})
    before = read_all(streams, arn)
    p.kill()
    p = start_ddbd(helpers.DATA_DIR_FLAG, str(data))
    streams = helpers.make_streams_client(p.endpoint)
    after = read_all(streams, arn)
    assert after == before
    assert summary(after) == [("INSERT", f"k{i:02d}") for i in range(20)]
    ddb = helpers.make_client(p.endpoint)
    ddb.put_item(TableName=name, Item={"pk": {"S": "later"}})
    last = read_all(streams, arn)[-1]
    assert int(last["dynamodb"]["SequenceNumber"]) > int(after[-1]["dynamodb"]["SequenceNumber"])
