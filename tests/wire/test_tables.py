"""CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable.

AWS message sources: messages marked aws_differs come from what real DynamoDB answers as recorded
by dynalite's validations (architect/dynalite validations/createTable.js, validations/index.js,
written and tested against live DynamoDB; moto agrees) and by public code quoting real AWS errors
('Table already exists: <name>', 'Requested resource not found: Table: <name> not found').
DeleteTable → DELETING and case-sensitive names: the DynamoDB API reference (DeleteTable) and the
developer guide's naming rules ("All names must be encoded using UTF-8, and are case-sensitive").
Table-name rule messages are not asserted: AWS now accepts ARNs in TableName and its text varies.
"""
import datetime
import re

import pytest
from botocore.exceptions import ClientError

import helpers
from helpers import err

S = "S"
HASH = [{"AttributeName": "pk", "KeyType": "HASH"}]
HASH_RANGE = HASH + [{"AttributeName": "sk", "KeyType": "RANGE"}]
AD_PK = [{"AttributeName": "pk", "AttributeType": "S"}]
AD_PK_SK = AD_PK + [{"AttributeName": "sk", "AttributeType": "N"}]
PPR = {"BillingMode": "PAY_PER_REQUEST"}


# --------------------------------------------------------------------------- CreateTable success


def test_create_hash_table_pay_per_request(ddb, table_name):
    r = ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    d = r["TableDescription"]
    assert d["TableName"] == table_name
    assert d["KeySchema"] == HASH
    assert d["AttributeDefinitions"] == AD_PK
    assert d["TableStatus"] in ("CREATING", "ACTIVE")
    assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert d["ItemCount"] == 0
    assert d["TableSizeBytes"] == 0
    assert isinstance(d["CreationDateTime"], datetime.datetime)
    t = helpers.wait_active(ddb, table_name)
    assert t["TableStatus"] == "ACTIVE"


