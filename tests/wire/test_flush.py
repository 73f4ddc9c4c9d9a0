"""A write is answered only once its commit is on disk (ddbd only).

A durable ddbd commits with LMDB's MDB_NOMETASYNC: a commit flushes its own pages, and its meta
page (what makes it the database's state after a power cut) reaches the disk with the next flush,
which a sync thread runs while the writer goes on with the next batch (src/storage/writer.c). A
reply may leave only after that second flush. kill -9 cannot show the difference (the page cache
survives it), so these tests hold the flushes themselves: an LD_PRELOAD shim built here makes
fdatasync() wait while a gate file says so, and lets through as many as the file's number.
"""
import os
import shutil
import subprocess
import threading
import time

import pytest

import helpers

pytestmark = pytest.mark.ddbd_only

SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* The gate file holds how many more flushes may pass; no file: all pass. */
static int gate_pass(void)
{
    const char *path = getenv("DDBD_TEST_FLUSH_GATE");
    if (!path)
        return 1;
    pthread_mutex_lock(&mu);
    int allowed = -1, pass = 1;
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%d", &allowed) != 1)
            allowed = 0;
        fclose(f);
        pass = allowed > 0;
        if (pass && (f = fopen(path, "w"))) {
            fprintf(f, "%d", allowed - 1);
            fclose(f);
        }
    }
    pthread_mutex_unlock(&mu);
    return pass;
}

static int held(int fd, const char *name)
{
    while (!gate_pass())
        usleep(2000);
    int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, name);
    return real(fd);
}

int fdatasync(int fd) { return held(fd, "fdatasync"); }
int fsync(int fd) { return held(fd, "fsync"); }
"""


@pytest.fixture
def gated(tmp_path, start_ddbd):
    """A durable ddbd whose flushes obey tmp_path/gate; returns (process, gate path)."""
    headers = subprocess.run(["readelf", "-l", helpers.ddbd_binary()], capture_output=True, text=True).stdout
    if "INTERP" not in headers:
        pytest.skip("a statically linked ddbd takes no LD_PRELOAD shim (the tests' builds are dynamic)")
    cc = shutil.which("cc") or shutil.which("gcc")
    src, lib = tmp_path / "flushgate.c", tmp_path / "flushgate.so"
    src.write_text(SHIM)
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", str(lib), str(src), "-ldl", "-lpthread"], check=True)
    gate = tmp_path / "gate"
    env = dict(os.environ, LD_PRELOAD=str(lib), DDBD_TEST_FLUSH_GATE=str(gate),
               ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
    data = tmp_path / "data"
    data.mkdir()
    return start_ddbd(helpers.DATA_DIR_FLAG, str(data), env=env), gate


def put_in_background(endpoint, item):
    """Starts a PutItem on a connection of its own; returns (thread, result dict)."""
    result = {}

    def run():
        try:
            c = helpers.make_client(endpoint, read_timeout=60)
            c.put_item(TableName="flush", Item=item)
            result["ok"] = time.monotonic()
        except Exception as e:  # noqa: BLE001 - reported by the test
            result["error"] = repr(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, result


def held_write_is_answered_after_release(p, gate, allowed):
    c = helpers.make_client(p.endpoint)
    gate.write_text(str(allowed))
    t, result = put_in_background(p.endpoint, {"pk": {"S": f"held-{allowed}"}})
    time.sleep(1.5)
    assert not result, f"a write was answered while its flush was held: {result}"
    # the server still answers reads while the writer waits for the disk
    assert c.get_item(TableName="flush", Key={"pk": {"S": "before"}})["Item"] == {"pk": {"S": "before"}}
    released = time.monotonic()
    gate.unlink()
    t.join(timeout=30)
    assert "ok" in result, result
    assert result["ok"] >= released
    assert c.get_item(TableName="flush", Key={"pk": {"S": f"held-{allowed}"}}, ConsistentRead=True)["Item"]


def test_no_reply_while_flushes_are_held(gated):
    p, gate = gated
    c = helpers.make_client(p.endpoint)
    helpers.create_table(c, "flush")
    helpers.wait_active(c, "flush")
    c.put_item(TableName="flush", Item={"pk": {"S": "before"}})
    held_write_is_answered_after_release(p, gate, 0)


def test_no_reply_after_the_commit_flush_alone(gated):
    """The commit's own flush (its pages) passes, the next one (its meta page) is held: still no
    reply, since a power cut now would lose the write."""
    p, gate = gated
    c = helpers.make_client(p.endpoint)
    helpers.create_table(c, "flush")
    helpers.wait_active(c, "flush")
    c.put_item(TableName="flush", Item={"pk": {"S": "before"}})
    held_write_is_answered_after_release(p, gate, 1)


def test_writes_keep_coming_while_a_flush_is_held(gated):
    """Many writers at once, flushes let through one at a time: every write is answered."""
    p, gate = gated
    c = helpers.make_client(p.endpoint)
    helpers.create_table(c, "flush")
    helpers.wait_active(c, "flush")
    c.put_item(TableName="flush", Item={"pk": {"S": "before"}})
    threads = [put_in_background(p.endpoint, {"pk": {"S": f"many-{i}"}}) for i in range(16)]
    for _ in range(20):  # let flushes through one at a time
        gate.write_text("1")
        time.sleep(0.05)
    gate.unlink()
    for t, result in threads:
        t.join(timeout=30)
        assert "ok" in result, result
    assert p.terminate() == 0
