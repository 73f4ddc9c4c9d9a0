"""Secondary indexes: maintenance by every write path, Query and Scan with
IndexName, DynamoDB's rules and messages, UpdateTable GlobalSecondaryIndexUpdates
with a backfill, DescribeTable's index figures."""
import pytest
from botocore.exceptions import ClientError

import helpers
from helpers import N, S, err, query_all


def gsi(name, hash_, range_=None, projection="KEYS_ONLY", include=None):
    ks = [{"AttributeName": hash_, "KeyType": "HASH"}]
    if range_:
        ks.append({"AttributeName": range_, "KeyType": "RANGE"})
    p = {"ProjectionType": projection}
    if include:
        p["NonKeyAttributes"] = include
    return {"IndexName": name, "KeySchema": ks, "Projection": p}


def index_keys(ddb, table, index, g, **kw):
    items = query_all(ddb, TableName=table, IndexName=index, KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": S(g)}, **kw)
    return [i["pk"]["S"] for i in items]


@pytest.fixture
def gtable(make_table):
    """pk S / sk N with GSIs on g (+gs): KEYS_ONLY, INCLUDE [a], and ALL."""
    return make_table(
        range=("sk", "N"), extra_attrs={"g": "S", "gs": "N"},
        GlobalSecondaryIndexes=[gsi("byG", "g", "gs"), gsi("byGInc", "g", None, "INCLUDE", ["a"]),
                                gsi("byGAll", "g", "gs", "ALL")])


# ---- the event store ------------------------------------------------------------------------

def test_event_store_initial_events_sparse_keys_only_gsi(ddb, make_table):
    """List aggregate ids by creation time: only version 1 carries the index attributes."""
    t = make_table(hash=("aggregateId", "S"), range=("version", "N"),
                   extra_attrs={"initialEvent": "S", "timestamp": "N"},
                   GlobalSecondaryIndexes=[{
                       "IndexName": "initialEvents",
                       "KeySchema": [{"AttributeName": "initialEvent", "KeyType": "HASH"},
                                     {"AttributeName": "timestamp", "KeyType": "RANGE"}],
                       "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    aggregates = [f"order-{i}" for i in range(7)]
    # created in a scrambled order; timestamps give the true order
    for n, agg in enumerate(reversed(aggregates)):
        ts = 1700000000 + (len(aggregates) - n) * 10
        for version in (1, 2, 3):
            item = {"aggregateId": S(agg), "version": N(version), "type": S("Event%d" % version),
                    "payload": S("x" * 50)}
            if version == 1:
                item.update({"initialEvent": S("1"), "timestamp": N(ts)})
            ddb.put_item(TableName=t, Item=item, ConditionExpression="attribute_not_exists(version)")
    pages, start, seen = 0, None, []
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        r = ddb.query(TableName=t, IndexName="initialEvents", KeyConditionExpression="initialEvent = :one",
                      ExpressionAttributeValues={":one": S("1")}, Limit=3, **kw)
        pages += 1
        for item in r["Items"]:
            # KEYS_ONLY: the table key and the index key, nothing else
            assert set(item) == {"aggregateId", "version", "initialEvent", "timestamp"}
            assert item["version"] == N(1)
        seen += [i["aggregateId"]["S"] for i in r["Items"]]
        start = r.get("LastEvaluatedKey")
        if start:
            assert set(start) == {"aggregateId", "version", "initialEvent", "timestamp"}
        else:
            break
    assert seen == aggregates
    assert pages == 3
    r = ddb.query(TableName=t, IndexName="initialEvents", KeyConditionExpression="initialEvent = :one",
                  ExpressionAttributeValues={":one": S("1")}, ScanIndexForward=False, Limit=2)
    assert [i["aggregateId"]["S"] for i in r["Items"]] == aggregates[::-1][:2]
    r = ddb.query(TableName=t, IndexName="initialEvents",
                  KeyConditionExpression="initialEvent = :one AND #ts BETWEEN :a AND :b",
                  ExpressionAttributeNames={"#ts": "timestamp"},
                  ExpressionAttributeValues={":one": S("1"), ":a": N(1700000020), ":b": N(1700000040)})
    assert [i["aggregateId"]["S"] for i in r["Items"]] == aggregates[1:4]


# ---- maintenance --------------------------------------------------------------------------------

def test_put_overwrite_update_delete_maintain_the_index(ddb, gtable):
    t = gtable
    ddb.put_item(TableName=t, Item={"pk": S("a"), "sk": N(1), "g": S("x"), "gs": N(1)})
    ddb.put_item(TableName=t, Item={"pk": S("b"), "sk": N(1), "g": S("x"), "gs": N(2)})
    assert index_keys(ddb, t, "byG", "x") == ["a", "b"]
    # overwrite with another index key: the old entry goes
    ddb.put_item(TableName=t, Item={"pk": S("a"), "sk": N(1), "g": S("y"), "gs": N(1)})
    assert index_keys(ddb, t, "byG", "x") == ["b"]
    assert index_keys(ddb, t, "byG", "y") == ["a"]
    # UpdateItem changing the sort key of the index reorders it
    ddb.update_item(TableName=t, Key={"pk": S("b"), "sk": N(1)}, UpdateExpression="SET g = :y, gs = :z",
                    ExpressionAttributeValues={":y": S("y"), ":z": N(0)})
    assert index_keys(ddb, t, "byG", "y") == ["b", "a"]
    # removing an index key attribute takes the item out (sparse)
    ddb.update_item(TableName=t, Key={"pk": S("b"), "sk": N(1)}, UpdateExpression="REMOVE gs")
    assert index_keys(ddb, t, "byG", "y") == ["a"]
    assert index_keys(ddb, t, "byGInc", "y") == ["a", "b"] or index_keys(ddb, t, "byGInc", "y") == ["b", "a"]
    ddb.delete_item(TableName=t, Key={"pk": S("a"), "sk": N(1)})
    assert index_keys(ddb, t, "byG", "y") == []
    assert index_keys(ddb, t, "byGInc", "y") == ["b"]


def test_include_projection_follows_updates(ddb, gtable):
    t = gtable
    ddb.put_item(TableName=t, Item={"pk": S("a"), "sk": N(1), "g": S("x"), "a": S("one"), "b": S("B")})
    r = ddb.query(TableName=t, IndexName="byGInc", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": S("x")})
    assert r["Items"] == [{"pk": S("a"), "sk": N(1), "g": S("x"), "a": S("one")}]
    ddb.update_item(TableName=t, Key={"pk": S("a"), "sk": N(1)}, UpdateExpression="SET a = :v",
                    ExpressionAttributeValues={":v": S("two")})
    r = ddb.query(TableName=t, IndexName="byGInc", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": S("x")})
    assert r["Items"] == [{"pk": S("a"), "sk": N(1), "g": S("x"), "a": S("two")}]
    r = ddb.query(TableName=t, IndexName="byGAll", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": S("x")})
    assert r["Items"] == []  # byGAll needs gs too


def test_batch_write_and_transactions_maintain_the_index(ddb, gtable):
    t = gtable
    ddb.batch_write_item(RequestItems={t: [
        {"PutRequest": {"Item": {"pk": S(f"p{i}"), "sk": N(1), "g": S("b"), "gs": N(i)}}} for i in range(5)]})
    assert index_keys(ddb, t, "byG", "b") == ["p0", "p1", "p2", "p3", "p4"]
    ddb.batch_write_item(RequestItems={t: [
        {"DeleteRequest": {"Key": {"pk": S("p1"), "sk": N(1)}}},
        {"PutRequest": {"Item": {"pk": S("p2"), "sk": N(1), "g": S("c"), "gs": N(2)}}}]})
    assert index_keys(ddb, t, "byG", "b") == ["p0", "p3", "p4"]
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": t, "Item": {"pk": S("t1"), "sk": N(1), "g": S("b"), "gs": N(10)}}},
        {"Update": {"TableName": t, "Key": {"pk": S("p0"), "sk": N(1)}, "UpdateExpression": "SET gs = :v",
                    "ExpressionAttributeValues": {":v": N(20)}}},
        {"Delete": {"TableName": t, "Key": {"pk": S("p3"), "sk": N(1)}}}])
    assert index_keys(ddb, t, "byG", "b") == ["p4", "t1", "p0"]
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": t, "Item": {"pk": S("t2"), "sk": N(1), "g": S("b"), "gs": N(0)}}},
            {"Delete": {"TableName": t, "Key": {"pk": S("p4"), "sk": N(1)}}},
            {"ConditionCheck": {"TableName": t, "Key": {"pk": S("p0"), "sk": N(1)},
                                "ConditionExpression": "attribute_not_exists(pk)"}}])
    assert e.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert index_keys(ddb, t, "byG", "b") == ["p4", "t1", "p0"]


def test_index_key_with_wrong_type_is_rejected(ddb, gtable):
    t = gtable
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=t, Item={"pk": S("a"), "sk": N(1), "g": S(""), "gs": N(1)})
    assert err(e) == ("ValidationException",
                      "One or more parameter values are not valid. A value specified for a secondary index key "
                      "is not supported. The AttributeValue for a key attribute cannot contain an empty string "
                      "value. IndexName: byG, IndexKey: g")
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=t, Key={"pk": S("a"), "sk": N(1)}, UpdateExpression="SET g = :v",
                        ExpressionAttributeValues={":v": N(5)})
    assert err(e)[0] == "ValidationException"
    assert err(e)[1].startswith("One or more parameter values were invalid: Type mismatch for Index Key")
    assert "Item" not in ddb.get_item(TableName=t, Key={"pk": S("a"), "sk": N(1)})


@pytest.mark.aws_differs("DynamoDB Local ends the message after 'Index Key'; AWS names the key, "
                         "the types and the index")
def test_type_mismatch_message_names_key_types_and_index(ddb, gtable):
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=gtable, Item={"pk": S("a"), "sk": N(1), "g": N(5)})
    assert err(e) == ("ValidationException", "One or more parameter values were invalid: Type mismatch for Index "
                                             "Key g Expected: S Actual: N IndexName: byG")


