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


@pytest.mark.ddbd_only
def test_mutated_requests_get_dynamodb_answers(endpoint):
    rng = random.Random(20261122)
    conn = helpers.raw_request  # one request per call: each gets its own answer
    for i in range(1500):
        op = rng.choice(list(OPS))
        body = mutate(rng, OPS[op]) if i % 5 else OPS[op]
        status, headers, raw = conn(endpoint, op, json.dumps(body))
        assert status in (200, 400, 413), (op, body, status, raw)
        reply = json.loads(raw)
        if status != 200:
            assert "__type" in reply, (op, body, raw)
    # still serving
    status, _, raw = conn(endpoint, "ListTables", "{}")
    assert status == 200 and "TableNames" in json.loads(raw)
