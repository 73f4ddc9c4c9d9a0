"""A batch whose commit fails: every write is applied again, alone, and answers as if nothing happened.

ddbd's writer commits queued writes as one batch. When that commit fails, it runs each request of the
batch again in its own transaction, so an apply may run twice. These tests start ddbd with the test-only
fault DDBD_TEST_FAIL_BATCH_COMMIT=1 (every batch commit fails once), so every write below goes through the
retry, and check that each answer, item, index entry and stream record is exactly what one run gives:
an ADD counted once, one stream record per change, ReturnValues from the retry's own reading. With
DDBD_TEST_FAIL_BATCH_COMMIT=all every commit fails: writes answer InternalServerError and nothing changes.
Under the sanitizer build the server's clean exit also proves the retries leak nothing.
"""
import concurrent.futures
import json
import os

import pytest

import helpers

pytestmark = pytest.mark.ddbd_only

COUNTER_KEY = {"pk": {"S": "counter"}, "sk": {"N": "0"}}


def with_fault(fault):
    return dict(os.environ, DDBD_TEST_FAIL_BATCH_COMMIT=fault)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    proc = helpers.DdbdSet(tmp_path_factory.mktemp("faulty")).start("--in-memory", env=with_fault("1"))
    yield proc
    assert proc.terminate() == 0, "ddbd exited uncleanly (a sanitizer report?)"
    retries = proc.log_text().count("retrying its items one by one")
    assert retries > 20, f"the fault did not make batches fail ({retries} retries logged)"


@pytest.fixture(scope="module")
def client(faulty):
    return helpers.make_client(faulty.endpoint)


