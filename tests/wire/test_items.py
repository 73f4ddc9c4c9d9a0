"""PutItem, GetItem, DeleteItem, UpdateItem: values, validation, conditions, return values.

Where AWS's text differs from DynamoDB Local's (aws_differs), the AWS side comes from:
  * 'Requested resource not found': a raw AWS response quoted in
    github.com/hashicorp-education/learn-terraform-aft-account-request/issues/4;
  * 'Type mismatch for key pk expected: S actual: N', 'Missing the key sk in the item': test suites of
    emulators checked against AWS (dynoxide and others) and user reports of AWS errors;
  * 'The provided key element does not match the schema': AWS SDK issues (aws/aws-sdk-js#4118,
    boto/boto3#1270) and dynoxide's README noting DynamoDB Local's 'number of conditions' text differs;
  * key size texts: dynalite db/index.js and scylladb test/alternator/test_limits.py (run against AWS);
  * nested UPDATED_OLD/UPDATED_NEW and REMOVE-only updates: scylladb test/alternator/test_returnvalues.py.
"""
import json
import re
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

import helpers
from helpers import K, err, get

CCF_MSG = "The conditional request failed"


def norm_sets(item):
    """Sets have no order: compare them as sorted lists."""
    out = {}
    for k, v in item.items():
        (t, x), = v.items()
        if t in ("SS", "NS", "BS"):
            out[k] = {t: sorted(x)}
        elif t == "M":
            out[k] = {"M": norm_sets(x)}
        elif t == "L":
            out[k] = {"L": [list(norm_sets({"_": e}).values())[0] for e in x]}
        else:
            out[k] = v
    return out


# --------------------------------------------------------------------------- round trips


def test_put_get_delete_roundtrip(ddb, hash_table):
    item = {"pk": {"S": "k1"}, "a": {"S": "hello"}, "n": {"N": "42"}}
    r = ddb.put_item(TableName=hash_table, Item=item)
    assert "Attributes" not in r
    assert get(ddb, hash_table, K("k1")) == item
    r = ddb.delete_item(TableName=hash_table, Key=K("k1"))
    assert "Attributes" not in r
    assert get(ddb, hash_table, K("k1")) is None
    # GetItem of a missing item: no Item member at all
    r = ddb.get_item(TableName=hash_table, Key=K("nothing"))
    assert "Item" not in r
    # deleting a missing item is not an error
    ddb.delete_item(TableName=hash_table, Key=K("nothing"))


def test_all_attribute_types_roundtrip(ddb, hash_table):
    item = {
        "pk": {"S": "types"},
        "s": {"S": "unicode ✓ \u00e9\u4e2d \U0001f600 \"quotes\" \\ back\nline\ttab\x01"},
        "s_empty": {"S": ""},
        "n_int": {"N": "-17"},
        "n_dec": {"N": "3.14159"},
        "n_big": {"N": "12345678901234567890123456789012345678"},
        "n_small": {"N": "0.000000000000000000000000000000000000000001"},
        "b": {"B": bytes(range(256))},
        "b_empty": {"B": b""},
        "t": {"BOOL": True},
        "f": {"BOOL": False},
        "null": {"NULL": True},
        "ss": {"SS": ["x", "y", "z", "\u00e9"]},
        "ns": {"NS": ["1", "-2.5", "1000"]},
        "bs": {"BS": [b"\x00", b"\xff\xfe", b"abc"]},
        "m": {
            "M": {
                "inner": {"M": {"deep": {"L": [{"S": "a"}, {"N": "1"}, {"M": {}}]}}},
                "empty_s": {"S": ""},
                "nul": {"NULL": True},
            }
        },
        "l": {"L": [{"S": "x"}, {"L": [{"BOOL": False}, {"L": []}]}, {"SS": ["q"]}, {"B": b"\x01"}]},
        "m_empty": {"M": {}},
        "l_empty": {"L": []},
        "weird name.with:chars#[0]": {"S": "name is opaque"},
    }
    ddb.put_item(TableName=hash_table, Item=item)
    got = get(ddb, hash_table, K("types"))
    assert norm_sets(got) == norm_sets(item)


def test_number_normalization(ddb, hash_table):
    cases = {
        "a": ("01.50", "1.5"),
        "b": ("-0.000", "0"),
        "c": ("1e5", "100000"),
        "d": ("1.0E+2", "100"),
        "e": ("-1.230e-3", "-0.00123"),
        "f": ("+7", "7"),
        "g": ("0.10", "0.1"),
        "h": ("000", "0"),
        "i": ("123.4500e1", "1234.5"),
    }
    item = {"pk": {"S": "nums"}}
    item.update({k: {"N": v[0]} for k, v in cases.items()})
    item["ns"] = {"NS": ["1.50", "2e1"]}
    ddb.put_item(TableName=hash_table, Item=item)
    got = get(ddb, hash_table, K("nums"))
    for k, (_, want) in cases.items():
        assert got[k] == {"N": want}, k
    assert sorted(got["ns"]["NS"]) == ["1.5", "20"]


