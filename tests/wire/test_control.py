"""Tags, time to live, DescribeLimits, DescribeEndpoints, and the CLI's table waiters.

DynamoDB Local has no tagging ("Tagging is not currently supported in DynamoDB Local.",
UnknownOperationException) and no DescribeEndpoints ("An unknown operation was requested."),
so those tests are aws_differs. Their messages come from AWS itself as quoted by others:
- "Invalid TableArn: Invalid ResourceArn provided as input <arn>" for an index ARN: scylladb
  test/alternator/test_tag.py (test_tag_lsi_gsi, captured from DynamoDB);
- "Requested resource not found: ResourcArn: <arn> not found" (AWS's spelling):
  turbot/steampipe-plugin-aws issue #1516, a real DynamoDB response;
- "Invalid TableArn" with no ResourceArn: dynalite's validation suite.
"""
import json

import pytest
from botocore.exceptions import ClientError

import helpers
from helpers import err

LOCAL_NO_TAGS = "DynamoDB Local answers UnknownOperationException: tagging is not supported"


def _arn(ddb, name):
    return ddb.describe_table(TableName=name)["Table"]["TableArn"]


def _tags(ddb, arn):
    return sorted((t["Key"], t["Value"]) for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"])


# ---- tags ---------------------------------------------------------------------------


@pytest.mark.aws_differs(LOCAL_NO_TAGS)
def test_tag_round_trip(ddb, hash_table):
    arn = _arn(ddb, hash_table)
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "empty", "Value": ""}])
    assert _tags(ddb, arn) == [("empty", ""), ("env", "prod")]
    # a key already present gets the new value
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"}])
    assert _tags(ddb, arn) == [("empty", ""), ("env", "test")]
    # removing an absent key is not an error
    ddb.untag_resource(ResourceArn=arn, TagKeys=["env", "absent"])
    assert _tags(ddb, arn) == [("empty", "")]


@pytest.mark.aws_differs(LOCAL_NO_TAGS)
def test_tags_die_with_the_table(ddb, make_table):
    name = make_table()
    arn = _arn(ddb, name)
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    ddb.delete_table(TableName=name)
    make_table(name=name)
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