def create_event_table(client, name):
    helpers.create_table(
        client, name, range=("sk", "N"), extra_attrs={"type": "S"}, stream="NEW_AND_OLD_IMAGES",
        GlobalSecondaryIndexes=[{
            "IndexName": "byType",
            "KeySchema": [{"AttributeName": "type", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }])


def stream_events(faulty, client, table):
    streams = helpers.make_streams_client(faulty.endpoint)
    return [r["eventName"] for r in helpers.read_all(streams, helpers.latest_stream_arn(client, table))]


def test_create_table_retried(client):
    name = helpers.unique_name("fc")
    create_event_table(client, name)
    t = client.describe_table(TableName=name)["Table"]
    assert t["TableName"] == name
    assert [g["IndexName"] for g in t["GlobalSecondaryIndexes"]] == ["byType"]
    assert t["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    with pytest.raises(client.exceptions.ResourceInUseException):
        create_event_table(client, name)


def test_item_writes_retried(faulty, client):
    name = helpers.unique_name("fc")
    create_event_table(client, name)
    item = {"pk": {"S": "a"}, "sk": {"N": "1"}, "type": {"S": "Placed"}, "n": {"N": "1"}}
    assert "Attributes" not in client.put_item(TableName=name, Item=item, ReturnValues="ALL_OLD")

    # A conditional append on an existing item fails with the old item, even on the retry
    # (raw: Debian's botocore predates ReturnValuesOnConditionCheckFailure).
    status, _, body = helpers.raw_request(faulty.endpoint, "PutItem", json.dumps({
        "TableName": name, "Item": item, "ConditionExpression": "attribute_not_exists(sk)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}))
    assert status == 400 and helpers.error_type(body) == "ConditionalCheckFailedException"
    assert json.loads(body)["Item"] == item

    out = client.update_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                             UpdateExpression="ADD n :one SET #t = :t", ExpressionAttributeNames={"#t": "type"},
                             ExpressionAttributeValues={":one": {"N": "1"}, ":t": {"S": "Paid"}},
                             ReturnValues="UPDATED_NEW")
    assert out["Attributes"] == {"n": {"N": "2"}, "type": {"S": "Paid"}}  # added once, not twice

    old = client.delete_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                             ReturnValues="ALL_OLD")["Attributes"]
    assert old["n"] == {"N": "2"}
    assert "Item" not in client.get_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert client.query(TableName=name, IndexName="byType", KeyConditionExpression="#t = :t",
                        ExpressionAttributeNames={"#t": "type"},
                        ExpressionAttributeValues={":t": {"S": "Paid"}})["Count"] == 0
    # one record per change: the failed batch left none behind
    assert stream_events(faulty, client, name) == ["INSERT", "MODIFY", "REMOVE"]


def test_batch_and_transaction_retried(faulty, client):
    name = helpers.unique_name("fc")
    create_event_table(client, name)
    puts = [{"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"N": str(i)}, "type": {"S": "E"}}}} for i in range(10)]
    assert client.batch_write_item(RequestItems={name: puts})["UnprocessedItems"] == {}
    transaction = [
        {"Put": {"TableName": name, "Item": {"pk": {"S": "c"}, "sk": {"N": "1"}, "type": {"S": "E"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": name, "Key": {"pk": {"S": "b"}, "sk": {"N": "0"}},
                    "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": name, "Key": {"pk": {"S": "b"}, "sk": {"N": "9"}}}},
    ]
    client.transact_write_items(TransactItems=transaction, ClientRequestToken="retried-token-1")
    # the same token again is the same transaction: no new change
    client.transact_write_items(TransactItems=transaction, ClientRequestToken="retried-token-1")
    with pytest.raises(client.exceptions.TransactionCanceledException) as e:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "c"}, "sk": {"N": "1"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ])
    assert [r["Code"] for r in e.value.response["CancellationReasons"]] == ["ConditionalCheckFailed"]
    got = client.get_item(TableName=name, Key={"pk": {"S": "b"}, "sk": {"N": "0"}})["Item"]
    assert got["n"] == {"N": "1"}
    assert client.scan(TableName=name, Select="COUNT")["Count"] == 10
    assert client.query(TableName=name, IndexName="byType", KeyConditionExpression="#t = :t",
                        ExpressionAttributeNames={"#t": "type"},
                        ExpressionAttributeValues={":t": {"S": "E"}})["Count"] == 10
    events = stream_events(faulty, client, name)
    assert events == ["INSERT"] * 10 + ["INSERT", "MODIFY", "REMOVE"]


def test_concurrent_adds_counted_once(faulty, client):
    """Many writers at once, so batches hold several requests that all run again."""
    name = helpers.unique_name("fc")
    create_event_table(client, name)
    n = 200

    def add(_):
        c = helpers.make_client(faulty.endpoint)
        out = c.update_item(TableName=name, Key=COUNTER_KEY, UpdateExpression="ADD n :one",
                            ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW")
        return int(out["Attributes"]["n"]["N"])

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        seen = sorted(pool.map(add, range(n)))
    assert seen == list(range(1, n + 1))  # each request saw its own, single increment
    assert client.get_item(TableName=name, Key=COUNTER_KEY)["Item"]["n"] == {"N": str(n)}


def test_table_changes_retried(client):
    name = helpers.unique_name("fc")
    create_event_table(client, name)
    arn = client.describe_table(TableName=name)["Table"]["TableArn"]
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "orders"}])
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"}])
    client.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "orders"}]
    out = client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True,
                                                                              "AttributeName": "expires"})
    assert out["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}
    client.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "owner", "AttributeType": "S"}],
                        GlobalSecondaryIndexUpdates=[{"Create": {
                            "IndexName": "byOwner",
                            "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                            "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
    names = [g["IndexName"] for g in client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]]
    assert sorted(names) == ["byOwner", "byType"]
    desc = client.delete_table(TableName=name)["TableDescription"]
    assert desc["TableName"] == name
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_table(TableName=name)


def test_every_commit_failing_changes_nothing(tmp_path, start_ddbd):
    """When even the retry cannot commit, the client hears InternalServerError and no write is half-done."""
    data = str(tmp_path / "data")
    proc = start_ddbd(helpers.DATA_DIR_FLAG, data)
    c = helpers.make_client(proc.endpoint)
    name = helpers.unique_name("fc")
    create_event_table(c, name)
    c.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "type": {"S": "E"}})
    assert proc.terminate() == 0

    proc = start_ddbd(helpers.DATA_DIR_FLAG, data, env=with_fault("all"))
    c = helpers.make_client(proc.endpoint)
    for call in (
        lambda: c.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "2"}, "type": {"S": "E"}}),
        lambda: c.delete_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}}),
        lambda: c.delete_table(TableName=name),
    ):
        with pytest.raises(c.exceptions.InternalServerError):
            call()
    assert c.scan(TableName=name)["Count"] == 1  # reads still answer
    assert proc.terminate() == 0

    proc = start_ddbd(helpers.DATA_DIR_FLAG, data)
    c = helpers.make_client(proc.endpoint)
    items = c.scan(TableName=name)["Items"]
    assert [i["sk"]["N"] for i in items] == ["1"]
    assert stream_events(proc, c, name) == ["INSERT"]


