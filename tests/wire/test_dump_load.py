"""ddbd dump / ddbd load (a table or a namespace as DynamoDB JSON lines, AWS's export format), the
snapshot and reset commands on a stopped data dir, and /_ddbd/dump and /_ddbd/load on a running
one: round trips of every AttributeValue type, table definitions (indexes, stream, TTL, tags) and
bad input (a clear error, nothing lost)."""
import http.client
import json
import subprocess
from urllib.parse import urlparse

import pytest

import helpers
from helpers import N, S

pytestmark = pytest.mark.ddbd_only

KEY = "dumpkey"
NS = f"{KEY}/us-east-1"

EVERY_TYPE = {
    "pk": S("all-types"), "sk": N("1"),
    "s": S("héllo \"quoted\"\n"), "n": N("-12345678901234567890.123456789"), "b": {"B": b"\x00\xff\x10"},
    "bool": {"BOOL": True}, "null": {"NULL": True},
    "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"\x01", b"\x02"]},
    "l": {"L": [S("x"), N("1"), {"M": {"deep": {"L": [{"NULL": True}]}}}]},
    "m": {"M": {"a": S("b"), "e": {"M": {}}, "empty_list": {"L": []}}},
}


def ddbd(*args, check=True):
    r = helpers.run_ddbd(list(args), timeout=60)
    if check:
        assert r.returncode == 0, (args, r.returncode, r.stderr)
    return r