def test_number_equal_values_are_same_key(ddb, make_table):
    t = make_table(hash=("pk", "N"), range=("sk", "N"))
    ddb.put_item(TableName=t, Item={"pk": {"N": "1"}, "sk": {"N": "2.50"}, "v": {"S": "first"}})
    ddb.put_item(TableName=t, Item={"pk": {"N": "1.0"}, "sk": {"N": "25e-1"}, "v": {"S": "second"}})
    got = get(ddb, t, {"pk": {"N": "01"}, "sk": {"N": "2.5"}})
    assert got == {"pk": {"N": "1"}, "sk": {"N": "2.5"}, "v": {"S": "second"}}
    q = ddb.query(
        TableName=t, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"N": "1.000"}}
    )
    assert q["Count"] == 1


@pytest.mark.parametrize(
    "value,message",
    [
        ("1" * 39, None),
        ("1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        ("1e-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
        ("abc", None),
        ("", None),
    ],
    ids=["39-digits", "overflow", "underflow", "not-a-number", "empty"],
)
def test_invalid_numbers(raw_ddb, hash_table, value, message):
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "n"}, "x": {"N": value}})
    code, msg = err(e)
    assert code == "ValidationException"
    if message:
        assert msg == message


def test_number_limits_accepted(ddb, hash_table):
    item = {
        "pk": {"S": "lim"},
        "max": {"N": "9.9999999999999999999999999999999999999E+125"},
        "min": {"N": "1E-130"},
        "neg": {"N": "-9.9999999999999999999999999999999999999E+125"},
        "d38": {"N": "0.12345678901234567890123456789012345678"},
    }
    ddb.put_item(TableName=hash_table, Item=item)
    got = get(ddb, hash_table, K("lim"))
    assert Decimal(got["max"]["N"]) == Decimal("9.9999999999999999999999999999999999999E+125")
    assert Decimal(got["min"]["N"]) == Decimal("1E-130")
    assert Decimal(got["neg"]["N"]) == Decimal("-9.9999999999999999999999999999999999999E+125")
    assert got["d38"] == {"N": "0.12345678901234567890123456789012345678"}


def test_binary_keys(ddb, make_table):
    t = make_table(hash=("pk", "B"), range=("sk", "B"))
    key = {"pk": {"B": b"\x00\x01\xff"}, "sk": {"B": b"\x00"}}
    ddb.put_item(TableName=t, Item=dict(key, v={"S": "bin"}))
    assert get(ddb, t, key) == dict(key, v={"S": "bin"})
    assert get(ddb, t, {"pk": {"B": b"\x00\x01\xff"}, "sk": {"B": b"\x00\x00"}}) is None


def test_put_overwrites_whole_item(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "o"}, "a": {"S": "1"}, "b": {"S": "2"}})
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "o"}, "c": {"S": "3"}})
    assert get(ddb, hash_table, K("o")) == {"pk": {"S": "o"}, "c": {"S": "3"}}


def test_consistent_read_both_ways(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "cr"}, "v": {"N": "1"}})
    for cr in (True, False):
        r = ddb.get_item(TableName=hash_table, Key=K("cr"), ConsistentRead=cr)
        assert r["Item"] == {"pk": {"S": "cr"}, "v": {"N": "1"}}


def test_get_item_projection_expression(ddb, hash_table):
    item = {
        "pk": {"S": "proj"},
        "name": {"S": "n"},
        "a": {"M": {"b": {"N": "1"}, "c": {"N": "2"}}},
        "l": {"L": [{"S": "x"}, {"S": "y"}, {"S": "z"}]},
        "other": {"S": "o"},
        "dotted.nm": {"S": "d"},
    }
    ddb.put_item(TableName=hash_table, Item=item)
    r = get(
        ddb,
        hash_table,
        K("proj"),
        ProjectionExpression="#n, a.b, l[2], #d, absent",
        ExpressionAttributeNames={"#n": "name", "#d": "dotted.nm"},
    )
    assert r == {
        "name": {"S": "n"},
        "a": {"M": {"b": {"N": "1"}}},
        "l": {"L": [{"S": "z"}]},
        "dotted.nm": {"S": "d"},
    }
    # without ExpressionAttributeNames a dot is a path separator
    assert get(ddb, hash_table, K("proj"), ProjectionExpression="pk, dotted.nm") == {"pk": {"S": "proj"}}
    # a projection matching nothing gives an empty Item
    r = ddb.get_item(TableName=hash_table, Key=K("proj"), ProjectionExpression="nope")
    assert r["Item"] == {}


def test_projection_undefined_name(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.get_item(TableName=hash_table, Key=K("x"), ProjectionExpression="#zz")
    assert err(e) == (
        "ValidationException",
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; "
        "attribute name: #zz",
    )


def test_empty_strings_and_binaries_in_non_key_attributes(ddb, range_table):
    item = {"pk": {"S": "e"}, "sk": {"S": "s"}, "es": {"S": ""}, "eb": {"B": b""},
            "m": {"M": {"x": {"S": ""}}}, "l": {"L": [{"S": ""}, {"B": b""}]}}
    ddb.put_item(TableName=range_table, Item=item)
    assert get(ddb, range_table, {"pk": {"S": "e"}, "sk": {"S": "s"}}) == item


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "value,message",
    [
        ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
        ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty"),
        ({"BS": []}, "One or more parameter values were invalid: Binary sets should not be empty"),
    ],
    ids=["SS", "NS", "BS"],
)
def test_empty_set_rejected(raw_ddb, hash_table, value, message):
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "x"}, "set": value})
    assert err(e) == ("ValidationException", message)


