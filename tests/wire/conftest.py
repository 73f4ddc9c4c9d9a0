"""Fixtures for the wire tests.

Target selection:
  * DDBD_ENDPOINT unset: start build/ddbd (or $DDBD_BIN) with --in-memory on a free
    loopback port for the session, stop it with SIGTERM at the end.
  * DDBD_ENDPOINT=http://host:port: use that endpoint (DynamoDB Local, a running ddbd, ...).
    Tests marked ddbd_only are skipped.

DDBD_ENDPOINT_KIND (ddbd | local | other) says what is behind DDBD_ENDPOINT; when unset it is
guessed (DynamoDB Local answers with a Jetty Server header). Against DynamoDB Local, tests marked
aws_differs are expected to fail (strict xfail): they assert AWS's behaviour where DynamoDB Local
is known to differ.

DDBD_START_TIMEOUT (seconds, default 5) bounds the wait for a started ddbd to answer GET / with 200.
DDBD_DATA_DIR_FLAG (default --data-dir) is the flag the durability tests pass for an on-disk data dir.
DDBD_FORCE_DDBD_ONLY=1 runs ddbd_only tests against DDBD_ENDPOINT anyway (useful for the raw-HTTP ones
when ddbd is already running; the ones that start their own ddbd still need DDBD_BIN).

A test that needs a ddbd of its own (flags, restarts, kill -9, a clock to move) takes `start_ddbd`,
or a module's `clocked`; every one still running afterwards is stopped with SIGTERM and must exit 0.
Shared plain functions (clients, raw requests, tables, waiting, streams) are in helpers.py.
"""
import http.client
import os
from urllib.parse import urlparse

import pytest

import helpers



def _endpoint_kind():
    endpoint = os.environ.get("DDBD_ENDPOINT")
    if not endpoint:
        return "ddbd"
    kind = os.environ.get("DDBD_ENDPOINT_KIND")
    if kind:
        return kind
    u = urlparse(endpoint)
    try:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=2)
        c.request("GET", "/")
        r = c.getresponse()
        r.read()
        server = r.getheader("Server") or ""
        c.close()
    except OSError:
        return "other"
    if "jetty" in server.lower():
        return "local"
    return "ddbd" if r.status == 200 else "other"


ENDPOINT_KIND = _endpoint_kind()


def pytest_collection_modifyitems(config, items):
    external = bool(os.environ.get("DDBD_ENDPOINT"))
    for item in items:
        if external and item.get_closest_marker("ddbd_only") and not os.environ.get("DDBD_FORCE_DDBD_ONLY"):
            item.add_marker(pytest.mark.skip(reason="ddbd_only: DDBD_ENDPOINT is set"))
        m = item.get_closest_marker("aws_differs")
        if m is not None:
            reason = m.args[0] if m.args else m.kwargs.get("reason", "")
            if not reason:
                raise pytest.UsageError(f"{item.nodeid}: aws_differs needs a reason")
            if ENDPOINT_KIND == "local":
                item.add_marker(pytest.mark.xfail(strict=True, reason="DynamoDB Local differs from AWS: " + reason))


def pytest_report_header(config):
    ep = os.environ.get("DDBD_ENDPOINT") or f"ddbd started from {helpers.ddbd_binary()}"
    return f"ddbd wire tests: endpoint={ep} kind={ENDPOINT_KIND}"


@pytest.fixture(autouse=True)
def _record_aws_differs(request, record_property):
    """Tag aws_differs tests in the JUnit XML (compat/diff.py reads the property)."""
    m = request.node.get_closest_marker("aws_differs")
    if m is not None:
        record_property("aws_differs", m.args[0] if m.args else m.kwargs.get("reason", ""))
    record_property("endpoint_kind", ENDPOINT_KIND)


def _stopped(ddbds):
    problems = ddbds.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


