"""DynamoDB Local's command line given to ddbd, and `ddbd health` (ddbd only).

Scripts, compose files and Testcontainers set-ups start DynamoDB Local as
`java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -sharedDb -dbPath ./data`;
ddbd takes the same words. The option names, the messages reused and the
defaults (data in the working directory, the first of a repeated option
wins) are DynamoDB Local 3.3.0's, checked by running its jar.
"""
import http.server
import os
import signal
import socket
import subprocess
import threading
import time

import pytest

import helpers

pytestmark = pytest.mark.ddbd_only


def run(args, timeout=10, **kw):
    return subprocess.run([helpers.ddbd_binary()] + list(args), capture_output=True, text=True, timeout=timeout, **kw)


class LocalStyle:
    """ddbd started with DynamoDB Local's words only (no --port added)."""

    def __init__(self, args, cwd, port=None):
        self.port = port or helpers.free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(cwd, "ddbd.log"), "ab")
        self.proc = subprocess.Popen([helpers.ddbd_binary()] + [a.replace("PORT", str(self.port)) for a in args],
                                     cwd=cwd, stdout=self.log, stderr=self.log)

    def wait_ready(self, timeout=5.0):
        deadline = time.monotonic() + float(os.environ.get("DDBD_START_TIMEOUT", timeout))
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"ddbd exited with {self.proc.returncode}"
            if helpers.health_ok(self.endpoint, timeout=0.3):
                return self
            time.sleep(0.05)
        raise AssertionError("ddbd did not answer GET /")

    def terminate(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def create_table(client, name):
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])


def test_port_in_memory_shared_db(tmp_path):
    """-port N -inMemory -sharedDb: one set of tables for every key and region, nothing on disk."""
    p = LocalStyle(["-port", "PORT", "-inMemory", "-sharedDb"], cwd=tmp_path).wait_ready()
    try:
        a = helpers.make_client(p.endpoint, access_key="KEYA", region="us-east-1")
        b = helpers.make_client(p.endpoint, access_key="KEYB", region="eu-west-1")
        create_table(a, "shared")
        a.put_item(TableName="shared", Item={"pk": {"S": "from-a"}})
        assert b.list_tables()["TableNames"] == ["shared"]
        assert b.get_item(TableName="shared", Key={"pk": {"S": "from-a"}})["Item"] == {"pk": {"S": "from-a"}}
    finally:
        assert p.terminate() == 0
    assert sorted(os.listdir(tmp_path)) == ["ddbd.log"]


def test_without_shared_db_namespaces_are_separate(tmp_path):
    p = LocalStyle(["-inMemory", "-port", "PORT"], cwd=tmp_path).wait_ready()
    try:
        a = helpers.make_client(p.endpoint, access_key="KEYA", region="us-east-1")
        b = helpers.make_client(p.endpoint, access_key="KEYB", region="us-east-1")
        create_table(a, "mine")
        assert b.list_tables()["TableNames"] == []
    finally:
        assert p.terminate() == 0


def test_java_jar_db_path_keeps_data(tmp_path):
    """The whole java command line, as scripts have it; -dbPath is created and keeps the data."""
    args = ["java", "-Xmx256m", "-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar",
            "-sharedDb", "-dbPath", "./data", "-port", "PORT", "-delayTransientStatuses",
            "-disableTelemetry", "-optimizeDbBeforeStartup"]
    port = helpers.free_port()
    for round_ in range(2):
        p = LocalStyle(args, cwd=tmp_path, port=port).wait_ready()
        try:
            c = helpers.make_client(p.endpoint)
            if round_ == 0:
                create_table(c, "kept")
                c.put_item(TableName="kept", Item={"pk": {"S": "x"}})
            else:
                assert c.get_item(TableName="kept", Key={"pk": {"S": "x"}})["Item"] == {"pk": {"S": "x"}}
        finally:
            assert p.terminate() == 0
    assert (tmp_path / "data" / "data.mdb").exists()


def test_called_as_java(tmp_path):
    """A link named java to ddbd: scripts that run `java -jar DynamoDBLocal.jar ...` from PATH start ddbd."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "java").symlink_to(helpers.ddbd_binary())
    port = helpers.free_port()
    proc = subprocess.Popen(["java", "-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar",
                             "-port", str(port), "-inMemory"], cwd=tmp_path,
                            env=dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while not helpers.health_ok(f"http://127.0.0.1:{port}") and time.monotonic() < deadline:
            assert proc.poll() is None
            time.sleep(0.05)
        assert helpers.make_client(f"http://127.0.0.1:{port}").list_tables()["TableNames"] == []
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_default_db_path_is_the_working_directory(tmp_path):
    """As DynamoDB Local: without -dbPath or -inMemory the data lives in the working directory."""
    p = LocalStyle(["-jar", "DynamoDBLocal.jar", "-sharedDb", "-port", "PORT"], cwd=tmp_path).wait_ready()
    try:
        create_table(helpers.make_client(p.endpoint), "here")
    finally:
        assert p.terminate() == 0
    assert (tmp_path / "data.mdb").exists()
    assert not (tmp_path / "data").exists()


def test_local_and_native_flags_mix(tmp_path):
    """The image's entrypoint puts --host first; ddbd's own flags keep working beside Local's."""
    p = LocalStyle(["--host", "127.0.0.1", "-jar", "DynamoDBLocal.jar", "-inMemory", "-port", "PORT",
                    "--log-level", "debug"], cwd=tmp_path).wait_ready()
    try:
        helpers.make_client(p.endpoint).list_tables()
    finally:
        assert p.terminate() == 0
    log = (tmp_path / "ddbd.log").read_text()
    assert f"listening on 127.0.0.1:{p.port}" in log
    assert "ListTables" in log  # --log-level debug took effect


