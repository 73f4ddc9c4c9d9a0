"""TransactWriteItems: all-or-nothing writes across tables, cancellation
reasons, and DynamoDB's validation errors."""
import os
import random
import threading
import time
import uuid

import pytest
from botocore.exceptions import ClientError

import helpers
from helpers import K, err, get

CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons "


def reasons(e):
    # DynamoDB Local sometimes ends the ConditionalCheckFailed message with a period, AWS does not.
    out = []
    for r in e.value.response["CancellationReasons"]:
        r = dict(r)
        if "Message" in r:
            r["Message"] = r["Message"].rstrip(".")
        out.append(r)
    return out


@pytest.fixture
def two_tables(make_table):
    return make_table(), make_table()


def test_success_across_two_tables(ddb, two_tables):
    a, b = two_tables
    ddb.put_item(TableName=a, Item={**K("upd"), "n": {"N": "1"}})
    ddb.put_item(TableName=a, Item={**K("del")})
    ddb.put_item(TableName=b, Item={**K("chk"), "ok": {"BOOL": True}})
    r = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": a, "Item": {**K("new"), "v": {"S": "x"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": a, "Key": K("upd"), "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": a, "Key": K("del"), "ConditionExpression": "attribute_exists(#p)",
                    "ExpressionAttributeNames": {"#p": "pk"}}},
        {"ConditionCheck": {"TableName": b, "Key": K("chk"), "ConditionExpression": "ok = :t",
                            "ExpressionAttributeValues": {":t": {"BOOL": True}}}},
        {"Put": {"TableName": b, "Item": {**K("other")}}},
    ])
    assert "ConsumedCapacity" not in r
    assert get(ddb, a, K("new")) == {**K("new"), "v": {"S": "x"}}
    assert get(ddb, a, K("upd")) == {**K("upd"), "n": {"N": "2"}}
    assert get(ddb, a, K("del")) is None
    assert get(ddb, b, K("chk")) == {**K("chk"), "ok": {"BOOL": True}}
    assert get(ddb, b, K("other")) == K("other")


def test_update_creates_missing_item(ddb, hash_table):
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": hash_table, "Key": K("u"), "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"N": "7"}}}}])
    assert get(ddb, hash_table, K("u")) == {**K("u"), "v": {"N": "7"}}


def test_failed_condition_cancels_everything(ddb, two_tables):
    a, b = two_tables
    ddb.put_item(TableName=a, Item={**K("x"), "v": {"N": "1"}})
    ddb.put_item(TableName=b, Item={**K("gone")})
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": a, "Item": {**K("new")}}},
            {"Delete": {"TableName": b, "Key": K("gone")}},
            {"Update": {"TableName": a, "Key": K("x"), "UpdateExpression": "SET v = :v",
                        "ConditionExpression": "v = :two",
                        "ExpressionAttributeValues": {":v": {"N": "9"}, ":two": {"N": "2"}}}},
        ])
    assert err(e) == ("TransactionCanceledException", CANCELLED + "[None, None, ConditionalCheckFailed]")
    assert reasons(e) == [{"Code": "None"}, {"Code": "None"},
                          {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}]
    assert get(ddb, a, K("new")) is None
    assert get(ddb, b, K("gone")) == K("gone")
    assert get(ddb, a, K("x")) == {**K("x"), "v": {"N": "1"}}


def test_all_old_item_in_reason(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("x"), "v": {"N": "1"}, "s": {"S": "str"}})
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": hash_table, "Key": K("x"), "ConditionExpression": "v = :two",
                                "ExpressionAttributeValues": {":two": {"N": "2"}},
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Delete": {"TableName": hash_table, "Key": K("missing"), "ConditionExpression": "attribute_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Put": {"TableName": hash_table, "Item": K("p"), "ConditionExpression": "attribute_exists(pk)"}},
        ])
    assert err(e) == ("TransactionCanceledException",
                      CANCELLED + "[ConditionalCheckFailed, ConditionalCheckFailed, ConditionalCheckFailed]")
    assert reasons(e) == [
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
         "Item": {**K("x"), "v": {"N": "1"}, "s": {"S": "str"}}},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
    ]
    assert get(ddb, hash_table, K("p")) is None


