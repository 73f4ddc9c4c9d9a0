"""Legacy (pre-expression) parameters: Expected, ConditionalOperator, AttributeUpdates, KeyConditions,
QueryFilter, ScanFilter and AttributesToGet, their validation, and mixing them with expressions.

Everything here was checked against DynamoDB Local. Where AWS is known to answer differently
(aws_differs), the AWS side comes from:
  * request constraints (ConditionalOperator, ComparisonOperator and Action enums, a filter Condition
    without ComparisonOperator, an empty AttributesToGet): botocore's model (AttributeNameList min 1,
    Condition.ComparisonOperator required) and the enum orders of dynalite's validations, whose Select
    order matches moto's AWS-verified tests; DynamoDB Local has its own texts for these;
  * 'Duplicate value in attribute name': dynalite's tests (run against AWS) and DynamoDB Local's own
    InputConverter, while Local's GetItem/Query/Scan answer 'Cannot have two attributes with the same name';
  * Query's '1 validation error detected: Cannot specify the AttributesToGet ...': moto's AWS-verified
    test_projection/select tests;
  * an AttributeUpdates entry without Action is a PUT: the API reference ("PUT (default)") and dynalite's
    AWS-run tests; DynamoDB Local accepts it and changes nothing.
"""
import json

import pytest
from botocore.exceptions import ClientError

import helpers
from helpers import B, N, S, err, get

CCF = "The conditional request failed"
INVALID = "One or more parameter values were invalid: "
MIX = "Can not use both expression and non-expression parameters in the same request: "
CMP_ENUM = ("Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, "
            "LE, BEGINS_WITH, GE, CONTAINS]")


def verr(fn, message, code="ValidationException"):
    with pytest.raises(ClientError) as e:
        fn()
    assert err(e) == (code, message)


def mixing(non, expr):
    return f"{MIX}Non-expression parameters: {{{non}}} Expression parameters: {{{expr}}}"


def C(op, *args):
    """A legacy Condition."""
    c = {"ComparisonOperator": op}
    if args:
        c["AttributeValueList"] = list(args)
    return c


def sorted_sets(item):
    out = {}
    for k, v in item.items():
        (t, x), = v.items()
        out[k] = {t: sorted(x)} if t in ("SS", "NS", "BS") else v
    return out


# --------------------------------------------------------------------------- operator semantics

ITEM = {
    "pk": S("k"),
    "n": N(5),
    "s": S("hello"),
    "b": B(b"hello"),
    "ss": {"SS": ["hello", "x"]},
    "ns": {"NS": ["5", "7"]},
    "l": {"L": [S("hello"), N(5)]},
    "m": {"M": {"a": S("b")}},
    "t": {"BOOL": True},
    "z": {"NULL": True},
}

# (attribute, ComparisonOperator, AttributeValueList, true on ITEM?); "q" is never present.
MATRIX = [
    ("n", "EQ", [N(5)], True), ("n", "EQ", [N(6)], False), ("n", "EQ", [S("5")], False),
    ("q", "EQ", [N(5)], False), ("ss", "EQ", [{"SS": ["x", "hello"]}], True),
    ("l", "EQ", [{"L": [S("hello"), N(5)]}], True), ("m", "EQ", [{"M": {"a": S("b")}}], True),
    ("t", "EQ", [{"BOOL": True}], True), ("z", "EQ", [{"NULL": True}], True),
    ("n", "NE", [N(6)], True), ("n", "NE", [N(5)], False), ("q", "NE", [N(5)], True), ("n", "NE", [S("5")], True),
    ("n", "LE", [N(5)], True), ("n", "LE", [N(4)], False), ("q", "LE", [N(9)], False), ("s", "LE", [S("i")], True),
    ("n", "LT", [N(6)], True), ("n", "LT", [N(5)], False), ("s", "LT", [S("hello")], False),
    ("n", "GE", [N(5)], True), ("n", "GE", [N(6)], False), ("q", "GE", [N(1)], False), ("n", "GE", [S("1")], False),
    ("n", "GT", [N(4)], True), ("n", "GT", [N(5)], False), ("b", "GT", [B(b"a")], True),
    ("n", "NOT_NULL", [], True), ("z", "NOT_NULL", [], True), ("q", "NOT_NULL", [], False),
    ("q", "NULL", [], True), ("n", "NULL", [], False), ("z", "NULL", [], False),
    ("s", "CONTAINS", [S("ell")], True), ("s", "CONTAINS", [S("xyz")], False), ("ss", "CONTAINS", [S("x")], True),
    ("ns", "CONTAINS", [N(7)], True), ("l", "CONTAINS", [N(5)], True), ("l", "CONTAINS", [S("x")], False),
    ("b", "CONTAINS", [B(b"ell")], True), ("q", "CONTAINS", [S("x")], False), ("n", "CONTAINS", [N(5)], False),
    ("s", "NOT_CONTAINS", [S("xyz")], True), ("s", "NOT_CONTAINS", [S("ell")], False),
    ("ss", "NOT_CONTAINS", [S("x")], False), ("ns", "NOT_CONTAINS", [N(1)], True),
    ("l", "NOT_CONTAINS", [S("hello")], False), ("n", "NOT_CONTAINS", [S("x")], True),
    ("q", "NOT_CONTAINS", [S("x")], False),  # false on a missing attribute, unlike NE
    ("s", "BEGINS_WITH", [S("he")], True), ("s", "BEGINS_WITH", [S("lo")], False),
    ("b", "BEGINS_WITH", [B(b"he")], True), ("n", "BEGINS_WITH", [S("5")], False), ("q", "BEGINS_WITH", [S("")], False),
    ("n", "IN", [N(1), N(5)], True), ("n", "IN", [N(1), N(2)], False), ("s", "IN", [S("a"), S("hello")], True),
    ("q", "IN", [N(5)], False), ("ss", "IN", [S("x")], False),
    ("n", "IN", [N(i) for i in range(100, 250)] + [N(5)], True),  # more than an expression's 100 operands
    ("n", "IN", [N(i) for i in range(100, 250)], False),
    ("n", "BETWEEN", [N(1), N(5)], True), ("n", "BETWEEN", [N(5), N(5)], True), ("n", "BETWEEN", [N(6), N(9)], False),
    ("s", "BETWEEN", [S("a"), S("z")], True), ("q", "BETWEEN", [N(1), N(9)], False),
    ("n", "BETWEEN", [S("a"), S("z")], False),
]


def matrix_id(case):
    attr, op, args, _ = case
    return f"{op}-{attr}-{len(args)}"


def test_expected_operators(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item=ITEM)
    wrong = []
    for attr, op, args, want in MATRIX:
        cond = C(op, *args)
        try:
            ddb.put_item(TableName=hash_table, Item=ITEM, Expected={attr: cond})
            got = True
        except ClientError as e:
            assert err(e) == ("ConditionalCheckFailedException", CCF)
            got = False
        if got != want:
            wrong.append((attr, op, args, want))
    assert wrong == []


