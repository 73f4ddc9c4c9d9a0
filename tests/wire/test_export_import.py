"""Exports, imports and bulk puts against the directory that stands in for Amazon S3 (--s3-dir), through
the newest AWS SDK for JavaScript (Debian's botocore lacks most of these operations and members):
ExportTableToPointInTime (full and incremental, DynamoDB JSON and Ion) with AWS's folder layout, manifests
and gzipped data files checked on disk; DescribeExport/ListExports with paging; ImportTable of each format
and compression into a new table, the error records of bad lines, and the requests AWS refuses;
StartBulkPutItems/DescribeBulkOperation/ListBulkOperations/CancelBulkOperation end to end; and the
export/import leg of issue 15's scenario (restore to a noted time, export it, import the export: equal)."""
import base64
import gzip
import hashlib
import json
import os
import subprocess

import pytest

import helpers
from helpers import (B, N, S, admin, advance_clock, create_table, make_client, raw_call, scan_all, unique_name,
                     wait_active, wait_until)
from node_sdk import call, calls, date, error_of

pytestmark = pytest.mark.ddbd_only  # a ddbd of its own, with --s3-dir and a clock the tests hold

FILE_ITEMS = 7  # DDBD_TEST_EXPORT_FILE_ITEMS: small data files, so an export has several
BUCKET = "bkt"


class S3Ddbd:
    def __init__(self, endpoint, root):
        self.endpoint = endpoint
        self.root = root

    def path(self, key, bucket=BUCKET):
        return os.path.join(self.root, bucket, key)

    def put(self, key, data, bucket=BUCKET):
        p = self.path(key, bucket)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    base = tmp_path_factory.mktemp("s3ddbd")
    root = base / "s3"
    (root / BUCKET).mkdir(parents=True)
    ddbds = helpers.DdbdSet(base)
    env = dict(os.environ, DDBD_TEST_EXPORT_FILE_ITEMS=str(FILE_ITEMS))
    p = ddbds.start("--in-memory", "--ttl-sweep-seconds", "0", "--s3-dir", str(root), "--log-level", "info",
                    env=env)
    admin(p.endpoint, "/_ddbd/clock", {"set": "2032-05-01T09:00:00Z", "frozen": True})
    yield S3Ddbd(p.endpoint, str(root))
    problems = ddbds.stop()
    assert not problems, problems


def canon(items):
    return sorted(json.dumps(i, sort_keys=True, default=lambda b: base64.b64encode(b).decode()) for i in items)


def wait_done(endpoint, op, arn_member, arn, desc_member, status_member):
    def done():
        d = raw_call(endpoint, op, {arn_member: arn})[desc_member]
        return d if d[status_member] not in ("IN_PROGRESS", "CANCELLING") else None

    return wait_until(done, timeout=60, interval=0.05, what=f"{op} {arn} to finish")


def wait_export(s3, arn):
    return wait_done(s3.endpoint, "DescribeExport", "ExportArn", arn, "ExportDescription", "ExportStatus")


def wait_import(s3, arn):
    return wait_done(s3.endpoint, "DescribeImport", "ImportArn", arn, "ImportTableDescription", "ImportStatus")


def wait_bulk(s3, arn):
    return wait_done(s3.endpoint, "DescribeBulkOperation", "BulkOperationArn", arn, "BulkOperationDescription",
                     "BulkOperationStatus")


def pitr_table(ddb, **kw):
    name = create_table(ddb, hash=("pk", "S"), range=("sk", "N"), **kw)
    wait_active(ddb, name)
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    return name, ddb.describe_table(TableName=name)["Table"]["TableArn"]


def every_type(pk, sk):
    return {"pk": S(pk), "sk": N(sk), "s": S("x" * (sk % 5)), "n": N(f"{sk}.25"), "b": B(bytes([sk % 256, 7])),
            "bool": {"BOOL": sk % 2 == 0}, "nul": {"NULL": True}, "ss": {"SS": ["a", f"b{sk}"]},
            "ns": {"NS": ["1", f"{sk + 2}"]}, "bs": {"BS": [b"\x01"]},
            "l": {"L": [N(sk), S("e"), {"M": {"k": S("v")}}]}, "m": {"M": {"inner": {"L": []}, "z": N("-0.5")}}}


def key_params(name, gsi=False):
    p = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"}],
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}
    if gsi:
        p["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
        p["GlobalSecondaryIndexes"] = [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}]
    return p


def read_json(path):
    with open(path) as f:
        return json.load(f)


def data_lines(s3, key):
    with open(s3.path(key), "rb") as f:
        raw = f.read()
    return raw, gzip.decompress(raw).decode().splitlines()


def check_layout(s3, d, prefix, fmt):
    """The export's folder as AWS's developer guide describes it; returns the data lines of every file."""
    export_id = d["ExportArn"].rsplit("/", 1)[1]
    base = f"{prefix}/AWSDynamoDB/{export_id}"
    assert d["ExportManifest"] == f"{base}/manifest-summary.json"
    assert os.path.exists(s3.path(f"{base}/_started"))
    summary = read_json(s3.path(d["ExportManifest"]))
    assert summary["exportArn"] == d["ExportArn"] and summary["tableArn"] == d["TableArn"]
    assert summary["s3Bucket"] == BUCKET and summary["s3Prefix"] == prefix
    assert summary["outputFormat"] == fmt and summary["itemCount"] == d["ItemCount"]
    assert summary["billedSizeBytes"] == d["BilledSizeBytes"]
    assert summary["manifestFilesS3Key"] == f"{base}/manifest-files.json"
    with open(s3.path(f"{base}/manifest-summary.json"), "rb") as f:
        body = f.read()
    with open(s3.path(f"{base}/manifest-summary.checksum")) as f:
        assert f.read().strip() == hashlib.md5(body).hexdigest()
    with open(s3.path(summary["manifestFilesS3Key"])) as f:
        entries = [json.loads(line) for line in f if line.strip()]
    lines, total = [], 0
    ext = ".json.gz" if fmt == "DYNAMODB_JSON" else ".ion.gz"
    for e in entries:
        assert e["dataFileS3Key"].endswith(ext)
        raw, ls = data_lines(s3, e["dataFileS3Key"])
        assert e["md5Checksum"] == base64.b64encode(hashlib.md5(raw).digest()).decode()
        assert e["etag"] == hashlib.md5(hashlib.md5(raw).digest()).hexdigest() + "-1"
        assert e["itemCount"] == len(ls) <= FILE_ITEMS
        total += len(ls)
        lines += ls
    assert total == d["ItemCount"]
    return summary, entries, lines