class Server:
    def __init__(self, endpoint, kind, proc=None):
        self.endpoint = endpoint
        self.kind = kind
        self.proc = proc


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    endpoint = os.environ.get("DDBD_ENDPOINT")
    if endpoint:
        yield Server(endpoint.rstrip("/"), ENDPOINT_KIND)
        return
    binary = helpers.ddbd_binary()
    if not os.access(binary, os.X_OK):
        pytest.exit(f"ddbd binary not found at {binary} (build it or set DDBD_BIN / DDBD_ENDPOINT)", returncode=2)
    ddbds = helpers.DdbdSet(tmp_path_factory.mktemp("ddbd"))
    try:
        # Triggers the tests create at run time write their on-failure files in pytest's tmp_path.
        p = ddbds.start("--in-memory", "--trigger-dir", str(tmp_path_factory.getbasetemp()))
    except RuntimeError as e:
        pytest.exit(str(e), returncode=2)
    yield Server(p.endpoint, "ddbd", p)
    # A clean shutdown exits 0; under the sanitizers a leak or a memory error
    # anywhere in the run shows up here as a non-zero exit.
    _stopped(ddbds)


@pytest.fixture(scope="session")
def endpoint(server):
    return server.endpoint


@pytest.fixture
def ddb(endpoint):
    """A boto3 DynamoDB client (us-east-1, dummy credentials)."""
    return helpers.make_client(endpoint)


@pytest.fixture
def raw_ddb(endpoint):
    """A boto3 client without client-side parameter validation (the server validates)."""
    return helpers.make_client(endpoint, validate=False)


@pytest.fixture
def streams(endpoint):
    """A boto3 DynamoDB Streams client."""
    return helpers.make_streams_client(endpoint)


@pytest.fixture
def raw_streams(endpoint):
    """A boto3 DynamoDB Streams client without client-side parameter validation."""
    return helpers.make_streams_client(endpoint, validate=False)


@pytest.fixture
def client_factory(endpoint):
    """make(access_key=..., region=...) → a boto3 client for another namespace."""
    made = []

    def make(access_key=helpers.DEFAULT_ACCESS_KEY, region=helpers.DEFAULT_REGION):
        c = helpers.make_client(endpoint, access_key=access_key, region=region)
        made.append(c)
        return c

    return make


@pytest.fixture
def table_name(ddb):
    """A unique table name; the table is deleted after the test if it exists."""
    name = helpers.unique_name()
    yield name
    helpers.drop_table(ddb, name)


@pytest.fixture
def make_table(ddb):
    """make_table(hash=("pk","S"), range=None, client=None, name=None, **extra) → table name, ACTIVE.

    extra as for helpers.create_table (extra_attrs, stream, any CreateTable parameter);
    PAY_PER_REQUEST unless extra says otherwise; every table made is deleted afterwards.
    """
    made = []

    def make(hash=("pk", "S"), range=None, client=None, name=None, **extra):
        client = client or ddb
        name = helpers.create_table(client, name, hash=hash, range=range, **extra)
        made.append((client, name))
        helpers.wait_active(client, name)
        return name

    yield make
    for client, name in made:
        helpers.drop_table(client, name)


@pytest.fixture
def hash_table(make_table):
    """Table with partition key pk (S)."""
    return make_table()


@pytest.fixture
def range_table(make_table):
    """Table with partition key pk (S) and sort key sk (S)."""
    return make_table(range=("sk", "S"))


@pytest.fixture
def cli(endpoint):
    """cli("dynamodb", "list-tables", ...) → parsed JSON from the AWS CLI v2."""

    def run(*args, **kw):
        return helpers.run_cli(endpoint, *args, **kw)

    return run


@pytest.fixture
def start_ddbd(tmp_path):
    """start_ddbd(*flags, env=None, cwd=None, port=None, program=None, ready_timeout=5.0) → a helpers.DdbdProcess
    of the test's own, answering requests, logging to tmp_path/ddbd-<n>.log. Each one still running
    after the test is stopped with SIGTERM and must exit 0."""
    ddbds = helpers.DdbdSet(tmp_path)
    yield ddbds.start
    _stopped(ddbds)


@pytest.fixture(scope="module")
def clocked(tmp_path_factory):
    """The endpoint of a ddbd for this module alone (in memory, no background sweeper), so its
    tests can move the clock and sweep when they mean to while the shared server's clock stays real."""
    ddbds = helpers.DdbdSet(tmp_path_factory.mktemp("clocked"))
    yield ddbds.start("--in-memory", "--ttl-sweep-seconds", "0").endpoint
    _stopped(ddbds)