def test_duplicate_set_members_rejected(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "x"}, "set": {"SS": ["a", "a"]}})
    code, msg = err(e)
    assert code == "ValidationException"
    assert msg.startswith("One or more parameter values were invalid: Input collection [a, a] contains duplicates")
    # numbers that are equal after normalization are duplicates too
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "x"}, "set": {"NS": ["1", "1.0"]}})
    assert err(e) == ("ValidationException", "Input collection contains duplicates")
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "x"}, "set": {"BS": [b"a", b"a"]}})
    code, msg = err(e)
    assert code == "ValidationException"
    assert "contains duplicates" in msg
    assert get(raw_ddb, hash_table, K("x")) is None


def test_attribute_value_must_have_exactly_one_type(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "x"}, "v": {}})
    assert err(e) == (
        "ValidationException",
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
    )
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "x"}, "v": {"S": "a", "N": "1"}})
    assert err(e) == (
        "ValidationException",
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported "
        "datatypes",
    )


def test_key_type_mismatch(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item={"pk": {"N": "1"}})
    code, msg = err(e)
    assert code == "ValidationException"
    assert msg.startswith("One or more parameter values were invalid: Type mismatch for key")


@pytest.mark.aws_differs(
    "DynamoDB Local stops at 'Type mismatch for key'; AWS adds the key name and types"
)
def test_key_type_mismatch_message(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item={"pk": {"N": "1"}})
    assert err(e) == (
        "ValidationException",
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
    )


def test_missing_key_attribute_in_put(raw_ddb, range_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=range_table, Item={"pk": {"S": "a"}, "v": {"S": "x"}})
    assert err(e)[0] == "ValidationException"


@pytest.mark.aws_differs("DynamoDB Local: 'One of the required keys was not given a value'")
def test_missing_key_attribute_in_put_message(raw_ddb, range_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=range_table, Item={"pk": {"S": "a"}, "v": {"S": "x"}})
    assert err(e) == ("ValidationException", "One or more parameter values were invalid: Missing the key sk in the item")


def test_empty_string_key_rejected(raw_ddb, range_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=range_table, Item={"pk": {"S": ""}, "sk": {"S": "x"}})
    assert err(e) == (
        "ValidationException",
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
        "empty string value. Key: pk",
    )
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=range_table, Item={"pk": {"S": "x"}, "sk": {"S": ""}})
    assert err(e) == (
        "ValidationException",
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
        "empty string value. Key: sk",
    )


def test_get_item_key_must_match_schema(raw_ddb, range_table):
    bad_keys = [
        {"pk": {"S": "a"}},  # missing sort key
        {"pk": {"S": "a"}, "sk": {"S": "b"}, "extra": {"S": "c"}},  # extra attribute
        {"pk": {"S": "a"}, "other": {"S": "b"}},  # wrong attribute
    ]
    for key in bad_keys:
        with pytest.raises(ClientError) as e:
            raw_ddb.get_item(TableName=range_table, Key=key)
        assert err(e)[0] == "ValidationException", key
        with pytest.raises(ClientError) as e:
            raw_ddb.delete_item(TableName=range_table, Key=key)
        assert err(e)[0] == "ValidationException", key


@pytest.mark.aws_differs("DynamoDB Local: 'The number of conditions on the keys is invalid'")
def test_get_item_key_must_match_schema_message(raw_ddb, range_table):
    for key in ({"pk": {"S": "a"}}, {"pk": {"S": "a"}, "sk": {"S": "b"}, "extra": {"S": "c"}}):
        with pytest.raises(ClientError) as e:
            raw_ddb.get_item(TableName=range_table, Key=key)
        assert err(e) == ("ValidationException", "The provided key element does not match the schema")


def test_item_size_limit(raw_ddb, hash_table):
    # item size = sum over attributes of (UTF-8 name length + value size); 400 KB = 409600 bytes.
    # {"pk": "a", "big": "x"*n} has size 2 + 1 + 3 + n.
    n = 409600 - 6
    raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "a"}, "big": {"S": "x" * n}})
    got = get(raw_ddb, hash_table, K("a"))
    assert len(got["big"]["S"]) == n
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "b"}, "big": {"S": "x" * (n + 1)}})
    assert err(e) == ("ValidationException", "Item size has exceeded the maximum allowed size")
    assert get(raw_ddb, hash_table, K("b")) is None


def test_item_size_limit_on_update(raw_ddb, hash_table):
    raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "u"}, "big": {"S": "x" * 300000}})
    with pytest.raises(ClientError) as e:
        raw_ddb.update_item(
            TableName=hash_table,
            Key=K("u"),
            UpdateExpression="SET big2 = :v",
            ExpressionAttributeValues={":v": {"S": "y" * 200000}},
        )
    assert err(e) == ("ValidationException", "Item size to update has exceeded the maximum allowed size")
    assert "big2" not in get(raw_ddb, hash_table, K("u"))


