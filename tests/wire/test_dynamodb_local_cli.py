"""DynamoDB Local's command line given to ddbd, and `ddbd health` (ddbd only).

Scripts, compose files and Testcontainers set-ups start DynamoDB Local as
`java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -sharedDb -dbPath ./data`;
ddbd takes the same words. The option names, the messages reused and the
defaults (data in the working directory, the first of a repeated option
wins) are DynamoDB Local 3.3.0's, checked by running its jar.
"""
import http.server
import os
import socket
import threading
import time

import pytest

import helpers

pytestmark = pytest.mark.ddbd_only


@pytest.fixture
def workdir(tmp_path):
    """ddbd's working directory, empty (its logs are kept outside, in tmp_path)."""
    d = tmp_path / "work"
    d.mkdir()
    return d


@pytest.fixture
def local_style(start_ddbd, workdir):
    """local_style(*args, port=None) → ddbd started in workdir with DynamoDB Local's words only:
    no --port added, "PORT" in args stands for the port."""
    return lambda *args, port=None: start_ddbd(*args, cwd=workdir, port=port)


def test_port_in_memory_shared_db(local_style, workdir):
    """-port N -inMemory -sharedDb: one set of tables for every key and region, nothing on disk."""
    p = local_style("-port", "PORT", "-inMemory", "-sharedDb")
    a = helpers.make_client(p.endpoint, access_key="KEYA", region="us-east-1")
    b = helpers.make_client(p.endpoint, access_key="KEYB", region="eu-west-1")
    helpers.create_table(a, "shared")
    a.put_item(TableName="shared", Item={"pk": {"S": "from-a"}})
    assert b.list_tables()["TableNames"] == ["shared"]
    assert b.get_item(TableName="shared", Key={"pk": {"S": "from-a"}})["Item"] == {"pk": {"S": "from-a"}}
    assert p.terminate() == 0
    assert os.listdir(workdir) == []


def test_without_shared_db_namespaces_are_separate(local_style):
    p = local_style("-inMemory", "-port", "PORT")
    a = helpers.make_client(p.endpoint, access_key="KEYA", region="us-east-1")
    b = helpers.make_client(p.endpoint, access_key="KEYB", region="us-east-1")
    helpers.create_table(a, "mine")
    assert b.list_tables()["TableNames"] == []
    assert p.terminate() == 0


def test_java_jar_db_path_keeps_data(local_style, workdir):
    """The whole java command line, as scripts have it; -dbPath is created and keeps the data."""
    args = ["java", "-Xmx256m", "-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar",
            "-sharedDb", "-dbPath", "./data", "-port", "PORT", "-delayTransientStatuses",
            "-disableTelemetry", "-optimizeDbBeforeStartup"]
    port = helpers.free_port()
    for round_ in range(2):
        p = local_style(*args, port=port)
        c = helpers.make_client(p.endpoint)
        if round_ == 0:
            helpers.create_table(c, "kept")
            c.put_item(TableName="kept", Item={"pk": {"S": "x"}})
        else:
            assert c.get_item(TableName="kept", Key={"pk": {"S": "x"}})["Item"] == {"pk": {"S": "x"}}
        assert p.terminate() == 0
    assert (workdir / "data" / "data.mdb").exists()


def test_called_as_java(tmp_path, start_ddbd, workdir):
    """A link named java to ddbd: scripts that run `java -jar DynamoDBLocal.jar ...` from PATH start ddbd."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "java").symlink_to(helpers.ddbd_binary())
    p = start_ddbd("-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar", "-port", "PORT",
                   "-inMemory", program="java", cwd=workdir, env=dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}"))
    assert helpers.make_client(p.endpoint).list_tables()["TableNames"] == []
    assert p.terminate() == 0


def test_default_db_path_is_the_working_directory(local_style, workdir):
    """As DynamoDB Local: without -dbPath or -inMemory the data lives in the working directory."""
    p = local_style("-jar", "DynamoDBLocal.jar", "-sharedDb", "-port", "PORT")
    helpers.create_table(helpers.make_client(p.endpoint), "here")
    assert p.terminate() == 0
    assert (workdir / "data.mdb").exists()
    assert not (workdir / "data").exists()


def test_local_and_native_flags_mix(local_style):
    """The image's entrypoint puts --host first; ddbd's own flags keep working beside Local's."""
    p = local_style("--host", "127.0.0.1", "-jar", "DynamoDBLocal.jar", "-inMemory", "-port", "PORT",
                    "--log-level", "debug")
    helpers.make_client(p.endpoint).list_tables()
    assert p.terminate() == 0
    log = p.log_text()
    assert f"listening on 127.0.0.1:{p.port}" in log
    assert "ListTables" in log  # --log-level debug took effect


