"""The event store's whole loop on one table: conditional appends, a transaction across two
aggregates, a sparse KEYS_ONLY GSI listing aggregates, the stream feeding a projection, and
TTL-expired snapshots, checking that the item, its index entry and its stream record always
change together (one LMDB transaction) and never for a cancelled write.
"""
import pytest
from botocore.exceptions import ClientError

import helpers

pytestmark = pytest.mark.ddbd_only  # moves ddbd's clock for the TTL part


def make_events_table(ddb):
    return helpers.create_table(
        ddb, helpers.unique_name("events"), hash=("aggregateId", "S"), range=("version", "N"),
        extra_attrs={"initialEvent": "S", "timestamp": "S"}, stream="NEW_IMAGE",
        GlobalSecondaryIndexes=[{
            "IndexName": "initialEvents",
            "KeySchema": [{"AttributeName": "initialEvent", "KeyType": "HASH"},
                          {"AttributeName": "timestamp", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}])


def event(agg, version, ts, kind):
    item = {"aggregateId": {"S": agg}, "version": {"N": str(version)}, "timestamp": {"S": ts},
            "type": {"S": kind}}
    if version == 1:  # only first events carry the index key: the GSI is sparse
        item["initialEvent"] = {"S": "true"}
    return item


def append(agg, version, ts, kind, table):
    return {"Put": {"TableName": table, "Item": event(agg, version, ts, kind),
                    "ConditionExpression": "attribute_not_exists(version)"}}


def stream_records(endpoint, ddb, table):
    streams = helpers.make_streams_client(endpoint)
    out = helpers.read_all(streams, helpers.latest_stream_arn(ddb, table))
    return [(r["eventName"], r["dynamodb"]["Keys"]["aggregateId"]["S"], r["dynamodb"]["Keys"]["version"]["N"],
             r["dynamodb"].get("NewImage", {}).get("type", {}).get("S")) for r in out]


def listed_aggregates(ddb, table):
    q = ddb.query(TableName=table, IndexName="initialEvents", KeyConditionExpression="initialEvent = :t",
                  ExpressionAttributeValues={":t": {"S": "true"}})
    return [i["aggregateId"]["S"] for i in q["Items"]]


def test_event_store_loop(clocked):
    ddb = helpers.make_client(clocked)
    table = make_events_table(ddb)

    # appends, one conditional put at a time
    ddb.put_item(TableName=table, **{k: v for k, v in append("order-2", 1, "2026-01-02", "OrderPlaced", table)["Put"].items()
                                     if k != "TableName"})
    ddb.transact_write_items(TransactItems=[append("order-1", 1, "2026-01-01", "OrderPlaced", table),
                                            append("order-2", 2, "2026-01-03", "OrderPaid", table)])
    assert listed_aggregates(ddb, table) == ["order-1", "order-2"]  # ordered by timestamp

    # a transaction with one conflicting version changes nothing anywhere
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[append("order-3", 1, "2026-01-00", "OrderPlaced", table),
                                                append("order-2", 2, "2026-01-04", "OrderShipped", table)])
    assert e.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in e.value.response["CancellationReasons"]] == ["None", "ConditionalCheckFailed"]
    assert "Item" not in ddb.get_item(TableName=table, Key={"aggregateId": {"S": "order-3"}, "version": {"N": "1"}})
    assert listed_aggregates(ddb, table) == ["order-1", "order-2"]

    # the stream holds exactly the committed appends, in commit order, with their images
    assert stream_records(clocked, ddb, table) == [
        ("INSERT", "order-2", "1", "OrderPlaced"),
        ("INSERT", "order-1", "1", "OrderPlaced"),
        ("INSERT", "order-2", "2", "OrderPaid"),
    ]

    # capacity of a committed transaction: the item and its GSI entry, each doubled
    out = ddb.transact_write_items(TransactItems=[append("order-4", 1, "2026-01-05", "OrderPlaced", table)],
                                   ReturnConsumedCapacity="INDEXES")
    cap = out["ConsumedCapacity"][0]
    assert cap["TableName"] == table
    assert cap["Table"]["CapacityUnits"] == 2.0
    assert cap["GlobalSecondaryIndexes"] == {"initialEvents": {"CapacityUnits": 2.0}}
    assert cap["CapacityUnits"] == 4.0


def test_ttl_expiry_leaves_index_and_stream_consistent(clocked):
    ddb = helpers.make_client(clocked)
    table = make_events_table(ddb)
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"})
    now = helpers.clock(clocked)["now_ms"] // 1000
    snapshot = event("order-9", 1, "2026-02-01", "Snapshot")
    snapshot["expiresAt"] = {"N": str(now + 3600)}
    ddb.put_item(TableName=table, Item=snapshot)
    assert listed_aggregates(ddb, table) == ["order-9"]

    helpers.advance_clock(clocked, 3601)
    assert helpers.ttl_sweep(clocked)["expired"] == 1
    assert ddb.scan(TableName=table)["Count"] == 0
    assert listed_aggregates(ddb, table) == []
    d = ddb.describe_table(TableName=table)["Table"]
    assert d["ItemCount"] == 0 and d["GlobalSecondaryIndexes"][0]["ItemCount"] == 0
    assert [r[0] for r in stream_records(clocked, ddb, table)] == ["INSERT", "REMOVE"]