def test_full_export_both_formats_and_import_back(s3):
    ddb = make_client(s3.endpoint)
    name, arn = pitr_table(ddb)
    items = [every_type(f"p{i % 4}", i) for i in range(30)]
    for it in items:
        ddb.put_item(TableName=name, Item=it)
    expected = canon(scan_all(ddb, TableName=name, ConsistentRead=True))
    res = calls(s3.endpoint, [
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET, "S3Prefix": "full/json"}),
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET, "S3Prefix": "full/ion",
                                      "ExportFormat": "ION", "ClientToken": "tok-ion"}),
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET, "S3Prefix": "full/ion",
                                      "ExportFormat": "ION", "ClientToken": "tok-ion"}),
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET, "S3Prefix": "other",
                                      "ExportFormat": "ION", "ClientToken": "tok-ion"})])
    started = [r[1]["ExportDescription"] for r in res[:3]]
    assert started[0]["ExportStatus"] == "IN_PROGRESS" and started[0]["ExportType"] == "FULL_EXPORT"
    assert started[0]["ExportFormat"] == "DYNAMODB_JSON" and started[0]["S3BucketOwner"] == helpers.account_of()
    assert started[1]["ExportArn"] == started[2]["ExportArn"]  # the same token and request: the same export
    assert res[3] == ("error", "ExportConflictException", "There was a conflict when writing to the specified S3 "
                      "bucket: ClientToken tok-ion was used with other parameters")
    # a write after the export time is not in the export
    ddb.put_item(TableName=name, Item={"pk": S("late"), "sk": N(0)})
    for d0, prefix, fmt in ((started[0], "full/json", "DYNAMODB_JSON"), (started[1], "full/ion", "ION")):
        assert d0["ExportArn"].startswith(arn + "/export/")
        d = wait_export(s3, d0["ExportArn"])
        assert d["ExportStatus"] == "COMPLETED" and d["ItemCount"] == 30 and d["EndTime"] >= d["StartTime"]
        summary, entries, lines = check_layout(s3, d, prefix, fmt)
        assert len(entries) == 5  # 30 items, 7 a file
        if fmt == "DYNAMODB_JSON":
            assert canon(json.loads(line)["Item"] for line in lines) == expected
        else:
            assert all(line.startswith("$ion_1_0 {Item:{") for line in lines)
            assert any('ss:$dynamodb_SS::["a","b1"]' in line for line in lines)
        # the export imports back into a new table, item for item
        back = unique_name("back")
        export_id = d["ExportArn"].rsplit("/", 1)[1]
        imp = call(s3.endpoint, "ImportTable", {
            "S3BucketSource": {"S3Bucket": BUCKET, "S3KeyPrefix": f"{prefix}/AWSDynamoDB/{export_id}/data/"},
            "InputFormat": fmt, "InputCompressionType": "GZIP", "TableCreationParameters": key_params(back)})
        i = wait_import(s3, imp["ImportTableDescription"]["ImportArn"])
        assert (i["ImportStatus"], i["ImportedItemCount"], i["ErrorCount"]) == ("COMPLETED", 30, 0)
        assert canon(scan_all(ddb, TableName=back, ConsistentRead=True)) == expected


