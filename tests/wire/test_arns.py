"""A table's ARN accepted wherever a TableName is, as AWS allows since 2024.

Messages for bad names and ARNs were recorded from DynamoDB Local 2026-05-28, whose
front end follows AWS's current model (TableName is the TableArn shape, 1–1024 characters,
so name rules are checked by the service, not as Coral constraints). DynamoDB Local does not
resolve ARNs in TransactGetItems/TransactWriteItems (awslabs/amazon-dynamodb-local-samples
issue #34); AWS does.
"""
import pytest
from botocore.exceptions import ClientError

from helpers import err

INVALID_NAME = (
    "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, "
    "and may contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'"
)
INVALID_ARN = (
    "Valid ARN format is 'arn:<awsPartition>:<vendor>:<region>:<subscriber>:resourceType/resourceName', "
    "where Resource name must have length less than or equal to 255, Resource name must have length "
    "greater than or equal to 3, Resource name must satisfyregular expression pattern: [a-zA-Z0-9_.-]+"
)
LOCAL_NO_TRANSACT_ARNS = "DynamoDB Local does not resolve ARNs in transactions (amazon-dynamodb-local-samples #34)"


@pytest.fixture
def table_arn(ddb, hash_table):
    return ddb.describe_table(TableName=hash_table)["Table"]["TableArn"]


def test_item_operations_take_the_arn(ddb, hash_table, table_arn):
    ddb.put_item(TableName=table_arn, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    assert ddb.get_item(TableName=table_arn, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    ddb.update_item(TableName=table_arn, Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "2"}})
    assert ddb.get_item(TableName=hash_table, Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "2"}
    q = ddb.query(TableName=table_arn, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})
    assert q["Count"] == 1
    assert ddb.scan(TableName=table_arn)["Count"] == 1
    ddb.delete_item(TableName=table_arn, Key={"pk": {"S": "a"}})
    assert "Item" not in ddb.get_item(TableName=hash_table, Key={"pk": {"S": "a"}})


def test_table_operations_take_the_arn(ddb, hash_table, table_arn):
    assert ddb.describe_table(TableName=table_arn)["Table"]["TableName"] == hash_table
    updated = ddb.update_table(TableName=table_arn, BillingMode="PAY_PER_REQUEST")
    assert updated["TableDescription"]["TableName"] == hash_table
    assert ddb.describe_time_to_live(TableName=table_arn)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    assert ddb.delete_table(TableName=table_arn)["TableDescription"]["TableName"] == hash_table
    assert hash_table not in ddb.list_tables()["TableNames"]


def test_region_and_account_of_the_arn_are_not_checked(ddb, hash_table, table_arn):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "a"}})
    elsewhere = table_arn.replace(":000000000000:", ":123456789012:")
    elsewhere = ":".join(elsewhere.split(":")[:3] + ["eu-west-1"] + elsewhere.split(":")[4:])
    assert ddb.get_item(TableName=elsewhere, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}


def test_batches_take_the_arn_and_answer_with_the_name(ddb, hash_table, table_arn):
    ddb.batch_write_item(RequestItems={table_arn: [{"PutRequest": {"Item": {"pk": {"S": "b"}}}}]})
    got = ddb.batch_get_item(RequestItems={table_arn: {"Keys": [{"pk": {"S": "b"}}]}})
    assert got["Responses"] == {hash_table: [{"pk": {"S": "b"}}]}


@pytest.mark.aws_differs(LOCAL_NO_TRANSACT_ARNS)
def test_transactions_take_the_arn(ddb, hash_table, table_arn):
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table_arn, "Item": {"pk": {"S": "c"}}}}])
    got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table_arn, "Key": {"pk": {"S": "c"}}}}])
    assert got["Responses"] == [{"Item": {"pk": {"S": "c"}}}]


@pytest.mark.aws_differs(LOCAL_NO_TRANSACT_ARNS)
def test_one_item_named_by_name_and_by_arn_is_one_item(ddb, hash_table, table_arn):
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table_arn, "Item": {"pk": {"S": "d"}}}},
            {"Delete": {"TableName": hash_table, "Key": {"pk": {"S": "d"}}}},
        ])
    assert err(e) == ("ValidationException",
                      "Transaction request cannot include multiple operations on one item")


# A stream label has colons, so a stream ARN is not even an ARN of the table/<name> form.
@pytest.mark.parametrize("suffix,message", [("/index/byX", INVALID_NAME),
                                            ("/stream/2026-01-01T00:00:00.000", INVALID_ARN)])
def test_index_and_stream_arns_are_not_table_names(ddb, table_arn, suffix, message):
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table_arn + suffix, Key={"pk": {"S": "a"}})
    assert err(e) == ("ValidationException", message)


@pytest.mark.parametrize("arn", ["arn:aws:dynamodb:us-east-1", "arn:foo",
                                 "arn:aws:s3:us-east-1:000000000000:table/abc"])
def test_malformed_arns(ddb, arn):
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=arn, Key={"pk": {"S": "a"}})
    assert err(e) == ("ValidationException", INVALID_ARN)


@pytest.mark.aws_differs("DynamoDB Local: 'Invalid table/index name. ...'; AWS's front end checks the name's "
                         "constraints (the conformance suite's tier3 error-messages)")
@pytest.mark.parametrize("name,constraint", [
    ("a$b", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ("a" * 256, "Member must have length less than or equal to 255"),
    ("a" * 1025, "Member must have length less than or equal to 1024")])
def test_invalid_names(ddb, name, constraint):
    for call in (lambda: ddb.get_item(TableName=name, Key={"pk": {"S": "a"}}),
                 lambda: ddb.describe_table(TableName=name)):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e) == ("ValidationException", f"1 validation error detected: Value '{name}' at 'tableName' "
                                                  f"failed to satisfy constraint: {constraint}")


def test_arn_of_a_missing_table(ddb, table_arn):
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName=table_arn + "x", Key={"pk": {"S": "a"}})
    assert err(e)[0] == "ResourceNotFoundException"


@pytest.mark.aws_differs("DynamoDB Local refuses an ARN in CreateTable; AWS's API reference: 'You can also provide "
                         "the Amazon Resource Name (ARN) of the table in this parameter'")
def test_create_table_takes_an_arn(ddb, table_arn):
    d = ddb.create_table(TableName=table_arn + "2", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")["TableDescription"]
    name = table_arn.rsplit("/", 1)[1] + "2"
    assert d["TableName"] == name
    ddb.delete_table(TableName=name)