# ---- Query and Scan rules ---------------------------------------------------------------------

def test_query_index_rules_and_messages(ddb, gtable):
    t = gtable
    ddb.put_item(TableName=t, Item={"pk": S("a"), "sk": N(1), "g": S("x"), "gs": N(1), "b": S("B")})
    q = dict(TableName=t, KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": S("x")})
    cases = [
        (dict(IndexName="nope"), "The table does not have the specified index: nope"),
        (dict(IndexName="byG", ConsistentRead=True), "Consistent reads are not supported on global secondary indexes"),
        (dict(IndexName="byG", Select="ALL_ATTRIBUTES"),
         "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global "
         "secondary index byG because its projection type is not ALL"),
        (dict(IndexName="byG", ProjectionExpression="b"),
         "One or more parameter values were invalid: Global secondary index byG does not project [b]"),
    ]
    for extra, msg in cases:
        with pytest.raises(ClientError) as e:
            ddb.query(**q, **extra)
        assert err(e) == ("ValidationException", msg), extra
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=t, IndexName="byG", KeyConditionExpression="pk = :g",
                  ExpressionAttributeValues={":g": S("a")})
    # AWS adds ": g" (keys.c's table queries do too); DynamoDB Local stops after "element"
    assert err(e)[0] == "ValidationException"
    assert err(e)[1].startswith("Query condition missed key schema element")
    with pytest.raises(ClientError) as e:
        ddb.query(**{**q, "ExpressionAttributeValues": {":g": S("x"), ":v": N(1)}}, IndexName="byG",
                  FilterExpression="gs = :v")
    assert err(e) == ("ValidationException",
                      "Filter Expression can only contain non-primary key attributes: Primary key attribute: gs")
    with pytest.raises(ClientError) as e:
        ddb.query(**{**q, "ExpressionAttributeValues": {":g": S("x"), ":v": S("B")}}, IndexName="byG",
                  FilterExpression="b = :v OR c = :v OR b = :v")
    assert err(e) == ("ValidationException", "One or more parameter values were invalid: Secondary index byG does "
                                             "not project one or more filter attributes: [b, c]")
    # the table's key may be filtered on in an index
    r = ddb.query(**{**q, "ExpressionAttributeValues": {":g": S("x"), ":v": N(1)}}, IndexName="byG",
                  FilterExpression="sk = :v")
    assert r["Count"] == 1
    r = ddb.query(**q, IndexName="byGInc", Select="COUNT")
    assert (r["Count"], r["ScannedCount"], "Items" in r) == (1, 1, False)
    r = ddb.query(**q, IndexName="byGInc", Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="pk, g")
    assert r["Items"] == [{"pk": S("a"), "g": S("x")}]
    r = ddb.query(**q, IndexName="byGAll", Select="ALL_ATTRIBUTES")
    assert r["Items"] == [{"pk": S("a"), "sk": N(1), "g": S("x"), "gs": N(1), "b": S("B")}]
    r = ddb.query(**q, IndexName="byGAll", Select="ALL_PROJECTED_ATTRIBUTES")
    assert r["Items"][0]["b"] == S("B")


