"""Faults on demand: POST /_ddbd/faults injects AWS's throttling and server errors, transaction
conflicts, latency and dropped connections for an operation, a table, a key or a share of requests,
for a count or a time; GET lists them, DELETE clears them. Real SDKs (boto3, npm's
@aws-sdk/client-dynamodb) retry the retryable ones and succeed once the fault is used up.

Each test runs its own ddbd: faults are server-wide and must not leak into other tests."""
import json
import os
import subprocess
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from helpers import DEFAULT_ACCESS_KEY, DEFAULT_REGION, DEFAULT_SECRET_KEY, admin, create_table, err, get, \
    make_client, raw_request

pytestmark = pytest.mark.ddbd_only

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "tests" / "node" / "node_modules"


def retrying_client(endpoint, attempts=5):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=DEFAULT_REGION,
                        aws_access_key_id=DEFAULT_ACCESS_KEY, aws_secret_access_key=DEFAULT_SECRET_KEY,
                        config=Config(retries={"max_attempts": attempts, "mode": "standard"}, read_timeout=10))


@pytest.fixture
def ddbd(start_ddbd):
    p = start_ddbd("--in-memory")
    c = make_client(p.endpoint)
    p.table = create_table(c)
    p.client = c
    return p


def add_fault(endpoint, **fault):
    status, doc = admin(endpoint, "/_ddbd/faults", fault)
    assert status == 201, doc
    return doc


@pytest.mark.parametrize("error,status,type_ns", [
    ("ProvisionedThroughputExceededException", 400, "com.amazonaws.dynamodb.v20120810#"),
    ("ThrottlingException", 400, "com.amazon.coral.availability#"),
    ("RequestLimitExceeded", 400, "com.amazonaws.dynamodb.v20120810#"),
    ("InternalServerError", 500, "com.amazonaws.dynamodb.v20120810#"),
])
def test_error_faults_answer_as_aws_then_clear_by_count(ddbd, error, status, type_ns):
    f = add_fault(ddbd.endpoint, Error=error, TableName=ddbd.table, Count=2)
    assert f["Remaining"] == 2 and f["Error"] == error and f["Id"]
    body = json.dumps({"TableName": ddbd.table, "Item": {"pk": {"S": "a"}}})
    for _ in range(2):
        st, _, data = raw_request(ddbd.endpoint, "PutItem", body)
        assert st == status
        doc = json.loads(data)
        assert doc["__type"] == type_ns + error and doc["message"]
    st, _, data = raw_request(ddbd.endpoint, "PutItem", body)
    assert st == 200, data  # the count is used up: the fault is gone
    assert admin(ddbd.endpoint, "/_ddbd/faults") == (200, {"Faults": []})


@pytest.mark.parametrize("error", ["ProvisionedThroughputExceededException", "ThrottlingException",
                                   "RequestLimitExceeded", "InternalServerError"])
def test_boto3_retries_until_the_fault_clears(ddbd, error):
    add_fault(ddbd.endpoint, Error=error, Operation="PutItem", Count=3)
    c = retrying_client(ddbd.endpoint, attempts=5)
    r = c.put_item(TableName=ddbd.table, Item={"pk": {"S": "retried"}})
    assert r["ResponseMetadata"]["RetryAttempts"] == 3
    assert get(ddbd.client, ddbd.table, {"pk": {"S": "retried"}}) == {"pk": {"S": "retried"}}


def test_boto3_gives_up_while_the_fault_lasts(ddbd):
    add_fault(ddbd.endpoint, Error="ThrottlingException", DurationSeconds=30)
    c = retrying_client(ddbd.endpoint, attempts=3)
    with pytest.raises(ClientError) as e:
        c.get_item(TableName=ddbd.table, Key={"pk": {"S": "x"}})
    assert err(e)[0] == "ThrottlingException"
    retries = e.value.response["ResponseMetadata"]["RetryAttempts"]
    assert retries >= 2
    status, doc = admin(ddbd.endpoint, "/_ddbd/faults")
    assert doc["Faults"][0]["Hits"] == retries + 1 and 0 < doc["Faults"][0]["ExpiresInSeconds"] <= 30
    assert admin(ddbd.endpoint, "/_ddbd/faults", method="DELETE") == (200, {"Removed": 1})
    assert c.get_item(TableName=ddbd.table, Key={"pk": {"S": "x"}})["ResponseMetadata"]["RetryAttempts"] == 0


