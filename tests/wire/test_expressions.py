"""The expression language through the wire: ConditionExpression, FilterExpression, KeyConditionExpression,
ProjectionExpression and UpdateExpression on every operation that takes them, their placeholders and limits,
ReturnValues, number arithmetic, and Scan (filter, projection, Limit, paging, Select, parallel segments).

Every expected value and message was checked against DynamoDB Local. test_items.py and test_query.py already
cover the basic comparisons, a few update and key-condition errors and the top-level ReturnValues; this file
covers the rest of the language and avoids repeating those cases.

Where DynamoDB Local is known to differ from AWS (aws_differs), the AWS side comes from:
  * nested UPDATED_OLD / UPDATED_NEW: scylladb test/alternator/test_returnvalues.py
    (test_update_item_returnvalues_nested), run against AWS;
  * 'ReturnValues can only be ALL_OLD or NONE': dynalite test/putItem.js and ExtendDB's tests checked
    against us-east-1 (DynamoDB Local says 'Return values set to invalid value');
  * 1E+50 - 1 and 1E+50 + 1 (more than 38 digits) fail with 'Number overflow. ...' on AWS:
    scylladb test/alternator/test_number.py (test_update_expression_plus_imprecise, comment on DynamoDB's
    message); literals with 39 digits or that are not numbers: dynalite test/scan.js ('Attempting to store
    more than 38 significant digits in a Number', 'The parameter cannot be converted to a numeric value: b');
  * 'Query condition missed key schema element: <name>' names the missed element on AWS (moto's
    test_dynamodb.py, which mirrors AWS, and AWS error reports); DynamoDB Local leaves the name out;
  * Segment/TotalSegments messages: dynalite test/scan.js;
  * numbers are normalized (trailing zeroes trimmed) on AWS: DynamoDB Developer Guide, 'Supported data
    types' (Number); DynamoDB Local keeps '0.000' for the result of an update.
"""
import re
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

import helpers
from helpers import K, N, S, err, get

CCF = ("ConditionalCheckFailedException", "The conditional request failed")


def braced_as_set(message):
    """A message ending in "{A,B,C}" with the braces' contents as a set: the
    service prints a Java hash set there, whose order is not stable."""
    if message.endswith("}") and "{" in message:
        head, _, rest = message.rpartition("{")
        return head, frozenset(rest[:-1].split(","))
    return message, None


