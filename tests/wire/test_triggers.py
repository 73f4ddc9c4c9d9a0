"""Stream triggers: stream records delivered to a local HTTP function the way Lambda's event
source mapping invokes a DynamoDB-stream function (issue #7).

A small receiver (http.server in a thread) records every POST and answers as each test scripts
it. Tests poll with a deadline instead of sleeping.
"""
import http.client
import http.server
import json
import threading
import time

import pytest

import helpers
from helpers import holds_for, wait_until

pytestmark = pytest.mark.ddbd_only

RECORD_KEYS = {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb", "eventSourceARN"}


class Receiver:
    """Records POSTs; answer(path, body) -> (status, body_text, delay_seconds) decides the reply."""

    def __init__(self):
        self.posts = []  # (path, parsed body)
        self.lock = threading.Lock()
        self.answer = lambda path, body: (200, "", 0)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(n))
                with outer.lock:
                    outer.posts.append((self.path, body))
                status, text, delay = outer.answer(self.path, body)
                if delay:
                    time.sleep(delay)  # a slow function, as the test scripted it
                data = text.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the caller gave up (a timeout test)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def answer_in_turn(self, *answers):
        """The first POST gets answers[0], the second answers[1], ..., every later one the last;
        each answer is (status, body_text, delay_seconds) or a function of the POSTed body giving one."""
        calls = []

        def answer(path, body):
            with self.lock:
                calls.append(path)
                a = answers[min(len(calls), len(answers)) - 1]
            return a(body) if callable(a) else a

        self.answer = answer

    def url(self, path="/fn"):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def batches(self, path="/fn"):
        with self.lock:
            return [b["Records"] for p, b in self.posts if p == path]

    def records(self, path="/fn"):
        return [r for b in self.batches(path) for r in b]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def create_trigger(endpoint, **settings):
    status, body = helpers.admin(endpoint, "/_ddbd/triggers", settings)
    assert status == 201, body
    return body


def trigger_state(endpoint, uuid):
    status, body = helpers.admin(endpoint, f"/_ddbd/triggers/{uuid}")
    assert status == 200, body
    return body


@pytest.fixture
def triggers(endpoint):
    """create(**settings) -> trigger description; every trigger made is deleted afterwards."""
    made = []

    def create(**settings):
        t = create_trigger(endpoint, **settings)
        made.append(t["UUID"])
        return t

    yield create
    for uuid in made:
        helpers.admin(endpoint, f"/_ddbd/triggers/{uuid}", method="DELETE")


def stream_table(make_table, view="NEW_IMAGE"):
    return make_table(range=("sk", "N"), stream=view)


def append(ddb, table, stream, n, first=1, etype="OrderPlaced"):
    for i in range(first, first + n):
        ddb.put_item(TableName=table, Item={"pk": {"S": stream}, "sk": {"N": str(i)}, "type": {"S": etype}})


def seqs(records):
    return [int(r["dynamodb"]["SequenceNumber"]) for r in records]