def test_partition_key_length_limit(raw_ddb, hash_table):
    raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "p" * 2048}})
    assert get(raw_ddb, hash_table, K("p" * 2048)) == {"pk": {"S": "p" * 2048}}
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "p" * 2049}})
    assert err(e)[0] == "ValidationException"
    # multi-byte characters count in UTF-8 bytes: 1024 x 2-byte 'é' = 2048 bytes
    raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "\u00e9" * 1024}})
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "\u00e9" * 1024 + "x"}})
    assert err(e)[0] == "ValidationException"


def test_sort_key_length_limit(raw_ddb, range_table):
    raw_ddb.put_item(TableName=range_table, Item={"pk": {"S": "a"}, "sk": {"S": "s" * 1024}})
    assert get(raw_ddb, range_table, {"pk": {"S": "a"}, "sk": {"S": "s" * 1024}}) is not None
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=range_table, Item={"pk": {"S": "a"}, "sk": {"S": "s" * 1025}})
    assert err(e)[0] == "ValidationException"


@pytest.mark.aws_differs(
    "DynamoDB Local: 'Hash primary key values must be under 2048 bytes, and range primary key values must be "
    "under 1024 bytes' for both"
)
def test_key_length_limit_messages(raw_ddb, range_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=range_table, Item={"pk": {"S": "p" * 2049}, "sk": {"S": "s"}})
    assert err(e) == (
        "ValidationException",
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
    )
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=range_table, Item={"pk": {"S": "p"}, "sk": {"S": "s" * 1025}})
    assert err(e) == (
        "ValidationException",
        "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size "
        "limit of 1024 bytes",
    )


def test_long_sort_keys_distinct_and_exact(ddb, range_table):
    """Sort keys sharing a 1000-byte prefix stay distinct items (no truncation in the key encoding)."""
    prefix = "z" * 1000
    for suffix in ("a" * 24, "a" * 23 + "b", "b"):
        ddb.put_item(TableName=range_table, Item={"pk": {"S": "long"}, "sk": {"S": prefix + suffix}, "v": {"S": suffix}})
    for suffix in ("a" * 24, "a" * 23 + "b", "b"):
        assert get(ddb, range_table, {"pk": {"S": "long"}, "sk": {"S": prefix + suffix}})["v"] == {"S": suffix}
    ddb.delete_item(TableName=range_table, Key={"pk": {"S": "long"}, "sk": {"S": prefix + "a" * 24}})
    q = ddb.query(TableName=range_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "long"}})
    assert [i["v"]["S"] for i in q["Items"]] == ["a" * 23 + "b", "b"]


# --------------------------------------------------------------------------- missing table


@pytest.mark.parametrize("op", ["put", "get", "delete", "update"])
def test_item_ops_on_missing_table(ddb, op):
    name = helpers.unique_name("missing")
    calls = {
        "put": lambda: ddb.put_item(TableName=name, Item=K("a")),
        "get": lambda: ddb.get_item(TableName=name, Key=K("a")),
        "delete": lambda: ddb.delete_item(TableName=name, Key=K("a")),
        "update": lambda: ddb.update_item(
            TableName=name, Key=K("a"), UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "1"}}
        ),
    }
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        calls[op]()


@pytest.mark.aws_differs(
    "DynamoDB Local: 'Cannot do operations on a non-existent table'; AWS: 'Requested resource not found'"
)
def test_item_ops_on_missing_table_message(ddb):
    name = helpers.unique_name("missing")
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=name, Key=K("a"))
    assert err(e) == ("ResourceNotFoundException", "Requested resource not found")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=name, Item=K("a"))
    assert err(e) == ("ResourceNotFoundException", "Requested resource not found")


# --------------------------------------------------------------------------- conditions


def test_condition_attribute_not_exists(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "c"}, "v": {"N": "1"}}, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=hash_table, Item={"pk": {"S": "c"}, "v": {"N": "2"}}, ConditionExpression="attribute_not_exists(pk)")
    assert err(e) == ("ConditionalCheckFailedException", CCF_MSG)
    assert get(ddb, hash_table, K("c"))["v"] == {"N": "1"}


def test_condition_attribute_exists(ddb, hash_table):
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName=hash_table, Item={"pk": {"S": "c"}}, ConditionExpression="attribute_exists(pk)")
    assert get(ddb, hash_table, K("c")) is None
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "c"}, "v": {"N": "1"}})
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "c"}, "v": {"N": "2"}}, ConditionExpression="attribute_exists(v)")
    assert get(ddb, hash_table, K("c"))["v"] == {"N": "2"}
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.delete_item(TableName=hash_table, Key=K("c"), ConditionExpression="attribute_exists(nope)")
    ddb.delete_item(TableName=hash_table, Key=K("c"), ConditionExpression="attribute_exists(v)")
    assert get(ddb, hash_table, K("c")) is None
    # a condition on a missing item sees no attributes
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.delete_item(TableName=hash_table, Key=K("c"), ConditionExpression="attribute_exists(pk)")