def test_create_hash_range_table_provisioned(ddb, table_name):
    r = ddb.create_table(
        TableName=table_name,
        KeySchema=HASH_RANGE,
        AttributeDefinitions=AD_PK_SK,
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7},
    )
    d = r["TableDescription"]
    assert d["KeySchema"] == HASH_RANGE
    assert sorted(d["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == AD_PK_SK
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert d["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    assert d["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 0
    t = helpers.wait_active(ddb, table_name)
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    # BillingMode PROVISIONED stated explicitly is the same thing
    name2 = table_name + "-2"
    try:
        ddb.create_table(
            TableName=name2,
            KeySchema=HASH,
            AttributeDefinitions=AD_PK,
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        )
        t2 = helpers.wait_active(ddb, name2)
        assert t2["ProvisionedThroughput"]["ReadCapacityUnits"] == 1
    finally:
        ddb.delete_table(TableName=name2)


def test_create_with_binary_and_number_keys(ddb, table_name):
    ddb.create_table(
        TableName=table_name,
        KeySchema=HASH_RANGE,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "B"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        **PPR,
    )
    t = helpers.wait_active(ddb, table_name)
    types = {a["AttributeName"]: a["AttributeType"] for a in t["AttributeDefinitions"]}
    assert types == {"pk": "B", "sk": "N"}


def test_describe_table_full_shape(ddb, table_name):
    ddb.create_table(TableName=table_name, KeySchema=HASH_RANGE, AttributeDefinitions=AD_PK_SK, **PPR)
    t = helpers.wait_active(ddb, table_name)
    assert t["TableName"] == table_name
    assert t["TableStatus"] == "ACTIVE"
    assert t["TableArn"].endswith(":table/" + table_name)
    assert t["TableArn"].startswith("arn:aws:dynamodb:")
    assert isinstance(t["CreationDateTime"], datetime.datetime)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - t["CreationDateTime"]).total_seconds()) < 300
    assert t["ItemCount"] == 0
    assert t["TableSizeBytes"] == 0
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    pt = t["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"], pt["NumberOfDecreasesToday"]) == (0, 0, 0)
    assert t["KeySchema"] == HASH_RANGE
    assert sorted(t["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == AD_PK_SK


@pytest.mark.aws_differs("DynamoDB Local omits TableId; AWS DescribeTable returns a TableId (UUID) for every table")
def test_describe_table_has_table_id(ddb, table_name):
    ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    t = helpers.wait_active(ddb, table_name)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", t["TableId"])


@pytest.mark.aws_differs(
    "DynamoDB Local's ARN is arn:aws:dynamodb:ddblocal:000000000000:...; AWS uses the request's region "
    "and a 12-digit account id"
)
def test_table_arn_uses_region_and_account(ddb, table_name):
    ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    t = helpers.wait_active(ddb, table_name)
    assert re.fullmatch(r"arn:aws:dynamodb:us-east-1:\d{12}:table/" + re.escape(table_name), t["TableArn"])


def test_create_with_gsi_and_lsi_shown_in_describe(ddb, table_name):
    ddb.create_table(
        TableName=table_name,
        KeySchema=HASH_RANGE,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "g1", "AttributeType": "S"},
            {"AttributeName": "g2", "AttributeType": "N"},
            {"AttributeName": "l1", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "g1", "KeyType": "HASH"},
                    {"AttributeName": "g2", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "gsi2",
                "KeySchema": [{"AttributeName": "g2", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]},
            },
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi1",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l1", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        **PPR,
    )
    t = helpers.wait_active(ddb, table_name)
    gsis = {g["IndexName"]: g for g in t["GlobalSecondaryIndexes"]}
    assert set(gsis) == {"gsi1", "gsi2"}
    assert gsis["gsi1"]["KeySchema"] == [
        {"AttributeName": "g1", "KeyType": "HASH"},
        {"AttributeName": "g2", "KeyType": "RANGE"},
    ]
    assert gsis["gsi1"]["Projection"] == {"ProjectionType": "ALL"}
    assert gsis["gsi2"]["Projection"]["ProjectionType"] == "INCLUDE"
    assert sorted(gsis["gsi2"]["Projection"]["NonKeyAttributes"]) == ["a", "b"]
    for g in gsis.values():
        assert g["IndexStatus"] == "ACTIVE"
        assert g["IndexArn"].endswith(":table/%s/index/%s" % (table_name, g["IndexName"]))
        assert g["ItemCount"] == 0
        assert g["IndexSizeBytes"] == 0
    (lsi,) = t["LocalSecondaryIndexes"]
    assert lsi["IndexName"] == "lsi1"
    assert lsi["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "l1", "KeyType": "RANGE"},
    ]
    assert lsi["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert lsi["IndexArn"].endswith(":table/%s/index/lsi1" % table_name)
    assert len(t["AttributeDefinitions"]) == 5


def test_table_name_rules_accept_edges(ddb):
    # 3 and 255 characters, every allowed character class
    names = ["a" + helpers.unique_name("x")[-2:], "A_b.c-9" + helpers.unique_name()[:20]]
    names[0] = names[0][:3]
    long_name = ("L" + helpers.unique_name().replace("-", "_")) * 10
    names.append(long_name[:255])
    created = []
    try:
        for n in names:
            try:
                ddb.delete_table(TableName=n)  # a 3-char name may exist from an earlier run
            except ClientError:
                pass
            ddb.create_table(TableName=n, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
            created.append(n)
            assert helpers.wait_active(ddb, n)["TableName"] == n
    finally:
        for n in created:
            ddb.delete_table(TableName=n)


@pytest.mark.parametrize(
    "bad_name",
    ["ab", "x" * 256, "has space", "semi;colon", "slash/name", "ünï"],
    ids=["2-chars", "256-chars", "space", "semicolon", "slash", "non-ascii"],
)
def test_table_name_rules_reject(raw_ddb, bad_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=bad_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    assert err(e)[0] == "ValidationException"


# --------------------------------------------------------------------------- CreateTable errors


def test_create_duplicate_table(ddb, table_name):
    ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    assert err(e)[0] == "ResourceInUseException"


@pytest.mark.aws_differs("DynamoDB Local says 'Cannot create preexisting table'; AWS says 'Table already exists: <name>'")
def test_create_duplicate_table_message(ddb, table_name):
    ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    assert err(e) == ("ResourceInUseException", "Table already exists: " + table_name)


@pytest.mark.aws_differs("DynamoDB Local answers with its own 'No defined key schema...' text")
def test_create_missing_key_schema(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=table_name, AttributeDefinitions=AD_PK, **PPR)
    assert err(e) == (
        "ValidationException",
        "1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: "
        "Member must not be null",
    )


def test_create_missing_key_schema_is_validation_error(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=table_name, AttributeDefinitions=AD_PK, **PPR)
    assert err(e)[0] == "ValidationException"


@pytest.mark.aws_differs("DynamoDB Local: 'The number of attributes in key schema must match the number of ...'")
def test_create_unused_attribute_definition(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(
            TableName=table_name,
            KeySchema=HASH,
            AttributeDefinitions=AD_PK + [{"AttributeName": "extra", "AttributeType": "S"}],
            **PPR,
        )
    assert err(e) == (
        "ValidationException",
        "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match "
        "number of attributes defined in AttributeDefinitions",
    )


def test_create_validation_errors_are_validation_exceptions(raw_ddb, table_name):
    """Every malformed CreateTable is a ValidationException and creates nothing."""
    cases = [
        dict(KeySchema=HASH, AttributeDefinitions=AD_PK + [{"AttributeName": "x", "AttributeType": "S"}], **PPR),
        dict(KeySchema=HASH_RANGE, AttributeDefinitions=AD_PK, **PPR),
        dict(KeySchema=HASH_RANGE, AttributeDefinitions=AD_PK + [{"AttributeName": "x", "AttributeType": "S"}],
             **PPR),
        dict(KeySchema=[{"AttributeName": "pk", "KeyType": "RANGE"}], AttributeDefinitions=AD_PK, **PPR),
        dict(KeySchema=[], AttributeDefinitions=AD_PK, **PPR),
        dict(KeySchema=HASH + [{"AttributeName": "pk", "KeyType": "RANGE"}], AttributeDefinitions=AD_PK, **PPR),
        dict(KeySchema=HASH, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "BOOL"}], **PPR),
        dict(KeySchema=HASH, AttributeDefinitions=AD_PK),
        dict(KeySchema=HASH, AttributeDefinitions=AD_PK, BillingMode="PROVISIONED",
             ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}),
    ]
    for kw in cases:
        with pytest.raises(ClientError) as e:
            raw_ddb.create_table(TableName=table_name, **kw)
        assert err(e)[0] == "ValidationException", kw
    with pytest.raises(ClientError) as e:
        raw_ddb.describe_table(TableName=table_name)
    assert err(e)[0] == "ResourceNotFoundException"


@pytest.mark.aws_differs("DynamoDB Local: 'Range Key not specified in Attribute Definitions.  Type unknown.'")
def test_create_key_attribute_not_defined(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(
            TableName=table_name,
            KeySchema=HASH_RANGE,
            AttributeDefinitions=AD_PK + [{"AttributeName": "x", "AttributeType": "S"}],
            **PPR,
        )
    assert err(e) == (
        "ValidationException",
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [pk, sk], AttributeDefinitions: [pk, x]",
    )


@pytest.mark.aws_differs("DynamoDB Local: 'Range Key not specified in Attribute Definitions.  Type unknown.'")
def test_create_fewer_definitions_than_keys(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=table_name, KeySchema=HASH_RANGE, AttributeDefinitions=AD_PK, **PPR)
    assert err(e) == ("ValidationException", "Invalid KeySchema: Some index key attribute have no definition")


@pytest.mark.aws_differs("DynamoDB Local: 'No Hash Key specified in schema.  All Dynamo DB tables must have ...'")
def test_create_first_key_not_hash(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(
            TableName=table_name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "RANGE"}],
            AttributeDefinitions=AD_PK,
            **PPR,
        )
    assert err(e) == ("ValidationException", "Invalid KeySchema: The first KeySchemaElement is not a HASH key type")


@pytest.mark.aws_differs("DynamoDB Local: 'Two keys can not have the same name'")
def test_create_hash_and_range_same_name(raw_ddb, table_name):
    # two definitions, so the "fewer definitions than keys" check does not answer first
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(
            TableName=table_name,
            KeySchema=HASH + [{"AttributeName": "pk", "KeyType": "RANGE"}],
            AttributeDefinitions=AD_PK + [{"AttributeName": "x", "AttributeType": "S"}],
            **PPR,
        )
    assert err(e) == (
        "ValidationException",
        "Both the Hash Key and the Range Key element in the KeySchema have the same name",
    )


@pytest.mark.aws_differs("DynamoDB Local: 'No defined key schema...' for an empty KeySchema")
def test_create_empty_key_schema(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=table_name, KeySchema=[], AttributeDefinitions=AD_PK, **PPR)
    assert err(e) == (
        "ValidationException",
        "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )


def test_create_bool_key_type_rejected(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(
            TableName=table_name,
            KeySchema=HASH,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "BOOL"}],
            **PPR,
        )
    code, msg = err(e)
    assert code == "ValidationException"
    assert msg.endswith("Member must satisfy enum value set: [B, N, S]")


@pytest.mark.aws_differs("DynamoDB Local gives only the constraint, without the '1 validation error detected: ...' frame")
def test_create_bool_key_type_message(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(
            TableName=table_name,
            KeySchema=HASH,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "BOOL"}],
            **PPR,
        )
    assert err(e) == (
        "ValidationException",
        "1 validation error detected: Value 'BOOL' at 'attributeDefinitions.1.member.attributeType' "
        "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]",
    )


@pytest.mark.aws_differs("DynamoDB Local: 'No provisioned throughput specified for the table'")
def test_create_provisioned_without_throughput(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK)
    assert err(e) == (
        "ValidationException",
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be "
        "specified when BillingMode is PROVISIONED",
    )


@pytest.mark.aws_differs("DynamoDB Local accepts ProvisionedThroughput with PAY_PER_REQUEST; AWS rejects it")
def test_create_pay_per_request_with_throughput(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(
            TableName=table_name,
            KeySchema=HASH,
            AttributeDefinitions=AD_PK,
            BillingMode="PAY_PER_REQUEST",
            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        )
    assert err(e) == (
        "ValidationException",
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
        "specified when BillingMode is PAY_PER_REQUEST",
    )


@pytest.mark.aws_differs("DynamoDB Local: 'Table read and write throughput must be at least 1, and cannot be null'")
def test_create_zero_throughput(raw_ddb, table_name):
    with pytest.raises(ClientError) as e:
        raw_ddb.create_table(
            TableName=table_name,
            KeySchema=HASH,
            AttributeDefinitions=AD_PK,
            ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1},
        )
    assert err(e) == (
        "ValidationException",
        "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to "
        "satisfy constraint: Member must have value greater than or equal to 1",
    )


# --------------------------------------------------------------------------- DescribeTable / DeleteTable


def test_describe_missing_table(ddb):
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_table(TableName=helpers.unique_name("missing"))


@pytest.mark.aws_differs(
    "DynamoDB Local: 'Cannot do operations on a non-existent table'; AWS: "
    "'Requested resource not found: Table: <name> not found'"
)
def test_describe_missing_table_message(ddb):
    name = helpers.unique_name("missing")
    with pytest.raises(ClientError) as e:
        ddb.describe_table(TableName=name)
    assert err(e) == ("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found")


@pytest.mark.aws_differs(
    "DynamoDB Local: 'Cannot do operations on a non-existent table'; AWS: "
    "'Requested resource not found: Table: <name> not found'"
)
def test_delete_missing_table_message(ddb):
    name = helpers.unique_name("missing")
    with pytest.raises(ClientError) as e:
        ddb.delete_table(TableName=name)
    assert err(e) == ("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found")


def test_delete_table_returns_description_and_data_is_gone(ddb, table_name):
    ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    helpers.wait_active(ddb, table_name)
    for i in range(5):
        ddb.put_item(TableName=table_name, Item={"pk": {"S": f"k{i}"}, "v": {"N": str(i)}})
    r = ddb.delete_table(TableName=table_name)
    d = r["TableDescription"]
    assert d["TableName"] == table_name
    assert d["KeySchema"] == HASH
    assert d["TableArn"].endswith(":table/" + table_name)
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_table(TableName=table_name)
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.get_item(TableName=table_name, Key={"pk": {"S": "k1"}})
    assert table_name not in ddb.list_tables(ExclusiveStartTableName=table_name[:-1], Limit=100)["TableNames"]
    # recreate: a brand-new, empty table
    ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    helpers.wait_active(ddb, table_name)
    assert "Item" not in ddb.get_item(TableName=table_name, Key={"pk": {"S": "k1"}})
    s = ddb.scan(TableName=table_name)
    assert s["Count"] == 0 and s["Items"] == []


@pytest.mark.aws_differs("DynamoDB Local's DeleteTable answers TableStatus ACTIVE; AWS answers DELETING")
def test_delete_table_status_deleting(ddb, table_name):
    ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    helpers.wait_active(ddb, table_name)
    assert ddb.delete_table(TableName=table_name)["TableDescription"]["TableStatus"] == "DELETING"


def test_delete_twice(ddb, table_name):
    ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    helpers.wait_active(ddb, table_name)
    ddb.delete_table(TableName=table_name)
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.delete_table(TableName=table_name)


# --------------------------------------------------------------------------- ListTables


def test_list_tables_paging(client_factory, make_table):
    """A fresh access key has its own (empty) namespace, so the listing is exact."""
    c = client_factory(access_key=helpers.fresh_access_key())
    assert c.list_tables()["TableNames"] == []
    names = ["lt-" + x for x in ("e", "a", "d", "b", "c")]
    for n in names:
        make_table(client=c, name=n)
    want = sorted(names)
    r = c.list_tables()
    assert r["TableNames"] == want
    assert "LastEvaluatedTableName" not in r

    r1 = c.list_tables(Limit=2)
    assert r1["TableNames"] == want[:2]
    assert r1["LastEvaluatedTableName"] == want[1]
    r2 = c.list_tables(Limit=2, ExclusiveStartTableName=r1["LastEvaluatedTableName"])
    assert r2["TableNames"] == want[2:4]
    assert r2["LastEvaluatedTableName"] == want[3]
    r3 = c.list_tables(Limit=2, ExclusiveStartTableName=r2["LastEvaluatedTableName"])
    assert r3["TableNames"] == want[4:]
    assert "LastEvaluatedTableName" not in r3

    # walking with the paginator visits every table once
    seen = []
    for page in c.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 1}):
        seen.extend(page["TableNames"])
    assert seen == want

    # ExclusiveStartTableName need not exist: listing starts after it
    assert c.list_tables(ExclusiveStartTableName="lt-bb")["TableNames"] == ["lt-c", "lt-d", "lt-e"]
    assert c.list_tables(ExclusiveStartTableName="lt-e")["TableNames"] == []