def test_incremental_export(s3):
    ddb = make_client(s3.endpoint)
    name, arn = pitr_table(ddb)
    for i in range(4):
        ddb.put_item(TableName=name, Item={"pk": S("a"), "sk": N(i), "v": N(i)})
    frm = advance_clock(s3.endpoint, 60) / 1000.0
    ddb.put_item(TableName=name, Item={"pk": S("b"), "sk": N(0), "v": S("new")})  # an insert
    ddb.update_item(TableName=name, Key={"pk": S("a"), "sk": N(1)}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": N(10)})  # an update
    ddb.delete_item(TableName=name, Key={"pk": S("a"), "sk": N(2)})  # a delete
    ddb.put_item(TableName=name, Item={"pk": S("c"), "sk": N(0)})
    ddb.delete_item(TableName=name, Key={"pk": S("c"), "sk": N(0)})  # born and gone in the window
    advance_clock(s3.endpoint, 20 * 60)
    ddb.put_item(TableName=name, Item={"pk": S("d"), "sk": N(0)})  # after the window
    spec = {"ExportFromTime": date(frm), "ExportToTime": date(frm + 15 * 60)}
    res = calls(s3.endpoint, [
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET, "S3Prefix": "inc",
                                      "ExportType": "INCREMENTAL_EXPORT", "IncrementalExportSpecification": spec}),
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET, "S3Prefix": "inc-ion",
                                      "ExportType": "INCREMENTAL_EXPORT", "ExportFormat": "ION",
                                      "IncrementalExportSpecification": dict(spec, ExportViewType="NEW_IMAGE")}),
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET, "ExportType": "INCREMENTAL_EXPORT",
                                      "IncrementalExportSpecification": {"ExportFromTime": date(frm),
                                                                         "ExportToTime": date(frm + 60)}}),
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET, "ExportType": "INCREMENTAL_EXPORT",
                                      "IncrementalExportSpecification": {"ExportFromTime": date(frm - 3600),
                                                                         "ExportToTime": date(frm + 3600)}})])
    assert res[2][:2] == ("error", "ValidationException") and "15 minutes" in res[2][2]
    assert res[3][:2] == ("error", "InvalidExportTimeException")
    d = wait_export(s3, res[0][1]["ExportDescription"]["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED" and d["ExportType"] == "INCREMENTAL_EXPORT"
    assert d["IncrementalExportSpecification"] == {"ExportFromTime": frm, "ExportToTime": frm + 900,
                                                   "ExportViewType": "NEW_AND_OLD_IMAGES"}
    summary, entries, lines = check_layout(s3, d, "inc", "DYNAMODB_JSON")
    assert summary["exportType"] == "INCREMENTAL_EXPORT" and summary["outputView"] == "NEW_AND_OLD_IMAGES"
    for e in entries:  # incremental exports share one data folder
        assert e["dataFileS3Key"].startswith("inc/AWSDynamoDB/data/")
    recs = {(r["Keys"]["pk"]["S"], r["Keys"]["sk"]["N"]): r for r in map(json.loads, lines)}
    # c was born and gone inside the window: no change between its ends, no record (ddbd's reading)
    assert set(recs) == {("b", "0"), ("a", "1"), ("a", "2")}
    assert recs[("b", "0")]["NewImage"] == {"pk": S("b"), "sk": N(0), "v": S("new")}
    assert "OldImage" not in recs[("b", "0")]
    assert recs[("a", "1")]["OldImage"]["v"] == N(1) and recs[("a", "1")]["NewImage"]["v"] == N(10)
    assert recs[("a", "2")]["OldImage"]["v"] == N(2) and "NewImage" not in recs[("a", "2")]
    micros = int(recs[("b", "0")]["Metadata"]["WriteTimestampMicros"]["N"])
    assert frm * 1e6 <= micros < (frm + 900) * 1e6
    d = wait_export(s3, res[1][1]["ExportDescription"]["ExportArn"])
    _, _, lines = check_layout(s3, d, "inc-ion", "ION")
    assert len(lines) == 3 and all(line.startswith("$ion_1_0 {Metadata:{WriteTimestampMicros:") for line in lines)
    assert not any("OldImage" in line for line in lines)  # NEW_IMAGE


def test_describe_and_list_exports_paging(s3):
    ddb = make_client(s3.endpoint)
    name, arn = pitr_table(ddb)
    other, other_arn = pitr_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": S("x"), "sk": N(1)})
    res = calls(s3.endpoint, [("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET,
                                                            "S3Prefix": f"page/{i}"}) for i in range(3)]
                + [("ExportTableToPointInTime", {"TableArn": other_arn, "S3Bucket": BUCKET, "S3Prefix": "page/o"})])
    mine = [r[1]["ExportDescription"]["ExportArn"] for r in res[:3]]
    for a in mine:
        wait_export(s3, a)
    seen, token = [], None
    for _ in range(5):
        out = call(s3.endpoint, "ListExports", {"TableArn": arn, "MaxResults": 2,
                                                **({"NextToken": token} if token else {})})
        assert len(out["ExportSummaries"]) <= 2
        seen += out["ExportSummaries"]
        token = out.get("NextToken")
        if not token:
            break
    assert sorted(s["ExportArn"] for s in seen) == sorted(mine)  # one clock millisecond: ids order them
    assert all(s["ExportStatus"] == "COMPLETED" and s["ExportType"] == "FULL_EXPORT" for s in seen)
    everything = call(s3.endpoint, "ListExports", {})["ExportSummaries"]
    assert {s["ExportArn"] for s in everything} >= set(mine) | {res[3][1]["ExportDescription"]["ExportArn"]}
    gone = arn + "/export/01234567890123-abcdef12"
    assert error_of(s3.endpoint, "DescribeExport", {"ExportArn": gone}) == \
        ("ExportNotFoundException", f"Export not found: {gone}")


def test_export_errors(s3, endpoint):
    ddb = make_client(s3.endpoint)
    plain = create_table(ddb, hash=("pk", "S"))
    wait_active(ddb, plain)
    name, arn = pitr_table(ddb)
    now = helpers.clock(s3.endpoint)["now_ms"] / 1000.0
    plain_arn = arn.rsplit("/", 1)[0] + "/" + plain
    res = calls(s3.endpoint, [
        ("ExportTableToPointInTime", {"TableArn": plain_arn, "S3Bucket": BUCKET}),
        ("ExportTableToPointInTime", {"TableArn": arn.rsplit("/", 1)[0] + "/nope", "S3Bucket": BUCKET}),
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET, "ExportTime": date(now + 3600)}),
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET, "ExportTime": date(now - 3600)}),
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET, "ExportType": "INCREMENTAL_EXPORT"}),
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "no-such-bucket"})])
    assert res[0][:2] == ("error", "PointInTimeRecoveryUnavailableException")
    assert res[1][:2] == ("error", "TableNotFoundException")
    assert res[2][:2] == ("error", "InvalidExportTimeException")
    assert res[3][:2] == ("error", "InvalidExportTimeException")
    assert res[4][:2] == ("error", "ValidationException")
    d = wait_export(s3, res[5][1]["ExportDescription"]["ExportArn"])
    assert (d["ExportStatus"], d["FailureCode"]) == ("FAILED", "S3NoSuchBucket")
    assert not os.path.exists(os.path.join(s3.root, "no-such-bucket"))
    # the shared ddbd runs without --s3-dir: it says so
    name2 = create_table(make_client(endpoint), hash=("pk", "S"))
    try:
        e = error_of(endpoint, "ExportTableToPointInTime", {"TableArn": plain_arn, "S3Bucket": BUCKET})
        assert e[0] == "ValidationException" and "--s3-dir" in e[1]
    finally:
        helpers.drop_table(make_client(endpoint), name2)


# ---- imports -------------------------------------------------------------------------------------------------

JSON_ITEMS = [{"pk": S(f"j{i}"), "sk": N(i), "v": {"L": [S("a"), N(i)]}, "ss": {"SS": ["x", "y"]}} for i in range(9)]
ION_TEXT = ('$ion_1_0 {Item:{pk:"i1",sk:1.,b:{{AQI=}},ss:$dynamodb_SS::["x","y"],n:2.5,m:{t:true,z:null,'
            'l:[1.,"s"]}}}\n'
            '$ion_1_0 {Item:{pk:"i2",sk:2.,ns:$dynamodb_NS::[1.,2.],bs:$dynamodb_BS::[{{AQ==}}]}}\n')
