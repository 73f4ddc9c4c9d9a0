"""ConsumedCapacity (NONE / TOTAL / INDEXES) of every operation, and
ItemCollectionMetrics with the item collection limit.

Figures follow the developer guide ("Read/write capacity units", "Provisioned throughput
considerations" for GSIs and LSIs): reads in 4 KB steps (summed over a page, halved when eventually
consistent), writes in 1 KB steps of the larger of the old and new item, an index write per changed
entry (a delete plus a put when its key changes), transactions doubled. DynamoDB Local computes the
same figures, so every test here runs against it too."""
import os

import pytest
from botocore.exceptions import ClientError

import helpers
from helpers import S, N, err


def cap(r):
    return r["ConsumedCapacity"]


@pytest.fixture
def itable(make_table):
    """pk S / sk N; GSIs KEYS_ONLY (g, gs) and INCLUDE [a] (g); LSI KEYS_ONLY (pk, l)."""
    return make_table(
        range=("sk", "N"), extra_attrs={"g": "S", "gs": "N", "l": "S"},
        GlobalSecondaryIndexes=[
            {"IndexName": "keysOnly", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                    {"AttributeName": "gs", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
            {"IndexName": "withA", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}}],
        LocalSecondaryIndexes=[
            {"IndexName": "byL", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "l", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}])


BIG = {"pk": S("a"), "sk": N(1), "g": S("x"), "gs": N(3), "l": S("q"), "a": S("A" * 3000), "b": S("B")}


def test_get_item_units(ddb, make_table):
    t = make_table()
    ddb.put_item(TableName=t, Item={"pk": S("big"), "v": S("x" * 5000)})
    for consistent, units in ((True, 2.0), (False, 1.0)):
        r = ddb.get_item(TableName=t, Key={"pk": S("big")}, ConsistentRead=consistent, ReturnConsumedCapacity="TOTAL")
        assert cap(r) == {"TableName": t, "CapacityUnits": units}
    r = ddb.get_item(TableName=t, Key={"pk": S("none")}, ConsistentRead=True, ReturnConsumedCapacity="INDEXES")
    assert cap(r) == {"TableName": t, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    r = ddb.get_item(TableName=t, Key={"pk": S("none")}, ReturnConsumedCapacity="TOTAL")
    assert cap(r) == {"TableName": t, "CapacityUnits": 0.5}
    assert "ConsumedCapacity" not in ddb.get_item(TableName=t, Key={"pk": S("big")}, ReturnConsumedCapacity="NONE")


def test_writes_charge_each_index(ddb, itable):
    t = itable
    r = ddb.put_item(TableName=t, Item=BIG, ReturnConsumedCapacity="INDEXES")
    assert cap(r) == {"TableName": t, "CapacityUnits": 8.0, "Table": {"CapacityUnits": 3.0},
                      "LocalSecondaryIndexes": {"byL": {"CapacityUnits": 1.0}},
                      "GlobalSecondaryIndexes": {"keysOnly": {"CapacityUnits": 1.0}, "withA": {"CapacityUnits": 3.0}}}
    # a new index key: a delete and a put in keysOnly; withA's entry and byL's are unchanged
    r = ddb.update_item(TableName=t, Key={"pk": S("a"), "sk": N(1)}, UpdateExpression="SET gs = :v",
                        ExpressionAttributeValues={":v": N(9)}, ReturnConsumedCapacity="INDEXES")
    assert cap(r) == {"TableName": t, "CapacityUnits": 5.0, "Table": {"CapacityUnits": 3.0},
                      "GlobalSecondaryIndexes": {"keysOnly": {"CapacityUnits": 2.0}}}
    r = ddb.update_item(TableName=t, Key={"pk": S("a"), "sk": N(1)}, UpdateExpression="SET b = :v",
                        ExpressionAttributeValues={":v": S("C")}, ReturnConsumedCapacity="TOTAL")
    assert cap(r) == {"TableName": t, "CapacityUnits": 3.0}
    r = ddb.delete_item(TableName=t, Key={"pk": S("zz"), "sk": N(1)}, ReturnConsumedCapacity="INDEXES")
    assert cap(r) == {"TableName": t, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    r = ddb.delete_item(TableName=t, Key={"pk": S("a"), "sk": N(1)}, ReturnConsumedCapacity="INDEXES")
    assert cap(r) == {"TableName": t, "CapacityUnits": 8.0, "Table": {"CapacityUnits": 3.0},
                      "LocalSecondaryIndexes": {"byL": {"CapacityUnits": 1.0}},
                      "GlobalSecondaryIndexes": {"keysOnly": {"CapacityUnits": 1.0}, "withA": {"CapacityUnits": 3.0}}}


def test_failed_condition_reports_no_capacity(ddb, itable):
    ddb.put_item(TableName=itable, Item=BIG)
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=itable, Item=BIG, ConditionExpression="attribute_not_exists(pk)",
                     ReturnConsumedCapacity="INDEXES")
    assert err(e) == ("ConditionalCheckFailedException", "The conditional request failed")
    assert "ConsumedCapacity" not in e.value.response


def test_query_and_scan_units_sum_a_page(ddb, make_table):
    t = make_table(range=("sk", "N"))
    for i in range(10):
        ddb.put_item(TableName=t, Item={"pk": S("p"), "sk": N(i), "body": S("d" * 1000)})
    q = dict(TableName=t, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")},
             ReturnConsumedCapacity="TOTAL")
    # ten items of about 1 KB: 3 read units for the page, not 10
    assert cap(ddb.query(**q, ConsistentRead=True)) == {"TableName": t, "CapacityUnits": 3.0}
    assert cap(ddb.query(**q)) == {"TableName": t, "CapacityUnits": 1.5}
    assert cap(ddb.query(**q, Limit=2)) == {"TableName": t, "CapacityUnits": 0.5}
    # the filter runs after the read: the same units
    r = ddb.query(**{**q, "ExpressionAttributeValues": {":p": S("p"), ":x": S("none")}}, FilterExpression="body = :x")
    assert (r["Count"], cap(r)) == (0, {"TableName": t, "CapacityUnits": 1.5})
    r = ddb.scan(TableName=t, ReturnConsumedCapacity="INDEXES", ConsistentRead=True)
    assert cap(r) == {"TableName": t, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 3.0}}


def test_index_reads(ddb, itable):
    t = itable
    ddb.put_item(TableName=t, Item=BIG)
    ddb.put_item(TableName=t, Item={**BIG, "sk": N(2), "gs": N(4), "l": S("r"), "a": S("A")})
    r = ddb.query(TableName=t, IndexName="keysOnly", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": S("x")}, ReturnConsumedCapacity="INDEXES", Limit=1)
    assert cap(r) == {"TableName": t, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
                      "GlobalSecondaryIndexes": {"keysOnly": {"CapacityUnits": 0.5}}}
    r = ddb.scan(TableName=t, IndexName="byL", ReturnConsumedCapacity="INDEXES")
    assert cap(r) == {"TableName": t, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
                      "LocalSecondaryIndexes": {"byL": {"CapacityUnits": 0.5}}}
    # an LSI read of attributes it does not hold reads each item from the table too
    r = ddb.query(TableName=t, IndexName="byL", KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": S("a")}, ProjectionExpression="b", ConsistentRead=True,
                  ReturnConsumedCapacity="INDEXES")
    assert cap(r) == {"TableName": t, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 2.0},
                      "LocalSecondaryIndexes": {"byL": {"CapacityUnits": 1.0}}}


def test_batch_capacity_per_table(ddb, itable, make_table):
    plain = make_table()
    r = ddb.batch_write_item(RequestItems={
        itable: [{"PutRequest": {"Item": {"pk": S("b"), "sk": N(1), "g": S("y"), "gs": N(1)}}}],
        plain: [{"PutRequest": {"Item": {"pk": S(f"k{i}")}}} for i in range(3)]},
        ReturnConsumedCapacity="INDEXES")
    by = {c["TableName"]: c for c in r["ConsumedCapacity"]}
    assert by == {
        itable: {"TableName": itable, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 1.0},
                 "GlobalSecondaryIndexes": {"keysOnly": {"CapacityUnits": 1.0}, "withA": {"CapacityUnits": 1.0}}},
        plain: {"TableName": plain, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 3.0}}}
    r = ddb.batch_get_item(RequestItems={itable: {"Keys": [{"pk": S("b"), "sk": N(1)}]},
                                         plain: {"Keys": [{"pk": S("k0")}, {"pk": S("k1")}], "ConsistentRead": True}},
                           ReturnConsumedCapacity="TOTAL")
    by = {c["TableName"]: c for c in r["ConsumedCapacity"]}
    assert by == {itable: {"TableName": itable, "CapacityUnits": 0.5},
                  plain: {"TableName": plain, "CapacityUnits": 2.0}}


