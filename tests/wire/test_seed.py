"""--seed: tables and items created at start, before the port opens, from CreateTable JSON,
`aws dynamodb describe-table` output, BatchWriteItem requests, DynamoDB JSON lines (AWS's export
format) and plain JSON; idempotent on a persistent data dir; a bad file stops ddbd from starting
and seeds nothing; a reset seeds again."""
import gzip
import json

import pytest

import helpers
from helpers import N, S

pytestmark = pytest.mark.ddbd_only

KEY = "seedkey"
NS = f"{KEY}/eu-west-1"


def client(endpoint):
    return helpers.make_client(endpoint, access_key=KEY, region="eu-west-1")


USERS = {
    "TableName": "Users",
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
                             {"AttributeName": "email", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
    "GlobalSecondaryIndexes": [{"IndexName": "byEmail", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "ALL"}}],
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": True},
}


def write_folder(folder):
    folder.mkdir(exist_ok=True)
    (folder / "Users.table.json").write_text(json.dumps(USERS))
    (folder / "Users.items.jsonl").write_text(
        '{"Item":{"id":{"S":"u1"},"email":{"S":"a@example.com"},"tags":{"SS":["x","y"]},"blob":{"B":"AAE="}}}\n'
        "\n"
        '{"id":"u2","email":"b@example.com","age":42,"score":0.5,"admin":false,"nick":null,'
        '"langs":["c","sql"],"address":{"city":"Oslo"}}\n')
    # describe-table's output, as the AWS CLI prints it, with items in a gzipped JSON array
    described = {"Table": {
        "TableName": "Orders", "TableStatus": "ACTIVE", "ItemCount": 0, "TableSizeBytes": 0,
        "TableArn": "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders", "CreationDateTime": 1700000000.0,
        "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "customer", "AttributeType": "S"},
                                 {"AttributeName": "n", "AttributeType": "N"}],
        "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        "TableId": "0c0b1a2f-0000-0000-0000-000000000000"}}
    (folder / "Orders.json").write_text(json.dumps(described, indent=2))
    (folder / "Orders.items.json.gz").write_bytes(gzip.compress(json.dumps(
        [{"customer": "c1", "n": 1, "total": 9.99}, {"Item": {"customer": {"S": "c1"}, "n": {"N": "2"}}}]).encode()))
    # a BatchWriteItem request file (aws dynamodb batch-write-item --request-items file://...)
    (folder / "more-orders.json").write_text(json.dumps(
        {"Orders": [{"PutRequest": {"Item": {"customer": {"S": "c2"}, "n": {"N": "1"}}}}]}))
    (folder / "README.md").write_text("not read\n")
    return folder


def seeded_state(endpoint):
    c = client(endpoint)
    users = {i["id"]["S"]: i for i in helpers.scan_all(c, TableName="Users")}
    orders = sorted((i["customer"]["S"], i["n"]["N"]) for i in helpers.scan_all(c, TableName="Orders"))
    return c, users, orders


def test_seed_folder(start_ddbd, tmp_path):
    seeds = write_folder(tmp_path / "seeds")
    p = start_ddbd("--in-memory", "--seed", str(seeds), "--seed-namespace", NS)
    c, users, orders = seeded_state(p.endpoint)
    assert sorted(c.list_tables()["TableNames"]) == ["Orders", "Users"]
    assert users["u1"]["tags"] == {"SS": ["x", "y"]} and users["u1"]["blob"] == {"B": b"\x00\x01"}
    assert users["u2"] == {"id": S("u2"), "email": S("b@example.com"), "age": N(42), "score": N("0.5"),
                           "admin": {"BOOL": False}, "nick": {"NULL": True},
                           "langs": {"L": [S("c"), S("sql")]}, "address": {"M": {"city": S("Oslo")}}}
    assert orders == [("c1", "1"), ("c1", "2"), ("c2", "1")]
    # the whole definition: index, stream, TTL, billing
    d = c.describe_table(TableName="Users")["Table"]
    assert d["GlobalSecondaryIndexes"][0]["IndexName"] == "byEmail"
    assert d["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert c.describe_time_to_live(TableName="Users")["TimeToLiveDescription"]["AttributeName"] == "expires"
    by_email = c.query(TableName="Users", IndexName="byEmail", KeyConditionExpression="email = :e",
                       ExpressionAttributeValues={":e": S("b@example.com")})["Items"]
    assert [i["id"]["S"] for i in by_email] == ["u2"]
    assert c.describe_table(TableName="Orders")["Table"]["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    # seeded writes are writes: their stream records are there
    s = helpers.make_streams_client(p.endpoint, access_key=KEY, region="eu-west-1")
    assert len(helpers.read_all(s, d["LatestStreamArn"])) == 2
    # another namespace sees none of it
    assert helpers.make_client(p.endpoint).list_tables()["TableNames"] == []


def test_seed_files_repeatable_and_shared_db(start_ddbd, tmp_path):
    seeds = write_folder(tmp_path / "seeds")
    p = start_ddbd("--in-memory", "--shared-db", "--seed", str(seeds / "Users.table.json"),
                   "--seed", str(seeds / "Users.items.jsonl"))
    c = helpers.make_client(p.endpoint, access_key="whoever")
    assert c.list_tables()["TableNames"] == ["Users"]
    assert len(helpers.scan_all(c, TableName="Users")) == 2


def test_seeding_twice_changes_nothing(start_ddbd, tmp_path):
    seeds = write_folder(tmp_path / "seeds")
    data = str(tmp_path / "data")
    args = ("--data-dir", data, "--seed", str(seeds), "--seed-namespace", NS, "--log-level", "info")
    p = start_ddbd(*args)
    assert "--seed: 2 tables created (5 items), 0 already there" in p.log_text()
    c = client(p.endpoint)
    c.put_item(TableName="Users", Item={"id": S("u1"), "email": S("changed@example.com")})
    c.put_item(TableName="Users", Item={"id": S("u9"), "email": S("new@example.com")})
    c.delete_item(TableName="Orders", Key={"customer": S("c2"), "n": N(1)})
    before = seeded_state(p.endpoint)[1:]
    arn = c.describe_table(TableName="Users")["Table"]["LatestStreamArn"]
    s = helpers.make_streams_client(p.endpoint, access_key=KEY, region="eu-west-1")
    records = len(helpers.read_all(s, arn))
    p.terminate()
    p = start_ddbd(*args)
    assert seeded_state(p.endpoint)[1:] == before
    assert len(helpers.read_all(helpers.make_streams_client(p.endpoint, access_key=KEY, region="eu-west-1"),
                                arn)) == records
    assert "--seed: 0 tables created (0 items), 2 already there" in p.log_text()


def test_reset_seeds_again(start_ddbd, tmp_path):
    seeds = write_folder(tmp_path / "seeds")
    p = start_ddbd("--in-memory", "--seed", str(seeds), "--seed-namespace", NS)
    c = client(p.endpoint)
    c.put_item(TableName="Users", Item={"id": S("u1"), "email": S("changed@example.com")})
    helpers.create_table(c, "Scratch")
    other = helpers.make_client(p.endpoint)
    helpers.create_table(other, "Elsewhere")
    status, r = helpers.admin(p.endpoint, "/_ddbd/reset", {"namespace": NS})
    assert status == 200 and r["Tables"] == 3 and r["Seeded"] == {"Tables": 2, "Items": 5}, r
    _, users, orders = seeded_state(p.endpoint)
    assert users["u1"]["email"] == S("a@example.com") and len(orders) == 3
    assert sorted(c.list_tables()["TableNames"]) == ["Orders", "Users"]
    assert other.list_tables()["TableNames"] == ["Elsewhere"]
    # a reset of another namespace does not seed this one; "seed": false leaves it empty
    status, r = helpers.admin(p.endpoint, "/_ddbd/reset", {"namespace": f"{helpers.DEFAULT_ACCESS_KEY}/us-east-1"})
    assert status == 200 and "Seeded" not in r
    status, r = helpers.admin(p.endpoint, "/_ddbd/reset", {"seed": False})
    assert status == 200 and "Seeded" not in r and c.list_tables()["TableNames"] == []
    status, r = helpers.admin(p.endpoint, "/_ddbd/reset", method="POST")  # no body at all
    assert status == 200 and r["Seeded"]["Tables"] == 2


BAD = [
    # (files, words in the message, exit code)
    ({"T1.items.jsonl": '{"id":"a"}\n{"id": \n'}, "T1.items.jsonl:2: not JSON", 2),
    ({"T1.json": '{"TableName": 7}'}, "T1.json: TableName must be a non-empty string", 2),
    ({"T1.json": '{"Nope": {"x": 1}}'}, "T1.json: neither a table", 2),
    ({"notes.jsonl": '{}'}, "notes.jsonl: not a seed file", 2),
    ({"Ghost.items.jsonl": '{"id":"a"}\n'}, "items of table Ghost, which does not exist and no seed file defines", 1),
    # DynamoDB's own checks, with the operation and the place
    ({"Good.table.json": json.dumps({**USERS, "TableName": "Good"}),
      "Good.items.jsonl": '{"id":"ok","email":"e"}\n{"email":"missing-key"}\n'},
     "Good.items.jsonl:2: PutItem: ValidationException: One or more parameter values were invalid: "
     "Missing the key id in the item", 1),
    ({"Good.table.json": json.dumps({**USERS, "TableName": "Good"}), "Bad.table.json": json.dumps(
        {"TableName": "Bad", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
         "AttributeDefinitions": [], "BillingMode": "PAY_PER_REQUEST"})},
     "Bad.table.json: CreateTable: ValidationException:", 1),
    ({"Good.table.json": json.dumps({**USERS, "TableName": "Good"}),
      "Good.items.jsonl": '{"id":"x","email":{"S":""}}\n'}, "Good.items.jsonl:1: PutItem: ValidationException", 1),
]


@pytest.mark.parametrize("files,words,code", BAD, ids=[w.split(":")[0] + f"-{i}" for i, (_, w, _) in enumerate(BAD)])
def test_bad_seed_refuses_to_start_and_seeds_nothing(start_ddbd, tmp_path, files, words, code):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, text in files.items():
        (seeds / name).write_text(text)
    data = str(tmp_path / "data")
    r = helpers.run_ddbd(["--port", "0", "--data-dir", data, "--seed", str(seeds), "--seed-namespace", NS])
    assert r.returncode == code, (r.returncode, r.stderr)
    assert "--seed: " in r.stderr and words in r.stderr, r.stderr
    assert "listening" not in r.stdout
    # nothing half-seeded: the good table of the same folder is not there either
    p = start_ddbd("--data-dir", data)
    assert client(p.endpoint).list_tables()["TableNames"] == []


def test_seed_needs_a_namespace(tmp_path):
    seeds = write_folder(tmp_path / "seeds")
    r = helpers.run_ddbd(["--in-memory", "--seed", str(seeds)])
    assert r.returncode == 2 and "--seed needs --shared-db, or --seed-namespace ACCESSKEY/REGION" in r.stderr
    r = helpers.run_ddbd(["--in-memory", "--seed", str(seeds), "--seed-namespace", "justakey"])
    assert r.returncode == 2 and "--seed-namespace wants ACCESSKEY/REGION" in r.stderr
    r = helpers.run_ddbd(["--in-memory", "--shared-db", "--seed", str(tmp_path / "missing")])
    assert r.returncode == 2 and "missing: No such file or directory" in r.stderr


def test_describe_table_output_of_the_aws_cli_seeds_a_table(start_ddbd, tmp_path):
    """The workflow the README shows: describe a table with the AWS CLI, seed another ddbd with it."""
    first = start_ddbd("--in-memory")
    helpers.run_cli(first.endpoint, "dynamodb", "create-table", "--table-name", "Music",
                    "--attribute-definitions", "AttributeName=Artist,AttributeType=S",
                    "AttributeName=Song,AttributeType=S", "--key-schema", "AttributeName=Artist,KeyType=HASH",
                    "AttributeName=Song,KeyType=RANGE", "--billing-mode", "PAY_PER_REQUEST",
                    "--stream-specification", "StreamEnabled=true,StreamViewType=KEYS_ONLY")
    described = helpers.run_cli(first.endpoint, "dynamodb", "describe-table", "--table-name", "Music")
    (tmp_path / "Music.json").write_text(json.dumps(described))
    (tmp_path / "Music.items.jsonl").write_text('{"Artist":"A","Song":"S1"}\n')
    second = start_ddbd("--in-memory", "--shared-db", "--seed", str(tmp_path))
    again = helpers.run_cli(second.endpoint, "dynamodb", "describe-table", "--table-name", "Music")["Table"]
    assert again["KeySchema"] == described["Table"]["KeySchema"]
    assert again["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert again["ItemCount"] == 1
