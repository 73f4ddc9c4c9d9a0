"""An AWS CLI v2 session (/usr/bin/aws) against the endpoint."""
import json

import helpers


def test_cli_session(cli, ddb):
    name = helpers.unique_name("cli")
    try:
        r = cli(
            "dynamodb", "create-table",
            "--table-name", name,
            "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
            "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
            "--billing-mode", "PAY_PER_REQUEST",
        )
        assert r["TableDescription"]["TableName"] == name
        assert r["TableDescription"]["KeySchema"] == [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ]
        assert cli("dynamodb", "wait", "table-exists", "--table-name", name) is None

        d = cli("dynamodb", "describe-table", "--table-name", name)["Table"]
        assert d["TableStatus"] == "ACTIVE"
        assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert d["TableArn"].endswith(":table/" + name)

        assert name in cli("dynamodb", "list-tables")["TableNames"]

        for i in (1, 2, 3):
            item = {"pk": {"S": "user#1"}, "sk": {"N": str(i)}, "data": {"S": f"v{i}"}, "tags": {"SS": ["a", "b"]}}
            assert cli("dynamodb", "put-item", "--table-name", name, "--item", json.dumps(item)) is None

        g = cli("dynamodb", "get-item", "--table-name", name,
                "--key", json.dumps({"pk": {"S": "user#1"}, "sk": {"N": "2"}}), "--consistent-read")
        assert g["Item"]["data"] == {"S": "v2"}
        assert sorted(g["Item"]["tags"]["SS"]) == ["a", "b"]

        q = cli("dynamodb", "query", "--table-name", name,
                "--key-condition-expression", "pk = :p AND sk >= :s",
                "--expression-attribute-values", json.dumps({":p": {"S": "user#1"}, ":s": {"N": "2"}}),
                "--no-scan-index-forward")
        assert q["Count"] == 2
        assert [i["sk"]["N"] for i in q["Items"]] == ["3", "2"]

        # the CLI paginates on its own: --page-size 1 still returns everything
        q = cli("dynamodb", "query", "--table-name", name,
                "--key-condition-expression", "pk = :p",
                "--expression-attribute-values", json.dumps({":p": {"S": "user#1"}}),
                "--page-size", "1")
        assert [i["sk"]["N"] for i in q["Items"]] == ["1", "2", "3"]

        u = cli("dynamodb", "update-item", "--table-name", name,
                "--key", json.dumps({"pk": {"S": "user#1"}, "sk": {"N": "1"}}),
                "--update-expression", "SET #d = :d, n = if_not_exists(n, :zero) + :one",
                "--expression-attribute-names", json.dumps({"#d": "data"}),
                "--expression-attribute-values", json.dumps({":d": {"S": "changed"}, ":zero": {"N": "0"},
                                                             ":one": {"N": "1"}}),
                "--return-values", "ALL_NEW")
        assert u["Attributes"]["data"] == {"S": "changed"}
        assert u["Attributes"]["n"] == {"N": "1"}

        dl = cli("dynamodb", "delete-item", "--table-name", name,
                 "--key", json.dumps({"pk": {"S": "user#1"}, "sk": {"N": "3"}}), "--return-values", "ALL_OLD")
        assert dl["Attributes"]["data"] == {"S": "v3"}
        g = cli("dynamodb", "get-item", "--table-name", name,
                "--key", json.dumps({"pk": {"S": "user#1"}, "sk": {"N": "3"}}))
        assert g is None or "Item" not in g

        # a failing conditional write: non-zero exit and the error code on stderr
        rc, out, stderr = cli(
            "dynamodb", "put-item", "--table-name", name,
            "--item", json.dumps({"pk": {"S": "user#1"}, "sk": {"N": "1"}}),
            "--condition-expression", "attribute_not_exists(pk)", check=False,
        )
        assert rc != 0
        assert "ConditionalCheckFailedException" in stderr

        dt = cli("dynamodb", "delete-table", "--table-name", name)
        assert dt["TableDescription"]["TableName"] == name
        rc, out, stderr = cli("dynamodb", "describe-table", "--table-name", name, check=False)
        assert rc != 0 and "ResourceNotFoundException" in stderr
    finally:
        try:
            ddb.delete_table(TableName=name)
        except ddb.exceptions.ResourceNotFoundException:
            pass


def test_cli_scan(cli, ddb, make_table):
    name = make_table()
    for i in range(5):  # written with boto3: each CLI call costs a second
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "v": {"N": str(i)}})
    s = cli("dynamodb", "scan", "--table-name", name)
    assert s["Count"] == 5
    assert sorted(int(i["v"]["N"]) for i in s["Items"]) == [0, 1, 2, 3, 4]
    s = cli("dynamodb", "scan", "--table-name", name, "--select", "COUNT")
    assert s["Count"] == 5
