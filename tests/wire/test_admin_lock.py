"""The admin lock (README "Limits and safety") also covers what integrate's console brought: the
console's files (GET /_ddbd/console/...) and the stream tail (GET /_ddbd/streams/tail). The
console's files also take the token from a cookie ddbd sets when the token came once as ?token=
(the page takes ?token= out of the address bar, and <script src> sends no header); that cookie is
scoped to the console and never opens an admin endpoint."""
import http.client

import pytest

from helpers import make_client

pytestmark = pytest.mark.ddbd_only

TOKEN = "c0ns0le-t0ken"


def get(endpoint, path, headers=None):
    host, port = endpoint.rsplit("/", 1)[-1].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=10)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, r.getheader("Set-Cookie"), body


def test_console_needs_the_token_then_keeps_it_in_a_console_cookie(start_ddbd):
    p = start_ddbd("--in-memory", "--admin-token", TOKEN)
    status, cookie, body = get(p.endpoint, "/_ddbd/console/")
    assert status == 401 and cookie is None and b"X-Ddbd-Admin-Token" in body
    assert get(p.endpoint, "/_ddbd/console/js/api.js")[0] == 401
    assert get(p.endpoint, "/_ddbd/console/?token=wrong-token")[0] == 403
    status, cookie, body = get(p.endpoint, "/_ddbd/console/?token=" + TOKEN)
    assert status == 200 and b"<html" in body.lower()
    assert cookie.startswith("ddbd_admin_token=" + TOKEN + ";")
    assert "Path=/_ddbd/console/" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert get(p.endpoint, "/_ddbd/console/", {"X-Ddbd-Admin-Token": TOKEN})[0] == 200
    jar = {"Cookie": "other=1; ddbd_admin_token=" + TOKEN}
    status, cookie, body = get(p.endpoint, "/_ddbd/console/js/api.js", jar)
    assert status == 200 and cookie is None and b"X-Ddbd-Admin-Token" in body
    assert get(p.endpoint, "/_ddbd/console/", {"Cookie": "ddbd_admin_token=" + TOKEN + "x"})[0] == 403
    # the cookie opens the console's files only, never an endpoint a browser could be lured into calling
    assert get(p.endpoint, "/_ddbd/clock", jar)[0] == 401
    assert get(p.endpoint, "/_ddbd/stats", jar)[0] == 401


def test_stream_tail_needs_the_token(start_ddbd):
    p = start_ddbd("--in-memory", "--admin-token", TOKEN)
    assert get(p.endpoint, "/_ddbd/streams/tail?arn=x")[0] == 401
    assert get(p.endpoint, "/_ddbd/streams/tail?arn=x&token=wrong-token")[0] == 403
    assert get(p.endpoint, "/_ddbd/streams/tail?arn=x", {"Cookie": "ddbd_admin_token=" + TOKEN})[0] == 401
    # past the lock, the tail itself answers (no such stream), as the console's EventSource sends it
    status, _, body = get(p.endpoint, "/_ddbd/streams/tail?arn=x&token=" + TOKEN)
    assert status == 404 and b"no such stream" in body


def test_no_admin_turns_off_the_console_and_the_tail(start_ddbd):
    p = start_ddbd("--in-memory", "--no-admin")
    for path in ("/_ddbd/console/", "/_ddbd/console/js/api.js", "/_ddbd/streams/tail?arn=x", "/_ddbd/stats"):
        status, _, body = get(p.endpoint, path)
        assert status == 404 and b"--no-admin" in body, path
    make_client(p.endpoint).list_tables()


def test_loopback_without_a_token_serves_the_console_as_before(start_ddbd):
    p = start_ddbd("--in-memory")
    status, cookie, body = get(p.endpoint, "/_ddbd/console/")
    assert status == 200 and cookie is None and b"<html" in body.lower()
    assert get(p.endpoint, "/_ddbd/streams/tail?arn=x")[0] == 404


def test_stats_does_not_show_the_token(start_ddbd):
    p = start_ddbd("--in-memory", "--admin-token", TOKEN)
    status, _, body = get(p.endpoint, "/_ddbd/stats", {"X-Ddbd-Admin-Token": TOKEN})
    assert status == 200 and b"--admin-token" in body and b"(hidden)" in body
    assert TOKEN.encode() not in body