def test_exclusive_start_key_of_an_index(ddb, gtable):
    t = gtable
    for i in range(4):
        ddb.put_item(TableName=t, Item={"pk": S(f"p{i}"), "sk": N(1), "g": S("x"), "gs": N(7)})
    q = dict(TableName=t, IndexName="byG", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": S("x")})
    # equal index keys: the table key keeps the entries apart and pages never repeat one
    keys = [i["pk"]["S"] for i in query_all(ddb, **q, Limit=1)]
    assert sorted(keys) == ["p0", "p1", "p2", "p3"]
    back = [i["pk"]["S"] for i in query_all(ddb, **q, Limit=3, ScanIndexForward=False)]
    assert back == keys[::-1]
    with pytest.raises(ClientError) as e:
        ddb.query(**q, ExclusiveStartKey={"g": S("x"), "gs": N(7)})
    assert err(e)[0] == "ValidationException"
    assert err(e)[1].startswith("The provided starting key is invalid")


def test_scan_index_with_segments_and_pages(ddb, gtable):
    t = gtable
    with_g = set()
    for i in range(40):
        item = {"pk": S(f"p{i}"), "sk": N(i)}
        if i % 4:
            item.update({"g": S(f"g{i % 7}"), "gs": N(i)})
            with_g.add(f"p{i}")
        ddb.put_item(TableName=t, Item=item)
    seen = []
    for seg in range(3):
        start = None
        while True:
            kw = {"ExclusiveStartKey": start} if start else {}
            r = ddb.scan(TableName=t, IndexName="byG", Segment=seg, TotalSegments=3, Limit=4, **kw)
            seen += [i["pk"]["S"] for i in r["Items"]]
            start = r.get("LastEvaluatedKey")
            if not start:
                break
    assert sorted(seen) == sorted(with_g)
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=t, IndexName="byG", ConsistentRead=True)
    assert err(e) == ("ValidationException", "Consistent reads are not supported on global secondary indexes")
    r = ddb.scan(TableName=t, IndexName="byGInc", FilterExpression="gs > :v",
                 ExpressionAttributeValues={":v": N(30)})
    assert r["ScannedCount"] == len(with_g)