def test_duration_ends_a_fault(ddbd):
    add_fault(ddbd.endpoint, Error="InternalServerError", DurationSeconds=2)  # long enough on a loaded box
    with pytest.raises(ClientError):
        ddbd.client.get_item(TableName=ddbd.table, Key={"pk": {"S": "x"}})
    time.sleep(2.2)
    ddbd.client.get_item(TableName=ddbd.table, Key={"pk": {"S": "x"}})
    assert admin(ddbd.endpoint, "/_ddbd/faults")[1] == {"Faults": []}


def test_dropped_connection_is_retried_and_runs_once(ddbd):
    """Drop: the connection closes before the operation runs; the SDK reconnects and retries."""
    add_fault(ddbd.endpoint, Drop=True, Operation="PutItem", Count=1)
    c = retrying_client(ddbd.endpoint)
    r = c.put_item(TableName=ddbd.table, Item={"pk": {"S": "d"}, "n": {"N": "1"}},
                   ConditionExpression="attribute_not_exists(pk)")
    assert r["ResponseMetadata"]["RetryAttempts"] == 1


def test_dropped_reply_after_the_write_shows_why_appends_need_conditions(ddbd):
    """DropReply: the write commits, its reply is lost; the SDK's retry of a conditional append then
    fails its condition, the situation an event store must handle."""
    add_fault(ddbd.endpoint, DropReply=True, Operation="PutItem", Count=1)
    c = retrying_client(ddbd.endpoint)
    with pytest.raises(ClientError) as e:
        c.put_item(TableName=ddbd.table, Item={"pk": {"S": "e1"}}, ConditionExpression="attribute_not_exists(pk)")
    assert err(e)[0] == "ConditionalCheckFailedException"
    assert get(ddbd.client, ddbd.table, {"pk": {"S": "e1"}}) == {"pk": {"S": "e1"}}


def test_transaction_conflict_names_the_faulted_action(ddbd):
    t = ddbd.table
    add_fault(ddbd.endpoint, Error="TransactionConflict", Key={"pk": {"S": "b"}}, Count=1)
    items = [{"Put": {"TableName": t, "Item": {"pk": {"S": k}}}} for k in ("a", "b", "c")]
    with pytest.raises(ClientError) as e:
        ddbd.client.transact_write_items(TransactItems=items)
    assert err(e) == ("TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons "
                      "for specific reasons [None, TransactionConflict, None]")
    assert e.value.response["CancellationReasons"] == [
        {"Code": "None"}, {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item."},
        {"Code": "None"}]
    assert get(ddbd.client, t, {"pk": {"S": "a"}}) is None  # nothing was written
    ddbd.client.transact_write_items(TransactItems=items)  # the count is used up: the retry goes through
    assert get(ddbd.client, t, {"pk": {"S": "c"}}) is not None


def test_transaction_conflict_outside_a_transaction(ddbd):
    add_fault(ddbd.endpoint, Error="TransactionConflict", Operation="UpdateItem", Count=1)
    with pytest.raises(ClientError) as e:
        ddbd.client.update_item(TableName=ddbd.table, Key={"pk": {"S": "u"}}, UpdateExpression="SET v = :v",
                                ExpressionAttributeValues={":v": {"N": "1"}})
    assert err(e) == ("TransactionConflictException", "Transaction is ongoing for the item.")


def test_key_table_operation_and_batch_filters(ddbd):
    c, t = ddbd.client, ddbd.table
    other = create_table(c)
    add_fault(ddbd.endpoint, Error="ProvisionedThroughputExceededException", TableName=t, Key={"pk": {"S": "hot"}})
    c.put_item(TableName=t, Item={"pk": {"S": "cold"}})  # another key
    c.put_item(TableName=other, Item={"pk": {"S": "hot"}})  # another table
    for call in (lambda: c.put_item(TableName=t, Item={"pk": {"S": "hot"}, "x": {"S": "1"}}),
                 lambda: c.get_item(TableName=t, Key={"pk": {"S": "hot"}}),
                 lambda: c.batch_get_item(RequestItems={t: {"Keys": [{"pk": {"S": "cold"}}, {"pk": {"S": "hot"}}]}}),
                 lambda: c.batch_write_item(RequestItems={t: [{"DeleteRequest": {"Key": {"pk": {"S": "hot"}}}}]})):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e)[0] == "ProvisionedThroughputExceededException"
    arn = c.describe_table(TableName=t)["Table"]["TableArn"]
    with pytest.raises(ClientError):
        c.get_item(TableName=arn, Key={"pk": {"S": "hot"}})  # a table named by its ARN


