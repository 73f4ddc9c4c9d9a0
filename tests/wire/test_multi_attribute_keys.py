"""GSIs with multi-attribute keys (up to four HASH and four RANGE attributes), with boto3.

Debian's botocore checks only minimum lengths, so it sends any number of KeySchema elements.
DynamoDB Local 3.3 has these keys: compat/run runs this file against it too. AWS records no
messages for them; the rules and words are DynamoDB Local's, where it and AWS's guide agree."""
import random

import pytest
from botocore.exceptions import ClientError

from helpers import N, S, create_table, drop_table, err, query_all, wait_until


def gsi(name, hashes, ranges=(), projection=None):
    ks = [{"AttributeName": a, "KeyType": "HASH"} for a in hashes]
    ks += [{"AttributeName": a, "KeyType": "RANGE"} for a in ranges]
    return {"IndexName": name, "KeySchema": ks, "Projection": projection or {"ProjectionType": "ALL"}}


@pytest.fixture
def matches(ddb):
    """Tournament matches: GSI byRound on (tournament S, region S) / (round N, bracket S)."""
    t = create_table(ddb, extra_attrs={"tournament": "S", "region": "S", "round": "N", "bracket": "S"},
                     GlobalSecondaryIndexes=[gsi("byRound", ["tournament", "region"], ["round", "bracket"])])
    i = 0
    for rnd in (1, 2, 10):
        for br in ("a", "b", "ab"):
            ddb.put_item(TableName=t, Item={"pk": S(f"p{i}"), "tournament": S("T"), "region": S("EU"),
                                            "round": N(rnd), "bracket": S(br)})
            i += 1
    ddb.put_item(TableName=t, Item={"pk": S("us"), "tournament": S("T"), "region": S("US"), "round": N(1),
                                    "bracket": S("a")})
    ddb.put_item(TableName=t, Item={"pk": S("sparse"), "tournament": S("T"), "region": S("EU"), "round": N(3)})
    yield t
    drop_table(ddb, t)


def q(ddb, t, kce, values, **kw):
    vals = {k: (N(v) if isinstance(v, int) else S(v)) for k, v in values.items()}
    return query_all(ddb, TableName=t, IndexName="byRound", KeyConditionExpression=kce,
                     ExpressionAttributeValues=vals, **kw)


def keys(items):
    return [(int(i["round"]["N"]), i["bracket"]["S"]) for i in items]


ALL_EU = [(1, "a"), (1, "ab"), (1, "b"), (2, "a"), (2, "ab"), (2, "b"), (10, "a"), (10, "ab"), (10, "b")]


def test_create_describe_and_order(ddb, matches):
    g = ddb.describe_table(TableName=matches)["Table"]["GlobalSecondaryIndexes"][0]
    assert [(k["AttributeName"], k["KeyType"]) for k in g["KeySchema"]] == [
        ("tournament", "HASH"), ("region", "HASH"), ("round", "RANGE"), ("bracket", "RANGE")]
    assert g["ItemCount"] == 10  # the item without a bracket is not in the index
    got = q(ddb, matches, "tournament = :t AND #r = :r", {":t": "T", ":r": "EU"},
            ExpressionAttributeNames={"#r": "region"})
    assert keys(got) == ALL_EU  # each sort attribute in turn, numbers by value
    back = q(ddb, matches, "tournament = :t AND #r = :r", {":t": "T", ":r": "EU"},
             ExpressionAttributeNames={"#r": "region"}, ScanIndexForward=False)
    assert keys(back) == ALL_EU[::-1]