# ---- local secondary indexes -----------------------------------------------------------------

@pytest.fixture
def ltable(make_table):
    return make_table(
        range=("sk", "N"), extra_attrs={"l": "S"},
        LocalSecondaryIndexes=[{"IndexName": "byL", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                   {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}])


def test_lsi_query_fetches_attributes_from_the_table(ddb, ltable):
    t = ltable
    ddb.put_item(TableName=t, Item={"pk": S("a"), "sk": N(1), "l": S("q"), "b": S("B1")})
    ddb.put_item(TableName=t, Item={"pk": S("a"), "sk": N(2), "l": S("p"), "b": S("B2")})
    ddb.put_item(TableName=t, Item={"pk": S("a"), "sk": N(3), "b": S("no l")})
    q = dict(TableName=t, IndexName="byL", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("a")})
    r = ddb.query(**q)
    assert r["Items"] == [{"pk": S("a"), "sk": N(2), "l": S("p")}, {"pk": S("a"), "sk": N(1), "l": S("q")}]
    r = ddb.query(**q, Select="ALL_ATTRIBUTES")
    assert [i["b"]["S"] for i in r["Items"]] == ["B2", "B1"]
    r = ddb.query(**q, ProjectionExpression="b", ConsistentRead=True, ReturnConsumedCapacity="INDEXES")
    assert r["Items"] == [{"b": S("B2")}, {"b": S("B1")}]
    assert r["ConsumedCapacity"] == {"TableName": t, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 2.0},
                                     "LocalSecondaryIndexes": {"byL": {"CapacityUnits": 1.0}}}
    with pytest.raises(ClientError) as e:
        ddb.query(**{**q, "ExpressionAttributeValues": {":p": S("a"), ":b": S("B1")}}, FilterExpression="b = :b")
    assert err(e) == ("ValidationException", "One or more parameter values were invalid: Secondary index byL does "
                                             "not project one or more filter attributes: [b]")
    # a Scan may filter on any attribute; the LSI reads it from the table and still returns its projection
    r = ddb.scan(TableName=t, IndexName="byL", FilterExpression="b = :b", ExpressionAttributeValues={":b": S("B1")})
    assert r["Items"] == [{"pk": S("a"), "sk": N(1), "l": S("q")}]
    assert r["ScannedCount"] == 2


# ---- DescribeTable ------------------------------------------------------------------------------

@pytest.mark.ddbd_only
def test_describe_reports_index_figures(ddb, gtable, endpoint):
    t = gtable
    for i in range(3):
        ddb.put_item(TableName=t, Item={"pk": S(f"p{i}"), "sk": N(1), "g": S("x"), "gs": N(i), "a": S("A" * 10)})
    ddb.put_item(TableName=t, Item={"pk": S("q"), "sk": N(1)})
    d = ddb.describe_table(TableName=t)["Table"]
    by = {g["IndexName"]: g for g in d["GlobalSecondaryIndexes"]}
    assert [by[n]["ItemCount"] for n in ("byG", "byGInc", "byGAll")] == [3, 3, 3]
    assert 0 < by["byG"]["IndexSizeBytes"] < by["byGInc"]["IndexSizeBytes"]
    assert by["byG"]["IndexStatus"] == "ACTIVE" and "Backfilling" not in by["byG"]
    assert by["byG"]["IndexArn"] == d["TableArn"] + "/index/byG"
    ddb.delete_item(TableName=t, Key={"pk": S("p0"), "sk": N(1)})
    d = ddb.describe_table(TableName=t)["Table"]
    assert {g["IndexName"]: g["ItemCount"] for g in d["GlobalSecondaryIndexes"]} == \
        {"byG": 2, "byGInc": 2, "byGAll": 2}


# ---- UpdateTable: adding and removing GSIs ---------------------------------------------------

def fill(ddb, t, n):
    for start in range(0, n, 25):
        ddb.batch_write_item(RequestItems={t: [
            {"PutRequest": {"Item": {"pk": S(f"item-{i:05d}"), "kind": S("k%d" % (i % 2)), "n": N(i)}}}
            for i in range(start, min(n, start + 25))]})