def test_cors_is_accepted_and_noted(tmp_path):
    p = LocalStyle(["-inMemory", "-port", "PORT", "-cors", "http://a.example,http://b.example"],
                   cwd=tmp_path).wait_ready()
    assert p.terminate() == 0
    assert "-cors http://a.example,http://b.example: noted" in (tmp_path / "ddbd.log").read_text()


def test_help_lists_local_options():
    p = run(["-help"])
    assert p.returncode == 0, p.stderr
    for flag in ("-port", "-inMemory", "-dbPath", "-sharedDb", "-cors", "-delayTransientStatuses",
                 "-optimizeDbBeforeStartup", "-disableTelemetry", "-version"):
        assert flag in p.stdout, flag
    assert "-help" in run(["--help"]).stdout  # ddbd's own help points to it


def test_version_both_ways():
    assert run(["-version"]).stdout == run(["--version"]).stdout
    assert run(["java", "-jar", "DynamoDBLocal.jar", "-version"]).stdout.startswith("ddbd ")


@pytest.mark.parametrize("args,message", [
    (["-bogus"], "unknown option -bogus"),
    (["-jar", "DynamoDBLocal.jar", "-dbpath", "x"], "unknown option -dbpath"),
    (["-port"], "Missing argument for option: port"),
    (["-port", "99999"], "--port wants 0..65535"),
    (["-inMemory", "-dbPath", "x"], "dbPath and inMemory cannot be set at the same time."),
    (["-inMemory", "-optimizeDbBeforeStartup"], "optimizeDbBeforeStartup option must be used with dbPath"),
    (["-jar"], "-jar wants a path"),
    (["-jar", "DynamoDBLocal.jar", "-Xmx1g"], "unknown option -Xmx1g"),
], ids=["unknown", "wrong-case", "missing-value", "bad-port", "dbpath-and-in-memory", "optimize-without-dbpath",
        "jar-without-path", "jvm-option-after-jar"])
def test_bad_local_command_lines_fail_clearly(args, message, tmp_path):
    """DynamoDB Local prints these and exits 0; ddbd exits 2, as for its own flags."""
    p = run(args, cwd=tmp_path)
    assert p.returncode == 2
    assert message in p.stderr
    assert os.listdir(tmp_path) == []


# ddbd health

def test_health_running_server(tmp_path):
    p = helpers.DdbdProcess(["--in-memory"], cwd=tmp_path).wait_ready(5.0)
    try:
        h = run(["health", p.endpoint + "/"])
        assert h.returncode == 0, h.stderr
        assert h.stdout.startswith("healthy: ddbd ")
        assert run(["health", "--timeout", "1", f"http://localhost:{p.port}"]).returncode == 0
    finally:
        assert p.terminate() == 0


def test_health_stopped_server(tmp_path):
    p = helpers.DdbdProcess(["--in-memory"], cwd=tmp_path).wait_ready(5.0)
    assert p.terminate() == 0
    h = run(["health", p.endpoint + "/"])
    assert h.returncode == 1
    assert "Connection refused" in h.stderr


def test_health_silent_server_times_out():
    """A server that accepts and never answers: exit 1 after --timeout, not a hang."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        t0 = time.monotonic()
        h = run(["health", "--timeout", "0.5", f"http://127.0.0.1:{s.getsockname()[1]}/"])
        took = time.monotonic() - t0
    assert h.returncode == 1
    assert "no answer within 500 ms" in h.stderr
    assert took < 3


def test_health_non_200():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(503)
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        h = run(["health", f"http://127.0.0.1:{srv.server_address[1]}/"])
    finally:
        srv.shutdown()
        srv.server_close()
    assert h.returncode == 1
    assert "503" in h.stderr


@pytest.mark.parametrize("args", [["ftp://x/"], ["--timeout", "0"], ["--timeout"], ["a", "b"], ["--bogus"]])
def test_health_bad_command_line(args):
    h = run(["health"] + args)
    assert h.returncode == 2
    assert h.stderr.strip()


def test_health_help():
    h = run(["health", "--help"])
    assert h.returncode == 0
    assert "Usage: ddbd health" in h.stdout