def test_list_tables_sorted_mixed_case(client_factory, make_table):
    c = client_factory(access_key=helpers.fresh_access_key())
    names = ["Zed", "abc", "a.b", "a-b", "a_b", "a0b", "B9x"]
    for n in names:
        make_table(client=c, name=n)
    assert c.list_tables()["TableNames"] == sorted(names)  # byte order: '-' < '.' < '0' < 'A' < '_' < 'a'


@pytest.mark.aws_differs(
    "DynamoDB Local (SQLite) treats table names case-insensitively and fails CreateTable 'ABC' after 'abc' "
    "with InternalFailure; AWS table names are case-sensitive"
)
def test_table_names_are_case_sensitive(client_factory, make_table):
    c = client_factory(access_key=helpers.fresh_access_key())
    make_table(client=c, name="abc")
    make_table(client=c, name="ABC", range=("sk", "N"))
    assert c.list_tables()["TableNames"] == ["ABC", "abc"]
    assert len(c.describe_table(TableName="ABC")["Table"]["KeySchema"]) == 2
    assert len(c.describe_table(TableName="abc")["Table"]["KeySchema"]) == 1


@pytest.mark.parametrize("limit", [0, 101])
def test_list_tables_limit_bounds(raw_ddb, limit):
    with pytest.raises(ClientError) as e:
        raw_ddb.list_tables(Limit=limit)
    assert err(e)[0] == "ValidationException"