ION_ITEMS = [{"pk": S("i1"), "sk": N(1), "b": B(b"\x01\x02"), "ss": {"SS": ["x", "y"]}, "n": N("2.5"),
              "m": {"M": {"t": {"BOOL": True}, "z": {"NULL": True}, "l": {"L": [N(1), S("s")]}}}},
             {"pk": S("i2"), "sk": N(2), "ns": {"NS": ["1", "2"]}, "bs": {"BS": [b"\x01"]}}]
CSV_TEXT = "pk,sk,colour,size\nc1,1,red,10\nc2,2,\"blue, dark\",20\nc3,3,green,\n"
CSV_ITEMS = [{"pk": S("c1"), "sk": N(1), "colour": S("red"), "size": S("10")},
             {"pk": S("c2"), "sk": N(2), "colour": S("blue, dark"), "size": S("20")},
             {"pk": S("c3"), "sk": N(3), "colour": S("green")}]


def compress(data, codec):
    data = data.encode()
    if codec == "GZIP":
        return gzip.compress(data)
    if codec == "ZSTD":
        return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout
    return data


def json_text(items):
    return "".join(json.dumps({"Item": it}) + "\n" for it in items)


@pytest.mark.parametrize("fmt,codec", [("DYNAMODB_JSON", "NONE"), ("DYNAMODB_JSON", "ZSTD"), ("ION", "GZIP"),
                                       ("ION", "NONE"), ("CSV", "ZSTD"), ("CSV", "GZIP")])
def test_import_formats_and_compressions(s3, fmt, codec):
    ddb = make_client(s3.endpoint)
    prefix = f"imp/{fmt}-{codec}/"
    if fmt == "DYNAMODB_JSON":  # two objects: every object under the prefix is read
        s3.put(prefix + "part-1", compress(json_text(JSON_ITEMS[:5]), codec))
        s3.put(prefix + "part-2", compress(json_text(JSON_ITEMS[5:]), codec))
        expected, opts = JSON_ITEMS, {}
    elif fmt == "ION":
        s3.put(prefix + "data.ion", compress(ION_TEXT, codec))
        expected, opts = ION_ITEMS, {}
    else:
        s3.put(prefix + "data.csv", compress(CSV_TEXT, codec))
        expected, opts = CSV_ITEMS, {}
    name = unique_name("imp")
    out = call(s3.endpoint, "ImportTable", {
        "S3BucketSource": {"S3Bucket": BUCKET, "S3KeyPrefix": prefix}, "InputFormat": fmt,
        "InputCompressionType": codec, "TableCreationParameters": key_params(name, gsi=True), **opts})
    d0 = out["ImportTableDescription"]
    assert d0["ImportStatus"] == "IN_PROGRESS" and d0["InputFormat"] == fmt and d0["InputCompressionType"] == codec
    assert d0["TableArn"].endswith(":table/" + name) and d0["ImportArn"].startswith(d0["TableArn"] + "/import/")
    d = wait_import(s3, d0["ImportArn"])
    assert (d["ImportStatus"], d["ImportedItemCount"], d["ErrorCount"]) == ("COMPLETED", len(expected), 0)
    assert d["ProcessedItemCount"] == len(expected) and d["ProcessedSizeBytes"] > 0
    t = ddb.describe_table(TableName=name)["Table"]
    assert t["TableStatus"] == "ACTIVE" and t["GlobalSecondaryIndexes"][0]["IndexName"] == "byG"
    assert canon(scan_all(ddb, TableName=name, ConsistentRead=True)) == canon(expected)


@pytest.mark.parametrize("fmt,codec", [("DYNAMODB_JSON", "NONE"), ("ION", "ZSTD"), ("CSV", "GZIP")])
def test_import_objects_larger_than_a_read(s3, fmt, codec):
    """Records straddle the reader's 64 KB steps: none is lost or split."""
    ddb = make_client(s3.endpoint)
    n = 3000
    pad = "y" * 40
    if fmt == "DYNAMODB_JSON":
        text = json_text({"pk": S(f"k{i}"), "sk": N(i), "pad": S(pad)} for i in range(n))
    elif fmt == "ION":
        text = "".join(f'$ion_1_0 {{Item:{{pk:"k{i}",sk:{i}.,pad:"{pad}"}}}}\n' for i in range(n))
    else:
        text = "pk,sk,pad\n" + "".join(f"k{i},{i},{pad}\n" for i in range(n))
    assert len(text) > 2 * 64 * 1024
    prefix = f"imp/large-{fmt}/"
    s3.put(prefix + "big", compress(text, codec))
    name = unique_name("large")
    d = raw_call(s3.endpoint, "ImportTable", {
        "S3BucketSource": {"S3Bucket": BUCKET, "S3KeyPrefix": prefix}, "InputFormat": fmt,
        "InputCompressionType": codec, "TableCreationParameters": key_params(name)})["ImportTableDescription"]
    d = wait_import(s3, d["ImportArn"])
    assert (d["ImportStatus"], d["ImportedItemCount"], d["ErrorCount"]) == ("COMPLETED", n, 0)
    assert ddb.scan(TableName=name, Select="COUNT")["Count"] == n


def test_import_csv_header_list_and_delimiter(s3):
    ddb = make_client(s3.endpoint)
    s3.put("imp/csv-opts/x.csv", "a;1;one\nb;2;two\n")
    name = unique_name("csvopt")
    d = call(s3.endpoint, "ImportTable", {
        "S3BucketSource": {"S3Bucket": BUCKET, "S3KeyPrefix": "imp/csv-opts/"}, "InputFormat": "CSV",
        "InputFormatOptions": {"Csv": {"Delimiter": ";", "HeaderList": ["pk", "sk", "word"]}},
        "TableCreationParameters": key_params(name)})["ImportTableDescription"]
    assert d["InputFormatOptions"] == {"Csv": {"Delimiter": ";", "HeaderList": ["pk", "sk", "word"]}}
    assert wait_import(s3, d["ImportArn"])["ImportedItemCount"] == 2
    assert canon(scan_all(ddb, TableName=name)) == canon([{"pk": S("a"), "sk": N(1), "word": S("one")},
                                                          {"pk": S("b"), "sk": N(2), "word": S("two")}])