@pytest.mark.parametrize(
    "expr,ok",
    [
        ("v = :five", True),
        ("v <> :five", False),
        ("v < :ten", True),
        ("v <= :five", True),
        ("v > :five", False),
        ("v >= :ten", False),
        ("v BETWEEN :five AND :ten", True),
        ("v BETWEEN :six AND :ten", False),
        ("v IN (:six, :five)", True),
        ("v IN (:six, :ten)", False),
        ("begins_with(s, :pre)", True),
        ("begins_with(s, :s)", False),
        ("contains(s, :mid)", True),
        ("contains(tags, :tag)", True),
        ("contains(tags, :s)", False),
        ("size(s) = :five", True),
        ("size(tags) > :five", False),
        ("attribute_type(v, :ntype)", True),
        ("attribute_type(s, :ntype)", False),
        ("v = :five AND s = :s", False),
        ("v = :five OR s = :s", True),
        ("NOT v = :five", False),
        ("(v = :six OR v = :five) AND attribute_exists(s)", True),
        ("#weird = :five", True),
        ("m.deep.x = :five", True),
        ("l[1] = :ten", True),
        ("s > :pre", True),
        ("v = :s", False),  # different types never compare equal
    ],
)
def test_condition_comparisons(ddb, hash_table, expr, ok):
    item = {
        "pk": {"S": "cmp"},
        "v": {"N": "5"},
        "s": {"S": "hello"},
        "tags": {"SS": ["red", "blue"]},
        "dot.ted": {"N": "5"},
        "m": {"M": {"deep": {"M": {"x": {"N": "5"}}}}},
        "l": {"L": [{"N": "1"}, {"N": "10"}]},
    }
    ddb.put_item(TableName=hash_table, Item=item)
    values = {
        ":five": {"N": "5"}, ":six": {"N": "6"}, ":ten": {"N": "10"}, ":pre": {"S": "he"},
        ":s": {"S": "x"}, ":mid": {"S": "ell"}, ":tag": {"S": "red"}, ":ntype": {"S": "N"},
    }
    used = {k: v for k, v in values.items() if re.search(re.escape(k) + r"\b", expr)}
    kw = dict(ConditionExpression=expr, ExpressionAttributeValues=used)
    if "#weird" in expr:
        kw["ExpressionAttributeNames"] = {"#weird": "dot.ted"}
    new = dict(item, marker={"S": "written"})
    if ok:
        ddb.put_item(TableName=hash_table, Item=new, **kw)
        assert get(ddb, hash_table, K("cmp"))["marker"] == {"S": "written"}
    else:
        with pytest.raises(ClientError) as e:
            ddb.put_item(TableName=hash_table, Item=new, **kw)
        assert err(e) == ("ConditionalCheckFailedException", CCF_MSG)
        assert "marker" not in get(ddb, hash_table, K("cmp"))