def test_answers_equal_a_clean_run(faulty, client, start_ddbd):
    """The same writes against a server without the fault give the same answers, capacity included."""
    clean = start_ddbd("--in-memory")
    answers = []
    for c in (client, helpers.make_client(clean.endpoint)):
        name = "same-" + helpers.unique_name()[:8]
        create_event_table(c, name)
        got = []
        for i in range(3):
            got.append(c.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": str(i)},
                                                         "type": {"S": "E"}, "n": {"N": "1"}},
                                  ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"])
        out = c.transact_write_items(ReturnConsumedCapacity="INDEXES", TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "c"}, "sk": {"N": "1"}, "type": {"S": "E"}}}},
            {"Update": {"TableName": name, "Key": {"pk": {"S": "a"}, "sk": {"N": "0"}},
                        "UpdateExpression": "ADD n :one SET #t = :t", "ExpressionAttributeNames": {"#t": "type"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":t": {"S": "F"}}}},
            {"Delete": {"TableName": name, "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
        ])
        got.append(out["ConsumedCapacity"])
        out = c.batch_write_item(ReturnConsumedCapacity="INDEXES", RequestItems={name: [
            {"DeleteRequest": {"Key": {"pk": {"S": "a"}, "sk": {"N": "2"}}}},
            {"PutRequest": {"Item": {"pk": {"S": "d"}, "sk": {"N": "1"}, "type": {"S": "F"}}}}]})
        got.append(out["ConsumedCapacity"])
        got.append(c.update_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "0"}},
                                 UpdateExpression="ADD n :one", ExpressionAttributeValues={":one": {"N": "5"}},
                                 ReturnValues="ALL_NEW", ReturnConsumedCapacity="INDEXES"))
        for g in got:  # the table name differs by design
            for cap in g if isinstance(g, list) else [g.get("ConsumedCapacity", g)]:
                cap.pop("TableName", None)
            if isinstance(g, dict):
                g.pop("ResponseMetadata", None)
        answers.append(got)
    assert answers[0] == answers[1]


def test_shard_rollover_in_a_failed_batch(start_ddbd):
    """A shard rollover in a batch whose commit fails: the retry rolls over once, every record is in
    the shard of its time, and later appends go to the new shard."""
    proc = start_ddbd("--in-memory", "--clock", "frozen", env=with_fault("1"))
    c = helpers.make_client(proc.endpoint)
    streams = helpers.make_streams_client(proc.endpoint)
    name = helpers.unique_name("fc")
    create_event_table(c, name)
    arn = helpers.latest_stream_arn(c, name)

    def append(lo, hi):  # concurrent appends, so batches hold several writes
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda i: c.put_item(TableName=name, Item={
                "pk": {"S": "s"}, "sk": {"N": str(i)}, "type": {"S": "E"}}), range(lo, hi)))

    append(0, 8)
    helpers.advance_clock(proc.endpoint, 4 * 3600 + 1)
    append(8, 16)
    append(16, 24)
    shards = helpers.shards_of(streams, arn)
    assert len(shards) == 2, shards
    first, second = (sorted(int(r["dynamodb"]["Keys"]["sk"]["N"])
                            for r in helpers.read_shard(streams, arn, s["ShardId"])[0]) for s in shards)
    assert first == list(range(8)) and second == list(range(8, 24))
    assert "retrying its items one by one" in proc.log_text()
