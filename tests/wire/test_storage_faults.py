"""Storage faults: a full disk (a tmpfs of a few MB), a full map, a read-only data directory, a
data directory another ddbd holds, a damaged data file. Each ends in a clear message at start or a
clean per-request InternalServerError; reads go on, and no write is ever half applied: every
acknowledged write is there after a restart, with its index entry and stream record, and no failed
one left a trace.

Mounting needs root (CI runs as root)."""
import json
import os
import subprocess
import uuid

import pytest
from botocore.exceptions import ClientError

from helpers import DATA_DIR_FLAG, create_table, err, latest_stream_arn, make_client, make_streams_client, \
    query_all, read_all, run_ddbd, scan_all

pytestmark = pytest.mark.ddbd_only


@pytest.fixture
def tmpfs(tmp_path):
    """mount(size_mb, ro=False) -> a fresh tmpfs directory, unmounted afterwards."""
    mounted = []

    def mount(size_mb, ro=False):
        d = tmp_path / f"fs{len(mounted)}"
        d.mkdir()
        opts = f"size={size_mb}m" + (",ro" if ro else "")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(d)], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.fail(f"cannot mount a tmpfs (these tests need root): {r.stderr}")
        mounted.append(d)
        return d

    yield mount
    for d in reversed(mounted):
        subprocess.run(["umount", "-l", str(d)], capture_output=True)


def fill(c, table, prefix, size, limit=400):
    """Puts items of `size` bytes until one fails: (acknowledged keys, the error)."""
    ok = []
    for i in range(limit):
        k = f"{prefix}{i}"
        try:
            c.put_item(TableName=table, Item={"pk": {"S": k}, "g": {"S": "G"}, "v": {"S": "x" * size}})
        except ClientError as e:
            return ok, e
        ok.append(k)
    pytest.fail(f"{limit} items of {size} bytes fitted")