def test_event_store_loop_delivers_inserts_in_order(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    t = triggers(TableName=table, Url=receiver.url())
    assert t["BatchSize"] == 100 and t["StartingPosition"] == "TRIM_HORIZON" and t["MaximumRetryAttempts"] == -1
    append(ddb, table, "order-1", 5)
    recs = wait_until(lambda: len(receiver.records()) >= 5 and receiver.records(), what="5 records")
    assert len(recs) == 5
    assert [r["dynamodb"]["NewImage"]["sk"]["N"] for r in recs] == ["1", "2", "3", "4", "5"]
    assert seqs(recs) == sorted(seqs(recs))
    for r in recs:
        assert set(r) == RECORD_KEYS
        assert r["eventName"] == "INSERT" and r["eventSource"] == "aws:dynamodb"
        assert r["eventSourceARN"] == arn
        assert r["dynamodb"]["NewImage"]["type"] == {"S": "OrderPlaced"}
        assert r["dynamodb"]["Keys"] == {"pk": {"S": "order-1"}, "sk": {"N": r["dynamodb"]["NewImage"]["sk"]["N"]}}
    last = recs[-1]["dynamodb"]["SequenceNumber"]
    st = wait_until(lambda: (s := trigger_state(endpoint, t["UUID"]))["Checkpoint"] == last and s,
                    what="checkpoint at the last record")
    assert st["Lag"] == 0 and st["LastError"] is None and st["State"] == "Enabled"
    assert st["EventSourceArn"] == arn and st["RecordsDelivered"] == 5
    status, listing = helpers.admin(endpoint, "/_ddbd/triggers")
    assert status == 200 and t["UUID"] in [x["UUID"] for x in listing["Triggers"]]


def test_retried_after_500_and_checkpoint_only_on_success(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    boom = (500, '{"errorMessage":"boom"}', 0)
    receiver.answer_in_turn(boom, boom, (200, "", 0))
    append(ddb, table, "s", 3)
    t = triggers(TableName=table, Url=receiver.url())
    wait_until(lambda: len(receiver.batches()) >= 3, what="3 attempts")
    b = receiver.batches()
    assert b[0] == b[1] == b[2] and len(b[0]) == 3  # the same batch, again, until it succeeds
    st = wait_until(lambda: (s := trigger_state(endpoint, t["UUID"]))["Lag"] == 0 and s, what="lag 0")
    assert st["Checkpoint"] == b[0][-1]["dynamodb"]["SequenceNumber"]
    assert st["LastProcessingResult"] == "OK" and st["Invocations"] == 3
    holds_for(lambda: len(receiver.batches()) == 3, 0.3, what="no attempt after the success")


def test_bisect_isolates_a_poison_record(ddb, make_table, receiver, triggers, endpoint, tmp_path):
    table = stream_table(make_table)
    dest = tmp_path / "failures.jsonl"

    def answer(path, body):
        poisoned = any(r["dynamodb"]["NewImage"]["type"]["S"] == "Poison" for r in body["Records"])
        return (500, "", 0) if poisoned else (200, "", 0)

    receiver.answer = answer
    append(ddb, table, "s", 2)
    append(ddb, table, "s", 1, first=3, etype="Poison")
    append(ddb, table, "s", 2, first=4)
    t = triggers(TableName=table, Url=receiver.url(), BisectBatchOnFunctionError=True, MaximumRetryAttempts=0,
                 DestinationConfig={"OnFailure": {"Destination": str(dest)}})
    st = wait_until(lambda: (s := trigger_state(endpoint, t["UUID"]))["Lag"] == 0 and s, what="all records handled")
    ok = [r["dynamodb"]["NewImage"]["sk"]["N"] for p, b in receiver.posts
          if not any(r["dynamodb"]["NewImage"]["type"]["S"] == "Poison" for r in b["Records"]) for r in b["Records"]]
    assert sorted(set(ok), key=int) == ["1", "2", "4", "5"]
    poison_batches = [b for b in receiver.batches() if any(r["dynamodb"]["NewImage"]["type"]["S"] == "Poison" for r in b)]
    assert len(poison_batches[-1]) == 1  # bisected down to the poison record alone
    lines = wait_until(lambda: dest.exists() and dest.read_text().splitlines(), what="the on-failure record")
    assert len(lines) == 1
    info = json.loads(lines[0])["DDBStreamBatchInfo"]
    poison_seq = poison_batches[-1][0]["dynamodb"]["SequenceNumber"]
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"] == poison_seq
    assert st["RecordsDropped"] == 1


def test_report_batch_item_failures_resumes_at_the_failed_item(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)

    def third_failed(body):
        failed = body["Records"][2]["dynamodb"]["SequenceNumber"]
        return 200, json.dumps({"batchItemFailures": [{"itemIdentifier": failed}]}), 0

    receiver.answer_in_turn(third_failed, (200, json.dumps({"batchItemFailures": []}), 0))
    append(ddb, table, "s", 5)
    t = triggers(TableName=table, Url=receiver.url(), FunctionResponseTypes=["ReportBatchItemFailures"])
    assert t["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    wait_until(lambda: len(receiver.batches()) >= 2, what="the retry")
    first, second = receiver.batches()[:2]
    assert len(first) == 5
    assert second == first[2:]  # resumes at the failed item, not at the batch start
    st = wait_until(lambda: (s := trigger_state(endpoint, t["UUID"]))["Lag"] == 0 and s, what="lag 0")
    assert st["Checkpoint"] == first[-1]["dynamodb"]["SequenceNumber"]


def test_invalid_item_identifier_fails_the_whole_batch(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    unknown = json.dumps({"batchItemFailures": [{"itemIdentifier": "999999999999999999999"}]})
    receiver.answer_in_turn((200, unknown, 0), (200, "{}", 0))
    append(ddb, table, "s", 2)
    t = triggers(TableName=table, Url=receiver.url(), FunctionResponseTypes=["ReportBatchItemFailures"])
    wait_until(lambda: len(receiver.batches()) >= 2, what="the retry")
    assert receiver.batches()[0] == receiver.batches()[1]
    wait_until(lambda: trigger_state(endpoint, t["UUID"])["Lag"] == 0, what="lag 0")


def test_filter_passes_one_event_type_and_checkpoint_moves_past_the_rest(ddb, make_table, receiver, triggers,
                                                                         endpoint):
    table = stream_table(make_table)
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"type": {"S": ["OrderPlaced"]}}}}
    t = triggers(TableName=table, Url=receiver.url(),
                 FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]})
    append(ddb, table, "s", 1, first=1, etype="OrderPlaced")
    append(ddb, table, "s", 2, first=2, etype="OrderShipped")
    append(ddb, table, "s", 1, first=4, etype="OrderPlaced")
    append(ddb, table, "s", 1, first=5, etype="OrderCancelled")
    wait_until(lambda: len(receiver.records()) >= 2, what="2 records")
    st = wait_until(lambda: (s := trigger_state(endpoint, t["UUID"]))["Lag"] == 0 and s, what="lag 0")
    assert [r["dynamodb"]["NewImage"]["sk"]["N"] for r in receiver.records()] == ["1", "4"]
    # past the filtered-out tail: the OrderCancelled record is done too
    assert st["Checkpoint"] > receiver.records()[-1]["dynamodb"]["SequenceNumber"]