def test_cors_takes_effect(local_style):
    """-cors is ddbd's --cors: a listed origin is allowed, another is not."""
    p = local_style("-inMemory", "-port", "PORT", "-cors", "http://a.example,http://b.example")
    for origin, allowed in (("http://b.example", "http://b.example"), ("http://c.example", None)):
        _, headers, _ = helpers.raw_request(p.endpoint, "ListTables", "{}", headers={"Origin": origin})
        assert headers.get("access-control-allow-origin") == allowed
    assert p.terminate() == 0


def test_help_lists_local_options():
    p = helpers.run_ddbd(["-help"])
    assert p.returncode == 0, p.stderr
    for flag in ("-port", "-inMemory", "-dbPath", "-sharedDb", "-cors", "-delayTransientStatuses",
                 "-optimizeDbBeforeStartup", "-disableTelemetry", "-version"):
        assert flag in p.stdout, flag
    assert "-help" in helpers.run_ddbd(["--help"]).stdout  # ddbd's own help points to it


def test_version_both_ways():
    assert helpers.run_ddbd(["-version"]).stdout == helpers.run_ddbd(["--version"]).stdout
    assert helpers.run_ddbd(["java", "-jar", "DynamoDBLocal.jar", "-version"]).stdout.startswith("ddbd ")


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
    p = helpers.run_ddbd(args, cwd=tmp_path)
    assert p.returncode == 2
    assert message in p.stderr
    assert os.listdir(tmp_path) == []


# ddbd health

def test_health_running_server(start_ddbd, workdir):
    p = start_ddbd("--in-memory", cwd=workdir)
    h = helpers.run_ddbd(["health", p.endpoint + "/"])
    assert h.returncode == 0, h.stderr
    assert h.stdout == f"healthy: 127.0.0.1:{p.port}\n"  # the Host header, as AWS answers
    assert helpers.run_ddbd(["health", "--timeout", "1", f"http://localhost:{p.port}"]).returncode == 0
    assert p.terminate() == 0


def test_health_stopped_server(start_ddbd, workdir):
    p = start_ddbd("--in-memory", cwd=workdir)
    assert p.terminate() == 0
    h = helpers.run_ddbd(["health", p.endpoint + "/"])
    assert h.returncode == 1
    assert "Connection refused" in h.stderr


def test_health_silent_server_times_out():
    """A server that accepts and never answers: exit 1 after --timeout, not a hang."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        t0 = time.monotonic()
        h = helpers.run_ddbd(["health", "--timeout", "0.5", f"http://127.0.0.1:{s.getsockname()[1]}/"])
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
        h = helpers.run_ddbd(["health", f"http://127.0.0.1:{srv.server_address[1]}/"])
    finally:
        srv.shutdown()
        srv.server_close()
    assert h.returncode == 1
    assert "503" in h.stderr


@pytest.mark.parametrize("args", [["ftp://x/"], ["--timeout", "0"], ["--timeout"], ["a", "b"], ["--bogus"]])
def test_health_bad_command_line(args):
    h = helpers.run_ddbd(["health"] + args)
    assert h.returncode == 2
    assert h.stderr.strip()


def test_health_help():
    h = helpers.run_ddbd(["health", "--help"])
    assert h.returncode == 0
    assert "Usage: ddbd health" in h.stdout
