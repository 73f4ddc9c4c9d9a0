"""Query: key conditions, sort order per key type, paging, the 1 MB page limit, Select/Count, errors.

AWS's 'Query condition missed key schema element: <name>' (aws_differs: DynamoDB Local omits the name)
is quoted from AWS error reports and from emulators that mirror AWS's wording (moto, dynoxide).
"""
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

import helpers
from helpers import err


def sk_values(items, t):
    return [i["sk"][t] for i in items]


# Values listed in DynamoDB's sort order for each type.
N_SORTED = ["-1E+10", "-100", "-10.5", "-10", "-1", "-0.5", "-0.001", "0", "0.001", "0.01", "0.5", "1", "1.5", "2",
            "9.99", "10", "10.5", "100", "1000000", "1E+10"]
S_SORTED = ["A", "AB", "B", "Z", "_", "a", "a b", "aa", "ab", "b", "z", "\u00e9", "\u00ff", "\u4e2d", "\U0001f600"]
B_SORTED = [b"\x00", b"\x00\x00", b"\x00\x01", b"\x01", b"\x7f", b"\x80", b"\x80\x00", b"\xfe", b"\xff", b"\xff\xff"]


@pytest.fixture
def n_table(ddb, make_table):
    t = make_table(range=("sk", "N"))
    for i, v in enumerate(reversed(N_SORTED)):
        ddb.put_item(TableName=t, Item={"pk": {"S": "p"}, "sk": {"N": v}, "i": {"N": str(i)}, "v": {"N": v}})
    ddb.put_item(TableName=t, Item={"pk": {"S": "other"}, "sk": {"N": "0"}})
    return t


@pytest.fixture
def s_table(ddb, make_table):
    t = make_table(range=("sk", "S"))
    for v in reversed(S_SORTED):
        ddb.put_item(TableName=t, Item={"pk": {"S": "p"}, "sk": {"S": v}})
    ddb.put_item(TableName=t, Item={"pk": {"S": "other"}, "sk": {"S": "a"}})
    return t


@pytest.fixture
def b_table(ddb, make_table):
    t = make_table(range=("sk", "B"))
    for v in reversed(B_SORTED):
        ddb.put_item(TableName=t, Item={"pk": {"S": "p"}, "sk": {"B": v}})
    ddb.put_item(TableName=t, Item={"pk": {"S": "other"}, "sk": {"B": b"\x00"}})
    return t


def q(ddb, table, cond, values, **kw):
    values = dict(values, **{":p": {"S": "p"}})
    r = ddb.query(TableName=table, KeyConditionExpression="pk = :p" + (" AND " + cond if cond else ""),
                  ExpressionAttributeValues=values, **kw)
    return r


def ndec(vals):
    return [Decimal(v) for v in vals]


# --------------------------------------------------------------------------- ordering


def test_query_partition_only(ddb, n_table):
    r = q(ddb, n_table, None, {})
    assert r["Count"] == len(N_SORTED)
    assert r["ScannedCount"] == len(N_SORTED)
    assert ndec(sk_values(r["Items"], "N")) == ndec(N_SORTED)
    assert all(i["pk"] == {"S": "p"} for i in r["Items"])
    r = ddb.query(TableName=n_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "none"}})
    assert r["Count"] == 0 and r["Items"] == [] and "LastEvaluatedKey" not in r


def test_number_sort_order_and_reverse(ddb, n_table):
    fwd = q(ddb, n_table, None, {})["Items"]
    rev = q(ddb, n_table, None, {}, ScanIndexForward=False)["Items"]
    assert ndec(sk_values(fwd, "N")) == ndec(N_SORTED)
    assert ndec(sk_values(rev, "N")) == ndec(list(reversed(N_SORTED)))


def test_string_sort_order_is_utf8_bytes(ddb, s_table):
    fwd = q(ddb, s_table, None, {})["Items"]
    assert sk_values(fwd, "S") == sorted(S_SORTED, key=lambda s: s.encode("utf-8"))
    assert sk_values(fwd, "S") == S_SORTED
    rev = q(ddb, s_table, None, {}, ScanIndexForward=False)["Items"]
    assert sk_values(rev, "S") == list(reversed(S_SORTED))


def test_binary_sort_order_unsigned_bytes(ddb, b_table):
    fwd = q(ddb, b_table, None, {})["Items"]
    assert sk_values(fwd, "B") == B_SORTED
    rev = q(ddb, b_table, None, {}, ScanIndexForward=False)["Items"]
    assert sk_values(rev, "B") == list(reversed(B_SORTED))


