"""BatchGetItem, BatchWriteItem and TransactGetItems: results, projections,
and DynamoDB's validation errors."""
import pytest
from botocore.exceptions import ClientError

from helpers import err


@pytest.fixture
def two_tables(make_table):
    return make_table(), make_table()


def test_batch_write_then_batch_get_with_projection(ddb, two_tables):
    a, b = two_tables
    r = ddb.batch_write_item(RequestItems={
        a: [{"PutRequest": {"Item": {"pk": {"S": "1"}, "v": {"N": "1"}, "m": {"M": {"x": {"S": "y"}}}}}},
            {"PutRequest": {"Item": {"pk": {"S": "2"}}}}],
        b: [{"PutRequest": {"Item": {"pk": {"S": "3"}}}}],
    })
    assert r["UnprocessedItems"] == {}
    r = ddb.batch_get_item(RequestItems={
        a: {"Keys": [{"pk": {"S": "1"}}, {"pk": {"S": "missing"}}], "ProjectionExpression": "#m.x, v",
            "ExpressionAttributeNames": {"#m": "m"}},
        b: {"Keys": [{"pk": {"S": "3"}}], "ConsistentRead": True},
    })
    assert r["UnprocessedKeys"] == {}
    assert r["Responses"][a] == [{"v": {"N": "1"}, "m": {"M": {"x": {"S": "y"}}}}]
    assert r["Responses"][b] == [{"pk": {"S": "3"}}]


def test_batch_write_deletes(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "gone"}})
    ddb.batch_write_item(RequestItems={hash_table: [{"DeleteRequest": {"Key": {"pk": {"S": "gone"}}}},
                                                    {"DeleteRequest": {"Key": {"pk": {"S": "never"}}}}]})
    assert "Item" not in ddb.get_item(TableName=hash_table, Key={"pk": {"S": "gone"}})


@pytest.mark.parametrize("call", ["write", "get"])
def test_batch_duplicate_keys(raw_ddb, hash_table, call):
    with pytest.raises(ClientError) as e:
        if call == "write":
            raw_ddb.batch_write_item(RequestItems={hash_table: [
                {"PutRequest": {"Item": {"pk": {"S": "a"}}}}, {"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]})
        else:
            raw_ddb.batch_get_item(RequestItems={hash_table: {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "a"}}]}})
    assert err(e) == ("ValidationException", "Provided list of item keys contains duplicates")


@pytest.mark.aws_differs("DynamoDB Local: 'Too many items requested for the Batch...Item call'; AWS reports the "
                         "constraint of the one table's list (the conformance suite's tier3 error-messages)")
def test_batch_size_limits(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.batch_write_item(RequestItems={hash_table: [
            {"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(26)]})
    code, msg = err(e)
    assert code == "ValidationException"
    assert msg.startswith("1 validation error detected: Value '{" + hash_table + "=[WriteRequest(")
    assert msg.endswith("' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: "
                        "[Member must have length less than or equal to 25, Member must have length greater than "
                        "or equal to 1]")
    with pytest.raises(ClientError) as e:
        raw_ddb.batch_get_item(RequestItems={hash_table: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(101)]}})
    assert err(e) == ("ValidationException", f"1 validation error detected: Value at 'RequestItems.{hash_table}.member"
                                             ".Keys' failed to satisfy constraint: Member must have length less than "
                                             "or equal to 100")


def test_batch_get_total_limit(raw_ddb, make_table, hash_table):
    """Over 100 keys across tables (each within its own limit): the operation's own message."""
    other = make_table()
    with pytest.raises(ClientError) as e:
        raw_ddb.batch_get_item(RequestItems={
            hash_table: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(60)]},
            other: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(41)]}})
    assert err(e) == ("ValidationException", "Too many items requested for the BatchGetItem call")


def test_batch_write_is_all_or_nothing_on_validation(raw_ddb, hash_table):
    """A bad request anywhere in the batch fails it before anything is written."""
    with pytest.raises(ClientError) as e:
        raw_ddb.batch_write_item(RequestItems={hash_table: [
            {"PutRequest": {"Item": {"pk": {"S": "ok"}}}}, {"PutRequest": {"Item": {"pk": {"N": "1"}}}}]})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Item" not in raw_ddb.get_item(TableName=hash_table, Key={"pk": {"S": "ok"}})


@pytest.mark.aws_differs("DynamoDB Local: 'One of the required keys was not given a value'; AWS checks each "
                         "key like GetItem/PutItem do")
def test_batch_key_schema_messages(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.batch_get_item(RequestItems={hash_table: {"Keys": [{"x": {"S": "a"}}]}})
    assert err(e) == ("ValidationException", "The provided key element does not match the schema")
    with pytest.raises(ClientError) as e:
        raw_ddb.batch_write_item(RequestItems={hash_table: [{"PutRequest": {"Item": {"x": {"S": "a"}}}}]})
    assert err(e) == ("ValidationException", "One or more parameter values were invalid: Missing the key pk in the item")


@pytest.mark.aws_differs("DynamoDB Local: 'Cannot do operations on a non-existent table'")
def test_batch_missing_table(raw_ddb):
    with pytest.raises(ClientError) as e:
        raw_ddb.batch_get_item(RequestItems={"no-such-table": {"Keys": [{"pk": {"S": "a"}}]}})
    assert err(e) == ("ResourceNotFoundException", "Requested resource not found")


def test_transact_get_items(ddb, two_tables):
    a, b = two_tables
    ddb.put_item(TableName=a, Item={"pk": {"S": "1"}, "v": {"N": "5"}, "w": {"S": "x"}})
    r = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": a, "Key": {"pk": {"S": "1"}}, "ProjectionExpression": "v"}},
        {"Get": {"TableName": b, "Key": {"pk": {"S": "none"}}}},
        {"Get": {"TableName": a, "Key": {"pk": {"S": "none"}}}},
    ])
    assert r["Responses"] == [{"Item": {"v": {"N": "5"}}}, {}, {}]


def test_transact_get_items_same_item_twice(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": hash_table, "Key": {"pk": {"S": "a"}}}},
            {"Get": {"TableName": hash_table, "Key": {"pk": {"S": "a"}}}}])
    assert err(e) == ("ValidationException", "Transaction request cannot include multiple operations on one item")
