#!/usr/bin/python3
"""kill -9 soak: rounds of mixed load against a durable ddbd, each ended by SIGKILL at a random
moment, then a restart and a full check.

Load (4 client threads, each for --seconds per round): conditional appends (attribute_not_exists),
plain puts (half of them with a TTL in the past, so the sweeper deletes them), transactions (two
conditional puts and a counter), counter updates; a GSI created in round 2 and another in round 12
(backfills that a kill may interrupt); TTL sweeps (POST /_ddbd/ttl/sweep) twice a second; a trigger
delivering the stream to a local function.

After each restart:
  * every acknowledged write is there (or, for an item past its TTL, deleted by the sweeper with
    a REMOVE record that says so); a write in flight at the kill is there or not, whole;
  * the stream's sequence numbers are gap-free, and replaying the stream gives exactly the table;
  * each ACTIVE index holds exactly the items that have its key;
  * the trigger's checkpoint never goes backwards, and it delivers again after the restart.

Bounded: --rounds (20) x --seconds (3) of load plus the checks; loopback only; ddbd is killed by
its PID. Exit 0 and a summary line when every check held.

    /usr/bin/python3 tests/soak/kill9_soak.py --ddbd build/ddbd [--rounds 20] [--seconds 3]
"""
import argparse
import http.server
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "wire"))
import helpers  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

TABLE = "Events"


class Receiver(http.server.ThreadingHTTPServer):
    """The trigger's function: records every sequence number it is given."""

    def __init__(self):
        self.seqs = []
        self.lock = threading.Lock()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with outer.lock:
                    outer.seqs += [int(r["dynamodb"]["SequenceNumber"]) for r in body["Records"]]
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *a):
                pass

        super().__init__(("127.0.0.1", 0), H)
        self.daemon_threads = True
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def handle_error(self, request, client_address):
        pass  # ddbd killed while the reply was on its way: expected here