def test_update_of_key_is_a_validation_error_reason(ddb, hash_table):
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": hash_table, "Key": K("x"), "UpdateExpression": "SET pk = :v",
                        "ExpressionAttributeValues": {":v": {"S": "y"}}}}])
    assert err(e) == ("TransactionCanceledException", CANCELLED + "[ValidationError]")
    assert reasons(e) == [{
        "Code": "ValidationError",
        "Message": "One or more parameter values were invalid: Cannot update attribute pk. "
                   "This attribute is part of the key"}]
    assert get(ddb, hash_table, K("x")) is None


@pytest.mark.aws_differs("DynamoDB Local answers a plain ValidationException; AWS lists the update "
                         "expression's runtime error as a ValidationError cancellation reason")
def test_update_type_error_is_a_validation_error_reason(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("x"), "s": {"S": "str"}})
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": hash_table, "Key": K("x"), "UpdateExpression": "SET v = s + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": hash_table, "Item": K("p")}}])
    assert err(e) == ("TransactionCanceledException", CANCELLED + "[ValidationError, None]")
    assert reasons(e) == [
        {"Code": "ValidationError", "Message": "An operand in the update expression has an incorrect data type"},
        {"Code": "None"}]


def test_two_actions_on_one_item(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": hash_table, "Item": K("a")}}, {"Delete": {"TableName": hash_table, "Key": K("a")}}])
    assert err(e) == ("ValidationException", "Transaction request cannot include multiple operations on one item")
    assert raw_ddb.scan(TableName=hash_table)["Count"] == 0


@pytest.mark.aws_differs("DynamoDB Local evaluates the conditions first and answers a cancellation")
def test_two_actions_on_one_item_before_conditions(raw_ddb, hash_table):
    # Rejected before any condition is evaluated: this condition would fail.
    with pytest.raises(ClientError) as e:
        raw_ddb.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": hash_table, "Key": K("a"), "ConditionExpression": "attribute_exists(pk)"}},
            {"Delete": {"TableName": hash_table, "Key": K("a")}}])
    assert err(e) == ("ValidationException", "Transaction request cannot include multiple operations on one item")
    assert "CancellationReasons" not in e.value.response