def indexed_table(c):
    return create_table(c, extra_attrs={"g": "S"}, stream="KEYS_ONLY", GlobalSecondaryIndexes=[{
        "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                          {"AttributeName": "pk", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}])


def check_consistent(endpoint, table, acknowledged, failed):
    """Every acknowledged item, its index entry and its stream record are there; the failed one
    left nothing."""
    c, s = make_client(endpoint), make_streams_client(endpoint)
    items = {i["pk"]["S"] for i in scan_all(c, TableName=table, ConsistentRead=True)}
    assert set(acknowledged) <= items and failed not in items
    idx = {i["pk"]["S"] for i in query_all(c, TableName=table, IndexName="byG",
                                            KeyConditionExpression="g = :g",
                                            ExpressionAttributeValues={":g": {"S": "G"}})}
    assert idx == items
    recs = [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(s, latest_stream_arn(c, table))]
    assert sorted(recs) == sorted(items) and failed not in recs


def test_full_disk_fails_writes_cleanly_and_reads_go_on(start_ddbd, tmpfs):
    d = tmpfs(3)
    p = start_ddbd(DATA_DIR_FLAG, str(d / "data"), "--map-size", "64MB")
    c = make_client(p.endpoint)
    t = indexed_table(c)
    ok, e = fill(c, t, "k", 60000)
    assert err(e)[0] == "InternalServerError" and "disk is full" in err(e)[1], err(e)
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    failed = f"k{len(ok)}"
    assert c.get_item(TableName=t, Key={"pk": {"S": ok[0]}}, ConsistentRead=True)["Item"]["pk"]["S"] == ok[0]
    with pytest.raises(ClientError) as again:  # still full: the same clean answer, ddbd still up
        c.put_item(TableName=t, Item={"pk": {"S": failed}, "g": {"S": "G"}, "v": {"S": "x" * 60000}})
    assert err(again)[0] == "InternalServerError"
    check_consistent(p.endpoint, t, ok, failed)
    p.terminate()
    subprocess.run(["mount", "-o", "remount,size=16m", str(d)], check=True)  # room again
    q = start_ddbd(DATA_DIR_FLAG, str(d / "data"), "--map-size", "64MB")
    check_consistent(q.endpoint, t, ok, failed)
    make_client(q.endpoint).put_item(TableName=t, Item={"pk": {"S": failed}, "g": {"S": "G"}})


def test_full_map_grows_then_stops_at_max_size(start_ddbd, tmp_path):
    data = tmp_path / "data"
    p = start_ddbd(DATA_DIR_FLAG, str(data), "--map-size", "1MB", "--max-size", "4MB")
    c = make_client(p.endpoint)
    t = indexed_table(c)
    ok, e = fill(c, t, "m", 50000)
    assert len(ok) > 40  # the 1 MB map grew: 2 MB of items went in
    assert err(e)[0] == "InternalServerError" and "--max-size" in err(e)[1], err(e)
    assert "grown from 1 to 2 MB" in p.log_text() and "grown from 2 to 4 MB" in p.log_text()
    failed = f"m{len(ok)}"
    items = [{"Put": {"TableName": t, "Item": {"pk": {"S": f"tx{i}"}, "g": {"S": "G"}, "v": {"S": "y" * 60000}}}}
             for i in range(4)]
    with pytest.raises(ClientError) as txn:  # all or nothing, even when the map is what fails
        c.transact_write_items(TransactItems=items)
    assert err(txn)[0] == "InternalServerError"
    assert c.get_item(TableName=t, Key={"pk": {"S": "tx0"}}, ConsistentRead=True).get("Item") is None
    check_consistent(p.endpoint, t, ok, failed)
    p.terminate()
    q = start_ddbd(DATA_DIR_FLAG, str(data), "--max-size", "64MB")  # a larger limit: writes go on
    check_consistent(q.endpoint, t, ok, failed)
    make_client(q.endpoint).transact_write_items(TransactItems=items)


def test_read_only_data_dir_is_a_clear_message(start_ddbd, tmpfs, tmp_path):
    d = tmpfs(4)
    p = start_ddbd(DATA_DIR_FLAG, str(d / "data"))
    create_table(make_client(p.endpoint))
    p.terminate()
    subprocess.run(["mount", "-o", "remount,ro", str(d)], check=True)
    r = run_ddbd([DATA_DIR_FLAG, str(d / "data"), "--port", "0"])
    assert r.returncode == 1 and "is not writable" in r.stderr, r.stderr
    empty = tmpfs(1, ro=True)
    r = run_ddbd([DATA_DIR_FLAG, str(empty / "data"), "--port", "0"])
    assert r.returncode == 1 and "cannot create" in r.stderr and "Read-only" in r.stderr, r.stderr


def test_a_data_dir_in_use_is_refused(start_ddbd, tmp_path):
    data = tmp_path / "data"
    p = start_ddbd(DATA_DIR_FLAG, str(data))
    r = run_ddbd([DATA_DIR_FLAG, str(data), "--port", "0"])
    assert r.returncode == 1 and "in use by another ddbd" in r.stderr, r.stderr
    p.kill()  # however the holder ends, the lock goes with it
    start_ddbd(DATA_DIR_FLAG, str(data))


def test_damaged_data_files_are_refused_at_start(start_ddbd, tmp_path):
    data = tmp_path / "data"
    p = start_ddbd(DATA_DIR_FLAG, str(data))
    c = make_client(p.endpoint)
    t = create_table(c)
    for i in range(100):
        c.put_item(TableName=t, Item={"pk": {"S": f"k{i}"}, "v": {"S": "x" * 3000}})
    p.terminate()
    f = data / "data.mdb"
    whole = f.read_bytes()
    f.write_bytes(whole[: len(whole) // 2])
    r = run_ddbd([DATA_DIR_FLAG, str(data), "--port", "0"])
    assert r.returncode == 1 and "truncated" in r.stderr, r.stderr
    f.write_bytes(os.urandom(8192) + whole[8192:])
    r = run_ddbd([DATA_DIR_FLAG, str(data), "--port", "0"])
    assert r.returncode == 1 and "not an LMDB file" in r.stderr, r.stderr
    # damage in the middle, which LMDB would follow and crash on: every page the trees reach is
    # checked at start (a page no tree reaches, a free one, may hold anything)
    refused = started = 0
    for page in range(2, len(whole) // 4096, 3):
        f.write_bytes(whole[:page * 4096] + b"\xa5" * 4096 + whole[(page + 1) * 4096:])
        try:
            r = run_ddbd([DATA_DIR_FLAG, str(data), "--port", "0"], timeout=1.5)
        except subprocess.TimeoutExpired:
            started += 1  # an unreachable page: ddbd started (and was stopped by the timeout)
            continue
        assert r.returncode == 1 and "is damaged" in r.stderr, r.stderr
        refused += 1
    assert refused > started
    f.write_bytes(whole)
    start_ddbd(DATA_DIR_FLAG, str(data))  # the whole file again: all is well