@pytest.mark.parametrize("cond,values,want", [
    ("#rd = :n", {":n": 2}, [(2, "a"), (2, "ab"), (2, "b")]),
    ("#rd > :n", {":n": 1}, ALL_EU[3:]),
    ("#rd BETWEEN :a AND :b", {":a": 2, ":b": 10}, ALL_EU[3:]),
    ("#rd = :n AND bracket > :b", {":n": 2, ":b": "a"}, [(2, "ab"), (2, "b")]),
    ("#rd = :n AND begins_with(bracket, :b)", {":n": 2, ":b": "a"}, [(2, "a"), (2, "ab")]),
    ("#rd = :n AND bracket BETWEEN :a AND :b", {":n": 10, ":a": "a", ":b": "ab"}, [(10, "a"), (10, "ab")]),
    ("#rd = :n AND bracket <= :b", {":n": 1, ":b": "ab"}, [(1, "a"), (1, "ab")]),
    ("#rd = :n AND bracket = :b", {":n": 1, ":b": "b"}, [(1, "b")]),
])
def test_sort_conditions(ddb, matches, cond, values, want):
    got = q(ddb, matches, "tournament = :t AND #r = :r AND " + cond, {":t": "T", ":r": "EU", **values},
            ExpressionAttributeNames={"#r": "region", "#rd": "round"})
    assert keys(got) == want
    back = q(ddb, matches, "tournament = :t AND #r = :r AND " + cond, {":t": "T", ":r": "EU", **values},
             ExpressionAttributeNames={"#r": "region", "#rd": "round"}, ScanIndexForward=False)
    assert keys(back) == want[::-1]


@pytest.mark.parametrize("cond,values,msg", [
    ("tournament = :t", {":t": "T"}, "HASH key attributes region must have equality conditions specified in the query"),
    ("#r = :r", {":r": "EU"}, "HASH key attributes tournament must have equality conditions specified in the query"),
    ("tournament = :t AND #r > :r", {":t": "T", ":r": "EU"},
     "HASH key attributes region must have equality conditions specified in the query"),
    ("tournament = :t AND #r = :r AND bracket = :b", {":t": "T", ":r": "EU", ":b": "a"},
     "RANGE key attributes round must have equality conditions specified in the query because a condition is "
     "present on key attribute bracket"),
    ("tournament = :t AND #r = :r AND #rd > :n AND bracket = :b", {":t": "T", ":r": "EU", ":n": 1, ":b": "a"},
     "RANGE key attributes round must have equality conditions specified in the query because a condition is "
     "present on key attribute bracket"),
    ("tournament = :t AND #r = :n", {":t": "T", ":n": 1},
     "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ("tournament = :t AND #r = :r AND #r = :r", {":t": "T", ":r": "EU"},
     "KeyConditionExpressions must only contain one condition per key"),
])
def test_query_rules(ddb, matches, cond, values, msg):
    names = {k: v for k, v in {"#r": "region", "#rd": "round"}.items() if k in cond}
    with pytest.raises(ClientError) as e:
        q(ddb, matches, cond, values, **({"ExpressionAttributeNames": names} if names else {}))
    assert err(e.value) == ("ValidationException", msg)


def test_paging_carries_every_key_attribute(ddb, matches):
    seen, start = [], None
    for _ in range(20):
        kw = {"ExclusiveStartKey": start} if start else {}
        r = ddb.query(TableName=matches, IndexName="byRound", Limit=2,
                      KeyConditionExpression="tournament = :t AND #r = :r", ExpressionAttributeNames={"#r": "region"},
                      ExpressionAttributeValues={":t": S("T"), ":r": S("EU")}, **kw)
        seen += r["Items"]
        start = r.get("LastEvaluatedKey")
        if not start:
            break
        assert set(start) == {"pk", "tournament", "region", "round", "bracket"}
    assert keys(seen) == ALL_EU


def test_legacy_key_conditions(ddb, matches):
    def kc(**conds):
        return {a: {"ComparisonOperator": op, "AttributeValueList": [v]} for a, (op, v) in conds.items()}
    got = query_all(ddb, TableName=matches, IndexName="byRound",
                    KeyConditions=kc(tournament=("EQ", S("T")), region=("EQ", S("EU")), round=("GT", N(1))))
    assert keys(got) == ALL_EU[3:]
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=matches, IndexName="byRound",
                  KeyConditions=kc(tournament=("EQ", S("T")), region=("EQ", S("EU")), bracket=("GT", S("a"))))
    assert "RANGE key attributes round must have equality conditions" in err(e.value)[1]


