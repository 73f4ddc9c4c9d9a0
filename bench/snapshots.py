#!/usr/bin/python3
"""Save and restore of a 10-table, 10,000-item store: how long POST /_ddbd/snapshots and
POST /_ddbd/snapshots/NAME/restore take on a running ddbd (a benchmark, not a test).

Starts ddbd (durable on a temporary data dir, then --in-memory), creates 10 tables (a GSI on
each, a NEW_AND_OLD_IMAGES stream on half of them) and loads 1,000 items of ~200 bytes into
each through POST /_ddbd/load, then times REPS saves (each replacing the last) and REPS restores
(between two restores 100 items are changed, so each restore has something to undo). Prints the
medians and ranges of the client's round trip, of the server's own ElapsedMs (from the request
to the commit) and of the CPU time the server's threads used (/proc/PID/task/*/schedstat): on a
machine shared with other work the wall times include waiting for a CPU, the CPU time does not.

--pitr turns point-in-time recovery on for every table before its items are loaded, so the store
also holds an item history (two rows per write) that saves and restores carry.

usage: bench/snapshots.py [--ddbd build/ddbd] [--reps 20] [--tables 10] [--items 10000] [--pitr]
"""
import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "wire"))
import helpers  # noqa: E402  (DdbdProcess, signed raw requests)

NS = "benchkey/us-east-1"


def admin(endpoint, method, path, body=None):
    host, port = endpoint.split("//")[1].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=120)
    data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
    t0 = time.perf_counter()
    c.request(method, path, body=data)
    r = c.getresponse()
    out = r.read()
    dt = (time.perf_counter() - t0) * 1000
    c.close()
    if r.status >= 300:
        raise SystemExit(f"{method} {path}: {r.status} {out[:300]!r}")
    return (out if path.startswith("/_ddbd/dump") else json.loads(out)), dt


def table_def(name, stream):
    d = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
         "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g")],
         "GlobalSecondaryIndexes": [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "KEYS_ONLY"}}]}
    if stream:
        d["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    return d


def item(t, i, version=1):
    return {"pk": f"p{i // 10}", "sk": f"s{i:06d}", "g": f"g{i % 50}", "v": version, "t": t,
            "payload": "x" * 150}


def enable_pitr(endpoint, name):
    body = json.dumps({"TableName": name, "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})
    target = "UpdateContinuousBackups"
    h = helpers.signed_headers(endpoint, target, body, access_key=NS.split("/")[0])
    status, _, out = helpers.raw_request(endpoint, target, body, headers=h, sign=False)
    if status != 200:
        raise SystemExit(f"UpdateContinuousBackups: {status} {out[:300]!r}")


def populate(endpoint, tables, per_table, pitr):
    for t in range(tables):
        name = f"Bench{t}"
        doc = table_def(name, stream=t % 2 == 0)
        admin(endpoint, "POST", f"/_ddbd/load?namespace={NS}", doc)
        if pitr:  # before the items: each write then keeps its history (an entry and a log row)
            enable_pitr(endpoint, name)
        lines = "\n".join(json.dumps(item(name, i)) for i in range(per_table))
        admin(endpoint, "POST", f"/_ddbd/load?namespace={NS}&table={name}", lines)


def change_some(endpoint, version):
    lines = "\n".join(json.dumps(item("Bench0", i, version)) for i in range(100))
    admin(endpoint, "POST", f"/_ddbd/load?namespace={NS}&table=Bench0", lines)


def cpu_ms(pid):
    """CPU time of every thread of pid so far, in ms (schedstat: nanoseconds on a CPU)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total / 1e6


def timed(endpoint, pid, method, path, body=None):
    before = cpu_ms(pid)
    d, rt = admin(endpoint, method, path, body)
    return d, rt, cpu_ms(pid) - before


def spread(xs):
    return f"median {statistics.median(xs):7.2f} ms  (min {min(xs):.2f}, max {max(xs):.2f})"


def run(binary, flags, label, reps, tables, items, pitr):
    tmp = tempfile.mkdtemp(prefix="ddbd-bench-snap-")
    p = helpers.DdbdProcess(flags + (["--data-dir", os.path.join(tmp, "data")] if "--in-memory" not in flags else []),
                            log_path=os.path.join(tmp, "ddbd.log"), program=binary)
    try:
        p.wait_ready(10)
        populate(p.endpoint, tables, items // tables, pitr)
        d, _ = admin(p.endpoint, "POST", "/_ddbd/snapshots", {"name": "warm"})
        assert d["Items"] == items and d["Tables"] == tables, d
        pid = p.proc.pid
        save_rt, save_srv, save_cpu, rest_rt, rest_srv, rest_cpu = [], [], [], [], [], []
        for r in range(reps):
            d, rt, cpu = timed(p.endpoint, pid, "POST", "/_ddbd/snapshots", {"name": "base", "replace": True})
            save_rt.append(rt)
            save_srv.append(d["ElapsedMs"])
            save_cpu.append(cpu)
            change_some(p.endpoint, r + 2)
            d, rt, cpu = timed(p.endpoint, pid, "POST", "/_ddbd/snapshots/base/restore")
            assert d["Items"] == items, d
            rest_rt.append(rt)
            rest_srv.append(d["ElapsedMs"])
            rest_cpu.append(cpu)
        dump, _ = admin(p.endpoint, "GET", f"/_ddbd/dump?namespace={NS}&table=Bench0")
        assert all(json.loads(l)["Item"]["v"]["N"] == "1" for l in dump.decode().splitlines()), "restore lost a change"
        print(f"{label}: {tables} tables{' with PITR' if pitr else ''}, {items} items, {d['Streams']} streams, "
              f"{reps} runs each "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        for name, rt, srv, cpu in (("save", save_rt, save_srv, save_cpu), ("restore", rest_rt, rest_srv, rest_cpu)):
            print(f"  {name:8} round trip {spread(rt)}")
            print(f"  {'':8} server     {spread(srv)}")
            print(f"  {'':8} server CPU {spread(cpu)}")
    finally:
        p.terminate()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ddbd", default=os.path.join(ROOT, "build", "ddbd"))
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--tables", type=int, default=10)
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--pitr", action="store_true", help="point-in-time recovery on every table (item history too)")
    a = ap.parse_args()
    binary = os.path.abspath(a.ddbd)
    run(binary, [], "durable (fsync at commit)", a.reps, a.tables, a.items, a.pitr)
    run(binary, ["--in-memory"], "--in-memory", a.reps, a.tables, a.items, a.pitr)


if __name__ == "__main__":
    main()