def test_scan_filter_operators(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item=ITEM)
    wrong = []
    for attr, op, args, want in MATRIX:
        cond = C(op, *args)
        r = ddb.scan(TableName=hash_table, ScanFilter={attr: cond})
        if (r["Count"] == 1) != want or r["ScannedCount"] != 1:
            wrong.append((attr, op, args, want))
    assert wrong == []


def test_query_filter_operators(ddb, make_table):
    table = make_table(range=("sk", "N"))
    ddb.put_item(TableName=table, Item=dict(ITEM, sk=N(1)))
    wrong = []
    for attr, op, args, want in MATRIX:
        cond = C(op, *args)
        r = ddb.query(TableName=table, KeyConditions={"pk": C("EQ", S("k"))}, QueryFilter={attr: cond})
        if (r["Count"] == 1) != want or r["ScannedCount"] != 1:
            wrong.append((attr, op, args, want))
    assert wrong == []


def test_expected_value_and_exists(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item=ITEM)
    ok = [{"n": {"Value": N(5)}}, {"n": {"Exists": True, "Value": N(5)}}, {"q": {"Exists": False}},
          {"n": {"Value": N(5), "ComparisonOperator": "GE"}}, {"n": {"ComparisonOperator": "NOT_NULL"}}]
    for expected in ok:
        ddb.put_item(TableName=hash_table, Item=ITEM, Expected=expected)
    failing = [{"n": {"Value": N(6)}}, {"n": {"Exists": True, "Value": S("5")}}, {"n": {"Exists": False}},
               {"q": {"Value": N(5)}}, {"n": {"Value": N(6), "ComparisonOperator": "GE"}}]
    for expected in failing:
        with pytest.raises(ClientError) as e:
            ddb.put_item(TableName=hash_table, Item=ITEM, Expected=expected)
        assert err(e) == ("ConditionalCheckFailedException", CCF), expected


def test_conditional_operator_and_or(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item=ITEM)
    one_true = {"n": C("EQ", N(5)), "s": C("EQ", S("nope")), "q": C("NOT_NULL")}
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=hash_table, Item=ITEM, Expected=one_true)
    assert err(e) == ("ConditionalCheckFailedException", CCF)
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=hash_table, Item=ITEM, Expected=one_true, ConditionalOperator="AND")
    assert err(e) == ("ConditionalCheckFailedException", CCF)
    ddb.put_item(TableName=hash_table, Item=ITEM, Expected=one_true, ConditionalOperator="OR")
    none_true = {"n": C("EQ", N(6)), "q": C("NOT_NULL")}
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=hash_table, Item=ITEM, Expected=none_true, ConditionalOperator="OR")
    assert err(e) == ("ConditionalCheckFailedException", CCF)
    # NOT_CONTAINS is two tests in one; OR around it must keep them together.
    ddb.put_item(TableName=hash_table, Item=ITEM, ConditionalOperator="OR",
                 Expected={"q": C("NOT_CONTAINS", S("x")), "n": C("EQ", N(5))})
    with pytest.raises(ClientError):
        ddb.put_item(TableName=hash_table, Item=ITEM, ConditionalOperator="OR",
                     Expected={"q": C("NOT_CONTAINS", S("x")), "n": C("EQ", N(6))})


def test_scan_filter_conditional_operator(ddb, hash_table):
    for i, (a, b) in enumerate([(1, 1), (1, 2), (2, 1), (2, 2)]):
        ddb.put_item(TableName=hash_table, Item={"pk": S(f"i{i}"), "a": N(a), "b": N(b)})
    f = {"a": C("EQ", N(1)), "b": C("EQ", N(1))}
    pks = lambda r: sorted(i["pk"]["S"] for i in r["Items"])  # noqa: E731
    assert pks(ddb.scan(TableName=hash_table, ScanFilter=f)) == ["i0"]
    assert pks(ddb.scan(TableName=hash_table, ScanFilter=f, ConditionalOperator="OR")) == ["i0", "i1", "i2"]


def test_expected_on_update_and_delete(ddb, hash_table):
    key = {"pk": S("k")}
    ddb.put_item(TableName=hash_table, Item={"pk": S("k"), "v": N(1)})
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=hash_table, Key=key, AttributeUpdates={"v": {"Action": "PUT", "Value": N(2)}},
                        Expected={"v": {"Value": N(9)}})
    assert err(e) == ("ConditionalCheckFailedException", CCF)
    ddb.update_item(TableName=hash_table, Key=key, AttributeUpdates={"v": {"Action": "PUT", "Value": N(2)}},
                    Expected={"v": {"Value": N(1)}})
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName=hash_table, Key=key, Expected={"v": C("LT", N(2))})
    assert err(e) == ("ConditionalCheckFailedException", CCF)
    ddb.delete_item(TableName=hash_table, Key=key, Expected={"v": C("LE", N(2))})
    assert get(ddb, hash_table, key) is None
    # A condition on an absent item: every attribute is missing.
    ddb.delete_item(TableName=hash_table, Key=key, Expected={"v": {"Exists": False}})