def test_percent_applies_to_a_share(ddbd):
    add_fault(ddbd.endpoint, Error="ThrottlingException", Operation="GetItem", Percent=50)
    failed = 0
    for _ in range(200):
        st, _, _ = raw_request(ddbd.endpoint, "GetItem",
                               json.dumps({"TableName": ddbd.table, "Key": {"pk": {"S": "p"}}}))
        failed += st != 200
    assert 60 <= failed <= 140, failed


def test_latency_is_added(ddbd):
    add_fault(ddbd.endpoint, LatencyMs=400, Operation="GetItem", Count=1)
    t0 = time.monotonic()
    ddbd.client.get_item(TableName=ddbd.table, Key={"pk": {"S": "l"}})
    assert time.monotonic() - t0 >= 0.38
    t0 = time.monotonic()
    ddbd.client.get_item(TableName=ddbd.table, Key={"pk": {"S": "l"}})
    assert time.monotonic() - t0 < 0.3


def test_latency_and_an_error_together(ddbd):
    add_fault(ddbd.endpoint, LatencyMs=300, Error="InternalServerError", Count=1)
    t0 = time.monotonic()
    st, _, _ = raw_request(ddbd.endpoint, "ListTables", "{}")
    assert st == 500 and time.monotonic() - t0 >= 0.28


def test_list_and_delete_one(ddbd):
    a = add_fault(ddbd.endpoint, Error="ThrottlingException", Operation="Scan")
    b = add_fault(ddbd.endpoint, LatencyMs=10)
    status, doc = admin(ddbd.endpoint, "/_ddbd/faults")
    assert [f["Id"] for f in doc["Faults"]] == [a["Id"], b["Id"]]
    assert admin(ddbd.endpoint, f"/_ddbd/faults/{a['Id']}", method="DELETE") == (200, {"Removed": 1})
    assert admin(ddbd.endpoint, f"/_ddbd/faults/{a['Id']}", method="DELETE")[0] == 404
    assert [f["Id"] for f in admin(ddbd.endpoint, "/_ddbd/faults")[1]["Faults"]] == [b["Id"]]


@pytest.mark.parametrize("fault,words", [
    ({}, "needs Error, LatencyMs, Drop or DropReply"),
    ({"Error": "Nope"}, "Error must be one of"),
    ({"Error": "ThrottlingException", "Drop": True}, "at most one of"),
    ({"LatencyMs": -1}, "LatencyMs"),
    ({"LatencyMs": 10, "Percent": 0}, "Percent"),
    ({"LatencyMs": 10, "Count": 0}, "Count"),
    ({"LatencyMs": 10, "DurationSeconds": "x"}, "DurationSeconds"),
    ({"LatencyMs": 10, "Key": []}, "Key"),
    ({"LatencyMs": 10, "Tabel": "x"}, "unknown member Tabel"),
    ([1], "JSON object"),
])
def test_bad_definitions_are_refused(ddbd, fault, words):
    status, doc = admin(ddbd.endpoint, "/_ddbd/faults", fault)
    assert status == 400 and words in doc["error"], doc


def test_bad_json_is_refused(ddbd):
    status, doc = admin(ddbd.endpoint, "/_ddbd/faults", "{nope")
    assert status == 400 and "not valid JSON" in doc["error"]


def test_validation_comes_before_faults(ddbd):
    add_fault(ddbd.endpoint, Error="ThrottlingException")
    st, _, data = raw_request(ddbd.endpoint, "GetItem", json.dumps({"TableName": "x"}))
    assert st == 400 and "ValidationException" in json.loads(data)["__type"]


def test_npm_sdk_retries_until_the_fault_clears(ddbd):
    r = subprocess.run(["node", str(REPO / "tests" / "node" / "retry_client.js"), ddbd.endpoint, ddbd.table],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, DDBD_NODE_MODULES=str(NODE_MODULES)))
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert all(x["status"] == 201 for x in out), out
    for x in out[:5]:  # two faulted answers, then success on the third attempt
        assert x.get("error") is None and x["attempts"] == 3 and x["stored"], x
    last = out[5]  # more faults than the SDK's 4 attempts: it gives up with the throttling error
    assert last["error"] == "ThrottlingException" and last["attempts"] == 4, last