def test_add_gsi_to_populated_table_backfills_it(ddb, make_table, server):
    t = make_table()
    fill(ddb, t, 3000)
    r = ddb.update_table(TableName=t, AttributeDefinitions=[{"AttributeName": "kind", "AttributeType": "S"},
                                                            {"AttributeName": "n", "AttributeType": "N"}],
                         GlobalSecondaryIndexUpdates=[{"Create": gsi("byKind", "kind", "n", "ALL")}])
    created = r["TableDescription"]["GlobalSecondaryIndexes"][0]
    assert (created["IndexName"], created["IndexStatus"]) == ("byKind", "CREATING")
    try:  # most likely still backfilling: AWS refuses to read it then
        ddb.query(TableName=t, IndexName="byKind", KeyConditionExpression="kind = :k",
                  ExpressionAttributeValues={":k": S("k1")})
    except ClientError as e:
        # AWS's message; DynamoDB Local fails such a read with InternalFailure
        if server.kind != "local":
            assert err(e) == ("ValidationException", "Cannot read from backfilling global secondary index")
    statuses = []

    def active():
        statuses.append(ddb.describe_table(TableName=t)["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"])
        return statuses[-1] == "ACTIVE"

    helpers.wait_until(active, timeout=120, what="the backfilled index to be ACTIVE")
    assert set(statuses) <= {"CREATING", "ACTIVE"}
    items = query_all(ddb, TableName=t, IndexName="byKind", KeyConditionExpression="kind = :k",
                      ExpressionAttributeValues={":k": S("k1")})
    assert len(items) == 1500
    assert [int(i["n"]["N"]) for i in items] == list(range(1, 3000, 2))


def test_update_table_index_errors_and_delete(ddb, gtable):
    t = gtable
    defs = [{"AttributeName": "b", "AttributeType": "S"}]
    new = gsi("byB", "b", None, "ALL")
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=t, AttributeDefinitions=defs,
                         GlobalSecondaryIndexUpdates=[{"Create": new}, {"Delete": {"IndexName": "byG"}}])
    assert err(e) == ("LimitExceededException", "Subscriber limit exceeded: Only 1 online index can be created or "
                                                "deleted simultaneously per table")
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=t, AttributeDefinitions=defs,
                         GlobalSecondaryIndexUpdates=[{"Create": gsi("byG", "b")}])
    assert err(e) == ("ValidationException", "Attempting to create an index which already exists")
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=t, GlobalSecondaryIndexUpdates=[{"Create": new}])
    assert err(e) == ("ValidationException", "No Attribute Schema Defined")
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=t, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}])
    assert err(e) == ("ResourceNotFoundException", "Requested resource not found")
    ddb.put_item(TableName=t, Item={"pk": S("a"), "sk": N(1), "g": S("x"), "gs": N(1)})
    ddb.update_table(TableName=t, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byGInc"}}])

    def index_names():
        return [g["IndexName"] for g in ddb.describe_table(TableName=t)["Table"].get("GlobalSecondaryIndexes", [])]

    helpers.wait_until(lambda: "byGInc" not in index_names(), timeout=60, what="byGInc to be gone")
    assert sorted(index_names()) == ["byG", "byGAll"]
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=t, IndexName="byGInc", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": S("x")})
    assert err(e) == ("ValidationException", "The table does not have the specified index: byGInc")
    assert index_keys(ddb, t, "byG", "x") == ["a"]


def test_cli_query_on_an_index(endpoint, ddb, gtable):
    ddb.put_item(TableName=gtable, Item={"pk": S("a"), "sk": N(1), "g": S("x"), "gs": N(1)})
    out = helpers.run_cli(endpoint, "dynamodb", "query", "--table-name", gtable, "--index-name", "byG",
                          "--key-condition-expression", "g = :g",
                          "--expression-attribute-values", '{":g":{"S":"x"}}')
    assert out["Items"] == [{"pk": S("a"), "sk": N(1), "g": S("x"), "gs": N(1)}]
    assert out["Count"] == 1


@pytest.mark.ddbd_only
def test_backfill_resumes_after_restart(tmp_path, start_ddbd):
    data = tmp_path / "data"
    p = start_ddbd(helpers.DATA_DIR_FLAG, str(data))
    c = helpers.make_client(p.endpoint)
    helpers.create_table(c, "ttt")
    fill(c, "ttt", 4000)
    c.update_table(TableName="ttt", AttributeDefinitions=[{"AttributeName": "kind", "AttributeType": "S"}],
                   GlobalSecondaryIndexUpdates=[{"Create": gsi("byKind", "kind")}])
    p.kill()  # whatever the backfill had committed stays; the rest must resume
    p = start_ddbd(helpers.DATA_DIR_FLAG, str(data))
    c = helpers.make_client(p.endpoint)

    def index_if_active():
        g = c.describe_table(TableName="ttt")["Table"]["GlobalSecondaryIndexes"][0]
        return g if g["IndexStatus"] == "ACTIVE" else None

    g = helpers.wait_until(index_if_active, timeout=60, what="the resumed backfill to finish")
    assert g["ItemCount"] == 4000
    items = query_all(c, TableName="ttt", IndexName="byKind", KeyConditionExpression="kind = :k",
                      ExpressionAttributeValues={":k": S("k0")})
    assert len(items) == 2000
    assert p.terminate() == 0


def test_index_count_limits(ddb, make_table):
    defs = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"}]
    ks = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    lsi = [{"IndexName": "lsi%d" % i, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                    {"AttributeName": "g", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}} for i in range(6)]
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=helpers.unique_name(), BillingMode="PAY_PER_REQUEST", AttributeDefinitions=defs,
                         KeySchema=ks, GlobalSecondaryIndexes=[gsi("gsi%02d" % i, "g") for i in range(21)])
    assert err(e) == ("ValidationException", "GlobalSecondaryIndex count exceeds the per-table limit")
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=helpers.unique_name(), BillingMode="PAY_PER_REQUEST", AttributeDefinitions=defs,
                         KeySchema=ks, LocalSecondaryIndexes=lsi)
    assert err(e) == ("ValidationException", "Cannot have more than 5 local secondary indexes per table")
    t = make_table(range=("sk", "S"), extra_attrs={"g": "S"},
                   GlobalSecondaryIndexes=[gsi("gsi%02d" % i, "g") for i in range(20)], LocalSecondaryIndexes=lsi[:5])
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=t, AttributeDefinitions=defs, GlobalSecondaryIndexUpdates=[{"Create": gsi("more", "g")}])
    assert err(e) == ("LimitExceededException", "Number of global secondary indexes exceeds per-table limit")
    # 25 indexes, all maintained by one write
    r = ddb.put_item(TableName=t, Item={"pk": S("a"), "sk": S("b"), "g": S("c")}, ReturnConsumedCapacity="INDEXES")
    assert len(r["ConsumedCapacity"]["GlobalSecondaryIndexes"]) == 20
    assert len(r["ConsumedCapacity"]["LocalSecondaryIndexes"]) == 5
    assert r["ConsumedCapacity"]["CapacityUnits"] == 26.0