@pytest.mark.parametrize(
    "cond,values,pred",
    [
        ("sk = :a", {":a": "-10"}, lambda x: x == Decimal("-10")),
        ("sk = :a", {":a": "-10.00"}, lambda x: x == Decimal("-10")),
        ("sk < :a", {":a": "0"}, lambda x: x < 0),
        ("sk <= :a", {":a": "-0.5"}, lambda x: x <= Decimal("-0.5")),
        ("sk > :a", {":a": "1.5"}, lambda x: x > Decimal("1.5")),
        ("sk >= :a", {":a": "10"}, lambda x: x >= 10),
        ("sk BETWEEN :a AND :b", {":a": "-10.5", ":b": "0.01"}, lambda x: Decimal("-10.5") <= x <= Decimal("0.01")),
        ("sk BETWEEN :a AND :b", {":a": "3", ":b": "4"}, lambda x: False),
        ("sk > :a", {":a": "1E+10"}, lambda x: False),
        ("sk < :a", {":a": "-1E+11"}, lambda x: False),
    ],
)
def test_number_sort_key_conditions(ddb, n_table, cond, values, pred):
    vals = {k: {"N": v} for k, v in values.items()}
    want = [v for v in ndec(N_SORTED) if pred(v)]
    r = q(ddb, n_table, cond, vals)
    assert ndec(sk_values(r["Items"], "N")) == want
    assert r["Count"] == len(want)
    r = q(ddb, n_table, cond, vals, ScanIndexForward=False)
    assert ndec(sk_values(r["Items"], "N")) == list(reversed(want))


@pytest.mark.parametrize(
    "cond,values,pred",
    [
        ("sk = :a", {":a": "ab"}, lambda x: x == "ab"),
        ("sk < :a", {":a": "a"}, lambda x: x.encode() < b"a"),
        ("sk <= :a", {":a": "a"}, lambda x: x.encode() <= b"a"),
        ("sk > :a", {":a": "b"}, lambda x: x.encode() > b"b"),
        ("sk >= :a", {":a": "\u00e9"}, lambda x: x.encode() >= "\u00e9".encode()),
        ("sk BETWEEN :a AND :b", {":a": "AB", ":b": "aa"}, lambda x: b"AB" <= x.encode() <= b"aa"),
        ("begins_with(sk, :a)", {":a": "a"}, lambda x: x.startswith("a")),
        ("begins_with(sk, :a)", {":a": "A"}, lambda x: x.startswith("A")),
        ("begins_with(sk, :a)", {":a": "\u00e9"}, lambda x: x.startswith("\u00e9")),
        ("begins_with(sk, :a)", {":a": "q"}, lambda x: False),
    ],
)
def test_string_sort_key_conditions(ddb, s_table, cond, values, pred):
    vals = {k: {"S": v} for k, v in values.items()}
    want = [v for v in S_SORTED if pred(v)]
    r = q(ddb, s_table, cond, vals)
    assert sk_values(r["Items"], "S") == want
    r = q(ddb, s_table, cond, vals, ScanIndexForward=False)
    assert sk_values(r["Items"], "S") == list(reversed(want))


@pytest.mark.parametrize(
    "cond,values,pred",
    [
        ("sk = :a", {":a": b"\x80"}, lambda x: x == b"\x80"),
        ("sk < :a", {":a": b"\x01"}, lambda x: x < b"\x01"),
        ("sk <= :a", {":a": b"\x01"}, lambda x: x <= b"\x01"),
        ("sk > :a", {":a": b"\x7f"}, lambda x: x > b"\x7f"),
        ("sk >= :a", {":a": b"\xfe"}, lambda x: x >= b"\xfe"),
        ("sk BETWEEN :a AND :b", {":a": b"\x00\x01", ":b": b"\x80"}, lambda x: b"\x00\x01" <= x <= b"\x80"),
        ("begins_with(sk, :a)", {":a": b"\x00"}, lambda x: x.startswith(b"\x00")),
        ("begins_with(sk, :a)", {":a": b"\xff"}, lambda x: x.startswith(b"\xff")),
        ("begins_with(sk, :a)", {":a": b"\x80"}, lambda x: x.startswith(b"\x80")),
    ],
)
def test_binary_sort_key_conditions(ddb, b_table, cond, values, pred):
    vals = {k: {"B": v} for k, v in values.items()}
    want = [v for v in B_SORTED if pred(v)]
    r = q(ddb, b_table, cond, vals)
    assert sk_values(r["Items"], "B") == want
    r = q(ddb, b_table, cond, vals, ScanIndexForward=False)
    assert sk_values(r["Items"], "B") == list(reversed(want))


def test_key_condition_with_names_and_reversed_operands(ddb, n_table):
    r = ddb.query(
        TableName=n_table,
        KeyConditionExpression="#s BETWEEN :a AND :b AND #p = :p",
        ExpressionAttributeNames={"#p": "pk", "#s": "sk"},
        ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"N": "0"}, ":b": {"N": "1"}},
    )
    assert ndec(sk_values(r["Items"], "N")) == ndec(["0", "0.001", "0.01", "0.5", "1"])
    r = ddb.query(
        TableName=n_table,
        KeyConditionExpression=":p = pk AND :a < sk",
        ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"N": "100"}},
    )
    assert ndec(sk_values(r["Items"], "N")) == ndec(["1000000", "1E+10"])