@pytest.mark.aws_differs("DynamoDB Local: 'Limit must be greater than or equal to 1' / 'Limit in ListTables must be <= 100'")
@pytest.mark.parametrize(
    "limit,constraint",
    [(0, "greater than or equal to 1"), (101, "less than or equal to 100")],
)
def test_list_tables_limit_messages(raw_ddb, limit, constraint):
    with pytest.raises(ClientError) as e:
        raw_ddb.list_tables(Limit=limit)
    assert err(e) == (
        "ValidationException",
        f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: "
        f"Member must have value {constraint}",
    )


# --------------------------------------------------------------------------- UpdateTable


def test_update_billing_mode_to_provisioned_and_back(ddb, table_name):
    ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    helpers.wait_active(ddb, table_name)
    r = ddb.update_table(
        TableName=table_name,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
    )
    assert r["TableDescription"]["TableName"] == table_name
    t = helpers.wait_active(ddb, table_name)
    assert t["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    ddb.update_table(TableName=table_name, BillingMode="PAY_PER_REQUEST")
    t = helpers.wait_active(ddb, table_name)
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 0


def test_update_throughput(ddb, table_name):
    ddb.create_table(
        TableName=table_name,
        KeySchema=HASH,
        AttributeDefinitions=AD_PK,
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    helpers.wait_active(ddb, table_name)
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "keep"}})
    ddb.update_table(TableName=table_name, ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 7})
    t = helpers.wait_active(ddb, table_name)
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 10
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    # the data survives an UpdateTable
    assert ddb.get_item(TableName=table_name, Key={"pk": {"S": "keep"}})["Item"] == {"pk": {"S": "keep"}}


def test_update_throughput_unchanged_rejected(ddb, table_name):
    ddb.create_table(
        TableName=table_name,
        KeySchema=HASH,
        AttributeDefinitions=AD_PK,
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    helpers.wait_active(ddb, table_name)
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=table_name, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    assert err(e)[0] == "ValidationException"


def test_update_table_nothing_to_update(raw_ddb, table_name):
    raw_ddb.create_table(TableName=table_name, KeySchema=HASH, AttributeDefinitions=AD_PK, **PPR)
    helpers.wait_active(raw_ddb, table_name)
    with pytest.raises(ClientError) as e:
        raw_ddb.update_table(TableName=table_name)
    assert err(e)[0] == "ValidationException"


def test_update_missing_table(ddb):
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.update_table(TableName=helpers.unique_name("missing"), BillingMode="PAY_PER_REQUEST")