def test_condition_on_update_and_delete(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "u"}, "ver": {"N": "1"}})
    ddb.update_item(
        TableName=hash_table,
        Key=K("u"),
        UpdateExpression="SET ver = ver + :one",
        ConditionExpression="ver = :expected",
        ExpressionAttributeValues={":one": {"N": "1"}, ":expected": {"N": "1"}},
    )
    with pytest.raises(ClientError) as e:
        ddb.update_item(
            TableName=hash_table,
            Key=K("u"),
            UpdateExpression="SET ver = ver + :one",
            ConditionExpression="ver = :expected",
            ExpressionAttributeValues={":one": {"N": "1"}, ":expected": {"N": "1"}},
        )
    assert err(e) == ("ConditionalCheckFailedException", CCF_MSG)
    assert get(ddb, hash_table, K("u"))["ver"] == {"N": "2"}
    # an update with a failing condition on a missing item does not create it
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.update_item(
            TableName=hash_table,
            Key=K("ghost"),
            UpdateExpression="SET v = :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    assert get(ddb, hash_table, K("ghost")) is None
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.delete_item(
            TableName=hash_table, Key=K("u"), ConditionExpression="ver = :v", ExpressionAttributeValues={":v": {"N": "1"}}
        )
    ddb.delete_item(
        TableName=hash_table, Key=K("u"), ConditionExpression="ver = :v", ExpressionAttributeValues={":v": {"N": "2"}}
    )
    assert get(ddb, hash_table, K("u")) is None


def test_condition_expression_errors(raw_ddb, hash_table):
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item=K("a"), ConditionExpression="v >")
    assert err(e) == ("ValidationException", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ">"')
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(
            TableName=hash_table, Item=K("a"), ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#u": "x"},
        )
    assert err(e) == ("ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}")
    with pytest.raises(ClientError) as e:
        raw_ddb.put_item(TableName=hash_table, Item=K("a"), ConditionExpression="v = :missing")
    assert err(e) == (
        "ValidationException",
        "Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
        "attribute value: :missing",
    )
    assert get(raw_ddb, hash_table, K("a")) is None


def test_return_values_on_condition_check_failure(endpoint, ddb, hash_table):
    """ReturnValuesOnConditionCheckFailure=ALL_OLD puts the current item in the error (raw request:
    the Debian botocore predates the parameter)."""
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "rv"}, "v": {"N": "1"}})
    bodies = [
        ("PutItem", {"TableName": hash_table, "Item": {"pk": {"S": "rv"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}),
        ("UpdateItem", {"TableName": hash_table, "Key": {"pk": {"S": "rv"}}, "UpdateExpression": "SET v = :x",
                        "ConditionExpression": "v = :x", "ExpressionAttributeValues": {":x": {"N": "2"}}}),
        ("DeleteItem", {"TableName": hash_table, "Key": {"pk": {"S": "rv"}},
                        "ConditionExpression": "attribute_not_exists(v)"}),
    ]
    for op, body in bodies:
        body = dict(body, ReturnValuesOnConditionCheckFailure="ALL_OLD")
        status, headers, data = helpers.raw_request(endpoint, op, json.dumps(body))
        assert status == 400, (op, data)
        assert helpers.error_type(data) == "ConditionalCheckFailedException"
        assert helpers.error_message(data) == CCF_MSG
        assert json.loads(data)["Item"] == {"pk": {"S": "rv"}, "v": {"N": "1"}}
        # NONE (the default): no Item in the error
        body["ReturnValuesOnConditionCheckFailure"] = "NONE"
        status, headers, data = helpers.raw_request(endpoint, op, json.dumps(body))
        assert status == 400 and "Item" not in json.loads(data)
    # a missing item: ALL_OLD has nothing to return
    body = {"TableName": hash_table, "Key": {"pk": {"S": "none"}}, "ConditionExpression": "attribute_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    status, headers, data = helpers.raw_request(endpoint, "DeleteItem", json.dumps(body))
    assert status == 400 and helpers.error_type(data) == "ConditionalCheckFailedException"
    assert "Item" not in json.loads(data)


# --------------------------------------------------------------------------- ReturnValues


def test_put_return_values(ddb, hash_table):
    r = ddb.put_item(TableName=hash_table, Item={"pk": {"S": "r"}, "v": {"N": "1"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in r
    r = ddb.put_item(TableName=hash_table, Item={"pk": {"S": "r"}, "v": {"N": "2"}}, ReturnValues="ALL_OLD")
    assert r["Attributes"] == {"pk": {"S": "r"}, "v": {"N": "1"}}
    r = ddb.put_item(TableName=hash_table, Item={"pk": {"S": "r"}, "v": {"N": "3"}}, ReturnValues="NONE")
    assert "Attributes" not in r


def test_put_return_values_invalid(raw_ddb, hash_table):
    for rv in ("ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"):
        with pytest.raises(ClientError) as e:
            raw_ddb.put_item(TableName=hash_table, Item=K("r"), ReturnValues=rv)
        assert err(e)[0] == "ValidationException"
    assert get(raw_ddb, hash_table, K("r")) is None


def test_delete_return_values(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "d"}, "v": {"S": "x"}})
    r = ddb.delete_item(TableName=hash_table, Key=K("d"), ReturnValues="ALL_OLD")
    assert r["Attributes"] == {"pk": {"S": "d"}, "v": {"S": "x"}}
    r = ddb.delete_item(TableName=hash_table, Key=K("d"), ReturnValues="ALL_OLD")
    assert "Attributes" not in r
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "d"}})
    r = ddb.delete_item(TableName=hash_table, Key=K("d"), ReturnValues="NONE")
    assert "Attributes" not in r


@pytest.mark.parametrize(
    "rv,expected",
    [
        ("NONE", None),
        ("ALL_OLD", {"pk": {"S": "up"}, "a": {"N": "1"}, "b": {"S": "keep"}, "c": {"S": "gone"}}),
        ("ALL_NEW", {"pk": {"S": "up"}, "a": {"N": "2"}, "b": {"S": "keep"}, "d": {"S": "new"}}),
        ("UPDATED_OLD", {"a": {"N": "1"}, "c": {"S": "gone"}}),
        ("UPDATED_NEW", {"a": {"N": "2"}, "d": {"S": "new"}}),
    ],
)
def test_update_return_values(ddb, hash_table, rv, expected):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "up"}, "a": {"N": "1"}, "b": {"S": "keep"}, "c": {"S": "gone"}})
    r = ddb.update_item(
        TableName=hash_table,
        Key=K("up"),
        UpdateExpression="SET a = a + :one, d = :new REMOVE c",
        ExpressionAttributeValues={":one": {"N": "1"}, ":new": {"S": "new"}},
        ReturnValues=rv,
    )
    if expected is None:
        assert "Attributes" not in r
    else:
        assert r["Attributes"] == expected


@pytest.mark.aws_differs(
    "DynamoDB Local returns the whole top-level attribute; AWS returns only the updated nested path "
    "(scylladb test/alternator/test_returnvalues.py::test_update_item_returnvalues_nested, run against AWS)"
)
def test_update_return_values_nested(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "n"}, "m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}})
    r = ddb.update_item(
        TableName=hash_table, Key=K("n"), UpdateExpression="SET m.x = :v",
        ExpressionAttributeValues={":v": {"N": "9"}}, ReturnValues="UPDATED_NEW",
    )
    assert r["Attributes"] == {"m": {"M": {"x": {"N": "9"}}}}
    r = ddb.update_item(
        TableName=hash_table, Key=K("n"), UpdateExpression="SET m.y = :v",
        ExpressionAttributeValues={":v": {"N": "8"}}, ReturnValues="UPDATED_OLD",
    )
    assert r["Attributes"] == {"m": {"M": {"y": {"N": "2"}}}}


