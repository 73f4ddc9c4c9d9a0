"""The ddbd command line (ddbd only): --help, --version, bad flags, --in-memory, --shared-db, shutdown."""
import os
import re
import socket

import pytest

import helpers

pytestmark = pytest.mark.ddbd_only


def test_help():
    p = helpers.run_ddbd(["--help"])
    assert p.returncode == 0, p.stderr
    out = p.stdout + p.stderr
    for flag in ("--port", "--in-memory", "--shared-db", helpers.DATA_DIR_FLAG):
        assert flag in out, f"--help does not mention {flag}"


def test_version():
    p = helpers.run_ddbd(["--version"])
    assert p.returncode == 0, p.stderr
    out = (p.stdout + p.stderr).strip()
    assert "ddbd" in out.lower()
    assert re.search(r"\d+\.\d+", out), out


@pytest.mark.parametrize(
    "args",
    [
        ["--no-such-flag"],
        ["--port", "not-a-number"],
        ["--port", "70000"],
        ["--port"],
        ["--in-memory", "stray-positional-argument"],
    ],
    ids=["unknown-flag", "port-not-number", "port-out-of-range", "port-missing-value", "stray-argument"],
)
def test_bad_flags_exit_non_zero(args, tmp_path):
    p = helpers.run_ddbd(args, cwd=tmp_path)
    assert p.returncode != 0
    assert p.stderr.strip(), "a bad flag should be explained on stderr"


def test_port_in_use_exits_non_zero(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        p = helpers.run_ddbd(["--port", str(port), "--in-memory"], cwd=tmp_path)
        assert p.returncode != 0
        assert p.stderr.strip()


def test_in_memory_leaves_nothing_behind(tmp_path, start_ddbd):
    cwd = tmp_path / "cwd"
    tmpdir = tmp_path / "tmpdir"
    cwd.mkdir()
    tmpdir.mkdir()
    p = start_ddbd("--in-memory", env=dict(os.environ, TMPDIR=str(tmpdir)), cwd=cwd)  # its log is outside cwd
    c = helpers.make_client(p.endpoint)
    helpers.create_table(c, "scratch")
    for i in range(20):
        c.put_item(TableName="scratch", Item={"pk": {"S": str(i)}, "v": {"S": "x" * 1000}})
    assert p.terminate() == 0
    assert list(cwd.iterdir()) == [], "ddbd --in-memory wrote into its working directory"
    assert list(tmpdir.iterdir()) == [], "ddbd --in-memory left its temporary directory behind"


def test_in_memory_starts_empty(tmp_path, start_ddbd):
    for _ in range(2):
        p = start_ddbd("--in-memory", cwd=tmp_path)
        c = helpers.make_client(p.endpoint)
        assert c.list_tables()["TableNames"] == []
        helpers.create_table(c, "t01")
        assert p.terminate() == 0


def test_shared_db_one_namespace(tmp_path, start_ddbd):
    p = start_ddbd("--in-memory", "--shared-db", cwd=tmp_path)
    a = helpers.make_client(p.endpoint, access_key="KEYA", region="us-east-1")
    b = helpers.make_client(p.endpoint, access_key="KEYB", region="ap-south-1")
    helpers.create_table(a, "shared")
    a.put_item(TableName="shared", Item={"pk": {"S": "from-a"}})
    assert b.list_tables()["TableNames"] == ["shared"]
    assert b.get_item(TableName="shared", Key={"pk": {"S": "from-a"}})["Item"] == {"pk": {"S": "from-a"}}
    b.put_item(TableName="shared", Item={"pk": {"S": "from-b"}})
    assert a.get_item(TableName="shared", Key={"pk": {"S": "from-b"}})["Item"] == {"pk": {"S": "from-b"}}
    with pytest.raises(b.exceptions.ResourceInUseException):
        helpers.create_table(b, "shared")
    assert p.terminate() == 0


def test_without_shared_db_namespaces_are_separate(tmp_path, start_ddbd):
    p = start_ddbd("--in-memory", cwd=tmp_path)
    a = helpers.make_client(p.endpoint, access_key="KEYA", region="us-east-1")
    b = helpers.make_client(p.endpoint, access_key="KEYB", region="us-east-1")
    helpers.create_table(a, "mine")
    assert b.list_tables()["TableNames"] == []
    assert p.terminate() == 0


def test_sigterm_while_connections_open_exits_cleanly(tmp_path, start_ddbd):
    p = start_ddbd("--in-memory", cwd=tmp_path)
    idle = socket.create_connection(("127.0.0.1", p.port), timeout=5)  # an idle keep-alive client
    try:
        c = helpers.make_client(p.endpoint)
        c.list_tables()
        assert p.terminate(timeout=10) == 0
    finally:
        idle.close()


def test_docker_entrypoint_command(tmp_path, start_ddbd):
    """docker/Dockerfile's command with no arguments, `ddbd --host ADDR` in
    the image's working directory: the data goes to ./data (the image's
    volume), answers the HEALTHCHECK's GET / and survives a restart. (On
    the loopback here; tests/image runs the image itself, on 0.0.0.0 inside
    its container.)"""
    port = helpers.free_port()
    for round_ in range(2):
        p = start_ddbd("--host", "127.0.0.1", port=port, cwd=tmp_path)  # start_ddbd adds --port
        ddb = helpers.make_client(p.endpoint)
        if round_ == 0:
            helpers.create_table(ddb, "docker")
            ddb.put_item(TableName="docker", Item={"pk": {"S": "kept"}})
        else:
            assert ddb.get_item(TableName="docker", Key={"pk": {"S": "kept"}})["Item"] == {"pk": {"S": "kept"}}
            assert (tmp_path / "data" / "data.mdb").exists()
        assert p.terminate() == 0
