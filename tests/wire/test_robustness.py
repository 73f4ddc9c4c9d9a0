"""Bad input never crashes ddbd: every operation gets thousands of requests
whose members have the wrong JSON types, wrong shapes and odd values; each
must get a well-formed DynamoDB answer, and the server must keep serving.
Run under the sanitizer build too (scripts/test), where any memory error or
leak on these paths fails the suite."""
import json
import random

import pytest

import helpers

OPS = {
    "CreateTable": {"TableName": "robust", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "BillingMode": "PAY_PER_REQUEST"},
    "DescribeTable": {"TableName": "robust"},
    "ListTables": {"Limit": 5, "ExclusiveStartTableName": "abc"},
    "UpdateTable": {"TableName": "robust", "BillingMode": "PROVISIONED",
                    "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
    "PutItem": {"TableName": "robust", "Item": {"pk": {"S": "a"}, "n": {"N": "1"}, "l": {"L": [{"SS": ["x"]}]}},
                "ConditionExpression": "attribute_not_exists(pk) AND n < :v",
                "ExpressionAttributeValues": {":v": {"N": "5"}}, "ReturnValues": "ALL_OLD"},
    "GetItem": {"TableName": "robust", "Key": {"pk": {"S": "a"}}, "ProjectionExpression": "#n, l[0]",
                "ExpressionAttributeNames": {"#n": "n"}, "ConsistentRead": True},
    "UpdateItem": {"TableName": "robust", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET n = n + :v REMOVE l",
                   "ExpressionAttributeValues": {":v": {"N": "1"}}, "ReturnValues": "UPDATED_NEW"},
    "DeleteItem": {"TableName": "robust", "Key": {"pk": {"S": "a"}}, "ReturnValues": "ALL_OLD"},
    "Query": {"TableName": "robust", "KeyConditionExpression": "pk = :p", "FilterExpression": "n > :v",
              "ExpressionAttributeValues": {":p": {"S": "a"}, ":v": {"N": "0"}}, "Limit": 3,
              "ExclusiveStartKey": {"pk": {"S": "a"}}, "ScanIndexForward": False, "Select": "COUNT"},
    "Scan": {"TableName": "robust", "Segment": 0, "TotalSegments": 2, "Limit": 2,
             "ExclusiveStartKey": {"pk": {"S": "a"}}},
    "DeleteTable": {"TableName": "robust"},
    "BatchGetItem": {"RequestItems": {"robust": {"Keys": [{"pk": {"S": "a"}}], "ProjectionExpression": "n",
                                                 "ConsistentRead": True}}, "ReturnConsumedCapacity": "INDEXES"},
    "BatchWriteItem": {"RequestItems": {"robust": [{"PutRequest": {"Item": {"pk": {"S": "b"}, "g": {"S": "x"}}}},
                                                   {"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]},
                       "ReturnItemCollectionMetrics": "SIZE"},
    "TransactGetItems": {"TransactItems": [{"Get": {"TableName": "robust", "Key": {"pk": {"S": "a"}}}}]},
    "TransactWriteItems": {"TransactItems": [
        {"Put": {"TableName": "robust", "Item": {"pk": {"S": "c"}, "g": {"S": "y"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"ConditionCheck": {"TableName": "robust", "Key": {"pk": {"S": "a"}}, "ConditionExpression": "n > :z",
                            "ExpressionAttributeValues": {":z": {"N": "0"}}}}],
        "ClientRequestToken": "tok", "ReturnConsumedCapacity": "TOTAL"},
    "UpdateTimeToLive": {"TableName": "robust", "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "exp"}},
    "DescribeTimeToLive": {"TableName": "robust"},
}

# What the session adds on top: indexes, streams and the Streams API.
INDEXED_OPS = {
    "CreateTable": {"TableName": "robust", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                             {"AttributeName": "g", "AttributeType": "S"}],
                    "GlobalSecondaryIndexes": [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["n"]}}],
                    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                    "BillingMode": "PAY_PER_REQUEST", "Tags": [{"Key": "k", "Value": "v"}]},
    "UpdateTable": {"TableName": "robust", "AttributeDefinitions": [{"AttributeName": "n", "AttributeType": "N"}],
                    "GlobalSecondaryIndexUpdates": [{"Create": {
                        "IndexName": "byN", "KeySchema": [{"AttributeName": "n", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "KEYS_ONLY"}}}]},
    "Query": {"TableName": "robust", "IndexName": "byG", "KeyConditionExpression": "g = :g",
              "ExpressionAttributeValues": {":g": {"S": "x"}}, "Select": "ALL_PROJECTED_ATTRIBUTES",
              "ExclusiveStartKey": {"pk": {"S": "b"}, "g": {"S": "x"}}, "ReturnConsumedCapacity": "INDEXES"},
    "Scan": {"TableName": "robust", "IndexName": "byG", "Segment": 0, "TotalSegments": 3},
    "DynamoDBStreams_20120810.ListStreams": {"TableName": "robust", "Limit": 2},
    "DynamoDBStreams_20120810.DescribeStream": {"StreamArn": "<stream>", "Limit": 1},
    "DynamoDBStreams_20120810.GetShardIterator": {"StreamArn": "<stream>", "ShardId": "<shard>",
                                                  "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                                                  "SequenceNumber": "000000000000000000001"},
    "DynamoDBStreams_20120810.GetRecords": {"ShardIterator": "<iterator>", "Limit": 10},
}

ODD_VALUES = [None, True, False, 0, -1, 2**63, 1.5, "", "x" * 300, "\u0000\u00e9\U0001f600", [], [None], {},
              {"S": None}, {"N": "1e999"}, {"B": "!!"}, {"SS": []}, {"M": {"": {"NULL": True}}},
              {"L": [{"L": [{"L": []}]}]}, ":v", "#n", "a.b[99999999999]", "((((((((((a))))))))))",
              "SET a = :v, a = :v", "attribute_exists(", {"pk": {"S": "a"}, "extra": {"N": "1"}}]


def mutate(rng, value, depth=0):
    """The value with one member or element replaced by an odd one."""
    if isinstance(value, dict) and value and depth < 6:
        k = rng.choice(list(value))
        out = dict(value)
        if rng.random() < 0.15:
            del out[k]
        else:
            out[k] = mutate(rng, value[k], depth + 1) if rng.random() < 0.6 else rng.choice(ODD_VALUES)
        return out
    if isinstance(value, list) and value and depth < 6:
        i = rng.randrange(len(value))
        out = list(value)
        out[i] = mutate(rng, value[i], depth + 1) if rng.random() < 0.6 else rng.choice(ODD_VALUES)
        return out
    return rng.choice(ODD_VALUES)


def send_mutated(endpoint, ops, rng, count):
    for i in range(count):
        op = rng.choice(list(ops))
        body = mutate(rng, ops[op]) if i % 5 else ops[op]
        status, headers, raw = helpers.raw_request(endpoint, op, json.dumps(body))  # one request, one answer
        assert status in (200, 400, 413), (op, body, status, raw)
        reply = json.loads(raw)
        if status != 200:
            assert "__type" in reply, (op, body, raw)
    # still serving
    status, _, raw = helpers.raw_request(endpoint, "ListTables", "{}")
    assert status == 200 and "TableNames" in json.loads(raw)


@pytest.mark.ddbd_only
def test_mutated_requests_get_dynamodb_answers(endpoint):
    send_mutated(endpoint, OPS, random.Random(20261122), 1500)


def _stream_positions(endpoint):
    """A real stream ARN, shard id and iterator of the table "robust", for the Streams requests."""
    def call(target, body):
        return helpers.raw_call(endpoint, target, body)

    call("DeleteTable", {"TableName": "robust"}) if "robust" in call("ListTables", {})["TableNames"] else None
    call("CreateTable", INDEXED_OPS["CreateTable"])
    call("PutItem", {"TableName": "robust", "Item": {"pk": {"S": "a"}, "g": {"S": "x"}, "n": {"N": "1"}}})
    arn = call("DescribeTable", {"TableName": "robust"})["Table"]["LatestStreamArn"]
    shard = call("DynamoDBStreams_20120810.DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"][0]["ShardId"]
    it = call("DynamoDBStreams_20120810.GetShardIterator",
              {"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
    return {"<stream>": arn, "<shard>": shard, "<iterator>": it}


def _filled(value, subst):
    if isinstance(value, dict):
        return {k: _filled(v, subst) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, subst) for v in value]
    return subst.get(value, value) if isinstance(value, str) else value


@pytest.mark.ddbd_only
def test_mutated_index_and_stream_requests_get_dynamodb_answers(endpoint):
    ops = dict(OPS, **_filled(INDEXED_OPS, _stream_positions(endpoint)))
    send_mutated(endpoint, ops, random.Random(20261123), 1500)


ADMIN_CALLS = [
    ("POST", "/_ddbd/clock", {"advance_seconds": 1}),
    ("POST", "/_ddbd/clock", {"set": "2031-01-01T00:00:00Z", "frozen": False}),
    ("POST", "/_ddbd/ttl/sweep", {}),
    ("POST", "/_ddbd/triggers", {"TableName": "robust", "Url": "http://127.0.0.1:9/fn", "BatchSize": 5,
                                 "StartingPosition": "LATEST", "MaximumRetryAttempts": 0,
                                 "FilterCriteria": {"Filters": [{"Pattern": "{\"eventName\":[\"INSERT\"]}"}]},
                                 "DestinationConfig": {"OnFailure": {"Destination": "http://127.0.0.1:9/dlq"}}}),
]


@pytest.mark.ddbd_only
def test_mutated_admin_requests_get_json_answers(start_ddbd):
    """The /_ddbd/ endpoints on a ddbd of its own (they move its clock)."""
    own = start_ddbd("--in-memory", "--ttl-sweep-seconds", "0")
    rng = random.Random(20261124)
    for i in range(600):
        method, path, body = rng.choice(ADMIN_CALLS)
        sent = mutate(rng, body) if i % 5 else body
        status, reply = helpers.admin(own.endpoint, path, json.dumps(sent).encode(), method=method)
        assert status in (200, 201, 400, 404, 405), (path, sent, status, reply)
        assert isinstance(reply, dict), (path, sent, reply)
    status, _ = helpers.admin(own.endpoint, "/_ddbd/clock")
    assert status == 200
    assert own.terminate() == 0