class Ledger:
    """What the clients were told: per key, the last acknowledged image and a write in flight."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}  # (streamId, version) -> image (None: deleted)
        self.inflight = {}  # key -> image being written when the kill came
        self.counter_acked = 0
        self.counter_inflight = 0
        self.expiring = set()  # keys written with a TTL in the past

    def begin(self, key, image):
        with self.lock:
            self.inflight[key] = image

    def ack(self, key, image):
        with self.lock:
            self.acked[key] = image
            self.inflight.pop(key, None)

    def fail(self, key):
        with self.lock:
            self.inflight.pop(key, None)


def item_key(item):
    return item["streamId"]["S"], int(item["version"]["N"])


def worker(endpoint, wid, stop, ledger, seed):
    rnd = random.Random(seed)
    c = helpers.make_client(endpoint, connect_timeout=2, read_timeout=10)
    version = {}
    while not stop.is_set():
        kind = rnd.random()
        try:
            if kind < 0.4:  # a conditional append to this worker's own stream
                s = f"s{wid}"
                v = version.get(s, ledger_next(ledger, s))
                item = image(s, v, rnd)
                ledger.begin((s, v), item)
                c.put_item(TableName=TABLE, Item=item, ConditionExpression="attribute_not_exists(version)")
                ledger.ack((s, v), item)
                version[s] = v + 1
            elif kind < 0.65:  # a plain put, half of them already past their TTL
                s, v = f"p{wid}", rnd.randint(1, 40)
                item = image(s, v, rnd)
                if rnd.random() < 0.5:
                    item["expires"] = {"N": str(int(time.time()) - 100)}
                ledger.begin((s, v), item)
                c.put_item(TableName=TABLE, Item=item)
                with ledger.lock:
                    if "expires" in item:
                        ledger.expiring.add((s, v))
                ledger.ack((s, v), item)
            elif kind < 0.85:  # a transaction: two conditional appends and the counter
                s1, s2 = f"t{wid}a", f"t{wid}b"
                v = version.get(s1, ledger_next(ledger, s1))
                a, b = image(s1, v, rnd), image(s2, v, rnd)
                ledger.begin((s1, v), a)
                ledger.begin((s2, v), b)
                with ledger.lock:
                    ledger.counter_inflight += 1
                try:
                    c.transact_write_items(TransactItems=[
                        {"Put": {"TableName": TABLE, "Item": a, "ConditionExpression": "attribute_not_exists(version)"}},
                        {"Put": {"TableName": TABLE, "Item": b, "ConditionExpression": "attribute_not_exists(version)"}},
                        {"Update": {"TableName": TABLE, "Key": {"streamId": {"S": "counter"}, "version": {"N": "0"}},
                                    "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                    ])
                except ClientError:  # refused: neither put happened
                    ledger.fail((s1, v))
                    ledger.fail((s2, v))
                    raise
                # any other error (the kill): it may have committed, so it stays in flight
                ledger.ack((s1, v), a)
                ledger.ack((s2, v), b)
                with ledger.lock:
                    ledger.counter_acked += 1
                    ledger.counter_inflight -= 1
                version[s1] = v + 1
            else:  # the counter alone
                with ledger.lock:
                    ledger.counter_inflight += 1
                c.update_item(TableName=TABLE, Key={"streamId": {"S": "counter"}, "version": {"N": "0"}},
                              UpdateExpression="ADD n :one", ExpressionAttributeValues={":one": {"N": "1"}})
                with ledger.lock:
                    ledger.counter_acked += 1
                    ledger.counter_inflight -= 1
        except ClientError as e:
            raise AssertionError(f"worker {wid}: unexpected {e}") from None
        except Exception:
            return  # the server went away (the kill): what is in flight stays in flight


def guarded(errors, fn, *args):
    """Runs fn(*args) in a load thread; an assertion there fails the round (it would otherwise
    end only that thread)."""
    try:
        fn(*args)
    except AssertionError as e:
        errors.append(str(e))


def sweeper(endpoint, stop):
    """TTL sweeps during the load (ddbd's own sweeper is off, so that the checks after a restart
    see a table that holds still)."""
    while not stop.wait(0.5):
        try:
            helpers.admin(endpoint, "/_ddbd/ttl/sweep", {})
        except Exception:
            return


def ledger_next(ledger, s):
    with ledger.lock:
        known = [v for (k, v) in list(ledger.acked) + list(ledger.inflight) if k == s]
    return max(known, default=0) + 1


def image(s, v, rnd):
    return {"streamId": {"S": s}, "version": {"N": str(v)}, "etype": {"S": rnd.choice("ABC")},
            "kind": {"S": rnd.choice("xyz")}, "payload": {"S": "x" * rnd.randint(10, 2000)}}


class Soak:
    def __init__(self, args):
        self.args = args
        self.dir = Path(tempfile.mkdtemp(prefix="ddbd-soak-"))
        self.receiver = Receiver()
        self.ledger = Ledger()
        self.proc = None
        self.checkpoints = []
        self.indexes = []

    def start(self):
        self.port = helpers.free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        log = open(self.dir / "ddbd.log", "ab")
        self.proc = subprocess.Popen(
            [self.args.ddbd, "--port", str(self.port), "--data-dir", str(self.dir / "data"),
             "--ttl-sweep-seconds", "0", "--trigger", f"{TABLE}={self.receiver.url()},batch=50"],
            stdout=log, stderr=log)
        log.close()
        helpers.wait_until(lambda: helpers.health_ok(self.endpoint), timeout=10, what="ddbd to answer")
        self.client = helpers.make_client(self.endpoint)
        self.streams = helpers.make_streams_client(self.endpoint)

    def kill(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def setup(self):
        helpers.create_table(self.client, TABLE, hash=("streamId", "S"), range=("version", "N"),
                             stream="NEW_AND_OLD_IMAGES")
        self.client.update_time_to_live(TableName=TABLE, TimeToLiveSpecification={"Enabled": True,
                                                                                   "AttributeName": "expires"})

    def add_index(self, name, attr):
        self.client.update_table(
            TableName=TABLE, AttributeDefinitions=[{"AttributeName": attr, "AttributeType": "S"},
                                                   {"AttributeName": "version", "AttributeType": "N"}],
            GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": name, "KeySchema": [
                {"AttributeName": attr, "KeyType": "HASH"}, {"AttributeName": "version", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
        self.indexes.append((name, attr))

    def load(self, rnd, rnd_no):
        stop = threading.Event()
        errors = []
        threads = [threading.Thread(target=guarded,
                                    args=(errors, worker, self.endpoint, w, stop, self.ledger, rnd.random()))
                   for w in range(4)] + [threading.Thread(target=sweeper, args=(self.endpoint, stop))]
        for t in threads:
            t.start()
        if rnd_no in (2, 12):
            time.sleep(self.args.seconds * rnd.random() / 2)
            self.add_index(f"idx{rnd_no}", "etype" if rnd_no == 2 else "kind")
        time.sleep(self.args.seconds * (0.5 + rnd.random() / 2))
        self.kill()  # mid-load, at a random moment
        stop.set()
        for t in threads:
            t.join(30)
        assert not errors, f"round {rnd_no}: " + "; ".join(errors)

    # ---- checks ----

    def check(self, rnd_no):
        c = self.client
        items = {item_key(i): i for i in helpers.scan_all(c, TableName=TABLE, ConsistentRead=True)}
        records = helpers.read_all(self.streams, helpers.latest_stream_arn(c, TABLE))
        seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else True, "stream has gaps"
        replay, ttl_removed = {}, set()
        for r in records:
            k = item_key(r["dynamodb"]["Keys"])
            if r["eventName"] == "REMOVE":
                replay.pop(k, None)
                if r.get("userIdentity", {}).get("PrincipalId") == "dynamodb.amazonaws.com":
                    ttl_removed.add(k)
            else:
                replay[k] = r["dynamodb"]["NewImage"]
        assert replay == items, f"round {rnd_no}: replaying the stream does not give the table"
        led = self.ledger
        with led.lock:
            for k, img in led.acked.items():
                got = items.get(k)
                if got == img or (k in led.inflight and got == led.inflight[k]):
                    continue
                # swept by TTL: it, or a later write of the key in flight at a kill, had expired
                later = led.inflight.get(k) or {}
                if got is None and k in ttl_removed and (k in led.expiring or "expires" in later):
                    continue
                raise AssertionError(f"round {rnd_no}: acknowledged write {k} lost: have {got}")
            for k in led.inflight:  # in flight at the kill: whole or absent; settle the ledger
                got = items.get(k)
                if got is not None and got == led.inflight[k]:
                    led.acked[k] = got
                    if "expires" in got:  # the sweeper may take it in a later round
                        led.expiring.add(k)
            led.inflight.clear()
            n = int(items.get(("counter", 0), {}).get("n", {}).get("N", "0"))
            assert led.counter_acked <= n <= led.counter_acked + led.counter_inflight, \
                f"round {rnd_no}: counter {n}, acknowledged {led.counter_acked} (+{led.counter_inflight} in flight)"
            led.counter_acked, led.counter_inflight = n, 0
        self.check_indexes(items)
        self.check_trigger(seqs)
        return len(items), len(seqs)

    def check_indexes(self, items):
        def settled():
            gsis = c.describe_table(TableName=TABLE)["Table"].get("GlobalSecondaryIndexes", [])
            return all(g["IndexStatus"] == "ACTIVE" for g in gsis) and gsis

        c = self.client
        if not self.indexes:
            return
        helpers.wait_until(settled, timeout=60, what="index backfills to finish after the restart")
        for name, attr in self.indexes:
            got = set()
            for v in "ABC" if attr == "etype" else "xyz":
                got |= {item_key(i) for i in helpers.query_all(
                    c, TableName=TABLE, IndexName=name, KeyConditionExpression="#a = :v",
                    ExpressionAttributeNames={"#a": attr}, ExpressionAttributeValues={":v": {"S": v}})}
            want = {k for k, i in items.items() if attr in i}
            assert got == want, f"index {name}: {len(got ^ want)} entries differ from the items"

    def check_trigger(self, seqs):
        def state():
            status, doc = helpers.admin(self.endpoint, "/_ddbd/triggers")
            return doc["Triggers"][0]

        t = state()
        cp = int(t.get("Checkpoint") or 0)
        assert not self.checkpoints or cp >= self.checkpoints[-1], \
            f"trigger checkpoint went back: {self.checkpoints[-1]} -> {cp}"
        self.checkpoints.append(cp)
        if seqs:  # it delivers again after the restart, up to the last record
            helpers.wait_until(lambda: int(state().get("Checkpoint") or 0) >= seqs[-1], timeout=60,
                               what="the trigger to catch up")
            with self.receiver.lock:
                assert seqs[-1] in self.receiver.seqs

    def run(self):
        rnd = random.Random(self.args.seed)
        self.start()
        self.setup()
        t0 = time.monotonic()
        for n in range(1, self.args.rounds + 1):
            self.load(rnd, n)
            self.start()
            nitems, nrecs = self.check(n)
            print(f"round {n}: {nitems} items, {nrecs} stream records, checkpoint {self.checkpoints[-1]}, "
                  f"{len(self.indexes)} indexes: ok", flush=True)
        self.proc.terminate()
        rc = self.proc.wait(30)
        assert rc == 0, f"ddbd exited {rc} at the end"
        print(f"kill -9 soak: {self.args.rounds} rounds passed in {time.monotonic() - t0:.0f} s")

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.receiver.shutdown()
        if not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ddbd", default=helpers.ddbd_binary())
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--keep", action="store_true", help="keep the data directory and log")
    args = ap.parse_args(argv)
    print(f"seed {args.seed}", flush=True)
    soak = Soak(args)
    try:
        soak.run()
    finally:
        if sys.exc_info()[0] is not None:
            print(f"data and log kept in {soak.dir}", file=sys.stderr)
            args.keep = True
        soak.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