def test_import_error_records(s3):
    ddb = make_client(s3.endpoint)
    good = [json.dumps({"Item": {"pk": S(f"g{i}"), "sk": N(i)}}) for i in range(4)]
    s3.put("imp/bad/1.json", "\n".join([good[0], json.dumps({"Item": {"pk": N(1), "sk": N(1)}}),
                                        json.dumps({"Item": {"other": S("x")}}), good[1]]) + "\n")
    s3.put("imp/bad/2.json", "\n".join([good[2], "this is not json", good[3]]) + "\n")
    name = unique_name("bad")
    d = call(s3.endpoint, "ImportTable", {"S3BucketSource": {"S3Bucket": BUCKET, "S3KeyPrefix": "imp/bad/"},
                                          "InputFormat": "DYNAMODB_JSON",
                                          "TableCreationParameters": key_params(name)})["ImportTableDescription"]
    d = wait_import(s3, d["ImportArn"])
    # the items that failed are skipped and counted; a line that is not JSON too, and the next line is read
    assert (d["ImportStatus"], d["ErrorCount"], d["ImportedItemCount"]) == ("FAILED", 3, 4)
    assert d["FailureCode"] == "ItemValidationError"
    assert d["CloudWatchLogGroupArn"] == \
        f"arn:aws:logs:us-east-1:{helpers.account_of()}:log-group:/aws-dynamodb/imports:*"
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    assert sorted(i["pk"]["S"] for i in scan_all(ddb, TableName=name)) == ["g0", "g1", "g2", "g3"]
    import_id = d["ImportArn"].rsplit("/", 1)[1]
    status, log = admin(s3.endpoint, f"/_ddbd/imports/{import_id}/errors")
    assert status == 200, log
    assert log["logGroupName"] == "/aws-dynamodb/imports" and log["logStreamName"] == f"{import_id}/error"
    events = [json.loads(e["message"]) for e in log["events"]]
    assert [(e["itemS3Pointer"]["key"], e["itemS3Pointer"]["itemIndex"]) for e in events] == \
        [("imp/bad/1.json", 1), ("imp/bad/1.json", 2), ("imp/bad/2.json", 1)]
    assert all(e["itemS3Pointer"]["bucket"] == BUCKET and e["importArn"] == d["ImportArn"] and e["errorMessages"]
               for e in events)
    assert admin(s3.endpoint, "/_ddbd/imports/01234567890123-abcdef12/errors")[0] == 404