# --------------------------------------------------------------------------- UpdateItem


def test_update_creates_item(ddb, range_table):
    key = {"pk": {"S": "new"}, "sk": {"S": "1"}}
    r = ddb.update_item(
        TableName=range_table, Key=key, UpdateExpression="SET a = :a",
        ExpressionAttributeValues={":a": {"S": "x"}}, ReturnValues="ALL_NEW",
    )
    assert r["Attributes"] == dict(key, a={"S": "x"})
    assert get(ddb, range_table, key) == dict(key, a={"S": "x"})


@pytest.mark.aws_differs(
    "DynamoDB Local creates the bare key item; on AWS an update that only REMOVEs from a missing item creates "
    "nothing (scylladb test/alternator/test_returnvalues.py::test_update_item_returnvalues_all_new, run against AWS)"
)
def test_update_remove_only_on_missing_item_creates_nothing(ddb, range_table):
    key = {"pk": {"S": "new"}, "sk": {"S": "2"}}
    r = ddb.update_item(TableName=range_table, Key=key, UpdateExpression="REMOVE a", ReturnValues="ALL_NEW")
    assert "Attributes" not in r
    assert get(ddb, range_table, key) is None


def test_update_set_remove_nested_and_arithmetic(ddb, hash_table):
    ddb.put_item(
        TableName=hash_table,
        Item={
            "pk": {"S": "x"},
            "n": {"N": "10"},
            "m": {"M": {"a": {"M": {"b": {"N": "1"}}}, "drop": {"S": "y"}}},
            "l": {"L": [{"S": "l0"}, {"S": "l1"}, {"S": "l2"}]},
            "tags": {"SS": ["a", "b"]},
            "nums": {"NS": ["1", "2"]},
            "nums2": {"NS": ["1", "2"]},
            "gone": {"S": "bye"},
        },
    )
    ddb.update_item(
        TableName=hash_table,
        Key=K("x"),
        UpdateExpression=(
            "SET n = n - :three, m.a.b = m.a.b + :ten, m.a.c = :s, l[1] = :s, l[5] = :s, #f = if_not_exists(#f, :ten), "
            "appended = list_append(l, :more), dd = :d - :half "
            "REMOVE m.#drop, l[0], gone "
            "ADD cnt :ten, tags :newtags, nums :one "
            "DELETE nums2 :two"
        ),
        ExpressionAttributeNames={"#f": "fresh", "#drop": "drop"},
        ExpressionAttributeValues={
            ":three": {"N": "3"}, ":ten": {"N": "10"}, ":s": {"S": "set"}, ":more": {"L": [{"N": "7"}]},
            ":d": {"N": "0.3"}, ":half": {"N": "0.5"}, ":newtags": {"SS": ["c", "a"]}, ":one": {"NS": ["3"]},
            ":two": {"NS": ["2"]},
        },
    )
    got = get(ddb, hash_table, K("x"))
    assert got["n"] == {"N": "7"}
    assert got["m"] == {"M": {"a": {"M": {"b": {"N": "11"}, "c": {"S": "set"}}}}}
    # list_append reads the list before this update; l[5] appends; REMOVE l[0] shifts
    assert got["l"] == {"L": [{"S": "set"}, {"S": "l2"}, {"S": "set"}]}
    assert got["appended"] == {"L": [{"S": "l0"}, {"S": "l1"}, {"S": "l2"}, {"N": "7"}]}
    assert got["fresh"] == {"N": "10"}
    assert got["dd"] == {"N": "-0.2"}
    assert got["cnt"] == {"N": "10"}
    assert sorted(got["tags"]["SS"]) == ["a", "b", "c"]
    assert sorted(got["nums"]["NS"]) == ["1", "2", "3"]
    assert got["nums2"] == {"NS": ["1"]}
    assert "gone" not in got
    # if_not_exists keeps an existing value
    ddb.update_item(
        TableName=hash_table, Key=K("x"), UpdateExpression="SET fresh = if_not_exists(fresh, :z)",
        ExpressionAttributeValues={":z": {"N": "0"}},
    )
    assert get(ddb, hash_table, K("x"))["fresh"] == {"N": "10"}
    # deleting every member of a set removes the attribute
    ddb.update_item(
        TableName=hash_table, Key=K("x"), UpdateExpression="DELETE tags :all",
        ExpressionAttributeValues={":all": {"SS": ["a", "b", "c"]}},
    )
    assert "tags" not in get(ddb, hash_table, K("x"))