def make_store(p):
    """A namespace with two tables: every type, a GSI, an LSI, a stream, TTL, tags."""
    c = helpers.make_client(p.endpoint, access_key=KEY)
    helpers.create_table(c, "Everything", hash=("pk", "S"), range=("sk", "N"), stream="NEW_AND_OLD_IMAGES",
                         extra_attrs={"s": "S"},
                         GlobalSecondaryIndexes=[{"IndexName": "byS",
                                                  "KeySchema": [{"AttributeName": "s", "KeyType": "HASH"}],
                                                  "Projection": {"ProjectionType": "INCLUDE",
                                                                 "NonKeyAttributes": ["n"]}}],
                         LocalSecondaryIndexes=[{"IndexName": "byS2",
                                                 "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                               {"AttributeName": "s", "KeyType": "RANGE"}],
                                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                         Tags=[{"Key": "team", "Value": "core"}])
    c.update_time_to_live(TableName="Everything", TimeToLiveSpecification={"AttributeName": "ttl", "Enabled": True})
    c.put_item(TableName="Everything", Item=EVERY_TYPE)
    for i in range(2, 60):
        c.put_item(TableName="Everything", Item={"pk": S(f"p{i % 7}"), "sk": N(i), "s": S(f"v{i}"),
                                                 "ttl": N(4000000000 + i)})
    helpers.create_table(c, "Plain", ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
                         BillingMode="PROVISIONED")
    c.put_item(TableName="Plain", Item={"pk": S("only")})
    return c


def snapshot_of(c):
    """What a round trip must keep: items, and each table's definition."""
    out = {}
    for t in sorted(c.list_tables()["TableNames"]):
        d = c.describe_table(TableName=t)["Table"]
        items = sorted((json.dumps(i, sort_keys=True, default=repr) for i in helpers.scan_all(c, TableName=t)))
        gsis = [(g["IndexName"], g["KeySchema"], g["Projection"]) for g in d.get("GlobalSecondaryIndexes", [])]
        lsis = [(g["IndexName"], g["KeySchema"], g["Projection"]) for g in d.get("LocalSecondaryIndexes", [])]
        tags = c.list_tags_of_resource(ResourceArn=d["TableArn"]).get("Tags", [])
        ttl = c.describe_time_to_live(TableName=t)["TimeToLiveDescription"].get("AttributeName")
        out[t] = (items, d["KeySchema"], sorted(map(json.dumps, d["AttributeDefinitions"])), gsis, lsis,
                  d.get("StreamSpecification"), d.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"),
                  d["ProvisionedThroughput"]["ReadCapacityUnits"], tags, ttl)
    return out


def test_dump_and_load_round_trip(start_ddbd, tmp_path):
    src, dst, out = str(tmp_path / "src"), str(tmp_path / "dst"), tmp_path / "out"
    p = start_ddbd("--data-dir", src)
    want = snapshot_of(make_store(p))
    p.terminate()

    r = ddbd("dump", "--data-dir", src, "--namespace", NS, "--out", str(out))
    assert "dumped 2 tables (60 items)" in r.stderr
    assert sorted(f.name for f in out.iterdir()) == ["Everything.items.jsonl", "Everything.table.json",
                                                     "Plain.items.jsonl", "Plain.table.json"]
    lines = (out / "Everything.items.jsonl").read_text().splitlines()
    assert len(lines) == 59 and all(set(json.loads(line)) == {"Item"} for line in lines)
    table_file = json.loads((out / "Everything.table.json").read_text())
    assert table_file["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert table_file["Tags"] == [{"Key": "team", "Value": "core"}]

    r = ddbd("load", "--data-dir", dst, "--namespace", NS, str(out))
    assert json.loads(r.stdout) == {"Namespace": NS, "TablesCreated": 2, "Items": 60}
    p = start_ddbd("--data-dir", dst)
    assert snapshot_of(helpers.make_client(p.endpoint, access_key=KEY)) == want
    p.terminate()

    # the same folder seeds a server too
    q = start_ddbd("--in-memory", "--seed", str(out), "--seed-namespace", NS)
    assert snapshot_of(helpers.make_client(q.endpoint, access_key=KEY)) == want


def test_dump_one_table_and_load_it_into_another(start_ddbd, tmp_path):
    data = str(tmp_path / "data")
    p = start_ddbd("--data-dir", data)
    c = make_store(p)
    helpers.create_table(c, "Copy", hash=("pk", "S"), range=("sk", "N"))
    p.terminate()
    r = ddbd("dump", "--data-dir", data, "--namespace", NS, "--table", "Everything")
    lines = r.stdout.splitlines()
    assert len(lines) == 59
    assert any(json.loads(line)["Item"]["pk"] == {"S": "all-types"} for line in lines)
    items = tmp_path / "export-0001.json"
    items.write_text(r.stdout)
    r = ddbd("load", "--data-dir", data, "--namespace", NS, "--table", "Copy", str(items))
    assert json.loads(r.stdout)["Items"] == 59
    ddbd("dump", "--data-dir", data, "--namespace", NS, "--table", "Copy", "--out", str(tmp_path / "copy.jsonl"))
    assert sorted((tmp_path / "copy.jsonl").read_text().splitlines()) == sorted(lines)


def test_bad_load_changes_nothing(start_ddbd, tmp_path):
    data = str(tmp_path / "data")
    p = start_ddbd("--data-dir", data)
    c = make_store(p)
    p.terminate()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "Plain.items.jsonl").write_text('{"pk":"new-1"}\n{"pk":"new-2"}\n{"nokey":"x"}\n')
    r = ddbd("load", "--data-dir", data, "--namespace", NS, str(bad), check=False)
    assert r.returncode == 1
    assert "Plain.items.jsonl:3: PutItem: ValidationException: One or more parameter values were invalid: " \
           "Missing the key pk in the item (nothing was loaded)" in r.stderr
    (bad / "Plain.items.jsonl").write_text('{"pk":"new-1"}\n{"pk":\n')
    r = ddbd("load", "--data-dir", data, "--namespace", NS, str(bad), check=False)
    assert r.returncode == 1 and "Plain.items.jsonl:2: not JSON" in r.stderr
    for args, words in [(["load", "--data-dir", data, str(bad)], "--namespace"),
                        (["load", "--data-dir", data, "--namespace", "nope", str(bad)], "ACCESSKEY/REGION"),
                        (["dump", "--data-dir", data, "--shared-db"], "give --out DIR"),
                        (["dump", "--data-dir", data, "--namespace", NS, "--shared-db", "--out", "x"], "not both"),
                        (["load", "--data-dir", data, "--shared-db", "--bogus"], "bad option")]:
        r = ddbd(*args, check=False)
        assert r.returncode == 2 and words in r.stderr, (args, r.stderr)
    r = ddbd("dump", "--data-dir", data, "--namespace", NS, "--table", "Missing", check=False)
    assert r.returncode == 1 and "no table Missing in namespace" in r.stderr
    r = ddbd("dump", "--data-dir", str(tmp_path / "typo"), "--namespace", NS, "--out", str(tmp_path / "o"),
             check=False)
    assert r.returncode == 1 and "No such file or directory" in r.stderr
    p = start_ddbd("--data-dir", data)
    assert [i["pk"]["S"] for i in helpers.scan_all(helpers.make_client(p.endpoint, access_key=KEY),
                                                   TableName="Plain")] == ["only"]


def test_snapshot_and_reset_commands_on_a_stopped_data_dir(start_ddbd, tmp_path):
    data = str(tmp_path / "data")
    p = start_ddbd("--data-dir", data)
    c = make_store(p)
    # a running ddbd holds the data dir: the commands that change it are refused
    r = ddbd("snapshot", "save", "--data-dir", data, "base", check=False)
    assert r.returncode == 1 and "is in use by a running ddbd" in r.stderr
    r = ddbd("reset", "--data-dir", data, check=False)
    assert r.returncode == 1 and "is in use by a running ddbd" in r.stderr
    # dump only reads: it works beside the server
    assert len(ddbd("dump", "--data-dir", data, "--namespace", NS, "--table", "Plain").stdout.splitlines()) == 1
    p.terminate()

    saved = json.loads(ddbd("snapshot", "save", "--data-dir", data, "base").stdout)
    assert (saved["Name"], saved["Tables"], saved["Items"]) == ("base", 2, 60)
    r = ddbd("snapshot", "save", "--data-dir", data, "base", check=False)
    assert r.returncode == 1 and "a snapshot named base exists (--replace overwrites it)" in r.stderr
    ddbd("snapshot", "save", "--data-dir", data, "--namespace", NS, "--replace", "mine")
    listed = json.loads(ddbd("snapshot", "list", "--data-dir", data).stdout)["Snapshots"]
    assert [(s["Name"], s["Namespace"]) for s in listed] == [("base", None), ("mine", NS)]
    reset = json.loads(ddbd("reset", "--data-dir", data, "--namespace", NS).stdout)
    assert (reset["Tables"], reset["Items"]) == (2, 60)
    p = start_ddbd("--data-dir", data)
    assert helpers.make_client(p.endpoint, access_key=KEY).list_tables()["TableNames"] == []
    p.terminate()
    restored = json.loads(ddbd("snapshot", "restore", "--data-dir", data, "base").stdout)
    assert (restored["Name"], restored["Tables"], restored["Items"]) == ("base", 2, 60)
    assert json.loads(ddbd("snapshot", "delete", "--data-dir", data, "mine").stdout) == {"Deleted": "mine"}
    for args, code, words in [(["snapshot", "restore", "--data-dir", data, "mine"], 1, "no snapshot named mine"),
                              (["snapshot", "delete", "--data-dir", data, "mine"], 1, "no snapshot named mine"),
                              (["snapshot", "save", "--data-dir", data, "a/b"], 2, "give one snapshot NAME"),
                              (["snapshot", "save", "--data-dir", data], 2, "give one snapshot NAME"),
                              (["snapshot", "list", "--data-dir", data, "extra"], 2, "no NAME here"),
                              (["snapshot", "restore", "--data-dir", data, "--replace", "base"], 2, "does not take"),
                              (["snapshot", "frobnicate"], 2, "snapshot wants save, restore, list or delete"),
                              (["reset", "--data-dir", data, "--table", "x"], 2, "reset takes")]:
        r = ddbd(*args, check=False)
        assert r.returncode == code and words in r.stderr, (args, r.returncode, r.stderr)
    p = start_ddbd("--data-dir", data)
    c = helpers.make_client(p.endpoint, access_key=KEY)
    assert sorted(c.list_tables()["TableNames"]) == ["Everything", "Plain"]
    assert c.get_item(TableName="Everything", Key={"pk": S("all-types"), "sk": N(1)})["Item"] == EVERY_TYPE


# ---- on a running ddbd --------------------------------------------------------------------------


def raw(endpoint, method, path, body=b""):
    u = urlparse(endpoint)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        c.request(method, path, body=body)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def test_admin_dump_and_load(start_ddbd):
    e = start_ddbd("--in-memory").endpoint
    c = helpers.make_client(e, access_key=KEY)
    definition = {"TableName": "Loaded", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                  "BillingMode": "PAY_PER_REQUEST", "Items": [{"pk": "a", "n": 1}]}
    status, doc = helpers.admin(e, f"/_ddbd/load?namespace={KEY}%2Fus-east-1", definition)
    assert status == 200 and doc["TablesCreated"] == 1 and doc["Items"] == 1, doc
    lines = '{"Item":{"pk":{"S":"b"},"bin":{"B":"AQI="}}}\n{"pk":"c"}\n'
    status, doc = helpers.admin(e, f"/_ddbd/load?namespace={NS}&table=Loaded", lines)
    assert status == 200 and doc == {"Namespace": NS, "TablesCreated": 0, "Items": 2, "ElapsedMs": doc["ElapsedMs"]}
    status, body = raw(e, "GET", f"/_ddbd/dump?namespace={NS}&table=Loaded")
    got = sorted(json.loads(line)["Item"]["pk"]["S"] for line in body.decode().splitlines())
    assert status == 200 and got == ["a", "b", "c"]
    assert c.get_item(TableName="Loaded", Key={"pk": S("b")})["Item"]["bin"] == {"B": b"\x01\x02"}
    # bad input: refused whole, nothing written
    for path, body, words in [
            (f"/_ddbd/load?namespace={NS}&table=Loaded", '{"pk":"d"}\n{"pk":5}\n',
             "body:2: PutItem: ValidationException"),
            (f"/_ddbd/load?namespace={NS}&table=Loaded", '{"pk":"d"}\n{oops\n', "body:2: not JSON"),
            (f"/_ddbd/load?namespace={NS}", '{"Nothing": 1}', "body.json: neither a table"),
            ("/_ddbd/load?table=Loaded", '{"pk":"d"}', "give namespace=ACCESSKEY/REGION"),
            (f"/_ddbd/load?namespace={NS}&table=Missing", '{"pk":"d"}', "items of table Missing, which does not exist")]:
        status, doc = helpers.admin(e, path, body)
        assert status == 400 and words in doc["error"], (path, status, doc)
    assert len(helpers.scan_all(c, TableName="Loaded")) == 3
    for path, status_want in [(f"/_ddbd/dump?namespace={NS}", 400), (f"/_ddbd/dump?namespace={NS}&table=Missing", 404),
                              ("/_ddbd/dump?table=Loaded", 400)]:
        status, _ = raw(e, "GET", path)
        assert status == status_want, path


def test_dump_command_help_and_usage():
    r = ddbd("snapshot", "--help")
    assert "ddbd snapshot save" in r.stdout and "ddbd load" in r.stdout
    r = ddbd("--help")
    assert "--seed PATH" in r.stdout and "ddbd snapshot|reset|dump|load" in r.stdout
    assert subprocess.run([helpers.ddbd_binary(), "dump"], capture_output=True, text=True).returncode == 2