@pytest.mark.aws_differs(LOCAL_NO_TAGS)
def test_tag_limits(ddb, raw_ddb, hash_table):
    arn = _arn(ddb, hash_table)
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k" * 128, "Value": "v" * 256}])
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
    assert len(_tags(ddb, arn)) == 50
    # re-tagging present keys stays within the limit; one more key does not
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k1", "Value": "w"}])
    with pytest.raises(ClientError) as e:
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "one-more", "Value": "v"}])
    assert err(e)[0] == "ValidationException"
    assert len(_tags(ddb, arn)) == 50
    for tag in ({"Key": "k" * 129, "Value": "v"}, {"Key": "", "Value": "v"}, {"Key": "k", "Value": "v" * 257}):
        with pytest.raises(ClientError) as e:
            raw_ddb.tag_resource(ResourceArn=arn, Tags=[tag])
        assert err(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        raw_ddb.tag_resource(ResourceArn=arn, Tags=[])
    assert err(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        raw_ddb.untag_resource(ResourceArn=arn, TagKeys=[])
    assert err(e)[0] == "ValidationException"


@pytest.mark.aws_differs(LOCAL_NO_TAGS)
def test_tag_errors(ddb, raw_ddb, hash_table):
    arn = _arn(ddb, hash_table)
    missing = arn + "-missing"
    for call in (
        lambda: ddb.list_tags_of_resource(ResourceArn=missing),
        lambda: ddb.tag_resource(ResourceArn=missing, Tags=[{"Key": "k", "Value": "v"}]),
        lambda: ddb.untag_resource(ResourceArn=missing, TagKeys=["k"]),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e) == ("ResourceNotFoundException", f"Requested resource not found: ResourcArn: {missing} not found")
    index_arn = arn + "/index/gsi"
    with pytest.raises(ClientError) as e:
        ddb.list_tags_of_resource(ResourceArn=index_arn)
    assert err(e) == ("ValidationException", f"Invalid TableArn: Invalid ResourceArn provided as input {index_arn}")
    with pytest.raises(ClientError) as e:
        raw_ddb.list_tags_of_resource()
    assert err(e) == ("ValidationException", "Invalid TableArn")


# ---- time to live -------------------------------------------------------------------


def _ttl_settles(ddb, table, moving, final):
    """Polls DescribeTimeToLive through the in-between state (AWS's ENABLING/DISABLING, which
    ddbd shows for a second and DynamoDB Local skips) to the final one."""
    def settled():
        d = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        if d["TimeToLiveStatus"] == final:
            return d
        assert d["TimeToLiveStatus"] == moving, d

    return helpers.wait_until(settled, timeout=10, what=f"TimeToLiveStatus {final}")


def test_ttl_enable_describe_disable(ddb, hash_table):
    d = ddb.describe_time_to_live(TableName=hash_table)["TimeToLiveDescription"]
    assert d == {"TimeToLiveStatus": "DISABLED"}
    r = ddb.update_time_to_live(TableName=hash_table,
                                TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert r["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    assert _ttl_settles(ddb, hash_table, "ENABLING", "ENABLED") == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    r = ddb.update_time_to_live(TableName=hash_table,
                                TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    assert r["TimeToLiveSpecification"] == {"Enabled": False, "AttributeName": "exp"}
    assert _ttl_settles(ddb, hash_table, "DISABLING", "DISABLED") == {"TimeToLiveStatus": "DISABLED"}


def _ttl_error(client, table, spec=None, **kw):
    args = dict(TableName=table, **kw)
    if spec is not None:
        args["TimeToLiveSpecification"] = spec
    with pytest.raises(ClientError) as e:
        client.update_time_to_live(**args)
    return err(e)


def test_ttl_state_errors(ddb, hash_table):
    v = "ValidationException"
    assert _ttl_error(ddb, hash_table, {"Enabled": False, "AttributeName": "exp"}) == (
        v, "TimeToLive is already disabled")
    ddb.update_time_to_live(TableName=hash_table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert _ttl_error(ddb, hash_table, {"Enabled": True, "AttributeName": "exp"}) == (
        v, "TimeToLive is already enabled")
    assert _ttl_error(ddb, hash_table, {"Enabled": True, "AttributeName": "other"}) == (
        v, "TimeToLive is active on a different AttributeName")
    assert _ttl_error(ddb, hash_table, {"Enabled": False, "AttributeName": "other"}) == (
        v, "TimeToLive is active on a different AttributeName")


def test_ttl_parameter_errors(raw_ddb, hash_table):
    v = "ValidationException"
    assert _ttl_error(raw_ddb, hash_table) == (v, "TimeToLiveSpecification cannot be null")
    msg = "AttributeName cannot be null when time to live is being enabled"
    assert _ttl_error(raw_ddb, hash_table, {"Enabled": True}) == (v, msg)
    assert _ttl_error(raw_ddb, hash_table, {"AttributeName": "x"}) == (v, msg)
    long_msg = ("Names of key attributes and attributes projected into an index must be between 1 and 255 "
                "characters, inclusive")
    assert _ttl_error(raw_ddb, hash_table, {"Enabled": True, "AttributeName": ""}) == (v, long_msg)
    assert _ttl_error(raw_ddb, hash_table, {"Enabled": True, "AttributeName": "a" * 256}) == (v, long_msg)


@pytest.mark.aws_differs(
    "DynamoDB Local: 'Cannot do operations on a non-existent table'; AWS: "
    "'Requested resource not found: Table: <name> not found'"
)
def test_ttl_missing_table(ddb):
    name = helpers.unique_name()
    nf = ("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found")
    assert _ttl_error(ddb, name, {"Enabled": True, "AttributeName": "x"}) == nf
    with pytest.raises(ClientError) as e:
        ddb.describe_time_to_live(TableName=name)
    assert err(e) == nf


@pytest.mark.aws_differs("DynamoDB Local gives only the constraint, without the '1 validation error detected: ' frame")
def test_ttl_missing_table_name(raw_ddb):
    with pytest.raises(ClientError) as e:
        raw_ddb.describe_time_to_live()
    assert err(e) == ("ValidationException",
                      "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
                      "Member must not be null")


# ---- account-level ---------------------------------------------------------------------


def test_describe_limits(ddb):
    r = ddb.describe_limits()
    r.pop("ResponseMetadata")
    assert r == {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
                 "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}


@pytest.mark.aws_differs("DynamoDB Local answers UnknownOperationException to DescribeEndpoints")
def test_describe_endpoints(ddb):
    eps = ddb.describe_endpoints()["Endpoints"]
    assert len(eps) == 1
    assert eps[0]["CachePeriodInMinutes"] == 1440
    assert eps[0]["Address"] == "dynamodb.us-east-1.amazonaws.com"


# ---- the CLI's waiters ------------------------------------------------------------------


def test_cli_wait_table_exists_and_not_exists(cli):
    name = helpers.unique_name("cliwait")
    try:
        cli("dynamodb", "create-table", "--table-name", name,
            "--attribute-definitions", "AttributeName=pk,AttributeType=S",
            "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
        assert cli("dynamodb", "wait", "table-exists", "--table-name", name) is None
        cli("dynamodb", "delete-table", "--table-name", name)
        assert cli("dynamodb", "wait", "table-not-exists", "--table-name", name) is None
    finally:
        cli("dynamodb", "delete-table", "--table-name", name, check=False)


# ---- CreateTable's Tags, TableClass, DeletionProtectionEnabled -------------------------

LOCAL_NO_TABLE_CLASS = "DynamoDB Local ignores TableClass (never shows TableClassSummary, accepts any value)"


@pytest.mark.aws_differs(LOCAL_NO_TAGS)
def test_create_table_with_tags(ddb, make_table):
    name = make_table(Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "a"},
                            {"Key": "env", "Value": "prod"}])
    assert _tags(ddb, _arn(ddb, name)) == [("env", "prod"), ("team", "a")]


@pytest.mark.aws_differs(LOCAL_NO_TAGS)
def test_create_table_with_too_many_tags(ddb, table_name):
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=table_name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST",
                         Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert err(e) == ("ValidationException",
                      "One or more parameter values were invalid: The number of tags exceeds the limit of 50")
    assert table_name not in ddb.list_tables()["TableNames"]


@pytest.mark.aws_differs(LOCAL_NO_TABLE_CLASS)
def test_table_class_is_described_and_updated(ddb, make_table):
    name = make_table(TableClass="STANDARD_INFREQUENT_ACCESS")
    assert ddb.describe_table(TableName=name)["Table"]["TableClassSummary"] == {
        "TableClass": "STANDARD_INFREQUENT_ACCESS"}
    out = ddb.update_table(TableName=name, TableClass="STANDARD")["TableDescription"]
    summary = out["TableClassSummary"]
    assert summary["TableClass"] == "STANDARD" and "LastUpdateDateTime" in summary
    assert ddb.describe_table(TableName=name)["Table"]["TableClassSummary"]["TableClass"] == "STANDARD"


def test_table_without_a_class_has_no_summary(ddb, hash_table):
    assert "TableClassSummary" not in ddb.describe_table(TableName=hash_table)["Table"]


@pytest.mark.aws_differs(LOCAL_NO_TABLE_CLASS)
def test_unknown_table_class(ddb, table_name):
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=table_name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST", TableClass="GLACIER")
    assert err(e) == ("ValidationException",
                       "1 validation error detected: Value 'GLACIER' at 'tableClass' failed to satisfy constraint: "
                       "Member must satisfy enum value set: [STANDARD_INFREQUENT_ACCESS, STANDARD]")



# Debian's botocore predates DeletionProtectionEnabled, so the request is sent raw.
def test_deletion_protection(ddb, endpoint, table_name):
    helpers.raw_call(endpoint, "CreateTable", {
        "TableName": table_name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST", "DeletionProtectionEnabled": True})
    helpers.wait_active(ddb, table_name)
    status, _, data = helpers.raw_request(endpoint, "DescribeTable", json.dumps({"TableName": table_name}))
    assert json.loads(data)["Table"]["DeletionProtectionEnabled"] is True
    with pytest.raises(ClientError) as e:
        ddb.delete_table(TableName=table_name)
    assert err(e) == ("ValidationException",
                      "Resource cannot be deleted as it is currently protected against deletion. "
                      "Disable deletion protection first.")
    out = helpers.raw_call(endpoint, "UpdateTable", {"TableName": table_name, "DeletionProtectionEnabled": False})
    assert out["TableDescription"]["DeletionProtectionEnabled"] is False
    ddb.delete_table(TableName=table_name)
    assert table_name not in ddb.list_tables()["TableNames"]