def test_long_index_sort_keys_keep_their_order(ddb, make_table):
    """Sort keys past the inline limit share a key prefix; pages still follow value order."""
    t = make_table(extra_attrs={"g": "S", "s": "S"}, GlobalSecondaryIndexes=[gsi("byS", "g", "s", "ALL")])
    long_prefix = "x" * 600
    values = [long_prefix + c for c in "dbeac"] + ["x" * 10, long_prefix, long_prefix + "a" * 300]
    for i, val in enumerate(values):
        ddb.put_item(TableName=t, Item={"pk": S(f"p{i}"), "g": S("x"), "s": S(val)})
    ddb.put_item(TableName=t, Item={"pk": S("dup"), "g": S("x"), "s": S(long_prefix + "c")})
    q = dict(TableName=t, IndexName="byS", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": S("x")})
    want = sorted(values + [long_prefix + "c"])
    for limit in (1, 2, 100):
        got = [i["s"]["S"] for i in query_all(ddb, **q, Limit=limit)]
        assert got == want, limit
        got = [i["s"]["S"] for i in query_all(ddb, **q, Limit=limit, ScanIndexForward=False)]
        assert got == want[::-1], limit
    r = ddb.query(TableName=t, IndexName="byS", KeyConditionExpression="g = :g AND s > :v",
                  ExpressionAttributeValues={":g": S("x"), ":v": S(long_prefix + "b")})
    assert [i["s"]["S"] for i in r["Items"]] == [v for v in want if v > long_prefix + "b"]


CREATE_BY_KIND = ('[{"Create":{"IndexName":"byKind","KeySchema":[{"AttributeName":"kind","KeyType":"HASH"}],'
                  '"Projection":{"ProjectionType":"ALL"}%s}}]')


@pytest.mark.aws_differs("DynamoDB Local fails this UpdateTable with InternalFailure")
def test_provisioned_table_needs_throughput_for_a_new_gsi(endpoint, make_table):
    t = make_table(ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    code, _, stderr = helpers.run_cli(endpoint, "dynamodb", "update-table", "--table-name", t,
                                      "--attribute-definitions", "AttributeName=kind,AttributeType=S",
                                      "--global-secondary-index-updates", CREATE_BY_KIND % "", check=False)
    assert code != 0
    assert "(ValidationException) when calling the UpdateTable operation" in stderr
    assert stderr.strip().endswith("): One or more parameter values were invalid: ProvisionedThroughput must be "
                                   "specified for index: byKind")


def test_cli_adds_updates_and_deletes_a_provisioned_gsi(endpoint, ddb, make_table):
    t = make_table(ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    for i in range(30):
        ddb.put_item(TableName=t, Item={"pk": S(f"p{i}"), "kind": S("k%d" % (i % 3))})
    out = helpers.run_cli(endpoint, "dynamodb", "update-table", "--table-name", t,
                          "--attribute-definitions", "AttributeName=kind,AttributeType=S",
                          "--global-secondary-index-updates", CREATE_BY_KIND % ',"ProvisionedThroughput":'
                                                                               '{"ReadCapacityUnits":2,"WriteCapacityUnits":3}')
    assert out["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    helpers.wait_until(lambda: helpers.run_cli(endpoint, "dynamodb", "describe-table", "--table-name", t, "--query",
                                               "Table.GlobalSecondaryIndexes[0].IndexStatus") == "ACTIVE",
                       timeout=120, what="the index to be ACTIVE, as the CLI sees it")
    out = helpers.run_cli(endpoint, "dynamodb", "query", "--table-name", t, "--index-name", "byKind",
                          "--key-condition-expression", "kind = :k", "--expression-attribute-values",
                          '{":k":{"S":"k1"}}', "--select", "COUNT")
    assert out["Count"] == 10
    helpers.run_cli(endpoint, "dynamodb", "update-table", "--table-name", t, "--global-secondary-index-updates",
                    '[{"Update":{"IndexName":"byKind","ProvisionedThroughput":'
                    '{"ReadCapacityUnits":4,"WriteCapacityUnits":6}}}]')
    pt = ddb.describe_table(TableName=t)["Table"]["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (4, 6)
    out = helpers.run_cli(endpoint, "dynamodb", "update-table", "--table-name", t,
                          "--global-secondary-index-updates", '[{"Delete":{"IndexName":"byKind"}}]')
    assert [(g["IndexName"], g["IndexStatus"]) for g in out["TableDescription"]["GlobalSecondaryIndexes"]] == \
        [("byKind", "DELETING")]
    # only the definitions some key uses remain
    assert out["TableDescription"]["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]
    helpers.wait_until(lambda: "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=t)["Table"],
                       timeout=60, what="the deleted index to be gone")


def test_legacy_key_conditions_on_an_index(ddb, gtable):
    ddb.put_item(TableName=gtable, Item={"pk": S("a"), "sk": N(1), "g": S("x"), "gs": N(5)})
    ddb.put_item(TableName=gtable, Item={"pk": S("b"), "sk": N(1), "g": S("x"), "gs": N(1)})
    r = ddb.query(TableName=gtable, IndexName="byG", KeyConditions={
        "g": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]},
        "gs": {"ComparisonOperator": "GT", "AttributeValueList": [N(2)]}})
    assert [i["pk"]["S"] for i in r["Items"]] == ["a"]


@pytest.mark.aws_differs("DynamoDB Local says 'Indexes must have a projection specified'; AWS checks the "
                         "model's required members first, as for CreateTable's indexes")
def test_index_create_needs_a_projection(raw_ddb, gtable):
    defs = [{"AttributeName": "b", "AttributeType": "S"}]
    with pytest.raises(ClientError) as e:
        raw_ddb.update_table(TableName=gtable, AttributeDefinitions=defs, GlobalSecondaryIndexUpdates=[
            {"Create": {"IndexName": "byB", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}]}}])
    assert err(e) == ("ValidationException", "1 validation error detected: Value null at "
                                             "'globalSecondaryIndexUpdates.1.member.create.projection' failed to "
                                             "satisfy constraint: Member must not be null")