def test_too_many_actions(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": hash_table, "Item": K(f"k{i}")}} for i in range(101)])
    code, msg = err(e)
    assert code == "ValidationException"
    assert msg.endswith("Member must have length less than or equal to 100")
    assert raw_ddb.scan(TableName=hash_table)["Count"] == 0


def test_action_shape_errors(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": hash_table, "Item": K("a")}, "Delete": {"TableName": hash_table, "Key": K("b")}}])
    assert err(e) == ("ValidationException", "TransactItems can only contain one of Check, Put, Update or Delete")
    with pytest.raises(ClientError) as e:
        raw_ddb.transact_write_items(TransactItems=[{}])
    assert err(e) == ("ValidationException",
                      "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request")
    with pytest.raises(ClientError) as e:
        raw_ddb.transact_write_items(TransactItems=[{"ConditionCheck": {"TableName": hash_table, "Key": K("a")}}])
    code, msg = err(e)
    assert code == "ValidationException"
    assert msg.endswith("Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to "
                        "satisfy constraint: Member must not be null")


def test_missing_table_and_bad_key(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": hash_table, "Item": K("a")}},
            {"Put": {"TableName": "no_such_table_tx", "Item": K("a")}}])
    assert err(e)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        raw_ddb.transact_write_items(TransactItems=[{"Put": {"TableName": hash_table, "Item": {"zz": {"S": "a"}}}}])
    # The wording differs: DynamoDB Local says "One of the required keys was not given a value",
    # ddbd words it as PutItem does.
    assert err(e)[0] == "ValidationException"
    assert raw_ddb.scan(TableName=hash_table)["Count"] == 0


def test_client_request_token_length(raw_ddb, hash_table):
    raw_ddb.transact_write_items(TransactItems=[{"Put": {"TableName": hash_table, "Item": K("a")}}],
                                 ClientRequestToken=str(uuid.uuid4()))
    with pytest.raises(ClientError) as e:
        raw_ddb.transact_write_items(TransactItems=[{"Put": {"TableName": hash_table, "Item": K("b")}}],
                                     ClientRequestToken="t" * 37)
    code, msg = err(e)
    assert code == "ValidationException"
    assert msg.endswith("at 'clientRequestToken' failed to satisfy constraint: "
                        "Member must have length less than or equal to 36")


def test_consumed_capacity_per_table(ddb, two_tables):
    a, b = two_tables
    r = ddb.transact_write_items(ReturnConsumedCapacity="TOTAL", TransactItems=[
        {"Put": {"TableName": a, "Item": K("1")}}, {"Put": {"TableName": a, "Item": K("2")}},
        {"Put": {"TableName": b, "Item": K("3")}}])
    assert sorted(c["TableName"] for c in r["ConsumedCapacity"]) == sorted([a, b])
    assert all(c["CapacityUnits"] >= 2 for c in r["ConsumedCapacity"])


def _append(aggregate, version):
    """One event appended to an aggregate: the event item, guarded by attribute_not_exists."""
    return {"Put": {"TableName": aggregate[0], "Item": {"pk": {"S": aggregate[1]}, "sk": {"N": str(version)},
                                                        "e": {"S": f"event {version}"}},
                    "ConditionExpression": "attribute_not_exists(pk)"}}


def test_event_store_conflicting_append(ddb, make_table):
    events = make_table(range=("sk", "N"))
    ddb.transact_write_items(TransactItems=[_append((events, "A"), 1), _append((events, "B"), 1)])
    # A's version 2 is new, B's version 1 exists already: neither is appended.
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[_append((events, "A"), 2), _append((events, "B"), 1)])
    assert err(e) == ("TransactionCanceledException", CANCELLED + "[None, ConditionalCheckFailed]")
    assert reasons(e)[0] == {"Code": "None"}
    items = ddb.scan(TableName=events, ConsistentRead=True)["Items"]
    assert sorted((i["pk"]["S"], i["sk"]["N"]) for i in items) == [("A", "1"), ("B", "1")]
    ddb.transact_write_items(TransactItems=[_append((events, "A"), 2), _append((events, "B"), 2)])
    assert ddb.scan(TableName=events, ConsistentRead=True)["Count"] == 4


# ---- ClientRequestToken ------------------------------------------------------

