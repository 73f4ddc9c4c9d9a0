#!/usr/bin/python3
"""bench/vectors.py - vector index figures for a ddbd it starts itself (not a timed test).

    bench/vectors.py [--ddbd build/ddbd] [--items 100000] [--dims 128] [--searches 200]

1. Write cost: the same items loaded with BatchWriteItem (4 connections) into a table without
   and into one with a vector index (COSINE, one HASH value); items per second of each.
2. Search: SearchVectors, TopK 10, over the one HASH partition holding all the items: the first
   search (which packs the partition in memory), p50/p99 latency of --searches random queries (one
   connection, loopback, request to reply), and of 20 searches each after a write to the index.
3. Memory: ddbd's resident set size and the size of its store after loading.

ddbd runs with --no-fsync on a scratch data dir and a free loopback port, and is stopped at the end. Requests are plain
HTTP with a SigV4-shaped header (ddbd does not check signatures), so the client costs little."""
import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

AUTH = ("AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0")


class Conn:
    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, op, body):
        data = json.dumps(body).encode()
        self.c.request("POST", "/", data, {"X-Amz-Target": f"DynamoDB_20120810.{op}", "Authorization": AUTH,
                                           "Content-Type": "application/x-amz-json-1.0", "X-Amz-Date": "20260101T000000Z"})
        r = self.c.getresponse()
        out = r.read()
        if r.status != 200:
            raise RuntimeError(f"{op}: {r.status} {out[:300]!r}")
        return json.loads(out)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def vectors(n, dims, seed):
    rnd = random.Random(seed)
    return [[round(rnd.uniform(-1, 1), 5) for _ in range(dims)] for _ in range(n)]


def create(conn, table, with_index, dims):
    body = {"TableName": table, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
    if with_index:
        body["AttributeDefinitions"].append({"AttributeName": "cat", "AttributeType": "S"})
        body["VectorIndexes"] = [{"IndexName": "emb", "VectorAttribute": {"AttributeName": "v"}, "Dimensions": dims,
                                  "DistanceFunction": "COSINE", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                  "SearchSchema": [{"AttributeName": "cat", "SearchSchemaElementType": "HASH"}]}]
    conn.call("CreateTable", body)


def load(port, table, vecs, threads=4):
    """Loads every vector with BatchWriteItem; returns items per second."""
    chunks = [list(range(i, min(i + 25, len(vecs)))) for i in range(0, len(vecs), 25)]
    lock = threading.Lock()
    errors = []

    def worker():
        c = Conn(port)
        while True:
            with lock:
                if not chunks:
                    return
                ids = chunks.pop()
            reqs = [{"PutRequest": {"Item": {"pk": {"S": f"i{i}"}, "cat": {"S": "all"},
                                             "v": {"L": [{"N": str(x)} for x in vecs[i]]}}}} for i in ids]
            try:
                r = c.call("BatchWriteItem", {"RequestItems": {table: reqs}})
                assert not r.get("UnprocessedItems"), "unprocessed items"
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
                return

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]
    return len(vecs) / (time.perf_counter() - t0)


def search_times(conn, queries, before_each=None):
    """Milliseconds of each SearchVectors (TopK 10, HASH cat = all), request to reply."""
    lat = []
    for i, q in enumerate(queries):
        if before_each:
            before_each(i)
        body = {"TableName": "search", "IndexName": "emb", "TopK": 10,
                "SearchVector": [{"N": str(x)} for x in q], "SearchConditionExpression": "cat = :c",
                "ExpressionAttributeValues": {":c": {"S": "all"}}}
        t = time.perf_counter()
        r = conn.call("SearchVectors", body)
        lat.append((time.perf_counter() - t) * 1000)
        assert len(r["SearchResults"]) == 10
    return lat


def report(what, lat):
    lat = sorted(lat)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    print(f"{what}: p50 {statistics.median(lat):.1f} ms, p99 {p99:.1f} ms, max {lat[-1]:.1f} ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ddbd", default=os.path.join(os.path.dirname(__file__), "..", "build", "ddbd"))
    ap.add_argument("--items", type=int, default=100000)
    ap.add_argument("--dims", type=int, default=128)
    ap.add_argument("--searches", type=int, default=200)
    ap.add_argument("--write-items", type=int, default=20000, help="items per table for the write comparison")
    a = ap.parse_args()
    port = free_port()
    data = tempfile.mkdtemp(prefix="ddbd-vbench-")
    p = subprocess.Popen([a.ddbd, "--port", str(port), "--data-dir", data, "--no-fsync"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        conn = Conn(port)
        wv = vectors(a.write_items, a.dims, 1)
        create(conn, "plain", False, a.dims)
        create(conn, "indexed", True, a.dims)
        plain = load(port, "plain", wv)
        indexed = load(port, "indexed", wv)
        print(f"writes ({a.write_items} items of {a.dims} dims, BatchWriteItem, 4 connections): "
              f"{plain:.0f} items/s without a vector index, {indexed:.0f} with one "
              f"({plain / indexed:.2f}x slower)")
        conn.call("DeleteTable", {"TableName": "plain"})
        conn.call("DeleteTable", {"TableName": "indexed"})
        sv = vectors(a.items, a.dims, 2)
        create(conn, "search", True, a.dims)
        t0 = time.perf_counter()
        load(port, "search", sv)
        print(f"loaded {a.items} items in {time.perf_counter() - t0:.1f} s")
        store = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data))
        print(f"memory after loading: ddbd RSS {rss_kb(p.pid) / 1024:.0f} MB; store files {store / 2**20:.0f} MB")
        qs = vectors(a.searches + 21, a.dims, 3)
        first = search_times(conn, qs[:1])
        print(f"first search (packs the partition in memory): {first[0]:.1f} ms")
        report(f"SearchVectors over {a.items} x {a.dims} dims, TopK 10, one HASH partition, {a.searches} searches",
               search_times(conn, qs[1:a.searches + 1]))
        report("each after a PutItem to the index (the partition packed again), 20 searches",
               search_times(conn, qs[a.searches + 1:], lambda i: conn.call("PutItem", {"TableName": "search", "Item": {
                   "pk": {"S": f"new{i}"}, "cat": {"S": "all"}, "v": {"L": [{"N": str(x)} for x in sv[i]]}}})))
        print(f"memory after searching: ddbd RSS {rss_kb(p.pid) / 1024:.0f} MB")
    finally:
        p.terminate()
        p.wait(timeout=30)
        subprocess.run(["rm", "-rf", data])


if __name__ == "__main__":
    sys.exit(main())