def test_expected_return_values_on_failure(endpoint, ddb, hash_table):
    """A raw request: the Debian botocore predates ReturnValuesOnConditionCheckFailure."""
    ddb.put_item(TableName=hash_table, Item={"pk": S("k"), "v": N(1)})
    body = {"TableName": hash_table, "Item": {"pk": S("k")}, "Expected": {"v": {"Exists": False}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    status, _, data = helpers.raw_request(endpoint, "PutItem", json.dumps(body))
    assert status == 400 and helpers.error_type(data) == "ConditionalCheckFailedException"
    assert json.loads(data)["Item"] == {"pk": S("k"), "v": N(1)}


def test_reserved_and_dotted_attribute_names(ddb, hash_table):
    item = {"pk": S("k"), "size": N(3), "a.b": S("dot"), "a": {"M": {"b": S("nested")}}}
    ddb.put_item(TableName=hash_table, Item=item)
    ddb.put_item(TableName=hash_table, Item=item, Expected={"size": {"Value": N(3)}, "a.b": {"Value": S("dot")}})
    r = ddb.scan(TableName=hash_table, ScanFilter={"a.b": C("EQ", S("dot"))}, AttributesToGet=["size", "a.b"])
    assert r["Items"] == [{"size": N(3), "a.b": S("dot")}]


# --------------------------------------------------------------------------- validation of conditions


EXPECTED_FORM_ERRORS = [
    ({"Exists": True}, "Value must be provided when Exists is true for Attribute: a"),
    ({}, "Value must be provided when Exists is null for Attribute: a"),
    ({"Exists": False, "Value": N(1)}, "Value cannot be used when Exists is false for Attribute: a"),
    ({"Exists": True, "ComparisonOperator": "EQ", "AttributeValueList": [N(1)]},
     "Exists and ComparisonOperator cannot be used together for Attribute: a"),
    ({"Exists": False, "ComparisonOperator": "NULL"},
     "Exists and ComparisonOperator cannot be used together for Attribute: a"),
    ({"Value": N(1), "ComparisonOperator": "EQ", "AttributeValueList": [N(1)]},
     "Value and AttributeValueList cannot be used together for Attribute: a"),
    ({"Value": N(1), "AttributeValueList": [N(1)]},
     "Value and AttributeValueList cannot be used together for Attribute: a"),
    ({"AttributeValueList": [N(1)]}, "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
    ({"Exists": False, "AttributeValueList": [N(1)]},
     "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
    ({"ComparisonOperator": "EQ"}, "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"),
    ({"ComparisonOperator": "NULL", "Value": N(1)}, "Invalid number of argument(s) for the NULL ComparisonOperator"),
    ({"ComparisonOperator": "BETWEEN", "Value": N(1)}, "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    ({"ComparisonOperator": "LT", "Value": {"SS": ["1"]}}, "ComparisonOperator LT is not valid for SS AttributeValue type"),
]


@pytest.mark.parametrize("cond,message", EXPECTED_FORM_ERRORS, ids=[m[:40] for _, m in EXPECTED_FORM_ERRORS])
def test_expected_form_errors(raw_ddb, hash_table, cond, message):
    verr(lambda: raw_ddb.put_item(TableName=hash_table, Item={"pk": S("k")}, Expected={"a": cond}), INVALID + message)


ARGUMENT_ERRORS = [
    (C("EQ"), INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator"),
    (C("EQ", N(1), N(2)), INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator"),
    ({"ComparisonOperator": "NE", "AttributeValueList": []}, INVALID + "Invalid number of argument(s) for the NE ComparisonOperator"),
    (C("NULL", N(1)), INVALID + "Invalid number of argument(s) for the NULL ComparisonOperator"),
    (C("NOT_NULL", N(1)), INVALID + "Invalid number of argument(s) for the NOT_NULL ComparisonOperator"),
    ({"ComparisonOperator": "IN", "AttributeValueList": []}, INVALID + "Invalid number of argument(s) for the IN ComparisonOperator"),
    (C("BETWEEN", N(1)), INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    (C("BETWEEN", N(1), N(2), N(3)), INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    (C("CONTAINS", N(1), N(2)), INVALID + "Invalid number of argument(s) for the CONTAINS ComparisonOperator"),
    (C("LT", {"SS": ["a"]}), INVALID + "ComparisonOperator LT is not valid for SS AttributeValue type"),
    (C("GE", {"BOOL": True}), INVALID + "ComparisonOperator GE is not valid for BOOL AttributeValue type"),
    (C("GT", {"L": []}), INVALID + "ComparisonOperator GT is not valid for L AttributeValue type"),
    (C("LE", {"NULL": True}), INVALID + "ComparisonOperator LE is not valid for NULL AttributeValue type"),
    (C("CONTAINS", {"NS": ["1"]}), INVALID + "ComparisonOperator CONTAINS is not valid for NS AttributeValue type"),
    (C("NOT_CONTAINS", {"M": {}}), INVALID + "ComparisonOperator NOT_CONTAINS is not valid for M AttributeValue type"),
    (C("BEGINS_WITH", N(1)), INVALID + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"),
    (C("BEGINS_WITH", {"BOOL": True}), INVALID + "ComparisonOperator BEGINS_WITH is not valid for BOOL AttributeValue type"),
    (C("IN", S("a"), {"SS": ["a"]}), INVALID + "ComparisonOperator IN is not valid for SS AttributeValue type"),
    (C("IN", S("a"), N(1)), INVALID + "AttributeValues inside AttributeValueList must be of same type"),
    (C("BETWEEN", N(1), S("a")), INVALID + "AttributeValues inside AttributeValueList must be of same type"),
    (C("BETWEEN", S("a"), {"SS": ["a"]}), INVALID + "ComparisonOperator BETWEEN is not valid for SS AttributeValue type"),
    (C("BETWEEN", N(6), N(5)), "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    (C("BETWEEN", S("b"), S("a")), "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    (C("EQ", {}), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    (C("EQ", {"S": "a", "N": "1"}),
     "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
]


@pytest.mark.parametrize("cond,message", ARGUMENT_ERRORS, ids=[str(i) for i in range(len(ARGUMENT_ERRORS))])
def test_condition_argument_errors(raw_ddb, make_table, cond, message):
    table = make_table(range=("sk", "S"))
    verr(lambda: raw_ddb.scan(TableName=table, ScanFilter={"a": cond}), message)
    verr(lambda: raw_ddb.query(TableName=table, KeyConditions={"pk": C("EQ", S("k"))}, QueryFilter={"a": cond}),
         message)
    if "AttributeValueList" in cond:  # without one, Expected has its own message (test_expected_form_errors)
        verr(lambda: raw_ddb.put_item(TableName=table, Item={"pk": S("k"), "sk": S("s")}, Expected={"a": cond}),
             message)


def test_condition_accepts_types(ddb, hash_table):
    # Types the checks above must not reject: EQ/NE take anything, CONTAINS takes BOOL and NULL.
    for cond in [C("EQ", {"M": {}}), C("NE", {"L": []}), C("EQ", {"NS": ["1"]}), C("CONTAINS", {"BOOL": True}),
                 C("NOT_CONTAINS", {"NULL": True}), C("BEGINS_WITH", B(b"x")), C("IN", B(b"x"), B(b"y"))]:
        ddb.scan(TableName=hash_table, ScanFilter={"a": cond})


def test_empty_attribute_name(raw_ddb, hash_table):
    key = {"pk": S("k")}
    verr(lambda: raw_ddb.scan(TableName=hash_table, ScanFilter={"": C("NULL")}), "Empty attribute name")
    verr(lambda: raw_ddb.put_item(TableName=hash_table, Item=key, Expected={"": {"Exists": False}}),
         "Empty attribute name")
    verr(lambda: raw_ddb.update_item(TableName=hash_table, Key=key, AttributeUpdates={"": {"Value": N(1), "Action": "PUT"}}),
         "Empty attribute name")
    verr(lambda: raw_ddb.get_item(TableName=hash_table, Key=key, AttributesToGet=[""]), "Empty attribute name")


def test_conditional_operator_errors(raw_ddb, hash_table):
    key = {"pk": S("k")}
    without = "ConditionalOperator cannot be used without Filter or Expected"
    one = "ConditionalOperator can only be used when Filter or Expected has two or more elements"
    verr(lambda: raw_ddb.scan(TableName=hash_table, ConditionalOperator="OR"), without)
    verr(lambda: raw_ddb.scan(TableName=hash_table, ConditionalOperator="AND", ScanFilter={}), without)
    verr(lambda: raw_ddb.scan(TableName=hash_table, ConditionalOperator="AND", AttributesToGet=["a", "b"]), without)
    verr(lambda: raw_ddb.scan(TableName=hash_table, ConditionalOperator="AND", ScanFilter={"a": C("NULL")}), one)
    verr(lambda: raw_ddb.query(TableName=hash_table, ConditionalOperator="OR", KeyConditions={"pk": C("EQ", S("k"))}),
         without)
    verr(lambda: raw_ddb.query(TableName=hash_table, ConditionalOperator="OR", KeyConditions={"pk": C("EQ", S("k"))},
                               QueryFilter={"a": C("NULL")}), one)
    verr(lambda: raw_ddb.put_item(TableName=hash_table, Item=key, ConditionalOperator="AND"), without)
    verr(lambda: raw_ddb.put_item(TableName=hash_table, Item=key, ConditionalOperator="OR",
                                  Expected={"a": {"Exists": False}}), one)
    verr(lambda: raw_ddb.delete_item(TableName=hash_table, Key=key, ConditionalOperator="AND"), without)
    verr(lambda: raw_ddb.update_item(TableName=hash_table, Key=key, ConditionalOperator="AND",
                                     AttributeUpdates={"a": {"Value": S("v"), "Action": "PUT"}}), without)
    # The condition's own errors come first.
    verr(lambda: raw_ddb.scan(TableName=hash_table, ConditionalOperator="OR", ScanFilter={"a": C("EQ")}),
         INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator")


@pytest.mark.aws_differs("DynamoDB Local reports an unknown ConditionalOperator late, or fails internally")
def test_conditional_operator_enum(raw_ddb, hash_table):
    verr(lambda: raw_ddb.scan(TableName=hash_table, ConditionalOperator="XOR",
                              ScanFilter={"a": C("NULL"), "b": C("NULL")}),
         "1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: "
         "Member must satisfy enum value set: [OR, AND]")


@pytest.mark.aws_differs("DynamoDB Local answers 'Comparison type does not exist in DynamoDB'")
def test_comparison_operator_enum(raw_ddb, hash_table):
    verr(lambda: raw_ddb.scan(TableName=hash_table, ScanFilter={"a": C("FOO", N(1))}),
         f"1 validation error detected: Value 'FOO' at 'scanFilter.a.member.comparisonOperator' failed to satisfy "
         f"constraint: {CMP_ENUM}")
    verr(lambda: raw_ddb.put_item(TableName=hash_table, Item={"pk": S("k")}, Expected={"a": C("eq", N(1))}),
         f"1 validation error detected: Value 'eq' at 'expected.a.member.comparisonOperator' failed to satisfy "
         f"constraint: {CMP_ENUM}")


@pytest.mark.aws_differs("DynamoDB Local checks mixing first")
def test_constraints_before_mixing(raw_ddb, hash_table):
    verr(lambda: raw_ddb.scan(TableName=hash_table, ScanFilter={"a": C("FOO")}, FilterExpression="a = b"),
         f"1 validation error detected: Value 'FOO' at 'scanFilter.a.member.comparisonOperator' failed to satisfy "
         f"constraint: {CMP_ENUM}")


@pytest.mark.aws_differs("DynamoDB Local answers 'Comparison type does not exist in DynamoDB'")
def test_filter_condition_needs_operator(raw_ddb, hash_table):
    verr(lambda: raw_ddb.scan(TableName=hash_table, ScanFilter={"a": {"AttributeValueList": [N(1)]}}),
         "1 validation error detected: Value null at 'scanFilter.a.member.comparisonOperator' failed to satisfy "
         "constraint: Member must not be null")


# --------------------------------------------------------------------------- AttributeUpdates


def test_attribute_updates_actions(ddb, hash_table):
    key = {"pk": S("k")}
    ddb.put_item(TableName=hash_table, Item={
        "pk": S("k"), "n": N(5), "s": S("str"), "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2"]},
        "l": {"L": [S("x")]}, "gone": S("bye"), "size": N(1)})
    ddb.update_item(TableName=hash_table, Key=key, AttributeUpdates={
        "n": {"Action": "ADD", "Value": N(2)},
        "s": {"Action": "PUT", "Value": S("new")},
        "ss": {"Action": "DELETE", "Value": {"SS": ["x", "nope"]}},
        "ns": {"Action": "ADD", "Value": {"NS": ["3"]}},
        "l": {"Action": "ADD", "Value": {"L": [S("y"), N(1)]}},
        "gone": {"Action": "DELETE"},
        "never": {"Action": "DELETE"},
        "size": {"Action": "ADD", "Value": N(1)},
        "a.b": {"Action": "PUT", "Value": S("dot")},
    })
    assert sorted_sets(get(ddb, hash_table, key)) == {
        "pk": S("k"), "n": N(7), "s": S("new"), "ss": {"SS": ["y"]}, "ns": {"NS": ["1", "2", "3"]},
        "l": {"L": [S("x"), S("y"), N(1)]}, "size": N(2), "a.b": S("dot")}
    # Deleting every element of a set removes the attribute.
    ddb.update_item(TableName=hash_table, Key=key, AttributeUpdates={"ss": {"Action": "DELETE", "Value": {"SS": ["y"]}}})
    assert "ss" not in get(ddb, hash_table, key)


def test_attribute_updates_create_missing(ddb, hash_table):
    key = {"pk": S("new")}
    r = ddb.update_item(TableName=hash_table, Key=key, ReturnValues="UPDATED_NEW", AttributeUpdates={
        "d": {"Action": "DELETE"},
        "e": {"Action": "DELETE", "Value": {"SS": ["a"]}},
        "n": {"Action": "ADD", "Value": N(5)},
        "ss": {"Action": "ADD", "Value": {"SS": ["a", "b"]}},
        "l": {"Action": "ADD", "Value": {"L": [S("x")]}},
    })
    assert sorted_sets(r["Attributes"]) == {"n": N(5), "ss": {"SS": ["a", "b"]}, "l": {"L": [S("x")]}}
    assert sorted_sets(get(ddb, hash_table, key)) == {"pk": S("new"), "n": N(5), "ss": {"SS": ["a", "b"]},
                                                      "l": {"L": [S("x")]}}


def test_attribute_updates_delete_only_creates_item(ddb, hash_table):
    # Unlike "REMOVE a" on a missing item, the legacy form writes the key.
    ddb.update_item(TableName=hash_table, Key={"pk": S("a")}, AttributeUpdates={"x": {"Action": "DELETE"}})
    assert get(ddb, hash_table, {"pk": S("a")}) == {"pk": S("a")}
    ddb.update_item(TableName=hash_table, Key={"pk": S("b")},
                    AttributeUpdates={"x": {"Action": "DELETE", "Value": {"NS": ["1"]}}})
    assert get(ddb, hash_table, {"pk": S("b")}) == {"pk": S("b")}
    ddb.update_item(TableName=hash_table, Key={"pk": S("c")}, AttributeUpdates={})
    assert get(ddb, hash_table, {"pk": S("c")}) == {"pk": S("c")}


@pytest.mark.aws_differs("DynamoDB Local accepts an entry without Action but changes nothing")
def test_attribute_updates_put_is_default(ddb, hash_table):
    key = {"pk": S("k")}
    ddb.update_item(TableName=hash_table, Key=key, AttributeUpdates={"v": {"Value": N(1)}})
    assert get(ddb, hash_table, key) == {"pk": S("k"), "v": N(1)}


def test_attribute_updates_return_values(ddb, hash_table):
    key = {"pk": S("k")}
    ddb.put_item(TableName=hash_table, Item={"pk": S("k"), "n": N(5), "s": S("str"), "o": S("other")})
    upd = {"n": {"Action": "ADD", "Value": N(2)}, "s": {"Action": "DELETE"}, "t": {"Action": "PUT", "Value": S("t")}}
    r = ddb.update_item(TableName=hash_table, Key=key, AttributeUpdates=upd, ReturnValues="UPDATED_OLD")
    assert r["Attributes"] == {"n": N(5), "s": S("str")}
    ddb.put_item(TableName=hash_table, Item={"pk": S("k"), "n": N(5), "s": S("str"), "o": S("other")})
    r = ddb.update_item(TableName=hash_table, Key=key, AttributeUpdates=upd, ReturnValues="UPDATED_NEW")
    assert r["Attributes"] == {"n": N(7), "t": S("t")}
    r = ddb.update_item(TableName=hash_table, Key=key, AttributeUpdates={"o": {"Action": "DELETE"}},
                        ReturnValues="ALL_NEW")
    assert r["Attributes"] == {"pk": S("k"), "n": N(7), "t": S("t")}


UPDATE_ERRORS = [
    ({"Action": "PUT"}, "Only DELETE action is allowed when no attribute value is specified"),
    ({}, "Only DELETE action is allowed when no attribute value is specified"),
    ({"Action": "ADD"}, "Only DELETE action is allowed when no attribute value is specified"),
    ({"Action": "DELETE", "Value": N(1)}, "DELETE action with value is not supported for the type NUMBER"),
    ({"Action": "DELETE", "Value": S("1")}, "DELETE action with value is not supported for the type STRING"),
    ({"Action": "DELETE", "Value": B(b"1")}, "DELETE action with value is not supported for the type BINARY"),
    ({"Action": "DELETE", "Value": {"L": [S("x")]}}, "DELETE action with value is not supported for the type LIST"),
    ({"Action": "DELETE", "Value": {"M": {}}}, "DELETE action with value is not supported for the type MAP"),
    ({"Action": "DELETE", "Value": {"BOOL": True}}, "DELETE action with value is not supported for the type BOOLEAN"),
    ({"Action": "DELETE", "Value": {"NULL": True}}, "DELETE action with value is not supported for the type NULL"),
    ({"Action": "ADD", "Value": S("y")}, "ADD action is not supported for the type STRING"),
    ({"Action": "ADD", "Value": B(b"y")}, "ADD action is not supported for the type BINARY"),
    ({"Action": "ADD", "Value": {"M": {}}}, "ADD action is not supported for the type MAP"),
    ({"Action": "ADD", "Value": {"BOOL": True}}, "ADD action is not supported for the type BOOLEAN"),
    ({"Action": "ADD", "Value": {"NULL": True}}, "ADD action is not supported for the type NULL"),
]


@pytest.mark.parametrize("update,message", UPDATE_ERRORS, ids=[str(i) for i in range(len(UPDATE_ERRORS))])
def test_attribute_updates_errors(raw_ddb, hash_table, update, message):
    verr(lambda: raw_ddb.update_item(TableName=hash_table, Key={"pk": S("k")}, AttributeUpdates={"a": update}),
         INVALID + message)


def test_attribute_updates_type_mismatch(ddb, hash_table):
    key = {"pk": S("k")}
    ddb.put_item(TableName=hash_table, Item={"pk": S("k"), "n": N(1), "s": S("x"), "ss": {"SS": ["a"]}})
    for upd in [{"s": {"Action": "ADD", "Value": N(1)}}, {"ss": {"Action": "ADD", "Value": {"NS": ["1"]}}},
                {"ss": {"Action": "DELETE", "Value": {"NS": ["1"]}}}, {"n": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
                {"n": {"Action": "ADD", "Value": {"L": [S("y")]}}}, {"ss": {"Action": "ADD", "Value": N(1)}}]:
        verr(lambda: ddb.update_item(TableName=hash_table, Key=key, AttributeUpdates=upd),
             "Type mismatch for attribute to update")
    assert get(ddb, hash_table, key) == {"pk": S("k"), "n": N(1), "s": S("x"), "ss": {"SS": ["a"]}}


def test_attribute_updates_key_attributes(raw_ddb, make_table):
    table = make_table(range=("sk", "N"))
    key = {"pk": S("k"), "sk": N(1)}
    for upd, name in [({"pk": {"Value": S("b"), "Action": "PUT"}}, "pk"), ({"sk": {"Action": "DELETE"}}, "sk"),
                      ({"sk": {"Action": "ADD", "Value": N(1)}}, "sk")]:
        verr(lambda: raw_ddb.update_item(TableName=table, Key=key, AttributeUpdates=upd),
             INVALID + f"Cannot update attribute {name}. This attribute is part of the key")


@pytest.mark.aws_differs("DynamoDB Local answers 'Member must satisfy enum value set: [ADD, DELETE, PUT]' alone")
def test_attribute_updates_action_enum(raw_ddb, hash_table):
    verr(lambda: raw_ddb.update_item(TableName=hash_table, Key={"pk": S("k")},
                                     AttributeUpdates={"a": {"Action": "put", "Value": N(1)}}),
         "1 validation error detected: Value 'put' at 'attributeUpdates.a.member.action' failed to satisfy "
         "constraint: Member must satisfy enum value set: [ADD, DELETE, PUT]")


def test_update_validation_order(raw_ddb, hash_table):
    key = {"pk": S("k")}
    # Expected's entries before ConditionalOperator, ConditionalOperator before AttributeUpdates.
    verr(lambda: raw_ddb.update_item(TableName=hash_table, Key=key, AttributeUpdates={"x": {"Action": "PUT"}},
                                     Expected={"y": {"Exists": True}}),
         INVALID + "Value must be provided when Exists is true for Attribute: y")
    verr(lambda: raw_ddb.update_item(TableName=hash_table, Key=key, AttributeUpdates={"x": {"Action": "PUT"}},
                                     ConditionalOperator="OR"),
         "ConditionalOperator cannot be used without Filter or Expected")


# --------------------------------------------------------------------------- KeyConditions


@pytest.fixture
def numbered(ddb, make_table):
    table = make_table(range=("sk", "N"))
    for i in range(1, 6):
        ddb.put_item(TableName=table, Item={"pk": S("a"), "sk": N(i), "x": N(i * 10)})
    ddb.put_item(TableName=table, Item={"pk": S("b"), "sk": N(1)})
    return table


def sks(r):
    return [int(i["sk"]["N"]) for i in r["Items"]]


def test_key_conditions(ddb, numbered):
    hk = {"pk": C("EQ", S("a"))}
    q = lambda kc=None, **kw: ddb.query(TableName=numbered, KeyConditions=dict(hk, **(kc or {})), **kw)  # noqa: E731
    assert sks(q()) == [1, 2, 3, 4, 5]
    assert sks(q({"sk": C("EQ", N(2))})) == [2]
    assert sks(q({"sk": C("LT", N(3))})) == [1, 2]
    assert sks(q({"sk": C("LE", N(3))})) == [1, 2, 3]
    assert sks(q({"sk": C("GT", N(3))})) == [4, 5]
    assert sks(q({"sk": C("GE", N(3))})) == [3, 4, 5]
    assert sks(q({"sk": C("BETWEEN", N(2), N(4))})) == [2, 3, 4]
    assert sks(q({"sk": C("GE", N(3))}, ScanIndexForward=False)) == [5, 4, 3]
    r = q({"sk": C("GT", N(1))}, Limit=2, QueryFilter={"x": C("GT", N(20))})
    assert (sks(r), r["Count"], r["ScannedCount"], r["LastEvaluatedKey"]) == ([3], 1, 2, {"pk": S("a"), "sk": N(3)})


def test_key_conditions_begins_with(ddb, make_table):
    table = make_table(range=("sk", "S"))
    for s in ["apple", "apricot", "banana", "ap"]:
        ddb.put_item(TableName=table, Item={"pk": S("a"), "sk": S(s)})
    r = ddb.query(TableName=table, KeyConditions={"pk": C("EQ", S("a")), "sk": C("BEGINS_WITH", S("ap"))})
    assert [i["sk"]["S"] for i in r["Items"]] == ["ap", "apple", "apricot"]


def test_key_conditions_hash_only_table(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": S("a"), "v": N(1)})
    r = ddb.query(TableName=hash_table, KeyConditions={"pk": C("EQ", S("a"))})
    assert r["Items"] == [{"pk": S("a"), "v": N(1)}]
    verr(lambda: ddb.query(TableName=hash_table, KeyConditions={"pk": C("EQ", S("a")), "v": C("EQ", N(1))}),
         "Query key condition not supported")


KEY_CONDITION_ERRORS = [
    ({"pk": C("GT", S("a"))}, "Query key condition not supported"),
    ({"pk": C("BEGINS_WITH", S("a"))}, "Query key condition not supported"),
    ({"pk": C("IN", S("a"))}, "Query key condition not supported"),
    ({"pk": C("NE", S("a"))}, "Query key condition not supported"),
    ({"pk": C("CONTAINS", S("a"))}, "Query key condition not supported"),
    ({"pk": C("NULL")}, "Only scalar types can be used as Hash Key values"),
    ({"pk": C("EQ", S("a")), "sk": C("IN", N(1))}, "Attempted conditional constraint is not an indexable operation"),
    ({"pk": C("EQ", S("a")), "sk": C("CONTAINS", N(1))}, "Attempted conditional constraint is not an indexable operation"),
    ({"pk": C("EQ", S("a")), "sk": C("NOT_CONTAINS", N(1))},
     "Attempted conditional constraint is not an indexable operation"),
    ({"pk": C("EQ", S("a")), "sk": C("NULL")}, "Only scalar types can be used as Range Key values"),
    ({"pk": C("EQ", S("a")), "sk": C("NOT_NULL")}, "Only scalar types can be used as Range Key values"),
    ({"pk": C("EQ", N(1))}, INVALID + "Condition parameter type does not match schema type"),
    ({"pk": C("EQ", S("a")), "sk": C("EQ", S("1"))}, INVALID + "Condition parameter type does not match schema type"),
    ({"pk": C("EQ", S("a")), "sk": C("BETWEEN", S("1"), S("2"))},
     INVALID + "Condition parameter type does not match schema type"),
    # The partition key's type is checked before the sort key's operator.
    ({"pk": C("EQ", N(1)), "sk": C("IN", N(1))}, INVALID + "Condition parameter type does not match schema type"),
    ({"pk": C("EQ", S(""))}, "One or more parameter values are not valid. The AttributeValue for a key attribute "
                            "cannot contain an empty string value. Key: pk"),
    ({"pk": C("EQ", S("a")), "sk": C("BEGINS_WITH", N(1))},
     INVALID + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"),
    ({"pk": C("EQ", S("a")), "sk": C("BETWEEN", N(4), N(2))},
     "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    ({"pk": C("EQ", S("a")), "sk": C("EQ", N(1)), "x": C("EQ", N(1))}, "Conditions can be of length 1 or 2 only"),
    ({}, "Conditions must be at least length 1"),
    ({"pk": C("EQ")}, INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator"),
]


@pytest.mark.parametrize("kc,message", KEY_CONDITION_ERRORS, ids=[str(i) for i in range(len(KEY_CONDITION_ERRORS))])
def test_key_condition_errors(raw_ddb, numbered, kc, message):
    verr(lambda: raw_ddb.query(TableName=numbered, KeyConditions=kc), message)


@pytest.mark.parametrize("kc", [{"sk": C("EQ", N(1))}, {"x": C("EQ", N(1))}, {"pk": C("EQ", S("a")), "x": C("GT", N(1))},
                                {"pk": C("EQ", S("a")), "x": C("IN", N(1))}])
def test_key_condition_missed_element(raw_ddb, numbered, kc):
    # AWS names the key (as for KeyConditionExpression); DynamoDB Local stops before the colon.
    with pytest.raises(ClientError) as e:
        raw_ddb.query(TableName=numbered, KeyConditions=kc)
    code, message = err(e)
    assert code == "ValidationException"
    assert message.startswith("Query condition missed key schema element")


def test_query_filter_on_key_attributes(raw_ddb, numbered):
    hk = {"pk": C("EQ", S("a"))}
    for name in ["sk", "pk"]:
        verr(lambda: raw_ddb.query(TableName=numbered, KeyConditions=hk, QueryFilter={name: C("NOT_NULL")}),
             f"QueryFilter can only contain non-primary key attributes: Primary key attribute: {name}")
    # Key conditions are checked first.
    verr(lambda: raw_ddb.query(TableName=numbered, KeyConditions={"pk": C("GT", S("a"))},
                               QueryFilter={"sk": C("NOT_NULL")}),
         "Query key condition not supported")


def test_key_conditions_with_expressions(ddb, numbered):
    # KeyConditions only clash with KeyConditionExpression: a FilterExpression or ProjectionExpression may go
    # with them, and their generated placeholders never collide with the caller's.
    r = ddb.query(TableName=numbered, KeyConditions={"pk": C("EQ", S("a")), "sk": C("GE", N(2))},
                  FilterExpression="#0 > :0", ProjectionExpression="sk, #0",
                  ExpressionAttributeNames={"#0": "x"}, ExpressionAttributeValues={":0": N(30)})
    assert r["Items"] == [{"sk": N(4), "x": N(40)}, {"sk": N(5), "x": N(50)}]
    verr(lambda: ddb.query(TableName=numbered, KeyConditions={"pk": C("EQ", S("a"))}, FilterExpression="x > :v",
                           ExpressionAttributeValues={":v": N(1)}, ExpressionAttributeNames={"#u": "u"}),
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}")


# --------------------------------------------------------------------------- AttributesToGet


def test_attributes_to_get_get_item(ddb, hash_table):
    key = {"pk": S("k")}
    ddb.put_item(TableName=hash_table, Item={"pk": S("k"), "x": N(1), "size": N(2), "a.b": S("dot"),
                                             "m": {"M": {"n": S("z")}}, "y": S("y")})
    r = ddb.get_item(TableName=hash_table, Key=key, AttributesToGet=["x", "size", "a.b", "m.n", "absent", "m"])
    assert r["Item"] == {"x": N(1), "size": N(2), "a.b": S("dot"), "m": {"M": {"n": S("z")}}}
    assert "Item" not in ddb.get_item(TableName=hash_table, Key={"pk": S("nope")}, AttributesToGet=["x"])


def test_attributes_to_get_query_scan(ddb, numbered):
    r = ddb.query(TableName=numbered, KeyConditions={"pk": C("EQ", S("a")), "sk": C("LE", N(2))},
                  AttributesToGet=["x"])
    assert r["Items"] == [{"x": N(10)}, {"x": N(20)}]
    r = ddb.query(TableName=numbered, KeyConditions={"pk": C("EQ", S("a")), "sk": C("EQ", N(1))},
                  AttributesToGet=["x", "sk"], Select="SPECIFIC_ATTRIBUTES")
    assert r["Items"] == [{"x": N(10), "sk": N(1)}]
    r = ddb.scan(TableName=numbered, ScanFilter={"x": C("EQ", N(30))}, AttributesToGet=["sk"])
    assert r["Items"] == [{"sk": N(3)}]


def test_attributes_to_get_batch_get_item(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": S("k"), "x": N(1), "y": N(2)})
    r = ddb.batch_get_item(RequestItems={hash_table: {"Keys": [{"pk": S("k")}], "AttributesToGet": ["y"]}})
    assert r["Responses"][hash_table] == [{"y": N(2)}]


def test_attributes_to_get_with_select(raw_ddb, hash_table):
    for select, what in [("ALL_ATTRIBUTES", "ALL_ATTRIBUTES"), ("ALL_PROJECTED_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"),
                         ("COUNT", "only the Count")]:
        verr(lambda: raw_ddb.scan(TableName=hash_table, AttributesToGet=["a"], Select=select),
             f"Cannot specify the AttributesToGet when choosing to get {what}")
    # Select is checked before the names.
    verr(lambda: raw_ddb.scan(TableName=hash_table, AttributesToGet=["a", "a"], Select="COUNT"),
         "Cannot specify the AttributesToGet when choosing to get only the Count")


@pytest.mark.aws_differs("DynamoDB Local leaves out Query's '1 validation error detected: ' prefix")
def test_attributes_to_get_with_select_query(raw_ddb, hash_table):
    verr(lambda: raw_ddb.query(TableName=hash_table, KeyConditions={"pk": C("EQ", S("k"))}, AttributesToGet=["a"],
                               Select="COUNT"),
         "1 validation error detected: Cannot specify the AttributesToGet when choosing to get only the Count")


@pytest.mark.aws_differs("DynamoDB Local answers 'Cannot have two attributes with the same name'")
def test_attributes_to_get_duplicates(raw_ddb, hash_table):
    verr(lambda: raw_ddb.get_item(TableName=hash_table, Key={"pk": S("k")}, AttributesToGet=["x", "y", "x"]),
         INVALID + "Duplicate value in attribute name: x")
    verr(lambda: raw_ddb.scan(TableName=hash_table, AttributesToGet=["b", "a", "c", "a", "b"]),
         INVALID + "Duplicate value in attribute name: a")
    verr(lambda: raw_ddb.scan(TableName=hash_table, AttributesToGet=["b", "a", "b", ""]),
         INVALID + "Duplicate value in attribute name: b")
    # Names are checked in order: an empty one before a later repeat.
    verr(lambda: raw_ddb.scan(TableName=hash_table, AttributesToGet=["b", "", "b"]), "Empty attribute name")


@pytest.mark.aws_differs("DynamoDB Local treats an empty AttributesToGet as absent")
def test_attributes_to_get_empty(raw_ddb, hash_table):
    verr(lambda: raw_ddb.get_item(TableName=hash_table, Key={"pk": S("k")}, AttributesToGet=[]),
         "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: "
         "Member must have length greater than or equal to 1")


# --------------------------------------------------------------------------- mixing, placeholders without expressions


MIXING = [
    ("scan", dict(AttributesToGet=["a"], ProjectionExpression="a"), mixing("AttributesToGet", "ProjectionExpression")),
    ("scan", dict(AttributesToGet=["a"], ScanFilter={"a": C("NULL")}, ProjectionExpression="a",
                  FilterExpression="a = b"),
     mixing("AttributesToGet, ScanFilter", "ProjectionExpression, FilterExpression")),
    ("scan", dict(AttributesToGet=["a"], ScanFilter={"a": C("NULL"), "b": C("NULL")}, ConditionalOperator="OR",
                  ProjectionExpression="a", FilterExpression="a = b"),
     mixing("AttributesToGet, ScanFilter, ConditionalOperator", "ProjectionExpression, FilterExpression")),
    ("scan", dict(ConditionalOperator="OR", FilterExpression="a = b"), mixing("ConditionalOperator", "FilterExpression")),
    ("scan", dict(ScanFilter={"a": C("NULL")}, ProjectionExpression="b"), mixing("ScanFilter", "ProjectionExpression")),
    ("query", dict(KeyConditions={"pk": C("EQ", S("k"))}, KeyConditionExpression="pk = :k",
                   ExpressionAttributeValues={":k": S("k")}),
     mixing("KeyConditions", "KeyConditionExpression")),
    ("query", dict(KeyConditions={"pk": C("EQ", S("k"))}, KeyConditionExpression="pk = :k", FilterExpression="a = b",
                   ExpressionAttributeValues={":k": S("k")}),
     mixing("KeyConditions", "FilterExpression, KeyConditionExpression")),
    ("query", dict(KeyConditions={"pk": C("EQ", S("k"))}, KeyConditionExpression="pk = :k", AttributesToGet=["a"],
                   ExpressionAttributeValues={":k": S("k")}),
     mixing("AttributesToGet, KeyConditions", "KeyConditionExpression")),
    ("query", dict(KeyConditions={"pk": C("EQ", S("k"))}, QueryFilter={"a": C("NULL")}, FilterExpression="a = b"),
     mixing("QueryFilter", "FilterExpression")),
    ("query", dict(KeyConditions={"pk": C("EQ", S("k"))}, QueryFilter={"a": C("NULL")}, ConditionalOperator="AND",
                   KeyConditionExpression="pk = :p", FilterExpression="a = :v", ProjectionExpression="b",
                   ExpressionAttributeValues={":p": S("k"), ":v": S("x")}),
     mixing("QueryFilter, ConditionalOperator, KeyConditions",
            "ProjectionExpression, FilterExpression, KeyConditionExpression")),
    ("update_item", dict(AttributeUpdates={"n": {"Value": N(1), "Action": "PUT"}}, UpdateExpression="SET x = :v",
                         ExpressionAttributeValues={":v": S("1")}),
     mixing("AttributeUpdates", "UpdateExpression")),
    ("update_item", dict(AttributeUpdates={"n": {"Value": N(1), "Action": "PUT"}},
                         ConditionExpression="attribute_exists(n)"),
     mixing("AttributeUpdates", "ConditionExpression")),
    ("update_item", dict(Expected={"n": {"Exists": False}}, UpdateExpression="SET x = :v",
                         ExpressionAttributeValues={":v": S("1")}),
     mixing("Expected", "UpdateExpression")),
    ("update_item", dict(AttributeUpdates={"n": {"Value": N(1), "Action": "PUT"}}, Expected={"n": {"Exists": False}},
                         ConditionalOperator="OR", UpdateExpression="SET x = :v",
                         ConditionExpression="attribute_exists(n)", ExpressionAttributeValues={":v": S("1")}),
     mixing("AttributeUpdates, Expected, ConditionalOperator", "UpdateExpression, ConditionExpression")),
    ("put_item", dict(Expected={"x": {"Exists": False}}, ConditionExpression="attribute_exists(x)"),
     mixing("Expected", "ConditionExpression")),
    ("put_item", dict(Expected={"x": {"Exists": False}}, ConditionalOperator="OR",
                      ConditionExpression="attribute_exists(x)"),
     mixing("Expected, ConditionalOperator", "ConditionExpression")),
    ("put_item", dict(ConditionalOperator="OR", ConditionExpression="attribute_exists(x)"),
     mixing("ConditionalOperator", "ConditionExpression")),
    ("delete_item", dict(ConditionalOperator="OR", ConditionExpression="attribute_exists(x)"),
     mixing("ConditionalOperator", "ConditionExpression")),
    ("get_item", dict(AttributesToGet=["x"], ProjectionExpression="x"), mixing("AttributesToGet", "ProjectionExpression")),
    # The mixing error comes before an unused placeholder.
    ("scan", dict(ConditionalOperator="AND", FilterExpression="a = :v",
                  ExpressionAttributeValues={":v": S("x"), ":unused": S("y")}),
     mixing("ConditionalOperator", "FilterExpression")),
]

PLACEHOLDERS_WITHOUT_EXPRESSION = [
    ("scan", dict(ExpressionAttributeNames={"#a": "a"}), "ExpressionAttributeNames can only be specified when using expressions"),
    ("scan", dict(ScanFilter={"a": C("NULL")}, ExpressionAttributeNames={"#a": "a"}),
     "ExpressionAttributeNames can only be specified when using expressions"),
    ("scan", dict(ExpressionAttributeValues={":a": S("a")}),
     "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"),
    ("scan", dict(ExpressionAttributeNames={"#a": "a"}, ExpressionAttributeValues={":a": S("a")}),
     "ExpressionAttributeNames can only be specified when using expressions"),
    ("query", dict(KeyConditions={"pk": C("EQ", S("k"))}, ExpressionAttributeValues={":a": S("a")}),
     "ExpressionAttributeValues can only be specified when using expressions: "
     "FilterExpression and KeyConditionExpression are null"),
    ("query", dict(KeyConditions={"pk": C("EQ", S("k"))}, ExpressionAttributeNames={"#a": "a"}),
     "ExpressionAttributeNames can only be specified when using expressions"),
    ("update_item", dict(AttributeUpdates={"n": {"Value": N(1), "Action": "PUT"}},
                         ExpressionAttributeValues={":v": S("1")}),
     "ExpressionAttributeValues can only be specified when using expressions: "
     "UpdateExpression and ConditionExpression are null"),
    ("update_item", dict(ExpressionAttributeNames={"#v": "v"}),
     "ExpressionAttributeNames can only be specified when using expressions"),
    ("put_item", dict(ExpressionAttributeValues={":x": S("x")}),
     "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"),
    ("delete_item", dict(Expected={"x": {"Exists": False}}, ExpressionAttributeValues={":x": S("x")}),
     "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"),
    ("get_item", dict(AttributesToGet=["x"], ExpressionAttributeNames={"#x": "x"}),
     "ExpressionAttributeNames can only be specified when using expressions"),
]


def call(client, table, op, params):
    base = {"TableName": table}
    if op in ("get_item", "update_item", "delete_item"):
        base["Key"] = {"pk": S("k")}
    elif op == "put_item":
        base["Item"] = {"pk": S("k")}
    return getattr(client, op)(**base, **params)


@pytest.mark.parametrize("op,params,message", MIXING + PLACEHOLDERS_WITHOUT_EXPRESSION,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(MIXING + PLACEHOLDERS_WITHOUT_EXPRESSION)])
def test_mixing_and_placeholders(raw_ddb, hash_table, op, params, message):
    verr(lambda: call(raw_ddb, hash_table, op, params), message)


def test_empty_legacy_parameters_do_not_mix(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": S("k"), "a": S("x")}, Expected={},
                 ConditionExpression="attribute_not_exists(pk)")
    ddb.update_item(TableName=hash_table, Key={"pk": S("k")}, AttributeUpdates={}, UpdateExpression="SET b = :v",
                    ExpressionAttributeValues={":v": N(1)})
    r = ddb.scan(TableName=hash_table, ScanFilter={}, FilterExpression="b = :v", ExpressionAttributeValues={":v": N(1)})
    assert r["Count"] == 1