def test_writes_checked_and_sparse(ddb, matches):
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=matches, Item={"pk": S("w"), "tournament": S("T"), "region": N(1)})
    assert err(e.value)[0] == "ValidationException"
    assert "Type mismatch for Index Key" in err(e.value)[1]
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=matches, Item={"pk": S("w"), "tournament": S("x" * 1500), "region": S("y" * 1500)})
    assert err(e.value)[1] == ("Aggregate size for HASH key attributes tournament, region of index byRound has "
                               "exceeded limit 2048 bytes, with actual size 3000 bytes")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=matches, Item={"pk": S("w"), "tournament": S("T"), "region": S("EU"),
                                              "round": N(1), "bracket": S("z" * 1023)})
    assert err(e.value)[1].startswith("Aggregate size for RANGE key attributes round, bracket of index byRound")
    # an update that removes one key attribute takes the item out of the index
    ddb.update_item(TableName=matches, Key={"pk": S("p0")}, UpdateExpression="REMOVE bracket")
    got = q(ddb, matches, "tournament = :t AND #r = :r AND #rd = :n", {":t": "T", ":r": "EU", ":n": 1},
            ExpressionAttributeNames={"#r": "region", "#rd": "round"})
    assert keys(got) == [(1, "ab"), (1, "b")]


def test_transactions_keep_the_index(ddb, matches):
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": matches, "Item": {"pk": S("tx"), "tournament": S("X"), "region": S("R"),
                                                 "round": N(5), "bracket": S("q")}}},
        {"Delete": {"TableName": matches, "Key": {"pk": S("us")}}},
    ])
    got = q(ddb, matches, "tournament = :t AND #r = :r", {":t": "X", ":r": "R"}, ExpressionAttributeNames={"#r": "region"})
    assert [i["pk"]["S"] for i in got] == ["tx"]
    assert q(ddb, matches, "tournament = :t AND #r = :r", {":t": "T", ":r": "US"},
             ExpressionAttributeNames={"#r": "region"}) == []


@pytest.mark.parametrize("ks,msg", [
    ((["a", "b", "c", "d", "e"], []), "Too many partition keys. GSI can have at most 4 partition keys"),
    ((["a"], ["b", "c", "d", "e", "f"]), "Too many sort keys. GSI can have at most 4 sort keys"),
    ((["a", "a"], []), "Two keys can not have the same name"),
    ((["a", "b"], ["a"]), "Two keys can not have the same name"),
])
def test_create_rules(ddb, ks, msg):
    attrs = {a: "S" for a in "abcdef"}
    with pytest.raises(ClientError) as e:
        create_table(ddb, extra_attrs=attrs, GlobalSecondaryIndexes=[gsi("gsi", *ks)])
    assert err(e.value) == ("ValidationException", msg)


def test_create_rejects_hash_after_range(ddb):
    with pytest.raises(ClientError) as e:
        create_table(ddb, extra_attrs={"a": "S", "b": "S", "c": "S"},
                     GlobalSecondaryIndexes=[{"IndexName": "gsi", "Projection": {"ProjectionType": "ALL"},
                                              "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"},
                                                            {"AttributeName": "b", "KeyType": "RANGE"},
                                                            {"AttributeName": "c", "KeyType": "HASH"}]}])
    assert err(e.value) == ("ValidationException", "Invalid key order. Hash Key must be specified first in key "
                            "schema, Range Key must be specifed second")


def test_update_table_create_backfills(ddb):
    t = create_table(ddb)
    rnd = random.Random(7)
    rows = []
    for i in range(40):
        a, b, c = rnd.choice("xy"), rnd.randint(0, 3), rnd.choice(["k", "kk", "l"])
        rows.append((a, b, c, f"p{i:02d}"))
        ddb.put_item(TableName=t, Item={"pk": S(f"p{i:02d}"), "a": S(a), "b": N(b), "c": S(c)})
    ddb.update_table(TableName=t, AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"},
                                                        {"AttributeName": "b", "AttributeType": "N"},
                                                        {"AttributeName": "c", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": gsi("byAB", ["a", "b"], ["c"])}])

    def active():
        g = ddb.describe_table(TableName=t)["Table"]["GlobalSecondaryIndexes"][0]
        return g["IndexStatus"] == "ACTIVE"
    wait_until(active, timeout=30, what="the index to be ACTIVE")
    got = query_all(ddb, TableName=t, IndexName="byAB", KeyConditionExpression="a = :a AND b = :b",
                    ExpressionAttributeValues={":a": S("x"), ":b": N(2)})
    want = sorted((c, pk) for a, b, c, pk in rows if a == "x" and b == 2)
    assert [i["c"]["S"] for i in got] == [c for c, _ in want]
    drop_table(ddb, t)