def test_latest_and_trim_horizon(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    append(ddb, table, "s", 2)
    triggers(TableName=table, Url=receiver.url("/latest"), StartingPosition="LATEST")
    triggers(TableName=table, Url=receiver.url("/horizon"), StartingPosition="TRIM_HORIZON")
    append(ddb, table, "s", 1, first=3)
    wait_until(lambda: len(receiver.records("/horizon")) >= 3 and receiver.records("/latest"), what="both")
    assert [r["dynamodb"]["NewImage"]["sk"]["N"] for r in receiver.records("/horizon")] == ["1", "2", "3"]
    assert [r["dynamodb"]["NewImage"]["sk"]["N"] for r in receiver.records("/latest")] == ["3"]


def test_batch_size_is_honoured(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    append(ddb, table, "s", 5)
    t = triggers(TableName=table, Url=receiver.url(), BatchSize=2)
    wait_until(lambda: len(receiver.records()) >= 5, what="5 records")
    assert [len(b) for b in receiver.batches()] == [2, 2, 1]
    assert trigger_state(endpoint, t["UUID"])["BatchSize"] == 2


def test_batches_stay_under_lambdas_6_mb_payload(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    big = "x" * (350 * 1024)
    for i in range(20):  # 7 MB of NEW_IMAGE records: more than one invocation can carry
        ddb.put_item(TableName=table, Item={"pk": {"S": "s"}, "sk": {"N": str(i)}, "blob": {"S": big}})
    triggers(TableName=table, Url=receiver.url(), BatchSize=100)
    wait_until(lambda: len(receiver.records()) >= 20, what="20 records")
    # measured from the POSTs received (an answer function may not have run yet for the last one)
    sizes = [len(json.dumps(body)) for _, body in receiver.posts]
    assert len(sizes) >= 2 and max(sizes) <= 6 * 1024 * 1024
    assert [int(r["dynamodb"]["NewImage"]["sk"]["N"]) for r in receiver.records()] == list(range(20))


def test_batching_window_gathers_records(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    triggers(TableName=table, Url=receiver.url(), MaximumBatchingWindowInSeconds=1)
    append(ddb, table, "s", 3)
    wait_until(lambda: len(receiver.records()) >= 3, what="3 records")
    assert [len(b) for b in receiver.batches()] == [3]


def test_a_full_batch_does_not_wait_for_its_window(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    triggers(TableName=table, Url=receiver.url(), MaximumBatchingWindowInSeconds=30, BatchSize=3)
    started = time.monotonic()
    append(ddb, table, "s", 3)  # one write at a time: the window is open when the batch fills up
    wait_until(lambda: len(receiver.records()) >= 3, what="the full batch")
    append(ddb, table, "s", 1, first=4)
    assert time.monotonic() - started < 10
    assert [len(b) for b in receiver.batches()] == [3]  # the 4th waits for its window


def test_retry_attempts_exhausted_drops_to_the_on_failure_file(ddb, make_table, receiver, triggers, endpoint,
                                                               tmp_path):
    table = stream_table(make_table)
    dest = tmp_path / "dlq.jsonl"
    receiver.answer = lambda path, body: (500, "", 0)
    append(ddb, table, "s", 2)
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    t = triggers(TableName=table, Url=receiver.url(), MaximumRetryAttempts=1,
                 DestinationConfig={"OnFailure": {"Destination": "file://" + str(dest)}})
    lines = wait_until(lambda: dest.exists() and dest.read_text().splitlines(), what="the on-failure record")
    rec = json.loads(lines[0])
    assert len(receiver.batches()) == 2  # the first attempt and one retry
    batch = receiver.batches()[0]
    assert set(rec) == {"requestContext", "responseContext", "version", "timestamp", "DDBStreamBatchInfo"}
    assert rec["version"] == "1.0"
    assert rec["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert rec["requestContext"]["approximateInvokeCount"] == 2
    # Lambda's Invoke status is 200 even when the function failed; functionError says it did
    assert rec["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    info = rec["DDBStreamBatchInfo"]
    assert set(info) == {"shardId", "startSequenceNumber", "endSequenceNumber", "approximateArrivalOfFirstRecord",
                         "approximateArrivalOfLastRecord", "batchSize", "streamArn"}
    assert info["shardId"].startswith("shardId-")
    assert info["startSequenceNumber"] == batch[0]["dynamodb"]["SequenceNumber"]
    assert info["endSequenceNumber"] == batch[-1]["dynamodb"]["SequenceNumber"]
    assert info["batchSize"] == 2 and info["streamArn"] == arn
    st = wait_until(lambda: (s := trigger_state(endpoint, t["UUID"]))["Lag"] == 0 and s, what="moved past")
    assert st["RecordsDropped"] == 2


def test_lag_last_error_and_recovery(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    failing = {"on": True}
    receiver.answer = lambda path, body: (503, "down", 0) if failing["on"] else (200, "", 0)
    t = triggers(TableName=table, Url=receiver.url())
    append(ddb, table, "s", 4)
    st = wait_until(lambda: (s := trigger_state(endpoint, t["UUID"]))["LastError"] and s, what="an error")
    assert st["LastError"].startswith("HTTP 503") and st["Lag"] == 4
    assert st["LastProcessingResult"] == "PROBLEM: Function call failed"
    failing["on"] = False
    st = wait_until(lambda: (s := trigger_state(endpoint, t["UUID"]))["Lag"] == 0 and s, timeout=20, what="recovery")
    assert st["LastProcessingResult"] == "OK"


def test_timeout_and_refused_connection_are_function_errors(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    receiver.answer_in_turn((200, "", 2.5), (200, "", 0))  # the first call outlasts the 1 s timeout
    append(ddb, table, "s", 1)
    t = triggers(TableName=table, Url=receiver.url(), Timeout=1)
    wait_until(lambda: len(receiver.batches()) >= 2, what="a retry after the timeout")
    st = wait_until(lambda: (s := trigger_state(endpoint, t["UUID"]))["Lag"] == 0 and s, what="lag 0")
    assert receiver.batches()[0] == receiver.batches()[1]
    # nothing listens on this port: a refused connection
    port = helpers.free_port()
    t2 = triggers(TableName=table, Url=f"http://127.0.0.1:{port}/x")
    st = wait_until(lambda: (s := trigger_state(endpoint, t2["UUID"]))["LastError"] and s, what="the refusal")
    assert "refused" in st["LastError"] and st["Lag"] == 1


def test_writes_are_not_slowed_by_a_hanging_function(ddb, make_table, receiver, triggers):
    table = stream_table(make_table)
    receiver.answer = lambda path, body: (200, "", 3)
    triggers(TableName=table, Url=receiver.url(), Timeout=5)
    started = time.monotonic()
    append(ddb, table, "s", 20)
    assert time.monotonic() - started < 2.5
    wait_until(lambda: receiver.batches(), what="a delivery")


def test_trigger_waits_for_its_table(ddb, receiver, triggers, endpoint, make_table):
    name = helpers.unique_name()
    t = triggers(TableName=name, Url=receiver.url())
    assert t["State"] == "Waiting" and t["EventSourceArn"] is None
    make_table(name=name, range=("sk", "N"), stream="NEW_AND_OLD_IMAGES")
    append(ddb, name, "s", 1)
    recs = wait_until(lambda: receiver.records(), what="a record")
    assert recs[0]["eventName"] == "INSERT"
    assert trigger_state(endpoint, t["UUID"])["State"] == "Enabled"


@pytest.mark.parametrize("body,msg", [
    ({"Url": "http://127.0.0.1:1/x"}, "a trigger needs TableName and Url"),
    ({"TableName": "tbl", "Url": "https://example.com/"}, "Url: the URL must start with http:// (no TLS): https://example.com/"),
    ({"TableName": "tbl", "Url": "http://127.0.0.1:1/", "BatchSize": 0},
     "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: "
     "Member must have value greater than or equal to 1"),
    ({"TableName": "tbl", "Url": "http://127.0.0.1:1/", "BatchSize": 10001},
     "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: "
     "Member must have value less than or equal to 10000"),
    ({"TableName": "tbl", "Url": "http://127.0.0.1:1/", "MaximumBatchingWindowInSeconds": 301},
     "1 validation error detected: Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: "
     "Member must have value less than or equal to 300"),
    ({"TableName": "tbl", "Url": "http://127.0.0.1:1/", "MaximumRetryAttempts": -2},
     "1 validation error detected: Value '-2' at 'maximumRetryAttempts' failed to satisfy constraint: "
     "Member must have value greater than or equal to -1"),
    ({"TableName": "tbl", "Url": "http://127.0.0.1:1/", "MaximumRecordAgeInSeconds": 30},
     "MaximumRecordAgeInSeconds must be -1 (no limit) or between 60 and 604800, got 30"),
    ({"TableName": "tbl", "Url": "http://127.0.0.1:1/", "StartingPosition": "AT_TIMESTAMP"},
     "1 validation error detected: Value 'AT_TIMESTAMP' at 'startingPosition' failed to satisfy constraint: "
     "Member must satisfy enum value set: [TRIM_HORIZON, LATEST]"),
    ({"TableName": "tbl", "Url": "http://127.0.0.1:1/", "FunctionResponseTypes": ["Other"]},
     "FunctionResponseTypes must be [] or [\"ReportBatchItemFailures\"]"),
    ({"TableName": "tbl", "Url": "http://127.0.0.1:1/", "Batchsize": 5}, "unknown setting 'Batchsize'"),
    ({"TableName": "tbl", "Url": "http://127.0.0.1:1/", "FilterCriteria": {"Filters": [{"Pattern": "{\"a\":\"b\"}"}]}},
     "Invalid filter pattern definition: \"a\" must be an object or a list of values"),
    ({"TableName": "tbl", "Url": "http://127.0.0.1:1/", "FilterCriteria": {"Filters": [{"Pattern": "{"}]}},
     None),
    ({"TableName": "tbl", "Url": "http://127.0.0.1:1/", "DestinationConfig": {"OnFailure": {"Destination": "rel/path"}}},
     "DestinationConfig.OnFailure.Destination must be an absolute file path, file:///path or http://host:port/path, "
     "got 'rel/path'"),
    ({"TableName": "x", "Url": "http://127.0.0.1:1/"},
     "TableName must be 3 to 255 characters of a-z, A-Z, 0-9, '_', '-' and '.', got 'x'"),
])
def test_admin_validation(endpoint, body, msg):
    status, answer = helpers.admin(endpoint, "/_ddbd/triggers", body)
    assert status == 400
    if msg is None:
        assert answer["error"].startswith("Invalid filter pattern definition: Pattern is not valid JSON")
    else:
        assert answer == {"error": msg}


def test_admin_errors_and_delete(endpoint, receiver):
    status, answer = helpers.admin(endpoint, "/_ddbd/triggers", "{not json")
    assert status == 400 and answer["error"].startswith("the body is not valid JSON")
    assert helpers.admin(endpoint, "/_ddbd/triggers/nope") == (404, {"error": "no such trigger"})
    assert helpers.admin(endpoint, "/_ddbd/triggers/nope", method="DELETE") == (404, {"error": "no such trigger"})
    assert helpers.admin(endpoint, "/_ddbd/triggers", method="PUT")[0] == 405
    t = create_trigger(endpoint, TableName="not-there-yet", Url=receiver.url(), UUID="my-trigger")
    assert t["UUID"] == "my-trigger" and t["Origin"] == "admin"
    status, gone = helpers.admin(endpoint, "/_ddbd/triggers/my-trigger", method="DELETE")
    assert status == 200 and gone["UUID"] == "my-trigger" and gone["State"] == "Deleting"
    assert helpers.admin(endpoint, "/_ddbd/triggers/my-trigger")[0] == 404
    _, listing = helpers.admin(endpoint, "/_ddbd/triggers")
    assert "my-trigger" not in [x["UUID"] for x in listing["Triggers"]]


def create_stream_table(ddb, table):
    """stream_table's shape, for tests that run their own ddbd."""
    helpers.create_table(ddb, table, range=("sk", "N"), stream="NEW_IMAGE")


@pytest.fixture
def durable(tmp_path, start_ddbd):
    """durable(*flags) → a ddbd of the test's own on tmp_path/data, logging each delivery (info);
    called again after a stop, it restarts on the same data."""
    return lambda *flags: start_ddbd(helpers.DATA_DIR_FLAG, str(tmp_path / "data"), "--log-level", "info", *flags)


def ddbd_with_a_trigger(durable, url, options):
    """A ddbd from `durable` started with --trigger TABLE=url,options for a new stream table, which
    is created after ddbd is up (the trigger waits for it): (ddbd, client, table, flags for a restart)."""
    table = helpers.unique_name()
    flags = ["--trigger", f"{table}={url},{options}"]
    p = durable(*flags)
    ddb = helpers.make_client(p.endpoint)
    create_stream_table(ddb, table)
    return p, ddb, table, flags


def test_flag_and_file_triggers_survive_a_restart_without_duplicates(tmp_path, durable, receiver):
    table = helpers.unique_name()
    cfg = tmp_path / "triggers.json"
    pattern = {"dynamodb": {"NewImage": {"type": {"S": ["OrderShipped"]}}}}
    cfg.write_text(json.dumps({"Triggers": [{
        "TableName": table, "Url": receiver.url("/shipped"),
        "FilterCriteria": {"Filters": [{"Pattern": json.dumps(pattern)}]}}]}))
    flags = ["--trigger", f"{table}={receiver.url('/all')},batch=2", "--triggers-file", str(cfg)]
    p = durable(*flags)
    ddb = helpers.make_client(p.endpoint)
    # the fixture creates its table after ddbd is up: the triggers wait for it
    create_stream_table(ddb, table)
    append(ddb, table, "s", 3)
    append(ddb, table, "s", 1, first=4, etype="OrderShipped")
    wait_until(lambda: len(receiver.records("/all")) >= 4 and receiver.records("/shipped"),
               what=lambda: "first deliveries: %s" % helpers.admin(p.endpoint, "/_ddbd/triggers")[1])
    _, listing = helpers.admin(p.endpoint, "/_ddbd/triggers")
    origins = sorted(x["Origin"] for x in listing["Triggers"])
    assert origins == ["file", "flag"]
    uuids = sorted(x["UUID"] for x in listing["Triggers"])
    wait_until(lambda: all(x["Lag"] == 0 for x in helpers.admin(p.endpoint, "/_ddbd/triggers")[1]["Triggers"]),
               what="checkpoints")
    assert p.terminate() == 0

    p = durable(*flags)
    ddb = helpers.make_client(p.endpoint)
    _, listing = helpers.admin(p.endpoint, "/_ddbd/triggers")
    assert sorted(x["UUID"] for x in listing["Triggers"]) == uuids
    append(ddb, table, "s", 1, first=5, etype="OrderShipped")
    wait_until(lambda: len(receiver.records("/all")) >= 5 and len(receiver.records("/shipped")) >= 2,
               what="deliveries after the restart")
    # nothing delivered twice: no more records come while we watch
    holds_for(lambda: len(receiver.records("/all")) == 5 and len(receiver.records("/shipped")) == 2, 0.5)
    ids = [r["eventID"] for r in receiver.records("/all")]
    assert len(ids) == len(set(ids)) == 5
    assert [r["dynamodb"]["NewImage"]["sk"]["N"] for r in receiver.records("/shipped")] == ["4", "5"]
    assert all(len(b) <= 2 for b in receiver.batches("/all"))  # batch=2 from the flag
    assert p.terminate() == 0


def test_bad_trigger_flags_are_refused():
    for flag, msg in [
        ("tbl", "--trigger wants TABLE=http://host:port/path[,key=value...], got 'tbl'"),
        ("tbl=http://127.0.0.1:9/x,batch=0", "Value '0' at 'batchSize'"),
        ("tbl=http://127.0.0.1:9/x,colour=red", "unknown trigger option 'colour'"),
    ]:
        r = helpers.run_ddbd(["--in-memory", "--port", "0", "--trigger", flag])
        assert r.returncode == 2 and msg in r.stderr


def test_record_age_exceeded_drops_old_records(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    dest = Receiver()  # the on-failure destination is a URL this time
    try:
        receiver.answer = lambda path, body: (500, "", 0)
        append(ddb, table, "s", 2)
        t = triggers(TableName=table, Url=receiver.url(), MaximumRecordAgeInSeconds=60,
                     DestinationConfig={"OnFailure": {"Destination": dest.url("/dlq")}})
        wait_until(lambda: receiver.batches(), what="a failed attempt")
        status, _ = helpers.admin(endpoint, "/_ddbd/clock", {"advance_ms": 120000})
        assert status == 200
        try:
            got = wait_until(lambda: dest.posts, what="the on-failure record")
            rec = got[0][1]
            assert rec["requestContext"]["condition"] == "RecordAgeExceeded"
            assert rec["DDBStreamBatchInfo"]["batchSize"] == 2
            wait_until(lambda: trigger_state(endpoint, t["UUID"])["Lag"] == 0, what="moved past")
        finally:
            helpers.admin(endpoint, "/_ddbd/clock", {"advance_ms": -120000})
    finally:
        dest.close()


def test_follows_the_new_stream_after_disable_and_enable(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    t = triggers(TableName=table, Url=receiver.url())
    append(ddb, table, "s", 1)
    wait_until(lambda: receiver.records(), what="the first record")
    old_arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": False})
    helpers.wait_active(ddb, table)
    ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    helpers.wait_active(ddb, table)
    new_arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    assert new_arn != old_arn
    append(ddb, table, "s", 1, first=2)
    recs = wait_until(lambda: len(receiver.records()) >= 2 and receiver.records(), what="a record of the new stream")
    assert [r["eventSourceARN"] for r in recs] == [old_arn, new_arn]
    assert trigger_state(endpoint, t["UUID"])["EventSourceArn"] == new_arn


def test_clean_shutdown_waits_for_the_batch_in_flight(receiver, durable):
    receiver.answer = lambda path, body: (200, "", 1.0)  # a slow function
    p, ddb, table, flags = ddbd_with_a_trigger(durable, receiver.url(), "timeout=5")
    append(ddb, table, "s", 2)
    wait_until(lambda: receiver.posts, what="a batch in flight")
    assert p.terminate() == 0  # SIGTERM while the function is still working
    log = p.log_text()
    assert "records 000000000000000000001.." in log and "HTTP 200" in log  # the delivery log line
    receiver.answer = lambda path, body: (200, "", 0)
    p = durable(*flags)
    ddb = helpers.make_client(p.endpoint)
    append(ddb, table, "s", 1, first=3)
    wait_until(lambda: len(receiver.records()) >= 3, what="the record after the restart")
    holds_for(lambda: len(receiver.records()) == 3, 0.5, what="no record delivered twice")
    ids = [r["eventID"] for r in receiver.records()]
    assert len(ids) == len(set(ids)) == 3
    assert p.terminate() == 0


def test_readme_loop_with_the_cli(cli, make_table, receiver, triggers, endpoint):
    """The README's worked example: the AWS CLI appends events, the handler gets them."""
    table = make_table(hash=("streamId", "S"), range=("version", "N"), stream="NEW_IMAGE")
    triggers(TableName=table, Url=receiver.url())
    for v, etype in [("1", "OrderPlaced"), ("2", "OrderShipped")]:
        cli("dynamodb", "put-item", "--table-name", table,
            "--item", json.dumps({"streamId": {"S": "order-1"}, "version": {"N": v}, "type": {"S": etype}}),
            "--condition-expression", "attribute_not_exists(version)")
    recs = wait_until(lambda: len(receiver.records()) >= 2 and receiver.records(), what="2 records")
    assert [(r["eventName"], r["dynamodb"]["NewImage"]["type"]["S"]) for r in recs] == [
        ("INSERT", "OrderPlaced"), ("INSERT", "OrderShipped")]


class RawServer:
    """A TCP server answering each request with the bytes mode[0] says (a broken function host)."""

    def __init__(self):
        import socket
        self.mode = ["garbage"]
        self.hits = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def url(self):
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/raw"

    def serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.hits += 1
                answers = {
                    "garbage": b"this is not HTTP\r\n\r\n",
                    "hangup": b"",
                    "eof-body": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{}",
                }
                conn.sendall(answers[self.mode[0]])

    def close(self):
        self.stop = True
        self.sock.close()


def test_broken_function_hosts_are_function_errors(ddb, make_table, triggers, endpoint):
    table = stream_table(make_table)
    raw = RawServer()
    try:
        append(ddb, table, "s", 1)
        t = triggers(TableName=table, Url=raw.url())
        st = wait_until(lambda: (s := trigger_state(endpoint, t["UUID"]))["LastError"] and s, what="an error")
        assert st["LastError"] == "malformed HTTP response" and st["Lag"] == 1
        raw.mode[0] = "hangup"
        wait_until(lambda: trigger_state(endpoint, t["UUID"])["LastError"] ==
                   "connection closed before a complete response", what="the hang-up")
        raw.mode[0] = "eof-body"  # a body delimited by the close is a complete response
        wait_until(lambda: trigger_state(endpoint, t["UUID"])["Lag"] == 0, what="success")
        assert trigger_state(endpoint, t["UUID"])["LastProcessingResult"] == "OK"
    finally:
        raw.close()


def test_disabled_trigger_pauses_and_redefining_it_resumes(ddb, make_table, receiver, triggers, endpoint):
    table = stream_table(make_table)
    t = triggers(TableName=table, Url=receiver.url(), Enabled=False, BatchSize=10)
    assert t["Enabled"] is False and t["State"] == "Disabled"
    append(ddb, table, "s", 2)
    wait_until(lambda: trigger_state(endpoint, t["UUID"])["Lag"] == 2, what="lag 2")
    assert receiver.posts == [] and trigger_state(endpoint, t["UUID"])["State"] == "Disabled"
    # POST with the same UUID redefines it (like UpdateEventSourceMapping); the checkpoint stays
    again = create_trigger(endpoint, UUID=t["UUID"], TableName=table, Url=receiver.url(), Enabled=True, BatchSize=10)
    assert again["Enabled"] is True
    recs = wait_until(lambda: len(receiver.records()) >= 2 and receiver.records(), what="2 records")
    assert [r["dynamodb"]["NewImage"]["sk"]["N"] for r in recs] == ["1", "2"]
    assert trigger_state(endpoint, t["UUID"])["State"] == "Enabled"


def test_namespace_picks_the_callers_table(client_factory, receiver, triggers, endpoint, make_table):
    key = helpers.fresh_access_key()
    other = client_factory(access_key=key)
    name = make_table(client=other, range=("sk", "N"), stream="NEW_IMAGE")
    mine = triggers(TableName=name, Url=receiver.url("/mine"), Namespace=f"{key}/{helpers.DEFAULT_REGION}")
    wrong = triggers(TableName=name, Url=receiver.url("/wrong"), Namespace=f"{key}/eu-west-1")
    append(other, name, "s", 1)
    wait_until(lambda: receiver.records("/mine"), what="the record")
    assert trigger_state(endpoint, mine["UUID"])["Namespace"] == f"{key}/{helpers.DEFAULT_REGION}"
    st = trigger_state(endpoint, wrong["UUID"])
    assert st["State"] == "Waiting" and st["EventSourceArn"] is None and receiver.records("/wrong") == []


@pytest.mark.ddbd_only
def test_ttl_deletions_reach_the_function_with_lambdas_identity(receiver, start_ddbd):
    """Lambda spells the TTL identity {"type", "principalId"} (the Streams API says "Type",
    "PrincipalId"); a filter on userIdentity.type is how functions skip TTL deletions."""
    own = start_ddbd("--in-memory", "--ttl-sweep-seconds", "0")
    ddb = helpers.make_client(own.endpoint)
    table = helpers.create_table(ddb, stream="OLD_IMAGE")
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ttl_only = {"userIdentity": {"type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]}}
    create_trigger(own.endpoint, TableName=table, Url=receiver.url("/all"))
    create_trigger(own.endpoint, TableName=table, Url=receiver.url("/ttl"),
                   FilterCriteria={"Filters": [{"Pattern": json.dumps(ttl_only)}]})
    now = helpers.clock(own.endpoint)["now_ms"] // 1000
    ddb.put_item(TableName=table, Item={"pk": {"S": "session"}, "exp": {"N": str(now + 60)}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "manual"}})
    ddb.delete_item(TableName=table, Key={"pk": {"S": "manual"}})
    helpers.advance_clock(own.endpoint, 120)
    assert helpers.ttl_sweep(own.endpoint)["expired"] == 1
    wait_until(lambda: len(receiver.records("/all")) >= 4 and receiver.records("/ttl"), what="deliveries")
    everything = receiver.records("/all")
    assert [r["eventName"] for r in everything] == ["INSERT", "INSERT", "REMOVE", "REMOVE"]
    assert "userIdentity" not in everything[2]  # a user's delete
    assert everything[3]["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    [ttl] = receiver.records("/ttl")
    assert ttl["dynamodb"]["Keys"] == {"pk": {"S": "session"}}
    assert ttl["eventSourceARN"] == helpers.latest_stream_arn(ddb, table)
    assert own.terminate() == 0


def test_a_batch_in_flight_at_kill_9_is_delivered_again(receiver, durable):
    """At-least-once: ddbd killed while the function holds a batch has no checkpoint past it,
    so the restarted ddbd delivers those records again; once answered, they are not repeated."""
    held = threading.Event()
    receiver.answer = lambda path, body: (200, "", 0) if held.is_set() else (held.set(), (200, "", 30))[1]
    p, ddb, table, flags = ddbd_with_a_trigger(durable, receiver.url(), "timeout=60")
    append(ddb, table, "s", 3)
    wait_until(lambda: held.is_set(), what="the first batch to reach the function")
    p.kill()  # SIGKILL while the function still holds the batch

    p = durable(*flags)
    held_batch = receiver.batches()[0]
    wait_until(lambda: sum(len(b) for b in receiver.batches()[1:]) >= 3, what="redelivery after the restart")
    after = [r for b in receiver.batches()[1:] for r in b]
    assert [r["eventID"] for r in after[:len(held_batch)]] == [r["eventID"] for r in held_batch]
    assert [r["dynamodb"]["NewImage"]["sk"]["N"] for r in after] == ["1", "2", "3"]
    wait_until(lambda: helpers.admin(p.endpoint, "/_ddbd/triggers")[1]["Triggers"][0]["Lag"] == 0,
               what="checkpoint")
    assert p.terminate() == 0

    delivered = len(receiver.records())
    p = durable(*flags)  # a clean restart repeats nothing
    append(helpers.make_client(p.endpoint), table, "s", 1, first=4)
    wait_until(lambda: len(receiver.records()) > delivered, what="the next record")
    holds_for(lambda: len(receiver.records()) == delivered + 1, 0.5, what="nothing delivered again")
    assert [r["dynamodb"]["NewImage"]["sk"]["N"] for r in receiver.records()[delivered:]] == ["4"]
    assert p.terminate() == 0


def test_a_window_gathers_records_written_one_by_one_each_once(ddb, make_table, receiver, triggers):
    """While a batch waits out its window, new commits extend it: every record once, in order."""
    table = stream_table(make_table)
    triggers(TableName=table, Url=receiver.url(), BatchSize=100, MaximumBatchingWindowInSeconds=1)
    append(ddb, table, "s", 30)
    wait_until(lambda: len(receiver.records()) >= 30, what="30 records")
    holds_for(lambda: len(receiver.records()) == 30, 0.3, what="no record delivered twice")
    records = receiver.records()
    assert [r["dynamodb"]["NewImage"]["sk"]["N"] for r in records] == [str(i) for i in range(1, 31)]
    assert len(receiver.batches()) <= 2  # gathered, not one invocation per write


def test_redefining_a_trigger_with_a_batch_in_flight_delivers_it_once(ddb, make_table, receiver, triggers, endpoint):
    """One batch in flight per trigger: the redefinition waits for it and goes on after it."""
    table = stream_table(make_table)
    lock, state = threading.Lock(), {"now": 0, "most": 0, "calls": 0}

    def answer(path, body):
        with lock:
            state["calls"] += 1
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
            slow = state["calls"] == 1
        time.sleep(1.0 if slow else 0)  # the first batch stays in flight while the test redefines the trigger
        with lock:
            state["now"] -= 1
        return 200, "", 0

    receiver.answer = answer
    cfg = {"TableName": table, "Url": receiver.url(), "UUID": "11111111-2222-3333-4444-555555555555"}
    triggers(**cfg)
    append(ddb, table, "s", 1)
    wait_until(lambda: state["calls"] >= 1, what="the first batch in flight")
    status, body = helpers.admin(endpoint, "/_ddbd/triggers", dict(cfg, BatchSize=50))
    assert status in (200, 201), body
    append(ddb, table, "s", 2, first=2)
    wait_until(lambda: len(receiver.records()) >= 3, what="3 records")
    wait_until(lambda: trigger_state(endpoint, cfg["UUID"])["Lag"] == 0, what="lag 0")
    holds_for(lambda: len(receiver.records()) == 3, 0.3, what="no record delivered twice")
    assert [r["dynamodb"]["NewImage"]["sk"]["N"] for r in receiver.records()] == ["1", "2", "3"]
    assert state["most"] == 1  # never two POSTs at once
    assert trigger_state(endpoint, cfg["UUID"])["BatchSize"] == 50