@pytest.mark.aws_differs("DynamoDB Local says 'Invalid global secondary index name'; AWS checks the model's "
                         "required members first")
def test_index_delete_needs_a_name(raw_ddb, gtable):
    with pytest.raises(ClientError) as e:
        raw_ddb.update_table(TableName=gtable, GlobalSecondaryIndexUpdates=[{"Delete": {}}])
    assert err(e) == ("ValidationException", "1 validation error detected: Value null at "
                                             "'globalSecondaryIndexUpdates.1.member.delete.indexName' failed to "
                                             "satisfy constraint: Member must not be null")


# ---- the rules of an index definition (AWS's messages, as dynalite's tests and the conformance
# suite recorded them, where DynamoDB Local's differ; Local's where AWS's are not recorded) -------

_AD = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
       {"AttributeName": "l", "AttributeType": "S"}]
_KS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]


def _ix(name="gix", keys=(("l", "HASH"),), projection=None):
    return {"IndexName": name, "KeySchema": [{"AttributeName": a, "KeyType": k} for a, k in keys],
            "Projection": projection if projection is not None else {"ProjectionType": "ALL"}}


_LSI_KEYS = (("pk", "HASH"), ("l", "RANGE"))
INVALID = "One or more parameter values were invalid: "
_LOCAL_DIFFERS = "DynamoDB Local words index definition errors its own way"
BAD_DEFINITIONS = [
    pytest.param({"LocalSecondaryIndexes": [_ix("lix", (("l", "HASH"), ("sk", "RANGE")))]},
                 INVALID + "Index KeySchema does not have the same leading hash key as table KeySchema for index: "
                 "lix. index hash key: l, table hash key: pk", marks=pytest.mark.aws_differs(_LOCAL_DIFFERS)),
    pytest.param({"LocalSecondaryIndexes": [_ix("lix", (("pk", "HASH"),))]},
                 INVALID + "Index KeySchema does not have a range key for index: lix",
                 marks=pytest.mark.aws_differs(_LOCAL_DIFFERS)),
    pytest.param({"GlobalSecondaryIndexes": [_ix(), _ix()]}, INVALID + "Duplicate index name: gix",
                 marks=pytest.mark.aws_differs(_LOCAL_DIFFERS)),
    pytest.param({"LocalSecondaryIndexes": [_ix("lix", _LSI_KEYS), _ix("lix", _LSI_KEYS)]},
                 INVALID + "Duplicate index name: lix", marks=pytest.mark.aws_differs(_LOCAL_DIFFERS)),
    pytest.param({"GlobalSecondaryIndexes": [_ix("xxx")], "LocalSecondaryIndexes": [_ix("xxx", _LSI_KEYS)]},
                 INVALID + "Duplicate index name: xxx", marks=pytest.mark.aws_differs(_LOCAL_DIFFERS)),
    pytest.param({"GlobalSecondaryIndexes": [_ix(projection={"ProjectionType": "FOO"})]},
                 "1 validation error detected: Value 'FOO' at 'globalSecondaryIndexes.1.member.projection."
                 "projectionType' failed to satisfy constraint: Member must satisfy enum value set: "
                 "[ALL, INCLUDE, KEYS_ONLY]", marks=pytest.mark.aws_differs(_LOCAL_DIFFERS)),
    pytest.param({"GlobalSecondaryIndexes": [_ix(projection={})]}, INVALID + "Unknown ProjectionType: null",
                 marks=pytest.mark.aws_differs(_LOCAL_DIFFERS)),
    pytest.param({"GlobalSecondaryIndexes": [_ix(projection={"ProjectionType": "KEYS_ONLY",
                                                             "NonKeyAttributes": ["a"]})]},
                 INVALID + "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified",
                 marks=pytest.mark.aws_differs(_LOCAL_DIFFERS)),
    ({"GlobalSecondaryIndexes": [_ix(projection={"ProjectionType": "INCLUDE"})]},
     "If Projection type INCLUDE is specified, some non-key attributes to include in the projection must be "
     "specified as well"),
    ({"GlobalSecondaryIndexes": [_ix(projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "a"]})]},
     "Cannot have two attributes with the same name"),
    pytest.param({"GlobalSecondaryIndexes": [_ix(keys=(("l", "HASH"), ("l", "RANGE")))]},
                 "Both the Hash Key and the Range Key element in the KeySchema have the same name",
                 marks=pytest.mark.aws_differs(_LOCAL_DIFFERS)),
    pytest.param({"GlobalSecondaryIndexes": [_ix(keys=(("l", "RANGE"),))]},
                 "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
                 marks=pytest.mark.aws_differs("DynamoDB Local: 'No Hash Key specified in schema. ...'")),
    pytest.param({"GlobalSecondaryIndexes": [_ix("g")]},
                 "1 validation error detected: Value 'g' at 'globalSecondaryIndexes.1.member.indexName' failed to "
                 "satisfy constraint: Member must have length greater than or equal to 3",
                 marks=pytest.mark.aws_differs(_LOCAL_DIFFERS)),
]