def expect_error(fn, message, code="ValidationException", **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    got_code, got_message = err(e)
    assert (got_code, braced_as_set(got_message)) == (code, braced_as_set(message))


def opt(names=None, values=None):
    kw = {}
    if names is not None:
        kw["ExpressionAttributeNames"] = names
    if values is not None:
        kw["ExpressionAttributeValues"] = values
    return kw


def sortsets(v):
    """An attribute value with its sets sorted (sets have no order)."""
    (t, x), = v.items()
    if t in ("SS", "NS", "BS"):
        return {t: sorted(x)}
    if t == "M":
        return {"M": {k: sortsets(e) for k, e in x.items()}}
    if t == "L":
        return {"L": [sortsets(e) for e in x]}
    return v


def norm(item):
    return None if item is None else {k: sortsets(v) for k, v in item.items()}


@pytest.fixture(scope="module")
def mclient(endpoint):
    return helpers.make_client(endpoint, validate=False)


def _module_table(client, hash=("pk", "S"), range=None):
    name = helpers.create_table(client, helpers.unique_name("expr"), hash=hash, range=range)
    helpers.wait_active(client, name)
    return name


# One item per attribute type: pk is the type's name, v a value of that type; 'none' has no v.
TYPED = {
    "S": S("abc"),
    "N": N("5"),
    "B": {"B": b"abc"},
    "SS": {"SS": ["abc", "d"]},
    "NS": {"NS": ["5", "7"]},
    "BS": {"BS": [b"abc", b"d"]},
    "L": {"L": [S("abc"), N("5"), {"L": []}]},
    "M": {"M": {"abc": S("x"), "k": N("5")}},
    "BOOL": {"BOOL": True},
    "NULL": {"NULL": True},
}
ALL = sorted(list(TYPED) + ["none"])
WITH_V = sorted(TYPED)


@pytest.fixture(scope="module")
def typed(mclient):
    t = _module_table(mclient)
    for pk, v in TYPED.items():
        mclient.put_item(TableName=t, Item={"pk": S(pk), "v": v, "w": N("1")})
    mclient.put_item(TableName=t, Item={"pk": S("none"), "w": N("1")})
    yield t
    helpers.drop_table(mclient, t)


def but(*gone, base=ALL):
    return [x for x in base if x not in gone]


# --------------------------------------------------------------------------- FilterExpression semantics


FILTER_CASES = [
    # = on every type: sets compare as sets, lists in order, maps by content
    ("v = :x", {":x": S("abc")}, ["S"]),
    ("v = :x", {":x": N("5.0")}, ["N"]),
    ("v = :x", {":x": {"B": b"abc"}}, ["B"]),
    ("v = :x", {":x": {"SS": ["d", "abc"]}}, ["SS"]),
    ("v = :x", {":x": {"NS": ["7", "5"]}}, ["NS"]),
    ("v = :x", {":x": {"BS": [b"d", b"abc"]}}, ["BS"]),
    ("v = :x", {":x": {"L": [S("abc"), N("5"), {"L": []}]}}, ["L"]),
    ("v = :x", {":x": {"L": [N("5"), S("abc"), {"L": []}]}}, []),
    ("v = :x", {":x": {"M": {"k": N("5"), "abc": S("x")}}}, ["M"]),
    ("v = :x", {":x": {"BOOL": True}}, ["BOOL"]),
    ("v = :x", {":x": {"NULL": True}}, ["NULL"]),
    # <> is true across types and on a missing attribute
    ("v <> :x", {":x": N("5")}, but("N")),
    ("v <> :x", {":x": {"NULL": True}}, but("NULL")),
    # ordering comparisons only within N, S, B; other types never match
    ("v < :x", {":x": N("6")}, ["N"]),
    ("v < :x", {":x": S("b")}, ["S"]),
    ("v < :x", {":x": {"B": b"b"}}, ["B"]),
    ("v >= :x", {":x": S("abc")}, ["S"]),
    ("v > :x", {":x": S("abc")}, []),
    ("v <= :x", {":x": {"B": b"abc"}}, ["B"]),
    ("v > :x", {":x": S("")}, ["S"]),
    ("v BETWEEN :x AND :y", {":x": N("5"), ":y": N("5")}, ["N"]),
    ("v BETWEEN :x AND :y", {":x": S("a"), ":y": S("b")}, ["S"]),
    ("v between :x and :y", {":x": N("1"), ":y": N("9")}, ["N"]),
    ("v IN (:x, :y, :z)", {":x": S("abc"), ":y": N("5"), ":z": {"BOOL": True}}, ["BOOL", "N", "S"]),
    ("v IN (:x)", {":x": {"SS": ["abc", "d"]}}, ["SS"]),
    ("v in (:x)", {":x": S("abc")}, ["S"]),
    # attribute_type with every type name
    ("attribute_type(v, :t)", {":t": S("S")}, ["S"]),
    ("attribute_type(v, :t)", {":t": S("N")}, ["N"]),
    ("attribute_type(v, :t)", {":t": S("B")}, ["B"]),
    ("attribute_type(v, :t)", {":t": S("SS")}, ["SS"]),
    ("attribute_type(v, :t)", {":t": S("NS")}, ["NS"]),
    ("attribute_type(v, :t)", {":t": S("BS")}, ["BS"]),
    ("attribute_type(v, :t)", {":t": S("L")}, ["L"]),
    ("attribute_type(v, :t)", {":t": S("M")}, ["M"]),
    ("attribute_type(v, :t)", {":t": S("BOOL")}, ["BOOL"]),
    ("attribute_type(v, :t)", {":t": S("NULL")}, ["NULL"]),
    ("attribute_exists(v)", None, WITH_V),
    ("attribute_not_exists(v)", None, ["none"]),
    ("NOT attribute_exists(v)", None, ["none"]),
    # contains: substring of S, sub-sequence of B, member of a set of the same type, element of a list
    ("contains(v, :x)", {":x": S("abc")}, ["L", "S", "SS"]),
    ("contains(v, :x)", {":x": S("bc")}, ["S"]),
    ("contains(v, :x)", {":x": N("5")}, ["L", "NS"]),
    ("contains(v, :x)", {":x": {"B": b"abc"}}, ["B", "BS"]),
    ("contains(v, :x)", {":x": {"B": b"b"}}, ["B"]),
    ("contains(v, :x)", {":x": {"L": []}}, ["L"]),
    ("contains(v, :x)", {":x": {"SS": ["abc"]}}, []),
    ("contains(v, :x)", {":x": {"BOOL": True}}, []),
    ("contains(v, :x)", {":x": {"M": {"k": N("5")}}}, []),
    ("begins_with(v, :x)", {":x": S("ab")}, ["S"]),
    ("begins_with(v, :x)", {":x": {"B": b"ab"}}, ["B"]),
    ("begins_with(v, :x)", {":x": S("")}, ["S"]),
    # size: string length, binary length, set / list / map element count; nothing else has a size
    ("size(v) = :x", {":x": N("2")}, ["BS", "M", "NS", "SS"]),
    ("size(v) = :x", {":x": N("3")}, ["B", "L", "S"]),
    ("size(v) >= :x", {":x": N("0")}, ["B", "BS", "L", "M", "NS", "S", "SS"]),
    ("size(v) = :x", {":x": S("3")}, []),
    ("size(v) > w", None, ["B", "BS", "L", "M", "NS", "S", "SS"]),
    ("size(v) BETWEEN :x AND :y", {":x": N("3"), ":y": N("3")}, ["B", "L", "S"]),
    ("size(v) IN (:x)", {":x": N("2")}, ["BS", "M", "NS", "SS"]),
    ("v = w", None, []),
    ("w = v", None, []),
    (":x IN (v, w)", {":x": N("1")}, ALL),
    # nested paths
    ("v.k = :x", {":x": N("5")}, ["M"]),
    ("v[1] = :x", {":x": N("5")}, ["L"]),
    ("v[2] = :x", {":x": {"L": []}}, ["L"]),
    ("size(v[2]) = :x", {":x": N("0")}, ["L"]),
    ("attribute_exists(v[5])", None, []),
    ("attribute_exists(v.nope)", None, []),
    ("attribute_not_exists(v.k)", None, but("M")),
    ("attribute_exists(v.#k)", None, ["M"]),
    # precedence: NOT binds tighter than AND, AND tighter than OR; parentheses override
    ("v = :x OR v = :y AND v = :z", {":x": S("abc"), ":y": N("5"), ":z": N("6")}, ["S"]),
    ("(v = :x OR v = :y) AND v = :z", {":x": S("abc"), ":y": N("5"), ":z": N("6")}, []),
    ("v = :x OR (v = :y AND v = :z)", {":x": S("abc"), ":y": N("5"), ":z": N("6")}, ["S"]),
    ("NOT v = :x AND attribute_exists(v)", {":x": S("abc")}, but("S", base=WITH_V)),
    ("NOT (v = :x AND attribute_exists(v))", {":x": S("abc")}, but("S")),
    ("NOT v = :x OR v = :x", {":x": S("abc")}, ALL),
    ("NOT NOT v = :x", {":x": S("abc")}, ["S"]),
    ("v = :x or v = :y", {":x": S("abc"), ":y": N("5")}, ["N", "S"]),
    ("not v = :x", {":x": S("abc")}, but("S")),
    ("(v = :x) AND (w = :y)", {":x": S("abc"), ":y": N("1")}, ["S"]),
    ("w = :y AND (v = :x OR (v = :z AND (w = :y)))", {":x": S("abc"), ":y": N("1"), ":z": N("5")}, ["N", "S"]),
    ("(attribute_exists(v))", None, WITH_V),
    ("(v) = :x", {":x": S("abc")}, ["S"]),
    ("v\t=\n:x", {":x": S("abc")}, ["S"]),
    (":x = :x", {":x": S("abc")}, ALL),
    ("w BETWEEN :y AND :y AND v = :x", {":x": S("abc"), ":y": N("1")}, ["S"]),
]


@pytest.mark.parametrize("expr,values,want", FILTER_CASES, ids=[f"{i}:{c[0]}" for i, c in enumerate(FILTER_CASES)])
def test_filter_expression_semantics(mclient, typed, expr, values, want):
    kw = opt(names={"#k": "k"} if "#k" in expr else None, values=values)
    r = mclient.scan(TableName=typed, FilterExpression=expr, **kw)
    assert sorted(i["pk"]["S"] for i in r["Items"]) == want
    assert r["ScannedCount"] == len(ALL)
    assert r["Count"] == len(want)


def test_filter_expression_in_query(ddb, make_table):
    t = make_table(range=("sk", "N"))
    for i in range(10):
        ddb.put_item(TableName=t, Item={"pk": S("p"), "sk": N(str(i)), "v": N(str(i % 3)),
                                        "m": {"M": {"l": {"L": [S("x"), N(str(i))]}}}})
    r = ddb.query(
        TableName=t, KeyConditionExpression="pk = :p AND sk >= :two",
        FilterExpression="v = :zero OR m.l[1] = :nine", ProjectionExpression="sk, m.l[1]",
        ExpressionAttributeValues={":p": S("p"), ":two": N("2"), ":zero": N("0"), ":nine": N("9")},
    )
    assert r["Items"] == [
        {"sk": N("3"), "m": {"M": {"l": {"L": [N("3")]}}}},
        {"sk": N("6"), "m": {"M": {"l": {"L": [N("6")]}}}},
        {"sk": N("9"), "m": {"M": {"l": {"L": [N("9")]}}}},
    ]
    assert (r["Count"], r["ScannedCount"]) == (3, 8)
    # Limit bounds the items read before the filter; paging walks the rest
    got, kw, pages = [], {}, 0
    while True:
        r = ddb.query(TableName=t, KeyConditionExpression="pk = :p", FilterExpression="v = :zero",
                      ExpressionAttributeValues={":p": S("p"), ":zero": N("0")}, Limit=4, **kw)
        pages += 1
        assert r["ScannedCount"] <= 4
        got += [i["sk"]["N"] for i in r["Items"]]
        if "LastEvaluatedKey" not in r:
            break
        kw = {"ExclusiveStartKey": r["LastEvaluatedKey"]}
    assert got == ["0", "3", "6", "9"]
    assert pages == 3


# --------------------------------------------------------------------------- ConditionExpression


BASE = {
    "pk": S("c"),
    "n": N("5"),
    "s": S("hello"),
    "tags": {"SS": ["red", "blue"]},
    "l": {"L": [N("1"), S("two")]},
    "m": {"M": {"k": S("v"), "deep": {"M": {"x": N("1")}}}},
    "flag": {"BOOL": False},
}
CV = {
    ":one": N("1"), ":five": N("5"), ":ten": N("10"), ":he": S("he"), ":red": S("red"), ":two": N("2"),
    ":ss": S("SS"), ":n": S("N"), ":s": S("5"), ":f": {"BOOL": False},
}
COND_CASES = [
    ("n = :five", True),
    ("n <> :five", False),
    ("n BETWEEN :one AND :five", True),
    ("n IN (:one, :ten)", False),
    ("attribute_exists(m.deep.x) AND NOT attribute_exists(m.zz)", True),
    ("size(l) = :two AND contains(tags, :red)", True),
    ("attribute_type(tags, :ss) AND begins_with(s, :he)", True),
    ("n = :s", False),
    ("NOT (n < :one OR n > :ten)", True),
    ("flag = :f AND contains(l, :one)", True),
    ("m.deep.x > :one", False),
    ("attribute_type(n, :n) OR n = :s", True),
]


@pytest.mark.parametrize("op", ["put", "update", "delete"])
@pytest.mark.parametrize("expr,ok", COND_CASES, ids=[c[0] for c in COND_CASES])
def test_condition_expression_on_each_write(ddb, hash_table, op, expr, ok):
    ddb.put_item(TableName=hash_table, Item=BASE)
    values = {k: CV[k] for k in re.findall(r":\w+", expr)}
    if op == "put":
        call = lambda: ddb.put_item(TableName=hash_table, Item=dict(BASE, w=S("written")),
                                    ConditionExpression=expr, **opt(values=values or None))
        after = dict(BASE, w=S("written"))
    elif op == "update":
        call = lambda: ddb.update_item(TableName=hash_table, Key=K("c"), UpdateExpression="SET w = :w",
                                       ConditionExpression=expr, ExpressionAttributeValues=dict(values, **{":w": S("written")}))
        after = dict(BASE, w=S("written"))
    else:
        call = lambda: ddb.delete_item(TableName=hash_table, Key=K("c"), ConditionExpression=expr,
                                       **opt(values=values or None))
        after = None
    if ok:
        call()
        assert norm(get(ddb, hash_table, K("c"))) == norm(after)
    else:
        with pytest.raises(ClientError) as e:
            call()
        assert err(e) == CCF
        assert norm(get(ddb, hash_table, K("c"))) == norm(BASE)


@pytest.mark.parametrize(
    "expr,values,ok",
    [
        ("attribute_not_exists(pk)", None, True),
        ("attribute_exists(pk)", None, False),
        ("n = :five", {":five": N("5")}, False),
        ("n <> :five", {":five": N("5")}, True),
        ("NOT n = :five", {":five": N("5")}, True),
        ("n < :five", {":five": N("5")}, False),
        ("size(n) >= :zero", {":zero": N("0")}, False),
        ("NOT size(n) >= :zero", {":zero": N("0")}, True),
        ("attribute_type(n, :t)", {":t": S("N")}, False),
        ("NOT contains(n, :five)", {":five": N("5")}, True),
        ("n IN (:five)", {":five": N("5")}, False),
    ],
)
def test_condition_on_missing_item(ddb, hash_table, expr, values, ok):
    """A condition on an absent item sees no attributes at all."""
    kw = opt(values=values)
    if ok:
        ddb.update_item(TableName=hash_table, Key=K("ghost"), UpdateExpression="SET a = :a",
                        ConditionExpression=expr, ExpressionAttributeValues=dict(values or {}, **{":a": N("1")}))
        assert get(ddb, hash_table, K("ghost")) == {"pk": S("ghost"), "a": N("1")}
    else:
        with pytest.raises(ClientError) as e:
            ddb.put_item(TableName=hash_table, Item=K("ghost"), ConditionExpression=expr, **kw)
        assert err(e) == CCF
        with pytest.raises(ClientError) as e:
            ddb.delete_item(TableName=hash_table, Key=K("ghost"), ConditionExpression=expr, **kw)
        assert err(e) == CCF
        assert get(ddb, hash_table, K("ghost")) is None


def test_condition_sees_old_item_not_new(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": S("o"), "v": N("1")})
    # the condition is checked against the stored item, before the update applies
    ddb.update_item(TableName=hash_table, Key=K("o"), UpdateExpression="SET v = :two",
                    ConditionExpression="v = :one", ExpressionAttributeValues={":one": N("1"), ":two": N("2")})
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=hash_table, Item={"pk": S("o"), "v": N("3")}, ConditionExpression="v = :three",
                     ExpressionAttributeValues={":three": N("3")})
    assert err(e) == CCF
    assert get(ddb, hash_table, K("o")) == {"pk": S("o"), "v": N("2")}


P = "Invalid ConditionExpression: "
COND_ERRORS = [
    ("n BETWEEN :a AND :b", {":a": N("6"), ":b": N("1")},
     "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
     "lower bound operand: AttributeValue: {N:6}, upper bound operand: AttributeValue: {N:1}"),
    ("s BETWEEN :a AND :b", {":a": S("z"), ":b": S("a")},
     "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
     "lower bound operand: AttributeValue: {S:z}, upper bound operand: AttributeValue: {S:a}"),
    ("n BETWEEN :a AND :b", {":a": N("6"), ":b": S("1")},
     "The BETWEEN operator requires same data type for lower and upper bounds; "
     "lower bound operand: AttributeValue: {N:6}, upper bound operand: AttributeValue: {S:1}"),
    ("n BETWEEN :a AND :b", {":a": {"BOOL": False}, ":b": {"BOOL": True}},
     "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL"),
    ("n < :a", {":a": {"BOOL": True}},
     "Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"),
    ("n >= :a", {":a": {"SS": ["a"]}},
     "Incorrect operand type for operator or function; operator or function: >=, operand type: SS"),
    ("n > :a", {":a": {"L": []}},
     "Incorrect operand type for operator or function; operator or function: >, operand type: L"),
    ("n <= :a", {":a": {"M": {}}},
     "Incorrect operand type for operator or function; operator or function: <=, operand type: M"),
    ("n < :a", {":a": {"NULL": True}},
     "Incorrect operand type for operator or function; operator or function: <, operand type: NULL"),
    ("attribute_type(n, :t)", {":t": S("X")},
     "Invalid attribute type name found; type: X, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}"),
    ("attribute_type(n, :t)", {":t": N("1")},
     "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"),
    ("attribute_type(n, s)", None,
     "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: "
     "{N,SS,NULL,L,DICT,M,DOUBLE,BS,FS,HDS,DOUBLESET,BOOL,HD,INTSET,S,DECIMALSET,FLOAT,INT,B,DECIMAL,NS}"),
    ("begins_with(n, :t)", {":t": N("1")},
     "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
    ("begins_with(n, :t)", {":t": {"SS": ["a"]}},
     "Incorrect operand type for operator or function; operator or function: begins_with, operand type: SS"),
    ("size(:t) = :t", {":t": N("1")},
     "Incorrect operand type for operator or function; operator or function: size, operand type: N"),
    ("size(size(n)) = :t", {":t": N("1")},
     "Incorrect operand type for operator or function; operator or function: size, operand type: N"),
    ("size(s)", None, "The function is not allowed to be used this way in an expression; function: size"),
    ("attribute_exists(n) = :v", {":v": N("1")},
     "The function is not allowed to be used this way in an expression; function: attribute_exists"),
    ("attribute_exists(:v)", {":v": N("1")},
     "Operator or function requires a document path; operator or function: attribute_exists"),
    ("attribute_not_exists(:v)", {":v": N("1")},
     "Operator or function requires a document path; operator or function: attribute_not_exists"),
    ("foo(n)", None, "Invalid function name; function: foo"),
    ("ATTRIBUTE_EXISTS(n)", None, "Invalid function name; function: ATTRIBUTE_EXISTS"),
    ("Size(n) = :v", {":v": N("1")}, "Invalid function name; function: Size"),
    ("if_not_exists(n, :a) = :a", {":a": N("1")},
     "The function is not allowed in a condition expression; function: if_not_exists"),
    ("list_append(l, :a) = :a", {":a": {"L": []}},
     "The function is not allowed in a condition expression; function: list_append"),
    ("contains(s)", None,
     "Incorrect number of operands for operator or function; operator or function: contains, number of operands: 1"),
    ("contains(s, :a, :a)", {":a": S("1")},
     "Incorrect number of operands for operator or function; operator or function: contains, number of operands: 3"),
    ("attribute_exists(n, n)", None,
     "Incorrect number of operands for operator or function; operator or function: attribute_exists, "
     "number of operands: 2"),
    ("n = n", None,
     "The first operand must be distinct from the remaining operands for this operator or function; "
     "operator: =, first operand: [n]"),
    ("n IN (n, :a)", {":a": N("1")},
     "The first operand must be distinct from the remaining operands for this operator or function; "
     "operator: IN, first operand: [n]"),
    ("n BETWEEN n AND :a", {":a": N("1")},
     "The first operand must be distinct from the remaining operands for this operator or function; "
     "operator: BETWEEN, first operand: [n]"),
    ("contains(n, n)", None,
     "The first operand must be distinct from the remaining operands for this operator or function; "
     "operator: contains, first operand: [n]"),
    ("((n = :a))", {":a": N("1")}, "The expression has redundant parentheses;"),
    ("((((((((((n = :a))))))))))", {":a": N("1")}, "The expression has redundant parentheses;"),
    ("", None, "The expression can not be empty;"),
    ("   ", None, 'Syntax error; token: "<EOF>", near: "   "'),
    ("n", None, 'Syntax error; token: "<EOF>", near: "n"'),
    ("n = :a AND", {":a": N("1")}, 'Syntax error; token: "<EOF>", near: "AND"'),
    ("n == :a", {":a": N("1")}, 'Syntax error; token: "=", near: "== :a"'),
    ("n != :a", {":a": N("1")}, 'Syntax error; token: "!", near: "n !="'),
    ("n IN ()", None, 'Syntax error; token: ")", near: "()"'),
    ("n + :a = :a", {":a": N("1")}, 'Syntax error; token: "+", near: "n + :a"'),
    ("n BETWEEN :a", {":a": N("1")}, 'Syntax error; token: "<EOF>", near: ":a"'),
    ("n < :a < :a", {":a": N("1")}, 'Syntax error; token: "<", near: ":a < :a"'),
    ('"n" = :a', {":a": N("1")}, 'Syntax error; token: """, near: ""n"'),
    ("l[-1] = :a", {":a": N("1")}, 'Syntax error; token: "-", near: "[-1"'),
    ("l[x] = :a", {":a": N("1")}, 'Syntax error; token: "x", near: "[x]"'),
    ("l[99999999999] = :a", {":a": N("1")}, "List index is not within the allowable range; index: [99999999999]"),
    ("_x = :a", {":a": N("1")}, 'Syntax error; token: "_", near: "_x"'),
    ("1x = :a", {":a": N("1")}, 'Syntax error; token: "1", near: "1x"'),
    ("\u00e9 = :a", {":a": N("1")}, 'Syntax error; token: "\u00e9", near: "\u00e9 ="'),
    ("a-b = :a", {":a": N("1")}, 'Syntax error; token: "-", near: "a-b"'),
]


@pytest.mark.parametrize("expr,values,msg", COND_ERRORS, ids=[f"{i}:{c[0]}" for i, c in enumerate(COND_ERRORS)])
def test_condition_expression_errors(raw_ddb, hash_table, expr, values, msg):
    item = dict(BASE, pk=S("e"))
    expect_error(raw_ddb.put_item, P + msg, TableName=hash_table, Item=item, ConditionExpression=expr,
                 **opt(values=values))
    assert get(raw_ddb, hash_table, K("e")) is None


def test_expression_errors_name_their_parameter(raw_ddb, range_table):
    """The same syntax error is reported with the name of the parameter that holds it."""
    t, key = range_table, {"pk": S("p"), "sk": S("s")}
    bad = "a >"
    near = 'Syntax error; token: "<EOF>", near: ">"'
    v = {":p": S("p")}
    calls = [
        ("ConditionExpression", raw_ddb.put_item, dict(Item=key, ConditionExpression=bad)),
        ("ConditionExpression", raw_ddb.update_item, dict(Key=key, UpdateExpression="SET b = :p",
                                                          ConditionExpression=bad, ExpressionAttributeValues=v)),
        ("ConditionExpression", raw_ddb.delete_item, dict(Key=key, ConditionExpression=bad)),
        ("FilterExpression", raw_ddb.scan, dict(FilterExpression=bad)),
        ("FilterExpression", raw_ddb.query, dict(KeyConditionExpression="pk = :p", FilterExpression=bad,
                                                 ExpressionAttributeValues=v)),
        ("KeyConditionExpression", raw_ddb.query, dict(KeyConditionExpression="pk >")),
    ]
    for param, fn, kw in calls:
        expect_error(fn, f"Invalid {param}: {near}", TableName=t, **kw)
    expect_error(raw_ddb.get_item, 'Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ","',
                 TableName=t, Key=key, ProjectionExpression="a,")
    expect_error(raw_ddb.update_item, 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET"',
                 TableName=t, Key=key, UpdateExpression="SET")
    # empty expressions
    for param, fn, kw in [
        ("ConditionExpression", raw_ddb.delete_item, dict(Key=key, ConditionExpression="")),
        ("FilterExpression", raw_ddb.scan, dict(FilterExpression="")),
        ("KeyConditionExpression", raw_ddb.query, dict(KeyConditionExpression="")),
        ("ProjectionExpression", raw_ddb.get_item, dict(Key=key, ProjectionExpression="")),
        ("UpdateExpression", raw_ddb.update_item, dict(Key=key, UpdateExpression="")),
    ]:
        expect_error(fn, f"Invalid {param}: The expression can not be empty;", TableName=t, **kw)
    assert get(raw_ddb, t, key) is None


# --------------------------------------------------------------------------- KeyConditionExpression


@pytest.fixture
def key_tables(ddb, make_table):
    n = make_table(range=("sk", "N"))
    s = make_table(range=("sk", "S"))
    h = make_table()
    for i in range(5):
        ddb.put_item(TableName=n, Item={"pk": S("p"), "sk": N(str(i)), "a": N(str(i))})
        ddb.put_item(TableName=s, Item={"pk": S("p"), "sk": S(f"ab{i}"), "a": N(str(i))})
    ddb.put_item(TableName=n, Item={"pk": S("q"), "sk": N("0")})
    ddb.put_item(TableName=s, Item={"pk": S("q"), "sk": S("ab0")})
    ddb.put_item(TableName=h, Item={"pk": S("p"), "a": N("1")})
    return {"n": n, "s": s, "h": h}


P_ = {":p": S("p")}


def sks(items):
    return [list(i["sk"].values())[0] for i in items]


@pytest.mark.parametrize(
    "table,expr,values,names,want",
    [
        ("n", "pk = :p", P_, None, ["0", "1", "2", "3", "4"]),
        ("n", ":p = pk", P_, None, ["0", "1", "2", "3", "4"]),
        ("n", "pk = :p AND sk = :a", dict(P_, **{":a": N("2")}), None, ["2"]),
        ("n", "pk = :p AND :a < sk", dict(P_, **{":a": N("2")}), None, ["3", "4"]),
        ("n", "pk = :p AND :a >= sk", dict(P_, **{":a": N("2")}), None, ["0", "1", "2"]),
        ("n", "pk = :p AND sk <= :a", dict(P_, **{":a": N("2")}), None, ["0", "1", "2"]),
        ("n", "pk = :p AND sk BETWEEN :a AND :b", dict(P_, **{":a": N("1"), ":b": N("3")}), None, ["1", "2", "3"]),
        ("n", "pk = :p and sk between :a and :b", dict(P_, **{":a": N("1"), ":b": N("3")}), None, ["1", "2", "3"]),
        ("n", "sk > :a AND pk = :p", dict(P_, **{":a": N("2")}), None, ["3", "4"]),
        ("n", "(pk = :p) AND (sk > :a)", dict(P_, **{":a": N("2")}), None, ["3", "4"]),
        ("n", "(pk = :p AND sk > :a)", dict(P_, **{":a": N("2")}), None, ["3", "4"]),
        ("n", "#k = :p AND #s > :a", dict(P_, **{":a": N("2")}), {"#k": "pk", "#s": "sk"}, ["3", "4"]),
        ("s", "pk = :p AND begins_with(sk, :a)", dict(P_, **{":a": S("ab")}), None,
         ["ab0", "ab1", "ab2", "ab3", "ab4"]),
        ("s", "pk = :p AND begins_with(#s, :a)", dict(P_, **{":a": S("ab3")}), {"#s": "sk"}, ["ab3"]),
        ("s", "pk = :p AND begins_with(sk, :a)", dict(P_, **{":a": S("b")}), None, []),
        ("s", "pk = :p AND sk > :a", dict(P_, **{":a": S("ab")}), None, ["ab0", "ab1", "ab2", "ab3", "ab4"]),
    ],
)
def test_key_condition_forms(ddb, key_tables, table, expr, values, names, want):
    r = ddb.query(TableName=key_tables[table], KeyConditionExpression=expr, **opt(names, values))
    assert sks(r["Items"]) == want
    r = ddb.query(TableName=key_tables[table], KeyConditionExpression=expr, ScanIndexForward=False,
                  **opt(names, values))
    assert sks(r["Items"]) == want[::-1]


def test_key_condition_on_hash_only_table(ddb, raw_ddb, key_tables):
    r = ddb.query(TableName=key_tables["h"], KeyConditionExpression="pk = :p", ExpressionAttributeValues=P_)
    assert r["Items"] == [{"pk": S("p"), "a": N("1")}]
    expect_error(raw_ddb.query, "Query key condition not supported", TableName=key_tables["h"],
                 KeyConditionExpression="pk = :p AND sk = :a", ExpressionAttributeValues=dict(P_, **{":a": N("2")}))


KC = "Invalid KeyConditionExpression: "
KEY_ERRORS = [
    ("pk = :p AND pk = :p", P_, "KeyConditionExpressions must only contain one condition per key"),
    ("pk = :p AND sk >= :a AND sk <= :b", dict(P_, **{":a": N("1"), ":b": N("3")}),
     "KeyConditionExpressions must only contain one condition per key"),
    ("(pk = :p) OR (sk = :a)", dict(P_, **{":a": N("1")}), "Invalid operator used in KeyConditionExpression: OR"),
    ("NOT pk = :p", P_, "Invalid operator used in KeyConditionExpression: NOT"),
    ("pk IN (:p)", P_, "Invalid operator used in KeyConditionExpression: IN"),
    ("pk = :p AND sk IN (:a)", dict(P_, **{":a": N("1")}), "Invalid operator used in KeyConditionExpression: IN"),
    ("pk = :p AND attribute_exists(sk)", P_,
     "Invalid operator used in KeyConditionExpression: attribute_exists"),
    ("pk = :p AND contains(sk, :a)", dict(P_, **{":a": N("1")}),
     "Invalid operator used in KeyConditionExpression: contains"),
    ("pk = :p AND size(sk) = :a", dict(P_, **{":a": N("1")}), "KeyConditionExpressions cannot contain nested operations"),
    ("pk = sk", None, "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
    ("pk = :p AND sk = sk", P_,
     KC + "The first operand must be distinct from the remaining operands for this operator or function; "
     "operator: =, first operand: [sk]"),
    ("pk = :p AND sk.x = :a", dict(P_, **{":a": N("1")}),
     "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: sk"),
    ("pk[0] = :p", P_,
     "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"),
    ("pk = :p AND sk BETWEEN :b AND :a", dict(P_, **{":a": N("1"), ":b": N("3")}),
     KC + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
     "lower bound operand: AttributeValue: {N:3}, upper bound operand: AttributeValue: {N:1}"),
    ("pk = :p AND sk BETWEEN :a AND :b", dict(P_, **{":a": S("1"), ":b": S("3")}),
     "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ("pk = :p AND begins_with(sk, :a)", dict(P_, **{":a": S("1")}),
     "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ("pk = :a", {":a": N("1")},
     "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ("pk = :p AND sk = :p", P_,
     "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ("pk < :p", P_, "Query key condition not supported"),
    ("pk = :p AND begins_with(sk)", P_,
     KC + "Incorrect number of operands for operator or function; operator or function: begins_with, "
     "number of operands: 1"),
    ("pk = :p AND ((sk > :a))", dict(P_, **{":a": N("2")}), KC + "The expression has redundant parentheses;"),
    ("pk = :p AND name = :p", P_, KC + "Attribute name is a reserved keyword; reserved keyword: name"),
    ("pk = :p AND sk = :a", P_,
     KC + "An expression attribute value used in expression is not defined; attribute value: :a"),
    ("pk = :p AND #s = :p", P_,
     KC + "An expression attribute name used in the document path is not defined; attribute name: #s"),
]


@pytest.mark.parametrize("expr,values,msg", KEY_ERRORS, ids=[f"{i}:{c[0]}" for i, c in enumerate(KEY_ERRORS)])
def test_key_condition_errors(raw_ddb, key_tables, expr, values, msg):
    expect_error(raw_ddb.query, msg, TableName=key_tables["n"], KeyConditionExpression=expr, **opt(values=values))


@pytest.mark.aws_differs(
    "DynamoDB Local says only 'Query condition missed key schema element'; AWS names the element it missed "
    "(moto test_dynamodb.py: 'pk = :pk AND wrongName = :sk' -> '...: <sort key>'; AWS error reports)"
)
def test_key_condition_missed_key_element_names_it(raw_ddb, key_tables):
    t = key_tables["n"]
    for expr, values, missed in [
        ("pk = :p AND a = :a", dict(P_, **{":a": N("1")}), "sk"),
        ("a = :a", {":a": N("1")}, "pk"),
        ("sk = :a", {":a": N("1")}, "pk"),
    ]:
        expect_error(raw_ddb.query, f"Query condition missed key schema element: {missed}", TableName=t,
                     KeyConditionExpression=expr, ExpressionAttributeValues=values)


def test_key_condition_non_key_attribute_rejected(raw_ddb, key_tables):
    for expr, values in [("pk = :p AND a = :a", dict(P_, **{":a": N("1")})), ("a = :a", {":a": N("1")}),
                         ("sk = :a", {":a": N("1")})]:
        with pytest.raises(ClientError) as e:
            raw_ddb.query(TableName=key_tables["n"], KeyConditionExpression=expr, ExpressionAttributeValues=values)
        code, msg = err(e)
        assert code == "ValidationException"
        assert msg.startswith("Query condition missed key schema element"), msg


# --------------------------------------------------------------------------- ProjectionExpression


PITEM = {
    "pk": S("p"),
    "a": {"M": {"b": {"L": [N("0"), N("1"), N("2"), {"M": {"c": S("deep"), "d": S("other")}}, N("4")]},
                "x": S("y")}},
    "l": {"L": [S("l0"), S("l1"), {"L": [S("n0"), S("n1")]}]},
    "s": S("str"),
    "dot.ted": S("dotted"),
    "n": N("1"),
}
PROJ_CASES = [
    ("a.b[3].c", None, {"a": {"M": {"b": {"L": [{"M": {"c": S("deep")}}]}}}}),
    ("a.b[3].c, l[2][1], l[0]", None,
     {"l": {"L": [S("l0"), {"L": [S("n1")]}]}, "a": {"M": {"b": {"L": [{"M": {"c": S("deep")}}]}}}}),
    ("l[2][1], l[2][0], l[0]", None, {"l": {"L": [S("l0"), {"L": [S("n0"), S("n1")]}]}}),
    ("l[1], l[0]", None, {"l": {"L": [S("l0"), S("l1")]}}),
    ("a.b[3].c, a.b[1]", None, {"a": {"M": {"b": {"L": [N("1"), {"M": {"c": S("deep")}}]}}}}),
    ("a.b[3].c, a.x", None, {"a": {"M": {"x": S("y"), "b": {"L": [{"M": {"c": S("deep")}}]}}}}),
    ("a.b[3]", None, {"a": {"M": {"b": {"L": [{"M": {"c": S("deep"), "d": S("other")}}]}}}}),
    ("l[5]", None, {}),
    ("s, nope", None, {"s": S("str")}),
    ("nope", None, {}),
    ("s.x", None, {}),
    ("s[0]", None, {}),
    ("a.b.c", None, {}),
    ("#d", {"#d": "dot.ted"}, {"dot.ted": S("dotted")}),
    ("dot.ted", None, {}),
    ("#a.#b[3].#c", {"#a": "a", "#b": "b", "#c": "c"}, {"a": {"M": {"b": {"L": [{"M": {"c": S("deep")}}]}}}}),
    ("#n", {"#n": "name"}, {}),
    (" s ,n ", None, {"n": N("1"), "s": S("str")}),
    ("pk", None, {"pk": S("p")}),
]


@pytest.mark.parametrize("expr,names,want", PROJ_CASES, ids=[c[0] for c in PROJ_CASES])
def test_projection_expression(ddb, hash_table, expr, names, want):
    ddb.put_item(TableName=hash_table, Item=PITEM)
    r = ddb.get_item(TableName=hash_table, Key=K("p"), ProjectionExpression=expr, **opt(names))
    assert r.get("Item") == want
    q = ddb.query(TableName=hash_table, KeyConditionExpression="pk = :p", ProjectionExpression=expr,
                  **opt(names, {":p": S("p")}))
    assert q["Items"] == [want]
    s = ddb.scan(TableName=hash_table, ProjectionExpression=expr, **opt(names))
    assert s["Items"] == [want]


PROJ_ERRORS = [
    ("a.b, a.b[1]", "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                    "path one: [a, b], path two: [a, b, [1]]"),
    ("a, a.b", "Two document paths overlap with each other; must remove or rewrite one of these paths; "
               "path one: [a], path two: [a, b]"),
    ("a.b[1], a.b", "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                    "path one: [a, b, [1]], path two: [a, b]"),
    ("a.b[1], a.b[1]", "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                       "path one: [a, b, [1]], path two: [a, b, [1]]"),
    ("s, s", "Two document paths overlap with each other; must remove or rewrite one of these paths; "
             "path one: [s], path two: [s]"),
    ("a.b[1], a.b[1].c", "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                         "path one: [a, b, [1]], path two: [a, b, [1], c]"),
    ("l[2][1], l[2]", "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                      "path one: [l, [2], [1]], path two: [l, [2]]"),
    ("a.b[1], a.b.c", "Two document paths conflict with each other; must remove or rewrite one of these paths; "
                      "path one: [a, b, [1]], path two: [a, b, c]"),
    ("a.b.c, a.b[1]", "Two document paths conflict with each other; must remove or rewrite one of these paths; "
                      "path one: [a, b, c], path two: [a, b, [1]]"),
    ("#q", "An expression attribute name used in the document path is not defined; attribute name: #q"),
    ("name", "Attribute name is a reserved keyword; reserved keyword: name"),
    ("s,", 'Syntax error; token: "<EOF>", near: ","'),
    ("s n", 'Syntax error; token: "n", near: "s n"'),
    (":v", 'Syntax error; token: ":v", near: ":v"'),
    ("size(s)", 'Syntax error; token: "(", near: "size(s"'),
    ("l[-1]", 'Syntax error; token: "-", near: "[-1"'),
    ("set", 'Syntax error; token: "set", near: "set"'),
    (".".join(["m"] * 33), "The document path has too many nesting levels; nesting levels: 33"),
    ("l" + "[0]" * 32, "The document path has too many nesting levels; nesting levels: 33"),
]


@pytest.mark.parametrize("expr,msg", PROJ_ERRORS, ids=[c[0][:40] for c in PROJ_ERRORS])
def test_projection_expression_errors(raw_ddb, hash_table, expr, msg):
    msg = "Invalid ProjectionExpression: " + msg
    expect_error(raw_ddb.get_item, msg, TableName=hash_table, Key=K("p"), ProjectionExpression=expr)
    expect_error(raw_ddb.scan, msg, TableName=hash_table, ProjectionExpression=expr)
    expect_error(raw_ddb.query, msg, TableName=hash_table, ProjectionExpression=expr,
                 KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")})


def test_projection_depth_32_allowed(ddb, hash_table):
    deep = N("0")
    for _ in range(31):
        deep = {"M": {"m": deep}}
    ddb.put_item(TableName=hash_table, Item={"pk": S("d"), "m": deep, "other": N("1")})
    path32 = ".".join(["m"] * 32)
    r = ddb.get_item(TableName=hash_table, Key=K("d"), ProjectionExpression=path32)
    assert r["Item"] == {"m": deep}
    # SET at depth 32 works; the condition at depth 32 too
    ddb.update_item(TableName=hash_table, Key=K("d"), UpdateExpression=f"SET {path32} = :v",
                    ConditionExpression=f"attribute_exists({path32})", ExpressionAttributeValues={":v": N("7")})
    got = get(ddb, hash_table, K("d"), ProjectionExpression=".".join(["#m"] * 32),
              ExpressionAttributeNames={"#m": "m"})
    x = got["m"]
    for _ in range(31):
        x = x["M"]["m"]
    assert x == N("7")


def test_projection_with_select(raw_ddb, hash_table):
    raw_ddb.put_item(TableName=hash_table, Item=PITEM)
    r = raw_ddb.scan(TableName=hash_table, ProjectionExpression="s", Select="SPECIFIC_ATTRIBUTES")
    assert r["Items"] == [{"s": S("str")}]
    for select, text in [("ALL_ATTRIBUTES", "ALL_ATTRIBUTES"), ("ALL_PROJECTED_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"),
                         ("COUNT", "only the Count")]:
        expect_error(raw_ddb.scan, f"Cannot specify the ProjectionExpression when choosing to get {text}",
                     TableName=hash_table, ProjectionExpression="s", Select=select)
    expect_error(raw_ddb.query, "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES",
                 TableName=hash_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")},
                 ProjectionExpression="s", Select="ALL_ATTRIBUTES")


def test_specific_attributes_needs_a_projection(raw_ddb, hash_table):
    raw_ddb.put_item(TableName=hash_table, Item=PITEM)
    expect_error(raw_ddb.scan, "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
                 "SPECIFIC_ATTRIBUTES", TableName=hash_table, Select="SPECIFIC_ATTRIBUTES")


def test_expression_and_legacy_parameters_do_not_mix(raw_ddb, hash_table):
    raw_ddb.put_item(TableName=hash_table, Item=PITEM)
    msg = ("Can not use both expression and non-expression parameters in the same request: "
           "Non-expression parameters: {%s} Expression parameters: {%s}")
    expect_error(raw_ddb.get_item, msg % ("AttributesToGet", "ProjectionExpression"), TableName=hash_table,
                 Key=K("p"), ProjectionExpression="s", AttributesToGet=["s"])
    expect_error(raw_ddb.scan, msg % ("ScanFilter", "FilterExpression"), TableName=hash_table,
                 FilterExpression="attribute_exists(s)", ScanFilter={"s": {"ComparisonOperator": "NOT_NULL"}})
    expect_error(raw_ddb.put_item, msg % ("Expected", "ConditionExpression"), TableName=hash_table,
                 Item=K("p"), ConditionExpression="attribute_exists(s)", Expected={"s": {"Exists": False}})
    assert norm(get(raw_ddb, hash_table, K("p"))) == norm(PITEM)


# --------------------------------------------------------------------------- UpdateExpression


UBASE = {
    "pk": S("u"),
    "n": N("10"),
    "s": S("str"),
    "l": {"L": [S("l0"), S("l1"), S("l2"), S("l3")]},
    "m": {"M": {"a": {"M": {"b": N("1")}}, "x": S("y")}},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"\x01"]},
    "ll": {"L": [N("1"), {"L": [N("5"), N("6")]}]},
}
# placeholders the update tests may use (each test passes only the ones its expression names)
UNAMES = {"#n": "name", "#d": "dot.ted", "#x1": "x", "#x2": "x", "#m": "m", "#a": "a"}


def unames(expr):
    used = {k: UNAMES[k] for k in re.findall(r"#\w+", expr)}
    return used or None


def with_(**changes):
    out = dict(UBASE)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


UPDATE_CASES = [
    # SET with + and -, operands from the item and from values
    ("SET n = n + :a", {":a": N("1.5")}, with_(n=N("11.5"))),
    ("SET n = :a - n", {":a": N("1.5")}, with_(n=N("-8.5"))),
    ("SET n = :a + :b", {":a": N("1"), ":b": N("2")}, with_(n=N("3"))),
    ("SET n = (n + :a)", {":a": N("1")}, with_(n=N("11"))),
    ("SET a = n, n = :a", {":a": N("1")}, with_(a=N("10"), n=N("1"))),
    ("SET a=:a", {":a": N("1")}, with_(a=N("1"))),
    ("set a = :a remove s add n :a", {":a": N("1")}, with_(a=N("1"), s=None, n=N("11"))),
    # if_not_exists
    ("SET n = if_not_exists(nope, :a) + :a", {":a": N("1")}, with_(n=N("2"))),
    ("SET z = if_not_exists(n, :a)", {":a": N("1")}, with_(z=N("10"))),
    ("SET z = if_not_exists(m.a.b, :a)", {":a": N("7")}, with_(z=N("1"))),
    ("SET z = if_not_exists(m.a.q, :a)", {":a": N("7")}, with_(z=N("7"))),
    # list_append, either side, and with if_not_exists for a missing list
    ("SET l = list_append(l, :a)", {":a": {"L": [S("x")]}},
     with_(l={"L": [S("l0"), S("l1"), S("l2"), S("l3"), S("x")]})),
    ("SET l = list_append(:a, l)", {":a": {"L": [S("x")]}},
     with_(l={"L": [S("x"), S("l0"), S("l1"), S("l2"), S("l3")]})),
    ("SET k = list_append(if_not_exists(k, :e), :a)", {":a": {"L": [S("x")]}, ":e": {"L": []}},
     with_(k={"L": [S("x")]})),
    ("SET k = list_append(:a, :a)", {":a": {"L": [N("1")]}}, with_(k={"L": [N("1"), N("1")]})),
    # nested paths and list indexes; an index past the end appends, in index order
    ("SET m.a.c = :a", {":a": S("x")}, with_(m={"M": {"a": {"M": {"b": N("1"), "c": S("x")}}, "x": S("y")}})),
    ("SET m.a.b = m.a.b + :a", {":a": N("2")}, with_(m={"M": {"a": {"M": {"b": N("3")}}, "x": S("y")}})),
    ("SET l[1] = :a", {":a": S("x")}, with_(l={"L": [S("l0"), S("x"), S("l2"), S("l3")]})),
    ("SET l[10] = :a", {":a": S("x")}, with_(l={"L": [S("l0"), S("l1"), S("l2"), S("l3"), S("x")]})),
    ("SET l[10] = :a, l[11] = :b", {":a": S("x"), ":b": S("y")},
     with_(l={"L": [S("l0"), S("l1"), S("l2"), S("l3"), S("x"), S("y")]})),
    ("SET l[10] = :a, l[4] = :b", {":a": S("x"), ":b": S("y")},
     with_(l={"L": [S("l0"), S("l1"), S("l2"), S("l3"), S("y"), S("x")]})),
    # REMOVE: attributes, nested, list elements with the indexes of the original list
    ("REMOVE s, m.x", None, with_(s=None, m={"M": {"a": {"M": {"b": N("1")}}}})),
    ("REMOVE m.a.b, m.x", None, with_(m={"M": {"a": {"M": {}}}})),
    ("REMOVE l[1], l[2]", None, with_(l={"L": [S("l0"), S("l3")]})),
    ("REMOVE l[2], l[0]", None, with_(l={"L": [S("l1"), S("l3")]})),
    ("REMOVE l[9]", None, UBASE),
    ("REMOVE nope, m.nope", None, UBASE),
    ("REMOVE l[1] SET l[3] = :a", {":a": S("x")}, with_(l={"L": [S("l0"), S("l2"), S("x")]})),
    ("SET l[0] = :a REMOVE l[1]", {":a": S("x")}, with_(l={"L": [S("x"), S("l2"), S("l3")]})),
    # ADD numbers and sets, creating them when absent
    ("ADD n :a", {":a": N("-0.5")}, with_(n=N("9.5"))),
    ("ADD q :a", {":a": N("-0.5")}, with_(q=N("-0.5"))),
    ("ADD q :a", {":a": {"SS": ["z"]}}, with_(q={"SS": ["z"]})),
    ("ADD ss :a", {":a": {"SS": ["z", "a"]}}, with_(ss={"SS": ["a", "b", "z"]})),
    ("ADD ns :a", {":a": {"NS": ["3", "1.0"]}}, with_(ns={"NS": ["1", "2", "3"]})),
    ("ADD bs :a", {":a": {"BS": [b"\x02"]}}, with_(bs={"BS": [b"\x01", b"\x02"]})),
    ("ADD m.a.b :a", {":a": N("2")}, with_(m={"M": {"a": {"M": {"b": N("3")}}, "x": S("y")}})),
    ("ADD m.a.q :a", {":a": {"NS": ["2"]}}, with_(m={"M": {"a": {"M": {"b": N("1"), "q": {"NS": ["2"]}}}, "x": S("y")}})),
    # DELETE set elements; the attribute disappears with its last element
    ("DELETE ss :a", {":a": {"SS": ["a"]}}, with_(ss={"SS": ["b"]})),
    ("DELETE ss :a", {":a": {"SS": ["a", "b"]}}, with_(ss=None)),
    ("DELETE ss :a", {":a": {"SS": ["q"]}}, UBASE),
    ("DELETE nope :a", {":a": {"SS": ["q"]}}, UBASE),
    ("DELETE ns :a", {":a": {"NS": ["1.00"]}}, with_(ns={"NS": ["2"]})),
    ("DELETE bs :a", {":a": {"BS": [b"\x01"]}}, with_(bs=None)),
    ("DELETE ss :a, ns :b", {":a": {"SS": ["a", "b"]}, ":b": {"NS": ["1", "2"]}}, with_(ss=None, ns=None)),
    # every clause once, in any order
    ("DELETE ss :d ADD n :one REMOVE s SET t = :one", {":d": {"SS": ["a"]}, ":one": N("1")},
     with_(ss={"SS": ["b"]}, n=N("11"), s=None, t=N("1"))),
    ("SET #n = :a", {":a": S("x")}, with_(name=S("x"))),
    ("SET #d = :a", {":a": S("x")}, with_(**{"dot.ted": S("x")})),
    ("SET #m.#a.b = :a", {":a": S("x")}, with_(m={"M": {"a": {"M": {"b": S("x")}}, "x": S("y")}})),
    # whitespace inside paths and around operators
    ("SET l [1] = :a", {":a": S("x")}, with_(l={"L": [S("l0"), S("x"), S("l2"), S("l3")]})),
    ("SET l[ 1 ] = :a", {":a": S("x")}, with_(l={"L": [S("l0"), S("x"), S("l2"), S("l3")]})),
    ("SET m . x = :a", {":a": S("z")}, with_(m={"M": {"a": {"M": {"b": N("1")}}, "x": S("z")}})),
    ("SET n = :a+:a, z = :a-:a", {":a": N("1")}, with_(n=N("2"), z=N("0"))),
    ("REMOVE n,s", None, with_(n=None, s=None)),
    # lists inside lists
    ("SET ll[1][5] = :a", {":a": N("9")}, with_(ll={"L": [N("1"), {"L": [N("5"), N("6"), N("9")]}]})),
    ("REMOVE ll[1][0], ll[0]", None, with_(ll={"L": [{"L": [N("6")]}]})),
    ("SET ll[0] = ll[0] + :a", {":a": N("9")}, with_(ll={"L": [N("10"), {"L": [N("5"), N("6")]}]})),
    ("SET ll[1][0] = ll[1][1] + ll[0]", None, with_(ll={"L": [N("1"), {"L": [N("7"), N("6")]}]})),
    ("SET ll[1] = list_append(ll[1], :a)", {":a": {"L": [N("7")]}},
     with_(ll={"L": [N("1"), {"L": [N("5"), N("6"), N("7")]}]})),
    ("SET l = :a, m = :b", {":a": {"L": []}, ":b": {"M": {}}}, with_(l={"L": []}, m={"M": {}})),
]


@pytest.mark.parametrize("expr,values,want", UPDATE_CASES, ids=[f"{i}:{c[0]}" for i, c in enumerate(UPDATE_CASES)])
def test_update_expression(ddb, hash_table, expr, values, want):
    ddb.put_item(TableName=hash_table, Item=UBASE)
    kw = opt(names=unames(expr), values=values)
    r = ddb.update_item(TableName=hash_table, Key=K("u"), UpdateExpression=expr, ReturnValues="ALL_NEW", **kw)
    assert norm(r["Attributes"]) == norm(want)
    assert norm(get(ddb, hash_table, K("u"))) == norm(want)


def test_update_on_missing_item(ddb, hash_table):
    r = ddb.update_item(TableName=hash_table, Key=K("new1"), UpdateExpression="ADD n :a, s :s",
                        ExpressionAttributeValues={":a": N("1"), ":s": {"SS": ["x"]}}, ReturnValues="ALL_NEW")
    assert norm(r["Attributes"]) == {"pk": S("new1"), "n": N("1"), "s": {"SS": ["x"]}}
    r = ddb.update_item(TableName=hash_table, Key=K("new2"), UpdateExpression="SET n = if_not_exists(n, :z) + :a",
                        ExpressionAttributeValues={":a": N("1"), ":z": N("0")}, ReturnValues="ALL_NEW")
    assert r["Attributes"] == {"pk": S("new2"), "n": N("1")}
    r = ddb.update_item(TableName=hash_table, Key=K("new3"), UpdateExpression="SET a = :a",
                        ExpressionAttributeValues={":a": N("1")}, ReturnValues="UPDATED_OLD")
    assert "Attributes" not in r
    assert get(ddb, hash_table, K("new3")) == {"pk": S("new3"), "a": N("1")}


U = "Invalid UpdateExpression: "
UPDATE_ERRORS = [
    ("SET n = n + nope", None, "The provided expression refers to an attribute that does not exist in the item"),
    ("SET n = nope - :a", {":a": N("1")},
     "The provided expression refers to an attribute that does not exist in the item"),
    ("SET a = :a, b = a", {":a": N("1")},
     "The provided expression refers to an attribute that does not exist in the item"),
    ("SET l = list_append(nope, :a)", {":a": {"L": []}},
     "The provided expression refers to an attribute that does not exist in the item"),
    ("SET l = list_append(l, :a)", {":a": S("x")},
     U + "Incorrect operand type for operator or function; operator or function: list_append, operand type: S"),
    ("SET l = list_append(s, :a)", {":a": {"L": []}}, "An operand in the update expression has an incorrect data type"),
    ("SET l = list_append(l)", None,
     U + "Incorrect number of operands for operator or function; operator or function: list_append, "
     "number of operands: 1"),
    ("SET z = if_not_exists(:a, n)", {":a": N("1")},
     U + "Operator or function requires a document path; operator or function: if_not_exists"),
    ("SET a = size(s)", None, U + "The function is not allowed in an update expression; function: size"),
    ("SET a = attribute_exists(s)", None,
     U + "The function is not allowed in an update expression; function: attribute_exists"),
    ("SET a = foo(s)", None, U + "Invalid function name; function: foo"),
    ("SET n = s + :a", {":a": N("1")}, "An operand in the update expression has an incorrect data type"),
    ("SET n = n - :a", {":a": {"NS": ["1"]}},
     U + "Incorrect operand type for operator or function; operator or function: -, operand type: NS"),
    ("SET n = n + :a - :a", {":a": N("1")}, U + 'Syntax error; token: "-", near: ":a - :a"'),
    ("SET a = :a + :b + :c", {":a": N("1"), ":b": N("1"), ":c": N("1")},
     U + 'Syntax error; token: "+", near: ":b + :c"'),
    ("SET a = :a * :b", {":a": N("1"), ":b": N("1")}, U + 'Syntax error; token: "*", near: ":a * :b"'),
    ("SET a = :a,", {":a": N("1")}, U + 'Syntax error; token: "<EOF>", near: ","'),
    ("SET a = :a REMOVE", {":a": N("1")}, U + 'Syntax error; token: "<EOF>", near: "REMOVE"'),
    ("UPDATE a = :a", {":a": N("1")}, U + 'Syntax error; token: "UPDATE", near: "UPDATE a"'),
    ("SET a :a", {":a": N("1")}, U + 'Syntax error; token: ":a", near: "a :a"'),
    ("ADD n n", None, U + 'Syntax error; token: "n", near: "n n"'),
    ("REMOVE n s", None, U + 'Syntax error; token: "s", near: "n s"'),
    ("SET n = :a, REMOVE s", {":a": N("1")}, U + 'Syntax error; token: "REMOVE", near: ", REMOVE s"'),
    ("SET l[01] = :a", {":a": N("1")}, U + 'Syntax error; token: "1", near: "01]"'),
    ("SET n = -:a", {":a": N("1")}, U + 'Syntax error; token: "-", near: "= -:a"'),
    ("SET n = :a - - :a", {":a": N("1")}, U + 'Syntax error; token: "-", near: "- - :a"'),
    ("SET n = if_not_exists(n, :a + :a)", {":a": N("1")}, U + 'Syntax error; token: "+", near: ":a + :a"'),
    ("SET n = list_append(:a, :a)", {":a": N("1")},
     U + "Incorrect operand type for operator or function; operator or function: list_append, operand type: N"),
    ("SET name = :a", {":a": S("x")}, U + "Attribute name is a reserved keyword; reserved keyword: name"),
    # each clause at most once
    ("SET a = :a SET b = :a", {":a": N("1")},
     U + 'The "SET" section can only be used once in an update expression;'),
    ("set n = :a REMOVE s Set m = :a", {":a": N("1")},
     U + 'The "SET" section can only be used once in an update expression;'),
    ("REMOVE a REMOVE b", None, U + 'The "REMOVE" section can only be used once in an update expression;'),
    ("ADD a :a ADD b :a", {":a": N("1")}, U + 'The "ADD" section can only be used once in an update expression;'),
    ("DELETE ss :a DELETE ns :b", {":a": {"SS": ["a"]}, ":b": {"NS": ["1"]}},
     U + 'The "DELETE" section can only be used once in an update expression;'),
    # overlapping and conflicting paths
    ("SET n = :a ADD n :a", {":a": N("1")},
     U + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
     "path one: [n], path two: [n]"),
    ("SET a = :a, a = :a", {":a": N("1")},
     U + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
     "path one: [a], path two: [a]"),
    ("SET #x1 = :a, #x2 = :a", {":a": N("1")},
     U + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
     "path one: [x], path two: [x]"),
    ("SET l[1] = :a, l[1][0] = :a", {":a": N("1")},
     U + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
     "path one: [l, [1]], path two: [l, [1], [0]]"),
    ("SET m.a = :a REMOVE m.a.b", {":a": N("1")},
     U + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
     "path one: [m, a], path two: [m, a, b]"),
    ("SET m.a.b = :a REMOVE m.a", {":a": N("1")},
     U + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
     "path one: [m, a, b], path two: [m, a]"),
    ("SET l[1] = :a REMOVE l[1]", {":a": N("1")},
     U + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
     "path one: [l, [1]], path two: [l, [1]]"),
    ("SET l[1] = :a, l.b = :a", {":a": N("1")},
     U + "Two document paths conflict with each other; must remove or rewrite one of these paths; "
     "path one: [l, [1]], path two: [l, b]"),
    ("SET m.a = :a, m[0] = :a", {":a": N("1")},
     U + "Two document paths conflict with each other; must remove or rewrite one of these paths; "
     "path one: [m, a], path two: [m, [0]]"),
    # paths that do not fit the item
    ("SET m.q.c = :a", {":a": S("x")}, "The document path provided in the update expression is invalid for update"),
    ("SET s.c = :a", {":a": S("x")}, "The document path provided in the update expression is invalid for update"),
    ("SET s[0] = :a", {":a": S("x")}, "The document path provided in the update expression is invalid for update"),
    ("SET m[0] = :a", {":a": S("x")}, "The document path provided in the update expression is invalid for update"),
    ("SET l.a = :a", {":a": S("x")}, "The document path provided in the update expression is invalid for update"),
    ("SET nope[0] = :a", {":a": S("x")},
     "The document path provided in the update expression is invalid for update"),
    ("SET nope.a = :a", {":a": S("x")}, "The document path provided in the update expression is invalid for update"),
    ("REMOVE m.q.b", None, "The document path provided in the update expression is invalid for update"),
    ("REMOVE s[0]", None, "The document path provided in the update expression is invalid for update"),
    ("REMOVE s.x", None, "The document path provided in the update expression is invalid for update"),
    ("SET " + ".".join(["m"] * 33) + " = :a", {":a": N("1")},
     U + "The document path has too many nesting levels; nesting levels: 33"),
    ("REMOVE l" + "[0]" * 32, None, U + "The document path has too many nesting levels; nesting levels: 33"),
    # ADD and DELETE operand types
    ("ADD ss :a", {":a": {"NS": ["1"]}}, "An operand in the update expression has an incorrect data type"),
    ("ADD n :a", {":a": {"SS": ["z"]}}, "An operand in the update expression has an incorrect data type"),
    ("ADD l[0] :a", {":a": N("2")}, "An operand in the update expression has an incorrect data type"),
    ("ADD s :a", {":a": S("z")},
     U + "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, "
     "typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("ADD q :a", {":a": {"L": []}},
     U + "Incorrect operand type for operator or function; operator: ADD, operand type: LIST, "
     "typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("ADD n :a, s :b", {":a": N("1"), ":b": S("x")},
     U + "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, "
     "typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("DELETE n :a", {":a": N("1")},
     U + "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, "
     "typeSet: ALLOWED_FOR_DELETE_OPERAND"),
    ("DELETE ss :a", {":a": {"NS": ["1"]}}, "An operand in the update expression has an incorrect data type"),
    ("DELETE s :a", {":a": {"SS": ["str"]}}, "An operand in the update expression has an incorrect data type"),
    ("DELETE m.a :a", {":a": {"SS": ["str"]}}, "An operand in the update expression has an incorrect data type"),
]


@pytest.mark.parametrize("expr,values,msg", UPDATE_ERRORS, ids=[f"{i}:{c[0][:40]}" for i, c in enumerate(UPDATE_ERRORS)])
def test_update_expression_errors(raw_ddb, hash_table, expr, values, msg):
    raw_ddb.put_item(TableName=hash_table, Item=UBASE)
    expect_error(raw_ddb.update_item, msg, TableName=hash_table, Key=K("u"), UpdateExpression=expr,
                 **opt(names=unames(expr), values=values))
    assert norm(get(raw_ddb, hash_table, K("u"))) == norm(UBASE)


@pytest.mark.parametrize(
    "expr,names,values",
    [
        ("SET pk = :a", None, {":a": S("x")}),
        ("REMOVE pk", None, None),
        ("DELETE pk :a", None, {":a": {"SS": ["x"]}}),
        ("SET #p = :a", {"#p": "pk"}, {":a": S("x")}),
        ("SET pk.a = :a", None, {":a": S("x")}),
        ("SET a = :a, pk = :b", None, {":a": S("x"), ":b": S("u")}),
    ],
)
def test_update_key_attribute_in_any_clause_rejected(raw_ddb, hash_table, expr, names, values):
    raw_ddb.put_item(TableName=hash_table, Item=UBASE)
    expect_error(raw_ddb.update_item,
                 "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key",
                 TableName=hash_table, Key=K("u"), UpdateExpression=expr, **opt(names, values))
    assert norm(get(raw_ddb, hash_table, K("u"))) == norm(UBASE)


def test_update_item_size_limit_after_update(raw_ddb, hash_table):
    raw_ddb.put_item(TableName=hash_table, Item={"pk": S("big"), "l": {"L": [S("x" * 200000)]}})
    # doubling the list stays under 400 KB
    raw_ddb.update_item(TableName=hash_table, Key=K("big"), UpdateExpression="SET l = list_append(l, l)")
    for expr, values in [
        ("ADD ss :v", {":v": {"SS": ["y" * 5000, "z" * 5000]}}),
        ("SET l[2] = :v", {":v": S("y" * 10000)}),
        ("SET l = list_append(l, l)", None),
    ]:
        expect_error(raw_ddb.update_item, "Item size to update has exceeded the maximum allowed size",
                     TableName=hash_table, Key=K("big"), UpdateExpression=expr, **opt(values=values))
    got = get(raw_ddb, hash_table, K("big"))
    assert sorted(got) == ["l", "pk"] and len(got["l"]["L"]) == 2
    # removing makes room again
    raw_ddb.update_item(TableName=hash_table, Key=K("big"), UpdateExpression="REMOVE l[0] SET s = :v",
                        ExpressionAttributeValues={":v": S("y" * 100000)})
    got = get(raw_ddb, hash_table, K("big"))
    assert len(got["l"]["L"]) == 1 and len(got["s"]["S"]) == 100000


# --------------------------------------------------------------------------- placeholders and limits


def test_unused_placeholders_rejected_everywhere(raw_ddb, range_table):
    t, key = range_table, {"pk": S("p"), "sk": S("s")}
    un = "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}"
    uv = "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"
    x_name, x_val = {"#x": "x"}, {":x": S("x")}
    expect_error(raw_ddb.get_item, un, TableName=t, Key=key, ProjectionExpression="a", ExpressionAttributeNames=x_name)
    expect_error(raw_ddb.scan, un, TableName=t, ProjectionExpression="a", ExpressionAttributeNames=x_name)
    expect_error(raw_ddb.scan, uv, TableName=t, FilterExpression="a = :a",
                 ExpressionAttributeValues=dict(x_val, **{":a": S("a")}))
    expect_error(raw_ddb.query, uv, TableName=t, KeyConditionExpression="pk = :p",
                 ExpressionAttributeValues=dict(x_val, **{":p": S("p")}))
    expect_error(raw_ddb.query, un, TableName=t, KeyConditionExpression="pk = :p", ExpressionAttributeNames=x_name,
                 ExpressionAttributeValues={":p": S("p")})
    expect_error(raw_ddb.delete_item, uv, TableName=t, Key=key, ConditionExpression="a = :a",
                 ExpressionAttributeValues=dict(x_val, **{":a": S("a")}))
    expect_error(raw_ddb.update_item, un, TableName=t, Key=key, UpdateExpression="REMOVE a",
                 ExpressionAttributeNames=x_name)
    # a placeholder used by any one of the request's expressions counts as used
    raw_ddb.update_item(TableName=t, Key=key, UpdateExpression="SET a = :a", ConditionExpression="attribute_not_exists(#x)",
                        ExpressionAttributeNames=x_name, ExpressionAttributeValues={":a": S("a")})
    raw_ddb.update_item(TableName=t, Key=key, UpdateExpression="REMOVE b", ConditionExpression="a = :a",
                        ExpressionAttributeValues={":a": S("a")})
    r = raw_ddb.query(TableName=t, KeyConditionExpression="#k = :p", FilterExpression="#a = :a",
                      ProjectionExpression="#a", ExpressionAttributeNames={"#k": "pk", "#a": "a"},
                      ExpressionAttributeValues={":p": S("p"), ":a": S("a")})
    assert r["Items"] == [{"a": S("a")}]


def test_undefined_placeholders_rejected_everywhere(raw_ddb, range_table):
    t, key = range_table, {"pk": S("p"), "sk": S("s")}
    dn = "An expression attribute name used in the document path is not defined; attribute name: #q"
    dv = "An expression attribute value used in expression is not defined; attribute value: :q"
    expect_error(raw_ddb.get_item, "Invalid ProjectionExpression: " + dn, TableName=t, Key=key,
                 ProjectionExpression="a.#q")
    expect_error(raw_ddb.scan, "Invalid FilterExpression: " + dn, TableName=t, FilterExpression="#q = :a",
                 ExpressionAttributeValues={":a": S("a")})
    expect_error(raw_ddb.scan, "Invalid FilterExpression: " + dv, TableName=t, FilterExpression="a = :q")
    expect_error(raw_ddb.query, "Invalid KeyConditionExpression: " + dv, TableName=t,
                 KeyConditionExpression="pk = :q")
    expect_error(raw_ddb.update_item, "Invalid UpdateExpression: " + dn, TableName=t, Key=key,
                 UpdateExpression="REMOVE a[0].#q")
    expect_error(raw_ddb.update_item, "Invalid UpdateExpression: " + dv, TableName=t, Key=key,
                 UpdateExpression="ADD a :q", ExpressionAttributeNames={"#q": "q"},
                 ConditionExpression="attribute_exists(#q)")
    expect_error(raw_ddb.delete_item, "Invalid ConditionExpression: " + dn, TableName=t, Key=key,
                 ConditionExpression="attribute_exists(#q)")
    expect_error(raw_ddb.scan, "Invalid FilterExpression: " + dn, TableName=t, FilterExpression="#q = :y")


def test_placeholder_maps_validated(raw_ddb, hash_table):
    t = hash_table
    base = dict(TableName=t, FilterExpression="#a = :a")
    cases = [
        (dict(ExpressionAttributeNames={"a": "n"}, FilterExpression="n = :a", ExpressionAttributeValues={":a": N("1")}),
         'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'),
        (dict(ExpressionAttributeNames={"#a": "n", "#": "x"}, ExpressionAttributeValues={":a": N("1")}),
         'ExpressionAttributeNames contains invalid key: Syntax error; key: "#"'),
        (dict(ExpressionAttributeNames={"#a-b": "n"}, FilterExpression="n = :a",
              ExpressionAttributeValues={":a": N("1")}),
         'ExpressionAttributeNames contains invalid key: Syntax error; key: "#a-b"'),
        (dict(ExpressionAttributeNames={"#a": "n"}, ExpressionAttributeValues={":a": N("1"), "b": N("1")}),
         'ExpressionAttributeValues contains invalid key: Syntax error; key: "b"'),
        (dict(ExpressionAttributeNames={"#a": "n"}, ExpressionAttributeValues={":a-b": N("1")},
              FilterExpression="#a = :a-b"),
         'ExpressionAttributeValues contains invalid key: Syntax error; key: ":a-b"'),
        (dict(ExpressionAttributeNames={"#a": ""}, ExpressionAttributeValues={":a": N("1")}),
         "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"),
        (dict(ExpressionAttributeNames={"#a": "x" * 65536}, ExpressionAttributeValues={":a": N("1")}),
         "ExpressionAttributeNames contains invalid value: Attribute name is too large, must be less than "
         "65536 bytes for key #a"),
        (dict(ExpressionAttributeNames={"#a": "n"}, ExpressionAttributeValues={":a": {}}),
         "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain "
         "exactly one of the supported datatypes for key :a"),
        (dict(ExpressionAttributeNames={"#a": "n"}, ExpressionAttributeValues={":a": {"NULL": False}}),
         "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: "
         "Null attribute value types must have the value of true for key :a"),
        (dict(ExpressionAttributeNames={}, ExpressionAttributeValues={":a": N("1")}, FilterExpression="n = :a"),
         "ExpressionAttributeNames must not be empty"),
        (dict(ExpressionAttributeValues={}, FilterExpression="attribute_exists(n)"),
         "ExpressionAttributeValues must not be empty"),
    ]
    for kw, msg in cases:
        expect_error(raw_ddb.scan, msg, **dict(base, **kw))
    # names of up to 65535 bytes, digits, and a value standing for ':' are fine
    raw_ddb.put_item(TableName=t, Item={"pk": S("k"), "n": N("1")})
    r = raw_ddb.scan(TableName=t, FilterExpression="#a = :a", ExpressionAttributeNames={"#a": "x" * 65535},
                     ExpressionAttributeValues={":a": N("1")})
    assert r["Count"] == 0
    r = raw_ddb.scan(TableName=t, FilterExpression="#1 = :_", ExpressionAttributeNames={"#1": "n"},
                     ExpressionAttributeValues={":_": N("1")})
    assert r["Count"] == 1
    r = raw_ddb.scan(TableName=t, FilterExpression="#0 = :1 AND #1 = :1",
                     ExpressionAttributeNames={"#0": "n", "#1": "n"}, ExpressionAttributeValues={":1": N("1")})
    assert r["Count"] == 1


def test_placeholders_without_expressions_rejected(raw_ddb, hash_table):
    t = hash_table
    names_msg = "ExpressionAttributeNames can only be specified when using expressions"
    expect_error(raw_ddb.get_item, names_msg, TableName=t, Key=K("a"), ExpressionAttributeNames={"#a": "n"})
    expect_error(raw_ddb.scan, names_msg, TableName=t, ExpressionAttributeNames={"#a": "n"})
    expect_error(raw_ddb.put_item, names_msg, TableName=t, Item=K("a"), ExpressionAttributeNames={"#a": "n"})
    expect_error(raw_ddb.put_item, "ExpressionAttributeValues can only be specified when using expressions: "
                 "ConditionExpression is null", TableName=t, Item=K("a"), ExpressionAttributeValues={":a": N("1")})
    expect_error(raw_ddb.update_item, "ExpressionAttributeValues can only be specified when using expressions: "
                 "UpdateExpression and ConditionExpression are null", TableName=t, Key=K("a"),
                 ExpressionAttributeValues={":a": N("1")})
    assert get(raw_ddb, t, K("a")) is None


RESERVED = ["name", "value", "VALUE", "status", "data", "comment", "timestamp", "date", "key", "type", "count",
            "year", "user", "items", "list", "map", "string", "number", "binary", "abort", "zone", "exists", "item"]


def test_reserved_words(raw_ddb, hash_table):
    raw_ddb.put_item(TableName=hash_table, Item={"pk": S("r"), "name": S("n"), "status": S("s")})
    for w in RESERVED:
        expect_error(raw_ddb.get_item, f"Invalid ProjectionExpression: Attribute name is a reserved keyword; "
                     f"reserved keyword: {w}", TableName=hash_table, Key=K("r"), ProjectionExpression=w)
    expect_error(raw_ddb.scan, "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: "
                 "Status", TableName=hash_table, FilterExpression="attribute_exists(m.Status)")
    expect_error(raw_ddb.update_item, "Invalid UpdateExpression: Attribute name is a reserved keyword; "
                 "reserved keyword: data", TableName=hash_table, Key=K("r"), UpdateExpression="REMOVE l[0].data")
    # not reserved: ordinary names, and function names used as attribute names
    for w in ["pk", "foo", "attr", "size", "contains", "Size"]:
        raw_ddb.get_item(TableName=hash_table, Key=K("r"), ProjectionExpression=w)
    # behind a placeholder any name works
    r = raw_ddb.update_item(TableName=hash_table, Key=K("r"), UpdateExpression="SET #n = :v REMOVE #s",
                            ConditionExpression="#n = :old", ExpressionAttributeNames={"#n": "name", "#s": "status"},
                            ExpressionAttributeValues={":v": S("new"), ":old": S("n")}, ReturnValues="ALL_NEW")
    assert r["Attributes"] == {"pk": S("r"), "name": S("new")}


def test_in_operand_limit(raw_ddb, hash_table):
    raw_ddb.put_item(TableName=hash_table, Item={"pk": S("i"), "n": N("99")})
    vals = {f":v{i}": N(str(i)) for i in range(101)}
    e100 = "n IN (" + ", ".join(f":v{i}" for i in range(100)) + ")"
    r = raw_ddb.scan(TableName=hash_table, FilterExpression=e100,
                     ExpressionAttributeValues={k: v for k, v in vals.items() if k != ":v100"})
    assert r["Count"] == 1
    e101 = "n IN (" + ", ".join(f":v{i}" for i in range(101)) + ")"
    expect_error(raw_ddb.scan, "Invalid FilterExpression: The IN operator is provided with too many operands; "
                 "number of operands: 101", TableName=hash_table, FilterExpression=e101, ExpressionAttributeValues=vals)
    expect_error(raw_ddb.delete_item, "Invalid ConditionExpression: The IN operator is provided with too many "
                 "operands; number of operands: 101", TableName=hash_table, Key=K("i"),
                 ConditionExpression=e101, ExpressionAttributeValues=vals)
    # the same value may repeat
    r = raw_ddb.scan(TableName=hash_table, FilterExpression="n IN (" + ",".join([":a"] * 100) + ")",
                     ExpressionAttributeValues={":a": N("99")})
    assert r["Count"] == 1


def test_operator_count_and_expression_size_limits(raw_ddb, hash_table):
    raw_ddb.put_item(TableName=hash_table, Item={"pk": S("o"), "n": N("1")})
    v = {":a": N("2")}
    # 150 comparisons joined by AND are 299 operators: fine; 151 are too many
    r = raw_ddb.scan(TableName=hash_table, FilterExpression=" AND ".join(["n <> :a"] * 150), ExpressionAttributeValues=v)
    assert r["Count"] == 1
    too_many = "The expression contains too many operators; operator count: 301"
    expect_error(raw_ddb.scan, "Invalid FilterExpression: " + too_many, TableName=hash_table,
                 FilterExpression=" AND ".join(["n <> :a"] * 151), ExpressionAttributeValues=v)
    r = raw_ddb.scan(TableName=hash_table, FilterExpression="NOT " * 299 + "n = :a", ExpressionAttributeValues=v)
    assert r["Count"] == 1
    expect_error(raw_ddb.scan, "Invalid FilterExpression: " + too_many, TableName=hash_table,
                 FilterExpression="NOT " * 300 + "n = :a", ExpressionAttributeValues=v)
    expect_error(raw_ddb.put_item, "Invalid ConditionExpression: " + too_many, TableName=hash_table,
                 Item=K("o"), ConditionExpression=" OR ".join(["n = :a"] * 151), ExpressionAttributeValues=v)
    # 4 KB of expression text
    r = raw_ddb.scan(TableName=hash_table, FilterExpression="n <> :a" + " " * (4096 - 7), ExpressionAttributeValues=v)
    assert r["Count"] == 1
    expect_error(raw_ddb.scan, "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; "
                 "expression size: 4097", TableName=hash_table, FilterExpression="n <> :a" + " " * (4097 - 7),
                 ExpressionAttributeValues=v)
    # (UpdateExpression's message leaves out the size)
    expect_error(raw_ddb.update_item, "Invalid UpdateExpression: Expression size has exceeded the maximum allowed "
                 "size;", TableName=hash_table, Key=K("o"),
                 UpdateExpression="SET n = :a" + " " * (4097 - 10), ExpressionAttributeValues=v)
    assert get(raw_ddb, hash_table, K("o")) == {"pk": S("o"), "n": N("1")}


# --------------------------------------------------------------------------- ReturnValues


def test_update_return_values_with_add_and_delete(ddb, hash_table):
    start = {"pk": S("rv"), "cnt": N("1"), "tags": {"SS": ["a", "b"]}, "keep": S("k"), "gone": S("g")}
    expr = "ADD cnt :one, fresh :one DELETE tags :a REMOVE gone, never"
    vals = {":one": N("1"), ":a": {"SS": ["a"]}}
    want = {
        "NONE": None,
        "ALL_OLD": start,
        "UPDATED_OLD": {"cnt": N("1"), "tags": {"SS": ["a", "b"]}, "gone": S("g")},
        "ALL_NEW": {"pk": S("rv"), "cnt": N("2"), "tags": {"SS": ["b"]}, "keep": S("k"), "fresh": N("1")},
        "UPDATED_NEW": {"cnt": N("2"), "tags": {"SS": ["b"]}, "fresh": N("1")},
    }
    for rv, expected in want.items():
        ddb.put_item(TableName=hash_table, Item=start)
        r = ddb.update_item(TableName=hash_table, Key=K("rv"), UpdateExpression=expr, ExpressionAttributeValues=vals,
                            ReturnValues=rv)
        assert norm(r.get("Attributes")) == norm(expected), rv
    # a REMOVE of the only updated attribute: UPDATED_NEW has nothing to return
    ddb.put_item(TableName=hash_table, Item=start)
    r = ddb.update_item(TableName=hash_table, Key=K("rv"), UpdateExpression="REMOVE gone", ReturnValues="UPDATED_NEW")
    assert "Attributes" not in r
    # setting an attribute to its current value still counts as an update
    r = ddb.update_item(TableName=hash_table, Key=K("rv"), UpdateExpression="SET keep = :k",
                        ExpressionAttributeValues={":k": S("k")}, ReturnValues="UPDATED_OLD")
    assert r["Attributes"] == {"keep": S("k")}
    # a failed condition returns nothing and changes nothing
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName=hash_table, Key=K("rv"), UpdateExpression="SET keep = :k",
                        ConditionExpression="attribute_not_exists(pk)", ExpressionAttributeValues={":k": S("x")},
                        ReturnValues="ALL_NEW")
    assert err(e) == CCF
    assert "Attributes" not in e.value.response


def test_put_and_delete_return_values_with_condition(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": S("pd"), "v": N("1")})
    r = ddb.put_item(TableName=hash_table, Item={"pk": S("pd"), "v": N("2")}, ConditionExpression="v = :one",
                     ExpressionAttributeValues={":one": N("1")}, ReturnValues="ALL_OLD")
    assert r["Attributes"] == {"pk": S("pd"), "v": N("1")}
    r = ddb.delete_item(TableName=hash_table, Key=K("pd"), ConditionExpression="v = :two",
                        ExpressionAttributeValues={":two": N("2")}, ReturnValues="ALL_OLD")
    assert r["Attributes"] == {"pk": S("pd"), "v": N("2")}
    r = ddb.delete_item(TableName=hash_table, Key=K("pd"), ReturnValues="NONE")
    assert "Attributes" not in r


@pytest.mark.aws_differs(
    "DynamoDB Local answers 'Return values set to invalid value'; AWS says 'ReturnValues can only be ALL_OLD or "
    "NONE' (dynalite test/putItem.js; ExtendDB tests verified against us-east-1)"
)
@pytest.mark.parametrize("op", ["put", "delete"])
@pytest.mark.parametrize("rv", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_put_delete_return_values_not_allowed(raw_ddb, hash_table, op, rv):
    raw_ddb.put_item(TableName=hash_table, Item={"pk": S("x"), "v": N("1")})
    if op == "put":
        fn, kw = raw_ddb.put_item, dict(Item={"pk": S("x"), "v": N("2")})
    else:
        fn, kw = raw_ddb.delete_item, dict(Key=K("x"))
    expect_error(fn, "ReturnValues can only be ALL_OLD or NONE", TableName=hash_table, ReturnValues=rv, **kw)
    assert get(raw_ddb, hash_table, K("x")) == {"pk": S("x"), "v": N("1")}


@pytest.mark.aws_differs(
    "DynamoDB Local returns whole top-level attributes; AWS returns only the updated nested paths, skips an "
    "element appended past the end and reports the shifted element after a list REMOVE "
    "(scylladb test/alternator/test_returnvalues.py::test_update_item_returnvalues_nested, run against AWS)"
)
def test_update_return_values_nested_paths(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": S("p"), "a": {"M": {"b": S("dog"), "c": {"L": [N("1"), N("2"), N("3")]}}},
                                             "d": S("cat")})

    def up(rv, expr, values=None):
        r = ddb.update_item(TableName=hash_table, Key=K("p"), UpdateExpression=expr, ReturnValues=rv,
                            **opt(values=values))
        return r.get("Attributes")

    def A(**m):
        return {"a": {"M": m}}

    assert up("UPDATED_OLD", "SET a.b = :v", {":v": S("hi")}) == A(b=S("dog"))
    assert up("UPDATED_OLD", "SET a.c[1] = :v", {":v": N("7")}) == A(c={"L": [N("2")]})
    assert up("UPDATED_OLD", "SET a.c[1] = :v, a.b = :w", {":v": N("8"), ":w": S("dog")}) == \
        A(b=S("hi"), c={"L": [N("7")]})
    assert up("UPDATED_NEW", "SET a.b = :v", {":v": S("hello")}) == A(b=S("hello"))
    assert up("UPDATED_NEW", "SET a.c[1] = :v", {":v": N("4")}) == A(c={"L": [N("4")]})
    assert up("UPDATED_NEW", "SET a.c[1] = :v, a.b = :w", {":v": N("3"), ":w": S("dog")}) == \
        A(b=S("dog"), c={"L": [N("3")]})
    assert up("UPDATED_OLD", "REMOVE a.c[1], a.c[3]") == A(c={"L": [N("3")]})
    assert up("UPDATED_OLD", "SET a.x1 = :v", {":v": N("8")}) is None
    assert up("UPDATED_NEW", "SET a.x2 = :v", {":v": N("8")}) == A(x2=N("8"))
    assert up("UPDATED_NEW", "SET a.c[100] = :v", {":v": N("70")}) is None
    assert up("UPDATED_NEW", "REMOVE a.c[1]") == A(c={"L": [N("70")]})
    assert up("UPDATED_NEW", "ADD a.n :v", {":v": N("1")}) == A(n=N("1"))
    assert up("ALL_NEW", "SET d = :v", {":v": S("x")}) == {
        "pk": S("p"), "d": S("x"),
        "a": {"M": {"b": S("dog"), "c": {"L": [N("1"), N("70")]}, "x1": N("8"), "x2": N("8"), "n": N("1")}},
    }


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "expr,values,want",
    [
        ("SET n = :a + :b", {":a": N("12345678901234567890123456789012345678"), ":b": N("1")},
         "12345678901234567890123456789012345679"),
        ("SET n = :a + :b", {":a": N("99999999999999999999999999999999999999"), ":b": N("1")},
         "100000000000000000000000000000000000000"),
        ("SET n = :a - :b", {":a": N("1"), ":b": N("0.00000000000000000000000000000000000001")},
         "0.99999999999999999999999999999999999999"),
        ("SET n = :a + :b", {":a": N("1E+2"), ":b": N("1E-35")}, "100.00000000000000000000000000000000001"),
        ("SET n = :a + :b", {":a": N("0.1"), ":b": N("0.2")}, "0.3"),
        ("SET n = :a - :b", {":a": N("0.3"), ":b": N("0.1")}, "0.2"),
        ("SET n = :a - :b", {":a": N("-5"), ":b": N("5")}, "-10"),
        ("SET n = :a - :b", {":a": N("1.5"), ":b": N("-2.25")}, "3.75"),
        ("SET n = :a + :b", {":a": N("-12345678901234567890.123456789012345678"),
                             ":b": N("12345678901234567890.123456789012345677")}, "-0.000000000000000001"),
        ("ADD n :a", {":a": N("99999999999999999999999999999999999990")}, "100000000000000000000000000000000000000"),
        ("ADD n :a", {":a": N("-10.5")}, "-0.5"),
        ("ADD n :a", {":a": N("0.00000000000000000000000000000000001")}, "10.00000000000000000000000000000000001"),
    ],
)
def test_number_arithmetic_is_exact(ddb, hash_table, expr, values, want):
    ddb.put_item(TableName=hash_table, Item={"pk": S("num"), "n": N("10")})
    r = ddb.update_item(TableName=hash_table, Key=K("num"), UpdateExpression=expr, ExpressionAttributeValues=values,
                        ReturnValues="UPDATED_NEW")
    assert r["Attributes"] == {"n": N(want)}
    assert get(ddb, hash_table, K("num"))["n"] == N(want)


def test_number_arithmetic_at_the_range_limits(ddb, hash_table):
    cases = [
        ("SET n = :a - :b", {":a": N("9.9999999999999999999999999999999999999E+125"), ":b": N("1E+125")},
         Decimal("8.9999999999999999999999999999999999999E+125")),
        ("SET n = :a + :b", {":a": N("1E-130"), ":b": N("1E-130")}, Decimal("2E-130")),
        ("SET n = :a - :b", {":a": N("-9.9999999999999999999999999999999999999E+125"), ":b": N("-1E+125")},
         Decimal("-8.9999999999999999999999999999999999999E+125")),
    ]
    for expr, values, want in cases:
        ddb.update_item(TableName=hash_table, Key=K("lim"), UpdateExpression=expr, ExpressionAttributeValues=values)
        assert Decimal(get(ddb, hash_table, K("lim"))["n"]["N"]) == want, expr


OVER = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDER = "Number underflow. Attempting to store a number with magnitude smaller than supported range"


@pytest.mark.parametrize(
    "start,expr,values,msg",
    [
        (None, "SET n = :a + :b", {":a": N("9E+125"), ":b": N("9E+125")}, OVER),
        (None, "SET n = :a - :b", {":a": N("-9E+125"), ":b": N("9E+125")}, OVER),
        (None, "SET n = :a - :b", {":a": N("2E-130"), ":b": N("1.5E-130")}, UNDER),
        ("9E+125", "ADD n :a", {":a": N("9E+125")}, OVER),
        ("9E+125", "SET n = n + :a", {":a": N("9E+125")}, OVER),
        ("2E-130", "ADD n :a", {":a": N("-1.5E-130")}, UNDER),
        (None, "SET n = :a", {":a": N("1E+126")},
         "ExpressionAttributeValues contains invalid value: " + OVER + " for key :a"),
        (None, "SET n = :a", {":a": N("-1E+126")},
         "ExpressionAttributeValues contains invalid value: " + OVER + " for key :a"),
        (None, "SET n = :a", {":a": N("1E-131")},
         "ExpressionAttributeValues contains invalid value: " + UNDER + " for key :a"),
        (None, "SET n = :a", {":a": N("-1E-131")},
         "ExpressionAttributeValues contains invalid value: " + UNDER + " for key :a"),
        (None, "SET n = :a", {":a": {"NS": ["1", "1E+126"]}},
         "ExpressionAttributeValues contains invalid value: " + OVER + " for key :a"),
    ],
)
def test_number_overflow_and_underflow(raw_ddb, hash_table, start, expr, values, msg):
    item = {"pk": S("ovf"), "keep": S("k")}
    if start:
        item["n"] = N(start)
    raw_ddb.put_item(TableName=hash_table, Item=item)
    expect_error(raw_ddb.update_item, msg, TableName=hash_table, Key=K("ovf"), UpdateExpression=expr,
                 ExpressionAttributeValues=values)
    assert Decimal(get(raw_ddb, hash_table, K("ovf")).get("n", N("0"))["N"]) == Decimal(start or "0")


@pytest.mark.aws_differs(
    "DynamoDB Local says 'DynamoDB only supports precision up to 38 digits'; AWS fails 1E+50 - 1 and 1E+50 + 1 "
    "with 'Number overflow. ...' (scylladb test/alternator/test_number.py::test_update_expression_plus_imprecise, "
    "whose comment records DynamoDB's message)"
)
@pytest.mark.parametrize("expr", ["SET n = :a - :b", "SET n = :a + :b"])
def test_number_arithmetic_beyond_38_digits_message(raw_ddb, hash_table, expr):
    raw_ddb.put_item(TableName=hash_table, Item={"pk": S("prec")})
    expect_error(raw_ddb.update_item, OVER, TableName=hash_table, Key=K("prec"), UpdateExpression=expr,
                 ExpressionAttributeValues={":a": N("1E+50"), ":b": N("1")})
    assert get(raw_ddb, hash_table, K("prec")) == {"pk": S("prec")}


@pytest.mark.parametrize(
    "start,expr,values",
    [
        ("7", "SET n = :a - :b", {":a": N("1E+50"), ":b": N("1")}),
        ("7", "SET n = :a + :b", {":a": N("99999999999999999999999999999999999999"), ":b": N("0.1")}),
        ("7", "SET n = :a + :b", {":a": N("1E+2"), ":b": N("1E-36")}),
        ("1E+50", "ADD n :a", {":a": N("1")}),
        ("1E+50", "ADD n :a", {":a": N("0.5")}),
        ("10", "SET n = n + :a", {":a": N("0.00000000000000000000000000000000000001")}),
        ("-1E+50", "SET n = n - :a", {":a": N("1")}),
    ],
)
def test_number_arithmetic_beyond_38_digits_fails(raw_ddb, hash_table, start, expr, values):
    """A result that needs more than 38 significant digits is an error, never rounded (the wording differs
    between AWS and DynamoDB Local, see above); the item stays as it was."""
    raw_ddb.put_item(TableName=hash_table, Item={"pk": S("prec"), "n": N(start)})
    with pytest.raises(ClientError) as e:
        raw_ddb.update_item(TableName=hash_table, Key=K("prec"), UpdateExpression=expr,
                            ExpressionAttributeValues=values)
    code, msg = err(e)
    assert code == "ValidationException"
    assert "38" in msg or "overflow" in msg, msg
    assert Decimal(get(raw_ddb, hash_table, K("prec"))["n"]["N"]) == Decimal(start)


@pytest.mark.aws_differs(
    "DynamoDB Local: 'DynamoDB only supports precision up to 38 digits' and 'A value provided cannot be converted "
    "into a number'; AWS: 'Attempting to store more than 38 significant digits in a Number' and 'The parameter "
    "cannot be converted to a numeric value: <text>' (dynalite test/scan.js, checked against AWS)"
)
@pytest.mark.parametrize(
    "value,msg",
    [
        ("123456789012345678901234567890123456789", "Attempting to store more than 38 significant digits in a Number"),
        ("-1.23456789012345678901234567890123456789",
         "Attempting to store more than 38 significant digits in a Number"),
        ("abc", "The parameter cannot be converted to a numeric value: abc"),
        ("", "The parameter cannot be converted to a numeric value"),
    ],
)
def test_invalid_number_values(raw_ddb, hash_table, value, msg):
    expect_error(raw_ddb.update_item, f"ExpressionAttributeValues contains invalid value: {msg} for key :a",
                 TableName=hash_table, Key=K("bad"), UpdateExpression="SET n = :a",
                 ExpressionAttributeValues={":a": N(value)})
    expect_error(raw_ddb.scan, f"ExpressionAttributeValues contains invalid value: {msg} for key :a",
                 TableName=hash_table, FilterExpression="n = :a", ExpressionAttributeValues={":a": N(value)})


@pytest.mark.aws_differs(
    "DynamoDB Local keeps the scale of an update's result ('0.000', 130 zeroes); AWS normalizes numbers, "
    "trimming leading and trailing zeroes (DynamoDB Developer Guide, Supported data types: Number)"
)
def test_number_results_are_normalized(ddb, hash_table):
    ddb.update_item(TableName=hash_table, Key=K("z"), UpdateExpression="SET a = :x - :y, b = :p - :p, c = :q",
                    ExpressionAttributeValues={":x": N("100"), ":y": N("100.000"), ":p": N("1E-130"),
                                               ":q": N("1.50E2")})
    assert get(ddb, hash_table, K("z")) == {"pk": S("z"), "a": N("0"), "b": N("0"), "c": N("150")}


# --------------------------------------------------------------------------- Scan


SCAN_N = 300


@pytest.fixture(scope="module")
def scan_table(mclient):
    t = _module_table(mclient)
    for i in range(SCAN_N):
        mclient.put_item(TableName=t, Item={"pk": S(f"k{i:03d}"), "n": N(str(i)), "odd": {"BOOL": i % 2 == 1},
                                            "m": {"M": {"i": N(str(i)), "pad": S("x" * 20)}}})
    yield t
    helpers.drop_table(mclient, t)


def scan_all(client, **kw):
    """(items, pages, ScannedCount summed) of a Scan followed to its end."""
    pages = helpers.pages(client.scan, max_pages=SCAN_N + 1, **kw)
    return [i for p in pages for i in p.get("Items", [])], len(pages), sum(p["ScannedCount"] for p in pages)


def test_scan_filter_projection_limit_pagination(mclient, scan_table):
    items, pages, scanned = scan_all(
        mclient, TableName=scan_table, FilterExpression="n < :x AND odd = :t", ProjectionExpression="pk, m.i",
        ExpressionAttributeValues={":x": N("50"), ":t": {"BOOL": True}}, Limit=40,
    )
    assert scanned == SCAN_N
    assert pages in (8, 9)  # 300 / 40 = 7.5 pages; a last empty page is allowed
    want = {f"k{i:03d}": {"pk": S(f"k{i:03d}"), "m": {"M": {"i": N(str(i))}}} for i in range(1, 50, 2)}
    assert len(items) == len(want)
    assert {i["pk"]["S"]: i for i in items} == want


def test_scan_limit_counts_items_read(mclient, scan_table):
    r = mclient.scan(TableName=scan_table, Limit=7, FilterExpression="n < :zero",
                     ExpressionAttributeValues={":zero": N("0")})
    assert (r["Count"], r["ScannedCount"], r["Items"]) == (0, 7, [])
    assert set(r["LastEvaluatedKey"]) == {"pk"}
    r = mclient.scan(TableName=scan_table, Limit=SCAN_N)
    assert r["Count"] == SCAN_N
    # ExclusiveStartKey picks up right after the page
    first = mclient.scan(TableName=scan_table, Limit=10)
    second = mclient.scan(TableName=scan_table, Limit=10, ExclusiveStartKey=first["LastEvaluatedKey"])
    both = mclient.scan(TableName=scan_table, Limit=20)
    assert first["Items"] + second["Items"] == both["Items"]


def test_scan_select(mclient, raw_ddb, scan_table):
    r = mclient.scan(TableName=scan_table, Select="COUNT", FilterExpression="n >= :x",
                     ExpressionAttributeValues={":x": N("290")})
    assert (r["Count"], r["ScannedCount"]) == (10, SCAN_N) and "Items" not in r
    items, _, _ = scan_all(mclient, TableName=scan_table, Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="#n",
                           ExpressionAttributeNames={"#n": "n"}, FilterExpression="m.i < :x",
                           ExpressionAttributeValues={":x": N("3")})
    assert sorted(i["n"]["N"] for i in items) == ["0", "1", "2"]
    assert all(set(i) == {"n"} for i in items)
    items, _, _ = scan_all(mclient, TableName=scan_table, Select="ALL_ATTRIBUTES", FilterExpression="n = :x",
                           ExpressionAttributeValues={":x": N("7")})
    assert items == [{"pk": S("k007"), "n": N("7"), "odd": {"BOOL": True}, "m": {"M": {"i": N("7"), "pad": S("x" * 20)}}}]
    # a filter on the key is allowed in Scan
    items, _, _ = scan_all(mclient, TableName=scan_table, FilterExpression="begins_with(pk, :p)",
                           ExpressionAttributeValues={":p": S("k29")}, ProjectionExpression="pk")
    assert sorted(i["pk"]["S"] for i in items) == [f"k29{d}" for d in range(10)]


@pytest.mark.parametrize("total", [1, 3, 7])
def test_parallel_scan_segments_partition_the_table(mclient, scan_table, total):
    seen = []
    for seg in range(total):
        items, _, _ = scan_all(mclient, TableName=scan_table, Segment=seg, TotalSegments=total, Limit=45,
                               ProjectionExpression="pk")
        keys = [i["pk"]["S"] for i in items]
        assert len(keys) == len(set(keys))
        seen.append(set(keys))
    for a in range(total):
        for b in range(a + 1, total):
            assert not seen[a] & seen[b], (a, b)
    assert set().union(*seen) == {f"k{i:03d}" for i in range(SCAN_N)}
    assert sum(len(s) for s in seen) == SCAN_N
    # a filter applies within each segment
    count = 0
    for seg in range(total):
        r = mclient.scan(TableName=scan_table, Segment=seg, TotalSegments=total, Select="COUNT",
                         FilterExpression="odd = :t", ExpressionAttributeValues={":t": {"BOOL": True}})
        count += r["Count"]
    assert count == SCAN_N // 2


def test_parallel_scan_limits(raw_ddb, hash_table):
    expect_error(raw_ddb.scan, "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy "
                 "constraint: Member must have value less than or equal to 1000000", TableName=hash_table,
                 Segment=0, TotalSegments=1000001)
    r = raw_ddb.scan(TableName=hash_table, Segment=999999, TotalSegments=1000000)
    assert r["Items"] == []


@pytest.mark.aws_differs(
    "DynamoDB Local words these differently ('If segment is specified, total segment must also be specified', "
    "a constraint message for Segment >= TotalSegments); the AWS texts are from dynalite test/scan.js"
)
def test_parallel_scan_segment_errors(raw_ddb, hash_table):
    expect_error(raw_ddb.scan, "The TotalSegments parameter is required but was not present in the request when "
                 "Segment parameter is present", TableName=hash_table, Segment=0)
    expect_error(raw_ddb.scan, "The Segment parameter is required but was not present in the request when "
                 "parameter TotalSegments is present", TableName=hash_table, TotalSegments=2)
    expect_error(raw_ddb.scan, "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                 "Segment: 2 is not less than TotalSegments: 2", TableName=hash_table, Segment=2, TotalSegments=2)


@pytest.mark.aws_differs("DynamoDB Local: 'Exclusive start key must lie within the segment'; AWS's words are "
                         "from dynalite test/scan.js and ScyllaDB's Alternator tests run against AWS")
def test_parallel_scan_start_key_of_another_segment(mclient, raw_ddb, scan_table):
    # a key from segment 1's first page continues segment 1, and is refused by segment 0
    page = mclient.scan(TableName=scan_table, Segment=1, TotalSegments=2, Limit=3)
    start = page["LastEvaluatedKey"]
    more = mclient.scan(TableName=scan_table, Segment=1, TotalSegments=2, ExclusiveStartKey=start, Limit=3)
    assert not {i["pk"]["S"] for i in more["Items"]} & {i["pk"]["S"] for i in page["Items"]}
    expect_error(raw_ddb.scan, "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
                 "ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 0",
                 TableName=scan_table, Segment=0, TotalSegments=2, ExclusiveStartKey=start)
    # without segments any start key works
    assert mclient.scan(TableName=scan_table, ExclusiveStartKey=start, Limit=1)["Count"] == 1