def test_import_errors_and_listing(s3):
    ddb = make_client(s3.endpoint)
    existing = create_table(ddb, hash=("pk", "S"))
    wait_active(ddb, existing)
    s3.put("imp/one/x.json", json_text(JSON_ITEMS[:1]))
    src = {"S3Bucket": BUCKET, "S3KeyPrefix": "imp/one/"}
    missing = unique_name("nobucket")
    first = unique_name("tok")
    res = calls(s3.endpoint, [
        ("ImportTable", {"S3BucketSource": src, "InputFormat": "DYNAMODB_JSON",
                         "TableCreationParameters": key_params(existing)}),
        ("ImportTable", {"S3BucketSource": src, "InputFormat": "XML", "TableCreationParameters": key_params("x1")}),
        ("ImportTable", {"S3BucketSource": src, "InputFormat": "DYNAMODB_JSON", "InputCompressionType": "BZIP2",
                         "TableCreationParameters": key_params("x2")}),
        ("ImportTable", {"S3BucketSource": src, "InputFormat": "DYNAMODB_JSON",
                         "TableCreationParameters": dict(key_params("x3"), KeySchema=[])}),
        ("ImportTable", {"S3BucketSource": {"S3Bucket": "no-such-bucket"}, "InputFormat": "DYNAMODB_JSON",
                         "TableCreationParameters": key_params(missing)}),
        ("ImportTable", {"S3BucketSource": src, "InputFormat": "DYNAMODB_JSON", "ClientToken": "imp-tok",
                         "TableCreationParameters": key_params(first)}),
        ("ImportTable", {"S3BucketSource": src, "InputFormat": "DYNAMODB_JSON", "ClientToken": "imp-tok",
                         "TableCreationParameters": key_params(first)}),
        ("ImportTable", {"S3BucketSource": src, "InputFormat": "ION", "ClientToken": "imp-tok",
                         "TableCreationParameters": key_params(first)}),
        ("DescribeImport", {"ImportArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t/import/"
                                         "01234567890123-abcdef12"})])
    assert res[0][:2] == ("error", "ResourceInUseException")
    for r in res[1:4]:
        assert r[:2] == ("error", "ValidationException"), r
    d = wait_import(s3, res[4][1]["ImportTableDescription"]["ImportArn"])
    assert (d["ImportStatus"], d["FailureCode"]) == ("FAILED", "S3NoSuchBucket")
    assert missing not in ddb.list_tables()["TableNames"]  # the table is not kept
    assert res[5][1]["ImportTableDescription"]["ImportArn"] == res[6][1]["ImportTableDescription"]["ImportArn"]
    assert res[7] == ("error", "ImportConflictException", "There was a conflict when importing from the specified "
                      "S3 source: ClientToken imp-tok was used with other parameters")
    assert res[8] == ("error", "ImportNotFoundException", "Import not found: arn:aws:dynamodb:us-east-1:123456789012:"
                      "table/t/import/01234567890123-abcdef12")
    mine = res[5][1]["ImportTableDescription"]
    wait_import(s3, mine["ImportArn"])
    listed = call(s3.endpoint, "ListImports", {"TableArn": mine["TableArn"]})["ImportSummaryList"]
    assert [(s["ImportArn"], s["ImportStatus"], s["InputFormat"]) for s in listed] == \
        [(mine["ImportArn"], "COMPLETED", "DYNAMODB_JSON")]
    seen, token = [], None
    for _ in range(50):
        out = call(s3.endpoint, "ListImports", {"PageSize": 3, **({"NextToken": token} if token else {})})
        assert len(out["ImportSummaryList"]) <= 3
        seen += [s["ImportArn"] for s in out["ImportSummaryList"]]
        token = out.get("NextToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) and mine["ImportArn"] in seen and len(seen) > 3


# ---- bulk puts -----------------------------------------------------------------------------------------------

def test_bulk_put_items(s3):
    ddb = make_client(s3.endpoint)
    name = create_table(ddb, hash=("pk", "S"), range=("sk", "N"))
    wait_active(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": S("j0"), "sk": N(0), "old": S("replaced")})
    ddb.put_item(TableName=name, Item={"pk": S("keep"), "sk": N(0)})
    s3.put("bulk/a/1.json.gz", gzip.compress((json_text(JSON_ITEMS[:6]) + '{"Item":{"pk":{"N":"1"}}}\n').encode()))
    s3.put("bulk/a/2.json.gz", gzip.compress(json_text(JSON_ITEMS[6:]).encode()))
    s3.put("bulk/ion/1.ion.zst", compress(ION_TEXT, "ZSTD"))
    out = {"S3Bucket": BUCKET, "OutputType": ["ERROR"]}
    res = calls(s3.endpoint, [
        ("StartBulkPutItems", {"TableName": name, "ClientToken": "bulk-1", "OutputS3Configuration": out,
                               "InputS3Configuration": {"S3Bucket": BUCKET, "S3KeyPrefix": "bulk/a/",
                                                        "InputFormat": "DYNAMODB_JSON",
                                                        "InputCompressionType": "GZIP"}}),
        ("StartBulkPutItems", {"TableName": name, "OutputS3Configuration": out, "PerformanceTier": "STANDARD",
                               "MaxWriteRequestUnits": 2048,
                               "InputS3Configuration": {"S3Bucket": BUCKET, "S3KeyPrefix": "bulk/ion/",
                                                        "InputFormat": "ION", "InputCompressionType": "ZSTD"}}),
        ("StartBulkPutItems", {"TableName": name, "ClientToken": "bulk-1", "OutputS3Configuration": out,
                               "InputS3Configuration": {"S3Bucket": BUCKET, "S3KeyPrefix": "bulk/other/",
                                                        "InputFormat": "DYNAMODB_JSON"}}),
        ("StartBulkPutItems", {"TableName": "no-such-table", "OutputS3Configuration": out,
                               "InputS3Configuration": {"S3Bucket": BUCKET, "InputFormat": "DYNAMODB_JSON"}}),
        ("StartBulkPutItems", {"TableName": name, "OutputS3Configuration": out, "MaxWriteRequestUnits": 10,
                               "InputS3Configuration": {"S3Bucket": BUCKET, "InputFormat": "DYNAMODB_JSON"}}),
        ("DescribeBulkOperation", {"BulkOperationArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t/"
                                                       "bulk-operation/01234567890123-abcdef12"})])
    a, b = res[0][1]["BulkOperationDescription"], res[1][1]["BulkOperationDescription"]
    assert a["BulkOperationStatus"] == "IN_PROGRESS" and a["ClientToken"] == "bulk-1"
    assert a["TableDetails"][0]["TableName"] == name and a["InputS3Configuration"]["S3KeyPrefix"] == "bulk/a/"
    assert res[2] == ("error", "IdempotentParameterMismatchException",
                      "Request with ClientToken bulk-1 has parameters that differ from the earlier request")
    assert res[3][:2] == ("error", "ResourceNotFoundException")
    assert res[4][:2] == ("error", "ValidationException")
    assert res[5] == ("error", "ResourceNotFoundException", "Requested resource not found: Bulk operation: "
                      "arn:aws:dynamodb:us-east-1:123456789012:table/t/bulk-operation/01234567890123-abcdef12 not found")
    da = wait_bulk(s3, a["BulkOperationArn"])
    assert (da["BulkOperationStatus"], da["ProcessedItemCount"], da["FailedItemCount"]) == \
        ("COMPLETED_WITH_ERRORS", 10, 1)
    assert da["TotalInputBytes"] > 0 and da["ProcessedInputBytes"] > 0 and da["EndTime"] >= da["StartTime"]
    assert da["BulkOperationUsage"][0]["BulkPutBytes"] > 0
    db = wait_bulk(s3, b["BulkOperationArn"])
    assert (db["BulkOperationStatus"], db["ProcessedItemCount"], db["FailedItemCount"]) == ("COMPLETED", 2, 0)
    assert (db["MaxWriteRequestUnits"], db["PerformanceTier"]) == (2048, "STANDARD")
    assert canon(scan_all(ddb, TableName=name, ConsistentRead=True)) == \
        canon(JSON_ITEMS + ION_ITEMS + [{"pk": S("keep"), "sk": N(0)}])
    # listing, a page at a time; cancelling what has ended is refused
    res = calls(s3.endpoint, [("ListBulkOperations", {"MaxResults": 1}),
                              ("CancelBulkOperation", {"BulkOperationArn": a["BulkOperationArn"]})])
    page = res[0][1]
    assert len(page["BulkOperationsSummaryList"]) == 1 and page["NextToken"]
    assert page["BulkOperationsSummaryList"][0]["StartTime"]
    rest = call(s3.endpoint, "ListBulkOperations", {"NextToken": page["NextToken"]})
    arns = [s["BulkOperationArn"] for s in page["BulkOperationsSummaryList"] + rest["BulkOperationsSummaryList"]]
    assert {a["BulkOperationArn"], b["BulkOperationArn"]} <= set(arns) and len(arns) == len(set(arns))
    assert res[1][:2] == ("error", "ValidationException")


def test_bulk_put_cancel(s3):
    ddb = make_client(s3.endpoint)
    name = create_table(ddb, hash=("pk", "S"))
    wait_active(ddb, name)
    n = 60000
    s3.put("bulk/big/1.json.gz", gzip.compress("".join(f'{{"Item":{{"pk":{{"S":"k{i}"}}}}}}\n'
                                                       for i in range(n)).encode()))
    started = raw_call(s3.endpoint, "StartBulkPutItems", {
        "TableName": name, "OutputS3Configuration": {"S3Bucket": BUCKET, "OutputType": ["ERROR"]},
        "InputS3Configuration": {"S3Bucket": BUCKET, "S3KeyPrefix": "bulk/big/", "InputFormat": "DYNAMODB_JSON",
                                 "InputCompressionType": "GZIP"}})
    arn = started["BulkOperationDescription"]["BulkOperationArn"]
    c = raw_call(s3.endpoint, "CancelBulkOperation", {"BulkOperationArn": arn})
    assert c == {"BulkOperationArn": arn, "BulkOperationStatus": "CANCELLING"}
    d = wait_bulk(s3, arn)
    assert d["BulkOperationStatus"] == "CANCELLED" and "FailureCode" in d and d["FailedItemCount"] == 0
    count = ddb.scan(TableName=name, Select="COUNT")["Count"]
    assert count == d["ProcessedItemCount"] - d["FailedItemCount"] < n


# ---- issue 15's scenario: restore to a noted time, export it, import the export --------------------------------

def test_restore_export_import_equal(s3):
    ddb = make_client(s3.endpoint)
    name, arn = pitr_table(ddb, extra_attrs={"g": "S"},
                           GlobalSecondaryIndexes=[{"IndexName": "byG",
                                                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                    "Projection": {"ProjectionType": "ALL"}}])
    for i in range(25):
        ddb.put_item(TableName=name, Item=dict(every_type(f"p{i % 3}", i), g=S(f"g{i % 4}")))
    advance_clock(s3.endpoint, 120)
    ddb.delete_item(TableName=name, Key={"pk": S("p1"), "sk": N(1)})
    noted = helpers.clock(s3.endpoint)["now_ms"] / 1000.0
    expected = canon(scan_all(ddb, TableName=name, ConsistentRead=True))
    advance_clock(s3.endpoint, 600)
    for i in range(10):
        ddb.delete_item(TableName=name, Key={"pk": S(f"p{i % 3}"), "sk": N(i)})
    ddb.put_item(TableName=name, Item={"pk": S("later"), "sk": N(1)})
    restored = unique_name("restored")
    ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=restored, RestoreDateTime=noted)
    wait_until(lambda: ddb.describe_table(TableName=restored)["Table"]["TableStatus"] == "ACTIVE", timeout=30)
    assert canon(scan_all(ddb, TableName=restored, ConsistentRead=True)) == expected
    ddb.update_continuous_backups(TableName=restored,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    rarn = ddb.describe_table(TableName=restored)["Table"]["TableArn"]
    res = calls(s3.endpoint, [("ExportTableToPointInTime", {"TableArn": rarn, "S3Bucket": BUCKET,
                                                            "S3Prefix": f"scenario/{fmt}", "ExportFormat": fmt})
                              for fmt in ("DYNAMODB_JSON", "ION")])
    for r, fmt in zip(res, ("DYNAMODB_JSON", "ION")):
        d = wait_export(s3, r[1]["ExportDescription"]["ExportArn"])
        assert d["ExportStatus"] == "COMPLETED" and d["ItemCount"] == len(expected)
        export_id = d["ExportArn"].rsplit("/", 1)[1]
        again = unique_name("again")
        params = dict(key_params(again, gsi=True))
        i = call(s3.endpoint, "ImportTable", {
            "S3BucketSource": {"S3Bucket": BUCKET, "S3KeyPrefix": f"scenario/{fmt}/AWSDynamoDB/{export_id}/data/"},
            "InputFormat": fmt, "InputCompressionType": "GZIP", "TableCreationParameters": params})
        i = wait_import(s3, i["ImportTableDescription"]["ImportArn"])
        assert (i["ImportStatus"], i["ImportedItemCount"]) == ("COMPLETED", len(expected))
        assert canon(scan_all(ddb, TableName=again, ConsistentRead=True)) == expected
        byg = ddb.query(TableName=again, IndexName="byG", KeyConditionExpression="g = :g",
                        ExpressionAttributeValues={":g": S("g1")})["Items"]
        assert canon(byg) == canon(json.loads(x) for x in expected if json.loads(x)["g"] == S("g1"))


# ---- the jobs survive a restart ------------------------------------------------------------------------------

def test_bulk_put_and_export_survive_restarts(tmp_path):
    root, data = tmp_path / "s3", tmp_path / "data"
    (root / BUCKET).mkdir(parents=True)
    ddbds = helpers.DdbdSet(tmp_path)
    env = dict(os.environ, DDBD_TEST_EXPORT_FILE_ITEMS="20000")

    def start():
        return ddbds.start("--data-dir", str(data), "--s3-dir", str(root), "--log-level", "info", env=env)

    try:
        p = start()
        s3 = S3Ddbd(p.endpoint, str(root))
        n = 50000
        s3.put("restart/1.json.gz", gzip.compress("".join(f'{{"Item":{{"pk":{{"S":"k{i}"}},"sk":{{"N":"{i}"}}}}}}\n'
                                                          for i in range(n)).encode()))
        ddb = make_client(p.endpoint)
        name, arn = pitr_table(ddb)
        bulk = raw_call(p.endpoint, "StartBulkPutItems", {
            "TableName": name, "OutputS3Configuration": {"S3Bucket": BUCKET, "OutputType": ["ERROR"]},
            "InputS3Configuration": {"S3Bucket": BUCKET, "S3KeyPrefix": "restart/", "InputFormat": "DYNAMODB_JSON",
                                     "InputCompressionType": "GZIP"}})["BulkOperationDescription"]["BulkOperationArn"]
        assert p.terminate() == 0  # mid-way, most likely: the job goes on after the restart
        p = start()
        s3.endpoint = p.endpoint
        d = wait_bulk(s3, bulk)
        assert (d["BulkOperationStatus"], d["ProcessedItemCount"], d["FailedItemCount"]) == ("COMPLETED", n, 0)
        ddb = make_client(p.endpoint)
        assert ddb.scan(TableName=name, Select="COUNT")["Count"] == n
        export = raw_call(p.endpoint, "ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET,
                                                                   "S3Prefix": "restart-export"})
        assert p.terminate() == 0
        p = start()
        s3.endpoint = p.endpoint
        d = wait_export(s3, export["ExportDescription"]["ExportArn"])
        assert (d["ExportStatus"], d["ItemCount"]) == ("COMPLETED", n)
        summary, entries, lines = check_layout_sized(s3, d, "restart-export", 20000)
        assert sorted(int(json.loads(line)["Item"]["sk"]["N"]) for line in lines) == list(range(n))
    finally:
        problems = ddbds.stop()
    assert not problems, problems


def check_layout_sized(s3, d, prefix, per_file):
    global FILE_ITEMS
    saved, FILE_ITEMS = FILE_ITEMS, per_file
    try:
        return check_layout(s3, d, prefix, "DYNAMODB_JSON")
    finally:
        FILE_ITEMS = saved


BAD_BODIES = [
    ("ExportTableToPointInTime", {}),
    ("ExportTableToPointInTime", {"TableArn": "not-an-arn", "S3Bucket": BUCKET}),
    ("ExportTableToPointInTime", {"TableArn": "arn:aws:dynamodb:us-east-1:1:table/x", "S3Bucket": "../etc"}),
    ("ExportTableToPointInTime", {"TableArn": "arn:aws:dynamodb:us-east-1:1:table/x", "S3Bucket": BUCKET,
                                  "S3Prefix": "a/../../b"}),
    ("ExportTableToPointInTime", {"TableArn": "arn:aws:dynamodb:us-east-1:1:table/x", "S3Bucket": BUCKET,
                                  "ExportFormat": "CSV"}),
    ("ExportTableToPointInTime", {"TableArn": "arn:aws:dynamodb:us-east-1:1:table/x", "S3Bucket": BUCKET,
                                  "ExportType": "INCREMENTAL_EXPORT", "IncrementalExportSpecification": "x"}),
    ("ExportTableToPointInTime", {"TableArn": "arn:aws:dynamodb:us-east-1:1:table/x", "S3Bucket": BUCKET,
                                  "ExportTime": "yesterday"}),
    ("ImportTable", {"S3BucketSource": {"S3Bucket": BUCKET}, "InputFormat": "CSV"}),
    ("ImportTable", {"S3BucketSource": {"S3Bucket": BUCKET, "S3KeyPrefix": "../x"}, "InputFormat": "CSV",
                     "TableCreationParameters": key_params("bad1")}),
    ("ImportTable", {"S3BucketSource": {"S3Bucket": BUCKET}, "InputFormat": "CSV",
                     "InputFormatOptions": {"Csv": {"Delimiter": ";;", "HeaderList": []}},
                     "TableCreationParameters": key_params("bad2")}),
    ("ImportTable", {"S3BucketSource": [], "InputFormat": "ION", "TableCreationParameters": key_params("bad3")}),
    ("StartBulkPutItems", {"TableName": "x", "InputS3Configuration": {"S3Bucket": BUCKET}}),
    ("StartBulkPutItems", {"TableName": "x", "InputS3Configuration": {"S3Bucket": BUCKET, "InputFormat": "CSV"},
                           "OutputS3Configuration": {"OutputType": ["ERROR"]}}),
    ("DescribeExport", {"ExportArn": "x" * 40}),
    ("DescribeImport", {"ImportArn": "arn:aws:dynamodb:us-east-1:1:table/x/import/" + "9" * 30}),
    ("DescribeBulkOperation", {}),
    ("CancelBulkOperation", {"BulkOperationArn": "arn:aws:dynamodb:us-east-1:1:table/x/bulk-operation/1"}),
    ("ListExports", {"MaxResults": 0}),
    ("ListExports", {"NextToken": "zz"}),
    ("ListImports", {"PageSize": 100}),
    ("ListImports", {"NextToken": "0" * 112}),
    ("ListBulkOperations", {"MaxResults": -1}),
    ("ListBulkOperations", {"NextToken": "f" * 112}),
]


def test_bad_requests_get_errors(s3):
    """Bad input gets a 400 with DynamoDB's error shape, and the next request is served."""
    for op, body in BAD_BODIES:
        status, _, data = helpers.raw_request(s3.endpoint, op, json.dumps(body))
        assert status == 400, (op, body, data)
        assert helpers.error_type(data) in ("ValidationException", "SerializationException",
                                            "ExportNotFoundException", "ImportNotFoundException",
                                            "ResourceNotFoundException", "TableNotFoundException"), (op, body, data)
    assert "ExportSummaries" in raw_call(s3.endpoint, "ListExports", {})


def test_namespace_reset_forgets_transfers(s3):
    """A namespace's reset drops its exports', imports' and bulk puts' records with its tables."""
    key = helpers.fresh_access_key()
    ddb = make_client(s3.endpoint, access_key=key)
    name = create_table(ddb, hash=("pk", "S"), range=("sk", "N"))
    wait_active(ddb, name)
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    s3.put("reset/x.json", json_text(JSON_ITEMS[:2]))
    res = calls(s3.endpoint, [
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": BUCKET, "S3Prefix": "reset-export"}),
        ("ImportTable", {"S3BucketSource": {"S3Bucket": BUCKET, "S3KeyPrefix": "reset/"},
                         "InputFormat": "DYNAMODB_JSON", "TableCreationParameters": key_params(unique_name("r"))}),
        ("StartBulkPutItems", {"TableName": name, "OutputS3Configuration": {"S3Bucket": BUCKET, "OutputType": ["ERROR"]},
                               "InputS3Configuration": {"S3Bucket": BUCKET, "S3KeyPrefix": "reset/",
                                                        "InputFormat": "DYNAMODB_JSON"}}),
        ("ListExports", {}), ("ListImports", {}), ("ListBulkOperations", {})], access_key=key)
    assert [len(r[1][m]) for r, m in zip(res[3:], ("ExportSummaries", "ImportSummaryList",
                                                    "BulkOperationsSummaryList"))] == [1, 1, 1]
    status, doc = admin(s3.endpoint, "/_ddbd/reset", {"namespace": f"{key}/us-east-1", "seed": False})
    assert status == 200, doc
    res = calls(s3.endpoint, [("ListExports", {}), ("ListImports", {}), ("ListBulkOperations", {})], access_key=key)
    assert [r[1] for r in res] == [{"ExportSummaries": []}, {"ImportSummaryList": []},
                                   {"BulkOperationsSummaryList": []}]
    assert ddb.list_tables()["TableNames"] == []