def test_transactions_cost_double(ddb, itable, make_table):
    plain = make_table()
    r = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": itable, "Item": {"pk": S("c"), "sk": N(1), "g": S("y"), "gs": N(1)}}},
        {"Put": {"TableName": plain, "Item": {"pk": S("k")}}}], ReturnConsumedCapacity="INDEXES")
    by = {c["TableName"]: c for c in r["ConsumedCapacity"]}
    assert by == {
        itable: {"TableName": itable, "CapacityUnits": 6.0, "Table": {"CapacityUnits": 2.0},
                 "GlobalSecondaryIndexes": {"keysOnly": {"CapacityUnits": 2.0}, "withA": {"CapacityUnits": 2.0}}},
        plain: {"TableName": plain, "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}}}
    r = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": plain, "Key": {"pk": S("k")}}},
                                              {"Get": {"TableName": plain, "Key": {"pk": S("none")}}}],
                               ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"] == [{"TableName": plain, "CapacityUnits": 4.0}]


# ---- item collections -------------------------------------------------------------------------

METRICS = {"ItemCollectionKey": {"pk": S("a")}, "SizeEstimateRangeGB": [0.0, 1.0]}


@pytest.mark.aws_differs("DynamoDB Local never returns ItemCollectionMetrics")
def test_item_collection_metrics_on_every_write(ddb, itable, make_table):
    t = itable
    r = ddb.put_item(TableName=t, Item=BIG, ReturnItemCollectionMetrics="SIZE")
    assert r["ItemCollectionMetrics"] == METRICS
    r = ddb.update_item(TableName=t, Key={"pk": S("a"), "sk": N(1)}, UpdateExpression="SET b = :v",
                        ExpressionAttributeValues={":v": S("C")}, ReturnItemCollectionMetrics="SIZE")
    assert r["ItemCollectionMetrics"] == METRICS
    r = ddb.batch_write_item(RequestItems={t: [{"PutRequest": {"Item": {"pk": S("a"), "sk": N(2)}}}]},
                             ReturnItemCollectionMetrics="SIZE")
    assert r["ItemCollectionMetrics"] == {t: [METRICS]}
    r = ddb.transact_write_items(TransactItems=[{"Delete": {"TableName": t, "Key": {"pk": S("a"), "sk": N(2)}}}],
                                 ReturnItemCollectionMetrics="SIZE")
    assert r["ItemCollectionMetrics"] == {t: [METRICS]}
    r = ddb.delete_item(TableName=t, Key={"pk": S("a"), "sk": N(1)}, ReturnItemCollectionMetrics="SIZE")
    assert r["ItemCollectionMetrics"] == METRICS


def test_no_item_collection_metrics_without_lsi(ddb, make_table):
    t = make_table()
    r = ddb.put_item(TableName=t, Item={"pk": S("a")}, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in r


@pytest.mark.aws_differs("DynamoDB Local accepts any ReturnItemCollectionMetrics value")
def test_return_item_collection_metrics_enum(ddb, make_table):
    t = make_table()
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=t, Item={"pk": S("a")}, ReturnItemCollectionMetrics="ALL")
    assert err(e) == ("ValidationException", "1 validation error detected: Value 'ALL' at "
                                             "'returnItemCollectionMetrics' failed to satisfy constraint: Member must "
                                             "satisfy enum value set: [SIZE, NONE]")


@pytest.mark.ddbd_only
def test_item_collection_limit(start_ddbd):
    p = start_ddbd("--in-memory", env=dict(os.environ, DDBD_ITEM_COLLECTION_LIMIT_BYTES="3000"))
    c = helpers.make_client(p.endpoint)
    helpers.create_table(
        c, "coll", range=("sk", "N"), extra_attrs={"l": "S"},
        LocalSecondaryIndexes=[{"IndexName": "byL", "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}])

    def item(pk, sk):  # about 600 bytes, and as much again in byL
        return {"pk": S(pk), "sk": N(sk), "l": S("l%d" % sk), "d": S("d" * 580)}

    c.put_item(TableName="coll", Item=item("a", 1))
    c.put_item(TableName="coll", Item=item("a", 2))
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="coll", Item=item("a", 3))
    assert err(e) == ("ItemCollectionSizeLimitExceededException", "Item collection size limit exceeded")
    with pytest.raises(ClientError) as e:
        c.batch_write_item(RequestItems={"coll": [{"PutRequest": {"Item": item("a", 3)}}]})
    assert err(e)[0] == "ItemCollectionSizeLimitExceededException"
    with pytest.raises(ClientError) as e:
        c.transact_write_items(TransactItems=[{"Put": {"TableName": "coll", "Item": item("a", 3)}}])
    assert e.value.response["CancellationReasons"] == [
        {"Code": "ItemCollectionSizeLimitExceeded", "Message": "Item collection size limit exceeded"}]
    c.put_item(TableName="coll", Item=item("b", 3))  # another collection
    c.delete_item(TableName="coll", Key={"pk": S("a"), "sk": N(1)})
    c.put_item(TableName="coll", Item=item("a", 3))
    r = c.query(TableName="coll", KeyConditionExpression="pk = :a", ExpressionAttributeValues={":a": S("a")})
    assert [i["sk"]["N"] for i in r["Items"]] == ["2", "3"]
    assert p.terminate() == 0


def test_lsi_entries_weigh_100_bytes_more(ddb, make_table):
    """An LSI entry's write units count 100 bytes of overhead (GSI entries' do not)."""
    table = make_table(range=("sk", "S"), extra_attrs={"l": "S"},
                       LocalSecondaryIndexes=[{"IndexName": "linc",
                                               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                             {"AttributeName": "l", "KeyType": "RANGE"}],
                                               "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}])
    # the entry: pk, sk, l and x come to 931 bytes, 1,031 with the overhead: two units, not one
    r = ddb.put_item(TableName=table, Item={"pk": S("p"), "sk": S("920"), "l": S("L"), "x": S("x" * 920)},
                     ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"]["LocalSecondaryIndexes"] == {"linc": {"CapacityUnits": 2.0}}