def _add_one(table, pk):
    return [{"Update": {"TableName": table, "Key": K(pk), "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}}]


def test_token_replay_applies_once(ddb, hash_table):
    token = str(uuid.uuid4())
    assert "ConsumedCapacity" not in ddb.transact_write_items(ClientRequestToken=token,
                                                              TransactItems=_add_one(hash_table, "a"))
    ddb.transact_write_items(ClientRequestToken=token, TransactItems=_add_one(hash_table, "a"))
    assert get(ddb, hash_table, K("a")) == {**K("a"), "n": {"N": "1"}}
    # ReturnConsumedCapacity is not one of the parameters a replay must repeat.
    ddb.transact_write_items(ClientRequestToken=token, TransactItems=_add_one(hash_table, "a"),
                             ReturnConsumedCapacity="TOTAL")
    assert get(ddb, hash_table, K("a")) == {**K("a"), "n": {"N": "1"}}


def test_token_with_other_parameters_is_a_mismatch(ddb, hash_table):
    token = str(uuid.uuid4())
    ddb.transact_write_items(ClientRequestToken=token, TransactItems=_add_one(hash_table, "a"))
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(ClientRequestToken=token, TransactItems=_add_one(hash_table, "b"))
    # DynamoDB's message is empty.
    assert err(e) == ("IdempotentParameterMismatchException", "")
    assert get(ddb, hash_table, K("b")) is None
    assert get(ddb, hash_table, K("a")) == {**K("a"), "n": {"N": "1"}}


def test_token_of_a_cancelled_transaction_runs_again(ddb, hash_table):
    token = str(uuid.uuid4())
    items = [{"Update": {**_add_one(hash_table, "c")[0]["Update"], "ConditionExpression": "attribute_exists(pk)"}}]
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(ClientRequestToken=token, TransactItems=items)
    assert err(e)[0] == "TransactionCanceledException"
    ddb.put_item(TableName=hash_table, Item=K("c"))
    ddb.transact_write_items(ClientRequestToken=token, TransactItems=items)
    assert get(ddb, hash_table, K("c")) == {**K("c"), "n": {"N": "1"}}


@pytest.mark.ddbd_only
def test_token_survives_restart(tmp_path, start_ddbd):
    data = tmp_path / "data"
    data.mkdir()
    token = str(uuid.uuid4())
    p = start_ddbd(helpers.DATA_DIR_FLAG, str(data))
    c = helpers.make_client(p.endpoint)
    table = helpers.create_table(c)
    helpers.wait_active(c, table)
    c.transact_write_items(ClientRequestToken=token, TransactItems=_add_one(table, "a"))
    assert p.terminate() == 0
    p = start_ddbd(helpers.DATA_DIR_FLAG, str(data))
    c = helpers.make_client(p.endpoint)
    c.transact_write_items(ClientRequestToken=token, TransactItems=_add_one(table, "a"))
    assert get(c, table, K("a")) == {**K("a"), "n": {"N": "1"}}
    with pytest.raises(ClientError) as e:
        c.transact_write_items(ClientRequestToken=token, TransactItems=_add_one(table, "b"))
    assert err(e)[0] == "IdempotentParameterMismatchException"


# ---- Concurrency: transfers between accounts never show a partial state -------

TX_SECONDS = float(os.environ.get("DDBD_TX_SECONDS", "5"))
ACCOUNTS = 10
START_BALANCE = 1000
TRANSFER_THREADS = 16
READER_THREADS = 2
MAX_ROUNDS = 100000  # per thread: bounds the count as well as the time


def _acct(i):
    return K(f"acct{i}")


def _total(client, table):
    r = client.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": _acct(i)}}
                                                 for i in range(ACCOUNTS)])
    return sum(int(x["Item"]["balance"]["N"]) for x in r["Responses"])


@pytest.mark.ddbd_only
def test_concurrent_transfers_keep_the_total(ddb, make_table, client_factory):
    table = make_table()
    for i in range(ACCOUNTS):
        ddb.put_item(TableName=table, Item={**_acct(i), "balance": {"N": str(START_BALANCE)}})
    total = ACCOUNTS * START_BALANCE
    deadline = time.monotonic() + TX_SECONDS
    done, problems, lock = [0, 0, 0], [], threading.Lock()  # transfers, cancellations, reads

    def transfer(client, seed):
        rnd = random.Random(seed)
        for _ in range(MAX_ROUNDS):
            if time.monotonic() >= deadline:
                return
            src, dst = rnd.sample(range(ACCOUNTS), 2)
            amt = {"N": str(rnd.randint(1, 300))}
            try:
                client.transact_write_items(TransactItems=[
                    {"Update": {"TableName": table, "Key": _acct(src), "UpdateExpression": "ADD balance :neg",
                                "ConditionExpression": "balance >= :amt",
                                "ExpressionAttributeValues": {":amt": amt, ":neg": {"N": "-" + amt["N"]}}}},
                    {"Update": {"TableName": table, "Key": _acct(dst), "UpdateExpression": "ADD balance :amt",
                                "ExpressionAttributeValues": {":amt": amt}}},
                ])
                outcome = 0
            except ClientError as e:
                if e.response["Error"]["Code"] != "TransactionCanceledException":
                    with lock:
                        problems.append(repr(e))
                    return
                outcome = 1
            with lock:
                done[outcome] += 1

    def read(client):
        for _ in range(MAX_ROUNDS):
            if time.monotonic() >= deadline:
                return
            seen = _total(client, table)
            with lock:
                done[2] += 1
                if seen != total:
                    problems.append(f"a reader saw a total of {seen}")
                    return

    threads = [threading.Thread(target=transfer, args=(client_factory(), n)) for n in range(TRANSFER_THREADS)]
    threads += [threading.Thread(target=read, args=(client_factory(),)) for _ in range(READER_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TX_SECONDS + 60)
    assert not any(t.is_alive() for t in threads)
    print(f"{TX_SECONDS:g} s: {done[0]} transfers committed, {done[1]} cancelled, {done[2]} snapshot reads")
    assert problems == []
    assert _total(ddb, table) == total
    assert done[0] > 0 and done[2] > 0