# --------------------------------------------------------------------------- paging


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("limit", [1, 3, 7, 20, 21])
def test_limit_paging_walks_partition_once(ddb, n_table, forward, limit):
    kw = dict(TableName=n_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
              Limit=limit, ScanIndexForward=forward)
    items, pages = [], 0
    while True:
        r = ddb.query(**kw)
        pages += 1
        assert len(r["Items"]) <= limit
        assert r["Count"] == len(r["Items"])
        items.extend(r["Items"])
        if "LastEvaluatedKey" not in r:
            break
        # LastEvaluatedKey is the key of the last item returned
        assert r["LastEvaluatedKey"] == {"pk": r["Items"][-1]["pk"], "sk": r["Items"][-1]["sk"]}
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        assert pages <= 30
    want = ndec(N_SORTED) if forward else ndec(list(reversed(N_SORTED)))
    assert ndec(sk_values(items, "N")) == want
    n = len(N_SORTED)
    # a page that exactly exhausts the partition may still carry a LastEvaluatedKey (then one empty page follows)
    assert pages in (-(-n // limit), n // limit + 1)


def test_exclusive_start_key_resumes_after(ddb, s_table):
    r = ddb.query(
        TableName=s_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"S": "aa"}},
    )
    assert sk_values(r["Items"], "S") == S_SORTED[S_SORTED.index("aa") + 1:]
    # the start key need not exist
    r = ddb.query(
        TableName=s_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"S": "aaa"}},
    )
    assert sk_values(r["Items"], "S") == [s for s in S_SORTED if s.encode() > b"aaa"]
    r = ddb.query(
        TableName=s_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"S": "b"}}, ScanIndexForward=False,
    )
    assert sk_values(r["Items"], "S") == list(reversed(S_SORTED[: S_SORTED.index("b")]))


def test_one_megabyte_page_limit(ddb, range_table):
    # 15 items of ~100 KB each (~1.5 MB) in one partition
    blob = "x" * 100_000
    for i in range(15):
        ddb.put_item(TableName=range_table, Item={"pk": {"S": "big"}, "sk": {"S": "%02d" % i}, "v": {"S": blob}})
    kw = dict(TableName=range_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "big"}})
    r = ddb.query(**kw)
    # 1 MB = 1048576 bytes: 10 items fit (~1,000,100 bytes); the 11th crosses the limit
    assert len(r["Items"]) in (10, 11)
    assert r["Count"] == len(r["Items"])
    assert r["LastEvaluatedKey"] == {"pk": {"S": "big"}, "sk": r["Items"][-1]["sk"]}
    pages = helpers.pages(ddb.query, **kw)
    assert [i["sk"]["S"] for p in pages for i in p["Items"]] == ["%02d" % i for i in range(15)]
    assert len(pages) == 2
    # Select COUNT obeys the same 1 MB limit
    r = ddb.query(Select="COUNT", **kw)
    assert r["Count"] in (10, 11) and "LastEvaluatedKey" in r and "Items" not in r


# --------------------------------------------------------------------------- Select / Count / filter


def test_select_count(ddb, n_table):
    r = q(ddb, n_table, "sk >= :a", {":a": {"N": "0"}}, Select="COUNT")
    want = sum(1 for v in ndec(N_SORTED) if v >= 0)
    assert r["Count"] == want
    assert r["ScannedCount"] == want
    assert "Items" not in r


def test_count_and_scanned_count_with_filter(ddb, n_table):
    r = q(ddb, n_table, "sk > :a", {":a": {"N": "0"}, ":big": {"N": "10"}}, FilterExpression="v >= :big")
    scanned = sum(1 for v in ndec(N_SORTED) if v > 0)
    matched = [v for v in ndec(N_SORTED) if v >= 10]
    assert r["ScannedCount"] == scanned
    assert r["Count"] == len(matched)
    assert ndec(sk_values(r["Items"], "N")) == matched
    # Limit counts evaluated items, not matched ones
    r = q(ddb, n_table, None, {":big": {"N": "10"}}, FilterExpression="v >= :big", Limit=5)
    assert r["ScannedCount"] == 5
    assert r["Count"] == 0 and r["Items"] == []
    assert "LastEvaluatedKey" in r


def test_projection_in_query(ddb, n_table):
    r = q(ddb, n_table, "sk = :a", {":a": {"N": "0"}}, ProjectionExpression="sk")
    assert r["Items"] == [{"sk": {"N": "0"}}]