@pytest.mark.parametrize("indexes,message", BAD_DEFINITIONS)
def test_create_table_refuses_bad_index_definitions(raw_ddb, ddb, table_name, indexes, message):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=table_name, AttributeDefinitions=_AD, KeySchema=_KS,
                             BillingMode="PAY_PER_REQUEST", **indexes)
    assert err(e) == ("ValidationException", message)
    assert table_name not in ddb.list_tables()["TableNames"]


def _as_update(p):
    """A CreateTable case as an UpdateTable Create case (paths say where the index is)."""
    indexes, message = p.values if hasattr(p, "values") else p
    message = message.replace("'globalSecondaryIndexes.1.member.", "'globalSecondaryIndexUpdates.1.member.create.")
    return pytest.param(indexes, message, marks=getattr(p, "marks", ()))


@pytest.mark.parametrize("indexes,message", [_as_update(p) for p in BAD_DEFINITIONS
                                             if "GlobalSecondaryIndexes" in (p.values if hasattr(p, "values") else p)[0]
                                             and len((p.values if hasattr(p, "values") else p)[0][
                                                 "GlobalSecondaryIndexes"]) == 1
                                             and "LocalSecondaryIndexes" not in (p.values if hasattr(p, "values")
                                                                                 else p)[0]])
def test_update_table_refuses_bad_index_definitions(raw_ddb, make_table, indexes, message):
    table = make_table(range=("sk", "S"))
    with pytest.raises(ClientError) as e:
        raw_ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": "l", "AttributeType": "S"}],
                             GlobalSecondaryIndexUpdates=[{"Create": indexes["GlobalSecondaryIndexes"][0]}])
    assert err(e) == ("ValidationException", message)
    assert "GlobalSecondaryIndexes" not in raw_ddb.describe_table(TableName=table)["Table"]