def test_update_exact_decimal_arithmetic(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "dec"}, "v": {"N": "0.1"}})
    for _ in range(2):
        ddb.update_item(
            TableName=hash_table, Key=K("dec"), UpdateExpression="SET v = v + :x",
            ExpressionAttributeValues={":x": {"N": "0.1"}},
        )
    assert get(ddb, hash_table, K("dec"))["v"] == {"N": "0.3"}
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "dec"}, "v": {"N": "1"}})
    ddb.update_item(
        TableName=hash_table, Key=K("dec"), UpdateExpression="ADD v :x",
        ExpressionAttributeValues={":x": {"N": "99999999999999999999999999999999999999"}},
    )
    assert get(ddb, hash_table, K("dec"))["v"] == {"N": "100000000000000000000000000000000000000"}


def test_update_key_attribute_rejected(raw_ddb, range_table):
    key = {"pk": {"S": "k"}, "sk": {"S": "s"}}
    raw_ddb.put_item(TableName=range_table, Item=key)
    for attr in ("pk", "sk"):
        with pytest.raises(ClientError) as e:
            raw_ddb.update_item(
                TableName=range_table, Key=key, UpdateExpression=f"SET {attr} = :v",
                ExpressionAttributeValues={":v": {"S": "other"}},
            )
        assert err(e) == (
            "ValidationException",
            f"One or more parameter values were invalid: Cannot update attribute {attr}. "
            "This attribute is part of the key",
        )
    with pytest.raises(ClientError) as e:
        raw_ddb.update_item(TableName=range_table, Key=key, UpdateExpression="REMOVE sk")
    assert err(e)[0] == "ValidationException"
    assert get(raw_ddb, range_table, key) == key


def test_update_expression_errors(raw_ddb, hash_table):
    raw_ddb.put_item(TableName=hash_table, Item={"pk": {"S": "a"}, "v": {"N": "1"}, "s": {"S": "str"}})
    cases = [
        (dict(UpdateExpression="SET v = :x", ExpressionAttributeValues={":x": {"N": "2"}, ":y": {"N": "1"}}),
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}"),
        (dict(UpdateExpression="SET v = :z", ExpressionAttributeValues={":x": {"N": "2"}}),
         "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
         "attribute value: :z"),
        (dict(UpdateExpression="SET v = v + :x", ExpressionAttributeValues={":x": {"S": "2"}}),
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, "
         "operand type: S"),
        (dict(UpdateExpression="SET v = ", ExpressionAttributeValues={":x": {"S": "2"}}),
         'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "= "'),
        (dict(UpdateExpression="SET #q = :x", ExpressionAttributeValues={":x": {"S": "2"}}),
         "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; "
         "attribute name: #q"),
        (dict(UpdateExpression="SET v = :x REMOVE v", ExpressionAttributeValues={":x": {"S": "2"}}),
         "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of "
         "these paths; path one: [v], path two: [v]"),
        (dict(UpdateExpression="SET nomap.a.b = :x", ExpressionAttributeValues={":x": {"S": "2"}}),
         "The document path provided in the update expression is invalid for update"),
        (dict(UpdateExpression="SET v = s + :x", ExpressionAttributeValues={":x": {"N": "2"}}),
         "An operand in the update expression has an incorrect data type"),
    ]
    for kw, msg in cases:
        with pytest.raises(ClientError) as e:
            raw_ddb.update_item(TableName=hash_table, Key=K("a"), **kw)
        assert err(e) == ("ValidationException", msg), kw
    assert get(raw_ddb, hash_table, K("a")) == {"pk": {"S": "a"}, "v": {"N": "1"}, "s": {"S": "str"}}


# --------------------------------------------------------------------------- event store append


def test_event_store_append_guard(ddb, make_table):
    """Appending (aggregateId, version) with attribute_not_exists(aggregateId) is an optimistic-concurrency
    guard: a second writer of the same version fails and the first event stays."""
    t = make_table(hash=("aggregateId", "S"), range=("version", "N"))

    def append(agg, version, payload):
        ddb.put_item(
            TableName=t,
            Item={"aggregateId": {"S": agg}, "version": {"N": str(version)}, "payload": {"S": payload}},
            ConditionExpression="attribute_not_exists(aggregateId)",
        )

    for v in (1, 2, 3):
        append("order-1", v, f"event-{v}")
    append("order-2", 1, "other aggregate, same version: fine")
    with pytest.raises(ClientError) as e:
        append("order-1", 2, "conflicting writer")
    assert err(e) == ("ConditionalCheckFailedException", CCF_MSG)
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        append("order-1", "2.0", "same version written differently")
    q = ddb.query(
        TableName=t, KeyConditionExpression="aggregateId = :a",
        ExpressionAttributeValues={":a": {"S": "order-1"}}, ConsistentRead=True,
    )
    assert [(i["version"]["N"], i["payload"]["S"]) for i in q["Items"]] == [
        ("1", "event-1"), ("2", "event-2"), ("3", "event-3"),
    ]
    append("order-1", 4, "event-4")
    q = ddb.query(
        TableName=t, KeyConditionExpression="aggregateId = :a AND version > :v",
        ExpressionAttributeValues={":a": {"S": "order-1"}, ":v": {"N": "2"}},
    )
    assert [i["version"]["N"] for i in q["Items"]] == ["3", "4"]