def test_select_specific_attributes(ddb, n_table):
    r = q(ddb, n_table, "sk = :a", {":a": {"N": "1"}}, ProjectionExpression="i, pk",
          Select="SPECIFIC_ATTRIBUTES")
    assert set(r["Items"][0]) == {"i", "pk"}


def test_filter_on_key_attribute_rejected(raw_ddb, n_table):
    with pytest.raises(ClientError) as e:
        q(raw_ddb, n_table, None, {":a": {"N": "1"}}, FilterExpression="sk = :a")
    assert err(e) == (
        "ValidationException",
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk",
    )


# --------------------------------------------------------------------------- errors


def test_query_missing_partition_condition(raw_ddb, s_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.query(TableName=s_table, KeyConditionExpression="sk = :a", ExpressionAttributeValues={":a": {"S": "a"}})
    code, msg = err(e)
    assert code == "ValidationException"
    assert msg.startswith("Query condition missed key schema element")


@pytest.mark.aws_differs("DynamoDB Local leaves out the element name: 'Query condition missed key schema element'")
def test_query_missing_partition_condition_message(raw_ddb, s_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.query(TableName=s_table, KeyConditionExpression="sk = :a", ExpressionAttributeValues={":a": {"S": "a"}})
    assert err(e) == ("ValidationException", "Query condition missed key schema element: pk")


def test_query_condition_on_non_key_attribute(raw_ddb, s_table):
    for cond, vals in [
        ("pk = :p AND attr1 = :a", {":p": {"S": "p"}, ":a": {"S": "a"}}),
        ("attr1 = :a", {":a": {"S": "a"}}),
    ]:
        with pytest.raises(ClientError) as e:
            raw_ddb.query(TableName=s_table, KeyConditionExpression=cond, ExpressionAttributeValues=vals)
        code, msg = err(e)
        assert code == "ValidationException"
        assert msg.startswith("Query condition missed key schema element"), msg


def test_query_begins_with_on_number(raw_ddb, n_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.query(
            TableName=n_table, KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
            ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"N": "1"}},
        )
    assert err(e) == (
        "ValidationException",
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
        "operator or function: begins_with, operand type: N",
    )


def test_query_key_condition_errors(raw_ddb, n_table):
    cases = [
        # partition key must use =
        ("pk > :p", {":p": {"S": "p"}}, "Query key condition not supported"),
        # two conditions on the sort key
        ("pk = :p AND sk > :a AND sk < :b", {":p": {"S": "p"}, ":a": {"N": "1"}, ":b": {"N": "2"}},
         "KeyConditionExpressions must only contain one condition per key"),
        # OR is not allowed
        ("pk = :p OR sk = :a", {":p": {"S": "p"}, ":a": {"N": "1"}},
         "Invalid operator used in KeyConditionExpression: OR"),
        # value type must match the key type
        ("pk = :p AND sk = :a", {":p": {"S": "p"}, ":a": {"S": "1"}},
         "One or more parameter values were invalid: Condition parameter type does not match schema type"),
        # <> is not a key condition
        ("pk = :p AND sk <> :a", {":p": {"S": "p"}, ":a": {"N": "1"}},
         "Invalid operator used in KeyConditionExpression: <>"),
    ]
    for cond, vals, msg in cases:
        with pytest.raises(ClientError) as e:
            raw_ddb.query(TableName=n_table, KeyConditionExpression=cond, ExpressionAttributeValues=vals)
        assert err(e) == ("ValidationException", msg), cond


def test_query_missing_table(ddb):
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.query(
            TableName=helpers.unique_name("missing"), KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
        )


def test_long_sort_keys_sharing_a_prefix_keep_order_and_paging(ddb, s_table):
    """Sort keys longer than the inline part of ddbd's key encoding, sharing a
    long prefix, still come back in byte order both ways and page exactly."""
    prefix = "p" * 900
    suffixes = ["c", "a", "e", "b", "d"]
    for s in suffixes:
        ddb.put_item(TableName=s_table, Item={"pk": {"S": "g"}, "sk": {"S": prefix + s}, "v": {"S": s}})
    for forward, want in ((True, sorted(suffixes)), (False, sorted(suffixes, reverse=True))):
        got, kw = [], {}
        for _ in range(10):
            r = ddb.query(TableName=s_table, KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": {"S": "g"}}, ScanIndexForward=forward, Limit=2, **kw)
            got += [i["v"]["S"] for i in r["Items"]]
            if "LastEvaluatedKey" not in r:
                break
            kw = {"ExclusiveStartKey": r["LastEvaluatedKey"]}
        assert got == want
    r = ddb.query(TableName=s_table, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                  ExpressionAttributeValues={":p": {"S": "g"}, ":a": {"S": prefix + "b"}, ":b": {"S": prefix + "d"}})
    assert [i["v"]["S"] for i in r["Items"]] == ["b", "c", "d"]
